"""The book's metadata (``data/book.yml``): title, authors, licence and the works it adapts.

Everything that names the book or its licence — page footers, the licence page, citations,
machine-readable licence tags, PDF and EPUB metadata — is generated from this one file (and
each chapter's front matter, see :mod:`opentextbook.book.chapters`), so a remixer edits data,
never templates.
"""

from __future__ import annotations

import datetime
import logging
import re
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from opentextbook.book import fields
from opentextbook.book.fields import PERSON_FIELDS, SOURCE_FIELDS, Source, people_phrase
from opentextbook.book.licences import Licence
from opentextbook.i18n import check_overrides, load_strings
from opentextbook.support.errors import did_you_mean
from opentextbook.support.yamlsource import YamlDocument, load_yaml

log = logging.getLogger("mkdocs.plugins.opentextbook")

_REQUIRED = ("title", "authors", "language", "licence")
_SIMPLE_OPTIONAL = (
    "subtitle",
    "edition",
    "description",
    "educational_level",
    "learning_resource_type",
)
_OPTIONAL = (
    *_SIMPLE_OPTIONAL,
    "date",
    "editors",
    "adapted_by",
    "code_licence",
    "changes",
    "sources",
)
_LEGACY_SOURCE_FIELDS = ("title", "author", "publisher", "url", "licence", "date")

#: Every field of ``data/book.yml`` and, for a mapping or list of mappings, the fields inside
#: it (``None``: a value, ``()``: a list of values). Fields named ``url`` are addresses. The
#: injection test plants a payload in each, so a new field is covered when it is declared here.
FIELDS: dict[str, tuple[str, ...] | None] = {
    **dict.fromkeys((*_REQUIRED, *_OPTIONAL)),
    "authors": PERSON_FIELDS,
    "editors": PERSON_FIELDS,
    "adapted_by": PERSON_FIELDS,
    "sources": SOURCE_FIELDS,
    "changes": (),
}

