"""The book as a work to credit: its metadata (``data/book.yml``), each page's authors,
licence and sources (front matter), the licence table and the rules for remixing.

Every output that names who made a chapter — footers, attribution blocks, the credits table,
worksheets, JSON-LD, citation tags and citations — reads it from here.
"""

from __future__ import annotations

from opentextbook.book.chapters import (
    BookContents,
    PageCredit,
    book_credit,
    licence_problems,
    read_page_credit,
)
from opentextbook.book.fields import Source, people_phrase
from opentextbook.book.licences import Licence, find_licence
from opentextbook.book.metadata import BookMetadata, load_metadata

__all__ = [
    "BookContents",
    "BookMetadata",
    "Licence",
    "PageCredit",
    "Source",
    "book_credit",
    "find_licence",
    "licence_problems",
    "load_metadata",
    "people_phrase",
    "read_page_credit",
]
