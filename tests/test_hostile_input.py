"""Hostile and broken input a remixer could really produce (files in ``tests/corpus/``).

Each case must give one clear message naming the file, the line, what is wrong and how to fix
it; never a traceback, never half-written output. Most cases call the core loaders and the
Markdown extensions directly (fast); a few whole-site builds check what a reader of the README
sees: a non-zero exit under ``--strict``, the message, and an untouched site folder.
"""

from __future__ import annotations

import logging
import re
import time
from pathlib import Path

import pytest
from conftest import ROOT, convert_page, copy_project, run_build

from opentextbook.datasets import load_dataset, load_schema
from opentextbook.datasets.tables import TableSpec, build_table, render_table
from opentextbook.support.errors import SourceError
from opentextbook.support.yamlsource import MAX_BYTES

CORPUS = Path(__file__).parent / "corpus"
ORGANIZATIONS = load_schema(ROOT / "data" / "organizations.schema.yml")
LOGGER = "mkdocs.plugins.opentextbook"

# (corpus file, line the message must name, fragments the message must contain)
DATA_CASES = [
    ("yaml-syntax-error.yml", 5, ["not valid YAML", "check indentation"]),
    ("tabs.yml", 3, ["tab", "indent with spaces, not tabs"]),
    ("wrong-type.yml", 4, ["'offers'", "must be a list", "write it as [first, second]"]),
    ("misspelt-field.yml", 4, ["unknown field 'websit'", "did you mean 'website'?"]),
    ("unknown-field.yml", 4, ["unknown field 'mascot'", "'website'"]),
    ("duplicate-id.yml", 6, ["duplicate id 'acm'", "line 2", "its own id"]),
    ("duplicate-key.yml", 4, ["duplicate key 'name'", "line 3", "keep one"]),
    ("missing-required.yml", 2, ["no 'source'", "add 'source:'"]),
    ("javascript-url.yml", 4, ["'website'", "http(s)", "javascript:", "full address"]),
    ("data-url.yml", 4, ["'website'", "http(s)", "data:text/html", "full address"]),
    ("not-a-list.yml", 2, ["expected a list of entries", "'- id: ...'"]),
    ("bad-choice.yml", 4, ["'sometimes'", "valid choices: 'no', 'partly', 'yes'"]),
    ("bad-id.yml", 2, ["field 'id'", "'ACM Org!'", "e.g. 'acm'"]),
    ("empty.yml", 1, ["is empty", "add the data"]),
    ("non-utf8.yml", 3, ["not UTF-8", "save the file as UTF-8"]),
]

# (corpus file, line, fragments): page problems are warnings naming the page and line.
PAGE_CASES = [
    ("bad-activity-options.md", 3, ["bad value for 'duration'", "write minutes (20)"]),
    ("bad-activity-options.md", 3, ["'grouping'", "everyone", "valid choices: individual, pairs"]),
    ("bad-activity-options.md", 3, ["unknown option 'answr'", "did you mean 'answer'?"]),
    ("bad-step-spaces.md", 3, ["names step 7", "number the steps"]),
    ("nested-activities.md", 7, ["cannot sit inside another activity", "close it first"]),
    ("duplicate-activity-ids.md", 9, ["duplicate activity id 'map'", "its own 'id:'"]),
    ("untitled-activity.md", 3, ["needs a title", "'/// activity | Title'"]),
    ("unclosed-block.md", 3, ["'Map your network' is never closed", "add a line '///'"]),
    ("bad-datatable-options.md", 3, ["data set 'organisations'", "did you mean 'organizations'?"]),
    ("bad-datatable-options.md", 7, ["unknown option 'sortt'", "did you mean 'sort'?"]),
    ("bad-datatable-options.md", 7, ["unknown column 'nmae'", "did you mean 'name'?"]),
]


def assert_clear(message: str, shown_file: str, line: int, fragments: list[str]) -> None:
    """File and line first, what is wrong, and a fix after the dash."""
    assert f"{shown_file}:{line}" in message, message
    assert " — " in message, f"no fix given: {message}"
    for fragment in fragments:
        assert fragment in message, f"{fragment!r} not in: {message}"
    assert "Traceback" not in message


