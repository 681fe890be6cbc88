"""Where things land on a worksheet: a fillable field beside its printed label, and ruled
answer lines that print.

Checked from the PDF itself: the widget rectangle of each Name / Date / Class field against
the position of its label's text. (A flex layout aligned on baselines once put the fields a
hundred points below their labels, under the objectives.)
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest
from conftest import Build
from pypdf import PdfReader

from opentextbook.activities.worksheets import worksheet_files

ACTIVITIES = ("draw-your-pln", "explore-professional-networks", "pln-generosity")
LABELS = ("Name", "Date", "Class")


def _label_positions(reader: PdfReader) -> dict[str, tuple[float, float]]:
    """Page-1 (x, y) of the first text run that is exactly each label."""
    found: dict[str, tuple[float, float]] = {}

    def visit(text, cm, tm, _font, _size) -> None:
        word = text.strip()
        if word in LABELS and word not in found:  # text origin in page space: tm then cm
            x, y = float(tm[4]), float(tm[5])
            found[word] = (x * cm[0] + y * cm[2] + cm[4], x * cm[1] + y * cm[3] + cm[5])

    reader.pages[0].extract_text(visitor_text=visit)
    return found


def _field_rects(reader: PdfReader, ident: str) -> dict[str, list[float]]:
    rects = {}
    for annotation in reader.pages[0].get("/Annots", []):
        widget = annotation.get_object()
        name = str(widget.get("/T", ""))
        for label in LABELS:
            if name == f"{ident}-{label.lower()}":
                x1, y1, x2, y2 = (float(v) for v in widget["/Rect"])
                rects[label] = [min(x1, x2), min(y1, y2), max(x1, x2), max(y1, y2)]
    return rects


@pytest.mark.parametrize("ident", ACTIVITIES)
def test_name_date_class_fields_sit_beside_their_labels(built_site: Build, ident: str) -> None:
    reader = PdfReader(built_site.site / worksheet_files(ident)["letter"])
    labels, fields = _label_positions(reader), _field_rects(reader, ident)
    assert set(labels) == set(LABELS) and set(fields) == set(LABELS)
    for label in LABELS:
        x, y = labels[label]
        left, bottom, _right, top = fields[label]
        assert bottom - 6 <= y <= top + 6, f"{label} field {fields[label]} not on its line y={y}"
        assert left > x, f"{label} field starts left of its label"


def _ruled_lines(pdf: Path, tmp_path: Path) -> int:
    """Full-width horizontal rules on page 1 of ``pdf``, rasterised at 100 dpi."""
    from PIL import Image

    prefix = tmp_path / pdf.stem
    subprocess.run(
        ["pdftoppm", "-r", "100", "-gray", "-png", "-f", "1", "-l", "1", str(pdf), str(prefix)],
        check=True,
    )
    image = Image.open(next(tmp_path.glob(f"{pdf.stem}*.png"))).convert("L")
    width, height = image.size
    pixels = image.load()
    band = range(width // 4, 3 * width // 4)  # the middle half: labels' short rules are shorter
    dark = [y for y in range(height) if sum(pixels[x, y] < 235 for x in band) > 0.9 * len(band)]
    return sum(1 for i, y in enumerate(dark) if i == 0 or y - dark[i - 1] > 1)


def _expected_lines(page_html: str) -> int:
    """Lines asked for by the answer spaces of the printable page (all on page 1 here)."""
    boxes = re.findall(r'otb-ws-answer--lines"[^>]*><textarea[^>]*rows="(\d+)"', page_html)
    return sum(int(rows) for rows in boxes)


def test_ruled_answer_lines_print_from_the_pdf_and_from_a_browser(
    built_site: Build, browser, tmp_path: Path
) -> None:
    """Each answer space prints exactly its lines: in the PDF, and when a teacher prints the
    printable page from a browser with background graphics off (the default)."""
    files = worksheet_files("draw-your-pln")
    page = built_site.site / files["page"]
    expected = _expected_lines(page.read_text(encoding="utf-8"))
    assert expected >= 2
    assert _ruled_lines(built_site.site / files["letter"], tmp_path) == expected
    tab = browser.new_page()
    try:
        tab.goto(page.as_uri())
        printed = tmp_path / "printed.pdf"
        tab.pdf(path=str(printed), format="Letter", print_background=False)
    finally:
        tab.close()
    assert _ruled_lines(printed, tmp_path) == expected
