"""The book's metadata (``data/book.yml``): title, authors, licence and the work it adapts.

Everything that names the book or its licence — page footers, the licence page, citations,
machine-readable licence tags, PDF and EPUB metadata — is generated from this one file, so a
remixer edits data, never templates.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from opentextbook.errors import did_you_mean
from opentextbook.urls import UnsafeUrl, check_url
from opentextbook.yamlsource import YamlDocument, load_yaml

_REQUIRED = ("title", "authors", "language", "licence", "source")
_OPTIONAL = (
    "subtitle",
    "editors",
    "edition",
    "date",
    "description",
    "educational_level",
    "learning_resource_type",
    "adapted_by",
    "code_licence",
    "changes",
)
_SOURCE_FIELDS = ("title", "author", "publisher", "url", "licence", "date")
_PERSON_FIELDS = ("name", "role", "url")
_LICENCE_FIELDS = ("name", "short", "url")

#: Every field of ``data/book.yml`` and, for a mapping or list of mappings, the fields inside
#: it (``None``: a value, ``()``: a list of values). Fields named ``url`` are addresses.
FIELDS: dict[str, tuple[str, ...] | None] = {
    **dict.fromkeys((*_REQUIRED, *_OPTIONAL)),
    "authors": _PERSON_FIELDS,
    "editors": _PERSON_FIELDS,
    "licence": _LICENCE_FIELDS,
    "code_licence": _LICENCE_FIELDS,
    "source": _SOURCE_FIELDS,
    "changes": (),
}


@dataclass(frozen=True)
class Licence:
    """A licence as people and machines see it."""

    name: str
    short: str
    url: str | None = None


@dataclass(frozen=True)
class SourceWork:
    """The work this book adapts; unknown facts stay ``None`` and are shown as unknown."""

    title: str
    author: str
    publisher: str | None = None
    url: str | None = None
    licence: str | None = None
    date: str | None = None


@dataclass(frozen=True)
class BookMetadata:
    """Validated contents of ``data/book.yml``."""

    title: str
    authors: tuple[dict[str, str], ...]
    language: str
    licence: Licence
    source: SourceWork
    subtitle: str | None = None
    editors: tuple[dict[str, str], ...] = ()
    edition: str | None = None
    date: str | None = None
    description: str | None = None
    educational_level: str | None = None
    learning_resource_type: str | None = None
    adapted_by: str | None = None
    code_licence: Licence | None = None
    changes: tuple[str, ...] = field(default_factory=tuple)

    @property
    def author_names(self) -> list[str]:
        return [author["name"] for author in self.authors]

    def as_dict(self) -> dict[str, Any]:
        """Plain values for templates and macros."""
        from dataclasses import asdict

        data = asdict(self)
        data["author_names"] = self.author_names
        return data


def load_metadata(path: str | Path) -> BookMetadata:
    """Load and validate the book metadata file, or raise a ``SourceError`` naming the line."""
    doc = load_yaml(path, label="book metadata file")
    if not isinstance(doc.data, dict):
        raise doc.error(
            (), "the book metadata must be a mapping of fields", fix="see data/book.yml"
        )
    _check_fields(doc, (), doc.data, _REQUIRED, _OPTIONAL)
    data = doc.data
    return BookMetadata(
        title=_text(doc, ("title",)),
        authors=_people(doc, "authors"),
        editors=_people(doc, "editors") if data.get("editors") else (),
        language=_matching(doc, ("language",), _LANGUAGE, "a language tag such as 'en' or 'fr-CA'"),
        licence=_licence(doc, "licence"),
        code_licence=_licence(doc, "code_licence") if data.get("code_licence") else None,
        source=_source(doc),
        changes=tuple(_text(doc, ("changes", i)) for i in range(len(_list(doc, "changes")))),
        **{key: _optional_text(doc, (key,)) for key in _OPTIONAL if key in _SIMPLE_OPTIONAL},
        date=_matching(doc, ("date",), _DATE, "a date such as '2026-11-28'")
        if data.get("date")
        else None,
    )


_SIMPLE_OPTIONAL = (
    "subtitle",
    "edition",
    "description",
    "educational_level",
    "learning_resource_type",
    "adapted_by",
)


def _check_fields(doc: YamlDocument, where: tuple, mapping: dict, required, optional=()) -> None:
    known = (*required, *optional)
    for key in mapping:
        if key not in known:
            raise doc.error((*where, key), f"unknown field '{key}'", fix=did_you_mean(key, known))
    for key in required:
        if key not in mapping:
            raise doc.error(where, f"missing required field '{key}'", fix=f"add '{key}:'")


def _text(doc: YamlDocument, keypath: tuple) -> str:
    value = _lookup(doc.data, keypath)
    if not isinstance(value, str | int | float) or isinstance(value, bool) or str(value) == "":
        raise doc.error(keypath, f"'{keypath[-1]}' must be text", fix="write a value in quotes")
    return str(value)


_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_LANGUAGE = re.compile(r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$")


def _matching(doc: YamlDocument, keypath: tuple, pattern: re.Pattern, what: str) -> str:
    """Text of a fixed form (a date, a language tag): EPUB and lang attributes parse it."""
    text = _text(doc, keypath)
    if not pattern.match(text) or (pattern is _DATE and not _is_date(text)):
        raise doc.error(
            keypath, f"'{keypath[-1]}' must be {what}, not '{text}'", fix=f"write {what}"
        )
    return text


def _is_date(text: str) -> bool:
    try:
        datetime.date.fromisoformat(text)
    except ValueError:
        return False
    return True


def _optional_text(doc: YamlDocument, keypath: tuple) -> str | None:
    return None if _lookup(doc.data, keypath) is None else _text(doc, keypath)


def _url(doc: YamlDocument, keypath: tuple) -> str:
    """An address field: only http(s) and mailto, so no ``javascript:`` link is ever written."""
    try:
        return check_url(_text(doc, keypath))
    except UnsafeUrl as error:
        raise doc.error(keypath, f"'{keypath[-1]}' {error}", fix=error.fix) from None


def _optional_url(doc: YamlDocument, keypath: tuple) -> str | None:
    return None if _lookup(doc.data, keypath) is None else _url(doc, keypath)


def _list(doc: YamlDocument, key: str) -> list:
    value = doc.data.get(key) or []
    if not isinstance(value, list):
        raise doc.error((key,), f"'{key}' must be a list", fix="start each item with '- '")
    return value


def _people(doc: YamlDocument, key: str) -> tuple[dict[str, str], ...]:
    people = []
    for i, person in enumerate(_list(doc, key)):
        if isinstance(person, str):
            person = {"name": person}
        if not isinstance(person, dict):
            raise doc.error((key, i), "a person is a name or a mapping with 'name'")
        _check_fields(doc, (key, i), person, _PERSON_FIELDS[:1], _PERSON_FIELDS[1:])
        people.append(
            {
                k: _url(doc, (key, i, k)) if k == "url" else _text(doc, (key, i, k))
                for k, v in person.items()
                if v is not None
            }
        )
    if key == "authors" and not people:
        raise doc.error((key,), "the book needs at least one author")
    return tuple(people)


def _licence(doc: YamlDocument, key: str) -> Licence:
    value = doc.data[key]
    if not isinstance(value, dict):
        raise doc.error((key,), f"'{key}' must be a mapping with name, short and url")
    _check_fields(doc, (key,), value, _LICENCE_FIELDS[:2], _LICENCE_FIELDS[2:])
    return Licence(
        name=_text(doc, (key, "name")),
        short=_text(doc, (key, "short")),
        url=_optional_url(doc, (key, "url")),
    )


def _source(doc: YamlDocument) -> SourceWork:
    value = doc.data["source"]
    if not isinstance(value, dict):
        raise doc.error(("source",), "'source' must describe the adapted work")
    _check_fields(doc, ("source",), value, ("title", "author"), _SOURCE_FIELDS[2:])
    fields = {k: _optional_text(doc, ("source", k)) for k in _SOURCE_FIELDS}
    return SourceWork(**{**fields, "url": _optional_url(doc, ("source", "url"))})


def _lookup(data: Any, keypath: tuple) -> Any:
    for key in keypath:
        data = data.get(key) if isinstance(data, dict) else data[key]
    return data
