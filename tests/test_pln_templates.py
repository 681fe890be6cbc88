"""The PLN templates: map (SVG, PDF Letter and A4), inventory (fillable PDF, DOCX, CSV), example.

Files are checked by their properties — what a reader's program would see — never by bytes.
"""

from __future__ import annotations

import csv
import dataclasses
import io
import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import docx
import pypdf
import pytest
from conftest import ROOT
from fontTools.ttLib import TTFont

from opentextbook.metadata import load_metadata
from opentextbook.pln import PLN_DOWNLOADS_DIR, write_pln_downloads
from opentextbook.pln import downloads as pln_downloads
from opentextbook.pln.builder import builder_geometry
from opentextbook.pln.example import example_sources
from opentextbook.pln.geometry import RINGS, SECTORS, place_nodes
from opentextbook.pln.inventory import BLANK_ROWS, columns

SVG = "{http://www.w3.org/2000/svg}"
AUTHOR_NODES = [
    "Maha Bali",
    "#lrnchat",
    "Virtually Connecting",
    "Demystifying Instructional Design",
]
POINTS_PER_MM = 72 / 25.4


@pytest.fixture(scope="module")
def pln_dir(built_site) -> Path:
    return built_site.site / PLN_DOWNLOADS_DIR


@pytest.fixture(scope="module")
def metadata():
    return load_metadata(ROOT / "data" / "book.yml")


def classes(element: ET.Element) -> set[str]:
    return set(element.get("class", "").split())


def svg_text(element: ET.Element) -> str:
    return " ".join(" ".join(node.itertext()) for node in element.iter(f"{SVG}text"))


def pdf_text(reader: pypdf.PdfReader) -> str:
    return " ".join(page.extract_text() for page in reader.pages).replace("\n", " ")


def test_every_template_is_in_the_site(pln_dir: Path) -> None:
    names = {path.name for path in pln_dir.iterdir()}
    for stem in ("pln-map", "example-pln-map"):
        assert {f"{stem}.svg", f"{stem}-letter.pdf", f"{stem}-a4.pdf"} <= names
    for stem in ("pln-inventory", "example-pln-inventory"):
        assert {f"{stem}.pdf", f"{stem}.docx", f"{stem}.csv"} <= names
    assert all(path.stat().st_size > 0 for path in pln_dir.iterdir())


def test_blank_map_svg_has_rings_sectors_and_legend(pln_dir: Path, metadata) -> None:
    root = ET.parse(pln_dir / "pln-map.svg").getroot()
    assert root.tag == f"{SVG}svg" and root.get("role") == "img"
    bands = {c for el in root.iter(f"{SVG}circle") for c in classes(el)}
    assert {f"pln-band-{ring.id}" for ring in RINGS} <= bands
    assert "pln-me" in bands
    text = svg_text(root)
    sector_labels = [t for t in root.iter(f"{SVG}text") if "pln-sector-label" in classes(t)]
    assert [" ".join(t.itertext()) for t in sector_labels] == [s.label for s in SECTORS]
    legend = [g for g in root.iter(f"{SVG}g") if "pln-legend" in classes(g)]
    assert len(legend) == 1
    legend_text = svg_text(legend[0])
    assert all(ring.label in legend_text for ring in RINGS)
    assert all(sector.label in legend_text for sector in SECTORS)
    assert not [g for g in root.iter(f"{SVG}g") if "pln-node" in classes(g)]
    assert metadata.licence.short in text and metadata.source.author in text


def test_example_map_svg_shows_the_authors_nodes(pln_dir: Path) -> None:
    root = ET.parse(pln_dir / "example-pln-map.svg").getroot()
    nodes = [g for g in root.iter(f"{SVG}g") if "pln-node" in classes(g)]
    assert [g.find(f"{SVG}title").text for g in nodes] == AUTHOR_NODES
    assert "illustration" in root.find(f"{SVG}desc").text


@pytest.mark.parametrize(
    ("name", "width_mm", "height_mm"),
    [
        ("pln-map-letter.pdf", 215.9, 279.4),
        ("pln-map-a4.pdf", 210, 297),
        ("example-pln-map-letter.pdf", 215.9, 279.4),
        ("example-pln-map-a4.pdf", 210, 297),
    ],
)
def test_map_pdfs_have_their_page_size_tags_and_licence(
    pln_dir, metadata, name, width_mm, height_mm
):
    reader = pypdf.PdfReader(pln_dir / name)
    assert len(reader.pages) == 1
    box = reader.pages[0].mediabox
    assert float(box.width) == pytest.approx(width_mm * POINTS_PER_MM, abs=1)
    assert float(box.height) == pytest.approx(height_mm * POINTS_PER_MM, abs=1)
    catalog = reader.trailer["/Root"]
    assert catalog["/Lang"] == metadata.language
    assert "/StructTreeRoot" in catalog and catalog["/MarkInfo"]["/Marked"]
    text = pdf_text(reader)
    assert "PLN map" in text and metadata.licence.short in text
    assert reader.metadata.title.endswith("PLN map") or "PLN map" in reader.metadata.title


