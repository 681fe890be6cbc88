"""Blocks that pages include: attribution, credits, "attribute this book", citations, downloads.

One template per block, so every chapter, its footer and the licence page show the same
credits from one source (``data/book.yml`` and the chapter's front matter), and a remixer who
changes them changes every copy.
"""

from __future__ import annotations

import posixpath
from collections.abc import Callable
from dataclasses import dataclass

from markupsafe import Markup

from opentextbook.book import BookContents, BookMetadata, PageCredit, people_phrase
from opentextbook.book.citations import format_citations
from opentextbook.i18n import active, licence_url, t
from opentextbook.support import templating


@dataclass(frozen=True)
class Download:
    """One whole-book download: where it is written in the site and how it is described."""

    label: str
    path: str
    description: str


def attribution(metadata: BookMetadata, credit: PageCredit, *, changes: bool = True) -> str:
    """One chapter's TASL attribution: its sources, their licences, the changes, its licence."""
    return render_template("attribution.html", book=metadata, chapter=credit, changes=changes)


def credits_table(metadata: BookMetadata, contents: BookContents, page_url: str) -> str:
    """Every chapter with its authors, licence, sources and changes (the licence page)."""
    base = posixpath.dirname(page_url)
    rows = [
        {"chapter": chapter, "href": posixpath.relpath(chapter.url, base or ".")}
        for chapter in contents.chapters
    ]
    return render_template("credits.html", book=metadata, rows=rows)


def footer(metadata: BookMetadata, credit: PageCredit) -> Markup:
    """The footer of a page: the chapter's credits, or the book's on other pages."""
    return Markup(render_template("footer.html", book=metadata, credit=credit))


def attribute_this_book(metadata: BookMetadata, site_url: str | None, sources=None) -> str:
    """Ready-to-copy attribution for people who reuse or remix this book."""
    text = attribution_text(metadata, site_url, sources)
    label, button = t("copy.attribution_label"), t("copy.attribution_button")
    return _copyable("otb-attribute-book", label, text, button=button)


def attribution_text(metadata: BookMetadata, site_url: str | None, sources=None) -> str:
    """One paragraph in the form Creative Commons recommends: title, author, source, licence."""
    sources = metadata.sources if sources is None else sources
    work = t("attribute.quoted_by", title=metadata.title, author=people_phrase(metadata.authors))
    adapted = "; ".join(
        t(
            "attribute.quoted_by",
            title=source.title,
            author=source.author or t("credit.unknown_author"),
        )
        + (f" ({source.publisher})" if source.publisher else "")
        for source in sources
    )
    licence = metadata.licence
    licence_ref = f"{licence.short} ({licence_url(licence)})" if licence.url else licence.short
    if adapted:
        text = t("attribute.adapted", work=work, sources=adapted, licence=licence_ref)
    else:
        text = t("attribute.licensed", work=work, licence=licence_ref)
    return text + (" " + t("attribute.available", url=site_url) if site_url else "")


def cite_this_chapter(
    metadata: BookMetadata, page_url: str | None, credit: PageCredit | None = None
) -> str:
    """The five citation formats, each with its copy button."""
    blocks = []
    for citation in format_citations(metadata, page_url, credit):
        block_id = f"otb-cite-{citation.key}"
        html = Markup(citation.html)  # made from HTML-escaped metadata (see citations.py)
        blocks.append(
            _copyable(block_id, citation.label, citation.text, html, citation.preformatted)
        )
    return '<div class="otb-cite">\n' + "\n".join(blocks) + "\n</div>"


def chapter_end(metadata: BookMetadata, credit: PageCredit, page_url: str | None) -> str:
    """What every chapter ends with: its attribution and licence, then "Cite this chapter"."""
    return render_template(
        "chapter_end.html",
        attribution=Markup(attribution(metadata, credit)),
        citations=Markup(cite_this_chapter(metadata, page_url, credit)) if credit.cite else None,
    )


def in_words(number: int) -> str:
    """ "ten" for 10: small counts in running text are words (style guides agree to twelve),
    in the book's language (``number.words``); larger ones in the language's digits."""
    words = t("number.words").split("|")
    return words[number] if 0 <= number < len(words) else active().number(number)


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
    contents: Callable[[], BookContents],
) -> dict[str, Callable[..., str]]:
    """The macros pages call (``{{ book_attribution() }}`` …); the callables give page context."""

    def credit() -> PageCredit:
        return contents().get(page_src())

    return {
        "book_attribution": lambda changes=True: attribution(metadata, credit(), changes=changes),
        "book_credits": lambda: credits_table(metadata, contents(), page_src_url(page_src())),
        "attribute_this_book": lambda: attribute_this_book(metadata, site_url, contents().sources),
        "cite_this_chapter": lambda: cite_this_chapter(metadata, page_url(), credit()),
        "book_downloads": lambda: downloads_list(downloads(), page_src()),
        "in_words": in_words,
        "activity_count": lambda: contents().activity_count,
    }


def page_src_url(src: str) -> str:
    """The address of page ``src`` (``a/b.md`` → ``a/b.html``; the site's pages are files)."""
    stem = src[: -len(".md")] if src.endswith(".md") else src
    return f"{stem}.html"


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
        button=button or t("copy.button", label=label),
        text=text,
        html=html if html is not None else text,
        preformatted=preformatted,
    )


def render_template(name: str, **context) -> str:
    """Render one of the templates in ``templates/publishing/`` (autoescaped)."""
    return templating.render_template(f"publishing/{name}", **context).strip()