@pytest.mark.parametrize(("name", "line", "fragments"), DATA_CASES, ids=[c[0] for c in DATA_CASES])
def test_data_file_gives_clear_message(name: str, line: int, fragments: list[str]) -> None:
    with pytest.raises(SourceError) as caught:
        load_dataset(CORPUS / "data" / name, ORGANIZATIONS)
    assert_clear(str(caught.value), name, line, fragments)


def test_ten_megabyte_data_file_is_refused_quickly(tmp_path: Path) -> None:
    """A 10 MB file is refused before parsing (PyYAML would take most of a minute)."""
    entry = "- id: org-{i}\n  name: Organisation {i}\n  source: generated {pad}\n"
    lines, size, i = [], 0, 0
    while size < 10 * 2**20:
        lines.append(entry.format(i=i, pad="x" * 200))
        size += len(lines[-1])
        i += 1
    path = tmp_path / "organizations.yml"
    path.write_text("".join(lines), encoding="utf-8")
    started = time.perf_counter()
    with pytest.raises(SourceError) as caught:
        load_dataset(path, ORGANIZATIONS)
    assert time.perf_counter() - started < 5
    message = str(caught.value)
    assert_clear(message, "organizations.yml", 1, ["10.0 MB", f"{MAX_BYTES // 2**20} MB limit"])
    assert "split it" in message


def test_html_in_data_is_escaped_in_tables() -> None:
    """Markup and script in text fields show as text; nothing from the data runs."""
    dataset = load_dataset(CORPUS / "data" / "html-in-text.yml", ORGANIZATIONS)
    html = render_table(build_table(dataset, TableSpec(), "Hostile"))
    assert "&lt;script&gt;alert(" in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html
    assert "&lt;/td&gt;&lt;/tr&gt;&lt;/table&gt;" in html
    assert not re.search(r"<script|<img|<b>|href=.javascript", html, re.IGNORECASE), html


def test_html_in_data_is_escaped_across_the_site(tmp_path: Path, monkeypatch) -> None:
    """The whole site (tables, macros, downloads pages) with hostile text in the data."""
    monkeypatch.setenv("WORKSHEET_PDFS", "false")  # PDFs are not what this checks
    monkeypatch.setenv("BOOK_DOWNLOADS", "false")
    project = copy_project(tmp_path / "book")
    hostile = (CORPUS / "data" / "html-in-text.yml").read_text(encoding="utf-8")
    with (project / "data" / "organizations.yml").open("a", encoding="utf-8") as data:
        data.write("\n" + hostile.replace("id: acm", "id: hostile-entry"))
    result = run_build(project)
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    pages = {p: p.read_text(encoding="utf-8") for p in (project / "site").rglob("*.html")}
    shown = [path for path, html in pages.items() if "&lt;script&gt;alert(" in html]
    assert shown, "the hostile entry is not shown on any page"
    ran = [
        path
        for path, html in pages.items()
        if re.search(r"<script>alert\(|<img src=x|<b>bold", html)
    ]
    assert not ran, f"markup from the data reached the page unescaped: {ran}"


def convert_corpus_page(name: str, caplog: pytest.LogCaptureFixture) -> tuple[str, list[str]]:
    """Convert a corpus page as the adapter would; the HTML and the messages logged."""
    text = (CORPUS / "pages" / name).read_text(encoding="utf-8")
    with caplog.at_level(logging.WARNING, logger=LOGGER):
        html = convert_page(text, f"corpus/{name}")
    return html, [r.getMessage() for r in caplog.records if r.name == LOGGER]


@pytest.mark.parametrize(("name", "line", "fragments"), PAGE_CASES, ids=[c[0] for c in PAGE_CASES])
def test_page_problem_gives_clear_warning(name, line, fragments, caplog) -> None:
    _, messages = convert_corpus_page(name, caplog)
    matching = [m for m in messages if all(f in m for f in fragments)]
    assert matching, f"no message with {fragments}; got:\n" + "\n".join(messages)
    assert_clear(matching[0], f"corpus/{name}", line, fragments)


