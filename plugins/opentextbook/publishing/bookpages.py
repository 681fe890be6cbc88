"""The built pages of the site, made into one book for the whole-book PDF and the EPUB.

Both formats start from the HTML that MkDocs rendered for each page, so they say exactly what
the site says. Pages become sections of one document: their ids are prefixed to stay unique,
links between pages become links inside the book, and links to anything else in the site
(worksheets, data files) point at the published site.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import unquote, urljoin, urlsplit

from lxml import html as lxml_html
from lxml.etree import _Element

# Interactive parts of a web page that mean nothing on paper or an e-reader.
_REMOVED = (
    "//a[contains(concat(' ', @class, ' '), ' headerlink ')]"
    " | //script | //noscript | //button | //template"
)
_ID_REFERENCES = ("for", "aria-labelledby", "aria-describedby", "aria-controls", "headers")


@dataclass(frozen=True)
class BookPage:
    """One built page: its source path, title, address in the site and rendered content."""

    src: str
    title: str
    url: str
    html: str


@dataclass(frozen=True)
class BookSection:
    """A page as a section of the book: ``anchor`` is the id of its start."""

    title: str
    anchor: str
    element: _Element
    headings: tuple[tuple[str, str], ...]
    """(id, text) of the section's ``h2`` headings, for the table of contents."""


def page_path(url: str) -> str:
    """The file a page URL is written to: ``a/`` and ``a/index.html`` are the same page."""
    path = unquote(urlsplit(url).path).lstrip("/")
    return f"{path}index.html" if path == "" or path.endswith("/") else path


def book_sections(
    pages: list[BookPage],
    *,
    site_url: str | None,
    resource: Callable[[str], str | None],
) -> list[BookSection]:
    """Turn pages into sections; ``resource(site_path)`` gives an image's new address or None."""
    anchors = {page_path(page.url): f"p{n}" for n, page in enumerate(pages, start=1)}
    return [_section(page, anchors, site_url, resource) for page in pages]


def _section(page, anchors, site_url, resource) -> BookSection:
    prefix = anchors[page_path(page.url)]
    root = lxml_html.fragment_fromstring(page.html or "<p></p>", create_parent="div")
    for element in root.xpath(_REMOVED):
        _drop(element)
    _prefix_ids(root, prefix)
    _rewrite_links(root, page, prefix, anchors, site_url)
    _rewrite_images(root, page, resource)
    _ensure_title(root, page.title)
    root.set("id", prefix)
    headings = tuple(
        (h.get("id"), h.text_content().strip()) for h in root.iter("h2") if h.get("id")
    )
    return BookSection(page.title, prefix, root, headings)


def _drop(element: _Element) -> None:
    """Remove an element but keep its tail text in place."""
    parent = element.getparent()
    if parent is not None:
        element.drop_tree()


def _prefix_ids(root: _Element, prefix: str) -> None:
    """Make every id unique in the book and a valid XML name (EPUB: no ``fn:1``)."""
    seen: set[str] = set()
    for element in root.iter():
        if not isinstance(element.tag, str):
            continue
        if element.get("id"):
            new = book_id(prefix, element.get("id"))
            if new in seen:  # a page that repeats an id would break the EPUB: keep the first
                del element.attrib["id"]
                continue
            seen.add(new)
            element.set("id", new)
        for name in _ID_REFERENCES:
            if element.get(name):
                refs = element.get(name).split()
                element.set(name, " ".join(book_id(prefix, ref) for ref in refs))


def book_id(prefix: str, page_id: str) -> str:
    """``p2`` + ``fn:1`` → ``p2-fn-1``: unique across pages, and a valid XML name."""
    return f"{prefix}-" + re.sub(r"[^A-Za-z0-9_.-]", "-", page_id)


def _rewrite_links(root, page: BookPage, prefix: str, anchors, site_url) -> None:
    base = "/" + page_path(page.url)
    for link in list(root.iter("a")):
        href = link.get("href")
        if href is None:
            continue
        if href.startswith("#"):
            link.set("href", f"#{book_id(prefix, unquote(href[1:]))}" if href[1:] else f"#{prefix}")
            continue
        parts = urlsplit(href)
        if parts.scheme or parts.netloc:
            continue
        target = page_path(urljoin(base, parts.path))
        if target in anchors:
            page_anchor = anchors[target]
            fragment = (
                book_id(page_anchor, unquote(parts.fragment)) if parts.fragment else page_anchor
            )
            link.set("href", f"#{fragment}")
        elif site_url:
            fragment = f"#{parts.fragment}" if parts.fragment else ""
            link.set("href", urljoin(site_url, target + fragment))
        else:  # a site file with no published address: its text, not a link to nowhere
            link.drop_tag()


def _rewrite_images(root, page: BookPage, resource) -> None:
    base = posixpath.dirname(page_path(page.url))
    for image in list(root.iter("img")):
        src = image.get("src", "")
        if urlsplit(src).scheme == "data":
            continue
        path = posixpath.normpath(posixpath.join(base, unquote(urlsplit(src).path)))
        new = None if urlsplit(src).scheme else resource(path)
        if new is None:
            _replace_with_alt(image)
        else:
            image.set("src", new)
            image.attrib.pop("srcset", None)


def _replace_with_alt(image: _Element) -> None:
    """An image the book cannot carry is replaced by its text alternative, never dropped."""
    alt = image.get("alt", "")
    span = lxml_html.Element("span")
    span.text = alt
    span.tail = image.tail
    image.getparent().replace(image, span)


def _ensure_title(root: _Element, title: str) -> None:
    if root.find(".//h1") is None:
        heading = lxml_html.Element("h1")
        heading.text = title
        root.insert(0, heading)
