"""The book's data sets as one Frictionless Data Package: ``downloads/datapackage.json``.

Readers who reuse the lists get them as open data a program can check: every data set's JSON
download described by its full Table Schema (types, constraints, primary key), its CSV
download described as the text a spreadsheet shows, the book's licence and the work the facts
come from. ``frictionless validate site/downloads/datapackage.json`` accepts it (a test runs it).
"""

from __future__ import annotations

import json
import posixpath
import re
from pathlib import Path
from typing import Any

from opentextbook.datasets.downloads import PACKAGE_PATH, download_paths
from opentextbook.datasets.loading import Dataset
from opentextbook.datasets.schema import NOT_KNOWN, OURS, Field, TableSchema
from opentextbook.support.atomic import write_text

CSV_NOTE = (
    "The same records as shown in the book's tables: choices by their label, lists joined "
    "with '; ', facts not known left empty."
)


def schema_descriptor(schema: TableSchema) -> dict[str, Any]:
    """``schema`` as a Table Schema descriptor (our additions kept under ``opentextbook``)."""
    descriptor: dict[str, Any] = {"fields": [_field_descriptor(f) for f in schema.fields]}
    if schema.primary_key:
        descriptor["primaryKey"] = [schema.primary_key]
    return descriptor


def data_package(datasets: dict[str, Dataset], metadata: Any) -> dict[str, Any]:
    """The Data Package descriptor of ``datasets`` (the book's ``metadata`` gives the licence)."""
    resources = []
    for name, dataset in sorted(datasets.items()):
        files = {fmt: posixpath.basename(path) for fmt, path in download_paths(name).items()}
        resources += _resources(dataset, files)
    package: dict[str, Any] = {
        "name": _slug(metadata.title) or "data",
        "title": f"Data sets of {metadata.title}",
        "resources": resources,
        "licenses": [_licence(metadata.licence)],
    }
    if sources := [_source(source) for source in metadata.sources]:
        package["sources"] = sources
    if metadata.description:
        package["description"] = metadata.description
    if metadata.date:
        package["created"] = f"{metadata.date}T00:00:00Z"
    return package


def write_data_package(datasets: dict[str, Dataset], metadata: Any, site_dir: str | Path) -> Path:
    """Write ``downloads/datapackage.json`` into ``site_dir``; return its path."""
    target = Path(site_dir) / PACKAGE_PATH
    document = data_package(datasets, metadata)
    write_text(target, json.dumps(document, ensure_ascii=False, indent=2) + "\n")
    return target


def _resources(dataset: Dataset, files: dict[str, str]) -> list[dict[str, Any]]:
    schema = dataset.schema
    about = {"title": schema.title}
    if schema.description:
        about["description"] = schema.description
    as_json = {
        "name": schema.name,
        "profile": "tabular-data-resource",
        "path": files["json"],
        "format": "json",
        "mediatype": "application/json",
        "encoding": "utf-8",
        **about,
        "dialect": {"json": {"property": "records", "keyed": True}},
        "schema": schema_descriptor(schema),
    }
    as_csv = {
        "name": f"{schema.name}-csv",
        "profile": "tabular-data-resource",
        "path": files["csv"],
        "format": "csv",
        "mediatype": "text/csv",
        "encoding": "utf-8",
        "title": f"{schema.title} (CSV)",
        "description": CSV_NOTE,
        "schema": {"fields": [_csv_field(f) for f in schema.fields]},
    }
    return [as_json, as_csv]


def _field_descriptor(spec: Field) -> dict[str, Any]:
    descriptor: dict[str, Any] = {"name": spec.name, "type": spec.type}
    for key in ("title", "description"):
        if getattr(spec, key):
            descriptor[key] = getattr(spec, key)
    if spec.format != "default":
        descriptor["format"] = spec.format
    if constraints := _constraints(spec):
        descriptor["constraints"] = constraints
    if spec.item is not None:
        item: dict[str, Any] = {"type": spec.item.type}
        if spec.item.format != "default":
            item["format"] = spec.item.format
        if item_constraints := _constraints(spec.item):
            item["constraints"] = item_constraints
        descriptor["arrayItem"] = item
    if ours := _our_additions(spec):
        descriptor[OURS] = ours
    return descriptor


def _constraints(spec: Field) -> dict[str, Any]:
    given = {
        "required": spec.required,
        "unique": spec.unique,
        "enum": list(spec.enum),
        "pattern": spec.pattern,
        "minimum": spec.minimum,
        "maximum": spec.maximum,
    }
    return {key: value for key, value in given.items() if value not in (False, [], "", None)}


def _our_additions(spec: Field) -> dict[str, Any]:
    given = {
        "labels": spec.labels,
        "missing": spec.missing if spec.missing != NOT_KNOWN else "",
        "keys": list(spec.keys),
        "shown": spec.shown,
        "hint": spec.hint,
    }
    return {key: value for key, value in given.items() if value}


def _csv_field(spec: Field) -> dict[str, Any]:
    descriptor = {"name": spec.name, "type": "string"}
    if spec.title:
        descriptor["title"] = spec.title
    return descriptor


def _licence(licence: Any) -> dict[str, str]:
    found = {"title": licence.name}
    if licence.url:
        found["path"] = licence.url
    if licence.known:  # the SPDX id, as the Data Package standard asks
        found["name"] = licence.id
    return found


def _source(source: Any) -> dict[str, str]:
    title = f"{source.title}, by {source.author}"
    if source.publisher:
        title += f" ({source.publisher})"
    found = {"title": title}
    if source.url:
        found["path"] = source.url
    return found


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
