"""The whole book as print-ready HTML documents: one per chapter, and the front matter.

Built from the pages MkDocs rendered (see :mod:`~opentextbook.publishing.bookpages`). Each page
of the book becomes a document of its own, so the chapters are printed in parallel and each
is cached on its own (:mod:`~opentextbook.publishing.bookparts`); the front matter (cover,
contents) is made last, with the page numbers the printed chapters were found to start on.

A link from one chapter to another cannot be resolved inside one chapter's document
(WeasyPrint drops a link to an anchor it does not hold), so it is written as a *part link*
(``PART_LINK`` + the anchor) and turned into a link inside the book once the parts are
assembled. Ids are already unique across the book (``p3-…``: see ``bookpages.book_id``).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from lxml import html as lxml_html
from markupsafe import Markup

from opentextbook.metadata import BookMetadata
from opentextbook.publishing.bookpages import BookPage, BookSection, book_sections
from opentextbook.publishing.snippets import render_template

TEMPLATE_DIR = Path(__file__).resolve().parent.parent / "templates" / "publishing"
STYLESHEET = TEMPLATE_DIR / "wholebook.css"
PART_LINK = "urn:x-opentextbook:anchor:"
"""A link to an anchor in another part of the book, resolved when the parts are assembled."""


@dataclass(frozen=True)
class ChapterDocument:
    """One page of the book as a document of its own, and what its contents entry needs."""

    source: str
    """The page's source path, to name it in a message."""
    title: str
    anchor: str
    """The id of the chapter's start (``p3``); its headings' ids start with it."""
    headings: tuple[tuple[str, str], ...]
    """(id, text) of its ``h2`` headings, listed in the contents."""
    html: str
    images: tuple[Path, ...]
    """The site files it shows: part of what its PDF is made from."""


def chapter_documents(
    metadata: BookMetadata,
    pages: list[BookPage],
    *,
    site_dir: Path,
    site_url: str | None,
) -> list[ChapterDocument]:
    """Each page as an HTML document of its own; images point at the built site's files."""
    images: dict[str, Path] = {}

    def resource(path: str) -> str | None:
        file = (site_dir / path).resolve()
        if not file.is_file():
            return None
        images[file.as_uri()] = file
        return file.as_uri()

    sections = book_sections(pages, site_url=site_url, resource=resource)
    anchors = {section.anchor for section in sections}
    return [
        _chapter_document(metadata, page.src, section, anchors, images)
        for page, section in zip(pages, sections, strict=True)
    ]


def _chapter_document(
    metadata: BookMetadata,
    source: str,
    section: BookSection,
    anchors: set[str],
    images: dict[str, Path],
) -> ChapterDocument:
    _defer_part_links(section.element, section.anchor, anchors)
    shown = sorted({images[src] for src in section.element.xpath(".//img/@src") if src in images})
    html = render_template(
        "wholebook-chapter.html",
        language=metadata.language,
        title=section.title,
        html=Markup(lxml_html.tostring(section.element, encoding="unicode")),
    )
    return ChapterDocument(
        source, section.title, section.anchor, section.headings, html, tuple(shown)
    )


def _defer_part_links(root, own: str, anchors: set[str]) -> None:
    """Links to another chapter's anchors become part links (see the module's docstring)."""
    for link in root.iter("a"):
        href = link.get("href") or ""
        if href.startswith("#") and href[1:]:
            part = part_of(href[1:])
            if part != own and part in anchors:
                link.set("href", PART_LINK + href[1:])


def part_of(anchor: str) -> str:
    """The chapter an id belongs to: ``p3-fn-1`` → ``p3``."""
    return anchor.split("-", 1)[0]


def front_matter_html(
    metadata: BookMetadata,
    chapters: list[ChapterDocument],
    numbers: dict[str, int],
    *,
    site_url: str | None,
) -> str:
    """Cover and contents; ``numbers`` gives the printed page of each chapter and heading id
    (a heading not found on any page gets its chapter's)."""

    def entry(anchor: str, text: str, chapter: str) -> dict:
        page = numbers.get(anchor, numbers[chapter])
        return {"href": PART_LINK + anchor, "page": page, "text": text}

    sections = [
        {
            **entry(chapter.anchor, chapter.title, chapter.anchor),
            "headings": [entry(id_, text, chapter.anchor) for id_, text in chapter.headings],
        }
        for chapter in chapters
    ]
    return render_template(
        "wholebook-front.html", book=metadata, site_url=site_url, sections=sections
    )


def digits_html(metadata: BookMetadata) -> str:
    """The page whose page-number box prints the ten digits (see ``pagenumbers``)."""
    return render_template("wholebook-digits.html", language=metadata.language)