def test_broken_page_still_renders_every_step(caplog) -> None:
    """A block with bad options is reported and still drawn, never dropped or left as text."""
    html, messages = convert_corpus_page("bad-activity-options.md", caplog)
    assert len(messages) == 3, messages
    assert 'class="otb-activity"' in html
    assert "Draw yourself in the middle." in html
    assert "///" not in html


def test_markup_in_activity_title_never_breaks_attributes(caplog) -> None:
    """Pages are Markdown, where raw HTML is the author's to write; but a title copied into
    ids, aria-labels and links must stay inside its attribute, escaped."""
    html, messages = convert_corpus_page("script-in-activity.md", caplog)
    # The script in the step is the author's raw HTML: reported as not printable, on its line.
    assert [m.split(": activity")[0] for m in messages] == ["corpus/script-in-activity.md:6"]
    assert "a script cannot be printed" in messages[0]
    assert 'class="otb-activity"' in html
    attributes = re.findall(r'\s[\w-]+="([^"]*)"', html)
    assert attributes and not [a for a in attributes if "<" in a or ">" in a]
    ids = re.findall(r'\sid="([^"]*)"', html)
    assert ids and all(re.fullmatch(r"[\w-]+", i) for i in ids), ids


def no_partial_files(project: Path) -> list[str]:
    """Temporary files a write interrupted half-way would leave behind."""
    patterns = ("*.part", "*.tmp", ".*.tmp", "*~")
    return [str(p) for pattern in patterns for p in project.rglob(pattern)]


def break_data(project: Path, corpus_file: str) -> None:
    broken = (CORPUS / "data" / corpus_file).read_bytes()
    (project / "data" / "organizations.yml").write_bytes(broken)


@pytest.mark.parametrize("corpus_file", ["duplicate-id.yml", "non-utf8.yml"])
def test_strict_build_stops_on_bad_data(tmp_path: Path, corpus_file: str) -> None:
    """The book's own build: non-zero exit, one clear line, the previous site untouched."""
    project = copy_project(tmp_path / "book")
    break_data(project, corpus_file)
    previous = project / "site" / "index.html"
    previous.parent.mkdir()
    previous.write_text("the previous build", encoding="utf-8")
    result = run_build(project)
    output = result.stdout + result.stderr
    assert result.returncode != 0, output
    assert "Traceback" not in output, output
    assert re.search(r"data/organizations\.yml:\d+", output), output
    assert previous.read_text(encoding="utf-8") == "the previous build"
    assert sorted(p.name for p in (project / "site").iterdir()) == ["index.html"]
    assert not no_partial_files(project)


def test_strict_build_fails_on_page_problem(tmp_path: Path) -> None:
    """A broken block in a page: a warning naming page and line, so ``--strict`` exits non-zero."""
    project = copy_project(tmp_path / "book")
    page = project / "docs" / "index.md"
    original = page.read_text(encoding="utf-8")
    snippet = (CORPUS / "pages" / "bad-activity-options.md").read_text(encoding="utf-8")
    snippet = snippet.replace("# Bad activity options", "## Bad activity options")
    page.write_text(original.rstrip("\n") + "\n\n" + snippet, encoding="utf-8")
    last_line = original.rstrip("\n").count("\n") + 1
    header_line = last_line + 1 + 3  # a blank line, then the header on the snippet's line 3
    result = run_build(project)
    output = result.stdout + result.stderr
    assert result.returncode != 0, output
    assert "Traceback" not in output, output
    assert f"index.md:{header_line}: activity 'Map your network': unknown option 'answr'" in output
    assert not no_partial_files(project)


def test_corpus_is_complete() -> None:
    """Every corpus file is used by a case above (a file nobody checks proves nothing)."""
    used = {c[0] for c in DATA_CASES + PAGE_CASES} | {"html-in-text.yml", "script-in-activity.md"}
    present = {p.name for p in CORPUS.rglob("*") if p.is_file()}
    assert present - used == set()
    assert (ROOT / "tests" / "corpus").is_dir()
