"""Repairs to the theme's page HTML that an override could only make by copying its templates.

Material's search box is a ``role="dialog"`` without an accessible name (axe-core's
``aria-dialog-name``): a screen reader announces "dialog" and nothing else. Copying Material's
``partials/search.html`` to add one attribute would freeze a copy of its markup in this project,
so the name is added to the rendered page instead; a test runs every axe-core rule on every page
and fails if Material's markup changes so that this no longer applies.
"""

from __future__ import annotations

import re

from markupsafe import escape

_SEARCH_DIALOG = re.compile(r'(<div class="md-search"[^>]*\brole="dialog")(?![^>]*aria-label)')


def name_search_dialog(html: str, label: str) -> str:
    """Give the theme's search dialog an accessible name (``aria-label``)."""
    return _SEARCH_DIALOG.sub(lambda m: f'{m[1]} aria-label="{escape(label)}"', html, count=1)
