"""Page conversions and search entries are reused when nothing they depend on changed.

A rebuild restores each page's HTML, table of contents, anchors, activities and messages from
``.cache/opentextbook/pages/`` and its search entries from ``.cache/opentextbook/search/``;
the site it writes must be the one a fresh build writes, and anything that changes a page's
result (its text, the data, the code) must make it be converted again.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from conftest import copy_project, run_build

from opentextbook.activities.model import Activity, ActivityRegistry, AnswerSpace, Step
from opentextbook.mkdocs.search import SearchEntryCache
from opentextbook.support.errors import SourceError

FAST = {"WORKSHEET_PDFS": "false", "BOOK_DOWNLOADS": "false"}
CACHE_LINE = re.compile(r"pages: (\d+) converted, (\d+) from cache; search entries: (\d+) made")


def _build(project: Path, *args: str) -> tuple[int, str, tuple[int, int, int] | None]:
    result = run_build(project, *args, env=FAST)
    output = result.stdout + result.stderr
    match = CACHE_LINE.search(output)
    counts = tuple(int(n) for n in match.groups()) if match else None
    return result.returncode, output, counts


def _edit_config(project: Path, old: str, new: str) -> None:
    """Replace ``old`` (which must be there) with ``new`` in the project's mkdocs.yml."""
    config = project / "mkdocs.yml"
    text = config.read_text(encoding="utf-8")
    assert old in text, f"mkdocs.yml has no {old!r}"
    config.write_text(text.replace(old, new), encoding="utf-8")


def _site_files(site: Path) -> dict[str, bytes]:
    return {p.relative_to(site).as_posix(): p.read_bytes() for p in site.rglob("*") if p.is_file()}


@pytest.fixture(scope="module")
def twice_built(tmp_path_factory: pytest.TempPathFactory):
    """The book built cold, then again with nothing changed: (project, cold files, warm run)."""
    project = copy_project(tmp_path_factory.mktemp("cached-book"))
    code, output, counts = _build(project)
    assert code == 0, output
    cold = _site_files(project / "site")
    warm = _build(project)
    return project, cold, counts, warm


def test_unchanged_rebuild_converts_and_indexes_no_page(twice_built) -> None:
    project, _, cold_counts, (code, output, counts) = twice_built
    pages = len(list((project / "docs").rglob("*.md")))
    assert code == 0, output
    assert cold_counts is not None and cold_counts[0] == pages
    assert counts == (0, pages, 0), output


def test_unchanged_rebuild_writes_the_same_site(twice_built) -> None:
    project, cold, _, _ = twice_built
    warm = _site_files(project / "site")
    assert sorted(warm) == sorted(cold)
    changed = [name for name in cold if warm[name] != cold[name]]
    assert changed == []  # pages, search index, worksheets (from cached activities), sitemap


def test_an_edited_page_alone_is_converted_again(tmp_path: Path) -> None:
    project = copy_project(tmp_path)
    assert _build(project)[0] == 0
    remix = project / "docs" / "remix.md"
    added = remix.read_text(encoding="utf-8") + "\nA sentence added by a remixer.\n"
    remix.write_text(added, encoding="utf-8")
    code, output, counts = _build(project)
    assert code == 0, output
    assert counts is not None and counts[0] == 1 and counts[2] == 1, output
    html = (project / "site" / "remix.html").read_text(encoding="utf-8")
    assert "A sentence added by a remixer." in html
    index = (project / "site" / "search" / "search_index.json").read_text(encoding="utf-8")
    assert "A sentence added by a remixer." in index
    # The page's old entries are gone: one conversion and one set of search entries a page.
    pages = len(list((project / "docs").rglob("*.md")))
    for folder in ("pages", "search"):
        assert len(list((project / ".cache" / "opentextbook" / folder).glob("*.json"))) == pages


def test_a_dirty_build_keeps_the_entries_of_pages_it_skipped(tmp_path: Path) -> None:
    project = copy_project(tmp_path)
    assert _build(project)[0] == 0
    stored = sorted((project / ".cache" / "opentextbook" / "pages").glob("*.json"))
    _, output, counts = _build(project, "--dirty")  # fails --strict: MkDocs warns of --dirty
    warnings = [line for line in output.splitlines() if line.startswith("WARNING")]
    assert len(warnings) == 1 and "'dirty' build" in warnings[0], output
    assert counts is not None and counts[0] + counts[1] < len(stored)  # pages were skipped
    assert sorted((project / ".cache" / "opentextbook" / "pages").glob("*.json")) == stored


def test_changed_data_reaches_the_pages(tmp_path: Path) -> None:
    project = copy_project(tmp_path)
    assert _build(project)[0] == 0
    data = project / "data" / "organizations.yml"
    text = data.read_text(encoding="utf-8")
    assert "Association for Learning Technology" in text
    renamed = text.replace("Association for Learning Technology", "Renamed Association")
    data.write_text(renamed, encoding="utf-8")
    code, output, counts = _build(project)
    assert code == 0, output
    chapter = (project / "site" / "networking-and-plns.html").read_text(encoding="utf-8")
    assert "Renamed Association" in chapter
    # Only pages with a data table (or whose macros print data) are converted again.
    converted, cached, _ = counts
    assert converted >= 1 and cached >= 1, counts