def test_inventory_pdf_is_fillable_with_a_field_per_cell(pln_dir: Path, metadata) -> None:
    reader = pypdf.PdfReader(pln_dir / "pln-inventory.pdf")
    fields = reader.get_fields()
    assert len(fields) == BLANK_ROWS * len(columns())
    assert {"row01-source", "row01-group", "row01-learn", "row01-offer"} <= set(fields)
    box = reader.pages[0].mediabox
    assert float(box.width) > float(box.height), "the inventory is landscape"
    text = pdf_text(reader)
    assert all(column in text for column in columns())
    assert metadata.licence.short in text
    assert reader.trailer["/Root"]["/Lang"] == metadata.language


def font_programs(reader: pypdf.PdfReader) -> dict[str, bytes | None]:
    """Every font on a page or in the form's resources -> its embedded TrueType, if any."""
    fonts = [font for page in reader.pages for font in page["/Resources"].get("/Font", {}).values()]
    form = reader.trailer["/Root"].get("/AcroForm")
    if form and "/DR" in form:
        fonts += list(form["/DR"]["/Font"].values())
    programs = {}
    for font in fonts:
        font = font.get_object()
        descendant = font.get("/DescendantFonts")
        described = descendant[0].get_object() if descendant else font
        program = described["/FontDescriptor"].get_object().get("/FontFile2")
        programs[str(font["/BaseFont"])] = program.get_object().get_data() if program else None
    return programs


@pytest.mark.parametrize("name", ["pln-inventory.pdf", "example-pln-inventory.pdf"])
def test_inventory_pdfs_are_small_with_embedded_subset_fonts(pln_dir: Path, name: str) -> None:
    # A form field in a system font would embed all of it (~750 KB of DejaVu Sans).
    assert (pln_dir / name).stat().st_size < 150_000
    programs = font_programs(pypdf.PdfReader(pln_dir / name))
    assert programs and all(programs.values()), "a font is not embedded"
    assert all(re.match(r"/[A-Z]{6}\+", font) for font in programs), "fonts are not subsets"


def test_inventory_fields_have_a_font_for_typed_latin_text(pln_dir: Path) -> None:
    reader = pypdf.PdfReader(pln_dir / "pln-inventory.pdf")
    resources = reader.trailer["/Root"]["/AcroForm"]["/DR"]["/Font"]
    programs = font_programs(reader)
    typed = "Zoë Müller \u2013 café «PLN» Łódź €"
    for annotation in reader.pages[0]["/Annots"]:
        field = annotation.get_object()
        # /DA is e.g. "/a1.0 gs … rg /QCMWOH 10 Tf": the field's font is the operand of Tf.
        words = str(field["/DA"]).split()
        font = resources[words[words.index("Tf") - 2]].get_object()
        cmap = TTFont(io.BytesIO(programs[str(font["/BaseFont"])])).getBestCmap()
        assert all(ord(char) in cmap for char in typed), f"{field['/T']}: {font['/BaseFont']}"


def test_example_inventory_pdf_lists_the_authors_nodes(pln_dir: Path) -> None:
    text = pdf_text(pypdf.PdfReader(pln_dir / "example-pln-inventory.pdf"))
    assert all(name in text for name in ("Maha Bali", "#lrnchat", "Virtually Connecting"))
    assert "illustration" in text
    # Its intro speaks of what the inventory has: no drawing, no closeness column.
    assert "drawing" not in text.lower() and "closeness" not in text.lower()


@pytest.mark.parametrize(
    ("name", "rows"), [("pln-inventory.docx", BLANK_ROWS), ("example-pln-inventory.docx", 4)]
)
def test_docx_opens_with_the_inventory_table(pln_dir: Path, metadata, name: str, rows: int) -> None:
    document = docx.Document(str(pln_dir / name))
    table = document.tables[0]
    assert [cell.text for cell in table.rows[0].cells] == columns()
    assert len(table.rows) == rows + 1
    body = "\n".join(p.text for p in document.paragraphs)
    assert metadata.licence.short in body and metadata.source.author in body
    assert document.core_properties.language == metadata.language
    if name.startswith("example"):
        assert [row.cells[0].text for row in table.rows[1:]] == AUTHOR_NODES


