"""Worksheet PDFs stay small, and keep what made them worth printing while they shrank.

A one-page sheet with its QR code was 47 KB (35 KB of it four embedded fonts); it is now about
24.4 KB: text and form fields share one regular font program, embedded fonts carry no shaping
tables and map their text by ranges, the QR code is a small 1-bit image, text runs carry no
zero shifts, and the streams of a small PDF are compressed with Zopfli. The budgets below are
those sizes with a little headroom, read from the files of a build. Whatever is slimmed, every
sheet stays tagged (structure tree, marked, language), every font embedded, every field there,
and its text copies as written (ligatures included).
"""

from __future__ import annotations

import io
import os
import re
import zlib
from decimal import Decimal
from pathlib import Path

import pikepdf
import pydyf
import pytest
from conftest import Build, copy_project
from fontTools.ttLib import TTFont
from hypothesis import given, settings
from hypothesis import strategies as st
from pypdf import PdfReader

from opentextbook.activities.worksheets import PAPERS, packet_file, worksheet_files
from opentextbook.cli import main
from opentextbook.support.pdfdeflate import THOROUGH_BYTES, deflate_thoroughly
from opentextbook.support.pdfslim import LAYOUT_TABLES, slim_pdf

SHEET_BUDGETS = {
    "draw-your-pln": 26_200,  # two pages: 25,820 and 25,943 bytes
    "explore-professional-networks": 25_600,  # one page: 25,284 and 25,490
    "pln-generosity": 25_000,  # one page: 24,779 and 24,878
}
"""Bytes for each worksheet with its QR code, on either paper (was 47 to 48 KB; 25.5 to 26.8 KB
slimmed; measured on 2026-11-30 after Zopfli on the form font and the object stream and
short text runs; a site build's sheets, with no QR code, are 1 KB smaller)."""
PACKET_BUDGET = 46_000
"""Bytes for the classroom packet: cover and three sheets (was 76 KB laid out as one document;
45.9 KB assembled from the rendered sheets, which keep their own font subsets where they
differ; 44.6 to 44.8 KB with Zopfli on 2026-11-30)."""
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


def _sheets(root: Path) -> list[tuple[Path, int]]:
    """Every sheet's PDF on every paper, with its budget."""
    return [
        (root / worksheet_files(ident)[paper], SHEET_BUDGETS[ident])
        for ident in SHEETS
        for paper in PAPERS
    ]


def test_published_sheets_are_within_the_budget(published: Path) -> None:
    for path, budget in _sheets(published):
        size = path.stat().st_size
        assert size <= budget, f"{path.name} is {size} bytes (budget {budget})"
        assert len(PdfReader(path).pages) <= 2, path.name  # one sheet of paper


def test_site_build_sheets_are_within_the_budget(built_site: Build) -> None:
    for path, budget in _sheets(built_site.site):
        size = path.stat().st_size
        assert size <= budget, f"{path.name} is {size} bytes (budget {budget})"


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


def _positions(line: bytes) -> list[tuple[str, Decimal]]:
    """Each glyph code of a TJ line with where it is drawn, in thousandths of the font size
    (every glyph 500 wide): what a viewer computes from the line."""
    x, placed = Decimal(0), []
    for glyphs, move in re.findall(rb"<([0-9a-f]*)>|(-?[0-9.]+)", line[: line.rindex(b"]")]):
        if move:
            x -= Decimal(move.decode())
        for start in range(0, len(glyphs), 4):
            placed.append((glyphs[start : start + 4].decode(), x))
            x += 500
    return placed


def _slim_line(line: bytes) -> bytes:
    stream = pydyf.Stream([b"BT", line, b"ET"])
    pdf = pydyf.PDF()
    pdf.add_object(stream)
    slim_pdf(_Document(), pdf)
    return stream.stream[1]


