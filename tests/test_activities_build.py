"""A whole-site build of a broken copy of the book: bad activity options and duplicate ids
stop ``mkdocs build --strict`` with a message naming the page and line."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import copy_project, run_build

CHAPTER = "docs/networking-and-plns.md"


@pytest.fixture
def fast_build(monkeypatch: pytest.MonkeyPatch):
    """Builds without PDFs (worksheet or whole-book): these tests only need the messages."""
    monkeypatch.setenv("WORKSHEET_PDFS", "false")
    monkeypatch.setenv("BOOK_DOWNLOADS", "false")


def _edit_chapter(project: Path, old: str, new: str) -> None:
    """Replace ``old`` (found exactly once) in the chapter."""
    page = project / CHAPTER
    text = page.read_text(encoding="utf-8")
    assert text.count(old) == 1, f"{old!r} not found once in the chapter"
    page.write_text(text.replace(old, new), encoding="utf-8")


def _header_line(project: Path, header: str) -> int:
    lines = (project / CHAPTER).read_text(encoding="utf-8").splitlines()
    return lines.index(header) + 1


def test_bad_option_fails_strict_build_with_page_and_line(tmp_path: Path, fast_build) -> None:
    project = copy_project(tmp_path / "book")
    line = _header_line(project, "/// activity | Explore professional networks")
    _edit_chapter(project, "    grouping: pairs\n", "    grouping: everyone\n")
    result = run_build(project)
    output = result.stdout + result.stderr
    assert result.returncode != 0
    assert f"{CHAPTER}:{line}: activity 'Explore professional networks': bad value for" in output
    assert "individual, pairs, group" in output
    assert "Traceback" not in output


def test_duplicate_ids_fail_the_build_naming_both_places(tmp_path: Path, fast_build) -> None:
    project = copy_project(tmp_path / "book")
    first = _header_line(project, "/// activity | Draw your PLN")
    line = _header_line(project, "/// activity | PLNs and networking as generosity")
    _edit_chapter(project, "    id: pln-generosity\n", "    id: draw-your-pln\n")
    result = run_build(project)
    output = result.stdout + result.stderr
    assert result.returncode != 0
    message = f"{CHAPTER}:{line}: duplicate activity id 'draw-your-pln'"
    assert message in output and f"first used at {CHAPTER}:{first}" in output
    assert "Traceback" not in output
