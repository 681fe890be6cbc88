"""The whole-book PDF printed as parts (one per chapter, in parallel, cached) and assembled.

Tested by its properties on a small generated book, with no site build: one tagged document
holding every chapter, a bookmark per chapter, contents whose page numbers are where the
chapters start, printed page numbers that run on without a gap, links between chapters that
land in the book, and a page edit that prints that page's part again and nothing else.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pikepdf
import pytest
from conftest import ROOT, structure_elements
from pypdf import PdfReader

from opentextbook.metadata import load_metadata
from opentextbook.publishing.bookpages import BookPage
from opentextbook.publishing.publisher import BookPublisher
from opentextbook.support.cache import OutputCache

CHAPTERS = 4
TEACHER_NOTE = "A note for the facilitator of chapter 3."


def chapter_html(number: int, *, sections: int = 3, extra: str = "") -> str:
    """A built chapter page: sections of prose, a link to the next chapter's second section."""
    following = number % CHAPTERS + 1
    prose = (
        f"<p>Generated prose of chapter {number}, long enough to wrap over a few lines of the "
        "printed page as real prose does, with a "
        f'<a href="chapter-{following}.html#section-2">link to chapter {following}</a>.</p>'
    )
    parts = [f'<h1 id="title">Chapter {number}</h1>', extra]
    for section in range(1, sections + 1):
        parts += [f'<h2 id="section-{section}">Section {number}.{section}</h2>', prose * 6]
    if number == 3:
        parts.append(f'<div data-otb-audience="teacher"><p>{TEACHER_NOTE}</p></div>')
    return "".join(parts)


def write_book(site: Path, cache_dir: Path, pages: dict[int, str], **options) -> BookPublisher:
    metadata = load_metadata(ROOT / "data" / "book.yml")
    publisher = BookPublisher(metadata, site_url="https://example.org/book/", downloads=True)
    order = [f"chapter-{number}.md" for number in pages]
    for number, html in pages.items():
        page = BookPage(f"chapter-{number}.md", f"Chapter {number}", f"chapter-{number}.html", html)
        publisher.collect(page, order=order)
    cache = OutputCache(cache_dir)
    publisher.write_downloads(site, cache, **options)
    cache.save(prune=True)
    return publisher


def book_pages(**changes: str) -> dict[int, str]:
    pages = {number: chapter_html(number) for number in range(1, CHAPTERS + 1)}
    return {**pages, **{int(key[1:]): html for key, html in changes.items()}}


@pytest.fixture(scope="module")
def book(tmp_path_factory) -> dict:
    """The book printed once, on all cores (the default)."""
    folder = tmp_path_factory.mktemp("wholebook")
    publisher = write_book(folder / "site", folder / "cache", book_pages())
    downloads = folder / "site" / "downloads"
    student, teacher = (next(downloads.glob(f"*{end}")) for end in ("s.pdf", "-teacher.pdf"))
    return {"folder": folder, "publisher": publisher, "student": student, "teacher": teacher}


@pytest.fixture(scope="module")
def texts(book) -> list[str]:
    return [page.extract_text() for page in PdfReader(book["student"]).pages]


def test_every_part_was_printed_once(book) -> None:
    printed = book["publisher"].printed
    # Chapter 3 differs between the editions (its teacher note); the others are shared.
    pages = [f"page chapter-{number}.md" for number in (1, 2, 3, 3, 4)]
    assert sorted(printed) == sorted([*pages, "the front matter", "the page-number digits"])


def test_the_book_is_one_tagged_document(book) -> None:
    with pikepdf.open(book["student"]) as pdf:
        assert str(pdf.Root.Lang) == "en"
        assert bool(pdf.Root.MarkInfo.Marked)
        assert bool(pdf.Root.ViewerPreferences.DisplayDocTitle)
        assert str(pdf.docinfo.Title) == load_metadata(ROOT / "data" / "book.yml").title
        index = {page.obj.objgen: number for number, page in enumerate(pdf.pages)}
        elements = [element for element in _struct_elements(pdf) if "/Pg" in element]
        headings = {index[element.Pg.objgen] for element in elements if element.S == "/H1"}
        pages = {index[element.Pg.objgen] for element in elements}
    reader = PdfReader(book["student"])
    starts = {_start(reader, f"p{number}") for number in range(1, CHAPTERS + 1)}
    assert starts <= headings, "each chapter's heading is in the one structure tree"
    assert pages == set(range(len(index))), "every page's content is in it"


def test_a_bookmark_per_chapter(book) -> None:
    titles = [
        item.title for item in PdfReader(book["student"]).outline if not isinstance(item, list)
    ]
    assert [title for title in titles if title.startswith("Chapter")] == [
        f"Chapter {number}" for number in range(1, CHAPTERS + 1)
    ]


def contents_entries(pdf: Path) -> dict[str, str]:
    """Title → page number of each contents line (read as laid out: number at line end)."""
    text = PdfReader(pdf).pages[1].extract_text(extraction_mode="layout")
    return dict(re.findall(r"^[ \t]*(\S.*?)[ \t]{2,}(\d+)$", text, flags=re.MULTILINE))


