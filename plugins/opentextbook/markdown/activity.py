"""The ``/// activity | Title`` block: a classroom activity inside a chapter.

Foundation version: a styled, linkable box with the activity icon. The activities issue adds
validated options, numbering, teacher notes and worksheets without changing the page syntax.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as etree

from pymdownx.blocks import BlocksExtension
from pymdownx.blocks.block import Block, type_html_identifier

ICON_TITLE = "Activity"
_SLUG = re.compile(r"[^a-z0-9]+")


def slugify(title: str) -> str:
    """A stable id from a title: ``Draw your PLN`` -> ``draw-your-pln``."""
    return _SLUG.sub("-", title.lower()).strip("-")


class ActivityBlock(Block):
    """A classroom activity: title as the argument, steps and prompts as the body."""

    NAME = "activity"
    ARGUMENT = True
    OPTIONS = {"id": ("", type_html_identifier)}

    def on_create(self, parent: etree.Element) -> etree.Element:
        ident = self.options["id"] or slugify(self.argument)
        box = etree.SubElement(parent, "section", {"class": "otb-activity", "id": ident})
        header = etree.SubElement(box, "div", {"class": "otb-activity__header"})
        _icon(header)
        heading = etree.SubElement(header, "h3", {"class": "otb-activity__title"})
        heading.text = f"Activity: {self.argument}"
        return etree.SubElement(box, "div", {"class": "otb-activity__body"})


def _icon(parent: etree.Element) -> None:
    """The activity icon as inline SVG with a text alternative (no file, no request)."""
    svg = etree.SubElement(
        parent,
        "svg",
        {
            "class": "otb-activity__icon",
            "xmlns": "http://www.w3.org/2000/svg",
            "viewBox": "0 0 24 24",
            "width": "32",
            "height": "32",
            "role": "img",
            "aria-label": ICON_TITLE,
        },
    )
    etree.SubElement(svg, "title").text = ICON_TITLE
    etree.SubElement(
        svg,
        "path",
        {
            "fill": "currentColor",
            "d": "M14.6 2 6 14h5.4L9.4 22 18 10h-5.4z",
        },
    )


class ActivityExtension(BlocksExtension):
    """Registers the ``activity`` block."""

    def extendMarkdownBlocks(self, md, block_mgr) -> None:
        block_mgr.register(ActivityBlock, self.getConfigs())


def makeExtension(*args, **kwargs) -> ActivityExtension:
    return ActivityExtension(*args, **kwargs)
