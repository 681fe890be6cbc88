"""Load the book's YAML data sets and validate them against their declared schemas.

Every problem becomes one :class:`~opentextbook.errors.SourceError` naming the file, line and
column, the field, what was expected and how to fix it. Validated records are plain dicts with
every schema field present (``None`` when the fact is not known), so tables, downloads and
Jinja macros can all read them the same way without guessing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from opentextbook.errors import did_you_mean
from opentextbook.keyedcache import code_digest, digest, read_json, write_json
from opentextbook.schema import KIND_DESCRIPTIONS, NOTE_FIELDS, SCHEMAS, DatasetSchema, Field
from opentextbook.urls import UnsafeUrl, check_url
from opentextbook.yamlsource import MAX_BYTES, KeyPath, YamlDocument, display_path, load_yaml

Record = dict[str, Any]

_ID = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


@dataclass
class Dataset:
    """A validated data set: its schema, where it came from, and its records in file order."""

    schema: DatasetSchema
    path: Path
    records: list[Record]
    digest: str = field(default="", compare=False)
    """A digest of the file's bytes, schema and loading code: what decides ``records``."""

    @property
    def name(self) -> str:
        return self.schema.name


def load_dataset(
    path: str | Path, schema: DatasetSchema, cache_dir: str | Path | None = None
) -> Dataset:
    """Read and validate one data file; raise :class:`SourceError` on the first problem.

    With ``cache_dir``, records validated before from the very same bytes (same schema, same
    code) are read back as JSON instead of parsed again. Only successes are cached, so a bad
    file is parsed — and reported with its line — on every build.
    """
    path = Path(path)
    folder = Path(cache_dir) if cache_dir else None
    key = _source_digest(path, schema)
    cached = read_json(folder, key) if key else None
    if isinstance(cached, list):
        return Dataset(schema=schema, path=path, records=cached, digest=key)
    records = _validated_records(path, schema)
    if key:
        write_json(folder, key, records)
    return Dataset(schema=schema, path=path, records=records, digest=key)


def _validated_records(path: Path, schema: DatasetSchema) -> list[Record]:
    document = load_yaml(path, label=f"data file for '{schema.name}'")
    if not isinstance(document.data, list):
        raise document.error(
            (),
            f"expected a list of entries, found {_kind_of(document.data)}",
            fix="start each entry with '- id: ...'",
        )
    records = [_validate_record(document, schema, i, item) for i, item in enumerate(document.data)]
    _check_unique_ids(document, schema, records)
    return records


def _source_digest(path: Path, schema: DatasetSchema) -> str:
    """What decides the records of ``path``; empty when the file cannot be read (no caching)."""
    try:
        if path.stat().st_size > MAX_BYTES:
            return ""
        data = path.read_bytes()
    except OSError:
        return ""
    code = code_digest("datasets.py", "schema.py", "yamlsource.py")
    return digest(data, repr(schema), code)


def load_datasets(
    data_dir: str | Path,
    schemas: dict[str, DatasetSchema] | None = None,
    cache_dir: str | Path | None = None,
) -> dict[str, Dataset]:
    """Every declared data set whose file exists in ``data_dir``, by name.

    A missing file is not an error here: a book may use only some data sets. A page that names
    a data set whose file is missing gets its own message (see :func:`missing_dataset_error`).
    ``cache_dir`` keeps validated records between builds (see :func:`load_dataset`).
    """
    data_dir = Path(data_dir)
    found = {}
    for name, schema in (schemas or SCHEMAS).items():
        path = data_dir / schema.file
        if path.exists():
            found[name] = load_dataset(path, schema, cache_dir)
    return found


def missing_dataset_message(name: str, data_dir: str | Path) -> str:
    """Why a page cannot use data set ``name``: unknown, or its file is missing."""
    if name not in SCHEMAS:
        return f"unknown data set '{name}' — {did_you_mean(name, SCHEMAS)}"
    path = display_path(Path(data_dir) / SCHEMAS[name].file)
    return f"data set '{name}' needs the file {path}, which is missing — create it or fix the name"


