"""Find the book's data sets in ``data/``, load their records and validate them.

A data set is a pair of files: ``data/<name>.schema.yml`` and its records, ``data/<name>.yml``
(a list of entries) or ``data/<name>.csv`` (a header row and rows, as a spreadsheet saves
them). A file of one without the other is an error naming both and the fix, never ignored.
Every problem in the records becomes one :class:`~opentextbook.support.errors.SourceError` naming
the file, line (and column, or row and column name), the field, what is wrong and the fix.
Validated records are plain dicts with every schema field present (``None`` when not known),
so tables, downloads and Jinja macros all read them the same way.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from opentextbook.datasets.csvsource import CsvDocument, load_csv
from opentextbook.datasets.schema import SCHEMA_SUFFIX, Field, TableSchema, load_schema
from opentextbook.datasets.values import Invalid, check_value, kind_of
from opentextbook.support.errors import SourceError, did_you_mean
from opentextbook.support.keyedcache import code_digest, digest, read_json, write_json
from opentextbook.support.yamlsource import (
    MAX_BYTES,
    YamlDocument,
    display_path,
    list_entries,
    load_yaml,
    parse_yaml,
)

Record = dict[str, Any]

DATA_SUFFIXES = (".yml", ".yaml", ".csv")
NOT_DATASETS = frozenset({"book.yml"})
"""Files in ``data/`` that are not data sets: the book's metadata."""

ADD_A_DATASET = "see 'Add your own data set' in docs/remix.md"
_CODE = (
    "datasets/loading.py",
    "datasets/values.py",
    "datasets/schema.py",
    "support/yamlsource.py",
    "datasets/csvsource.py",
)


@dataclass
class Dataset:
    """A validated data set: its schema, where it came from, and its records in file order."""

    schema: TableSchema
    path: Path
    records: list[Record]
    digest: str = field(default="", compare=False)
    """A digest of the data file's bytes, the schema and the loading code: what decides
    ``records``."""

    @property
    def name(self) -> str:
        return self.schema.name


def load_dataset(
    path: str | Path, schema: TableSchema | None = None, cache_dir: str | Path | None = None
) -> Dataset:
    """Read and validate one data file; raise :class:`SourceError` on the first problem.

    ``schema`` defaults to ``<name>.schema.yml`` beside the file. With ``cache_dir``, records
    validated before from the very same bytes (same schema, same code) are read back as JSON
    instead of parsed again. Only successes are cached, so a bad file is reported on every build.
    """
    path = Path(path)
    schema = schema or load_schema(_schema_path(path))
    folder = Path(cache_dir) if cache_dir else None
    data = _read_source(path)
    key = digest(data, path.suffix, repr(schema), code_digest(*_CODE)) if data else ""
    cached = read_json(folder, key) if key else None
    if isinstance(cached, list):
        _ENTRIES.remember(path, data, schema, cached, version=key)
        return Dataset(schema=schema, path=path, records=cached, digest=key)
    records = _ENTRIES.records(path, data, schema, version=key)
    if records is None:
        records = _validated_records(path, schema)
        _ENTRIES.remember(path, data, schema, records, version=key)
    if key:
        write_json(folder, key, records)
    return Dataset(schema=schema, path=path, records=records, digest=key)


def load_datasets(
    data_dir: str | Path, cache_dir: str | Path | None = None, ignore: Iterable[str] = ()
) -> dict[str, Dataset]:
    """Every data set in ``data_dir`` by name; a schema or data file without its pair is an error.

    ``ignore`` names more files that are not data sets (the metadata file, when it lives in
    ``data_dir`` under another name). ``cache_dir`` keeps validated records between builds.
    """
    found = {}
    for schema_path, data_path in find_datasets(data_dir, ignore):
        dataset = load_dataset(data_path, load_schema(schema_path), cache_dir)
        found[dataset.name] = dataset
    return found


