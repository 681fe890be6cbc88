"""Captions and header scopes for plain Markdown tables (``opentextbook.markdown.tablecaption``).

Python-Markdown's tables have no caption syntax and no ``scope`` on header cells, so a screen
reader user hears an unnamed grid. This extension borrows Pandoc's syntax: a paragraph starting
``Table:`` right before (or right after) a table becomes its ``<caption>``::

    Table: Templates for the Draw your PLN activity

    | Template | Files |
    |---|---|
    | PLN map | [SVG](pln-map.svg) |

and every header cell of a table gets ``scope="col"`` (or ``scope="row"`` in the body).
"""

from __future__ import annotations

import xml.etree.ElementTree as etree

from markdown import Extension, Markdown
from markdown.treeprocessors import Treeprocessor

PREFIX = "Table:"


class TableCaptionTreeprocessor(Treeprocessor):
    """Moves ``Table:`` paragraphs into the neighbouring table and scopes header cells."""

    def run(self, root: etree.Element) -> None:
        for parent in list(root.iter()):
            for table in [child for child in parent if child.tag == "table"]:
                _caption(parent, table)
                _scope(table)


def _caption(parent: etree.Element, table: etree.Element) -> None:
    if table.find("caption") is not None:
        return
    children = list(parent)
    at = children.index(table)
    neighbours = children[at - 1 : at] + children[at + 1 : at + 2]  # before wins over after
    for paragraph in neighbours:
        if _is_caption(paragraph):
            caption = etree.Element("caption")
            caption.text = paragraph.text.lstrip()[len(PREFIX) :].lstrip()
            caption.extend(list(paragraph))
            parent.remove(paragraph)
            table.insert(0, caption)
            return


def _is_caption(element: etree.Element) -> bool:
    return element.tag == "p" and (element.text or "").lstrip().startswith(PREFIX)


def _scope(table: etree.Element) -> None:
    for section, scope in (("thead", "col"), ("tbody", "row")):
        for cell in table.iterfind(f"{section}/tr/th"):
            cell.set("scope", cell.get("scope", scope))


class TableCaptionExtension(Extension):
    """Registers the tree-processor after inline Markdown (so captions keep their links)."""

    def extendMarkdown(self, md: Markdown) -> None:
        md.treeprocessors.register(TableCaptionTreeprocessor(md), "otb_table_caption", 5)


def makeExtension(**kwargs) -> TableCaptionExtension:
    return TableCaptionExtension(**kwargs)
