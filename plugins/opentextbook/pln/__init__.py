"""PLN map and inventory templates, an example filled in, and the PLN builder's shared geometry.

The chapter's *Draw your PLN* activity asks readers to list their sources of learning, group
them and draw them. This sub-package generates what they need on paper (map as SVG and PDF,
inventory as fillable PDF, DOCX and CSV, and the same filled in with the author's PLN) and the
geometry the builder page draws with, so the paper and browser maps look alike.
"""

from __future__ import annotations

from opentextbook.pln.builder import (
    BUILDER_ASSETS,
    add_builder_assets,
    geometry_script,
    storage_key,
)
from opentextbook.pln.downloads import PLN_DOWNLOADS_DIR, Download, write_pln_downloads

__all__ = [
    "BUILDER_ASSETS",
    "PLN_DOWNLOADS_DIR",
    "Download",
    "add_builder_assets",
    "geometry_script",
    "storage_key",
    "write_pln_downloads",
]
