"""The PLN builder page, driven in headless Chromium against the built site on loopback."""

from __future__ import annotations

import dataclasses
import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from conftest import ROOT
from lxml import etree

from opentextbook.metadata import load_metadata
from opentextbook.pln import add_builder_assets, storage_key
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
LEGACY_KEY = "opentextbook.pln-builder.v1"
KEY = storage_key(load_metadata(ROOT / "data" / "book.yml"), "")  # mkdocs.yml: no site_url
SITE_URL = "https://example.org/networking-and-plns/"


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
    stored = stored_map(builder)
    for name, text in BAD_FILES.items():
        message = refused(builder, tmp_path, name, text)
        assert message.startswith("Import refused:") and "unchanged" in message, (name, message)
        assert listed(builder) == ["Maha Bali", "#lrnchat"], name
        assert builder.locator(NODES).count() == 2, name
    assert stored_map(builder) == stored


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
    assert axe_violations(page) == []


def axe_violations(page) -> list[str]:
    page.add_script_tag(path=str(AXE))
    return page.evaluate(
        """() => axe.run(document, {runOnly: {type: 'tag',
            values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}})
            .then(r => r.violations.map(v => v.id + ': ' + v.nodes.map(n => n.target).join(' ')))"""
    )


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


def test_print_shows_the_map_and_list_without_the_controls(builder):
    add_five(builder)
    builder.emulate_media(media="print")
    assert builder.is_hidden("#pln-form") and builder.is_hidden("#pln-export-json")
    assert builder.is_visible("#pln-holder svg") and builder.is_visible("#pln-list")


# ---- the builder never loses a map -------------------------------------------------------


def stored_map(page, key: str = KEY) -> str | None:
    return page.evaluate("key => localStorage.getItem(key)", key)


def store(page, key: str, value: str) -> None:
    page.evaluate("([key, value]) => localStorage.setItem(key, value)", [key, value])


def reopen(page) -> None:
    page.reload()
    page.wait_for_selector("#pln-app[data-ready=true]")


def pln_file(*sources: tuple[str, str, str]) -> str:
    entries = [{"name": n, "group": g, "closeness": c} for n, g, c in sources]
    return json.dumps({"format": "opentextbook-pln", "version": 1, "sources": entries})


def test_storage_key_names_the_book_and_is_escaped_in_the_page():
    book = load_metadata(ROOT / "data" / "book.yml")
    other = dataclasses.replace(book, title='Another "book" <script>')
    assert storage_key(book, SITE_URL) != storage_key(other, SITE_URL)
    assert storage_key(book, SITE_URL) != storage_key(book, "https://example.org/other/")
    assert storage_key(book, SITE_URL) == storage_key(book, SITE_URL.rstrip("/"))
    assert storage_key(book, "") == storage_key(book, None)  # no address: the title names it
    html = add_builder_assets("<head></head><body></body>", "assets", storage_key(other, None))
    assert "<script>" not in html.replace('<script src="assets/pln-', "")
    script = etree.HTML(html).xpath("//script[@data-storage-key]")[0]
    assert script.get("data-storage-key") == storage_key(other, None)


def test_the_page_saves_under_its_books_own_key(builder):
    assert builder.get_attribute("script[data-storage-key]", "data-storage-key") == KEY
    add(builder, "Maha Bali", "people", "close")
    assert json.loads(stored_map(builder))["sources"][0]["name"] == "Maha Bali"
    assert stored_map(builder, LEGACY_KEY) is None


def test_two_books_on_one_host_keep_separate_maps(builder, served_site):
    """A second book's builder page on the same origin: the same script, another key."""
    add(builder, "Maha Bali", "people", "close")
    other_key = storage_key(load_metadata(ROOT / "data" / "book.yml"), "https://example.org/b/")
    html = builder.content().replace(f'data-storage-key="{KEY}"', f'data-storage-key="{other_key}"')
    assert other_key in html
    builder.route(
        "**/other-book.html", lambda route: route.fulfill(body=html, content_type="text/html")
    )
    builder.goto(served_site + "other-book.html")
    builder.wait_for_selector("#pln-app[data-ready=true]")
    assert listed(builder) == []
    add(builder, "#lrnchat", "media", "regular")
    open_builder(builder, served_site)
    assert listed(builder) == ["Maha Bali"]
    assert json.loads(stored_map(builder, other_key))["sources"][0]["name"] == "#lrnchat"


def test_a_map_saved_under_the_shared_key_moves_to_the_books_key_once(builder):
    store(builder, LEGACY_KEY, pln_file(("Maha Bali", "people", "close")))
    builder.evaluate("key => localStorage.removeItem(key)", KEY)
    reopen(builder)
    assert listed(builder) == ["Maha Bali"]
    assert stored_map(builder, LEGACY_KEY) is None
    assert json.loads(stored_map(builder))["sources"][0]["name"] == "Maha Bali"


def backup_text(page) -> str:
    page.wait_for_selector("#pln-backup-notice:not([hidden])")
    assert page.is_visible("#pln-alert")
    return page.inner_text("#pln-backup-text")


