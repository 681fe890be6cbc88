"""The ``/// activity | Title`` block: a classroom activity inside a chapter.

Page syntax (options are optional, in the indented YAML header)::

    /// activity | Draw your PLN
        id: draw-your-pln
        duration: 30 minutes
        grouping: individual          # individual | pairs | group
        objectives: [See your network as a whole, Find gaps in it]
        answer: lines:4               # default space after each step
        steps: {3: drawing}           # per step: lines, lines:N, box, box:N, drawing, none
        worksheet: true               # false: no worksheet for this activity

    Why the activity matters (a paragraph).

    1. First step.
    2. Second step.

    /// teacher-notes
    Shown online in a collapsed "For teachers" box and in the facilitator edition only.
    ///
    ///

The block *marks and collects*: it validates options (a bad one is a WARNING naming page and
line, never a silent fallback to plain text), draws the box, and registers an ``Activity`` in
the shared :class:`~opentextbook.activities.ActivityRegistry`. Worksheets and PDFs are made
from the registry after all pages are read. Without MkDocs the extension works alone with its
own registry.
"""

from __future__ import annotations

import logging
import posixpath
import xml.etree.ElementTree as etree
from typing import Any

from markdown import Markdown
from markdown.preprocessors import Preprocessor
from markdown.serializers import to_html_string
from markdown.treeprocessors import Treeprocessor
from markdown.util import AtomicString
from pymdownx.blocks import BlocksExtension
from pymdownx.blocks.block import Block, type_boolean, type_html_identifier, type_string_in

from opentextbook.activities import (
    GROUPINGS,
    Activity,
    ActivityRegistry,
    AnswerSpace,
    Step,
    parse_duration,
    parse_objectives,
    parse_step_answers,
)
from opentextbook.errors import SourceError, did_you_mean
from opentextbook.i18n import t
from opentextbook.i18n.slugs import slugify
from opentextbook.markdown import location
from opentextbook.markdown.unread import unread_blocks
from opentextbook.worksheets import worksheet_files

log = logging.getLogger("mkdocs.plugins.opentextbook")

TEACHER_NOTES = "teacher-notes"
_BODY_CLASS = "otb-activity__body"
_NOTES_CLASS = "otb-teacher-notes"

__all__ = ["ActivityExtension", "makeExtension", "slugify"]


OPTIONS = {
    "id": ("", type_html_identifier),
    "duration": (None, parse_duration),
    "grouping": (None, type_string_in(GROUPINGS)),
    "objectives": ((), parse_objectives),
    "answer": (AnswerSpace(), AnswerSpace.parse),
    "steps": ({}, parse_step_answers),
    "worksheet": (True, type_boolean),
}

_HINTS = {
    "id": "use letters, digits and hyphens, e.g. 'draw-your-pln'",
    "duration": "write minutes (20) or text ('20 minutes')",
    "grouping": "valid choices: " + ", ".join(GROUPINGS),
    "objectives": "write a list: [First objective, Second objective]",
    "answer": "use lines, lines:N, box, box:N, drawing or none",
    "steps": "write e.g. {1: lines:4, 3: drawing}",
    "worksheet": "write true or false",
}


def _warn(message: str, line: int | None, fix: str | None = None) -> None:
    """A page problem: one WARNING naming page and line, so ``mkdocs build --strict`` fails."""
    log.warning(str(SourceError(location.current_page().path, message, line, fix=fix)))