def test_warnings_come_back_from_the_cache_and_still_fail_strict(tmp_path: Path) -> None:
    project = copy_project(tmp_path)
    page = project / "docs" / "remix.md"
    text = page.read_text(encoding="utf-8")
    broken = "\n/// activity | Broken\n    grouping: crowd\n\nDo it.\n///\n"
    page.write_text(text + broken, encoding="utf-8")
    results = [_build(project), _build(project)]
    warnings = [
        sorted(line for line in output.splitlines() if line.startswith("WARNING"))
        for _, output, _ in results
    ]
    assert all(code != 0 for code, _, _ in results)
    assert warnings[0] and warnings[1] == warnings[0]
    assert any("docs/remix.md:" in line and "grouping" in line for line in warnings[1])


def test_cache_false_converts_every_page(tmp_path: Path) -> None:
    project = copy_project(tmp_path)
    _edit_config(project, "  - opentextbook:\n", "  - opentextbook:\n      cache: false\n")
    for _ in range(2):
        code, output, counts = _build(project)
        assert code == 0, output
        assert counts is None
    assert not (project / ".cache" / "opentextbook" / "pages").exists()


def test_activities_survive_a_round_trip_through_the_cache() -> None:
    activity = Activity(
        id="draw",
        title="Draw <it>",
        page="docs/a.md",
        line=3,
        objectives=("One", "Two"),
        answer=AnswerSpace("box", 5),
        steps=(Step(1, "<p>Draw.</p>", AnswerSpace("drawing", 12)),),
        teacher_notes_html="<p>Notes</p>",
    )
    again = Activity.from_json(json.loads(json.dumps(activity.to_json())))
    assert again == activity and again.fingerprint() == activity.fingerprint()


def test_registry_forgets_a_page_read_again_without_a_false_duplicate() -> None:
    registry = ActivityRegistry()
    registry.set_chapters(["b.md", "a.md"])
    registry.add(Activity(id="x", title="X", page="a.md"))
    registry.begin_page("a.md")
    registry.add(Activity(id="x", title="X", page="a.md"))  # the same page, read again
    assert registry.errors == []
    with pytest.raises(SourceError, match="duplicate activity id 'x'"):
        registry.add(Activity(id="x", title="X again", page="b.md"))
    # The first in reading order is chapter 1's (b.md), even though a.md registered first.
    assert registry.get("x").page == "b.md"


class _OtherSearch:
    """A search plugin that is not Material's: left alone."""

    def __init__(self) -> None:
        self.search_index = type("Index", (), {"entries": [], "add_entry_from_context": id})()


def test_search_cache_leaves_other_search_plugins_alone(tmp_path: Path) -> None:
    plugin = _OtherSearch()
    SearchEntryCache(tmp_path).attach({"search": plugin})
    assert plugin.search_index.add_entry_from_context is id


def test_page_cache_is_off_with_extensions_that_read_other_files(tmp_path: Path) -> None:
    project = copy_project(tmp_path)
    fences = "  - pymdownx.superfences\n"
    _edit_config(project, fences, fences + "  - pymdownx.snippets\n")
    code, output, counts = _build(project)
    assert code == 0, output
    assert "page cache off: pymdownx.snippets reads other files" in output
    # No page through the cache (search entries still are: they are keyed by the HTML).
    assert counts is not None and counts[:2] == (0, 0)
    assert not list((project / ".cache" / "opentextbook" / "pages").glob("*.json"))


def test_macros_render_only_pages_with_template_syntax(tmp_path: Path, monkeypatch) -> None:
    """mkdocs-macros compiles each page it is given on every build; pages without its
    syntax are not given to it (a cost in every ``serve`` rebuild), and pages with it are."""
    from mkdocs.commands.build import build
    from mkdocs.config import load_config
    from mkdocs_macros.plugin import MacrosPlugin

    project = copy_project(tmp_path / "book")
    rendered: list[str] = []
    real = MacrosPlugin.render

    def spy(self, markdown: str, force_rendering: bool = False) -> str:
        output = real(self, markdown, force_rendering)
        if output is not markdown:  # compiled and rendered (a new string, even if equal)
            rendered.append(self.page.file.src_uri)
        return output

    monkeypatch.setattr(MacrosPlugin, "render", spy)
    monkeypatch.setenv("WORKSHEET_PDFS", "false")
    monkeypatch.setenv("BOOK_DOWNLOADS", "false")
    monkeypatch.chdir(project)
    config = load_config(str(project / "mkdocs.yml"), site_dir=str(project / "site"))
    config.plugins.on_startup(command="build", dirty=False)
    try:
        build(config)
    finally:
        config.plugins.on_shutdown()
    pages = {
        path.relative_to(project / "docs").as_posix(): path.read_text("utf-8")
        for path in (project / "docs").rglob("*.md")
    }
    with_syntax = sorted(name for name, text in pages.items() if re.search(r"\{\{|\{%", text))
    assert 0 < len(with_syntax) < len(pages)  # the book has both kinds
    assert sorted(rendered) == with_syntax
    macro_page = (project / "site" / "downloads.html").read_text("utf-8")
    assert "{{" not in macro_page and "{%" not in macro_page
