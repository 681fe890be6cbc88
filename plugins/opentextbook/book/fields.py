"""Reading the fields that ``data/book.yml`` and pages' front matter share: people, licences,
sources. Each reader takes the document and where the value is, and raises a ``SourceError``
naming that line with the fix, so both files report mistakes the same way.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from opentextbook.book.licences import UNKNOWN, Licence, find_licence, licence_ids, unknown_licence
from opentextbook.i18n import t
from opentextbook.support.errors import did_you_mean
from opentextbook.support.urls import UnsafeUrl, check_url
from opentextbook.support.yamlsource import KeyPath, YamlDocument

PERSON_FIELDS = ("name", "role", "url", "group")
SOURCE_FIELDS = ("id", "title", "authors", "publisher", "url", "licence", "date", "changes")


@dataclass(frozen=True)
class Source:
    """A work a chapter adapts. Unknown facts stay ``None``; ``licence`` is ``None`` when none
    was given (a problem the licence check reports) and an unknown :class:`Licence` when the
    book says it is unknown."""

    title: str
    authors: tuple[dict[str, Any], ...] = ()
    publisher: str | None = None
    url: str | None = None
    licence: Licence | None = None
    date: str | None = None
    changes: tuple[str, ...] = ()
    id: str | None = None
    line: int | None = None
    """Where the source is described (for licence warnings)."""

    @property
    def author(self) -> str:
        """The authors as one phrase ("A, B and C")."""
        return people_phrase(self.authors)


def people_phrase(people) -> str:
    """ "Ada", "Ada and Ben", "Ada, Ben and Cy": names as a sentence reads them."""
    names = [person["name"] for person in people]
    if len(names) <= 1:
        return "".join(names)
    return t("list.separator").join(names[:-1]) + t("list.and") + names[-1]


def check_fields(doc: YamlDocument, where: KeyPath, mapping: dict, required, optional=()) -> None:
    """Unknown fields (with the closest valid name) and missing required ones are errors."""
    known = (*required, *optional)
    for key in mapping:
        if key not in known:
            raise doc.error((*where, key), f"unknown field '{key}'", fix=did_you_mean(key, known))
    for key in required:
        if key not in mapping:
            raise doc.error(where, f"missing required field '{key}'", fix=f"add '{key}:'")


def lookup(data: Any, keypath: KeyPath) -> Any:
    for key in keypath:
        data = data.get(key) if isinstance(data, dict) else data[key]
    return data


def text(doc: YamlDocument, keypath: KeyPath) -> str:
    value = lookup(doc.data, keypath)
    if not isinstance(value, str | int | float) or isinstance(value, bool) or str(value) == "":
        raise doc.error(keypath, f"'{keypath[-1]}' must be text", fix="write a value in quotes")
    return str(value)


def optional_text(doc: YamlDocument, keypath: KeyPath) -> str | None:
    return None if lookup(doc.data, keypath) is None else text(doc, keypath)


def flag(doc: YamlDocument, keypath: KeyPath) -> bool:
    value = lookup(doc.data, keypath)
    if not isinstance(value, bool):
        raise doc.error(
            keypath, f"'{keypath[-1]}' must be true or false", fix="write true or false"
        )
    return value


def items(doc: YamlDocument, keypath: KeyPath) -> list:
    """A list field; a mapping or text where the list belongs is an error saying so."""
    value = lookup(doc.data, keypath)
    if value is None:
        return []
    if not isinstance(value, list):
        kind = "a mapping" if isinstance(value, dict) else "a single value"
        raise doc.error(
            keypath,
            f"'{keypath[-1]}' must be a list, not {kind}",
            fix="start each item on its own line with '- '",
        )
    return value


def url(doc: YamlDocument, keypath: KeyPath) -> str | None:
    """An address, checked by the one URL rule (http, https or mailto)."""
    value = optional_text(doc, keypath)
    if value is None:
        return None
    try:
        return check_url(value)
    except UnsafeUrl as exc:
        raise doc.error(keypath, f"'{keypath[-1]}' {exc}", fix=exc.fix) from None


_PARTIAL_DATE = re.compile(r"^\d{4}(-(0[1-9]|1[0-2])(-(0[1-9]|[12]\d|3[01]))?)?$")


def partial_date(doc: YamlDocument, keypath: KeyPath) -> str | None:
    """A work's date as far as it is known: a year, a year and month, or a full date."""
    value = optional_text(doc, keypath)
    if value is not None and not _PARTIAL_DATE.match(value):
        raise doc.error(
            keypath,
            f"'{keypath[-1]}' must be a year or a date (2020, 2020-09, 2020-09-15), not '{value}'",
            fix="write the year at least, or leave the field out if it is not known",
        )
    return value


