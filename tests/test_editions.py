"""Teacher notes and solutions never reach a student output, however they are nested.

One build (module-scoped) of the book plus ``tests/fixtures/teaching/teaching.md``, a chapter
that plants a unique marker in a teacher note or solution at every nesting level (page,
details, tab, admonition, table cell; in an activity: the activity, a step, details in a step,
a table in a solution, a table cell, a tab, details and an admonition), an image, an iframe
and a diagram. Every student output is searched for the markers; the facilitator outputs must
hold all of them.
"""

from __future__ import annotations

import io
import logging
import os
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from conftest import ROOT, copy_project
from pypdf import PdfReader

from opentextbook.activities.editions import student_html
from opentextbook.activities.worksheets import answer_key_file, packet_file, worksheet_files

FIXTURE = ROOT / "tests" / "fixtures" / "teaching" / "teaching.md"
SLUG = "networking-and-personal-learning-networks"
NOTES_ON_PAGES = ["MARKNOTEPAGE", "MARKNOTEDETAILSPAGE", "MARKNOTETAB", "MARKNOTEADMONITION"]
IN_ACTIVITY = [
    "MARKSOLSTEP",
    "MARKSOLTABLE",
    "MARKSOLTAB",
    "MARKNOTESTEP",
    "MARKSOLDEEP",
    "MARKSOLDETAILS",
    "MARKSOLADMONITION",
    "MARKSOLACTIVITY",
    "MARKNOTEACTIVITY",
]
IN_CELLS = ["MARKCELLNOTE", "MARKCELLSOL"]
"""Written in table cells, where no block can be: reported, and withheld all the same."""
MARKERS = NOTES_ON_PAGES + IN_ACTIVITY + IN_CELLS
ACTIVITY = "solve-with-solutions"


class Site:
    def __init__(self, root: Path, output: str) -> None:
        self.root, self.site, self.output = root, root / "site", output

    def text(self, path: str) -> str:
        """The text of a built file: PDF text, EPUB documents, or the file itself."""
        file = self.site / path
        if path.endswith(".pdf"):
            reader = PdfReader(file)
            return "\n".join(page.extract_text() or "" for page in reader.pages)
        if path.endswith(".epub"):
            with zipfile.ZipFile(file) as epub:
                return "\n".join(
                    epub.read(name).decode("utf-8")
                    for name in epub.namelist()
                    if name.endswith((".xhtml", ".html"))
                )
        return file.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Site:
    from PIL import Image

    root = copy_project(tmp_path_factory.mktemp("teaching"))
    shutil.copy2(FIXTURE, root / "docs" / "teaching.md")
    buffer = io.BytesIO()
    Image.new("RGB", (40, 40), (200, 30, 30)).save(buffer, "PNG")
    (root / "docs" / "square.png").write_bytes(buffer.getvalue())
    config = (root / "mkdocs.yml").read_text(encoding="utf-8")
    config = config.replace(
        "  - PLN builder: pln-builder.md\n",
        "  - Teaching: teaching.md\n  - PLN builder: pln-builder.md\n",
    )
    config = config.replace(
        "  - pymdownx.blocks.details\n", "  - pymdownx.blocks.details\n  - pymdownx.blocks.tab\n"
    )
    (root / "mkdocs.yml").write_text(config, encoding="utf-8")
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    env.pop("SITE_URL", None)
    # The iframe and the diagram warn: a strict build would make every output and then keep
    # the previous site (it is staged), so this one is not strict.
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--no-strict", "-d", "site"],
        cwd=root,
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert output.count("cannot be printed") == 2, output
    return Site(root, output)


def student_outputs() -> list[str]:
    files = worksheet_files(ACTIVITY)
    other = worksheet_files("watch-and-draw")
    return [
        files["page"],
        files["letter"],
        files["a4"],
        other["page"],
        other["letter"],
        other["a4"],
        packet_file("packet", "letter"),
        packet_file("packet", "a4"),
        f"downloads/{SLUG}.pdf",
        f"downloads/{SLUG}.epub",
        "search/search_index.json",
    ]


