"""Who may read what: teacher-only content, the student and teacher editions, and their labels.

Teacher notes and solutions are *marked* where they are written (the blocks give their element
the attribute :data:`AUDIENCE_ATTR`), however deeply they are nested: in a step, in a details
box, in a tab, in a table cell. Every student output — worksheet pages and PDFs, the classroom
packet, the student edition of the book — passes its finished HTML through
:func:`student_html`, the one function that removes marked elements structurally (lxml), so no
path can forget a nesting level. Facilitator outputs keep them.

:data:`LABELS` and :data:`LINKS` name the labels readers see; each is read from the locale
files (``i18n.t``) when used.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from lxml import html as lxml_html

from opentextbook.i18n import t

AUDIENCE_ATTR = "data-otb-audience"
"""Set to ``teacher`` on the outermost element of a teacher note or a solution."""
TEACHER = "teacher"
NOTES_CLASS = "otb-teacher-notes"
SOLUTION_CLASS = "otb-solution"
MEDIUM_ATTR = "data-otb-medium"
"""``web`` (left out of paper outputs) or ``print`` (left out of the web page)."""
_MARKED = f"//*[@{AUDIENCE_ATTR}='{TEACHER}']"
_WEB_ONLY = f"//*[@{MEDIUM_ATTR}='web']"
_DOCTYPE = re.compile(r"^\s*<!DOCTYPE[^>]*>", re.IGNORECASE)


class _Texts(Mapping):
    """Labels by a short name, each read from the active locale when used (``i18n.t``), so
    the book's language and its ``strings:`` overrides apply; templates may write
    ``labels.solution``."""

    def __init__(self, keys: dict[str, str]) -> None:
        self._keys = keys

    def __getitem__(self, name: str) -> str:
        return t(self._keys[name])

    def __getattr__(self, name: str) -> str:
        try:
            return self[name]
        except KeyError:
            raise AttributeError(name) from None

    def __iter__(self):
        return iter(self._keys)

    def __len__(self) -> int:
        return len(self._keys)


LABELS = _Texts(
    {
        "teacher_notes": "activity.teacher_notes",
        "solution": "activity.solution",
        "answer_key": "edition.answers",
        "answer_key_intro": "cover.intro_answers",
        "no_solutions": "edition.no_solutions",
        "page_notes": "edition.page_notes",
        "online_only": "sheet.online_only",
        "online_only_no_address": "sheet.online_only_no_address",
        "packets_off": "downloads.packets_off",
        "packet_about": "downloads.packet_about",
        "facilitator_about": "downloads.facilitator_about",
        "answers_about": "downloads.answers_about",
    }
)
"""The labels of these features that readers see, from the locale files."""

SHEET_TOO_LONG = (
    "{where}: the worksheet of activity '{title}' takes {pages} pages on {paper}: more "
    "than one sheet of paper (both sides); shorten it or give its steps smaller answer "
    "spaces"
)
SITE_URL_NOTICE = (
    "site_url is not set to the book's published address ({state}), so worksheets carry no "
    "QR code and no online address{more}. Set it with 'site_url:' in mkdocs.yml or the "
    "SITE_URL environment variable, e.g. SITE_URL=https://you.github.io/book/ mkdocs build"
)
"""Build messages (for the author, in English like every build message)."""


def site_url_notice(site_url: str) -> str:
    """The one notice of a build whose sheets print no address: unset, or a placeholder."""
    if site_url:
        state, more = f"'{site_url}' is a placeholder", ""
    else:  # nothing names an address then: pages, citations, the book's PDF and EPUB
        state, more = "it is unset", ", and pages, citations and the book's files name none"
    return SITE_URL_NOTICE.format(state=state, more=more)


LINKS = _Texts(
    {
        "worksheet": "activity.worksheet",
        "page": "activity.printable",
        "letter": "paper.letter",
        "a4": "paper.a4",
        "letter_pdf": "worksheet.pdf_letter",
        "a4_pdf": "worksheet.pdf_a4",
        "answers": "edition.answers",
        "all": "activity.all_worksheets",
        "packet": "edition.packet",
        "facilitator": "edition.facilitator",
    }
)
"""Link texts of the activity box (and the names of the packets on the Downloads page)."""

SOLUTIONS_SHOWN = ("online", "facilitator")
"""Where solutions show: ``online`` (a collapsed box on the page, and on paper for teachers),
``facilitator`` (left out of the web page: only the facilitator edition and answer keys)."""

UNPRINTABLE = {
    "an embedded frame (iframe)": "//iframe",
    "a video": "//video",
    "an audio player": "//audio",
    "a script": "//script",
    "an embedded object": "//object | //embed",
    "a diagram (Mermaid code)": (
        "//*[contains(concat(' ', @class, ' '), ' mermaid ')"
        " or contains(concat(' ', @class, ' '), ' language-mermaid ')]"
        " | //pre[not(ancestor::*[contains(concat(' ', @class, ' '), ' mermaid ')])]["
        + " or ".join(
            f"starts-with(normalize-space(.), '{word}')"
            for word in (
                "graph ",
                "flowchart ",
                "sequenceDiagram",
                "classDiagram",
                "stateDiagram",
                "erDiagram",
                "gantt",
                "mindmap",
                "journey",
                "timeline",
            )
        )
        + "]"
    ),
}
"""What a sheet of paper cannot carry, by what it is called in a warning."""
UNPRINTABLE_SOURCE = {
    "an embedded frame (iframe)": re.compile(r"<iframe", re.IGNORECASE),
    "a video": re.compile(r"<video", re.IGNORECASE),
    "an audio player": re.compile(r"<audio", re.IGNORECASE),
    "a script": re.compile(r"<script", re.IGNORECASE),
    "an embedded object": re.compile(r"<(object|embed)\b", re.IGNORECASE),
    "a diagram (Mermaid code)": re.compile(r"^\s*(`{3,}|~{3,})\s*mermaid", re.IGNORECASE),
}
"""How each is written in a page, to name its line."""


def unprintable_parts(html: str) -> list[str]:
    """What in ``html`` cannot be printed, one name per element, in document order."""
    if not html.strip():
        return []
    root = _parse(html, None)
    found = []
    for kind, xpath in UNPRINTABLE.items():
        elements = [el for el in root.xpath(xpath) if not _inside_found(el, xpath, root)]
        found += [(_position(root, el), kind) for el in elements]
    return [kind for _, kind in sorted(found)]


def _inside_found(element, xpath: str, root) -> bool:
    """A ``<code>`` inside a ``<pre class="mermaid">`` is the same diagram: count it once."""
    return any(ancestor in root.xpath(xpath) for ancestor in element.iterancestors())


def _position(root, element) -> int:
    return next(i for i, el in enumerate(root.iter()) if el is element)


def online_only(html: str, url: str) -> str:
    """``html`` with each unprintable element replaced by an "online only" line."""
    if not any(
        tag in html
        for tag in ("<iframe", "<video", "<audio", "<script", "<object", "<embed", "mermaid")
    ):
        return html
    doctype = _DOCTYPE.match(html)
    root = _parse(html, doctype)
    for xpath in UNPRINTABLE.values():
        for element in root.xpath(xpath):
            if element.getparent() is None:
                continue
            line = lxml_html.Element("p", {"class": "otb-ws-online-only"})
            if url:
                line.text = LABELS["online_only"] + " "
                link = lxml_html.SubElement(line, "a", {"href": url})
                link.text = url
            else:
                line.text = LABELS["online_only_no_address"]
            line.tail = element.tail
            element.getparent().replace(element, line)
    return _serialize(root, doctype)


def is_marked(html: str) -> bool:
    """Whether ``html`` may hold teacher-only content (a quick test before parsing)."""
    return AUDIENCE_ATTR in html


def student_html(html: str) -> str:
    """``html`` (a document or a fragment) without any teacher note or solution.

    The elements are found by their attribute, not by where they sit, and removed with all
    they contain; their tail text (what follows them in the parent) stays.
    """
    return _without(html, _MARKED) if is_marked(html) else html


def paper_html(html: str) -> str:
    """``html`` without the parts meant for the web page only (``/// web-only``)."""
    return _without(html, _WEB_ONLY) if MEDIUM_ATTR in html else html


def _without(html: str, xpath: str) -> str:
    doctype = _DOCTYPE.match(html)
    root = _parse(html, doctype)
    for element in root.xpath(xpath):
        if element.getparent() is not None:
            element.drop_tree()
    return _serialize(root, doctype)


_NOT_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _parse(html: str, doctype):
    html = _NOT_XML.sub("", html)  # characters XML cannot hold: lxml refuses them
    if doctype:
        return lxml_html.document_fromstring(html)
    return lxml_html.fragment_fromstring(html, create_parent="div")


def _serialize(root, doctype) -> str:
    if doctype:
        return lxml_html.tostring(root, encoding="unicode", doctype=doctype.group(0).strip())
    text = lxml_html.tostring(root, encoding="unicode")
    return text.removeprefix("<div>").removesuffix("</div>")