_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_LANGUAGE = re.compile(r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$")


@dataclass(frozen=True)
class BookMetadata:
    """Validated contents of ``data/book.yml``.

    ``authors`` made this book (this version); the people who wrote the works it adapts are
    credited through ``sources`` and each chapter's own sources.
    """

    title: str
    authors: tuple[dict[str, Any], ...]
    language: str
    licence: Licence
    sources: tuple[Source, ...] = ()
    subtitle: str | None = None
    editors: tuple[dict[str, Any], ...] = ()
    edition: str | None = None
    date: str | None = None
    description: str | None = None
    educational_level: str | None = None
    learning_resource_type: str | None = None
    adapters: tuple[dict[str, Any], ...] = ()
    """Who made this adaptation (people or a group); its publisher in citations."""
    code_licence: Licence | None = None
    changes: tuple[str, ...] = field(default_factory=tuple)
    strings: tuple[tuple[str, Any], ...] = ()
    """The book's own wording of toolchain labels (``strings:``), over its language's."""
    legacy_source: bool = False
    """The file used the old single ``source:``; every chapter then adapts that work."""

    @property
    def author_names(self) -> list[str]:
        return [author["name"] for author in self.authors]

    @property
    def adapted_by(self) -> str | None:
        """Who made this adaptation, as a sentence reads it ("Ada and Ben"), or ``None``."""
        return people_phrase(self.adapters) or None

    @property
    def source(self) -> Source | None:
        """The first work the book adapts (for outputs that name one)."""
        return self.sources[0] if self.sources else None

    def source_by_id(self, ident: str) -> Source | None:
        return next((item for item in self.sources if item.id == ident), None)

    def as_dict(self) -> dict[str, Any]:
        """Plain values for templates and macros."""
        data = asdict(self)
        data.update(author_names=self.author_names, adapted_by=self.adapted_by)
        data["source"] = asdict(self.source) if self.source else None
        if data["source"]:
            data["source"]["author"] = self.source.author
        for item, source in zip(data["sources"], self.sources, strict=True):
            item["author"] = source.author
        return data


def load_metadata(path: str | Path) -> BookMetadata:
    """Load and validate the book metadata file, or raise a ``SourceError`` naming the line."""
    doc = load_yaml(path, label="book metadata file")
    if not isinstance(doc.data, dict):
        raise doc.error(
            (), "the book metadata must be a mapping of fields", fix="see data/book.yml"
        )
    legacy = "source" in doc.data
    fields.check_fields(doc, (), doc.data, _REQUIRED, (*_OPTIONAL, "source", "strings"))
    data = doc.data
    authors = fields.people(doc, ("authors",))
    if not authors:
        raise doc.error(("authors",), "the book needs at least one author", fix="add '- name: …'")
    return BookMetadata(
        title=fields.text(doc, ("title",)),
        authors=authors,
        editors=fields.people(doc, ("editors",)),
        language=_matching(doc, "language", _LANGUAGE, "a language tag such as 'en' or 'fr-CA'"),
        licence=_required_licence(doc, "licence"),
        code_licence=fields.licence(doc, ("code_licence",)) if data.get("code_licence") else None,
        sources=_legacy_source(doc) if legacy else _sources(doc),
        adapters=_adapters(doc),
        changes=fields.texts(doc, ("changes",)),
        legacy_source=legacy,
        strings=_strings(doc),
        **{key: fields.optional_text(doc, (key,)) for key in _SIMPLE_OPTIONAL},
        date=_matching(doc, "date", _DATE, "a date such as '2026-11-28'")
        if data.get("date")
        else None,
    )


def _matching(doc: YamlDocument, key: str, pattern: re.Pattern, what: str) -> str:
    """Text of a fixed form (a date, a language tag): EPUB and ``lang`` attributes parse it."""
    text = fields.text(doc, (key,))
    if not pattern.match(text) or (pattern is _DATE and not _is_date(text)):
        raise doc.error((key,), f"'{key}' must be {what}, not '{text}'", fix=f"write {what}")
    return text


def _is_date(text: str) -> bool:
    try:
        datetime.date.fromisoformat(text)
    except ValueError:
        return False
    return True


def _strings(doc: YamlDocument) -> tuple[tuple[str, Any], ...]:
    """``strings:``: labels the book words its own way, by key (see the locale files)."""
    value = doc.data.get("strings") or {}
    if not isinstance(value, dict):
        fix = "write 'strings:' then lines such as '  activity.label: \"Task {number}\"'"
        raise doc.error(("strings",), "'strings' must map label keys to texts", fix=fix)
    for key, message, fix in check_overrides(value):
        hint = did_you_mean(str(key), load_strings("en").texts) if "not a text" in message else ""
        if hint.startswith("valid choices"):  # over a hundred keys: point at the list instead
            hint = "the keys are listed in plugins/opentextbook/i18n/locales/en.yml"
        raise doc.error(("strings", key), message, fix=hint or fix)
    return tuple(value.items())


def _required_licence(doc: YamlDocument, key: str) -> Licence:
    found = fields.licence(doc, (key,))
    if found is None:
        raise doc.error((key,), f"'{key}' must name a licence", fix="e.g. 'licence: CC-BY-4.0'")
    return found


def _adapters(doc: YamlDocument) -> tuple[dict[str, Any], ...]:
    """``adapted_by``: one name (text), or a list of people and groups."""
    value = doc.data.get("adapted_by")
    if isinstance(value, str):
        return (fields.person(fields.text(doc, ("adapted_by",))),)
    return fields.people(doc, ("adapted_by",))


def _sources(doc: YamlDocument) -> tuple[Source, ...]:
    found = tuple(
        fields.source(doc, ("sources", i)) for i in range(len(fields.items(doc, ("sources",))))
    )
    seen: set[str] = set()
    for i, item in enumerate(found):
        if item.id in seen:
            raise doc.error(("sources", i, "id"), f"duplicate source id '{item.id}'")
        seen.add(item.id or "")
    return found


def _legacy_source(doc: YamlDocument) -> tuple[Source, ...]:
    """The old single ``source:`` (``author`` as text) still reads, with a notice."""
    if "sources" in doc.data:
        raise doc.error(("source",), "both 'source' and 'sources' are given", fix="keep 'sources'")
    value = doc.data["source"]
    if not isinstance(value, dict):
        raise doc.error(("source",), "'source' must describe the adapted work")
    fields.check_fields(doc, ("source",), value, ("title", "author"), _LEGACY_SOURCE_FIELDS[2:])
    line = doc.position(("source",))[0]
    log.info(
        f"{doc.display_path}:{line}: 'source:' (one work) is the old form — write "
        "'sources:' as a list, each item with title, authors (a list), publisher, url, "
        "licence (an SPDX id such as CC-BY-4.0) and date; see docs/remix.md"
    )
    return (
        Source(
            title=fields.text(doc, ("source", "title")),
            authors=(fields.person(fields.text(doc, ("source", "author"))),),
            publisher=fields.optional_text(doc, ("source", "publisher")),
            url=fields.url(doc, ("source", "url")),
            licence=fields.licence(doc, ("source", "licence")),
            date=fields.partial_date(doc, ("source", "date")),
            changes=fields.texts(doc, ("changes",)),
            id="source",
            line=line,
        ),
    )
