"""Worksheets of the built book, checked by their properties (never by bytes).

Each of the chapter's three activities links to a printable page and to Letter and A4 PDFs;
the PDFs are tagged (structure tree, language, title), fillable, embed subset fonts and stay
small; the packets hold every worksheet, and only the facilitator edition has teacher notes.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urljoin

import pytest
from conftest import Build
from pypdf import PdfReader

from opentextbook.activities.worksheets import EDITIONS, PAPERS, packet_file, worksheet_files

ACTIVITIES = {
    "draw-your-pln": ("Draw your PLN", "Group your sources"),
    "explore-professional-networks": ("Explore professional networks", "Consider joining"),
    "pln-generosity": ("PLNs and networking as generosity", "what can you offer your PLN"),
}
CHAPTER = "networking-and-plns.html"
PAGE_SIZES = {"letter": (612, 792), "a4": (595, 842)}
LICENCE = "Creative Commons Attribution 4.0 International"


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.hrefs: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        href = dict(attrs).get("href")
        if tag == "a" and href:
            self.hrefs.append(href)


def pdf_text(reader: PdfReader) -> str:
    return re.sub(r"\s+", " ", " ".join(page.extract_text() for page in reader.pages))


def embedded_fonts(reader: PdfReader) -> dict[str, bool]:
    """Every font used on any page -> whether its font program is embedded."""
    fonts = {}
    for page in reader.pages:
        for font in page["/Resources"].get("/Font", {}).values():
            font = font.get_object()
            descendant = font.get("/DescendantFonts")
            described = descendant[0].get_object() if descendant else font
            descriptor = described["/FontDescriptor"].get_object()
            embedded = any(key in descriptor for key in ("/FontFile", "/FontFile2", "/FontFile3"))
            fonts[str(font["/BaseFont"])] = embedded
    return fonts


@pytest.mark.parametrize("ident", sorted(ACTIVITIES))
def test_chapter_links_each_activity_to_its_page_and_pdfs(built_site: Build, ident: str) -> None:
    links = _Links()
    links.feed(built_site.page(CHAPTER))
    page_url = "networking-and-plns.html"
    resolved = {urljoin(page_url, href) for href in links.hrefs}
    files = worksheet_files(ident)
    for key in ("page", *PAPERS):
        assert files[key] in resolved, f"no link to {files[key]}"
        target = files["html"] if key == "page" else files[key]
        assert (built_site.site / target).is_file(), target


@pytest.mark.parametrize("ident", sorted(ACTIVITIES))
def test_each_activity_box_links_the_packets_keys_and_both_book_editions(
    built_site: Build, ident: str
) -> None:
    """Findable from the activity: every packet and edition, on both papers, and the book."""
    box = re.search(
        rf'<section class="otb-activity" id="{ident}">.*?</section>', built_site.page(CHAPTER), re.S
    )
    links = _Links()
    links.feed(box[0])
    book = "downloads/networking-and-personal-learning-networks"
    wanted = [packet_file(edition, paper) for edition in EDITIONS for paper in PAPERS]
    wanted += [
        f"{book}{edition}.{kind}" for edition in ("", "-teacher") for kind in ("pdf", "epub")
    ]
    for target in wanted:
        assert target in links.hrefs, f"activity {ident} does not link {target}"
        assert (built_site.site / target).is_file(), target


@pytest.mark.parametrize("paper", sorted(PAPERS))
@pytest.mark.parametrize("ident", sorted(ACTIVITIES))
def test_worksheet_pdf_properties(built_site: Build, ident: str, paper: str) -> None:
    path = built_site.site / worksheet_files(ident)[paper]
    reader = PdfReader(path)
    title, step = ACTIVITIES[ident]
    width, height = (round(float(v)) for v in reader.pages[0].mediabox[2:])
    assert (width, height) == PAGE_SIZES[paper]
    text = pdf_text(reader)
    assert title in text and step in text and LICENCE in text
    assert re.search(r"Activity 1\.\d", text)
    assert "Page 1 of" in text
    fields = reader.get_fields() or {}
    assert {f"{ident}-name", f"{ident}-date", f"{ident}-class", f"{ident}-step-1"} <= set(fields)
    root = reader.trailer["/Root"]
    assert "/StructTreeRoot" in root and root["/Lang"] == "en"
    assert title in reader.metadata.title
    fonts = embedded_fonts(reader)
    assert fonts and all(fonts.values()), fonts
    assert all(re.match(r"/[A-Z]{6}\+", name) for name in fonts), "fonts are not subsets"
    assert path.stat().st_size < 100_000, f"{path.name} is {path.stat().st_size} bytes"


def test_worksheet_page_is_printable_and_fillable(built_site: Build) -> None:
    html = built_site.page(worksheet_files("pln-generosity")["html"])
    assert '<html lang="en" dir="ltr">' in html
    assert "Activity 1.3: PLNs and networking as generosity" in html
    for name in ("name", "date", "class"):
        assert f'<label class="otb-ws-field" for="pln-generosity-{name}">' in html
    assert "<textarea" in html and "@page" in html and "counter(page)" in html
    assert 'rel="license"' in html and LICENCE in html
    assert "by Rebecca J. Hogue" in html
    # mkdocs.yml's default address is a placeholder: no QR code that would lead nowhere.
    assert 'class="otb-ws-qr"' not in html and "example.org" not in html
    assert "networking-and-plns.html#pln-generosity" in html
    assert 'href="pln-generosity-a4.pdf"' in html


@pytest.mark.parametrize("ident", sorted(ACTIVITIES))
def test_links_on_worksheet_pages_lead_to_site_files(built_site: Build, ident: str) -> None:
    page = worksheet_files(ident)["page"]
    links = _Links()
    links.feed(built_site.page(worksheet_files(ident)["html"]))
    local = [href for href in links.hrefs if not re.match(r"https?:", href)]
    assert local, "the worksheet page links back to its activity"
    for href in local:
        target = urljoin(page, href.partition("#")[0])
        path = built_site.site / target
        assert path.is_file(), f"{href} -> {target} (a file, so it also opens from disk)"


@pytest.mark.parametrize("paper", sorted(PAPERS))
def test_packets_hold_every_worksheet(built_site: Build, paper: str) -> None:
    student = PdfReader(built_site.site / f"worksheets/packet-{paper}.pdf")
    facilitator = PdfReader(built_site.site / f"worksheets/facilitator-{paper}.pdf")
    for reader, edition in ((student, "Classroom packet"), (facilitator, "Facilitator edition")):
        text = pdf_text(reader)
        assert edition in text and LICENCE in text
        for ident, (title, step) in ACTIVITIES.items():
            assert title in text and step in text
            assert f"{ident}-name" in (reader.get_fields() or {})
        assert "/StructTreeRoot" in reader.trailer["/Root"]
    assert "For teachers" in pdf_text(facilitator)
    assert "For teachers" not in pdf_text(student)


def test_student_worksheets_never_show_teacher_notes(built_site: Build) -> None:
    chapter = built_site.page(CHAPTER)
    assert chapter.count('<details class="otb-teacher-notes"') == len(ACTIVITIES)
    for ident in ACTIVITIES:
        files = worksheet_files(ident)
        assert "For teachers" not in built_site.page(files["html"])
        assert "For teachers" not in pdf_text(PdfReader(built_site.site / files["letter"]))


def test_chapter_loads_print_styles(built_site: Build) -> None:
    chapter = built_site.page(CHAPTER)
    assert "assets/opentextbook/activities.css" in chapter
    assert "assets/opentextbook/print-details.js" in chapter
    css = (built_site.site / "assets/opentextbook/activities.css").read_text(encoding="utf-8")
    assert "@media print" in css and "break-inside: avoid" in css and ".md-sidebar" in css


def test_no_half_written_outputs(built_site: Build) -> None:
    leftovers = [p for p in Path(built_site.site).rglob("*.part")]
    assert not leftovers
