"""Data sets declared as data: schemas read from the book's files, records loaded and validated.

A data set is ``data/<name>.schema.yml`` (Frictionless Table Schema, with our few additions
under ``opentextbook:``) plus its records in ``data/<name>.yml`` or ``data/<name>.csv``. No data
set is declared in Python: a remixer adds one with two files. Tables (:mod:`.tables`, drawn
by the ``/// datatable`` block), CSV/JSON downloads (:mod:`.downloads`), the Data Package
(:mod:`.package`) and the JSON Schemas for editors (:mod:`.jsonschema`) are all made from the
same validated records; :mod:`.csvsource` reads records kept in a spreadsheet's CSV.
"""

from __future__ import annotations

from opentextbook.datasets.loading import (
    DATA_SUFFIXES,
    Dataset,
    Record,
    find_datasets,
    load_dataset,
    load_datasets,
    missing_dataset_message,
)
from opentextbook.datasets.schema import NONE_GIVEN, NOT_KNOWN, Field, TableSchema, load_schema

__all__ = [
    "DATA_SUFFIXES",
    "NONE_GIVEN",
    "NOT_KNOWN",
    "Dataset",
    "Field",
    "Record",
    "TableSchema",
    "find_datasets",
    "load_dataset",
    "load_datasets",
    "load_schema",
    "missing_dataset_message",
]