def _validate_record(
    document: YamlDocument, schema: DatasetSchema, index: int, item: Any
) -> Record:
    if not isinstance(item, dict):
        raise document.error(
            (index,),
            f"entry {index + 1} should be a mapping of fields, found {_kind_of(item)}",
            fix="write each entry as '- id: ...' with its fields indented below",
        )
    fields = schema.field_map
    for key in item:
        if key not in fields:
            raise document.error(
                (index, key), f"unknown field '{key}'", fix=did_you_mean(key, fields)
            )
    for spec in schema.fields:
        if spec.required and item.get(spec.name) in (None, ""):
            raise document.error(
                (index,),
                f"entry {_entry_name(item, index)} has no '{spec.name}' ({spec.label})",
                fix=f"add '{spec.name}:' with {KIND_DESCRIPTIONS[spec.kind]}",
            )
    return {
        spec.name: _clean(document, (index, spec.name), spec, item.get(spec.name))
        for spec in schema.fields
    }


def _clean(document: YamlDocument, keypath: KeyPath, spec: Field, value: Any) -> Any:
    """The validated value of one field, or ``None`` when it is not given (not known)."""
    if value is None:
        return None
    try:
        return _CLEANERS[spec.kind](spec, value)
    except _Invalid as problem:
        raise document.error(
            keypath, f"field '{spec.name}' {problem.message}", problem.fix
        ) from None


class _Invalid(Exception):
    def __init__(self, message: str, fix: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.fix = fix


def _clean_text(spec: Field, value: Any) -> str:
    # Numbers are text too (a year such as 1947); booleans are YAML's yes/no trap.
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise _Invalid(
            f"must be text, not {_kind_of(value)}", fix="write the value on one line, in quotes"
        )
    return str(value).strip()


def _clean_id(spec: Field, value: Any) -> str:
    text = _clean_text(spec, value)
    if not _ID.match(text):
        raise _Invalid(f"must be {KIND_DESCRIPTIONS['id']}, not '{text}'", fix="e.g. 'acm'")
    return text


def _clean_url(spec: Field, value: Any) -> str:
    text = _clean_text(spec, value)
    try:
        return check_url(text)
    except UnsafeUrl as error:
        raise _Invalid(str(error), fix=error.fix) from None


def _clean_choice(spec: Field, value: Any) -> str:
    # YAML reads a bare yes/no as true/false; the reader meant the words.
    if isinstance(value, bool):
        value = "yes" if value else "no"
    text = _clean_text(spec, value)
    if text not in spec.choices:
        raise _Invalid(
            f"has '{text}', which is not a valid choice", did_you_mean(text, spec.choices)
        )
    return text


def _clean_list(spec: Field, value: Any, item_cleaner) -> list[Any]:
    if not isinstance(value, list):
        raise _Invalid(
            f"must be {KIND_DESCRIPTIONS[spec.kind]}, not {_kind_of(value)}",
            fix="write it as [first, second] or as '- item' lines",
        )
    return [item_cleaner(spec, item) for item in value]


def _clean_note(spec: Field, value: Any) -> dict[str, str]:
    if not isinstance(value, dict) or set(value) != set(NOTE_FIELDS):
        raise _Invalid(
            "must hold notes with exactly the fields 'by' and 'note'",
            fix="write each note as '- by: Name' with 'note: ...' below it",
        )
    return {key: _clean_text(spec, value[key]) for key in NOTE_FIELDS}


_CLEANERS = {
    "id": _clean_id,
    "text": _clean_text,
    "url": _clean_url,
    "choice": _clean_choice,
    "choices": lambda spec, value: _clean_list(spec, value, _clean_choice),
    "texts": lambda spec, value: _clean_list(spec, value, _clean_text),
    "notes": lambda spec, value: _clean_list(spec, value, _clean_note),
}


def _check_unique_ids(document: YamlDocument, schema: DatasetSchema, records: list[Record]) -> None:
    first_index: dict[str, int] = {}
    key = schema.id_field
    for index, record in enumerate(records):
        ident = record[key]
        if ident in first_index:
            first_line = document.position((first_index[ident], key))[0]
            raise document.error(
                (index, key),
                f"duplicate id '{ident}' (first used on line {first_line})",
                fix="give each entry its own id",
            )
        first_index[ident] = index


def _entry_name(item: dict[str, Any], index: int) -> str:
    return f"'{item['id']}'" if item.get("id") else str(index + 1)


def _kind_of(value: Any) -> str:
    if isinstance(value, bool):
        return "yes/no (true/false)"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, int | float):
        return "a number"
    if value is None:
        return "nothing"
    return "text"
