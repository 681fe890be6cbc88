"""Blocks that say who or what a part of a page is for.

``/// teacher-notes`` (anywhere in a page) and ``/// solution`` (inside an activity, for the
whole activity or inside one step) are *teacher-only*: online a collapsed box left out of the
search index; on paper only in the facilitator edition, the answer keys and the teacher edition.
Their element carries :data:`~opentextbook.activities.editions.AUDIENCE_ATTR`, which is what every
student output removes (:func:`opentextbook.activities.editions.student_html`), however deeply it
is nested.

``/// web-only`` and ``/// print-only`` hold text meant for one medium: the web page, or the
worksheet and the PDFs.

A table cell holds one line of inline text, so a block cannot be written there: a
``/// teacher-notes`` or ``/// solution`` in a cell is reported (page and line) and its text is
still withheld like a block's (:func:`withhold_cell_blocks`); one that pymdownx could not read
(bad options) is left as paragraphs, which are marked too (:func:`withhold_unread_blocks`). So
a build that is not strict cannot show teacher-only text to students.
"""

from __future__ import annotations

import logging
import re
import xml.etree.ElementTree as etree

from pymdownx.blocks.block import Block

from opentextbook.activities.editions import (
    AUDIENCE_ATTR,
    LABELS,
    MEDIUM_ATTR,
    NOTES_CLASS,
    SOLUTION_CLASS,
    TEACHER,
)
from opentextbook.markdown import location
from opentextbook.support.errors import SourceError

log = logging.getLogger("mkdocs.plugins.opentextbook")

TEACHER_NOTES = "teacher-notes"
SOLUTION = "solution"
ACTIVITY = "activity"


def block_line(block: Block) -> int | None:
    """The line of this block's header: the n-th header of its name on the page.

    Blocks are created in the order they are written, nested or not, so counting them gives
    the right header even when several (or one inside another) share a name.
    """
    count = block.tracker.setdefault("count", 0)
    block.tracker["count"] = count + 1
    return location.block_line(block.NAME, None, count)


def warn(message: str, line: int | None, fix: str | None = None) -> None:
    """A page problem: one WARNING naming page and line, so ``mkdocs build --strict`` fails."""
    log.warning(str(SourceError(location.current_page().path, message, line, fix=fix)))


def in_activity(block: Block) -> bool:
    """Whether ``block`` is written inside an ``/// activity`` (at any depth)."""
    return any(entry.block.NAME == ACTIVITY for entry in block._block_mgr.stack)


class _TeacherOnlyBlock(Block):
    """A collapsed box for teachers, marked so every student output leaves it out."""

    ARGUMENT = None
    CLASS = ""
    LABEL = ""

    def on_create(self, parent: etree.Element) -> etree.Element:
        attrs = {"class": self.CLASS, AUDIENCE_ATTR: TEACHER, "data-search-exclude": ""}
        details = etree.SubElement(parent, "details", attrs)
        etree.SubElement(details, "summary").text = LABELS[self.LABEL]
        return etree.SubElement(details, "div", {"class": f"{self.CLASS}__body"})


class TeacherNotesBlock(_TeacherOnlyBlock):
    """``/// teacher-notes``: facilitation notes, anywhere in a page, never for students."""

    NAME = TEACHER_NOTES
    CLASS = NOTES_CLASS
    LABEL = "teacher_notes"

    def on_validate(self, parent: etree.Element) -> bool:
        self.line = block_line(self)
        return True


class SolutionBlock(_TeacherOnlyBlock):
    """``/// solution`` inside an activity (or one of its steps): the answer, for teachers."""

    NAME = SOLUTION
    CLASS = SOLUTION_CLASS
    LABEL = "solution"

    def on_validate(self, parent: etree.Element) -> bool:
        self.line = block_line(self)
        if not in_activity(self):
            warn(
                "a solution belongs inside an /// activity block (or one of its steps)",
                self.line,
                "move it inside the activity, or make it a /// teacher-notes block",
            )
        return True


class _MediumBlock(Block):
    """Text for one medium only: the web page, or paper (worksheets and PDFs)."""

    ARGUMENT = None
    MEDIUM = ""

    def on_validate(self, parent: etree.Element) -> bool:
        self.line = block_line(self)
        return True

    def on_create(self, parent: etree.Element) -> etree.Element:
        attrs = {"class": f"otb-{self.MEDIUM}-only", MEDIUM_ATTR: self.MEDIUM}
        return etree.SubElement(parent, "div", attrs)


class WebOnlyBlock(_MediumBlock):
    NAME = "web-only"
    MEDIUM = "web"


class PrintOnlyBlock(_MediumBlock):
    NAME = "print-only"
    MEDIUM = "print"


BLOCKS = (TeacherNotesBlock, SolutionBlock, WebOnlyBlock, PrintOnlyBlock)
NAMES = tuple(block.NAME for block in BLOCKS)
_TEACHER_ONLY = {block.NAME: block for block in (TeacherNotesBlock, SolutionBlock)}