class ActivityBlock(Block):
    """A classroom activity: title as the argument, steps and prompts as the body."""

    NAME = "activity"
    ARGUMENT = None  # a missing title is reported by us, not silently refused
    OPTIONS = OPTIONS

    def _validate(self, parent: etree.Element, arg: Any, **options: Any) -> bool:
        """Like pymdownx's, but every bad option is a warning, and the block still renders."""
        self.argument = (arg or "").strip()
        self.line = self._locate()
        if not self.argument:
            _warn("an activity needs a title", self.line, "write '/// activity | Title'")
            self.argument = t("activity.untitled")
        self.options = {key: default for key, (default, _) in self.option_spec.items()}
        for key, value in options.items():
            self._set_option(key, value)
        if any(isinstance(entry.block, ActivityBlock) for entry in self._block_mgr.stack):
            _warn("an activity cannot sit inside another activity", self.line, "close it first")
        return True

    def _locate(self) -> int | None:
        """The line of this block's header, counting repeats of the same header on the page."""
        seen = self.tracker.setdefault("seen", {})
        occurrence = seen.get(self.argument, 0)
        seen[self.argument] = occurrence + 1
        return location.block_line(self.NAME, self.argument or None, occurrence)

    def _set_option(self, key: str, value: Any) -> None:
        if key not in self.option_spec:
            fix = did_you_mean(key, OPTIONS)
            _warn(f"activity '{self.argument}': unknown option '{key}'", self.line, fix)
            return
        try:
            self.options[key] = self.option_spec[key][1](value)
        except (TypeError, ValueError) as exc:
            _warn(
                f"activity '{self.argument}': bad value for '{key}': {exc}",
                self.line,
                _HINTS.get(key),
            )

    def on_create(self, parent: etree.Element) -> etree.Element:
        self.activity = self._register()
        box = etree.SubElement(parent, "section", {"class": "otb-activity", "id": self.activity.id})
        header = etree.SubElement(box, "div", {"class": "otb-activity__header"})
        _icon(header)
        heading = etree.SubElement(header, "h3", {"class": "otb-activity__title"})
        # Title and options are text: AtomicString keeps Markdown's inline pass (raw HTML,
        # links, attribute lists) away from them, as the worksheet's autoescape does.
        heading.text = AtomicString(f"{self.activity.label}: {self.activity.title}")
        _meta(box, self.activity)
        body = etree.SubElement(box, "div", {"class": _BODY_CLASS})
        self.box, self.body = box, body
        self.config["extension"].pending.append(self)
        return body

    def _register(self) -> Activity:
        extension = self.config["extension"]
        options = self.options
        activity = Activity(
            id=options["id"] or slugify(self.argument) or "activity",
            title=self.argument,
            page=location.current_page().path,
            line=self.line,
            page_url=location.current_page().url,
            duration=options["duration"],
            grouping=options["grouping"],
            objectives=options["objectives"],
            answer=options["answer"],
            worksheet=options["worksheet"],
        )
        try:
            return extension.registry.add(activity)
        except SourceError as exc:
            log.error(str(exc))
            return activity

    def collect(self) -> None:
        """Copy the finished content into the registered activity.

        Runs after MkDocs has rewritten links (they are then relative to the page's URL, and
        the worksheet renderer can rebase them), so not in ``on_inline_end``.
        """
        md = self.md
        parts = _split_body(self.body)
        activity = self.activity
        activity.before_html = _html(md, parts["before"])
        activity.after_html = _html(md, parts["after"])
        activity.teacher_notes_html = _html(md, parts["notes"])
        spaces = self.options["steps"]
        first = parts["start"]
        activity.steps = tuple(
            Step(number, _inner_html(md, item), spaces.get(number, activity.answer))
            for number, item in enumerate(parts["steps"], start=first)
        )
        numbers = range(first, first + len(activity.steps))
        for number in sorted(set(spaces) - set(numbers)):
            shown = f"steps {numbers[0]} to {numbers[-1]}" if numbers else "no numbered steps"
            _warn(
                f"activity '{activity.title}': 'steps' names step {number}, "
                f"but the activity has {shown}",
                self.line,
                "number the steps as an ordered list (1. 2. 3.) or remove the entry",
            )


