"""Each page's credits, from its front matter: who wrote it, its licence, the works it adapts.

MkDocs reads front matter itself but forgets line numbers, so the pages' front matter is read
again here with the line-aware loader: every mistake names the page and line. A page inherits
the book's authors and licence; a chapter without ``sources`` is original work; front and back
matter say ``chapter: false``.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, replace
from typing import Any

from opentextbook.book import fields
from opentextbook.book.fields import Source, people_phrase
from opentextbook.book.licences import UNKNOWN, Licence, adaptation_problem, collection_problem
from opentextbook.book.metadata import BookMetadata
from opentextbook.support.errors import SourceError, did_you_mean
from opentextbook.support.yamlsource import YamlDocument, parse_yaml

CREDIT_KEYS = ("authors", "licence", "sources", "chapter", "cite")
OTHER_KEYS = (
    # ours (opentextbook), then MkDocs, Material for MkDocs and mkdocs-macros page settings
    "whole_book",
    "pln_builder",
    "title",
    "description",
    "template",
    "hide",
    "search",
    "status",
    "subtitle",
    "icon",
    "tags",
    "social",
    "comments",
    "render_macros",
)
FRONT_MATTER_KEYS = (*CREDIT_KEYS, *OTHER_KEYS)
# The same pattern MkDocs uses (mkdocs.utils.meta): '---' lines around YAML at the very top.
_FRONT_MATTER = re.compile(r"\A-{3}[ \t]*\n(.*?\n)(?:\.{3}|-{3})[ \t]*\n", re.DOTALL)
_HEADING = re.compile(r"^#[ \t]+(.+?)[ \t#]*$", re.MULTILINE)
_ACTIVITY = re.compile(r"^/{3,}[ \t]+activity\b", re.MULTILINE)


@dataclass(frozen=True)
class PageCredit:
    """Who made one page and under which licence; ``sources`` empty means original work."""

    src: str
    path: str
    title: str
    url: str
    authors: tuple[dict[str, Any], ...]
    licence: Licence
    sources: tuple[Source, ...] = ()
    is_chapter: bool = True
    cite: bool = True
    activities: int = 0
    licence_line: int | None = None

    @property
    def author(self) -> str:
        return people_phrase(self.authors)

    @property
    def author_names(self) -> list[str]:
        return [person["name"] for person in self.authors]

    @property
    def is_adaptation(self) -> bool:
        return bool(self.sources)

    @property
    def changes(self) -> tuple[str, ...]:
        return tuple(change for source in self.sources for change in source.changes)


def read_page_credit(
    book: BookMetadata, *, src: str, path: str, text: str, title: str | None, url: str
) -> tuple[PageCredit, list[SourceError]]:
    """The credits of the page ``src`` (shown as ``path``) from its Markdown ``text``.

    Returns the credits and the problems found; a field with a problem falls back to what the
    page would inherit, so one mistake gives one message, not a cascade.
    """
    problems: list[SourceError] = []
    doc = _front_matter(text, path, problems)
    credit = PageCredit(
        src=src,
        path=path,
        title=title or _first_heading(text) or src,
        url=url,
        authors=book.authors,
        licence=book.licence,
        activities=len(_ACTIVITY.findall(text)),
    )
    if doc is not None:
        credit = _apply_front_matter(credit, doc, book, problems)
    if book.legacy_source and credit.is_chapter and not _has(doc, "sources"):
        credit = replace(credit, sources=tuple(replace(s, line=None) for s in book.sources))
    return credit, problems


def licence_problems(credit: PageCredit, book: BookMetadata) -> list[SourceError]:
    """Sources whose licence the chapter cannot carry, and a chapter that misfits the book.

    A source whose licence is recorded as ``unknown`` on purpose is not a problem here: the
    book shows it as unknown wherever it credits it (a source with *no* licence given is).
    """
    problems = []
    for source in credit.sources:
        if source.licence is not None and source.licence.id == UNKNOWN:
            continue
        why = adaptation_problem(source.licence, credit.licence)
        if why:
            given = source.licence.label if source.licence else "no licence given"
            problems.append(
                SourceError(
                    credit.path,
                    f"source “{source.title}” ({given}) cannot be adapted into this chapter "
                    f"under {credit.licence.label}: {why}",
                    line=source.line,
                    fix=_licence_fix(source),
                )
            )
    why = collection_problem(credit.licence, book.licence)
    if why:
        problems.append(
            SourceError(
                credit.path,
                f"chapter licence {credit.licence.short} does not fit the book: {why}",
                line=credit.licence_line,
                fix="give the book a NonCommercial licence in data/book.yml, or replace the "
                "chapter",
            )
        )
    return problems


def _licence_fix(source: Source) -> str:
    if source.licence is None:
        return (
            "add the source's 'licence:' (an SPDX id such as CC-BY-4.0), or "
            "'licence: unknown' once you have checked it cannot be found out"
        )
    if not source.licence.known:
        return "ask the rights holder for permission, or replace this source"
    return (
        "license the chapter under one of the allowed licences (front matter 'licence:'), "
        "or replace the source"
    )


def _front_matter(text: str, path: str, problems: list[SourceError]) -> YamlDocument | None:
    match = _FRONT_MATTER.match(text)
    if not match:
        return None
    try:  # a leading newline keeps line numbers those of the page (line 1 is '---')
        doc = parse_yaml("\n" + match.group(1), path, label="front matter")
    except SourceError as exc:
        problems.append(exc)
        return None
    if not isinstance(doc.data, dict):
        problems.append(doc.error((), "front matter must be a mapping of 'key: value' lines"))
        return None
    return doc


def _has(doc: YamlDocument | None, key: str) -> bool:
    return doc is not None and key in doc.data


def _apply_front_matter(
    credit: PageCredit, doc: YamlDocument, book: BookMetadata, problems: list[SourceError]
) -> PageCredit:
    for key in doc.data:
        if key not in FRONT_MATTER_KEYS:
            problems.append(
                doc.error(
                    (key,),
                    f"unknown front matter key '{key}'",
                    did_you_mean(key, FRONT_MATTER_KEYS),
                )
            )
    readers = {
        "authors": lambda: {"authors": fields.people(doc, ("authors",)) or book.authors},
        "licence": lambda: _page_licence(doc, book),
        "sources": lambda: {"sources": _page_sources(doc, book)},
        "chapter": lambda: {"is_chapter": fields.flag(doc, ("chapter",))},
        "cite": lambda: {"cite": fields.flag(doc, ("cite",))},
        "title": lambda: {"title": fields.text(doc, ("title",))},
    }
    changes: dict[str, Any] = {}
    for key, read in readers.items():
        if key in doc.data:
            try:
                changes.update(read())
            except SourceError as exc:
                problems.append(exc)
    return replace(credit, **changes)


def _page_licence(doc: YamlDocument, book: BookMetadata) -> dict[str, Any]:
    found = fields.licence(doc, ("licence",)) or book.licence
    return {"licence": found, "licence_line": doc.position(("licence",))[0]}


def _page_sources(doc: YamlDocument, book: BookMetadata) -> tuple[Source, ...]:
    """Sources as mappings, or as the ``id`` of a source described in ``data/book.yml``."""
    found = []
    for i, item in enumerate(fields.items(doc, ("sources",))):
        if isinstance(item, str):
            source = book.source_by_id(item)
            if source is None:
                ids = [s.id for s in book.sources if s.id]
                raise doc.error(
                    ("sources", i),
                    f"no source with id '{item}' in data/book.yml",
                    fix=did_you_mean(item, ids) if ids else "describe the source here instead",
                )
            found.append(replace(source, line=doc.position(("sources", i))[0]))
        else:
            found.append(fields.source(doc, ("sources", i)))
    return tuple(found)


def _first_heading(text: str) -> str | None:
    body = _FRONT_MATTER.sub("", text, count=1)
    match = _HEADING.search(body)
    return match.group(1).strip() if match else None


def book_credit(book: BookMetadata, sources=None) -> PageCredit:
    """The book as a whole, credited like a page: for footers of front and back matter and
    for outputs made without the pages (worksheets from the command line)."""
    return PageCredit(
        src="",
        path="",
        title=book.title,
        url="",
        authors=book.authors,
        licence=book.licence,
        sources=tuple(book.sources if sources is None else sources),
        is_chapter=False,
    )


class BookContents:
    """Every page's credits in reading order; the chapters are those not marked
    ``chapter: false``. Built once per build, before any page is rendered, so a page (the
    licence page's credits table) can show every chapter."""

    def __init__(self, book: BookMetadata, pages: list[PageCredit]) -> None:
        self.book = book
        self.pages = pages
        self._by_src = {page.src: page for page in pages}
        self._by_path = {page.path: page for page in pages}

    def get(self, src: str) -> PageCredit | None:
        """The credits of the page ``src`` (``docs``-relative), or of its shown path."""
        return self._by_src.get(src) or self._by_path.get(src)

    def credit(self, src: str) -> PageCredit:
        """The credits of a chapter, or the book's for any other page (or an unknown one)."""
        page = self.get(src)
        if page is None or not page.is_chapter:
            return book_credit(self.book, self.sources)
        return page

    @property
    def chapters(self) -> list[PageCredit]:
        return [page for page in self.pages if page.is_chapter]

    @property
    def sources(self) -> list[Source]:
        """Every work the book draws on (the book's and the chapters'), each once."""
        found: dict[tuple, Source] = {}
        for source in (*self.book.sources, *(s for c in self.chapters for s in c.sources)):
            found.setdefault((source.title, source.url, source.author), replace(source, line=None))
        return list(found.values())

    @property
    def activity_count(self) -> int:
        return sum(page.activities for page in self.chapters)

    def as_dict(self) -> dict[str, Any]:
        """Plain values: for templates and for the keys of caches that depend on credits."""
        return {"pages": [_credit_dict(page) for page in self.pages]}


def _credit_dict(page: PageCredit) -> dict[str, Any]:
    data = asdict(page)
    data.update(author=page.author, changes=list(page.changes), is_adaptation=page.is_adaptation)
    for item, source in zip(data["sources"], page.sources, strict=True):
        item["author"] = source.author
    return data
