"""What the PLN builder page needs from the build: the map's geometry, and its asset tags.

The builder draws in the browser with the same constants, base drawing (rings, sectors,
legend) and stylesheet as the templates, so ``pln-geometry.js`` is written from
:mod:`opentextbook.pln.geometry` and :mod:`opentextbook.pln.svgmap` at build time rather than
copied by hand into the JavaScript.
"""

from __future__ import annotations

import json
from urllib.parse import urlsplit

from opentextbook import i18n
from opentextbook.i18n import t
from opentextbook.metadata import BookMetadata
from opentextbook.pln import geometry as geo
from opentextbook.pln.render import credit_for, render
from opentextbook.pln.svgmap import (
    CREDIT_LINE,
    HEIGHT,
    WIDTH,
    base_svg,
    credit_lines,
    credit_y,
    obstacles,
)

BUILDER_ASSETS = ("pln.css", "pln-geometry.js", "pln-builder.js")
"""The builder page's own files, under the plugin's asset folder in the site."""

STORAGE_KEY_PREFIX = "opentextbook.pln-builder.v1"
"""The key every book shared before keys were per book; the script adopts a map saved there."""


def storage_key(metadata: BookMetadata, site_url: str | None) -> str:
    """The browser storage key of this book's map: two books on one host keep separate maps.

    Browsers share local storage per origin (and every ``file://`` page shares one), so the key
    names the book by the path of its ``site_url`` and its title.
    """
    path = urlsplit(site_url or "").path.rstrip("/") + "/"
    return f"{STORAGE_KEY_PREFIX}:{path}:{metadata.title}"


def builder_geometry(metadata: BookMetadata) -> dict:
    """Geometry, base drawing and credit line for the builder's live map and its exports."""
    credit = credit_for(metadata, t("pln.builder.credit"))
    return {
        **geo.geometry(),
        "width": WIDTH,
        "height": HEIGHT,
        "base": base_svg(),
        "obstacles": [list(box) for box in obstacles()],
        "creditLine": CREDIT_LINE,
        "credit": credit_lines(credit),
        "creditY": credit_y(credit_lines(credit)),
        "language": metadata.language,
        # The builder's words in the book's language (it reads them from this script).
        "strings": {
            key: text
            for key, text in i18n.active().texts.items()
            if key.startswith("builder.") or key == "pln.map.title"
        },
    }


def geometry_script(metadata: BookMetadata) -> str:
    """``pln-geometry.js``: a script rather than JSON so the page works from ``file://`` too."""
    data = json.dumps(builder_geometry(metadata), ensure_ascii=False, indent=1)
    # "</" cannot end a script element early even if a remixed label contains it.
    safe = data.replace("</", "<\\/")
    return f"window.OPENTEXTBOOK_PLN_GEOMETRY = {safe};\n"


def add_builder_assets(html: str, asset_url: str, key: str) -> str:
    """Add the builder's stylesheet to ``<head>`` and its scripts before ``</body>``.

    ``asset_url`` is the asset folder relative to the page, so the site works under a
    sub-path and opened from disk; ``key`` (from :func:`storage_key`) goes into the script's
    ``data-storage-key`` attribute, escaped by the template.
    """
    head = render("builder-head.html.j2", base=asset_url)
    scripts = render("builder-scripts.html.j2", base=asset_url, storage_key=key)
    before_head, _, after_head = html.partition("</head>")
    before_body, _, after_body = after_head.rpartition("</body>")
    return f"{before_head}{head}</head>{before_body}{scripts}</body>{after_body}"
