"""The whole-book PDF, tested by its properties: pages, text, language, tags, outline."""

from __future__ import annotations

import re

import pytest
from conftest import Build
from pypdf import PdfReader

from opentextbook.metadata import load_metadata

PDF = "downloads/networking-and-personal-learning-networks.pdf"
BOOK_PAGES = ("Home", "Networking and Personal Learning Networks", "References")


@pytest.fixture(scope="module")
def reader(built_site: Build) -> PdfReader:
    return PdfReader(built_site.site / PDF)


@pytest.fixture(scope="module")
def texts(reader: PdfReader) -> list[str]:
    return [page.extract_text() for page in reader.pages]


@pytest.fixture(scope="module")
def metadata(built_site: Build):
    return load_metadata(built_site.project / "data" / "book.yml")


def test_document_info_comes_from_the_metadata(reader: PdfReader, metadata) -> None:
    assert reader.metadata.title == metadata.title
    assert reader.metadata.author == ", ".join(metadata.author_names)


def test_language_and_tags_for_screen_readers(reader: PdfReader, metadata) -> None:
    catalog = reader.trailer["/Root"]
    assert catalog["/Lang"] == metadata.language
    assert "/StructTreeRoot" in catalog
    assert bool(catalog["/MarkInfo"]["/Marked"])


def test_cover_shows_title_author_licence(texts: list[str], metadata) -> None:
    cover = " ".join(texts[0].split())
    assert " ".join(metadata.title.split()) in cover
    for fact in (*metadata.author_names, metadata.licence.name, metadata.adapted_by):
        assert fact in cover


def test_contents_list_pages_with_page_numbers(texts: list[str], reader: PdfReader) -> None:
    # Read as laid out: each entry's number is at the end of its line.
    contents = reader.pages[1].extract_text(extraction_mode="layout").strip()
    assert contents.startswith("Contents")
    entries = dict(re.findall(r"^[ \t]*(\S.*?)[ \t]{2,}(\d+)$", contents, flags=re.MULTILINE))
    assert "References" in entries
    for title, number in entries.items():
        assert 3 <= int(number) <= len(reader.pages), title
    # The number is where the section starts: its heading is on that page.
    assert "References" in texts[int(entries["References"]) - 1]


def test_pages_are_numbered_except_the_cover(texts: list[str]) -> None:
    assert not re.search(r"^\s*1\s*$", texts[0], flags=re.MULTILINE)
    for number, text in enumerate(texts[2:], start=3):
        assert re.search(rf"(^|\n){number}(\n|$)", text), f"page {number} has no number"


def test_whole_book_text_is_there(texts: list[str], built_site: Build) -> None:
    text = " ".join(" ".join(texts).split())
    for phrase in ("Personal learning networks", "References", "Licence and attribution"):
        assert phrase.lower() in text.lower(), phrase
    assert "Downloads" not in [line.strip() for line in texts[1].splitlines()]


def test_outline_has_a_bookmark_per_page(reader: PdfReader) -> None:
    titles = [item.title for item in reader.outline if not isinstance(item, list)]
    for title in ("Networking and Personal Learning Networks", "References"):
        assert title in titles
    assert "Licence and attribution" in titles


def test_no_copy_buttons_on_paper(texts: list[str]) -> None:
    text = " ".join(texts)
    assert "Copy APA 7" not in text
    assert "Hogue, R. J." in text  # the citations themselves are printed


def test_links_inside_the_book_stay_inside(reader: PdfReader) -> None:
    external = []
    internal = 0
    for page in reader.pages:
        for annotation in page.get("/Annots") or []:
            action = annotation.get_object().get("/A")
            if action and action.get("/S") == "/URI":
                external.append(action["/URI"])
            elif annotation.get_object().get("/Dest") or (action and action.get("/S") == "/GoTo"):
                internal += 1
    assert internal > 5, "contents and cross-references link within the PDF"
    assert not [uri for uri in external if not re.match(r"(https?|mailto):", uri)]