def read_csv(path: Path) -> list[list[str]]:
    return list(csv.reader(io.StringIO(path.read_text(encoding="utf-8-sig"), newline="")))


def test_csv_templates_parse_with_a_header_and_credit(pln_dir: Path, metadata) -> None:
    blank = read_csv(pln_dir / "pln-inventory.csv")
    assert blank[0] == columns()
    example = read_csv(pln_dir / "example-pln-inventory.csv")
    assert example[0] == columns()
    assert [row[0] for row in example[1:5]] == AUTHOR_NODES
    assert all(len(row) == len(columns()) for row in example[1:5])
    for rows in (blank, example):
        assert rows[-1][0].startswith("#") and metadata.licence.short in rows[-1][0]


def test_example_follows_the_data_file_and_states_only_known_offers() -> None:
    sources = example_sources(ROOT / "data")
    assert [s["name"] for s in sources] == AUTHOR_NODES
    assert {s["group"] for s in sources} <= {sector.id for sector in SECTORS}
    offers = {s["name"]: s["offer"] for s in sources}
    assert offers["Maha Bali"] == "Not stated in the chapter."


def test_example_is_left_out_without_its_data_file(tmp_path: Path, metadata) -> None:
    assert example_sources(tmp_path) == []
    names = [d.name for d in write_pln_downloads(metadata, tmp_path, tmp_path / "cache")]
    assert "pln-map.svg" in names and not [n for n in names if n.startswith("example")]


def test_unchanged_rebuild_renders_nothing(tmp_path: Path, metadata, monkeypatch) -> None:
    cache = tmp_path / "cache"
    first = write_pln_downloads(metadata, ROOT / "data", cache)

    def no_render(*args, **kwargs):
        raise AssertionError("a cached PDF was rendered again")

    monkeypatch.setattr(pln_downloads, "render_pdf", no_render)
    assert write_pln_downloads(metadata, ROOT / "data", cache) == first
    renamed = dataclasses.replace(metadata, title="A remixed book")
    with pytest.raises(AssertionError, match="rendered again"):
        write_pln_downloads(renamed, ROOT / "data", cache)
    # A new form-font subset (its name says what it is made from) renders the PDFs again.
    monkeypatch.setattr(pln_downloads, "form_font_name", lambda: "form-sans-000000000000.ttf")
    with pytest.raises(AssertionError, match="rendered again"):
        write_pln_downloads(metadata, ROOT / "data", cache)


def test_builder_geometry_is_the_templates_geometry(built_site, metadata) -> None:
    script = (built_site.site / "assets/opentextbook/pln-geometry.js").read_text("utf-8")
    data = json.loads(
        re.fullmatch(r"window\.OPENTEXTBOOK_PLN_GEOMETRY = (.*);\s*", script, re.S)[1]
    )
    assert data == builder_geometry(metadata)
    assert [ring["id"] for ring in data["rings"]] == [ring.id for ring in RINGS]
    assert "pln-band-close" in data["base"] and "pln-legend" in data["base"]


def test_builder_scripts_load_on_the_builder_page_only(built_site) -> None:
    page = built_site.page("pln-builder.html")
    assert '<script src="assets/opentextbook/pln-builder.js" data-storage-key=' in page
    assert '<link rel="stylesheet" href="assets/opentextbook/pln.css">' in page
    assert "pln-builder.js" not in built_site.page("index.html")


def test_downloads_page_links_every_template(built_site, pln_dir: Path) -> None:
    page = built_site.page("downloads.html")
    for path in pln_dir.iterdir():
        assert f'href="{PLN_DOWNLOADS_DIR}/{path.name}"' in page, path.name


def test_nodes_in_one_cell_do_not_overlap() -> None:
    sources = [{"name": f"n{i}", "group": "people", "closeness": "close"} for i in range(5)]
    points = {(node.x, node.y) for node in place_nodes(sources)}
    assert len(points) == 5


def test_draw_your_pln_activity_links_the_templates_and_builder(built_site, pln_dir: Path) -> None:
    page = built_site.page("networking-and-plns.html")
    start = page.index('id="draw-your-pln"')
    activity = page[start : page.index("</section>", start)]
    links = set(re.findall(r'href="([^"]+)"', activity))
    for name in ("pln-map-letter.pdf", "pln-map-a4.pdf", "pln-inventory.pdf", "pln-inventory.docx"):
        assert f"{PLN_DOWNLOADS_DIR}/{name}" in links
        assert (pln_dir / name).is_file()
    assert "pln-builder.html" in links