class TeacherNotesBlock(Block):
    """``/// teacher-notes`` inside an activity: facilitation notes, never on student sheets."""

    NAME = TEACHER_NOTES
    ARGUMENT = None

    def on_validate(self, parent: etree.Element) -> bool:
        if _BODY_CLASS not in parent.get("class", ""):
            line = location.block_line(self.NAME)
            _warn("teacher notes belong inside an /// activity block", line, "move them inside")
        return True

    def on_create(self, parent: etree.Element) -> etree.Element:
        details = etree.SubElement(parent, "details", {"class": _NOTES_CLASS})
        etree.SubElement(details, "summary").text = t("activity.teacher_notes")
        return etree.SubElement(details, "div", {"class": "otb-teacher-notes__body"})


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
            "aria-label": t("activity.icon"),
        },
    )
    etree.SubElement(svg, "title").text = t("activity.icon")
    etree.SubElement(
        svg, "path", {"fill": "currentColor", "d": "M14.6 2 6 14h5.4L9.4 22 18 10h-5.4z"}
    )


def _meta(box: etree.Element, activity: Activity) -> None:
    """Duration, grouping and objectives, when the author gave them."""
    grouping = activity.grouping and t(f"activity.grouping.{activity.grouping}")
    facts = [(t("activity.time"), activity.duration), (t("activity.grouping"), grouping)]
    facts = [(name, value) for name, value in facts if value]
    if facts:
        dl = etree.SubElement(box, "dl", {"class": "otb-activity__meta"})
        for name, value in facts:
            etree.SubElement(dl, "dt").text = name
            etree.SubElement(dl, "dd").text = AtomicString(value)
    if activity.objectives:
        p = etree.SubElement(box, "p", {"class": "otb-activity__objectives-title"})
        p.text = t("activity.objectives")
        ul = etree.SubElement(box, "ul", {"class": "otb-activity__objectives"})
        for objective in activity.objectives:
            etree.SubElement(ul, "li").text = AtomicString(objective)


def _split_body(body: etree.Element) -> dict[str, list]:
    """Instructions before the first numbered list, its steps, what follows, teacher notes."""
    parts: dict[str, Any] = {"before": [], "steps": [], "after": [], "notes": [], "start": 1}
    for child in body:
        if _NOTES_CLASS in child.get("class", ""):
            parts["notes"].extend(child.find("div") if child.find("div") is not None else [])
        elif child.tag == "ol" and not parts["steps"]:
            parts["steps"] = [item for item in child if item.tag == "li"]
            parts["start"] = int(child.get("start", "1"))
        else:
            parts["after" if parts["steps"] else "before"].append(child)
    return parts


def _html(md: Markdown, elements: list[etree.Element]) -> str:
    """Serialize finished elements, restoring raw HTML Python-Markdown had set aside."""
    html = "".join(to_html_string(el) for el in elements)
    for processor in md.postprocessors:
        html = processor.run(html)
    return html.strip()


def _inner_html(md: Markdown, element: etree.Element) -> str:
    """The content of ``element`` (e.g. a list item) without its own tags."""
    copy = etree.Element("div")
    copy.text, copy[:] = element.text, list(element)
    return _html(md, [copy]).removeprefix("<div>").removesuffix("</div>").strip()


class _PageStart(Preprocessor):
    """At the start of every conversion, forget what the page registered last time."""

    def __init__(self, md: Markdown, extension: ActivityExtension) -> None:
        super().__init__(md)
        self.extension = extension

    def run(self, lines: list[str]) -> list[str]:
        self.extension.start_page()
        return lines


class _ActivityLinks(Treeprocessor):
    """Collects content, adds the worksheet links, reports blocks left as plain text.

    Runs after MkDocs' link check (priority 0): worksheets are build outputs written after the
    pages, so MkDocs would not find them among the documentation files.
    """

    def __init__(self, md: Markdown, extension: ActivityExtension) -> None:
        super().__init__(md)
        self.extension = extension

    def run(self, root: etree.Element) -> None:
        for block in self.extension.pending:
            block.collect()
            if block.activity.worksheet:
                _links(block.box, block.activity, self.extension)
        self.extension.pending.clear()
        _report_unclosed(self.md.parser.blockprocessors["blocks"].stack)
        _report_unread(root)


