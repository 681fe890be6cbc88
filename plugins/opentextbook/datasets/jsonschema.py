"""A JSON Schema per data set, made from its Table Schema, for help while editing.

Editors with the YAML language server (VS Code's YAML extension, and others) read a JSON
Schema named on a data file's first line (``# yaml-language-server: $schema=...``): they then
complete field names, show each field's description and flag a misspelt field or a bad choice
while the remixer types, before any build. The files are kept in the repository under
``data/json-schemas/`` (so an editor finds them with no network and no build) and regenerated
with ``opentextbook schemas``; a test checks they match the Table Schemas.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from opentextbook.datasets.schema import Field, TableSchema, load_schema
from opentextbook.support.atomic import write_text

JSON_SCHEMAS_DIR = "json-schemas"
DIALECT = "https://json-schema.org/draft/2020-12/schema"


def json_schema(schema: TableSchema) -> dict[str, Any]:
    """The JSON Schema of a YAML data file (a list of entries) described by ``schema``."""
    entry = {
        "type": "object",
        "additionalProperties": False,
        "required": [f.name for f in schema.fields if f.required],
        "properties": {f.name: _property(f) for f in schema.fields},
    }
    document = {"$schema": DIALECT, "title": schema.title}
    if schema.description:
        document["description"] = schema.description
    return {**document, "type": "array", "items": entry}


def json_schema_text(schema: TableSchema) -> str:
    """:func:`json_schema` as the file kept in the repository (stable, readable JSON)."""
    return json.dumps(json_schema(schema), ensure_ascii=False, indent=2) + "\n"


def json_schema_path(schema_file: Path) -> Path:
    """Where the JSON Schema for the data set of ``schema_file`` is kept."""
    stem = schema_file.name.removesuffix(".schema.yml")
    return schema_file.parent / JSON_SCHEMAS_DIR / f"{stem}.json"


def write_json_schemas(schema_files: list[Path], *, check: bool = False) -> list[Path]:
    """Write (or with ``check``, only compare) each data set's JSON Schema.

    Returns the files that were written, or with ``check`` the files that are out of date.
    """
    changed = []
    for schema_file in schema_files:
        target = json_schema_path(schema_file)
        text = json_schema_text(load_schema(schema_file))
        current = target.read_text(encoding="utf-8") if target.exists() else None
        if current == text:
            continue
        changed.append(target)
        if not check:
            write_text(target, text)
    return changed


def _property(spec: Field) -> dict[str, Any]:
    described = {"title": spec.label}
    if spec.description:
        described["description"] = spec.description
    return {**described, **_type(spec)}


def _type(spec: Field) -> dict[str, Any]:
    if spec.type == "array":
        items = _type(spec.item) if spec.item else _text(spec)
        return {"type": "array", "items": items}
    if spec.type == "object":
        properties = {key: {"type": "string"} for key in spec.keys}
        return {
            "type": "object",
            "additionalProperties": False,
            "required": list(spec.keys),
            "properties": properties,
        }
    if spec.enum:
        return {"enum": list(spec.enum)}
    found = _SIMPLE.get(spec.type) or _text(spec)
    if spec.type in ("integer", "number", "year"):  # JSON Schema has no bounds for dates
        bounds = {k: getattr(spec, k) for k in ("minimum", "maximum")}
        found = {**found, **{k: v for k, v in bounds.items() if v is not None}}
    return found


_SIMPLE: dict[str, dict[str, Any]] = {
    "integer": {"type": "integer"},
    "number": {"type": "number"},
    "boolean": {"type": "boolean"},
    "date": {"type": "string", "format": "date"},
    "year": {"type": "integer", "minimum": 0, "maximum": 9999},
}


def _text(spec: Field) -> dict[str, Any]:
    if spec.format == "uri":
        return {"type": "string", "format": "uri", "pattern": "^(https?://|mailto:)"}
    if spec.format == "email":
        return {"type": "string", "format": "email"}
    if spec.pattern:
        return {"type": "string", "pattern": f"^(?:{spec.pattern})$"}
    # A number is text too (founded: 1947), as the build reads it.
    return {"type": ["string", "number"]}
