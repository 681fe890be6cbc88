"""The PLN builder page, driven in headless Chromium against the built site on loopback."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from conftest import ROOT

from opentextbook.metadata import load_metadata
from opentextbook.pln.render import credit_for
from opentextbook.pln.svgmap import render_map_svg

AXE = Path(__file__).parent / "browser" / "node_modules" / "axe-core" / "axe.min.js"
SVG = "{http://www.w3.org/2000/svg}"
FIVE = [
    ("Maha Bali", "people", "close"),
    ("Jane Bozarth", "people", "regular"),
    ("#lrnchat", "media", "regular"),
    ("Demystifying Instructional Design", "media", "close"),
    ("Association for Learning Technology", "organisations", "occasional"),
]
NODES = "#pln-holder .pln-nodes .pln-node"


@pytest.fixture
def context(browser):
    """A fresh browser profile: empty localStorage, downloads allowed, light scheme."""
    context = browser.new_context(accept_downloads=True, viewport={"width": 1280, "height": 900})
    yield context
    context.close()


@pytest.fixture
def builder(context, served_site):
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("dialog", lambda dialog: errors.append(f"dialog: {dialog.message}") or dialog.dismiss())
    open_builder(page, served_site)
    yield page
    assert not errors, errors


def open_builder(page, base_url: str) -> None:
    page.goto(base_url + "pln-builder.html")
    page.wait_for_selector("#pln-app[data-ready=true]")


def add(page, name: str, group: str, closeness: str) -> None:
    page.fill("#pln-name", name)
    page.select_option("#pln-group", group)
    page.select_option("#pln-closeness", closeness)
    page.click("#pln-submit")


def listed(page) -> list[str]:
    return page.locator("#pln-list .pln-item-name").all_text_contents()


def drawn(page) -> list[str]:
    return page.locator(f"{NODES} title").all_text_contents()


def add_five(page) -> None:
    for source in FIVE:
        add(page, *source)


def test_five_sources_in_three_groups_draw_five_nodes_and_survive_reload(builder, served_site):
    add_five(builder)
    names = [name for name, _, _ in FIVE]
    assert builder.locator(NODES).count() == 5
    assert sorted(drawn(builder)) == sorted(names) and listed(builder) == names
    groups = builder.eval_on_selector_all(NODES, "nodes => nodes.map(n => n.getAttribute('class'))")
    assert len(set(groups)) == 3
    builder.reload()
    builder.wait_for_selector("#pln-app[data-ready=true]")
    assert builder.locator(NODES).count() == 5 and listed(builder) == names


def test_live_map_uses_the_templates_geometry(builder):
    add_five(builder)
    sources = [{"name": n, "group": g, "closeness": c} for n, g, c in FIVE]
    credit = credit_for(load_metadata(ROOT / "data" / "book.yml"), "test")
    svg = ET.fromstring(render_map_svg(sources, title="t", description="d", credit=credit))
    expected = sorted(
        path.get("d") for path in svg.iter(f"{SVG}path") if path.get("class") == "pln-marker"
    )
    live = builder.eval_on_selector_all(
        "#pln-holder .pln-marker", "paths => paths.map(p => p.getAttribute('d'))"
    )
    assert sorted(live) == expected  # legend markers and node markers alike


def export(page, button: str) -> Path:
    with page.expect_download() as info:
        page.click(button)
    return Path(info.value.path())


def clear(page) -> None:
    page.click("#pln-clear")
    page.click("#pln-confirm-yes")


def test_export_json_clear_import_gives_the_same_map(builder, tmp_path):
    add_five(builder)
    before = listed(builder)
    saved = tmp_path / "my-pln.json"
    saved.write_bytes(export(builder, "#pln-export-json").read_bytes())
    data = json.loads(saved.read_text("utf-8"))
    assert data["format"] == "opentextbook-pln" and len(data["sources"]) == 5
    clear(builder)
    assert builder.locator(NODES).count() == 0 and listed(builder) == []
    builder.set_input_files("#pln-import", str(saved))
    builder.wait_for_function("document.querySelectorAll('#pln-list li').length === 5")
    assert listed(builder) == before and builder.locator(NODES).count() == 5


def test_svg_and_png_exports(builder):
    add_five(builder)
    svg = ET.parse(export(builder, "#pln-export-svg")).getroot()
    nodes = [g for g in svg.iter(f"{SVG}g") if "pln-node" in g.get("class", "").split()]
    assert len(nodes) == 5 and svg.find(f"{SVG}style") is not None
    png = export(builder, "#pln-export-png").read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n"


HOSTILE = [
    "<script>window.__plnInjected = 1</script>",
    '<img src="x" onerror="window.__plnInjected = 2">',
    "<b>bold</b> & </text><text>svg</text>",
]


def test_names_with_markup_are_shown_as_text(builder):
    for name in HOSTILE:
        add(builder, name, "networks", "occasional")
    assert listed(builder) == HOSTILE
    assert sorted(drawn(builder)) == sorted(HOSTILE)
    injected = builder.evaluate(
        """() => ({
            flag: window.__plnInjected,
            elements: document.querySelectorAll(
                '#pln-app script, #pln-app img, #pln-app b').length})"""
    )
    assert injected.get("flag") is None and injected["elements"] == 0


def refused(page, tmp_path: Path, name: str, text: str) -> str:
    file = tmp_path / name
    file.write_text(text, encoding="utf-8")
    page.set_input_files("#pln-import", str(file))
    page.wait_for_selector("#pln-error:not([hidden])")
    message = page.inner_text("#pln-error")
    page.evaluate("() => { const e = document.getElementById('pln-error'); e.hidden = true; }")
    return message


BAD_FILES = {
    "not-json.json": "{this is not json",
    "array.json": "[]",
    "other-format.json": json.dumps({"format": "something-else", "version": 1, "sources": []}),
    "bad-group.json": json.dumps(
        {
            "format": "opentextbook-pln",
            "version": 1,
            "sources": [{"name": "x", "group": "aliens", "closeness": "close"}],
        }
    ),
    "extra-field.json": json.dumps(
        {
            "format": "opentextbook-pln",
            "version": 1,
            "sources": [
                {"name": "x", "group": "people", "closeness": "close", "__proto__": {"a": 1}}
            ],
        }
    ),
    "name-not-text.json": json.dumps(
        {
            "format": "opentextbook-pln",
            "version": 1,
            "sources": [{"name": {"toString": 1}, "group": "people", "closeness": "close"}],
        }
    ),
    "too-many.json": json.dumps(
        {
            "format": "opentextbook-pln",
            "version": 1,
            "sources": [{"name": "x", "group": "people", "closeness": "close"}] * 201,
        }
    ),
}


def test_malformed_or_hostile_imports_are_refused_and_change_nothing(builder, tmp_path):
    add(builder, "Maha Bali", "people", "close")
    add(builder, "#lrnchat", "media", "regular")
    stored = builder.evaluate("() => localStorage.getItem('opentextbook.pln-builder.v1')")
    for name, text in BAD_FILES.items():
        message = refused(builder, tmp_path, name, text)
        assert message.startswith("Import refused:") and "unchanged" in message, (name, message)
        assert listed(builder) == ["Maha Bali", "#lrnchat"], name
        assert builder.locator(NODES).count() == 2, name
    assert builder.evaluate("() => localStorage.getItem('opentextbook.pln-builder.v1')") == stored


def test_edit_remove_undo_and_clear_with_confirmation(builder):
    add(builder, "Maha Bali", "people", "close")
    add(builder, "ALT", "organisations", "regular")
    builder.click("#pln-list li:nth-child(2) button[data-action=edit]")
    assert builder.input_value("#pln-name") == "ALT"
    builder.fill("#pln-name", "Association for Learning Technology")
    builder.select_option("#pln-closeness", "occasional")
    builder.click("#pln-submit")
    assert listed(builder) == ["Maha Bali", "Association for Learning Technology"]
    assert "Occasional" in builder.inner_text("#pln-list li:nth-child(2)").title()
    builder.click("#pln-list li:nth-child(1) button[data-action=remove]")
    assert listed(builder) == ["Association for Learning Technology"]
    builder.click("#pln-undo")
    assert listed(builder) == ["Maha Bali", "Association for Learning Technology"]
    builder.click("#pln-clear")
    builder.click("#pln-confirm-no")  # changing one's mind keeps the map
    assert len(listed(builder)) == 2
    clear(builder)
    assert listed(builder) == [] and builder.locator(NODES).count() == 0
    builder.click("#pln-undo")
    assert len(listed(builder)) == 2


def test_keyboard_only_use_and_announcements(builder):
    builder.focus("#pln-name")
    builder.keyboard.type("Virtually Connecting")
    builder.keyboard.press("Tab")
    builder.keyboard.press("End")  # last group: media
    builder.keyboard.press("Tab")
    builder.keyboard.press("ArrowDown")  # second ring: regular
    builder.keyboard.press("Tab")
    builder.keyboard.press("Enter")  # the "Add source" button
    builder.wait_for_function("document.querySelectorAll('#pln-list li').length === 1")
    assert "Virtually Connecting" in builder.inner_text("#pln-status")
    assert builder.get_attribute("#pln-status", "aria-live") == "polite"
    assert builder.evaluate("() => document.activeElement.id") == "pln-name"
    node = builder.locator(NODES)
    assert node.get_attribute("data-closeness") == "regular"
    assert "pln-group-media" in node.get_attribute("class")


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_filled_builder_has_no_axe_violations(context, served_site, scheme):
    page = context.new_page()
    page.emulate_media(color_scheme=scheme)
    open_builder(page, served_site)
    add_five(page)
    add(page, "", "people", "close")  # shows the error message too
    page.add_script_tag(path=str(AXE))
    violations = page.evaluate(
        """() => axe.run(document, {runOnly: {type: 'tag',
            values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}})
            .then(r => r.violations.map(v => v.id + ': ' + v.nodes.map(n => n.target).join(' ')))"""
    )
    assert violations == []


def test_works_offline_opened_from_disk(context, built_site):
    """No server and no network: the page, its scripts and storage all load from file://."""
    context.set_offline(True)
    page = context.new_page()
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    page.goto((built_site.site / "pln-builder.html").as_uri())
    page.wait_for_selector("#pln-app[data-ready=true]")
    add(page, "Maha Bali", "people", "close")
    assert page.locator(NODES).count() == 1
    assert [url for url in requests if not url.startswith(("file:", "data:", "blob:"))] == []


def test_damaged_storage_is_reported_not_loaded(builder):
    builder.evaluate("() => localStorage.setItem('opentextbook.pln-builder.v1', '{broken')")
    builder.reload()
    builder.wait_for_selector("#pln-app[data-ready=true]")
    assert builder.locator(NODES).count() == 0
    assert "could not be read" in builder.inner_text("#pln-status")


def test_print_shows_the_map_and_list_without_the_controls(builder):
    add_five(builder)
    builder.emulate_media(media="print")
    assert builder.is_hidden("#pln-form") and builder.is_hidden("#pln-export-json")
    assert builder.is_visible("#pln-holder svg") and builder.is_visible("#pln-list")
