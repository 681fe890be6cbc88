"""What the ``<head>`` of a page tells machines: licence, schema.org JSON-LD, citation tags.

Search engines, OER repositories (OER Commons, MERLOT harvesters) and the Creative Commons
search read ``<link rel="license">`` and schema.org; reference managers (Zotero, Mendeley) and
Google Scholar read ``citation_*`` meta tags. All of it comes from ``data/book.yml`` and each
chapter's front matter.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from opentextbook.book import BookMetadata, Licence, PageCredit, Source

SCHEMA_CONTEXT = "https://schema.org"


@dataclass(frozen=True)
class PageHead:
    """The machine-readable parts of one page's ``<head>``, ready for the template."""

    licence_url: str | None
    jsonld: str
    meta: tuple[tuple[str, str], ...] = ()


def page_head(
    metadata: BookMetadata,
    *,
    site_url: str | None,
    page_url: str | None,
    page_title: str,
    credit: PageCredit | None = None,
    sources: list[Source] | None = None,
    pdf_url: str | None = None,
) -> PageHead:
    """The head of one page: every page declares the book (and every work it draws on,
    ``sources``); a chapter (``credit``) also itself, with its own authors and licence."""
    graph = [book_jsonld(metadata, site_url, sources)]
    meta: tuple[tuple[str, str], ...] = ()
    licence = metadata.licence
    if credit is not None and credit.is_chapter:
        graph.append(chapter_jsonld(metadata, site_url, page_url, page_title, credit))
        licence = credit.licence
        if credit.cite:
            meta = citation_meta(metadata, page_title, page_url, pdf_url, credit)
    document = {"@context": SCHEMA_CONTEXT, "@graph": graph}
    return PageHead(licence.url, dump_jsonld(document), meta)


def book_jsonld(
    metadata: BookMetadata, site_url: str | None, sources: list[Source] | None = None
) -> dict[str, Any]:
    """The book as a schema.org ``Book`` (the whole site), based on every work it draws on."""
    node = {
        "@type": "Book",
        "@id": _book_id(site_url),
        "name": metadata.title,
        "alternativeHeadline": metadata.subtitle,
        "description": metadata.description,
        "url": site_url,
        "bookEdition": metadata.edition,
        "datePublished": metadata.date,
        "publisher": _people(metadata.adapters),
        "author": _people(metadata.authors),
        "license": _licence(metadata.licence),
        "isBasedOn": [_source_work(item) for item in (sources or metadata.sources)],
    }
    node.update(_shared_properties(metadata))
    return _without_empty(node)


def chapter_jsonld(
    metadata: BookMetadata,
    site_url: str | None,
    page_url: str | None,
    title: str,
    credit: PageCredit,
) -> dict[str, Any]:
    """The chapter as a schema.org ``Chapter`` that is also a ``LearningResource``: its own
    authors and licence, based on its own sources, part of the book."""
    node = {
        "@type": ["Chapter", "LearningResource"],
        "@id": f"{page_url}#chapter" if page_url else None,
        "name": title,
        "url": page_url,
        "isPartOf": {"@id": _book_id(site_url)} if site_url else None,
        "datePublished": metadata.date,
        "author": _people(credit.authors),
        "license": _licence(credit.licence),
        "isBasedOn": [_source_work(item) for item in credit.sources],
    }
    node.update(_shared_properties(metadata))
    return _without_empty(node)


def citation_meta(
    metadata: BookMetadata,
    title: str,
    page_url: str | None,
    pdf_url: str | None = None,
    credit: PageCredit | None = None,
) -> tuple[tuple[str, str], ...]:
    """Highwire Press ``citation_*`` tags, the ones Google Scholar and Zotero read: the
    chapter's own authors and licence within the book."""
    authors = credit.author_names if credit else metadata.author_names
    licence = credit.licence if credit else metadata.licence
    tags = [("citation_title", title), ("citation_book_title", metadata.title)]
    tags += [("citation_author", name) for name in authors]
    tags += [
        ("citation_publication_date", metadata.date.replace("-", "/") if metadata.date else None),
        ("citation_publisher", metadata.adapted_by),
        ("citation_language", metadata.language),
        ("citation_public_url", page_url),
        ("citation_pdf_url", pdf_url),
        ("dc.rights", licence.url or licence.name),
    ]
    return tuple((name, value) for name, value in tags if value)


def dump_jsonld(document: dict[str, Any]) -> str:
    """JSON that is safe inside ``<script>``: no ``</script>``, ``<!--`` or ``&`` can appear."""
    text = json.dumps(document, ensure_ascii=False, indent=None, separators=(",", ":"))
    for char, escape in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026")):
        text = text.replace(char, escape)
    return text.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")


def _shared_properties(metadata: BookMetadata) -> dict[str, Any]:
    return {
        "inLanguage": metadata.language,
        "learningResourceType": metadata.learning_resource_type,
        "educationalLevel": metadata.educational_level,
        "isAccessibleForFree": True,
    }


def _licence(licence: Licence | None) -> str | None:
    """The deed's address; a licence without one by name; unknown ones are left out."""
    if licence is None or (not licence.known and not licence.url):
        return None
    return licence.url or licence.name


def _source_work(source: Source) -> dict[str, Any]:
    """A work drawn on; unknown facts (its address, licence, date) are left out, not guessed."""
    return _without_empty(
        {
            "@type": "CreativeWork",
            "name": source.title,
            "author": _people(source.authors),
            "publisher": _organization(source.publisher),
            "url": source.url,
            "license": _licence(source.licence),
            "datePublished": source.date,
        }
    )


def _people(people) -> list[dict[str, Any]]:
    return [_person(person) for person in people]


def _person(person: dict[str, Any]) -> dict[str, Any]:
    kind = "Organization" if person.get("group") else "Person"
    return _without_empty({"@type": kind, "name": person["name"], "url": person.get("url")})


def _organization(name: str | None) -> dict[str, str] | None:
    return {"@type": "Organization", "name": name} if name else None


def _book_id(site_url: str | None) -> str:
    return f"{site_url or ''}#book"


def _without_empty(node: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in node.items() if value not in (None, "", [], {})}
