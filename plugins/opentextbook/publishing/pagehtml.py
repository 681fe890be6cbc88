"""Repairs to the theme's page HTML that an override could only make by copying its templates.

Material's search box is a ``role="dialog"`` without an accessible name (axe-core's
``aria-dialog-name``): a screen reader announces "dialog" and nothing else. Copying Material's
``partials/search.html`` to add one attribute would freeze a copy of its markup in this project,
so the name is added to the rendered page instead; a test runs every axe-core rule on every page
and fails if Material's markup changes so that this no longer applies.

``404.html`` is served for a missing address at any depth, so MkDocs writes its links from the
site's root (``/book/assets/…``), which breaks as soon as the book is served from another path.
:func:`relocatable_404` makes them relative to a ``<base>`` that a small script can move.
"""

from __future__ import annotations

import re

from markupsafe import escape

from opentextbook.support import templating

_SEARCH_DIALOG = re.compile(r'(<div class="md-search"[^>]*\brole="dialog")(?![^>]*aria-label)')


def name_search_dialog(html: str, label: str) -> str:
    """Give the theme's search dialog an accessible name (``aria-label``)."""
    return _SEARCH_DIALOG.sub(lambda m: f'{m[1]} aria-label="{escape(label)}"', html, count=1)


_HTML_TAG = re.compile(r"<html\b(?![^>]*\bdir=)")


def text_direction(html: str, direction: str) -> str:
    """``dir`` on the page's ``<html>`` as well as Material's ``<body>``: the whole document,
    its title and what assistive technology reads first, run right to left in Arabic."""
    return _HTML_TAG.sub(f'<html dir="{escape(direction)}"', html, count=1)


def relocatable_404(html: str, base_path: str, known: bool = True) -> str:
    """``404.html`` whose own links follow a ``<base>``, moved when served from elsewhere.

    ``known`` says whether ``base_path`` comes from a published ``site_url``: without one the
    book may be served from any path, so even links from ``/`` are made relocatable.
    """
    if not base_path.startswith("/") or not base_path.endswith("/"):
        return html
    if base_path == "/" and known:
        return html  # served from the host's root: root-relative links work from any depth
    # Not "//host/…" (an address on another host) when the base is the root.
    root_relative = re.compile(r'((?:href|src)=")' + re.escape(base_path) + "(?!/)")
    html = root_relative.sub(r"\1", html)
    head = templating.render_template("publishing/relocate-404.html", base=base_path).strip()
    return html.replace("<head>", "<head>\n" + head, 1)