@pytest.mark.parametrize("path", student_outputs())
def test_no_marker_reaches_a_student_output(site: Site, path: str) -> None:
    text = site.text(path)
    assert "Watch and draw" in text or "Solve with solutions" in text
    found = [marker for marker in MARKERS if marker in text]
    assert not found, f"{path} holds teacher-only text: {found}"


def test_the_facilitator_edition_holds_every_marker(site: Site) -> None:
    for paper in ("letter", "a4"):
        text = site.text(packet_file("facilitator", paper))
        missing = [marker for marker in MARKERS if marker not in text]
        assert not missing, f"facilitator edition ({paper}) lacks {missing}"


def test_the_teacher_edition_of_the_book_holds_every_marker(site: Site) -> None:
    for kind in ("pdf", "epub"):
        text = site.text(f"downloads/{SLUG}-teacher.{kind}")
        missing = [marker for marker in MARKERS if marker not in text]
        assert not missing, f"teacher edition ({kind}) lacks {missing}"


def test_answer_keys_hold_the_solutions(site: Site) -> None:
    solutions = [marker for marker in IN_ACTIVITY if marker.startswith("MARKSOL")]
    for path in (answer_key_file(ACTIVITY), packet_file("answers", "a4")):
        text = site.text(path)
        assert not [marker for marker in solutions if marker not in text], path
    assert not (site.site / answer_key_file("watch-and-draw")).exists()


def test_online_the_boxes_are_collapsed_and_left_out_of_search(site: Site) -> None:
    page = site.text("teaching.html")
    for marker in MARKERS:
        assert marker in page
    boxes = re.findall(r"<details[^>]*data-otb-audience=\"teacher\"[^>]*>", page)
    assert len(boxes) == len(MARKERS)
    assert all("data-search-exclude" in box and " open" not in box for box in boxes)


def test_web_only_and_print_only(site: Site) -> None:
    page = site.text(worksheet_files(ACTIVITY)["letter"])
    assert "MARKPRINTONLY" in page and "MARKWEBONLY" not in page
    assert "MARKWEBONLY" in site.text("teaching.html")


def test_the_image_prints_on_the_sheet(site: Site) -> None:
    reader = PdfReader(site.site / worksheet_files(ACTIVITY)["a4"])
    images = [image for page in reader.pages for image in page.images]
    assert images, "the activity's image is missing from its worksheet PDF"


def test_unprintable_content_warns_with_its_line_and_is_online_only(site: Site) -> None:
    lines = FIXTURE.read_text(encoding="utf-8").splitlines()
    iframe = next(n for n, line in enumerate(lines, 1) if "<iframe" in line)
    diagram = next(n for n, line in enumerate(lines, 1) if line.startswith("```mermaid"))
    warnings = [line for line in site.output.splitlines() if "cannot be printed" in line]
    assert len(warnings) == 2, warnings
    assert f"docs/teaching.md:{iframe}: activity 'Watch and draw': an embedded frame" in warnings[0]
    assert f"docs/teaching.md:{diagram}: activity 'Watch and draw': a diagram" in warnings[1]
    sheet = site.text(worksheet_files("watch-and-draw")["page"])
    assert "<iframe" not in sheet and "graph LR" not in sheet
    assert sheet.count("Online only") == 2


def test_the_build_warns_of_nothing_else_and_names_each_table_cells_line(site: Site) -> None:
    lines = FIXTURE.read_text(encoding="utf-8").splitlines()
    cells = [n for n, line in enumerate(lines, 1) if line.startswith("|") and "/// " in line]
    warnings = [line for line in site.output.splitlines() if line.startswith("WARNING")]
    in_cells = [line for line in warnings if "cannot be written in a table cell" in line]
    assert len(warnings) == 4 and len(in_cells) == 2, warnings
    for line, name, warning in zip(cells, ("teacher-notes", "solution"), in_cells, strict=True):
        assert f"docs/teaching.md:{line}: a /// {name} block cannot be" in warning


def test_steps_from_a_bullet_list_and_new_groupings(site: Site) -> None:
    sheet = site.text(worksheet_files("watch-and-draw")["page"])
    assert sheet.count('class="otb-ws-step"') == 2
    assert "Whole class" in sheet
    assert "Small groups" in site.text(worksheet_files(ACTIVITY)["page"])