_CELL_BLOCK = re.compile(rf"/{{3,}}[ ]*({TEACHER_NOTES}|{SOLUTION})(?![\w-])")
_SOURCE_CELL_BLOCK = re.compile(rf"/{{3,}}[^\w|]*(?:{TEACHER_NOTES}|{SOLUTION})(?![\w-])")
"""As written in a table row: markup may sit between the slashes and the name (``*///*``)."""
_CLOSING = re.compile(r"\s*/{3,}\s*$")
_CODE = {"code", "pre", "kbd", "samp"}


def withhold_cell_blocks(root: etree.Element) -> None:
    """Report each teacher-only block written in a table cell, and keep its text out of
    student outputs: from its ``/// name`` to the end of the cell, the text goes into the
    block's own collapsed, marked box (:data:`~opentextbook.activities.editions.AUDIENCE_ATTR`).

    A cell form is not offered as a second syntax: an answer table is written as a whole
    table inside ``/// solution`` (which also reaches the answer keys).
    """
    lines = [
        number
        for number, line in enumerate(location.current_page().text.splitlines(), start=1)
        if "|" in line
        for _ in _SOURCE_CELL_BLOCK.finditer(line)
    ]
    found = 0
    for cell in [cell for cell in root.iter() if cell.tag in ("td", "th")]:
        match = _CELL_BLOCK.search(_shown_text(cell))
        if not match:
            continue
        name = match.group(1)
        warn(
            f"a /// {name} block cannot be written in a table cell (a cell holds one line "
            "of text); its text is left out of student outputs",
            lines[found] if found < len(lines) else None,
            f"put the /// {name} block after the table, or the whole table inside it",
        )
        found += 1
        _withhold(cell, name)


def _shown_text(element: etree.Element) -> str:
    """The element's text, without code (a block header shown as code is not a block)."""
    parts = [] if element.tag in _CODE else [element.text or ""]
    for child in element:
        parts += [_shown_text(child), child.tail or ""]
    return "".join(parts)


def _withhold(cell: etree.Element, name: str) -> None:
    """Move the cell's content from the block's header on into a teacher-only box."""
    block = _TEACHER_ONLY[name]
    box = etree.Element(
        "details", {"class": block.CLASS, AUDIENCE_ATTR: TEACHER, "data-search-exclude": ""}
    )
    etree.SubElement(box, "summary").text = LABELS[block.LABEL]
    # As a block's box holds it (a paragraph in the body), so it is collected the same way.
    wrapper = etree.SubElement(box, "div", {"class": f"{block.CLASS}__body"})
    body = etree.SubElement(wrapper, "p")
    children = list(cell)
    match = _CELL_BLOCK.search(cell.text or "")
    if match:
        start, body.text, cell.text = 0, cell.text[match.end() :], cell.text[: match.start()]
    elif (start := _first_holding(children)) is None:  # split by markup: withhold it all
        start, body.text, cell.text = 0, cell.text, ""
    else:
        child = children[start]
        match = _CELL_BLOCK.search(child.tail or "")
        if match and not _CELL_BLOCK.search(_shown_text(child)):
            body.text, child.tail = child.tail[match.end() :], child.tail[: match.start()]
            start += 1
    for child in children[start:]:
        cell.remove(child)
        body.append(child)
    _strip_closing(body)
    cell.append(box)


def _first_holding(children: list[etree.Element]) -> int | None:
    """The first child whose text or tail holds the header (both are searched together)."""
    return next(
        (
            number
            for number, child in enumerate(children)
            if _CELL_BLOCK.search(_shown_text(child) + (child.tail or ""))
        ),
        None,
    )


def _strip_closing(body: etree.Element) -> None:
    """Drop the block's closing ``///`` and the spaces around the text."""
    body.text = (body.text or "").lstrip()
    last = body[-1] if len(body) else None
    text = last.tail if last is not None else body.text
    text = _CLOSING.sub("", text or "")
    if last is not None:
        last.tail = text
    else:
        body.text = text


_UNREAD_HEADER = re.compile(rf"(?m)^[ ]{{0,3}}/{{3,}}[ ]*(?:{TEACHER_NOTES}|{SOLUTION})(?![\w-])")
_CLOSING_LINE = re.compile(r"(?m)^[ ]{0,3}/{3,}[ ]*$")


def withhold_unread_blocks(root: etree.Element) -> None:
    """Mark what pymdownx left as plain text of a teacher-only block it could not read (its
    header paragraph, up to the one holding the closing ``///``), so student outputs leave
    it out; the block itself is reported elsewhere (``unread.py``)."""
    for parent in list(root.iter()):
        if parent.tag in _CODE or parent.tag in ("td", "th"):
            continue
        open_block = False
        for child in parent:
            starts = child.tag not in _CODE and _UNREAD_HEADER.search(child.text or "")
            if starts or open_block:
                child.set(AUDIENCE_ATTR, TEACHER)
                child.set("data-search-exclude", "")
                text = (child.text or "")[starts.end() :] if starts else child.text or ""
                open_block = not _CLOSING_LINE.search(text)
