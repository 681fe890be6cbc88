"""The ``/// activity`` block: its HTML per option (golden files), its warnings, the registry.

Golden files hold only the component under test: the activity's ``<section>`` as the page
shows it, and its worksheet ``<article>``. Regenerate them after an intended change with
``UPDATE_GOLDEN=1 pytest tests/test_activities.py`` and review the diff.
"""

from __future__ import annotations

import logging
import os
import re
from pathlib import Path

import markdown
import pytest

from opentextbook.activities.model import Activity, ActivityRegistry, AnswerSpace
from opentextbook.activities.worksheets import WorksheetRenderer
from opentextbook.markdown import location
from opentextbook.markdown.activity import ActivityExtension
from opentextbook.metadata import load_metadata
from opentextbook.support.errors import SourceError

GOLDEN = Path(__file__).parent / "golden" / "activities"
PAGE = "docs/chapter.md"

STEPS = "Why this matters.\n\n1. First step.\n2. Second step.\n"
CASES = {
    "minimal": "",
    "id": "    id: my-own-id\n",
    "duration": "    duration: 20\n",
    "grouping": "    grouping: pairs\n",
    "objectives": "    objectives: [Name your sources, Find a gap]\n",
    "answer": "    answer: box:3\n",
    "steps": "    steps: {1: lines:2, 2: drawing}\n",
    "worksheet-off": "    worksheet: false\n",
}


def convert(text: str, registry: ActivityRegistry | None = None, **options) -> str:
    """Convert ``text`` as the page ``docs/chapter.md`` (chapter 1) at ``chapter/``."""
    registry = registry if registry is not None else ActivityRegistry()
    registry.set_chapters([PAGE])
    location.set_page(PAGE, text, url="chapter/")
    try:
        extension = ActivityExtension(registry=registry, **options)
        md = markdown.Markdown(extensions=["attr_list", "pymdownx.superfences", extension])
        return md.convert(text)
    finally:
        location.clear_page()


def activity_block(options: str = "", body: str = STEPS, title: str = "Map your network") -> str:
    return f"/// activity | {title}\n{options}\n{body}///\n"


def component(html: str, tag: str, css_class: str) -> str:
    """The first ``<tag class="css_class">`` element of ``html``, with its content."""
    start = html.index(f'<{tag} class="{css_class}"')
    end = html.index(f"</{tag}>", start) + len(f"</{tag}>")
    return html[start:end].strip() + "\n"


def check_golden(name: str, text: str) -> None:
    path = GOLDEN / name
    if os.environ.get("UPDATE_GOLDEN"):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    assert path.is_file(), f"missing golden file {path}: run with UPDATE_GOLDEN=1"
    assert text == path.read_text(encoding="utf-8"), f"{name} differs from its golden file"


@pytest.fixture(scope="module")
def renderer() -> WorksheetRenderer:
    # A fixed copy of the metadata, so a remix of data/book.yml does not change golden files.
    return WorksheetRenderer(load_metadata(GOLDEN / "book.yml"), "https://example.org/b/")


@pytest.mark.parametrize("case", sorted(CASES))
def test_block_html_matches_golden(case: str) -> None:
    html = convert(activity_block(CASES[case]))
    check_golden(f"{case}.html", component(html, "section", "otb-activity"))


@pytest.mark.parametrize("case", sorted(CASES))
def test_worksheet_html_matches_golden(case: str, renderer: WorksheetRenderer) -> None:
    registry = ActivityRegistry()
    convert(activity_block(CASES[case]), registry)
    html = renderer.render_html(list(registry), paper="a4")
    sheet = re.sub(r'src="data:image/png;base64,[^"]+"', 'src="data:QR"', html)
    check_golden(f"{case}.worksheet.html", component(sheet, "article", "otb-ws-sheet"))


def test_block_is_numbered_by_chapter_and_linked_relative_to_the_page() -> None:
    html = convert(activity_block() + "\n" + activity_block(title="Second"))
    assert "Activity 1.1: Map your network" in html
    assert "Activity 1.2: Second" in html
    assert 'href="../worksheets/map-your-network/map-your-network-a4.pdf"' in html
    assert 'href="../worksheets/second/index.html"' in html


def test_icon_has_a_text_alternative() -> None:
    html = convert(activity_block())
    assert re.search(r'<svg[^>]*role="img"[^>]*>|<svg[^>]*aria-label="Activity"', html)
    assert "<title>Activity</title>" in html


