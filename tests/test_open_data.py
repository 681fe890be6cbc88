"""A remixer's own data set, from a spreadsheet to a table with downloads, and the open data out.

The example is the one the remix guide (``docs/remix.md``, "Add your own data set") walks
through, kept in ``tests/remix/``: ``data/modules.csv`` + ``data/modules.schema.yml`` and
a page with ``/// datatable``. No Python is touched. The Data Package of every build is checked
with the ``frictionless`` library, the reference implementation of the standard.
"""

from __future__ import annotations

import json
import logging
import re
import shutil
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest
import yaml
from conftest import ROOT, Build, convert_page, copy_project, run_build
from frictionless import Package

from opentextbook.datasets import find_datasets, load_schema
from opentextbook.datasets.jsonschema import json_schema_path, json_schema_text

REMIX = Path(__file__).parent / "remix"
FAST = {"WORKSHEET_PDFS": "false", "BOOK_DOWNLOADS": "false"}


def frictionless_errors(package: Path) -> list[list]:
    report = Package(str(package)).validate()
    return report.flatten(["resourceName", "rowNumber", "fieldName", "type", "note"])


def test_the_books_data_package_is_valid(built_site: Build) -> None:
    package = built_site.site / "downloads" / "datapackage.json"
    descriptor = json.loads(package.read_text(encoding="utf-8"))
    names = [resource["name"] for resource in descriptor["resources"]]
    assert names == ["organizations", "organizations-csv", "pln_nodes", "pln_nodes-csv"]
    assert descriptor["licenses"][0]["path"] == "https://creativecommons.org/licenses/by/4.0/"
    assert descriptor["sources"][0]["title"].startswith("Networking and Personal Learning")
    organizations = descriptor["resources"][0]["schema"]
    assert organizations["primaryKey"] == ["id"]
    assert organizations["fields"][0]["constraints"]["required"] is True
    assert frictionless_errors(package) == []


def test_frictionless_finds_a_record_that_breaks_the_schema(built_site: Build, tmp_path) -> None:
    """The check above can fail: a record that breaks its schema is reported."""
    shutil.copytree(built_site.site / "downloads", tmp_path / "downloads")
    records = tmp_path / "downloads" / "organizations.json"
    document = json.loads(records.read_text(encoding="utf-8"))
    document["records"][1]["id"] = document["records"][0]["id"]
    records.write_text(json.dumps(document), encoding="utf-8")
    errors = frictionless_errors(tmp_path / "downloads" / "datapackage.json")
    assert [error[3] for error in errors] == ["unique-error", "primary-key"]


def test_the_downloads_page_lists_every_data_set(built_site: Build) -> None:
    page = built_site.page("downloads.html")
    for name in ("organizations", "pln_nodes"):
        for fmt in ("csv", "json"):
            assert f'href="downloads/{name}.{fmt}"' in page
            assert (built_site.site / "downloads" / f"{name}.{fmt}").is_file()
    assert 'href="downloads/datapackage.json"' in page


@pytest.fixture(scope="module")
def remixed(tmp_path_factory: pytest.TempPathFactory) -> Build:
    """The book plus the remix guide's data set, built with ``--strict``."""
    project = copy_project(tmp_path_factory.mktemp("remix"))
    add_remix_example(project)
    with (project / "docs" / "index.md").open("a", encoding="utf-8") as page:
        page.write("\nThe course has {{ data.modules | length }} modules.\n")
    return build_book_fast(project)


def add_remix_example(project: Path) -> None:
    """The guide's steps: the CSV and its schema in data/, the block at the end of a page."""
    shutil.copytree(REMIX / "data", project / "data", dirs_exist_ok=True)
    with (project / "docs" / "index.md").open("a", encoding="utf-8") as page:
        page.write("\n" + (REMIX / "table-block.md").read_text(encoding="utf-8"))


def build_book_fast(project: Path) -> Build:
    result = run_build(project, env=FAST)
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert not [line for line in output.splitlines() if line.startswith("WARNING")], output
    return Build(project=project, site=project / "site", output=output)


def test_a_csv_data_set_becomes_a_sorted_table(remixed: Build) -> None:
    page = remixed.page("index.html")
    assert '<caption id="table-modules-of-my-course-caption">Modules of my course</caption>' in page
    rows = re.findall(r'<tr data-id="(M\d)">(.*?)</tr>', page)
    assert [ident for ident, _cells in rows] == ["M1", "M2", "M3"]  # sorted by start date
    first = rows[0][1]
    assert "introductory" in first  # the label of the choice 'intro'
    assert "<li>networking</li><li>generosity</li>" in first
    assert '<a href="https://courses.example/modules/1">courses.example/modules/1</a>' in first
    assert "Join a network, then give back" in rows[2][1]
    assert "none given" in rows[1][1]  # no web site
    assert 'href="downloads/modules.csv"' in page and 'href="downloads/modules.json"' in page
    assert "The course has 3 modules." in page  # the macro variable data.modules


