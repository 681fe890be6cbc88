"""Where the book metadata used to live; it is now :mod:`opentextbook.book.metadata`."""

from __future__ import annotations

from opentextbook.book.fields import Source
from opentextbook.book.licences import Licence
from opentextbook.book.metadata import FIELDS, BookMetadata, load_metadata

SourceWork = Source

__all__ = ["FIELDS", "BookMetadata", "Licence", "Source", "SourceWork", "load_metadata"]
