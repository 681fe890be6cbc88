"""Where a block sits: the page being converted, and the line a block opens on.

Python-Markdown forgets where text came from, and pymdownx blocks only say "this block".
The MkDocs adapter knows the page, so it tells this module the page's path and source in
``on_page_markdown`` (:func:`set_page`); a block then finds its opening line by searching that
source for its header. Without MkDocs (a plain ``markdown.markdown()`` call) no page is set and
messages name ``<markdown>`` instead — still one clear warning, never a silent fallback.
"""

from __future__ import annotations

import logging
import posixpath
import re
from dataclasses import dataclass

log = logging.getLogger("mkdocs.plugins.opentextbook")

UNKNOWN_PAGE = "<markdown>"


@dataclass
class PageSource:
    """The page now being converted: its path as shown to authors, and its full text."""

    path: str = UNKNOWN_PAGE
    text: str = ""
    url: str = ""
    """The page's address in the site (``page.url``), for links relative to it."""


_current = PageSource()


def set_page(path: str, text: str, url: str = "") -> None:
    """Called by the adapter before a page is converted (``on_page_markdown``)."""
    global _current
    _current = PageSource(path=path, text=text, url=url)


def clear_page() -> None:
    """Forget the page (after a build), so a later plain conversion does not name it."""
    set_page(UNKNOWN_PAGE, "")


def current_page() -> PageSource:
    return _current


_FENCE = re.compile(r"^\s*(?P<fence>`{3,}|~{3,})")


def block_line(name: str, argument: str | None = None, occurrence: int = 0) -> int | None:
    """1-based line of the ``occurrence``-th ``/// name | argument`` header in the page.

    ``argument`` narrows the search to headers with that argument (e.g. the same caption);
    ``None`` counts every header of the block. Returns ``None`` when the header is not in the
    source as written (e.g. produced by a macro).
    """
    header = re.compile(rf"^\s*/{{3,}}\s*{re.escape(name)}\s*(?:\|\s*(?P<arg>.*?))?\s*$")
    seen = 0
    fence = None  # a block header shown inside a fenced code sample is not a block
    for number, line in enumerate(_current.text.splitlines(), start=1):
        opened = _FENCE.match(line)
        if opened and (fence is None or opened["fence"].startswith(fence)):
            fence = opened["fence"][:3] if fence is None else None
            continue
        match = None if fence else header.match(line)
        if not match:
            continue
        if argument is not None and (match.group("arg") or "").strip() != argument.strip():
            continue
        if seen == occurrence:
            return number
        seen += 1
    return None


def site_link(target: str) -> str:
    """``target`` (a path from the site root) as a link relative to the current page."""
    folder = posixpath.dirname(_current.url) or "."
    return posixpath.relpath(target, start=folder)


def where(line: int | None) -> str:
    """``page:line`` (or just the page when the line is unknown) for a message."""
    return f"{_current.path}:{line}" if line else _current.path


def warn_block(name: str, message: str, argument: str | None = None, occurrence: int = 0) -> None:
    """Log a problem with a block as a WARNING naming page and line (fails ``--strict``)."""
    log.warning("%s: %s", where(block_line(name, argument, occurrence)), message)