def test_teacher_notes_are_collapsed_online_and_only_in_the_facilitator_edition(
    renderer: WorksheetRenderer,
) -> None:
    registry = ActivityRegistry()
    notes = "/// teacher-notes\nAsk pairs to compare.\n///\n"
    html = convert(activity_block(body=STEPS + "\n" + notes), registry)
    assert re.search(r"<details class=\"otb-teacher-notes\"[^>]*>\s*<summary>For teachers", html)
    assert 'data-search-exclude=""' in component(html, "details", "otb-teacher-notes")
    assert "<details" in html and " open" not in component(html, "details", "otb-teacher-notes")
    (activity,) = registry
    assert "Ask pairs to compare." in activity.teacher_notes_html
    assert "Ask pairs to compare." not in renderer.render_html([activity], paper="a4")
    facilitator = renderer.render_html([activity], paper="a4", edition="facilitator")
    assert "Ask pairs to compare." in facilitator


def test_steps_and_answers_are_collected() -> None:
    registry = ActivityRegistry()
    convert(activity_block("    answer: lines:6\n    steps: {2: none}\n"), registry)
    (activity,) = registry
    assert [step.html for step in activity.steps] == ["First step.", "Second step."]
    assert [str(step.answer) for step in activity.steps] == ["lines:6", "none"]
    assert activity.before_html == "<p>Why this matters.</p>"


BAD_OPTIONS = {
    "unknown option": (
        "    durration: 20\n",
        "unknown option 'durration'",
        "did you mean 'duration'",
    ),
    "bad grouping": (
        "    grouping: trio\n",
        "bad value for 'grouping'",
        "individual, pairs, group",
    ),
    "bad answer": ("    answer: dots\n", "bad value for 'answer'", "lines:N"),
    "too many lines": ("    answer: lines:99\n", "must be 1 to 40", "lines:N"),
    "bad step number": ("    steps: {one: box}\n", "'one' is not a step number", "{1: lines:4"),
    "missing step": ("    steps: {5: box}\n", "names step 5", "ordered list"),
    "bad boolean": ("    worksheet: maybe\n", "bad value for 'worksheet'", "true or false"),
    "bad id": ("    id: 'has space'\n", "bad value for 'id'", "letters, digits"),
}


@pytest.mark.parametrize("case", sorted(BAD_OPTIONS))
def test_bad_option_warns_with_page_and_line(case: str, caplog) -> None:
    options, problem, fix = BAD_OPTIONS[case]
    text = "# Chapter\n\nIntro.\n\n" + activity_block(options)
    with caplog.at_level(logging.WARNING, logger="mkdocs.plugins.opentextbook"):
        html = convert(text)
    messages = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert len(messages) == 1, messages
    assert messages[0].startswith(f"{PAGE}:5: "), messages[0]
    assert problem in messages[0] and fix in messages[0]
    assert '<section class="otb-activity"' in html  # still an activity, not plain text


def test_unreadable_options_are_reported_not_silently_shown_as_text(caplog) -> None:
    text = "Intro.\n\n" + activity_block("    duration: [unclosed\n")
    with caplog.at_level(logging.WARNING, logger="mkdocs.plugins.opentextbook"):
        convert(text)
    (message,) = [r.getMessage() for r in caplog.records]
    assert message.startswith(f"{PAGE}:3: the block '/// activity | Map your network'")
    assert "could not be read" in message


def test_missing_title_and_nested_activity_warn(caplog) -> None:
    nested = activity_block(body=STEPS + "\n" + activity_block(title="Inner"))
    text = "/// activity\n\nBody.\n///\n\n" + nested
    with caplog.at_level(logging.WARNING, logger="mkdocs.plugins.opentextbook"):
        convert(text)
    messages = [r.getMessage() for r in caplog.records]
    assert any(m.startswith(f"{PAGE}:1: an activity needs a title") for m in messages)
    assert any("cannot sit inside another activity" in m for m in messages), messages


def test_teacher_notes_outside_an_activity_are_collected_for_the_facilitator(caplog) -> None:
    registry = ActivityRegistry()
    with caplog.at_level(logging.WARNING, logger="mkdocs.plugins.opentextbook"):
        html = convert("Text.\n\n/// teacher-notes\nA note.\n///\n", registry)
    assert not caplog.records
    assert 'data-otb-audience="teacher"' in html
    assert [note.html for note in registry.notes()] == ["<p>A note.</p>"]


def test_a_solution_outside_an_activity_warns_with_its_line(caplog) -> None:
    text = "```\n/// solution\n```\n\nText.\n\n/// solution\nIt is 4.\n///\n"
    with caplog.at_level(logging.WARNING, logger="mkdocs.plugins.opentextbook"):
        convert(text)
    (message,) = [r.getMessage() for r in caplog.records]
    assert message.startswith(f"{PAGE}:7: a solution belongs inside an /// activity block")


