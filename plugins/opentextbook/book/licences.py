"""Licences by SPDX identifier, from one table (``licences.yml``), and the rules for remixing.

People write "CC BY 4.0", "cc-by-4.0" or "Creative Commons Attribution 4.0 International";
all of them mean ``CC-BY-4.0``. Names, short names, deed addresses and which licences an
adaptation may carry are data, so a new licence is a few lines of YAML, not code. A licence the
table does not know stays unknown and every output says so rather than guessing.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from pathlib import Path

import yaml

TABLE = Path(__file__).with_name("licences.yml")
UNKNOWN = "unknown"
"""What a person writes for a licence that cannot be found out (an explicit, checked unknown)."""


@dataclass(frozen=True)
class Licence:
    """A licence as people and machines see it; ``known`` is false for one the table lacks."""

    id: str
    name: str
    short: str
    url: str | None = None
    known: bool = True
    noncommercial: bool = False

    @property
    def label(self) -> str:
        """``CC BY 4.0``; an unknown one says so, so it is never mistaken for a known one."""
        if self.id == UNKNOWN:
            return "licence unknown"
        return self.short if self.known else f"“{self.short}” (a licence this book does not know)"


@functools.cache
def _table() -> dict[str, dict]:
    # Our own file, safe-loaded once; a broken table is a bug in the package, not in a book.
    return yaml.safe_load(TABLE.read_text(encoding="utf-8"))["licences"]


def licence_ids() -> list[str]:
    """Every SPDX identifier the table knows."""
    return list(_table())


def _normal(text: str) -> str:
    return re.sub(r"[\s_\-]+", "", text).lower()


@functools.cache
def _index() -> dict[str, str]:
    index = {}
    for ident, entry in _table().items():
        for name in (ident, entry["name"], entry["short"], *entry.get("aliases", ())):
            index[_normal(name)] = ident
        index[_normal(entry["url"].rstrip("/"))] = ident
    return index


def find_licence(text: str) -> Licence | None:
    """The licence ``text`` names (an id, a name, a short name or its deed URL), or ``None``."""
    ident = _index().get(_normal(str(text).rstrip("/")))
    if ident is None:
        return None
    entry = _table()[ident]
    return Licence(
        id=ident,
        name=entry["name"],
        short=entry["short"],
        url=entry["url"],
        noncommercial=bool(entry.get("noncommercial")),
    )


def unknown_licence(text: str = UNKNOWN) -> Licence:
    """A licence the table does not know: shown as given, marked unknown, checked as unknown."""
    return Licence(id=str(text), name=str(text), short=str(text), url=None, known=False)


def adaptation_problem(source: Licence | None, chapter: Licence) -> str | None:
    """Why material under ``source`` cannot be adapted into a chapter under ``chapter``, or
    ``None`` when it can. ``None`` for ``source`` means no licence was given."""
    if source is None or not source.known:
        return "its licence is not known, so nobody can tell whether it may be adapted"
    allowed = _table()[source.id]["adapt_into"]
    if allowed == "any" or chapter.id in allowed:
        return None
    if not allowed:
        return f"{source.short} does not allow adaptations (NoDerivatives)"
    if not chapter.known:
        return f"the chapter's licence “{chapter.short}” is not known"
    choices = ", ".join(allowed)
    return f"an adaptation of {source.short} material may only be licensed as {choices}"


def collection_problem(chapter: Licence, book: Licence) -> str | None:
    """Why a chapter under ``chapter`` does not fit a book that says ``book``, or ``None``.

    A book may hold chapters under different licences (each shows its own), but a chapter
    that forbids commercial use in a book that allows it would mislead readers.
    """
    if chapter.noncommercial and book.known and not book.noncommercial:
        return (
            f"{chapter.short} forbids commercial use, but the book's licence {book.short} allows it"
        )
    return None