def test_text_runs_lose_zero_moves_and_keep_every_glyph_in_place() -> None:
    line = b"[<002f>-25<>-25.588970271434725<0026>0<0035>0<>0<0038>17<0030>0<>-3.5] TJ"
    slim = _slim_line(line)
    assert slim == b"[<002f>-50.588970271434725<002600350038>17<0030>-3.5] TJ"
    assert _positions(slim) == _positions(line) and len(slim) < len(line)
    for other in (b"[(abc) 0 (d)] TJ", b"[<01>1e-05<02>] TJ", b"0 0 0 rg"):
        assert _slim_line(other) == other  # not WeasyPrint's form: left alone


_GLYPHS = st.lists(st.integers(0, 0xFFFF), max_size=3).map(
    lambda codes: b"<" + b"".join(b"%04x" % code for code in codes) + b">"
)
_MOVES = st.one_of(
    st.none(),
    st.sampled_from([b"0", b"0.0", b"-0"]),
    st.decimals(-999, 999, places=3, allow_nan=False).map(lambda move: str(move).encode()),
)


@settings(max_examples=200, deadline=None)
@given(_MOVES, st.lists(st.tuples(_GLYPHS, _MOVES), max_size=12))
def test_text_runs_draw_the_same_glyphs_at_the_same_places(first, runs) -> None:
    # As WeasyPrint writes them: a string between any two moves.
    line = b"[" + (first or b"") + b"".join(text + (move or b"") for text, move in runs) + b"] TJ"
    assert _positions(_slim_line(line)) == _positions(line)


def test_the_form_font_is_deflated_with_zopfli_to_the_same_bytes() -> None:
    content = b"\n".join(
        b"%d 0 0 1 %d %d cm /F1 10 Tf [<0042><0043>] TJ" % (i, i, i) for i in range(99)
    )
    program = bytes(range(256)) * 40  # a font program embedded whole (10 KB)
    subset = bytes(range(256)) * 8  # a subset of a few KB: different in every sheet
    page = pydyf.Stream([content], compress=True)
    font = pydyf.Stream([program], {"Length1": len(program)}, compress=True)
    small = pydyf.Stream([subset], {"Length1": len(subset)}, compress=True)
    pdf = pydyf.PDF()
    for stream in (page, font, small):
        pdf.add_object(stream)
    deflate_thoroughly(pdf)
    assert font.extra["Filter"] == "/FlateDecode" and not font.compress
    assert zlib.decompress(font.stream[0]) == program
    assert len(font.stream[0]) < len(zlib.compress(program, 9))  # what pydyf would write
    for left in (page, small):  # left to pydyf's zlib: Zopfli would cost every sheet time
        assert left.compress and "Filter" not in left.extra
    # The object stream pydyf makes while writing (tags, fields, fonts' widths): one pass.
    pdf.catalog["Pages"] = pdf.pages.reference
    output = io.BytesIO()
    pdf.write(output, compress=True)
    written = pikepdf.open(io.BytesIO(output.getvalue()))
    objects = [o for o in written.objects if isinstance(o, pikepdf.Stream)]
    packed = [o for o in objects if o.stream_dict.get("/Type") == "/ObjStm"]
    assert packed and all(
        len(o.read_raw_bytes()) < len(zlib.compress(o.read_bytes(), 9)) for o in packed
    )


def test_large_pdfs_keep_zlib() -> None:
    content = os.urandom(THOROUGH_BYTES + 1)  # a long document: Zopfli would take seconds
    stream = pydyf.Stream([content], compress=True)
    pdf = pydyf.PDF()
    pdf.add_object(stream)
    deflate_thoroughly(pdf)
    assert stream.compress and "Filter" not in stream.extra and stream.stream == [content]


def test_sheet_titles_are_text_in_one_byte_a_character(published: Path) -> None:
    with pikepdf.open(published / worksheet_files("pln-generosity")["letter"]) as pdf:
        title = pdf.docinfo["/Title"]
        assert str(title) == "Activity 1.3: PLNs and networking as generosity — worksheet"
        assert bytes(title) == str(title).encode("pdfdoc_pikepdf")  # not UTF-16 in hex
        assert "/viewport" not in pdf.docinfo  # the HTML's, not the document's