def test_a_valid_block_logs_nothing(caplog) -> None:
    with caplog.at_level(logging.DEBUG, logger="mkdocs.plugins.opentextbook"):
        convert(activity_block(CASES["objectives"] + CASES["steps"]))
    assert not caplog.records


def test_duplicate_ids_name_both_places(caplog) -> None:
    registry = ActivityRegistry()
    text = activity_block("    id: same\n") + "\n" + activity_block("    id: same\n", title="B")
    with caplog.at_level(logging.ERROR, logger="mkdocs.plugins.opentextbook"):
        convert(text, registry)
    with pytest.raises(SourceError) as raised:
        registry.raise_errors()
    message = str(raised.value)
    assert message.startswith(f"{PAGE}:10: duplicate activity id 'same'")
    assert f"first used at {PAGE}:1" in message and "'id:'" in message
    assert caplog.records and caplog.records[0].getMessage() == message


def test_registry_forgets_a_page_when_it_is_read_again() -> None:
    registry = ActivityRegistry()
    text = activity_block()
    convert(text, registry)
    convert(text, registry)  # as on a `mkdocs serve` rebuild: no false duplicate
    assert len(registry) == 1
    registry.raise_errors()


def test_registry_orders_by_chapter() -> None:
    registry = ActivityRegistry()
    registry.set_chapters(["a.md", "b.md"])
    registry.add(Activity(id="late", title="Late", page="b.md"))
    registry.add(Activity(id="early", title="Early", page="a.md"))
    assert [a.label for a in registry] == ["Activity 1.1", "Activity 2.1"]
    assert [a.id for a in registry] == ["early", "late"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [("lines", "lines:4"), ("lines:7", "lines:7"), ("box", "box:6"), ("drawing", "drawing:12")],
)
def test_answer_space_forms(text: str, expected: str) -> None:
    assert str(AnswerSpace.parse(text)) == expected


@pytest.mark.parametrize("text", ["dots", "lines:0", "lines:x", "", 3])
def test_answer_space_rejects(text: object) -> None:
    with pytest.raises(ValueError, match=r"answer space|must be 1 to"):
        AnswerSpace.parse(text)


def test_activity_syntax_inside_code_is_not_reported(caplog) -> None:
    text = "```markdown\n/// activity | Example\n    bad: [\n///\n```\n\nWrite `/// activity`.\n"
    with caplog.at_level(logging.WARNING, logger="mkdocs.plugins.opentextbook"):
        html = convert(text)
    assert not caplog.records
    assert "otb-activity" not in html


def test_without_pdfs_only_the_printable_page_is_linked() -> None:
    location.set_page(PAGE, "", url="chapter/")
    try:
        extension = ActivityExtension(pdf=False)
        html = markdown.Markdown(extensions=[extension]).convert(activity_block())
    finally:
        location.clear_page()
    assert 'href="../worksheets/map-your-network/index.html"' in html
    assert ".pdf" not in html


SOLVED = (
    STEPS.replace(
        "1. First step.\n", "1. First step.\n\n    /// solution\n    Step answer.\n    ///\n\n"
    )
    + "\n/// solution\nWhole answer.\n///\n"
)


def test_solutions_are_collected_for_the_activity_and_its_step(
    renderer: WorksheetRenderer,
) -> None:
    registry = ActivityRegistry()
    html = convert(activity_block(body=SOLVED), registry)
    assert html.count('<details class="otb-solution"') == 2
    (activity,) = registry
    assert activity.solution_html == "<p>Whole answer.</p>"
    assert activity.steps[0].solution_html == "<p>Step answer.</p>"
    assert activity.steps[0].html == "<p>First step.</p>" and activity.has_solution
    student = renderer.render_html([activity], paper="a4")
    assert "answer." not in student
    facilitator = renderer.render_html([activity], paper="a4", edition="facilitator")
    assert "Step answer." in facilitator and "Whole answer." in facilitator
    key = renderer.render_html([activity], edition="answers")
    assert "Step answer." in key and "Whole answer." in key


def test_solutions_can_be_left_off_the_web_page() -> None:
    registry = ActivityRegistry()
    html = convert(activity_block(body=SOLVED), registry, solutions="facilitator")
    assert "answer." not in html and "otb-solution" not in html
    (activity,) = registry
    assert activity.solution_html and activity.steps[0].solution_html


def test_a_bad_solutions_setting_names_the_choices() -> None:
    with pytest.raises(ValueError, match="write one of: online, facilitator"):
        ActivityExtension(solutions="hidden")
