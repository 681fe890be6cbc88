"""Bad data stops the build with one clear message naming file, line and how to fix it.

One test per kind of mistake a remixer can make in ``data/*.yml``; each asserts the message
starts with ``file:line`` (and column where YAML gives one) and says what is wrong.
"""

from __future__ import annotations

import logging
import textwrap
from pathlib import Path

import markdown
import pytest
from conftest import ROOT, copy_project, run_build

from opentextbook.datasets import find_datasets, load_dataset, load_schema
from opentextbook.markdown import location
from opentextbook.support.errors import SourceError

ORGANIZATIONS = load_schema(ROOT / "data" / "organizations.schema.yml")

GOOD_ENTRY = """\
- id: acm
  name: Association for Computing Machinery
  website: https://www.acm.org
  source: acm.org
"""


def load_error(tmp_path: Path, text: str | bytes) -> tuple[SourceError, Path]:
    path = tmp_path / "organizations.yml"
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(textwrap.dedent(text), encoding="utf-8")
    with pytest.raises(SourceError) as caught:
        load_dataset(path, ORGANIZATIONS)
    return caught.value, path


def test_every_schema_declares_an_id_and_a_source() -> None:
    pairs = find_datasets(ROOT / "data")
    assert len(pairs) == 2
    for schema_file, _data in pairs:
        schema = load_schema(schema_file)
        names = schema.field_names
        assert names[0] == schema.id_field, schema.name
        assert "source" in names, schema.name
        assert schema.field("source").required, schema.name


def test_yaml_syntax_error_names_line_and_column(tmp_path: Path) -> None:
    error, path = load_error(tmp_path, GOOD_ENTRY + "- id: ispi\n  name: ISPI: journal\n")
    assert str(error).startswith(f"{path}:6:13: not valid YAML: mapping values are not allowed")


def test_tab_indentation_says_use_spaces(tmp_path: Path) -> None:
    error, path = load_error(tmp_path, GOOD_ENTRY + "- id: ispi\n\tname: ISPI\n")
    assert str(error).startswith(f"{path}:6:")
    assert "spaces, not tabs" in str(error)


def test_wrong_type_names_field_and_expected_kind(tmp_path: Path) -> None:
    error, path = load_error(tmp_path, GOOD_ENTRY + "  offers: journals\n")
    assert str(error).startswith(f"{path}:5:3: field 'offers' must be a list")
    assert "not text" in str(error)


def test_text_field_given_a_list_is_a_wrong_type(tmp_path: Path) -> None:
    error, path = load_error(
        tmp_path, GOOD_ENTRY.replace("name: Association for Computing Machinery", "name: [A]")
    )
    assert str(error).startswith(f"{path}:2:3: field 'name' must be text, not a list")


def test_unknown_field_suggests_the_closest(tmp_path: Path) -> None:
    error, path = load_error(tmp_path, GOOD_ENTRY.replace("website:", "websit:"))
    assert str(error) == f"{path}:3:3: unknown field 'websit' — did you mean 'website'?"


def test_missing_required_field_names_entry_and_field(tmp_path: Path) -> None:
    error, path = load_error(tmp_path, GOOD_ENTRY.replace("  source: acm.org\n", ""))
    assert str(error).startswith(f"{path}:1:3: entry 'acm' has no 'source'")
    assert "add 'source:'" in str(error)


def test_duplicate_id_names_both_lines(tmp_path: Path) -> None:
    error, path = load_error(tmp_path, GOOD_ENTRY + GOOD_ENTRY)
    assert str(error).startswith(f"{path}:5:3: duplicate id 'acm' (first used on line 1)")


def test_duplicate_key_in_one_entry_is_refused(tmp_path: Path) -> None:
    error, path = load_error(tmp_path, GOOD_ENTRY + "  name: ACM again\n")
    assert str(error).startswith(f"{path}:5:3: duplicate key 'name' (first given on line 2)")


@pytest.mark.parametrize(
    "url",
    ["javascript:alert(1)", "data:text/html,<b>x</b>", "ftp://example.org", "www.acm.org"],
)
def test_url_must_be_http_or_mailto(tmp_path: Path, url: str) -> None:
    error, path = load_error(tmp_path, GOOD_ENTRY.replace("https://www.acm.org", f"'{url}'"))
    assert str(error).startswith(
        f"{path}:3:3: field 'website' must be an http(s) or mailto address, not '{url}'"
    )


