"""Input that used to give a wrong result with no message (issue 14, item 6).

Ids that differ only by case, yes/no options written as text, lists numbered from 5, and
characters no installed font can draw each give a clear message or the right result.
"""

from __future__ import annotations

import io
import logging
import subprocess
from pathlib import Path
from types import SimpleNamespace

import pytest
from conftest import convert_page, two_activity_registry
from pymdownx.blocks.block import type_boolean
from pypdf import PdfReader

from opentextbook.activities.model import Activity, ActivityRegistry
from opentextbook.activities.worksheets import WorksheetRenderer, build_worksheets
from opentextbook.markdown.activity import OPTIONS as ACTIVITY_OPTIONS
from opentextbook.markdown.datatable import DataTableBlock
from opentextbook.metadata import load_metadata
from opentextbook.mkdocs.plugin import FRONT_MATTER_FLAGS, _front_matter_flag
from opentextbook.support import fonts
from opentextbook.support.errors import SourceError

ROOT = Path(__file__).resolve().parent.parent
LOGGER = "mkdocs.plugins.opentextbook"

# --- ids that differ only by case --------------------------------------------------------


def test_activity_ids_differing_only_by_case_are_an_error() -> None:
    registry = ActivityRegistry()
    registry.set_chapters(["docs/a.md", "docs/b.md"])
    registry.add(Activity(id="map", title="Map", page="docs/a.md", line=3))
    with pytest.raises(SourceError) as caught:
        registry.add(Activity(id="Map", title="Map again", page="docs/b.md", line=9))
    message = str(caught.value)
    assert message.startswith("docs/b.md:9: activity id 'Map' differs only by case from 'map'")
    assert "docs/a.md:3" in message and "its own 'id:'" in message
    with pytest.raises(SourceError):  # the build stops before writing worksheets
        registry.raise_errors()


def test_case_clash_is_forgotten_when_the_page_is_read_again() -> None:
    """``serve`` re-reads a page: fixing the id there must clear the error."""
    registry = two_activity_registry("Think.")
    registry.begin_page("other.md")
    with pytest.raises(SourceError):
        registry.add(Activity(id="First", title="First", page="other.md"))
    registry.begin_page("other.md")
    registry.add(Activity(id="third", title="Third", page="other.md"))
    registry.raise_errors()
    assert [activity.id for activity in registry] == ["first", "second", "third"]


# --- yes/no options written as text -------------------------------------------------------


def _boolean_options():
    blocks = {"activity": ACTIVITY_OPTIONS, "datatable": DataTableBlock.OPTIONS}
    return [
        (block, name)
        for block, options in blocks.items()
        for name, (_, validate) in options.items()
        if validate is type_boolean
    ]


def test_every_yes_no_option_is_found() -> None:
    assert {("activity", "worksheet"), ("datatable", "downloads")} <= set(_boolean_options())


@pytest.mark.parametrize(("block", "name"), _boolean_options())
@pytest.mark.parametrize("text", ['"false"', "'no'", '"0"'])
def test_yes_no_option_as_text_is_a_warning(
    block: str, name: str, text: str, caplog: pytest.LogCaptureFixture
) -> None:
    header = "/// activity | Sort" if block == "activity" else "/// datatable | Networks"
    options = [f"    {name}: {text}"]
    if block == "datatable":
        options.insert(0, "    data: organizations")
    page = "\n".join([header, *options, "", "1. Step.", "///", ""])
    with caplog.at_level(logging.WARNING, logger=LOGGER):
        convert_page(page, "docs/ch.md")
    messages = [record.getMessage() for record in caplog.records]
    assert any(f"'{name}'" in message and "docs/ch.md:1" in message for message in messages)


@pytest.mark.parametrize("flag", FRONT_MATTER_FLAGS)
@pytest.mark.parametrize(("value", "read"), [("false", False), ("no", False), ("true", True)])
def test_front_matter_flag_as_text_is_a_warning_and_read_right(
    flag: str, value: str, read: bool, caplog: pytest.LogCaptureFixture
) -> None:
    source = f'---\ntitle: T\n{flag}: "{value}"\n---\n# T\n'
    page = SimpleNamespace(meta={flag: value}, file=SimpleNamespace(content_string=source))
    with caplog.at_level(logging.WARNING, logger=LOGGER):
        assert _front_matter_flag(page, flag, "docs/page.md") is read
    assert (
        caplog.records[0]
        .getMessage()
        .endswith(
            f"docs/page.md:3: front matter '{flag}' must be true or false, not '{value}' — "
            f"write '{flag}: false' or '{flag}: true', without quotes"
        )
    )


