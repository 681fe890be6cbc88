"""What the PLN builder page needs from the build: the map's geometry, and its asset tags.

The builder draws in the browser with the same constants, base drawing (rings, sectors,
legend) and stylesheet as the templates, so ``pln-geometry.js`` is written from
:mod:`opentextbook.pln.geometry` and :mod:`opentextbook.pln.svgmap` at build time rather than
copied by hand into the JavaScript.
"""

from __future__ import annotations

import json

from opentextbook.metadata import BookMetadata
from opentextbook.pln import geometry as geo
from opentextbook.pln.render import credit_for, render
from opentextbook.pln.svgmap import HEIGHT, WIDTH, base_svg

BUILDER_ASSETS = ("pln.css", "pln-geometry.js", "pln-builder.js")
"""The builder page's own files, under the plugin's asset folder in the site."""


def builder_geometry(metadata: BookMetadata) -> dict:
    """Geometry, base drawing and credit line for the builder's live map and its exports."""
    credit = credit_for(metadata, "Drawn with the PLN builder")
    return {
        **geo.geometry(),
        "width": WIDTH,
        "height": HEIGHT,
        "base": base_svg(),
        "credit": credit.lines,
        "language": metadata.language,
    }


def geometry_script(metadata: BookMetadata) -> str:
    """``pln-geometry.js``: a script rather than JSON so the page works from ``file://`` too."""
    data = json.dumps(builder_geometry(metadata), ensure_ascii=False, indent=1)
    # "</" cannot end a script element early even if a remixed label contains it.
    safe = data.replace("</", "<\\/")
    return f"window.OPENTEXTBOOK_PLN_GEOMETRY = {safe};\n"


def add_builder_assets(html: str, asset_url: str) -> str:
    """Add the builder's stylesheet to ``<head>`` and its scripts before ``</body>``.

    ``asset_url`` is the asset folder relative to the page, so the site works under a
    sub-path and opened from disk.
    """
    head = render("builder-head.html.j2", base=asset_url)
    scripts = render("builder-scripts.html.j2", base=asset_url)
    before_head, _, after_head = html.partition("</head>")
    before_body, _, after_body = after_head.rpartition("</body>")
    return f"{before_head}{head}</head>{before_body}{scripts}</body>{after_body}"
