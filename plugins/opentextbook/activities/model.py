"""Classroom activities: what one activity holds, and the book-wide registry that numbers them.

The ``/// activity`` block *marks and collects*: it parses options and content, then hands an
:class:`Activity` to the :class:`ActivityRegistry`. Numbering ("Activity 1.2"), duplicate-id
checks and worksheet output happen later, once every page has been read — the same split as
sphinx-exercise's registry or pymdownx's caption numbering. Nothing here imports MkDocs.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field, fields
from typing import Any

from opentextbook.activities.editions import SOLUTION_CLASS
from opentextbook.i18n import t
from opentextbook.support.errors import SourceError

GROUPINGS = ("individual", "pairs", "group", "small groups", "whole class")
ANSWER_KINDS = ("lines", "box", "drawing", "none")
DEFAULT_LINES = 4
MAX_LINES = 40
_ANSWER = re.compile(r"^\s*(?P<kind>[a-z]+)\s*(?::\s*(?P<count>\d+))?\s*$")


@dataclass(frozen=True)
class AnswerSpace:
    """Room left on a worksheet for an answer: ruled lines, a box, a drawing area, or none."""

    kind: str = "lines"
    lines: int = DEFAULT_LINES

    @classmethod
    def parse(cls, text: object) -> AnswerSpace:
        """``lines``, ``lines:6``, ``box``, ``box:8``, ``drawing``, ``none`` -> an answer space.

        The number is the height in lines (ruled lines for ``lines``, blank lines otherwise).
        Raises ``ValueError`` with the valid forms when ``text`` is none of them.
        """
        match = _ANSWER.match(str(text)) if isinstance(text, str) else None
        if not match or match["kind"] not in ANSWER_KINDS:
            raise ValueError(
                f"'{text}' is not an answer space; use lines, lines:N, box, box:N, drawing or none"
            )
        count = int(match["count"]) if match["count"] else _default_height(match["kind"])
        if not 1 <= count <= MAX_LINES:
            raise ValueError(f"'{text}': the number of lines must be 1 to {MAX_LINES}")
        return cls(match["kind"], count)

    def __str__(self) -> str:
        return self.kind if self.kind == "none" else f"{self.kind}:{self.lines}"


def _default_height(kind: str) -> int:
    return {"drawing": 12, "box": 6}.get(kind, DEFAULT_LINES)


def parse_duration(value: Any) -> str:
    """``20`` (minutes, said in the book's language: "20 minutos") or text such as
    ``"20 minutes"`` / ``"1 hour"``, kept as written."""
    if isinstance(value, int) and not isinstance(value, bool) and value > 0:
        return t("activity.minutes", count=value)
    if isinstance(value, str) and value.strip():
        return value.strip()
    raise ValueError("a duration is minutes (20) or text ('20 minutes')")


def parse_objectives(value: Any) -> tuple[str, ...]:
    """One sentence or a list of them."""
    items = [value] if isinstance(value, str) else value
    if not isinstance(items, list) or not all(isinstance(i, str) and i.strip() for i in items):
        raise ValueError("objectives are a list of sentences")
    return tuple(item.strip() for item in items)


def parse_step_answers(value: Any) -> dict[int, AnswerSpace]:
    """``{1: lines:4, 3: drawing}``: the answer space after particular steps."""
    if not isinstance(value, dict):
        raise ValueError("steps is a mapping of step number to answer space, e.g. {3: drawing}")
    spaces = {}
    for key, space in value.items():
        if not str(key).isdigit() or int(key) < 1:
            raise ValueError(f"'{key}' is not a step number (1, 2, 3 ...)")
        spaces[int(key)] = AnswerSpace.parse(space)
    return spaces


@dataclass(frozen=True)
class Step:
    """One numbered step of an activity and the answer space printed after it."""

    number: int
    html: str
    answer: AnswerSpace
    solution_html: str = ""
    """The step's own ``/// solution`` (facilitator edition and answer keys only)."""


@dataclass
class Activity:
    """One activity as written in a page, with everything a worksheet needs.

    ``before_html`` and ``after_html`` are the instructions around the numbered steps;
    ``teacher_notes_html`` and ``solution_html`` (the whole activity's ``/// solution``) are
    shown online (collapsed) and on paper in the facilitator edition and answer keys only;
    notes and solutions nested deeper stay in place in the HTML, marked for removal from
    every student output (:func:`opentextbook.activities.editions.student_html`). ``unprintable``
    names what cannot go on paper (iframe, video…), each with its line.
    """

    id: str
    title: str
    page: str
    line: int | None = None
    page_url: str = ""
    duration: str | None = None
    grouping: str | None = None
    objectives: tuple[str, ...] = ()
    answer: AnswerSpace = field(default_factory=AnswerSpace)
    worksheet: bool = True
    before_html: str = ""
    steps: tuple[Step, ...] = ()
    after_html: str = ""
    teacher_notes_html: str = ""
    solution_html: str = ""
    unprintable: tuple[tuple[str, int | None], ...] = ()
    index: int = 0
    chapter: int | None = None

    @property
    def number(self) -> str:
        """``1.2`` for the second activity of chapter 1; just ``2`` outside a numbered book."""
        return f"{self.chapter}.{self.index}" if self.chapter else str(self.index)

    @property
    def label(self) -> str:
        return t("activity.label", number=self.number)

    @property
    def has_solution(self) -> bool:
        """Whether the activity gives a solution anywhere (it then gets an answer key)."""
        texts = [self.before_html, self.after_html, *(step.html for step in self.steps)]
        return bool(
            self.solution_html
            or any(step.solution_html for step in self.steps)
            or any(SOLUTION_CLASS in text for text in texts)
        )

    @property
    def where(self) -> str:
        return f"{self.page}:{self.line}" if self.line else self.page

    def to_json(self) -> dict[str, Any]:
        """The activity as JSON-ready data (for caches); :meth:`from_json` reads it back."""
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Activity:
        fields_ = dict(data)
        fields_["objectives"] = tuple(data["objectives"])
        fields_["answer"] = AnswerSpace(**data["answer"])
        fields_["unprintable"] = tuple(tuple(item) for item in data["unprintable"])
        fields_["steps"] = tuple(
            Step(step["number"], step["html"], AnswerSpace(**step["answer"]), step["solution_html"])
            for step in data["steps"]
        )
        return cls(**fields_)

    def fingerprint(self) -> str:
        """A hash of everything a worksheet shows, for the output cache.

        Streams each field's text into the hash (no deep copy, no JSON of the whole activity):
        it is asked for every activity on every build, so it must stay cheap.
        """
        hasher = hashlib.sha256()
        for name, value in self._printed_fields():
            hasher.update(f"\0{name}\0".encode())
            hasher.update(value.encode("utf-8", "surrogatepass"))
        return hasher.hexdigest()

    def _printed_fields(self) -> Iterator[tuple[str, str]]:
        yield "number", self.number
        for item in fields(self):
            if item.name == "line":  # moving a block down the page changes no output
                continue
            value = getattr(self, item.name)
            if item.name == "steps":
                for step in value:
                    yield "step", f"{step.number}|{step.answer.kind}|{step.answer.lines}"
                    yield "step_html", step.html
                    yield "step_solution", step.solution_html
            elif isinstance(value, str):
                yield item.name, "s" + value
            else:
                yield item.name, "r" + repr(value)  # small values: numbers, tuples, answer space


@dataclass(frozen=True)
class TeacherNote:
    """A ``/// teacher-notes`` block outside any activity: for the facilitator edition."""

    page: str
    html: str
    page_url: str = ""


class ActivityRegistry:
    """Every activity of the book, in reading order, with book-wide unique ids.

    The adapter tells it the chapter order (:meth:`set_chapters`) and which page is being read
    (:meth:`begin_page`); blocks :meth:`add` activities. A duplicate id is recorded as a
    ``SourceError`` naming both places, so the build can stop after the page is rendered.
    """

    def __init__(self) -> None:
        self._pages: dict[str, list[Activity]] = {}
        self._by_id: dict[str, list[Activity]] = {}  # every activity with an id, any page
        self._chapters: dict[str, int] = {}
        self._notes: dict[str, list[TeacherNote]] = {}
        self.errors: list[SourceError] = []

    def set_chapters(self, pages: list[str]) -> None:
        """Chapter numbers follow ``pages`` (source paths in reading order), starting at 1."""
        self._chapters = {page: number for number, page in enumerate(pages, start=1)}

    def chapter_of(self, page: str) -> int | None:
        return self._chapters.get(page)

    def begin_page(self, page: str) -> None:
        """Forget what ``page`` held before: it is being read (again, when serving)."""
        for activity in self._pages.get(page, ()):
            self._by_id[activity.id].remove(activity)
        self._pages[page] = []
        self._notes[page] = []
        self.errors = [error for error in self.errors if str(error.path) != page]

    def on_page(self, page: str) -> list[Activity]:
        """The activities registered for ``page``, in order."""
        return list(self._pages.get(page, ()))

    def add(self, activity: Activity) -> Activity:
        """Number ``activity`` within its page and register it; raise on a duplicate id."""
        on_page = self._pages.setdefault(activity.page, [])
        activity.index = len(on_page) + 1
        activity.chapter = self.chapter_of(activity.page)
        first = self.get(activity.id)
        twin = self._same_but_case(activity.id)
        on_page.append(activity)
        self._by_id.setdefault(activity.id, []).append(activity)
        if first is not None:
            problem = f"duplicate activity id '{activity.id}' (first used at {first.where})"
        elif twin is not None:
            # Worksheets live in worksheets/<id>/: one folder on macOS, Windows and in the zip.
            problem = (
                f"activity id '{activity.id}' differs only by case from '{twin.id}' "
                f"(at {twin.where}); their worksheet files would overwrite each other on "
                "macOS and Windows and in the offline zip"
            )
        else:
            return activity
        error = SourceError(
            activity.page,
            problem,
            line=activity.line,
            fix="give one of the two activities its own 'id:' option",
        )
        self.errors.append(error)
        raise error

    def _same_but_case(self, ident: str) -> Activity | None:
        """An activity whose id equals ``ident`` but for upper/lower case, if any."""
        folded = ident.casefold()
        for other, found in self._by_id.items():
            if found and other != ident and other.casefold() == folded:
                return self.get(other)
        return None

    def get(self, ident: str) -> Activity | None:
        """The first activity (in reading order) with id ``ident``."""
        found = self._by_id.get(ident)
        return min(found, key=self._reading_order) if found else None

    def _reading_order(self, activity: Activity) -> tuple[int, str, int]:
        return (self._chapters.get(activity.page, 10**6), activity.page, activity.index)

    def __iter__(self) -> Iterator[Activity]:
        """Activities in reading order: by chapter, then by position in the page."""
        order = sorted(self._pages, key=lambda page: (self._chapters.get(page, 10**6), page))
        for page in order:
            yield from self._pages[page]

    def __len__(self) -> int:
        return sum(len(activities) for activities in self._pages.values())

    def add_note(self, note: TeacherNote) -> None:
        """Record a teacher note written outside the activities of its page."""
        self._notes.setdefault(note.page, []).append(note)

    def notes_on_page(self, page: str) -> list[TeacherNote]:
        return list(self._notes.get(page, ()))

    def notes(self) -> list[TeacherNote]:
        """Every teacher note outside activities, in reading order (chapters, then pages)."""
        order = sorted(self._notes, key=lambda page: (self._chapters.get(page, 10**6), page))
        return [note for page in order for note in self._notes[page]]

    def worksheets(self) -> list[Activity]:
        """The activities that get a worksheet (``worksheet: false`` opts one out)."""
        return [activity for activity in self if activity.worksheet]

    def raise_errors(self) -> None:
        """Raise the first recorded error (a duplicate id), if any."""
        if self.errors:
            raise self.errors[0]
