"""The caches that make a warm rebuild skip YAML parsing and table rendering.

Properties: an unchanged file or table is read back (the slow path is not taken); a changed
input is read again; failures are never cached, so a bad file or a bad table option is
reported on every build, however many good builds came before.
"""

from __future__ import annotations

import logging
import shutil
import textwrap
from pathlib import Path

import markdown
import pytest

from opentextbook.activities.model import Activity, AnswerSpace, Step
from opentextbook.datasets import load_dataset, load_schema, loading
from opentextbook.markdown import datatable, location
from opentextbook.support.errors import SourceError
from opentextbook.support.yamlsource import list_entries

EXTENSION = "opentextbook.markdown.datatable"
SCHEMA_FILE = Path(__file__).resolve().parent.parent / "data" / "organizations.schema.yml"
ORGANIZATIONS = load_schema(SCHEMA_FILE)
GOOD = """\
- id: alpha
  name: Alpha
  source: test
- id: beta
  name: Beta
  source: test
"""


@pytest.fixture
def data_file(tmp_path: Path) -> Path:
    path = tmp_path / "data" / "organizations.yml"
    path.parent.mkdir()
    path.write_text(GOOD, encoding="utf-8")
    shutil.copy(SCHEMA_FILE, path.parent)
    return path


def no_parsing(monkeypatch: pytest.MonkeyPatch) -> None:
    def fail(*_args: object) -> None:
        raise AssertionError("the data file was parsed again")

    monkeypatch.setattr(loading, "_validated_records", fail)