def find_datasets(data_dir: str | Path, ignore: Iterable[str] = ()) -> list[tuple[Path, Path]]:
    """``(schema file, data file)`` of every data set in ``data_dir``, in name order."""
    folder = Path(data_dir)
    if not folder.is_dir():
        return []
    skipped = NOT_DATASETS | set(ignore)
    files = sorted(p for p in folder.iterdir() if p.is_file() and not p.name.startswith("."))
    schemas = [p for p in files if p.name.endswith(SCHEMA_SUFFIX)]
    data = [
        p for p in files if p.suffix in DATA_SUFFIXES and p not in schemas and p.name not in skipped
    ]
    _check_every_data_file_has_a_schema(data)
    return [(schema, _data_file(schema)) for schema in schemas]


def _check_every_data_file_has_a_schema(data: list[Path]) -> None:
    stems: dict[str, Path] = {}
    for path in data:
        stem = path.name.removesuffix(path.suffix)
        if stem in stems:
            raise SourceError(
                display_path(path),
                f"two data files for one data set: {display_path(stems[stem])} and this one",
                fix="keep one of them (YAML or CSV), delete the other",
            )
        stems[stem] = path
        schema = path.with_name(stem + SCHEMA_SUFFIX)
        if not schema.exists():
            raise SourceError(
                display_path(path),
                f"data file without a schema: {display_path(schema)} is missing",
                fix=f"write {schema.name} describing its fields ({ADD_A_DATASET}), "
                "or move the file out of the data folder if it is not a data set",
            )


def _data_file(schema: Path) -> Path:
    stem = schema.name.removesuffix(SCHEMA_SUFFIX)
    for suffix in DATA_SUFFIXES:
        if (candidate := schema.with_name(stem + suffix)).exists():
            return candidate
    raise SourceError(
        display_path(schema),
        f"schema without data: neither {display_path(schema.with_name(stem + '.yml'))} nor "
        f"{display_path(schema.with_name(stem + '.csv'))} exists",
        fix="add the records in one of them, or delete the schema",
    )


def _schema_path(data: Path) -> Path:
    return data.with_name(data.name.removesuffix(data.suffix) + SCHEMA_SUFFIX)


def missing_dataset_message(name: str, data_dir: str | Path, known: Iterable[str] = ()) -> str:
    """Why a page cannot use data set ``name``: there is no such data set in ``data_dir``."""
    stem = name.replace("_", "-")
    folder = display_path(Path(data_dir))
    hint = did_you_mean(name, known) if list(known) else "there are no data sets yet"
    return (
        f"unknown data set '{name}' — {hint}; a data set is {folder}/{stem}.csv (or .yml) "
        f"with {stem}{SCHEMA_SUFFIX} beside it"
    )


def _read_source(path: Path) -> bytes:
    """The bytes of a data file; empty when it cannot be read or is too big (reported when
    it is parsed)."""
    try:
        if path.stat().st_size > MAX_BYTES:
            return b""
        return path.read_bytes()
    except OSError:
        return b""


