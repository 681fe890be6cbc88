"""Sheets that print right: the book's activities on paper (Letter and A4), from the PDFs.

One sheet of paper per activity (both sides), a step with its drawing space on one page, the
packet's cover and contents on one page, and answer rules dark and thick enough to survive a
photocopier (measured on the rasterised PDF).
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from conftest import Build
from pypdf import PdfReader

from opentextbook.activities.worksheets import PAPERS, packet_file, worksheet_files

ACTIVITIES = ("draw-your-pln", "explore-professional-networks", "pln-generosity")


@pytest.mark.parametrize("paper", PAPERS)
@pytest.mark.parametrize("ident", ACTIVITIES)
def test_each_activity_prints_on_one_sheet(built_site: Build, ident: str, paper: str) -> None:
    reader = PdfReader(built_site.site / worksheet_files(ident)[paper])
    assert len(reader.pages) <= 2, f"{ident} ({paper}) needs {len(reader.pages)} pages"


@pytest.mark.parametrize("paper", PAPERS)
def test_the_drawing_space_stays_with_its_step(built_site: Build, paper: str) -> None:
    reader = PdfReader(built_site.site / worksheet_files("draw-your-pln")[paper])
    pages = [page.extract_text() for page in reader.pages]
    (hint,) = [n for n, text in enumerate(pages) if "Answer to step 3: draw here" in text]
    assert "Draw your PLN." in pages[hint], "step 3 and its drawing space are on two pages"


@pytest.mark.parametrize("paper", PAPERS)
def test_the_packet_cover_and_contents_fit_one_page(built_site: Build, paper: str) -> None:
    reader = PdfReader(built_site.site / packet_file("packet", paper))
    cover, first_sheet = reader.pages[0].extract_text(), reader.pages[1].extract_text()
    assert "Classroom packet" in cover and "Contents" in cover and "Licence" in cover
    assert "Activity 1.1: Draw your PLN" in first_sheet and "Name" in first_sheet


def _rule_runs(pdf: Path, tmp_path: Path, dpi: int = 300) -> list[tuple[int, int]]:
    """(thickness in pixels, darkest grey 0-255) of each rule across the middle half of
    page 1, top to bottom, rasterised at ``dpi``."""
    from PIL import Image

    prefix = tmp_path / pdf.stem
    command = ["pdftoppm", "-r", str(dpi), "-gray", "-png", "-f", "1", "-l", "1"]
    subprocess.run([*command, str(pdf), str(prefix)], check=True)
    image = Image.open(next(tmp_path.glob(f"{pdf.stem}*.png"))).convert("L")
    width, height = image.size
    pixels = image.load()
    band = range(width // 4, 3 * width // 4)
    rows = [y for y in range(height) if sum(pixels[x, y] < 128 for x in band) > 0.9 * len(band)]
    runs: list[list[int]] = []
    for y in rows:
        if runs and y - runs[-1][-1] <= 1:
            runs[-1].append(y)
        else:
            runs.append([y])
    return [(len(run), min(pixels[width // 2, y] for y in run)) for run in runs]


def test_answer_rules_are_dark_and_thick_enough_to_photocopy(
    built_site: Build, tmp_path: Path
) -> None:
    """Black rules at least 0.3 mm thick (README: black, 1.5 px, about 0.4 mm): the eight
    answer lines of step 1 of *PLNs and networking as generosity*, the first rules on page 1."""
    runs = _rule_runs(built_site.site / worksheet_files("pln-generosity")["a4"], tmp_path)
    assert len(runs) >= 8, runs
    for thickness, darkest in runs[:8]:
        assert thickness * 25.4 / 300 >= 0.3, f"a rule is {thickness * 25.4 / 300:.2f} mm thick"
        assert darkest <= 60, f"a rule is grey ({darkest}), not black"