def test_an_unchanged_file_is_read_back_without_parsing(
    data_file: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cache = tmp_path / "cache"
    first = load_dataset(data_file, ORGANIZATIONS, cache)
    no_parsing(monkeypatch)
    again = load_dataset(data_file, ORGANIZATIONS, cache)
    assert again.records == first.records
    assert again.digest == first.digest != ""


def test_a_changed_file_is_read_again(data_file: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    first = load_dataset(data_file, ORGANIZATIONS, cache)
    data_file.write_text(GOOD.replace("name: Beta", "name: Gamma"), encoding="utf-8")
    again = load_dataset(data_file, ORGANIZATIONS, cache)
    assert [r["name"] for r in again.records] == ["Alpha", "Gamma"]
    assert again.digest != first.digest


def test_a_bad_file_errors_with_its_line_after_a_good_cached_load(
    data_file: Path, tmp_path: Path
) -> None:
    cache = tmp_path / "cache"
    load_dataset(data_file, ORGANIZATIONS, cache)
    entries = set(cache.iterdir())
    data_file.write_text(GOOD.replace("name: Beta", "name: [Beta]"), encoding="utf-8")
    for _build in range(2):  # every build, not only the first after the change
        with pytest.raises(SourceError) as error:
            load_dataset(data_file, ORGANIZATIONS, cache)
        assert "organizations.yml:5" in str(error.value)
    assert set(cache.iterdir()) == entries  # a failure is never cached


def test_an_edit_parses_only_the_entries_it_changed(
    data_file: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """In ``serve`` a data edit validates the entries it changed, not the whole file."""
    load_dataset(data_file, ORGANIZATIONS, tmp_path / "cache")
    edited = GOOD.replace("name: Beta", "name: Beta two") + "- id: gamma\n  name: G\n  source: s\n"
    data_file.write_text(edited, encoding="utf-8")
    expected = loading._validated_records(data_file, ORGANIZATIONS)
    parsed: list[str] = []
    parse = loading.parse_yaml
    monkeypatch.setattr(
        loading, "parse_yaml", lambda text, path: parsed.append(text) or parse(text, path)
    )
    no_parsing(monkeypatch)
    again = load_dataset(data_file, ORGANIZATIONS, tmp_path / "cache")
    assert again.records == expected
    assert parsed == [
        "- id: beta\n  name: Beta two\n  source: test\n",
        "- id: gamma\n  name: G\n  source: s\n",
    ]
    again.records[0]["name"] = "changed by a caller"  # the kept entries are not shared
    assert load_dataset(data_file, ORGANIZATIONS, tmp_path / "cache").records == expected


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        (
            "name: Beta",
            "name: [Beta]",
            ["organizations.yml:5", "'name' must be text"],
        ),  # a wrong kind
        ("id: beta", "id: alpha", ["organizations.yml:4", "first used on line 1"]),  # repeated
        ("name: Beta", 'name: "Beta', ["organizations.yml:7", "not valid YAML"]),  # unclosed
        ("test\n- id: beta", "test\nbeta: 1\n- id: beta", ["organizations.yml:4", "'-'"]),
    ],
)
def test_an_edit_that_breaks_an_entry_is_reported_with_its_line(
    data_file: Path, tmp_path: Path, old: str, new: str, expected: list[str]
) -> None:
    load_dataset(data_file, ORGANIZATIONS, tmp_path / "cache")  # every entry known now
    assert old in GOOD
    data_file.write_text(GOOD.replace(old, new), encoding="utf-8")
    with pytest.raises(SourceError) as error:
        load_dataset(data_file, ORGANIZATIONS, tmp_path / "cache")
    assert all(part in str(error.value) for part in expected)


@pytest.mark.parametrize(
    ("text", "entries"),
    [
        (
            "# comment\n---\n- id: a\n  x: 1\n\n# note\n- id: b\n",
            ["- id: a\n  x: 1\n\n# note\n", "- id: b\n"],
        ),
        ("- |\n  - not an entry\n-\n  id: c\n", ["- |\n  - not an entry\n", "-\n  id: c\n"]),
        ("a: 1\n", None),  # a mapping, not a list
        ("- id: a\n\tx: 1\n", None),  # a tab at the margin
        ("- id: a\n...\n", None),  # the end of a document
        ("- id: a\n---\n- id: b\n", None),  # a second document
        ("  - id: a\n", None),  # an indented list
        ("%YAML 1.1\n---\n- id: a\n", None),  # a directive
    ],
)
def test_a_file_splits_into_entries_only_when_written_as_a_plain_list(
    text: str, entries: list[str] | None
) -> None:
    assert list_entries(text) == entries


def test_a_broken_cache_entry_is_only_a_miss(data_file: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    first = load_dataset(data_file, ORGANIZATIONS, cache)
    for entry in cache.iterdir():
        entry.write_text("{not json", encoding="utf-8")
    assert load_dataset(data_file, ORGANIZATIONS, cache).records == first.records


def convert(text: str, data_dir: Path, cache: Path) -> str:
    source = textwrap.dedent(text)
    location.set_page("docs/page.md", source)
    try:
        return markdown.markdown(
            source,
            extensions=[EXTENSION],
            extension_configs={EXTENSION: {"data_dir": str(data_dir), "cache_dir": str(cache)}},
        )
    finally:
        location.clear_page()


PAGE = """\
Intro

/// datatable | Networks
    data: organizations
    columns: [name, nmae]
///
"""


def test_a_warm_table_is_not_rendered_again_and_still_warns(
    data_file: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog
) -> None:
    cache = tmp_path / "tables"
    with caplog.at_level(logging.WARNING):
        first = convert(PAGE, data_file.parent, cache)
    assert any("nmae" in r.getMessage() for r in caplog.records)
    assert list(cache.iterdir())  # kept on disk for the next build
    caplog.clear()
    datatable._HTML_CACHE.clear()  # a new process: only the disk cache is left

    def fail(*_args: object, **_kwargs: object) -> None:
        raise AssertionError("the table was rendered again")

    monkeypatch.setattr(datatable, "render_table", fail)
    with caplog.at_level(logging.WARNING):
        again = convert(PAGE, data_file.parent, cache)
    assert again == first
    assert any("nmae" in r.getMessage() for r in caplog.records)  # strict still fails


def test_a_changed_data_file_renders_the_table_again(data_file: Path, tmp_path: Path) -> None:
    cache = tmp_path / "tables"
    page = PAGE.replace(", nmae", "")
    assert "Beta" in convert(page, data_file.parent, cache)
    data_file.write_text(GOOD.replace("name: Beta", "name: Gamma"), encoding="utf-8")
    again = convert(page, data_file.parent, cache)
    assert "Gamma" in again and "Beta" not in again


def activity(**changes: object) -> Activity:
    base = {
        "id": "map",
        "title": "Map your network",
        "page": "chapter.md",
        "line": 3,
        "steps": (Step(1, "<p>List people</p>", AnswerSpace()),),
        "index": 1,
        "chapter": 2,
    }
    return Activity(**{**base, **changes})


def test_fingerprint_follows_what_a_worksheet_shows_not_the_line() -> None:
    assert activity().fingerprint() == activity(line=40).fingerprint()
    different = [
        activity(title="Map your PLN"),
        activity(index=2),
        activity(duration="None"),
        activity(steps=(Step(1, "<p>List people</p>", AnswerSpace("box", 4)),)),
        activity(steps=(Step(1, "<p>List groups</p>", AnswerSpace()),)),
    ]
    prints = {a.fingerprint() for a in different}
    assert len(prints) == len(different) and activity().fingerprint() not in prints


def test_downloads_are_made_once_per_version_of_the_data(data_file: Path, tmp_path: Path) -> None:
    from opentextbook.datasets.downloads import write_downloads

    data = {"organizations": load_dataset(data_file, ORGANIZATIONS)}
    plain = write_downloads(data, tmp_path / "plain")
    first = write_downloads(data, tmp_path / "site", tmp_path / "cache")
    made = [path.stat().st_mtime_ns for path in first]
    for path in first:
        path.unlink()  # MkDocs cleans the site before each build
    again = write_downloads(data, tmp_path / "site", tmp_path / "cache")
    assert [path.stat().st_mtime_ns for path in again] == made  # linked, not written
    assert [p.read_bytes() for p in again] == [p.read_bytes() for p in plain]
    data_file.write_text(GOOD.replace("Beta", "Gamma"), encoding="utf-8")
    changed = {"organizations": load_dataset(data_file, ORGANIZATIONS)}
    csv = write_downloads(changed, tmp_path / "site", tmp_path / "cache")[0]
    assert "Gamma" in csv.read_text(encoding="utf-8")