class _KnownEntries:
    """The validated record of each entry of a YAML list, by the entry's text, across the
    builds of one process: after an edit, ``serve`` parses and validates only the entries
    that changed (a whole file of 2,400 entries took most of a second on every data edit).

    Used only when everything holds: the file splits into entries
    (:func:`~opentextbook.support.yamlsource.list_entries`), each changed entry parses alone to one
    valid record, and no unique field repeats. Otherwise the whole file is parsed as before,
    which reports any error with its line.
    """

    KEPT = 200_000

    def __init__(self) -> None:
        self._known: dict[tuple[str, str], str] = {}  # (schema, entry text) → record as JSON
        self._files: dict[Path, str] = {}  # the version of each file whose entries are known

    def remember(
        self, path: Path, data: bytes, schema: TableSchema, records: list, *, version: str
    ) -> None:
        """Keep the records of a whole file, once per ``version`` (its cache key, already a
        digest of its bytes and schema): a rebuild reading it unchanged costs nothing here."""
        entries = _entries(path, data) if self._files.get(path) != version else None
        if entries is None or len(entries) != len(records):
            return
        with contextlib.suppress(TypeError, ValueError):  # a value JSON cannot hold: not kept
            made = [json.dumps(record, ensure_ascii=False) for record in records]
            self._keep(path, version, schema, dict(zip(entries, made, strict=True)))

    def records(
        self, path: Path, data: bytes, schema: TableSchema, *, version: str
    ) -> list[Record] | None:
        """The records of ``data``, or ``None`` when the whole file must be parsed."""
        entries = _entries(path, data) if self._known else None
        if not entries:
            return None
        made, new, kind = [], {}, repr(schema)
        for text in entries:
            record = self._known.get((kind, text))
            if record is None:
                record = new[text] = _entry_record(text, path, schema)
                if record is None:
                    return None
            made.append(record)
        records = json.loads("[" + ",".join(made) + "]")  # new objects, as from the file
        if _repeats_a_unique_value(schema, records):
            return None
        self._keep(path, version, schema, new)
        return records

    def _keep(self, path: Path, version: str, schema: TableSchema, new: dict[str, str]) -> None:
        if len(self._known) + len(new) > self.KEPT:
            self._known.clear()
            self._files.clear()
        kind = repr(schema)
        self._known.update(((kind, text), record) for text, record in new.items())
        self._files[path] = version


def _entries(path: Path, data: bytes) -> list[str] | None:
    if path.suffix == ".csv" or not data:
        return None
    try:
        return list_entries(data.decode("utf-8"))
    except UnicodeDecodeError:
        return None


def _entry_record(text: str, path: Path, schema: TableSchema) -> str | None:
    """One entry parsed and validated alone, as JSON; ``None`` if anything is wrong."""
    try:
        rows = _YamlRows(parse_yaml(text, path))
        if rows.count() != 1:
            return None
        return json.dumps(_record(rows, schema, 0), ensure_ascii=False)
    except (SourceError, TypeError, ValueError):
        return None


def _repeats_a_unique_value(schema: TableSchema, records: list[Record]) -> bool:
    for spec in schema.fields:
        if spec.unique or spec.name == schema.primary_key:
            values = [repr(record[spec.name]) for record in records]
            given = [value for value in values if value != "None"]
            if len(set(given)) != len(given):
                return True
    return False


_ENTRIES = _KnownEntries()


def _validated_records(path: Path, schema: TableSchema) -> list[Record]:
    label = f"data file for '{schema.name}'"
    if path.suffix == ".csv":
        rows = _CsvRows(load_csv(path, label=label), schema)
    else:
        rows = _YamlRows(load_yaml(path, label=label))
    records = [_record(rows, schema, i) for i in range(rows.count())]
    _check_unique(rows, schema, records)
    return records


def _record(rows: _YamlRows | _CsvRows, schema: TableSchema, index: int) -> Record:
    item = rows.entry(index)
    fields = schema.field_map
    for key in item:
        if key not in fields:
            raise rows.error(index, key, f"unknown field '{key}'", did_you_mean(key, fields))
    for spec in schema.fields:
        if spec.required and item.get(spec.name) in (None, "", []):
            raise rows.error(
                index,
                None,
                f"{rows.entry_name(item, index)} has no '{spec.name}' ({spec.label})",
                fix=rows.add_fix(spec),
            )
    return {spec.name: _value(rows, index, spec, item.get(spec.name)) for spec in schema.fields}


def _value(rows: _YamlRows | _CsvRows, index: int, spec: Field, value: Any) -> Any:
    """The validated value of one field, or ``None`` when it is not given (not known)."""
    if value is None:
        return None
    try:
        return check_value(spec, value, from_text=rows.from_text)
    except Invalid as problem:
        raise rows.error(
            index, spec.name, f"{rows.subject(index, spec.name)} {problem.message}", problem.fix
        ) from None