def test_contents_numbers_are_where_chapters_and_sections_start(book, texts: list[str]) -> None:
    entries = contents_entries(book["student"])
    chapters = [entries[f"Chapter {number}"] for number in range(1, CHAPTERS + 1)]
    assert chapters == sorted(chapters, key=int) and len(set(chapters)) == CHAPTERS
    for title, number in entries.items():
        assert title in texts[int(number) - 1], f"{title} is not on page {number}"
    assert int(entries["Section 4.3"]) > int(entries["Chapter 4"]), "a section on a later page"


def test_printed_page_numbers_run_on_and_the_cover_has_none(texts: list[str]) -> None:
    assert not re.search(r"(^|\n)1(\n|$)", texts[0])
    for number, text in enumerate(texts[1:], start=2):
        assert re.search(rf"(^|\n){number}(\n|$)", text), f"page {number} has no number"


def test_page_numbers_are_artifacts_in_an_embedded_font(book) -> None:
    with pikepdf.open(book["student"]) as pdf:
        page = pdf.pages[5]
        content = page.obj.Contents
        streams = [content] if isinstance(content, pikepdf.Stream) else list(content)
        stamp = streams[-1].read_bytes()
        font = page.Resources.Font["/OTBPageNumber"]
        descriptor = font.DescendantFonts[0].FontDescriptor
        assert "/FontFile2" in descriptor, "the digits' font is embedded"
        assert "/ToUnicode" in font, "and maps to text"
    assert b"\nq\n/Artifact <</Type /Pagination /Subtype /Footer>> BDC\n" in stamp
    assert stamp.endswith(b"> Tj\nET\nEMC\nQ\n")


def test_links_between_chapters_land_on_their_page(book) -> None:
    reader = PdfReader(book["student"])
    destinations = reader.named_destinations
    found = {}
    for index, page in enumerate(reader.pages):
        for annotation in page.get("/Annots") or []:
            annotation = annotation.get_object()
            assert "/A" not in annotation or "urn:" not in str(annotation["/A"].get("/URI"))
            if "/Dest" in annotation:
                found.setdefault(index, set()).add(str(annotation["/Dest"]))
    contents_links = found[1]
    assert {"p1", "p2", "p3", "p4", "p4-section-3"} <= contents_links
    assert "p2-section-2" in found[int(_start(reader, "p1"))]  # chapter 1 links to chapter 2
    for name in ("p2", "p4-section-3"):
        assert name in destinations


def test_the_student_edition_has_no_teacher_note(book) -> None:
    student = " ".join(page.extract_text() for page in PdfReader(book["student"]).pages)
    teacher = " ".join(page.extract_text() for page in PdfReader(book["teacher"]).pages)
    assert TEACHER_NOTE not in student
    assert TEACHER_NOTE in teacher


def test_a_page_edit_prints_only_that_page(book, tmp_path: Path, monkeypatch) -> None:
    from opentextbook.support import pdf as pdf_module

    shutil.copytree(book["folder"] / "cache", tmp_path / "cache")
    calls = []
    original = pdf_module.render_pdf
    monkeypatch.setattr(
        pdf_module, "render_pdf", lambda *a, **k: calls.append(a[1]) or original(*a, **k)
    )
    edited = book_pages(p2=chapter_html(2, extra="<p>One sentence more.</p>"))
    again = write_book(tmp_path / "site", tmp_path / "cache", edited, workers=1)
    assert again.printed == ["page chapter-2.md"]  # same page count: same contents
    assert len(calls) == 1

    longer = book_pages(p2=chapter_html(2, sections=12))
    moved = write_book(tmp_path / "site", tmp_path / "cache", longer, workers=1)
    assert moved.printed == ["page chapter-2.md", "the front matter"]  # later chapters moved
    pdf = next(tmp_path.glob("site/downloads/*s.pdf"))
    texts = [page.extract_text() for page in PdfReader(pdf).pages]
    entries = contents_entries(pdf)
    assert "Chapter 4" in texts[int(entries["Chapter 4"]) - 1]


def test_an_unchanged_book_prints_nothing(book, tmp_path: Path) -> None:
    shutil.copytree(book["folder"] / "cache", tmp_path / "cache")
    again = write_book(tmp_path / "site", tmp_path / "cache", book_pages(), workers=1)
    assert again.printed == []
    assert next(tmp_path.glob("site/downloads/*s.pdf")).read_bytes() == book["student"].read_bytes()


def test_the_same_book_is_the_same_bytes(book, tmp_path: Path) -> None:
    write_book(tmp_path / "site", tmp_path / "cache", book_pages(), workers=1)
    for name in ("student", "teacher"):
        again = tmp_path / "site" / "downloads" / book[name].name
        assert again.read_bytes() == book[name].read_bytes(), name


def _start(reader: PdfReader, name: str) -> int:
    return reader.get_destination_page_number(reader.named_destinations[name])


def _struct_elements(pdf: pikepdf.Pdf) -> list:
    return structure_elements(pdf.Root.StructTreeRoot)[1:]