def test_a_placeholder_address_prints_no_qr_code_and_one_notice(site: Site) -> None:
    assert site.output.count("site_url is not set to the book's published address") == 1
    for path in (worksheet_files(ACTIVITY)["page"], packet_file("packet", "a4")):
        assert "example.org" not in site.text(path)
    assert 'class="otb-ws-qr"' not in site.text(worksheet_files(ACTIVITY)["page"])


def test_student_html_removes_marked_elements_at_any_depth() -> None:
    html = (
        '<p>a<span data-otb-audience="teacher">SECRET<b>x</b></span>b</p>'
        '<table><tr><td><div><details data-otb-audience="teacher">SECRET</details></div>'
        "</td></tr></table>"
    )
    assert "SECRET" not in student_html(html)
    assert "<p>ab</p>" in student_html(html)


def test_a_block_in_a_table_cell_is_reported_and_withheld(caplog) -> None:
    """Python-Markdown reads no block inside a table cell: it warns (page and line), and the
    text from the header on is marked teacher-only, so a non-strict build cannot show it."""
    import markdown

    from opentextbook.markdown import location
    from opentextbook.markdown.activity import ActivityExtension

    text = (
        "Intro.\n\n| a | b |\n|---|---|\n| x | /// teacher-notes SECRET1 /// |\n"
        "| `/// solution` | kept /// solution *SECRET2* ///|\n"
    )
    location.set_page("docs/chapter.md", text, url="chapter/")
    try:
        with caplog.at_level(logging.WARNING, logger="mkdocs.plugins.opentextbook"):
            html = markdown.markdown(text, extensions=["tables", ActivityExtension()])
    finally:
        location.clear_page()
    messages = [record.getMessage() for record in caplog.records]
    assert len(messages) == 2, messages
    assert messages[0].startswith("docs/chapter.md:5: a /// teacher-notes block cannot be")
    assert messages[1].startswith("docs/chapter.md:6: a /// solution block cannot be")
    assert "<summary>For teachers</summary>" in html and "SECRET1" in html
    student = student_html(html)
    assert "SECRET" not in student and "///" not in student.replace("<code>/// solution", "")
    assert "<td>kept </td>" in student and "<td><code>/// solution</code></td>" in student


def test_a_teacher_only_block_that_cannot_be_read_is_withheld(caplog) -> None:
    """Bad options leave a block as paragraphs of text (pymdownx): reported, and marked, so a
    non-strict build keeps them out of student outputs, up to the block's closing line."""
    import markdown

    from opentextbook.markdown import location
    from opentextbook.markdown.activity import ActivityExtension

    text = (
        "/// activity | A\n\n1. Step.\n\n    /// solution\n        x: [\n\n    SECRET1\n\n"
        "    SECRET2\n    ///\n\n    Kept.\n\n2. Two.\n///\n\n"
        "/// teacher-notes\n    open: true\n\nSECRET3\n///\n\nAfter.\n"
    )
    location.set_page("docs/chapter.md", text, url="chapter/")
    try:
        with caplog.at_level(logging.WARNING, logger="mkdocs.plugins.opentextbook"):
            html = markdown.markdown(text, extensions=[ActivityExtension(pdf=False)])
    finally:
        location.clear_page()
    messages = [record.getMessage() for record in caplog.records]
    assert [message.split(": the block")[0] for message in messages] == [
        "docs/chapter.md:5",
        "docs/chapter.md:18",
    ]
    student = student_html(html)
    assert "SECRET" not in student and "///" not in student
    assert "Kept." in student and "After." in student and "Two." in student


def test_a_sheet_longer_than_one_sheet_of_paper_is_named(site: Site) -> None:
    lines = FIXTURE.read_text(encoding="utf-8").splitlines()
    header = lines.index("/// activity | A long exercise") + 1
    named = [line for line in site.output.splitlines() if "A long exercise' takes" in line]
    assert len(named) == 2, named  # Letter and A4
    assert all(f"docs/teaching.md:{header}: the worksheet" in line for line in named)
    assert not [line for line in site.output.splitlines() if "Solve with solutions' takes" in line]