def _check_unique(rows: _YamlRows | _CsvRows, schema: TableSchema, records: list[Record]) -> None:
    for spec in schema.fields:
        if not (spec.unique or spec.name == schema.primary_key):
            continue
        first: dict[str, int] = {}
        for index, record in enumerate(records):
            value = record[spec.name]
            if value is None:
                continue
            key = repr(value)
            if key in first:
                what = "id" if spec.name == schema.primary_key else f"'{spec.name}'"
                raise rows.error(
                    index,
                    spec.name,
                    f"duplicate {what} '{value}' (first used on line {rows.line(first[key])})",
                    fix="give each entry its own " + ("id" if what == "id" else what),
                )
            first[key] = index


class _YamlRows:
    """Entries of a YAML data file, and how to point at one of their fields."""

    from_text = False

    def __init__(self, document: YamlDocument) -> None:
        self.document = document
        if not isinstance(document.data, list):
            raise document.error(
                (),
                f"expected a list of entries, found {kind_of(document.data)}",
                fix="start each entry with '- id: ...'",
            )

    def count(self) -> int:
        return len(self.document.data)

    def entry(self, index: int) -> dict[str, Any]:
        item = self.document.data[index]
        if not isinstance(item, dict):
            raise self.document.error(
                (index,),
                f"entry {index + 1} should be a mapping of fields, found {kind_of(item)}",
                fix="write each entry as '- id: ...' with its fields indented below",
            )
        return item

    def error(self, index: int, key: str | None, message: str, fix: str | None) -> SourceError:
        return self.document.error((index,) if key is None else (index, key), message, fix)

    def line(self, index: int) -> int | None:
        return self.document.position((index,))[0]

    def subject(self, index: int, key: str) -> str:
        return f"field '{key}'"

    @staticmethod
    def entry_name(item: dict[str, Any], index: int) -> str:
        named = item.get("id")
        return f"entry '{named}'" if isinstance(named, str) and named else f"entry {index + 1}"

    @staticmethod
    def add_fix(spec: Field) -> str:
        return f"add '{spec.name}:' with {spec.description_of_type}"


class _CsvRows:
    """Rows of a CSV data file: cells by column (empty cells are missing), and their lines."""

    from_text = True

    def __init__(self, document: CsvDocument, schema: TableSchema) -> None:
        self.document = document
        self.missing = set(schema.missing_values)
        fields = schema.field_map
        if len(document.header) == 1 and ";" in document.header[0]:
            raise document.error(
                "the columns are separated by ';', not ','",
                1,
                fix="save the file as CSV with commas between columns ('CSV UTF-8' in Excel)",
            )
        seen: set[str] = set()
        for name in document.header:
            if name in seen:
                raise document.error(f"column '{name}' appears twice in the header row", 1)
            if name not in fields:
                raise document.error(
                    f"unknown column '{name}' in the header row", 1, did_you_mean(name, fields)
                )
            seen.add(name)
        for spec in schema.fields:
            if spec.required and spec.name not in seen:
                raise document.error(
                    f"required column '{spec.name}' ({spec.label}) is missing",
                    1,
                    fix=f"add a column headed '{spec.name}'",
                )

    def count(self) -> int:
        return len(self.document.rows)

    def entry(self, index: int) -> dict[str, Any]:
        cells = self.document.rows[index].cells
        return {k: v for k, v in cells.items() if k and v.strip() not in self.missing}

    def error(self, index: int, key: str | None, message: str, fix: str | None) -> SourceError:
        return self.document.error(message, self.line(index), fix)

    def line(self, index: int) -> int:
        return self.document.rows[index].line

    def subject(self, index: int, key: str) -> str:
        return f"row {self.document.rows[index].number}, column '{key}',"

    def entry_name(self, item: dict[str, Any], index: int) -> str:
        return f"row {self.document.rows[index].number}"

    @staticmethod
    def add_fix(spec: Field) -> str:
        return f"fill in the '{spec.name}' column with {spec.description_of_type}"