def test_front_matter_flag_as_yes_no_is_silent(caplog: pytest.LogCaptureFixture) -> None:
    page = SimpleNamespace(meta={"whole_book": False}, file=SimpleNamespace(content_string=""))
    assert _front_matter_flag(page, "whole_book", "docs/page.md") is False
    assert not caplog.records


# --- a numbered list starting at 5 --------------------------------------------------------

STEPS_FROM_FIVE = """/// activity | Continue the list
    id: continue
    steps: {6: box}

Steps 1 to 4 are in the previous activity.

5. Fifth step.
6. Sixth step.
///
"""


def _registry_from(text: str) -> tuple[ActivityRegistry, str]:
    """Convert ``text`` as the book does, with a registry the test can read."""
    import markdown
    from conftest import PAGE_EXTENSIONS

    from opentextbook.markdown import location
    from opentextbook.markdown.activity import ActivityExtension

    registry = ActivityRegistry()
    names = [name for name in PAGE_EXTENSIONS if not name.endswith((".activity", ".datatable"))]
    location.set_page("docs/ch.md", text)
    try:
        html = markdown.markdown(text, extensions=[*names, ActivityExtension(registry=registry)])
    finally:
        location.clear_page()
    return registry, html


def test_steps_keep_their_numbers_on_the_worksheet(tmp_path: Path) -> None:
    registry, html = _registry_from(STEPS_FROM_FIVE)
    assert '<ol start="5">' in html  # the page keeps the numbers too
    (activity,) = list(registry)
    assert [step.number for step in activity.steps] == [5, 6]
    assert activity.steps[1].answer.kind == "box"  # 'steps: {6: box}' names the sixth step
    metadata = load_metadata(ROOT / "data" / "book.yml")
    renderer = WorksheetRenderer(metadata)
    page = renderer.render_html([activity])
    assert '<ol class="otb-ws-steps" start="5"' in page
    assert 'name="continue-step-5"' in page and 'name="continue-step-6"' in page
    report = build_worksheets(registry, metadata, tmp_path / "site", tmp_path / "cache")
    assert report.pdfs
    pdf = tmp_path / "site" / "worksheets" / "continue" / "continue-a4.pdf"
    text = PdfReader(io.BytesIO(pdf.read_bytes())).pages[0].extract_text()
    markers = [line.strip() for line in text.splitlines() if line.strip() in ("1.", "5.", "6.")]
    assert markers == ["5.", "6."], text


# --- characters no installed font can draw ------------------------------------------------

SAMPLES = {"例": "fonts-noto-cjk", "न": "fonts-noto-core", "🦀": "fonts-noto-color-emoji"}


def test_coverage_comes_from_fontconfig() -> None:
    """The union of the installed fonts' character sets, as fontconfig itself answers."""
    coverage = fonts.installed_coverage()
    assert coverage is not None and "A" in coverage and "é" in coverage
    for char in SAMPLES:
        query = subprocess.run(
            ["fc-list", f":charset={ord(char):x}", "file"], capture_output=True, text=True
        )
        assert (char in coverage) == bool(query.stdout.strip()), char


def test_coverage_is_cached_by_the_font_list(monkeypatch: pytest.MonkeyPatch) -> None:
    fonts._coverage.cache_clear()
    calls = []
    real = fonts._fc_list
    monkeypatch.setattr(fonts, "_fc_list", lambda fmt: calls.append(fmt) or real(fmt))
    fonts.installed_coverage()
    fonts.installed_coverage()
    assert calls.count("%{charset}\n") == 1 and calls.count("%{file}\n") == 2


@pytest.mark.parametrize(("char", "package"), SAMPLES.items())
def test_missing_glyphs_name_the_place_and_the_package(char: str, package: str) -> None:
    coverage = fonts.Coverage([(0x20, 0x7E)])
    checker = fonts.GlyphChecker(coverage)
    checker.check("docs/ch.md:12: activity 'Maps'", [f"<p>Hello {char}\u200d\ufe0f</p>"])
    (message,) = checker.warned
    assert message.startswith(
        f"docs/ch.md:12: activity 'Maps': no installed font can draw '{char}'"
    )
    assert f"sudo apt install {package}" in message and "empty boxes" in message


