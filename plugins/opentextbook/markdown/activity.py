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
import re
import xml.etree.ElementTree as etree
from typing import Any

from markdown import Markdown
from markdown.preprocessors import Preprocessor
from markdown.serializers import to_html_string
from markdown.treeprocessors import Treeprocessor
from markdown.util import AtomicString
from pymdownx.blocks import BlocksExtension
from pymdownx.blocks.block import Block, type_boolean, type_html_identifier, type_string_in

from opentextbook.activities.editions import (
    LINKS,
    MEDIUM_ATTR,
    NOTES_CLASS,
    SOLUTION_CLASS,
    SOLUTIONS_SHOWN,
    UNPRINTABLE_SOURCE,
    unprintable_parts,
)
from opentextbook.activities.model import (
    GROUPINGS,
    Activity,
    ActivityRegistry,
    AnswerSpace,
    Step,
    TeacherNote,
    parse_duration,
    parse_objectives,
    parse_step_answers,
)
from opentextbook.activities.worksheets import answer_key_file, packet_file, worksheet_files
from opentextbook.i18n import t
from opentextbook.i18n.slugs import slugify
from opentextbook.markdown import audience, location
from opentextbook.markdown.unread import unread_blocks
from opentextbook.support.errors import SourceError, did_you_mean

log = logging.getLogger("mkdocs.plugins.opentextbook")

_BODY_CLASS = "otb-activity__body"
_DOWNLOAD = re.compile(r"\.(pdf|docx?|odt|csv|xlsx?|ods|svg|zip|epub|pptx?|odp)$", re.IGNORECASE)

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
        _mark_download_paragraphs(self.body)
        parts = _split_body(self.body)
        activity = self.activity
        activity.before_html = _html(md, parts["before"])
        activity.after_html = _html(md, parts["after"])
        activity.teacher_notes_html = _html(md, parts["notes"])
        activity.solution_html = _html(md, parts["solution"])
        spaces = self.options["steps"]
        first = parts["start"]
        activity.steps = tuple(
            _step(md, number, item, spaces.get(number, activity.answer))
            for number, item in enumerate(parts["steps"], start=first)
        )
        self._check_steps(spaces, first)
        self._check_unprintable()

    def _check_steps(self, spaces: dict[int, AnswerSpace], first: int) -> None:
        activity = self.activity
        numbers = range(first, first + len(activity.steps))
        for number in sorted(set(spaces) - set(numbers)):
            shown = f"steps {numbers[0]} to {numbers[-1]}" if numbers else "no numbered steps"
            _warn(
                f"activity '{activity.title}': 'steps' names step {number}, "
                f"but the activity has {shown}",
                self.line,
                "number the steps as an ordered list (1. 2. 3.) or remove the entry",
            )

    def _check_unprintable(self) -> None:
        """Content a sheet cannot carry (iframe, video, diagram code, script): one warning each."""
        activity = self.activity
        texts = [activity.before_html, activity.after_html, *(step.html for step in activity.steps)]
        found = []
        for kind in unprintable_parts("".join(texts)):
            line = _line_of(kind, activity.line, [line for _, line in found])
            found.append((kind, line))
            _warn(
                f"activity '{activity.title}': {kind} cannot be printed; its worksheet says "
                "'online only' with the activity's address instead",
                line,
                "put it outside the activity, or in a /// web-only block with a printable "
                "alternative in a /// print-only block",
            )
        activity.unprintable = tuple(found)


def _step(md: Markdown, number: int, item: etree.Element, space: AnswerSpace) -> Step:
    """One step; a ``/// solution`` written directly in it becomes the step's solution."""
    solutions = [child for child in item if SOLUTION_CLASS in child.get("class", "")]
    rest = etree.Element("li")
    rest.text, rest[:] = item.text, [child for child in item if child not in solutions]
    solution = _html(md, [body for child in solutions for body in _box_body(child)])
    return Step(number, _inner_html(md, rest), space, solution)


