"""Data sets declared as data: schema files, CSV records, and the files of ``data/`` paired.

Each bad input must give one message naming the file and line (for CSV, the row and column
name; for YAML and schema files, the column too), what is wrong and the fix.
"""

from __future__ import annotations

import shutil
import textwrap
from pathlib import Path

import pytest
from conftest import ROOT

from opentextbook.datasets import find_datasets, load_dataset, load_datasets, load_schema
from opentextbook.support.errors import SourceError

REMIX = Path(__file__).parent / "remix"
SCHEMA = (REMIX / "data" / "modules.schema.yml").read_text(encoding="utf-8")
CSV = (REMIX / "data" / "modules.csv").read_text(encoding="utf-8")


def write(folder: Path, name: str, text: str | bytes) -> Path:
    path = folder / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def csv_error(tmp_path: Path, csv_text: str | bytes, schema: str = SCHEMA) -> tuple[str, Path]:
    write(tmp_path, "modules.schema.yml", schema)
    path = write(tmp_path, "modules.csv", csv_text)
    with pytest.raises(SourceError) as caught:
        load_dataset(path)
    return str(caught.value), path


def line_of(text: str, fragment: str) -> int:
    """The line of ``text`` that holds ``fragment`` (1-based)."""
    return next(i for i, line in enumerate(text.splitlines(), 1) if fragment in line)


def schema_error(tmp_path: Path, schema: str) -> tuple[str, Path]:
    path = write(tmp_path, "modules.schema.yml", schema)
    with pytest.raises(SourceError) as caught:
        load_schema(path)
    return str(caught.value), path


# --- CSV records ----------------------------------------------------------------------------


def test_csv_rows_become_typed_records(tmp_path: Path) -> None:
    write(tmp_path, "modules.schema.yml", SCHEMA)
    dataset = load_dataset(write(tmp_path, "modules.csv", CSV))
    assert dataset.name == "modules"
    assert dataset.records[1] == {
        "code": "M2",
        "title": "Build your PLN",
        "level": "core",
        "weeks": 3,
        "topics": ["PLN", "social media", "blogs"],
        "starts": "2026-09-21",
        "website": None,
    }


def test_a_spreadsheet_bom_and_crlf_lines_are_read(tmp_path: Path) -> None:
    write(tmp_path, "modules.schema.yml", SCHEMA)
    data = b"\xef\xbb\xbf" + CSV.replace("\n", "\r\n").encode("utf-8")
    dataset = load_dataset(write(tmp_path, "modules.csv", data))
    assert [r["code"] for r in dataset.records] == ["M1", "M2", "M3"]


def test_a_bad_cell_names_line_row_and_column(tmp_path: Path) -> None:
    message, path = csv_error(tmp_path, CSV.replace("M2,Build your PLN,core,3", "M2,Build,core,x"))
    assert message.startswith(f"{path}:3: row 3, column 'weeks', must be a whole number, not 'x'")


def test_a_cell_spanning_lines_keeps_later_lines_right(tmp_path: Path) -> None:
    text = CSV.replace("Why networks matter", '"Why networks\nmatter"').replace("M3,", "M3,", 1)
    text = text.replace("advanced,2,", "advanced,zero,")
    message, path = csv_error(tmp_path, text)
    assert message.startswith(f"{path}:5: row 4, column 'weeks', must be a whole number")


def test_an_unknown_column_suggests_the_closest(tmp_path: Path) -> None:
    message, path = csv_error(tmp_path, CSV.replace(",website", ",websit"))
    assert (
        message == f"{path}:1: unknown column 'websit' in the header row — did you mean 'website'?"
    )


def test_a_missing_required_value_names_row_and_field(tmp_path: Path) -> None:
    message, path = csv_error(tmp_path, CSV.replace("M2,Build your PLN", "M2,"))
    assert message.startswith(f"{path}:3: row 3 has no 'title' (Module)")
    assert "fill in the 'title' column" in message


def test_a_missing_required_column_is_named(tmp_path: Path) -> None:
    text = "\n".join(line.split(",", 1)[1] for line in CSV.splitlines())
    message, path = csv_error(tmp_path, text)
    assert message.startswith(f"{path}:1: required column 'code' (Code) is missing")


def test_a_bad_choice_and_a_bad_address_in_csv(tmp_path: Path) -> None:
    message, path = csv_error(tmp_path, CSV.replace(",core,", ",cor,"))
    assert message == (
        f"{path}:3: row 3, column 'level', has 'cor', which is not a valid choice — "
        "did you mean 'core'?"
    )
    message, path = csv_error(
        tmp_path, CSV.replace("https://courses.example/modules/1", "javascript:x")
    )
    assert "row 2, column 'website', must be an http(s) or mailto address" in message


