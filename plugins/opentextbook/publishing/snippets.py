"""Blocks that pages include as macros: attribution, "attribute this book", citations, downloads.

One template per block, so the chapter and the licence page show the same attribution from one
source, and a remixer who changes ``data/book.yml`` changes every copy of it.
"""

from __future__ import annotations

import posixpath
from collections.abc import Callable
from dataclasses import dataclass

from markupsafe import Markup

from opentextbook import templating
from opentextbook.citations import format_citations
from opentextbook.metadata import BookMetadata


@dataclass(frozen=True)
class Download:
    """One whole-book download: where it is written in the site and how it is described."""

    label: str
    path: str
    description: str


def attribution(metadata: BookMetadata, *, changes: bool = True) -> str:
    """The TASL attribution of the adapted work, the changes, and this book's licence."""
    return render_template("attribution.html", book=metadata, changes=changes)


def attribute_this_book(metadata: BookMetadata, site_url: str | None) -> str:
    """Ready-to-copy attribution for people who reuse or remix this book."""
    text = attribution_text(metadata, site_url)
    return _copyable("otb-attribute-book", "Attribution text", text, button="Copy attribution")


def attribution_text(metadata: BookMetadata, site_url: str | None) -> str:
    """One paragraph in the form Creative Commons recommends: title, author, source, licence."""
    source = metadata.source
    by = f" by the {metadata.adapted_by}" if metadata.adapted_by else ""
    publisher = f" ({source.publisher})" if source.publisher else ""
    where = f" Available at {site_url}." if site_url else ""
    licence = metadata.licence
    licence_ref = f"{licence.short} ({licence.url})" if licence.url else licence.short
    return (
        f"“{metadata.title}”{by}, adapted from “{source.title}” by {source.author}{publisher}, "
        f"is licensed under {licence_ref}.{where}"
    )


def cite_this_chapter(metadata: BookMetadata, page_url: str | None) -> str:
    """The five citation formats, each with its copy button."""
    blocks = []
    for citation in format_citations(metadata, page_url):
        block_id = f"otb-cite-{citation.key}"
        html = Markup(citation.html)  # made from HTML-escaped metadata (see citations.py)
        blocks.append(
            _copyable(block_id, citation.label, citation.text, html, citation.preformatted)
        )
    return '<div class="otb-cite">\n' + "\n".join(blocks) + "\n</div>"


def downloads_list(downloads: list[Download] | None, page_src: str) -> str:
    """A Markdown list of the downloads, linked relative to the page that shows it."""
    items = [
        {
            "label": item.label,
            "href": posixpath.relpath(item.path, posixpath.dirname(page_src) or "."),
            "description": item.description,
        }
        for item in downloads or []
    ]
    return render_template("downloads.html", downloads=items)


def macros(
    metadata: BookMetadata,
    *,
    site_url: str | None,
    page_url: Callable[[], str | None],
    page_src: Callable[[], str],
    downloads: Callable[[], list[Download] | None],
) -> dict[str, Callable[..., str]]:
    """The macros pages call (``{{ book_attribution() }}`` …); the callables give page context."""
    return {
        "book_attribution": lambda changes=True: attribution(metadata, changes=changes),
        "attribute_this_book": lambda: attribute_this_book(metadata, site_url),
        "cite_this_chapter": lambda: cite_this_chapter(metadata, page_url()),
        "book_downloads": lambda: downloads_list(downloads(), page_src()),
    }


def _copyable(
    block_id: str,
    label: str,
    text: str,
    html: str | None = None,
    preformatted: bool = False,
    button: str | None = None,
) -> str:
    return render_template(
        "copyable.html",
        id=block_id,
        label=label,
        button=button or f"Copy {label}",
        text=text,
        html=html if html is not None else text,
        preformatted=preformatted,
    )


def render_template(name: str, **context) -> str:
    """Render one of the templates in ``templates/publishing/`` (autoescaped)."""
    return templating.render_template(f"publishing/{name}", **context).strip()