def _line_of(kind: str, start: int | None, taken: list[int | None]) -> int | None:
    """The source line of the first ``kind`` after the activity's header not yet reported."""
    pattern = UNPRINTABLE_SOURCE.get(kind)
    lines = location.current_page().text.splitlines()
    for number, text in enumerate(lines, start=1):
        if number > (start or 0) and pattern and pattern.search(text) and number not in taken:
            return number
    return start


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


def _split_body(body: etree.Element) -> dict[str, Any]:
    """Instructions before the steps, the steps, what follows, teacher notes, the solution.

    The steps are the first numbered list, or the first bullet list when there is none.
    """
    parts: dict[str, Any] = {"before": [], "steps": [], "after": [], "notes": [], "solution": []}
    parts["start"] = 1
    lists = [child for child in body if child.tag == "ol"] or [
        child for child in body if child.tag == "ul"
    ]
    steps = lists[0] if lists else None
    for child in body:
        classes = child.get("class", "")
        if NOTES_CLASS in classes:
            parts["notes"].extend(_box_body(child))
        elif SOLUTION_CLASS in classes:
            parts["solution"].extend(_box_body(child))
        elif child is steps:
            parts["steps"] = [item for item in child if item.tag == "li"]
            parts["start"] = int(child.get("start", "1"))
        else:
            parts["after" if parts["steps"] else "before"].append(child)
    return parts


def _box_body(box: etree.Element) -> list[etree.Element]:
    """What a teacher-notes or solution box holds (not its summary)."""
    body = box.find("div")
    return list(body) if body is not None else []


def _mark_download_paragraphs(body: etree.Element) -> None:
    """A paragraph of links to files (templates, data) is for the web page, not the sheet.

    It is one whose links are at least two, two thirds of them to files to download.
    """
    for paragraph in body.iter("p"):
        hrefs = [link.get("href", "") for link in paragraph.iter("a")]
        files = [href for href in hrefs if _DOWNLOAD.search(href.split("#")[0])]
        if len(files) >= 2 and 3 * len(files) >= 2 * len(hrefs):
            paragraph.set(MEDIUM_ATTR, "web")


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
        # Before the activities' content is collected: teacher-only text that is not a block.
        audience.withhold_cell_blocks(root)
        audience.withhold_unread_blocks(root)
        for block in self.extension.pending:
            block.collect()
            if block.activity.worksheet:
                _links(block.box, block.activity, self.extension)
        self.extension.pending.clear()
        _collect_page_notes(root, self.md, self.extension.registry)
        if self.extension.getConfig("solutions") == "facilitator":
            _remove(root, lambda el: SOLUTION_CLASS in el.get("class", ""))
        _report_unclosed(self.md.parser.blockprocessors["blocks"].stack)
        _report_unread(root)


def _collect_page_notes(root: etree.Element, md: Markdown, registry: ActivityRegistry) -> None:
    """Teacher notes outside activities, in page order, for the facilitator edition."""
    page, url = location.current_page().path, location.current_page().url

    def visit(element: etree.Element) -> None:
        for child in element:
            classes = child.get("class", "")
            if "otb-activity" in classes.split():
                continue
            if NOTES_CLASS in classes:
                registry.add_note(TeacherNote(page, _html(md, _box_body(child)), url))
            else:
                visit(child)

    visit(root)


def _remove(root: etree.Element, test) -> None:
    """Remove every element ``test`` accepts, wherever it is nested."""
    for parent in list(root.iter()):
        for child in [child for child in parent if test(child)]:
            parent.remove(child)