def test_a_value_out_of_bounds(tmp_path: Path) -> None:
    message, path = csv_error(
        tmp_path, CSV.replace("Build your PLN,core,3", "Build your PLN,core,30")
    )
    assert message.startswith(f"{path}:3: row 3, column 'weeks', is 30, more than the maximum 15")


def test_a_duplicate_key_names_the_first_row(tmp_path: Path) -> None:
    message, path = csv_error(tmp_path, CSV.replace("M3,", "M1,"))
    assert message.startswith(f"{path}:4: duplicate id 'M1' (first used on line 2)")


def test_a_row_wider_than_the_header(tmp_path: Path) -> None:
    message, path = csv_error(tmp_path, CSV.replace("2026-10-12,", "2026-10-12,,extra"))
    assert message.startswith(f"{path}:4: row has 8 cells but the header row names 7 columns")


def test_a_not_utf8_csv_says_how_to_save_it(tmp_path: Path) -> None:
    message, path = csv_error(tmp_path, CSV.replace("Build", "B\xe9").encode("latin-1"))
    assert message.startswith(f"{path}:3: data file for 'modules' is not UTF-8 text")
    assert "CSV UTF-8" in message


def test_semicolons_between_columns_say_how_to_save(tmp_path: Path) -> None:
    message, path = csv_error(tmp_path, CSV.replace(",", ";"))
    assert message.startswith(f"{path}:1: the columns are separated by ';', not ','")


def test_an_impossible_date(tmp_path: Path) -> None:
    message, _ = csv_error(tmp_path, CSV.replace("2026-09-21", "2026-02-30"))
    assert "column 'starts', is not a real date: '2026-02-30'" in message


# --- values from YAML -------------------------------------------------------------------------

YAML_SCHEMA = """\
fields:
  - {name: id, type: string}
  - {name: name, type: string}
  - {name: size, type: number}
  - {name: year, type: year}
  - {name: open, type: boolean}
  - {name: started, type: date}
"""


def yaml_error(tmp_path: Path, entry: str) -> str:
    write(tmp_path, "things.schema.yml", YAML_SCHEMA)
    path = write(tmp_path, "things.yml", "- id: a\n" + entry)
    with pytest.raises(SourceError) as caught:
        load_dataset(path)
    return str(caught.value).removeprefix(f"{path}:")


def test_yaml_values_of_every_type(tmp_path: Path) -> None:
    write(tmp_path, "things.schema.yml", YAML_SCHEMA)
    entry = "- {id: a, name: 1947, size: 2.5, year: 2024, open: true, started: 2024-09-30}\n"
    record = load_dataset(write(tmp_path, "things.yml", entry)).records[0]
    assert record == {
        "id": "a",
        "name": "1947",
        "size": 2.5,
        "year": 2024,
        "open": True,
        "started": "2024-09-30",
    }


def test_nan_and_infinity_are_errors(tmp_path: Path) -> None:
    assert yaml_error(tmp_path, "  size: .nan\n").startswith(
        "2:3: field 'size' must be a number you can write down, not '.nan' (not a number)"
    )
    message = yaml_error(tmp_path, "  name: .inf\n")
    assert message.startswith("2:3: field 'name' must be text, not infinity ('.inf')")


def test_a_date_where_text_is_expected_says_so(tmp_path: Path) -> None:
    message = yaml_error(tmp_path, "  name: 2024-01-01\n")
    assert message.startswith("2:3: field 'name' must be text, not a date")
    assert "write it in quotes, '2024-01-01'" in message
    assert "not text" not in message


def test_a_word_where_a_number_is_expected(tmp_path: Path) -> None:
    assert yaml_error(tmp_path, "  size: big\n").startswith(
        "2:3: field 'size' must be a number, not 'big'"
    )
    assert yaml_error(tmp_path, "  open: maybe\n").startswith(
        "2:3: field 'open' must be true or false, not 'maybe'"
    )


# --- schema files -------------------------------------------------------------------------------


def test_the_books_schemas_load() -> None:
    schema = load_schema(ROOT / "data" / "organizations.schema.yml")
    assert schema.name == "organizations" and schema.primary_key == "id"
    offers = schema.field("offers")
    assert (offers.type, offers.item.type, offers.choice_label("pd-tracking")) == (
        "array",
        "string",
        "PD tracking",
    )
    assert load_schema(ROOT / "data" / "pln-nodes.schema.yml").name == "pln_nodes"