def _links(box: etree.Element, activity: Activity, extension: ActivityExtension) -> None:
    files = worksheet_files(activity.id, extension.getConfig("folder"))
    here = location.current_page().url

    def link(parent: etree.Element, key: str, text: str) -> None:
        a = etree.SubElement(parent, "a", {"href": _relative(here, files[key])})
        # The accessible name starts with the visible text (WCAG 2.5.3, label in name).
        name = t("activity.link_name", text=text, label=activity.label, title=activity.title)
        a.set("aria-label", name)
        a.text = text

    p = etree.SubElement(box, "p", {"class": "otb-activity__links"})
    p.text = t("activity.worksheet") + " "
    link(p, "page", t("activity.printable"))
    if extension.getConfig("pdf"):
        link(p, "letter", t("worksheet.pdf_letter"))
        link(p, "a4", t("worksheet.pdf_a4"))
    for a in list(p)[:-1]:
        a.tail = " · "


def _relative(page_url: str, target: str) -> str:
    """``target`` (site-relative) as seen from the page at ``page_url`` (works under any prefix)."""
    start = page_url if page_url.endswith("/") or not page_url else posixpath.dirname(page_url)
    relative = posixpath.relpath(target, start or ".")
    return relative + "/" if target.endswith("/") and not relative.endswith("/") else relative


def _report_unclosed(stack: list[Any]) -> None:
    """pymdownx silently ends a block left open with the page, unfinished: report it."""
    for entry in stack:
        if isinstance(entry.block, ActivityBlock):
            _warn(
                f"activity '{entry.block.argument}' is never closed: "
                "it takes in the rest of the page",
                entry.block.line,
                "add a line '///' after its last step",
            )


def _report_unread(root: etree.Element) -> None:
    """pymdownx shows a block it cannot read as plain text, silently: report each one."""
    for header, line in unread_blocks(root, (ActivityBlock.NAME, TEACHER_NOTES)):
        _warn(
            f"the block '{header}' could not be read and would show as plain text",
            line,
            "check its options: an indented 'key: value' YAML header, then a blank line",
        )


class ActivityExtension(BlocksExtension):
    """Registers the ``activity`` and ``teacher-notes`` blocks.

    The MkDocs adapter passes a shared ``registry=`` (keyword) and names each page through
    :mod:`opentextbook.markdown.location`; used alone, the extension keeps its own registry
    and numbers activities per page.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        registry = kwargs.pop("registry", None)  # an object, not a text setting: not a config
        self.config = {
            "folder": ["worksheets", "Site folder of the worksheets"],
            "pdf": [True, "Link the PDF worksheets (false when PDFs are not built)"],
        }
        super().__init__(*args, **kwargs)
        self.registry: ActivityRegistry = ActivityRegistry() if registry is None else registry
        self.pending: list[ActivityBlock] = []

    def start_page(self) -> None:
        self.registry.begin_page(location.current_page().path)
        self.pending.clear()

    def extendMarkdownBlocks(self, md: Markdown, block_mgr: Any) -> None:
        config = {"extension": self}
        block_mgr.register(ActivityBlock, config)
        block_mgr.register(TeacherNotesBlock, config)
        md.preprocessors.register(_PageStart(md, self), "otb_activity_page", 100)
        # A list written from 5. keeps its numbers (Python-Markdown restarts it at 1 by
        # default), online and on the worksheet, whose steps are numbered from it.
        md.parser.blockprocessors["olist"].LAZY_OL = False
        md.treeprocessors.register(_ActivityLinks(md, self), "otb_activity_links", -5)


def makeExtension(*args: Any, **kwargs: Any) -> ActivityExtension:
    return ActivityExtension(*args, **kwargs)