def test_a_saved_map_with_an_unreadable_entry_keeps_every_source(builder):
    """A remix renamed a group: the other sources load, and the whole saved map is kept."""
    saved = pln_file(
        ("Maha Bali", "people", "close"),
        ("Old group", "communities", "regular"),
        ("#lrnchat", "media", "regular"),
    )
    store(builder, KEY, saved)
    reopen(builder)
    assert listed(builder) == ["Maha Bali", "#lrnchat"]
    message = backup_text(builder)
    assert "1 saved source(s) could not be read" in message and "source 2" in message
    add(builder, "Jane Bozarth", "people", "regular")  # the next edit saves over the map ...
    assert len(json.loads(stored_map(builder))["sources"]) == 3
    assert json.loads(stored_map(builder, KEY + ".unreadable")) == [saved]  # ... not the backup
    assert builder.is_visible("#pln-backup-notice")  # a later message does not hide it
    assert "Added Jane Bozarth" in builder.inner_text("#pln-status")
    reopen(builder)
    backup_text(builder)
    assert export(builder, "#pln-backup-download").read_text("utf-8") == saved
    builder.click("#pln-backup-discard")
    assert builder.is_hidden("#pln-alert") and stored_map(builder, KEY + ".unreadable") is None
    reopen(builder)
    assert builder.is_hidden("#pln-alert") and len(listed(builder)) == 3


def test_a_saved_map_that_is_not_json_is_kept_and_offered(builder):
    store(builder, KEY, "{broken")
    reopen(builder)
    assert builder.locator(NODES).count() == 0
    assert "could not be read" in backup_text(builder)
    add(builder, "Maha Bali", "people", "close")
    assert json.loads(stored_map(builder, KEY + ".unreadable")) == ["{broken"]
    assert export(builder, "#pln-backup-download").read_text("utf-8") == "{broken"


FULL_STORAGE = """() => {
    window.__realSetItem = Storage.prototype.setItem;
    Storage.prototype.setItem = function () {
        throw new DOMException("The quota has been exceeded.", "QuotaExceededError");
    };
}"""


def test_a_full_storage_keeps_its_notice_and_the_sources(builder):
    add(builder, "Maha Bali", "people", "close")
    builder.evaluate(FULL_STORAGE)
    add(builder, "Jane Bozarth", "people", "regular")
    add(builder, "#lrnchat", "media", "regular")
    assert "Added #lrnchat" in builder.inner_text("#pln-status")  # the next message ...
    assert builder.is_visible("#pln-save-notice")  # ... leaves the notice in its own region
    assert "not let the map be saved" in builder.inner_text("#pln-alert")
    assert builder.get_attribute("#pln-alert", "role") == "alert"
    assert listed(builder) == ["Maha Bali", "Jane Bozarth", "#lrnchat"]
    exported = json.loads(export(builder, "#pln-save-export").read_text("utf-8"))
    assert [s["name"] for s in exported["sources"]] == listed(builder)
    assert builder.evaluate("() => window.__realSetItem !== undefined")
    builder.evaluate("() => { Storage.prototype.setItem = window.__realSetItem; }")
    add(builder, "ALT", "organisations", "occasional")  # a save works again: notice goes
    assert builder.is_hidden("#pln-alert") and len(json.loads(stored_map(builder))["sources"]) == 4


def test_an_unreadable_map_that_cannot_be_backed_up_is_never_overwritten(builder):
    saved = pln_file(("Maha Bali", "people", "close"), ("Old", "communities", "close"))
    store(builder, KEY, saved)
    builder.add_init_script(FULL_STORAGE.join(["(", ")()"]))
    reopen(builder)
    assert "kept on this page" in backup_text(builder)
    add(builder, "#lrnchat", "media", "regular")
    assert "Your changes are not saved" in builder.inner_text("#pln-save-notice")
    assert stored_map(builder) == saved
    assert export(builder, "#pln-backup-download").read_text("utf-8") == saved


NOT_XML = ["U+FFFE \ufffe", "U+FFFF \uffff", "bell \u0007", "lone \ud800 surrogate", "low \udfff"]


def test_characters_xml_forbids_never_reach_the_exported_svg(builder, tmp_path):
    file = tmp_path / "odd.json"
    entries = [{"name": name, "group": "people", "closeness": "close"} for name in NOT_XML]
    text = json.dumps({"format": "opentextbook-pln", "version": 1, "sources": entries})
    file.write_text(text, encoding="ascii")  # \u escapes: lone surrogates survive in JSON
    builder.set_input_files("#pln-import", str(file))
    builder.wait_for_function("document.querySelectorAll('#pln-list li').length === 5")
    add(builder, "typed \ufffe", "media", "close")
    raw = export(builder, "#pln-export-svg").read_bytes()
    svg = etree.fromstring(raw)  # raises on any character XML 1.0 does not allow
    titles = [t.text for t in svg.iter(f"{SVG}title")]
    assert "U+FFFE \ufffd" in titles and "lone \ufffd surrogate" in titles
    assert "typed \ufffd" in titles and "bell" in titles
    assert not re.search("[\ufffe\uffff\x00-\x08]", raw.decode("utf-8"))
    saved = json.loads(stored_map(builder))
    assert "U+FFFE \ufffd" in [s["name"] for s in saved["sources"]]


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_the_notices_have_no_axe_violations(context, served_site, scheme):
    page = context.new_page()
    page.emulate_media(color_scheme=scheme)
    open_builder(page, served_site)
    store(page, KEY, "{broken")
    reopen(page)
    page.evaluate(FULL_STORAGE)
    add(page, "Maha Bali", "people", "close")
    assert page.is_visible("#pln-backup-notice") and page.is_visible("#pln-save-notice")
    assert axe_violations(page) == []
