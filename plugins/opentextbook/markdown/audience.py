"""Blocks that say who or what a part of a page is for.

``/// teacher-notes`` (anywhere in a page) and ``/// solution`` (inside an activity, for the
whole activity or inside one step) are *teacher-only*: online a collapsed box left out of the
search index; on paper only in the facilitator edition, the answer keys and the teacher edition.
Their element carries :data:`~opentextbook.editions.AUDIENCE_ATTR`, which is what every student
output removes (:func:`opentextbook.editions.student_html`), however deeply it is nested.

``/// web-only`` and ``/// print-only`` hold text meant for one medium: the web page, or the
worksheet and the PDFs.
"""

from __future__ import annotations

import logging
import xml.etree.ElementTree as etree

from pymdownx.blocks.block import Block

from opentextbook.editions import (
    AUDIENCE_ATTR,
    LABELS,
    MEDIUM_ATTR,
    NOTES_CLASS,
    SOLUTION_CLASS,
    TEACHER,
)
from opentextbook.errors import SourceError
from opentextbook.markdown import location

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