def test_mailto_and_https_urls_are_accepted(tmp_path: Path) -> None:
    path = tmp_path / "organizations.yml"
    path.write_text(GOOD_ENTRY.replace("https://www.acm.org", "mailto:a@example.org"), "utf-8")
    assert load_dataset(path, ORGANIZATIONS).records[0]["website"] == "mailto:a@example.org"


def test_invalid_choice_suggests_the_closest(tmp_path: Path) -> None:
    error, path = load_error(tmp_path, GOOD_ENTRY + "  offers: [webinar]\n")
    assert str(error) == (
        f"{path}:5:3: field 'offers' has 'webinar', which is not a valid choice — "
        "did you mean 'webinars'?"
    )


def test_yaml_yes_and_no_mean_the_words(tmp_path: Path) -> None:
    path = tmp_path / "organizations.yml"
    path.write_text(GOOD_ENTRY + "  free_membership: yes\n", encoding="utf-8")
    assert load_dataset(path, ORGANIZATIONS).records[0]["free_membership"] == "yes"


def test_bad_id_says_what_an_id_looks_like(tmp_path: Path) -> None:
    error, path = load_error(tmp_path, GOOD_ENTRY.replace("id: acm", "id: The ACM"))
    assert str(error).startswith(f"{path}:1:3: field 'id' must be a short id")


def test_note_without_attribution_is_refused(tmp_path: Path) -> None:
    error, path = load_error(tmp_path, GOOD_ENTRY + "  notes:\n    - note: good value\n")
    assert str(error).startswith(
        f"{path}:5:3: field 'notes' must hold items with exactly the fields 'by' and 'note'"
    )


def test_entries_must_be_a_list(tmp_path: Path) -> None:
    error, path = load_error(tmp_path, "acm:\n  name: ACM\n")
    assert str(error).startswith(f"{path}:1:1: expected a list of entries, found a mapping")


def test_entry_must_be_a_mapping(tmp_path: Path) -> None:
    error, path = load_error(tmp_path, GOOD_ENTRY + "- just a name\n")
    assert str(error).startswith(f"{path}:5:3: entry 2 should be a mapping of fields")


def test_empty_file(tmp_path: Path) -> None:
    error, path = load_error(tmp_path, "# nothing here yet\n")
    assert str(error).startswith(f"{path}:1: data file for 'organizations' is empty")


def test_non_utf8_file(tmp_path: Path) -> None:
    error, path = load_error(tmp_path, GOOD_ENTRY.encode("utf-8") + b"  scope: Qu\xe9bec\n")
    assert str(error).startswith(f"{path}:5: data file for 'organizations' is not UTF-8 text")
    assert "save the file as UTF-8" in str(error)


def test_unknown_data_set_named_by_a_page(tmp_path: Path, caplog) -> None:
    page = "Intro\n\n/// datatable | Nodes\n    data: pln_nodes\n///\n"
    location.set_page("docs/page.md", page)
    try:
        with caplog.at_level(logging.WARNING, logger="mkdocs.plugins.opentextbook"):
            markdown.markdown(
                page,
                extensions=["opentextbook.markdown.datatable"],
                extension_configs={"opentextbook.markdown.datatable": {"data_dir": str(tmp_path)}},
            )
    finally:
        location.clear_page()
    assert [r.getMessage() for r in caplog.records] == [
        f"docs/page.md:3: unknown data set 'pln_nodes' — there are no data sets yet; "
        f"a data set is {tmp_path}/pln-nodes.csv (or .yml) with pln-nodes.schema.yml beside it"
    ]


def test_bad_data_stops_the_build_without_a_traceback(tmp_path: Path) -> None:
    project = copy_project(tmp_path / "book")
    data = project / "data" / "organizations.yml"
    data.write_text(
        data.read_text(encoding="utf-8").replace("website: https://ispi.org", "websites: x"),
        encoding="utf-8",
    )
    result = run_build(project)
    output = result.stdout + result.stderr
    assert result.returncode != 0
    assert "data/organizations.yml:" in output
    assert "unknown field 'websites' — did you mean 'website'?" in output
    assert "Traceback" not in output
