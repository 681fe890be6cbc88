"""No input hangs the build: YAML alias bombs and deep nesting are refused quickly.

A "billion laughs" file is ~700 bytes of nested aliases (``*name``) that expand to hundreds of
millions of values when built into plain data, printed or JSON-dumped. Data files refuse
aliases; a page's front matter (read by MkDocs itself) is bounded before any plugin uses it.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from conftest import ROOT, copy_project, run_build

from opentextbook.datasets import load_dataset, load_schema
from opentextbook.metadata import load_metadata
from opentextbook.support.errors import SourceError
from opentextbook.support.yamlsource import MAX_DEPTH, exceeds_values, parse_yaml


def alias_bomb(levels: int = 9, *, items: bool = False) -> str:
    """Nested aliases: ``levels`` lists of nine aliases each, 9**levels strings in all; the
    lists are the keys of a mapping, or the ``items`` of a list."""
    lead = (lambda level: "- ") if items else (lambda level: f"a{level}: ")
    lines = [f'{lead(0)}&a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for level in range(1, levels):
        aliases = ", ".join([f"*a{level - 1}"] * 9)
        lines.append(f"{lead(level)}&a{level} [{aliases}]")
    return "\n".join(lines) + "\n"


def test_the_bomb_is_small() -> None:
    assert len(alias_bomb().encode()) < 800
    assert len(alias_bomb(items=True).encode()) < 800


def test_alias_bomb_in_a_data_set_is_refused_fast(tmp_path: Path) -> None:
    path = tmp_path / "organizations.yml"
    path.write_text("- id: acm\n  name: ACM\n  source: x\n" + alias_bomb(items=True), "utf-8")
    started = time.perf_counter()
    with pytest.raises(SourceError) as caught:
        load_dataset(path, load_schema(ROOT / "data" / "organizations.schema.yml"))
    assert time.perf_counter() - started < 1
    message = str(caught.value)
    assert "organizations.yml:5:8: YAML aliases ('*a0') are not supported" in message, message
    assert "write the value out in full" in message


def test_alias_bomb_in_book_metadata_is_refused_fast(tmp_path: Path) -> None:
    path = tmp_path / "book.yml"
    path.write_text("title: A book\n" + alias_bomb(), encoding="utf-8")
    started = time.perf_counter()
    with pytest.raises(SourceError) as caught:
        load_metadata(path)
    assert time.perf_counter() - started < 1
    assert "book.yml:3:" in str(caught.value) and "aliases" in str(caught.value)


@pytest.mark.parametrize(
    ("text", "where"),
    [("a: &x 1\nb: *x\n", "x.yml:2:4"), ("a: &x [*x]\n", "x.yml:1:8")],
    ids=["plain alias", "recursive alias"],
)
def test_any_alias_is_refused(text: str, where: str) -> None:
    with pytest.raises(SourceError) as caught:
        parse_yaml(text, "x.yml")
    assert str(caught.value).startswith(f"{where}: YAML aliases"), str(caught.value)


def test_an_anchor_alone_is_fine() -> None:
    assert parse_yaml("a: &x [1]\nb: [2]\n", "x.yml").data == {"a": [1], "b": [2]}


def test_deep_nesting_is_refused_with_a_line() -> None:
    text = "[" * 1000 + "]" * 1000
    with pytest.raises(SourceError) as caught:
        parse_yaml(text, "x.yml")
    message = str(caught.value)
    assert f"nested more than {MAX_DEPTH} levels" in message and "x.yml:1:" in message, message


def test_counting_values_stops_at_the_limit() -> None:
    shared = ["lol"] * 9
    for _ in range(8):
        shared = [shared] * 9  # 9**9 values when expanded, ~80 objects in memory
    started = time.perf_counter()
    assert exceeds_values({"bomb": shared}, 10_000)
    assert time.perf_counter() - started < 1
    endless: list = []
    endless.append(endless)
    assert exceeds_values(endless, 10_000)
    assert not exceeds_values({"title": "A page", "tags": ["a", "b"]}, 10_000)


def test_front_matter_bomb_ends_the_build_fast(tmp_path: Path, monkeypatch) -> None:
    """mkdocs-macros prints a page's front matter (expanding every alias): it never gets it."""
    monkeypatch.setenv("WORKSHEET_PDFS", "false")  # what is checked is the page, not outputs
    monkeypatch.setenv("BOOK_DOWNLOADS", "false")
    project = copy_project(tmp_path / "book")
    page = project / "docs" / "references.md"
    page.write_text(f"---\n{alias_bomb()}---\n{page.read_text('utf-8')}", encoding="utf-8")
    (project / "site").mkdir()
    (project / "site" / "index.html").write_text("previous", encoding="utf-8")
    started = time.perf_counter()
    result = run_build(project)
    assert time.perf_counter() - started < 60
    output = result.stdout + result.stderr
    assert result.returncode != 0, output
    assert "Traceback" not in output
    assert "docs/references.md:1: the front matter expands to more than 10,000 values" in output
    # --strict fails the build for the warning, so the previous site stays as it was.
    assert [p.name for p in (project / "site").iterdir()] == ["index.html"]
    assert (project / "site" / "index.html").read_text(encoding="utf-8") == "previous"
