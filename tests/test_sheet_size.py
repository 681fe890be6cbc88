"""Worksheet PDFs stay small, and keep what made them worth printing while they shrank.

A one-page sheet with its QR code was 47 KB (35 KB of it four embedded fonts); it is now about
25.5 KB: text and form fields share one regular font program, embedded fonts carry no shaping
tables and map their text by ranges, and the QR code is a small 1-bit image. The budgets below are
those sizes with a little headroom, read from the files of a build. Whatever is slimmed, every
sheet stays tagged (structure tree, marked, language), every font embedded, every field there,
and its text copies as written (ligatures included).
"""

from __future__ import annotations

import io
import re
from pathlib import Path

import pydyf
import pytest
from conftest import Build, copy_project
from fontTools.ttLib import TTFont
from pypdf import PdfReader

from opentextbook.activities.worksheets import PAPERS, packet_file, worksheet_files
from opentextbook.cli import main
from opentextbook.support.pdfslim import LAYOUT_TABLES, slim_pdf

SHEET_BUDGET = 28_000
"""Bytes for a worksheet with its QR code (was 47 to 48 KB; 25.5 to 26.8 KB on 2026-11-30)."""
PACKET_BUDGET = 48_000
"""Bytes for the classroom packet: cover and three sheets (was 76 KB laid out as one document;
39.4 to 39.8 KB slimmed; 45.9 KB assembled from the rendered sheets, which keep their own font
subsets where they differ, on 2026-11-30)."""
ADDRESS = "https://rjhogue.github.io/networking-and-plns/"
SHEETS = {
    "draw-your-pln": "Group your sources",
    "explore-professional-networks": "Some offer free membership",
    "pln-generosity": "Take some time to reflect: what can you offer your PLN?",
}


@pytest.fixture(scope="module")
def published(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The book's worksheets as published: with the site's address, so each has a QR code."""
    project = copy_project(tmp_path_factory.mktemp("published"))
    out = project / "out"
    assert main(["worksheets", str(project / "docs"), "-o", str(out), "--site-url", ADDRESS]) == 0
    return out


def _sheets(root: Path) -> list[Path]:
    return [root / worksheet_files(ident)[paper] for ident in SHEETS for paper in PAPERS]


def test_published_sheets_are_within_the_budget(published: Path) -> None:
    for path in _sheets(published):
        size = path.stat().st_size
        assert size <= SHEET_BUDGET, f"{path.name} is {size} bytes (budget {SHEET_BUDGET})"
        assert len(PdfReader(path).pages) <= 2, path.name  # one sheet of paper


def test_site_build_sheets_are_within_the_budget(built_site: Build) -> None:
    for path in _sheets(built_site.site):
        size = path.stat().st_size
        assert size <= SHEET_BUDGET, f"{path.name} is {size} bytes (budget {SHEET_BUDGET})"


@pytest.mark.parametrize("paper", sorted(PAPERS))
def test_packets_are_within_the_budget(published: Path, paper: str) -> None:
    path = published / packet_file("packet", paper)
    assert path.stat().st_size <= PACKET_BUDGET, f"{path.name} is {path.stat().st_size} bytes"


@pytest.mark.parametrize("ident", sorted(SHEETS))
def test_slim_sheets_stay_tagged_embedded_and_fillable(published: Path, ident: str) -> None:
    for paper in PAPERS:
        reader = PdfReader(published / worksheet_files(ident)[paper])
        root = reader.trailer["/Root"]
        assert "/StructTreeRoot" in root and root["/MarkInfo"]["/Marked"]
        assert root["/Lang"] == "en"
        fonts = _fonts(reader)
        assert fonts, "no fonts"
        for name, descriptor in fonts.items():
            assert {"/FontFile", "/FontFile2", "/FontFile3"} & set(descriptor), name
        fields = reader.get_fields() or {}
        assert {f"{ident}-name", f"{ident}-date", f"{ident}-class"} <= set(fields)
        # The text copies as written: ligatures ("ff", "fl") map back to their letters.
        text = " ".join(" ".join(page.extract_text().split()) for page in reader.pages)
        assert SHEETS[ident] in text


def test_text_and_fields_share_one_regular_font_without_shaping_tables(published: Path) -> None:
    reader = PdfReader(published / worksheet_files("pln-generosity")["a4"])
    fonts = _fonts(reader)
    regular = [name for name in fonts if re.fullmatch(r"/[A-Z]{6}\+OTB-Sans", name)]
    assert len(regular) == 1, sorted(fonts)  # one program for fields and Latin text
    assert not any(name.endswith("+DejaVu-Sans") for name in fonts), sorted(fonts)
    for name, descriptor in fonts.items():
        program = TTFont(io.BytesIO(descriptor["/FontFile2"].get_object().get_data()))
        assert not set(LAYOUT_TABLES) & set(program.keys()), name
    qr = [
        image.get_object()
        for image in reader.pages[0]["/Resources"]["/XObject"].values()
        if image.get_object()["/Subtype"] == "/Image"
    ]
    assert len(qr) == 1 and qr[0]["/Interpolate"].value is False  # sharp, not smoothed
    assert qr[0]["/BitsPerComponent"] == 1 and qr[0]["/ColorSpace"] == "/DeviceGray"


def _fonts(reader: PdfReader) -> dict[str, dict]:
    """Every font on a page or in the form's resources -> its font descriptor."""
    fonts = [font for page in reader.pages for font in page["/Resources"]["/Font"].values()]
    fonts += list(reader.trailer["/Root"]["/AcroForm"]["/DR"]["/Font"].values())
    found = {}
    for font in fonts:
        font = font.get_object()
        described = font["/DescendantFonts"][0].get_object() if "/DescendantFonts" in font else font
        found[str(font["/BaseFont"])] = described["/FontDescriptor"].get_object()
    return found


class _Document:
    fonts: dict = {}


def test_to_unicode_maps_are_written_as_ranges_with_the_same_text() -> None:
    entries = [(3, "0020"), (4, "0021"), (5, "0022"), (9, "0041"), (10, "0042"), (11, "0066")]
    entries += [(12, "00660066"), (255, "0100"), (256, "0101"), (300, "")]
    stream = pydyf.Stream(
        [b"/CMapName /Adobe-Identity-UCS def", f"{len(entries)} beginbfchar".encode()]
        + [f"<{glyph:04x}> <{text}>".encode() for glyph, text in entries]
        + [b"endbfchar", b"endcmap", b"end"]
    )
    pdf = pydyf.PDF()
    pdf.add_object(stream)
    slim_pdf(_Document(), pdf)
    cmap = b"\n".join(stream.stream).decode()
    assert "<0003> <0005> <0020>" in cmap and "<0009> <000a> <0041>" in cmap
    assert _cmap_entries(cmap) == {glyph: text for glyph, text in entries}


def _cmap_entries(cmap: str) -> dict[int, str]:
    found = {}
    for first, last, text in re.findall(r"<(\w{4})> <(\w{4})> <(\w*)>", cmap):
        for offset in range(int(last, 16) - int(first, 16) + 1):
            found[int(first, 16) + offset] = f"{int(text, 16) + offset:04x}"
    for glyph, text in re.findall(r"^<(\w{4})> <(\w*)>$", cmap, re.M):
        found[int(glyph, 16)] = text
    return found
