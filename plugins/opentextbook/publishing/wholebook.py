"""The whole book as one print-ready PDF: cover, contents with page numbers, every page.

Built from the pages MkDocs rendered (see :mod:`~opentextbook.publishing.bookpages`) and
printed by :func:`opentextbook.pdf.render_pdf`, so it is tagged (PDF/UA-1), has the book's
title and language, bookmarks from its headings, and fetches nothing from the network.
"""

from __future__ import annotations

from pathlib import Path

from lxml import html as lxml_html
from markupsafe import Markup

from opentextbook.metadata import BookMetadata
from opentextbook.pdf import render_pdf
from opentextbook.publishing.bookpages import BookPage, book_sections
from opentextbook.publishing.snippets import render_template

TEMPLATE_DIR = Path(__file__).resolve().parent.parent / "templates" / "publishing"
STYLESHEET = TEMPLATE_DIR / "wholebook.css"


def whole_book_html(
    metadata: BookMetadata,
    pages: list[BookPage],
    *,
    site_dir: Path,
    site_url: str | None,
) -> str:
    """The book as one HTML document; images point at the built site's files."""

    def resource(path: str) -> str | None:
        file = site_dir / path
        return file.resolve().as_uri() if file.is_file() else None

    sections = book_sections(pages, site_url=site_url, resource=resource)
    return render_template(
        "wholebook.html",
        book=metadata,
        site_url=site_url,
        sections=[_with_html(section) for section in sections],
    )


def write_whole_book_pdf(html: str, target: Path, *, site_dir: Path, extra_css: list[Path]) -> Path:
    """Print ``html`` (from :func:`whole_book_html`) to ``target``, atomically."""
    stylesheets = [*extra_css, STYLESHEET]
    return render_pdf(html, target, base_url=site_dir, stylesheets=stylesheets, forms=True)


def _with_html(section):
    return {
        "title": section.title,
        "anchor": section.anchor,
        "headings": section.headings,
        "html": Markup(lxml_html.tostring(section.element, encoding="unicode")),
    }