def test_an_unknown_key_in_a_field_suggests_the_closest(tmp_path: Path) -> None:
    message, path = schema_error(tmp_path, SCHEMA.replace("    title: Weeks", "    titel: Weeks"))
    line = line_of(SCHEMA, "title: Weeks")
    assert message == f"{path}:{line}:5: unknown key 'titel' in a field — did you mean 'title'?"


def test_an_unknown_constraint(tmp_path: Path) -> None:
    message, path = schema_error(tmp_path, SCHEMA.replace("{minimum: 1,", "{minimun: 1,"))
    line = line_of(SCHEMA, "minimum: 1")
    assert message.startswith(f"{path}:{line}:19: unknown key 'minimun' in 'constraints'")
    assert "did you mean 'minimum'?" in message


def test_an_unknown_type(tmp_path: Path) -> None:
    message, path = schema_error(tmp_path, SCHEMA.replace("type: integer", "type: int"))
    assert message.startswith(f"{path}:{line_of(SCHEMA, 'type: integer')}:5: unknown type 'int'")
    assert "did you mean 'integer'?" in message


def test_a_bad_format_and_a_bad_primary_key(tmp_path: Path) -> None:
    message, path = schema_error(tmp_path, SCHEMA.replace("format: uri", "format: url"))
    line = line_of(SCHEMA, "format: uri")
    assert message.startswith(f"{path}:{line}:5: unknown format 'url' for type 'string'")
    message, path = schema_error(tmp_path, SCHEMA.replace("primaryKey: code", "primaryKey: cod"))
    assert message.startswith(f"{path}:3:1: 'primaryKey' must name one field, not 'cod'")


def test_a_schema_with_a_wrong_kind_of_value(tmp_path: Path) -> None:
    message, path = schema_error(tmp_path, SCHEMA.replace("{required: true, unique: true}", "yes"))
    line = line_of(SCHEMA, "{required: true, unique: true}")
    assert message.startswith(
        f"{path}:{line}:5: 'constraints' must be a mapping of keys, not yes/no"
    )
    message, path = schema_error(tmp_path, "title: x\nfields: none\n")
    assert message.startswith(f"{path}:2:1: 'fields' must be a list, not text")


def test_a_field_declared_twice(tmp_path: Path) -> None:
    message, path = schema_error(tmp_path, SCHEMA.replace("name: title", "name: code"))
    assert message.startswith(
        f"{path}:{line_of(SCHEMA, 'name: title')}:5: field 'code' is declared twice"
    )


# --- pairing the files of data/ -----------------------------------------------------------------


def test_a_data_file_without_a_schema_names_both_files(tmp_path: Path) -> None:
    write(tmp_path, "modules.csv", CSV)
    with pytest.raises(SourceError) as caught:
        load_datasets(tmp_path)
    assert str(caught.value).startswith(
        f"{tmp_path}/modules.csv: data file without a schema: "
        f"{tmp_path}/modules.schema.yml is missing — write modules.schema.yml"
    )


def test_a_schema_without_data_names_both_files(tmp_path: Path) -> None:
    write(tmp_path, "modules.schema.yml", SCHEMA)
    with pytest.raises(SourceError) as caught:
        load_datasets(tmp_path)
    assert str(caught.value).startswith(
        f"{tmp_path}/modules.schema.yml: schema without data: neither {tmp_path}/modules.yml "
        f"nor {tmp_path}/modules.csv exists"
    )


def test_two_data_files_for_one_schema(tmp_path: Path) -> None:
    write(tmp_path, "modules.schema.yml", SCHEMA)
    write(tmp_path, "modules.csv", CSV)
    write(tmp_path, "modules.yml", "- code: M1\n  title: One\n")
    with pytest.raises(SourceError, match="two data files for one data set"):
        load_datasets(tmp_path)


def test_the_metadata_and_other_files_are_not_data_sets(tmp_path: Path) -> None:
    shutil.copytree(ROOT / "data", tmp_path, dirs_exist_ok=True)
    write(tmp_path, "README.md", "About the data.\n")
    write(tmp_path, "metadata.yml", "title: x\n")
    assert set(load_datasets(tmp_path, ignore=["metadata.yml"])) == {"organizations", "pln_nodes"}
    assert [data.name for _schema, data in find_datasets(ROOT / "data")] == [
        "organizations.yml",
        "pln-nodes.yml",
    ]
