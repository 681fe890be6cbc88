"""The page cache never turns a page MkDocs can build into a failed build.

Real documentation has raw HTML, tag-like text in code spans (``<Client ID>``, which MkDocs'
HTML scan records as an anchor ``None``), headings that slugify to nothing, duplicate headings
and very long pages. Built with the cache off, stored, restored, and restored from damaged
entries, each page must come out the same; anything unexpected falls back to MkDocs' own
conversion, quietly.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from conftest import copy_project, run_build

FAST = {"WORKSHEET_PDFS": "false", "BOOK_DOWNLOADS": "false"}
PAGE = "real-world.md"


def real_world_page(sections: int = 1500) -> str:
    """Markdown as documentation sites write it (no ``{{``: mkdocs-macros reads the pages)."""
    parts = [
        "# Real-world Markdown",
        "",
        'Raw HTML: <span id="raw-span" class="note">inline</span>.',
        "",
        '<div id="raw-box" markdown><a name="old-anchor"></a>A box.</div>',
        "",
        "Set `cliClientID: <Client ID>` and `<br>` then `a < b > c`, see [box](#raw-box).",
        "",
        "## !!!",
        "",
        "## ???",
        "",
        "## Setup",
        "",
        "## Setup",
        "",
        "Back to [the first setup](#setup) or [the second](#setup_1).",
        "",
    ]
    for number in range(sections):
        parts += [f"### Section {number}", "", f"Paragraph {number} with `<tag {number}>`.", ""]
    return "\n".join(parts)


def build_page(project: Path) -> str:
    result = run_build(project, env=FAST)
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "Traceback" not in output
    return (project / "site" / PAGE.replace(".md", ".html")).read_text(encoding="utf-8")


def set_cache(project: Path, on: bool) -> None:
    config = project / "mkdocs.yml"
    text = re.sub(r"\n      cache: \w+", "", config.read_text(encoding="utf-8"))
    option = f"  - opentextbook:\n      cache: {str(on).lower()}\n"
    config.write_text(text.replace("  - opentextbook:\n", option), encoding="utf-8")


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    project = copy_project(tmp_path_factory.mktemp("real-world"))
    (project / "docs" / PAGE).write_text(real_world_page(), encoding="utf-8")
    config = project / "mkdocs.yml"
    text = config.read_text(encoding="utf-8")
    anchor = "  - PLN builder: pln-builder.md\n"
    assert anchor in text
    config.write_text(text.replace(anchor, anchor + f"  - Real world: {PAGE}\n"), "utf-8")
    return project


@pytest.fixture(scope="module")
def uncached(project: Path) -> str:
    set_cache(project, False)
    return build_page(project)


def test_the_page_has_what_it_is_about(uncached: str) -> None:
    assert 'id="raw-box"' in uncached and 'name="old-anchor"' in uncached
    assert "<code>cliClientID: &lt;Client ID&gt;</code>" in uncached
    assert 'id="setup"' in uncached and 'id="setup_1"' in uncached
    assert "Section 1499" in uncached


def test_stored_then_restored_page_is_the_same(project: Path, uncached: str) -> None:
    set_cache(project, True)
    assert build_page(project) == uncached  # converted and stored
    stored = list((project / ".cache" / "opentextbook" / "pages").glob("*.json"))
    assert any("cliClientID" in path.read_text(encoding="utf-8") for path in stored)
    assert build_page(project) == uncached  # restored


def test_damaged_entries_fall_back_to_mkdocs(project: Path, uncached: str) -> None:
    """Every stored entry made unusable (a toc that is not one): MkDocs converts the pages."""
    set_cache(project, True)
    for path in (project / ".cache" / "opentextbook" / "pages").glob("*.json"):
        entry = json.loads(path.read_text(encoding="utf-8"))
        entry["toc"] = "not a table of contents"
        path.write_text(json.dumps(entry), encoding="utf-8")
    result = run_build(project, "--verbose", env=FAST)
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "its entry is unusable" in output  # said at debug level (only with --verbose)
    page = (project / "site" / PAGE.replace(".md", ".html")).read_text(encoding="utf-8")
    assert page == uncached