def test_covered_text_gives_no_warning() -> None:
    checker = fonts.GlyphChecker(fonts.Coverage([(0x20, 0x7E), (0x2014, 0x2014)]))
    checker.check("docs/ch.md", ["<p title='例'>Plain &mdash; text</p>"])
    assert checker.warned == []


@pytest.fixture
def only_dejavu(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """Fontconfig (for the check and for WeasyPrint) sees only DejaVu, as on a bare Debian."""
    config = tmp_path / "fonts.conf"
    config.write_text(
        '<?xml version="1.0"?><!DOCTYPE fontconfig SYSTEM "fonts.dtd"><fontconfig>'
        "<dir>/usr/share/fonts/truetype/dejavu</dir>"
        f"<cachedir>{tmp_path / 'fc-cache'}</cachedir></fontconfig>"
    )
    monkeypatch.setenv("FONTCONFIG_FILE", str(config))
    fonts._coverage.cache_clear()
    yield
    fonts._coverage.cache_clear()


def test_worksheet_with_cjk_warns_naming_activity_and_package(
    only_dejavu, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    registry = ActivityRegistry()
    registry.set_chapters(["docs/ch.md"])
    registry.add(
        Activity(id="kanji", title="Read 例", page="docs/ch.md", line=7, before_html="<p>x</p>")
    )
    metadata = load_metadata(ROOT / "data" / "book.yml")
    with caplog.at_level(logging.WARNING, logger=LOGGER):
        build_worksheets(registry, metadata, tmp_path / "site", tmp_path / "cache")
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1
    assert warnings[0].startswith("docs/ch.md:7: activity 'Read 例': no installed font can draw")
    assert "fonts-noto-cjk" in warnings[0]


def test_site_files_differing_only_by_case_stop_the_build(tmp_path: Path) -> None:
    from mkdocs.exceptions import PluginError
    from mkdocs.structure.files import File, Files

    from opentextbook.mkdocs.plugin import _check_case_clashes

    def page(name: str) -> File:
        return File(name, str(tmp_path / "docs"), str(tmp_path / "site"), False)

    _check_case_clashes(Files([page("map.md"), page("maps.md")]))
    with pytest.raises(PluginError) as caught:
        _check_case_clashes(Files([page("map.md"), page("guide/x.md"), page("Map.md")]))
    assert str(caught.value) == (
        "'map.md' and 'Map.md' become 'map.html' and 'Map.html', names that differ only by "
        "case: one file on macOS and Windows and in the offline zip — rename one of them"
    )


def _plugin_yes_no_options() -> list[str]:
    from mkdocs.config import config_options

    from opentextbook.mkdocs.plugin import OpenTextbookConfig

    return [
        name
        for name, option in OpenTextbookConfig._schema
        if isinstance(option, config_options.Type) and option._type is bool
    ]


@pytest.mark.parametrize("name", _plugin_yes_no_options())
def test_plugin_yes_no_option_as_text_is_an_error(name: str) -> None:
    """``downloads: "false"`` in mkdocs.yml stops the build; it is never taken as true."""
    from opentextbook.mkdocs.plugin import OpenTextbookConfig

    config = OpenTextbookConfig()
    config.load_dict({name: "false"})
    errors, _ = config.validate()
    assert [key for key, _ in errors] == [name]


def test_every_plugin_yes_no_option_is_found() -> None:
    assert {"downloads", "worksheet_pdfs", "cache"} <= set(_plugin_yes_no_options())


def test_whole_book_pages_with_undrawable_text_are_named() -> None:
    from opentextbook.publishing.bookpages import BookPage
    from opentextbook.publishing.publisher import BookPublisher

    metadata = load_metadata(ROOT / "data" / "book.yml")
    publisher = BookPublisher(metadata, site_url=None, downloads=True)
    order = ["index.md", "ch.md"]
    publisher.collect(BookPage("index.md", "Home", "index.html", "<p>Plain</p>"), order=order)
    publisher.collect(BookPage("ch.md", "नमस्ते", "ch.html", "<p>Hi 🦀</p>"), order=order)
    everything = [(0x20, 0x7E), (0x2000, 0x206F), (0xA0, 0x24F)]  # Latin, punctuation
    checker = fonts.GlyphChecker(fonts.Coverage(everything))
    publisher.check_glyphs(checker)
    (message,) = checker.warned
    assert message.startswith("page ch.md: no installed font can draw 'न' (U+0928)")
    assert "fonts-noto-color-emoji fonts-noto-core" in message
    assert "the whole-book PDF shows empty boxes" in message