_IDENT = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$")


def ident(doc: YamlDocument, keypath: KeyPath) -> str | None:
    """A short name that pages refer to (``sources: [hogue]``): letters, digits, - and _."""
    value = optional_text(doc, keypath)
    if value is not None and not _IDENT.match(value):
        raise doc.error(
            keypath,
            f"'{keypath[-1]}' must be a short name of letters, digits, '-' and '_', not '{value}'",
            fix="e.g. 'hogue-2020'",
        )
    return value


def texts(doc: YamlDocument, keypath: KeyPath) -> tuple[str, ...]:
    return tuple(text(doc, (*keypath, i)) for i in range(len(items(doc, keypath))))


def people(doc: YamlDocument, keypath: KeyPath) -> tuple[dict[str, Any], ...]:
    """People or groups: a name, or a mapping with ``name`` (``group: true`` for a group)."""
    found = []
    for i, item in enumerate(items(doc, keypath)):
        where = (*keypath, i)
        if isinstance(item, str):
            found.append(person(text(doc, where)))
            continue
        if not isinstance(item, dict):
            raise doc.error(where, "a person is a name or a mapping with 'name'")
        check_fields(doc, where, item, ("name",), PERSON_FIELDS[1:])
        found.append(
            person(
                text(doc, (*where, "name")),
                role=optional_text(doc, (*where, "role")),
                address=url(doc, (*where, "url")),
                group="group" in item and flag(doc, (*where, "group")),
            )
        )
    return tuple(found)


def person(name: str, role=None, address=None, group=False) -> dict[str, Any]:
    """Every person has every field, so templates can ask for any of them."""
    return {"name": name, "role": role, "url": address, "group": group}


def licence(doc: YamlDocument, keypath: KeyPath) -> Licence | None:
    """A licence by SPDX id or name; ``unknown`` when it cannot be known; ``None`` if absent.

    The older mapping form (``name``, ``short``, ``url``) still reads: matched to the table
    by its address or names, else kept as a licence the table does not know.
    """
    value = lookup(doc.data, keypath)
    if value is None:
        return None
    if isinstance(value, dict):
        return _licence_mapping(doc, keypath, value)
    given = text(doc, keypath)
    if given.strip().lower() == UNKNOWN:
        return unknown_licence()
    found = find_licence(given)
    if found is None:
        raise doc.error(
            keypath,
            f"unknown licence '{given}'",
            fix=f"write an SPDX identifier ({did_you_mean(given, licence_ids())}), "
            "or 'unknown' if it cannot be found out",
        )
    return found


def _licence_mapping(doc: YamlDocument, keypath: KeyPath, value: dict) -> Licence:
    check_fields(doc, keypath, value, ("name", "short"), ("url",))
    address = url(doc, (*keypath, "url"))
    for key in (address, value["short"], value["name"]):
        found = find_licence(key) if key else None
        if found:
            return found
    name, short = text(doc, (*keypath, "name")), text(doc, (*keypath, "short"))
    return Licence(id=short, name=name, short=short, url=address, known=False)


def source(doc: YamlDocument, keypath: KeyPath) -> Source:
    """One work a chapter adapts (title required; everything else may be unknown)."""
    value = lookup(doc.data, keypath)
    if not isinstance(value, dict):
        raise doc.error(
            keypath,
            "a source must be a mapping with title, authors, publisher, url, licence and date",
            fix="indent its fields under '- title: …'",
        )
    check_fields(doc, keypath, value, ("title",), tuple(f for f in SOURCE_FIELDS if f != "title"))
    return Source(
        title=text(doc, (*keypath, "title")),
        authors=people(doc, (*keypath, "authors")),
        publisher=optional_text(doc, (*keypath, "publisher")),
        url=url(doc, (*keypath, "url")),
        licence=licence(doc, (*keypath, "licence")),
        date=partial_date(doc, (*keypath, "date")),
        changes=texts(doc, (*keypath, "changes")),
        id=ident(doc, (*keypath, "id")),
        line=doc.position(keypath)[0],
    )