def test_a_csv_data_set_is_downloaded_and_packaged(remixed: Build) -> None:
    downloads = remixed.site / "downloads"
    csv_text = (downloads / "modules.csv").read_text(encoding="utf-8")
    assert csv_text.splitlines()[0] == "code,title,level,weeks,topics,starts,website"
    assert "M2,Build your PLN,core,3,PLN; social media; blogs,2026-09-21," in csv_text
    records = json.loads((downloads / "modules.json").read_text(encoding="utf-8"))["records"]
    assert records[0]["weeks"] == 2 and records[0]["topics"] == ["networking", "generosity"]
    package = json.loads((downloads / "datapackage.json").read_text(encoding="utf-8"))
    modules = next(r for r in package["resources"] if r["name"] == "modules")
    weeks = modules["schema"]["fields"][3]
    assert weeks == {
        "name": "weeks",
        "type": "integer",
        "title": "Weeks",
        "constraints": {"minimum": 1, "maximum": 15},
    }
    assert frictionless_errors(downloads / "datapackage.json") == []
    assert "Modules of my course" in remixed.page("downloads.html")


@pytest.mark.parametrize(
    ("name", "change", "expected"),
    [
        (
            "modules.csv",
            lambda text: text.replace("Build your PLN,core,3", "Build your PLN,core,three"),
            "data/modules.csv:3: row 3, column 'weeks', must be a whole number, not 'three'",
        ),
        (
            "modules.schema.yml",
            lambda text: text.replace("type: integer", "type: whole"),
            "data/modules.schema.yml:21:5: unknown type 'whole' — valid choices:",
        ),
    ],
)
def test_bad_remix_data_stops_the_build_with_one_message(
    tmp_path: Path, name: str, change, expected: str
) -> None:
    project = copy_project(tmp_path / "book")
    add_remix_example(project)
    path = project / "data" / name
    path.write_text(change(path.read_text(encoding="utf-8")), encoding="utf-8")
    assert_stops(project, expected)


def test_a_data_file_without_schema_stops_the_build(tmp_path: Path) -> None:
    project = copy_project(tmp_path / "book")
    shutil.copy(REMIX / "data" / "modules.csv", project / "data")
    assert_stops(
        project,
        "data/modules.csv: data file without a schema: data/modules.schema.yml is missing",
    )


def assert_stops(project: Path, expected: str) -> None:
    result = run_build(project, env=FAST)
    output = result.stdout + result.stderr
    assert result.returncode != 0
    errors = [line for line in output.splitlines() if line.startswith("ERROR")]
    assert len(errors) == 1 and expected in errors[0], output
    assert "Traceback" not in output


def test_the_remix_guide_shows_the_tested_example() -> None:
    guide = (ROOT / "docs" / "remix.md").read_text(encoding="utf-8")
    for path in ("data/modules.csv", "data/modules.schema.yml", "table-block.md"):
        text = (REMIX / path).read_text(encoding="utf-8")
        assert text in guide, f"docs/remix.md does not show {path} as the tests build it"


def test_the_json_schemas_are_up_to_date() -> None:
    pairs = find_datasets(ROOT / "data")
    assert pairs
    for schema_file, data_file in pairs:
        kept = json_schema_path(schema_file)
        assert kept.read_text(encoding="utf-8") == json_schema_text(load_schema(schema_file)), (
            f"{kept} is out of date — run 'opentextbook schemas'"
        )
        first_line = data_file.read_text(encoding="utf-8").splitlines()[0]
        assert first_line == f"# yaml-language-server: $schema=json-schemas/{kept.name}"


def test_the_json_schemas_accept_the_data_and_refuse_a_typo() -> None:
    schema = json.loads((ROOT / "data" / "json-schemas" / "organizations.json").read_text())
    entries = yaml.safe_load((ROOT / "data" / "organizations.yml").read_text(encoding="utf-8"))
    jsonschema.validate(entries, schema)
    entries[0]["websit"] = entries[0].pop("website")
    with pytest.raises(jsonschema.ValidationError, match="websit"):
        jsonschema.validate(entries, schema)


def test_the_schemas_command_regenerates_and_checks(tmp_path: Path) -> None:
    shutil.copytree(ROOT / "data", tmp_path / "data")
    stale = tmp_path / "data" / "json-schemas" / "pln-nodes.json"
    stale.write_text("{}\n", encoding="utf-8")

    def command(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "opentextbook", "schemas", str(tmp_path / "data"), *args],
            capture_output=True,
            text=True,
            check=False,
        )

    checked = command("--check")
    assert checked.returncode == 1 and f"out of date: {stale}" in checked.stdout
    assert command().returncode == 0
    assert (
        stale.read_text(encoding="utf-8") == (ROOT / "data/json-schemas/pln-nodes.json").read_text()
    )
    assert command("--check").returncode == 0


def test_a_filter_that_matches_nothing_is_a_warning(caplog) -> None:
    page = (
        "Intro\n\n/// datatable | Nobody\n    data: organizations\n    filter: {scope: mars}\n///\n"
    )
    with caplog.at_level(logging.WARNING, logger="mkdocs.plugins.opentextbook"):
        html = convert_page(page, "docs/page.md")
    assert "<table" not in html
    assert [r.getMessage() for r in caplog.records] == [
        "docs/page.md:3: filter {'scope': 'mars'} matches no entry of data set "
        "'organizations', so no table is drawn — check the values (they must equal a field's "
        "value, or an item of a list)"
    ]