def _links(box: etree.Element, activity: Activity, extension: ActivityExtension) -> None:
    """The worksheet, its PDFs, the answer key, and the packets and editions of the book."""
    folder = extension.getConfig("folder")
    files = worksheet_files(activity.id, folder)
    here = location.current_page().url

    def link(parent: etree.Element, target: str, text: str, name: str) -> None:
        a = etree.SubElement(parent, "a", {"href": _relative(here, target)})
        # The accessible name starts with the visible text (WCAG 2.5.3, label in name).
        a.set("aria-label", name)
        a.text = text

    def about(text: str) -> str:
        return t("activity.link_name", text=text, label=activity.label, title=activity.title)

    p = etree.SubElement(box, "p", {"class": "otb-activity__links"})
    p.text = t("activity.worksheet") + " "
    link(p, files["page"], LINKS["page"], about(LINKS["page"]))
    if extension.getConfig("pdf"):
        link(p, files["letter"], LINKS["letter_pdf"], about(LINKS["letter_pdf"]))
        link(p, files["a4"], LINKS["a4_pdf"], about(LINKS["a4_pdf"]))
    if activity.has_solution:
        key = answer_key_file(activity.id, folder)
        link(p, key, LINKS["answers"], about(LINKS["answers"]))
    _separate(p)
    if extension.getConfig("pdf"):
        _packet_links(box, folder, link)
    if book := extension.getConfig("book"):
        _book_links(box, book, link)


def _packet_links(box: etree.Element, folder: str, link) -> None:
    """Every worksheet at once: the classroom packet, facilitator edition and answer key."""
    p = etree.SubElement(box, "p", {"class": "otb-activity__links otb-activity__packets"})
    p.text = t("activity.all_worksheets_intro") + " "
    for number, edition in enumerate(("packet", "facilitator", "answers")):
        label = etree.SubElement(p, "span")
        label.text = (t("list.semicolon") if number else "") + LINKS[edition] + " ("
        for paper in ("letter", "a4"):
            name = t("activity.packet_link_name", text=LINKS[paper], edition=LINKS[edition])
            link(p, packet_file(edition, paper, folder), LINKS[paper], name)
        p[-2].tail, p[-1].tail = t("list.separator"), ")"
    p[-1].tail = ")."


def _book_links(box: etree.Element, book: list[list[str]], link) -> None:
    """The whole book's student and teacher editions, ``(label, site path)`` pairs."""
    p = etree.SubElement(box, "p", {"class": "otb-activity__links otb-activity__book"})
    for label, path in book:
        link(p, path, label, label)
    _separate(p)


def _separate(p: etree.Element) -> None:
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
    for header, line in unread_blocks(root, (ActivityBlock.NAME, *audience.NAMES)):
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
            "solutions": ["online", "online: a collapsed box on the page; facilitator: paper only"],
            "book": [[], "The whole book's editions linked from each box: [label, path] pairs"],
        }
        super().__init__(*args, **kwargs)
        if self.getConfig("solutions") not in SOLUTIONS_SHOWN:
            raise ValueError(
                f"opentextbook.markdown.activity: 'solutions: {self.getConfig('solutions')}' "
                f"is not a choice; write one of: {', '.join(SOLUTIONS_SHOWN)}"
            )
        self.registry: ActivityRegistry = ActivityRegistry() if registry is None else registry
        self.pending: list[ActivityBlock] = []

    def start_page(self) -> None:
        self.registry.begin_page(location.current_page().path)
        self.pending.clear()

    def extendMarkdownBlocks(self, md: Markdown, block_mgr: Any) -> None:
        config = {"extension": self}
        block_mgr.register(ActivityBlock, config)
        for block in audience.BLOCKS:
            block_mgr.register(block, config)
        md.preprocessors.register(_PageStart(md, self), "otb_activity_page", 100)
        # A list written from 5. keeps its numbers (Python-Markdown restarts it at 1 by
        # default), online and on the worksheet, whose steps are numbered from it.
        md.parser.blockprocessors["olist"].LAZY_OL = False
        md.treeprocessors.register(_ActivityLinks(md, self), "otb_activity_links", -5)


def makeExtension(*args: Any, **kwargs: Any) -> ActivityExtension:
    return ActivityExtension(*args, **kwargs)
