"""The command line makes the same worksheets as the site build, with no site build."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from conftest import copy_project
from pypdf import PdfReader

from opentextbook.cli import _page_url, _strip_front_matter, main


def run_cli(project: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "opentextbook", *args],
        cwd=project,
        capture_output=True,
        text=True,
        check=False,
    )


def test_worksheets_command_writes_pages_pdfs_and_packets(tmp_path: Path) -> None:
    project = copy_project(tmp_path / "book")
    result = run_cli(project, "worksheets", "docs", "-o", "out", "--strict")
    assert result.returncode == 0, result.stderr
    # the six worksheets, the six facilitator sheets and the six covers; packets assembled
    assert "3 pages, 12 PDFs (18 rendered, 6 assembled, 0 from cache)" in result.stdout
    out = project / "out" / "worksheets"
    assert not (project / "site").exists()  # no site build
    for ident in ("draw-your-pln", "explore-professional-networks", "pln-generosity"):
        assert "Activity 1." in (out / ident / "index.html").read_text(encoding="utf-8")
        assert PdfReader(out / ident / f"{ident}-a4.pdf").get_fields()
    # mkdocs.yml has use_directory_urls: false: links back to the chapter name its file.
    back = (out / "draw-your-pln" / "index.html").read_text(encoding="utf-8")
    assert 'href="../../networking-and-plns.html#draw-your-pln"' in back
    packet = PdfReader(out / "packet-letter.pdf")
    assert "PLNs and networking as generosity" in "".join(p.extract_text() for p in packet.pages)
    again = run_cli(project, "worksheets", "docs", "-o", "out")
    assert "(0 rendered, 12 from cache)" in again.stdout


def test_worksheets_command_reports_bad_options_and_fails_when_strict(tmp_path: Path) -> None:
    project = copy_project(tmp_path / "book")
    page = project / "docs" / "networking-and-plns.md"
    page.write_text(page.read_text(encoding="utf-8").replace("grouping: pairs", "groupin: pairs"))
    result = run_cli(project, "worksheets", "docs", "-o", "out", "--no-pdf", "--strict")
    assert result.returncode == 1
    assert "WARNING: docs/networking-and-plns.md:" in result.stderr
    assert "unknown option 'groupin' — did you mean 'grouping'?" in result.stderr
    assert "Traceback" not in result.stderr


def test_missing_docs_folder_is_one_clear_error(tmp_path: Path, capsys) -> None:
    assert main(["worksheets", str(tmp_path / "nowhere"), "-o", str(tmp_path / "out")]) == 1
    assert "not a folder of Markdown pages" in capsys.readouterr().err


def test_a_command_is_required(capsys) -> None:
    with pytest.raises(SystemExit) as exited:
        main([])
    assert exited.value.code == 2
    assert "worksheets" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("page", "url"),
    [("index.md", ""), ("a.md", "a/"), ("part/index.md", "part/"), ("part/b.md", "part/b/")],
)
def test_page_urls_follow_mkdocs(page: str, url: str) -> None:
    assert _page_url(page) == url


@pytest.mark.parametrize(
    ("page", "url"),
    [("index.md", "index.html"), ("a.md", "a.html"), ("part/index.md", "part/index.html")],
)
def test_page_urls_are_files_without_directory_urls(page: str, url: str) -> None:
    assert _page_url(page, directory_urls=False) == url


def test_front_matter_is_blanked_keeping_line_numbers() -> None:
    text = "---\ntitle: x\n---\n/// activity | A\n///\n"
    stripped = _strip_front_matter(text)
    assert stripped.splitlines()[3] == "/// activity | A"
    assert "title" not in stripped
