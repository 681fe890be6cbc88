"""The PLN map read as a reader sees it: text size on paper and on a phone, labels that never
overlap, the credit printed once, and the builder's form, messages and buttons on a phone.

Boxes are read from the drawing in Chromium (getBBox, getBoundingClientRect) and font sizes
from the PDFs' own content streams, so a change in fonts, styles or layout is caught.
"""

from __future__ import annotations

import json
import math
import re
import xml.etree.ElementTree as ET

import pypdf
import pytest
from conftest import ROOT
from pypdf.generic import ContentStream

from opentextbook.metadata import load_metadata
from opentextbook.pln import PLN_DOWNLOADS_DIR, storage_key
from opentextbook.pln.render import credit_for
from opentextbook.pln.svgmap import render_map_svg

SVG = "{http://www.w3.org/2000/svg}"
KEY = storage_key(load_metadata(ROOT / "data" / "book.yml"), "")  # mkdocs.yml: no site_url
GROUPS = ("people", "organisations", "networks", "media")
RINGS = ("close", "regular", "occasional")
LONG_NAMES = (
    "Demystifying Instructional Design",
    "Association for Learning Technology",
    "International Society for Technology in Education",
    "Supercalifragilisticexpialidocious Learning Podcast",
    "Maha Bali",
    "#lrnchat",
    "Virtually Connecting",
    "Online Learning Consortium Accessibility Community",
)
MAP_PDFS = (
    "pln-map-letter.pdf",
    "pln-map-a4.pdf",
    "example-pln-map-letter.pdf",
    "example-pln-map-a4.pdf",
)
PHONE = {"width": 390, "height": 844}


def many_sources(count: int) -> list[dict[str, str]]:
    """``count`` sources with long names, spread over every cell of the map."""
    return [
        {
            "name": f"{LONG_NAMES[i % len(LONG_NAMES)]} {i + 1}",
            "group": GROUPS[i % 4],
            "closeness": RINGS[(i // 4) % 3],
        }
        for i in range(count)
    ]


# Every label's drawn box against every other label and everything labels must keep clear of.
OVERLAPS = """svg => {
  const box = (el, grow = 0) => { const b = el.getBBox();
    return [b.x - grow, b.y - grow, b.x + b.width + grow, b.y + b.height + grow]; };
  const hit = (a, b) => a[0] < b[2] && b[0] < a[2] && a[1] < b[3] && b[1] < a[3];
  const named = sel => [...svg.querySelectorAll(sel)];
  const labels = named('.pln-node-label');
  const fixed = [...named('.pln-ring-label, .pln-sector-label, .pln-me, .pln-me-label'),
    ...named('.pln-nodes .pln-marker')].map(el => [el, box(el)])
    .concat(named('.pln-divider').map(el => [el, box(el, 1)]));
  const what = el => `${el.getAttribute('class')} "${el.textContent}"`;
  const problems = [];
  labels.forEach((label, i) => {
    const b = box(label);
    if (b[0] < 0 || b[1] < 0 || b[2] > 1000 || b[3] > 1000)
      problems.push(`${what(label)} leaves the map`);
    labels.slice(i + 1).forEach(other => {
      if (hit(b, box(other))) problems.push(`${what(label)} overlaps ${what(other)}`);
    });
    fixed.forEach(([el, f]) => {
      if (hit(b, f)) problems.push(`${what(label)} covers ${what(el)}`);
    });
  });
  return {problems, labels: labels.length};
}"""


@pytest.fixture
def context(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    yield context
    context.close()


@pytest.fixture
def phone(browser):
    context = browser.new_context(viewport=PHONE, device_scale_factor=1)
    yield context
    context.close()


def open_builder(context, served_site: str, sources: list[dict[str, str]] | None = None):
    """The builder page, holding ``sources`` as if the reader had saved them before."""
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(served_site + "pln-builder.html")
    if sources is not None:
        saved = json.dumps({"format": "opentextbook-pln", "version": 1, "sources": sources})
        page.evaluate("([key, text]) => localStorage.setItem(key, text)", [KEY, saved])
        page.reload()
    page.wait_for_selector("#pln-app[data-ready=true]")
    page.errors = errors
    return page


def add(page, name: str, group: str, closeness: str) -> None:
    page.fill("#pln-name", name)
    page.select_option("#pln-group", group)
    page.select_option("#pln-closeness", closeness)
    page.click("#pln-submit")


def assert_no_overlap(page, selector: str, at_least: int) -> None:
    found = page.eval_on_selector(selector, OVERLAPS)
    assert not found["problems"], "\n".join(found["problems"][:10])
    assert found["labels"] >= at_least


# ---- labels --------------------------------------------------------------------------------


@pytest.mark.parametrize("count", [5, 24, 60])
def test_no_two_labels_overlap_in_the_builder(context, served_site, count):
    page = open_builder(context, served_site, many_sources(count))
    assert page.locator("#pln-holder .pln-node").count() == count
    # With 60 long names some labels become the source's number: every node keeps a label.
    assert_no_overlap(page, "#pln-holder svg", at_least=count if count < 60 else 50)
    assert not page.errors


def test_long_names_wrap_onto_two_whole_lines(context, served_site):
    page = open_builder(context, served_site)
    add(page, "Demystifying Instructional Design", "media", "close")
    lines = page.locator("#pln-holder .pln-node-label tspan").all_text_contents()
    assert lines == ["Demystifying", "Instructional Design"]


def test_builder_labels_are_the_templates_labels(context, served_site):
    sources = many_sources(60)
    page = open_builder(context, served_site, sources)
    live = page.eval_on_selector_all(
        "#pln-holder .pln-node",
        """nodes => nodes.map(n => [n.querySelector('title').textContent,
            [...n.querySelectorAll('tspan')].map(t =>
                [t.getAttribute('x'), t.getAttribute('y'), t.textContent])])""",
    )
    credit = credit_for(load_metadata(ROOT / "data" / "book.yml"), "test")
    root = ET.fromstring(render_map_svg(sources, title="t", description="d", credit=credit))
    drawn = [
        [
            g.find(f"{SVG}title").text,
            [[t.get("x"), t.get("y"), t.text] for t in g.iter(f"{SVG}tspan")],
        ]
        for g in root.iter(f"{SVG}g")
        if "pln-node" in g.get("class", "").split()
    ]
    assert live == drawn
    assert any(len(lines) == 2 for _, lines in drawn)  # wrapped names
    assert any(re.fullmatch(r"\d+", lines[0][2]) for _, lines in drawn if lines)  # numbers


def test_a_number_on_the_map_is_the_sources_number_in_the_list(context, served_site):
    page = open_builder(context, served_site, many_sources(60))
    numbered = page.eval_on_selector_all(
        "#pln-holder .pln-node",
        """nodes => nodes.filter(n => /^\\d+$/.test(n.querySelector('text')?.textContent ?? ''))
            .map(n => [n.querySelector('text').textContent,
                       n.querySelector('title').textContent])""",
    )
    assert numbered
    items = page.locator("#pln-list .pln-item-name").all_text_contents()
    assert page.eval_on_selector("#pln-list", "list => list.tagName") == "OL"
    for number, name in numbered:
        assert items[int(number) - 1] == name


def test_no_two_labels_overlap_in_the_map_files(context, built_site):
    pln = built_site.site / PLN_DOWNLOADS_DIR
    credit = credit_for(load_metadata(ROOT / "data" / "book.yml"), "test")
    crowded = render_map_svg(many_sources(40), title="t", description="d", credit=credit)
    page = context.new_page()
    for name, svg, least in [
        ("example-pln-map.svg", (pln / "example-pln-map.svg").read_text("utf-8"), 4),
        ("crowded", crowded, 30),
    ]:
        page.set_content("<!DOCTYPE html><html><body>" + svg + "</body></html>")
        assert_no_overlap(page, "svg", at_least=least), name


# ---- text size -----------------------------------------------------------------------------


PHONE_TEXT = """svg => {
  const scale = svg.getBoundingClientRect().width / svg.viewBox.baseVal.width;
  return [...svg.querySelectorAll('text')].map(t =>
    [parseFloat(getComputedStyle(t).fontSize) * scale, t.textContent]);
}"""


def test_map_text_is_at_least_11_px_on_a_phone(phone, served_site):
    page = open_builder(phone, served_site, many_sources(8))
    sizes = page.eval_on_selector("#pln-holder svg", PHONE_TEXT)
    assert len(sizes) > 20
    small = [(round(size, 1), text) for size, text in sizes if size < 11]
    assert not small
    assert "scroll it sideways" in page.inner_text(".pln-figure figcaption")
    # The page itself does not scroll sideways: the map scrolls in its own focusable frame.
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    assert page.get_attribute("#pln-holder", "tabindex") == "0"


def test_builder_map_prints_its_text_at_9_pt_or_more(browser, served_site):
    # 718 CSS px: the width of an A4 page less 1 cm margins, at 96 px to the inch.
    context = browser.new_context(viewport={"width": 718, "height": 1000})
    try:
        page = open_builder(context, served_site, many_sources(8))
        page.emulate_media(media="print")
        sizes = page.eval_on_selector("#pln-holder svg", PHONE_TEXT)
    finally:
        context.close()
    assert len(sizes) > 20
    assert not [(round(px * 0.75, 1), text) for px, text in sizes if px * 0.75 < 9]


def _mul(a: list[float], b: list[float]) -> list[float]:
    return [
        a[0] * b[0] + a[1] * b[2],
        a[0] * b[1] + a[1] * b[3],
        a[2] * b[0] + a[3] * b[2],
        a[2] * b[1] + a[3] * b[3],
        a[4] * b[0] + a[5] * b[2] + b[4],
        a[4] * b[1] + a[5] * b[3] + b[5],
    ]


def printed_text_sizes(reader, stream, resources, ctm) -> list[tuple[float, str]]:
    """(size in points on paper, text) of every piece of text, form XObjects included."""
    sizes: list[tuple[float, str]] = []
    stack, font, matrix = [], 0.0, [1, 0, 0, 1, 0, 0]
    for operands, operator in ContentStream(stream, reader).operations:
        if operator == b"q":
            stack.append(ctm)
        elif operator == b"Q":
            ctm = stack.pop()
        elif operator == b"cm":
            ctm = _mul([float(x) for x in operands], ctm)
        elif operator == b"Tf":
            font = float(operands[1])
        elif operator == b"Tm":
            matrix = [float(x) for x in operands]
        elif operator in (b"TJ", b"Tj"):
            m = _mul(matrix, ctm)
            text = operands[0] if operator == b"Tj" else operands[0][0]
            sizes.append((font * math.sqrt(abs(m[0] * m[3] - m[1] * m[2])), repr(text)[:30]))
        elif operator == b"Do":
            form = resources["/XObject"][operands[0]].get_object()
            own = [float(x) for x in form.get("/Matrix", [1, 0, 0, 1, 0, 0])]
            inner = form.get("/Resources", resources)
            sizes += printed_text_sizes(reader, form, inner, _mul(own, ctm))
    return sizes


@pytest.mark.parametrize("name", MAP_PDFS)
def test_map_text_is_at_least_9_pt_on_paper(built_site, name):
    reader = pypdf.PdfReader(built_site.site / PLN_DOWNLOADS_DIR / name)
    page = reader.pages[0]
    sizes = printed_text_sizes(reader, page.get_contents(), page["/Resources"], [1, 0, 0, 1, 0, 0])
    assert len(sizes) > 20  # title, legend, ring and sector names (and the example's nodes)
    small = [(round(size, 2), text) for size, text in sizes if size < 9]
    assert not small


@pytest.mark.parametrize("name", MAP_PDFS)
def test_map_pdfs_print_the_credit_once(built_site, name):
    reader = pypdf.PdfReader(built_site.site / PLN_DOWNLOADS_DIR / name)
    text = reader.pages[0].extract_text()
    assert text.count("Licence:") == 1
    assert text.count("adapted from") == 1


def test_map_svg_files_keep_their_credit_whole_and_clear_of_the_legend(context, built_site):
    svg = (built_site.site / PLN_DOWNLOADS_DIR / "pln-map.svg").read_text("utf-8")
    root = ET.fromstring(svg)
    credit = [t for t in root.iter(f"{SVG}text") if t.get("class") == "pln-credit"]
    assert len(credit) == 1 and "Licence:" in "".join(credit[0].itertext())
    page = context.new_page()
    page.set_content("<!DOCTYPE html><html><body>" + svg + "</body></html>")
    boxes = page.eval_on_selector(
        "svg",
        """svg => ['.pln-credit', '.pln-legend'].map(s => {
            const b = svg.querySelector(s).getBBox();
            return [b.x, b.y, b.x + b.width, b.y + b.height]; })""",
    )
    (left, top, right, bottom), legend = boxes
    assert left >= 0 and right <= 1000 and bottom <= 1240 and top > legend[3]


# ---- the builder on a phone ----------------------------------------------------------------


def in_view(page, selector: str) -> bool:
    return page.eval_on_selector(
        selector,
        """el => { const r = el.getBoundingClientRect();
          return r.left >= 0 && r.top >= 0
            && r.right <= innerWidth && r.bottom <= innerHeight; }""",
    )


@pytest.mark.parametrize(
    ("group", "closeness"), [("organisations", "occasional"), ("media", "close")]
)
def test_an_added_source_is_drawn_in_sight_on_a_phone(phone, served_site, group, closeness):
    page = open_builder(phone, served_site)
    add(page, "Association for Learning Technology", group, closeness)
    node = "#pln-holder .pln-node:last-child .pln-marker"
    page.wait_for_selector(node)
    assert in_view(page, node)
    assert "Added Association for Learning Technology" in page.inner_text("#pln-status")


def test_the_map_comes_right_after_the_form_and_its_toolbar_is_compact(phone, served_site):
    page = open_builder(phone, served_site)
    form = page.locator("#pln-form").bounding_box()
    holder = page.locator("#pln-holder").bounding_box()
    assert 0 <= holder["y"] - (form["y"] + form["height"]) < 80
    tops = {
        round(b["y"])
        for b in page.eval_on_selector_all(
            ".pln-toolbar .pln-button", "bs => bs.map(b => b.getBoundingClientRect().toJSON())"
        )
    }
    assert len(tops) <= 3  # seven buttons in at most three rows, under the map
    assert page.locator(".pln-toolbar").bounding_box()["y"] > holder["y"]


@pytest.mark.parametrize("viewport", [PHONE, {"width": 1280, "height": 900}])
def test_edit_and_remove_line_up_on_every_row(browser, served_site, viewport):
    context = browser.new_context(viewport=viewport)
    try:
        page = open_builder(context, served_site, many_sources(6))
        rows = page.eval_on_selector_all(
            "#pln-list li",
            """items => items.map(li => ['edit', 'remove'].map(a =>
                li.querySelector(`button[data-action=${a}]`).getBoundingClientRect().toJSON()))""",
        )
    finally:
        context.close()
    assert len(rows) == 6
    for edit, remove in rows:
        assert edit["top"] == remove["top"] and edit["right"] < remove["left"]
    assert len({round(edit["left"]) for edit, _ in rows}) == 1
    assert len({round(remove["right"]) for _, remove in rows}) == 1


def visible_messages(page) -> list[str]:
    return page.eval_on_selector_all(
        "#pln-error, #pln-status",
        "els => els.filter(e => !e.hidden && e.textContent.trim()).map(e => e.textContent)",
    )


def test_one_message_line_each_message_replacing_the_last(context, served_site):
    page = open_builder(context, served_site)
    add(page, "Maha Bali", "people", "close")
    assert visible_messages(page) == ["Added Maha Bali (People, close)."]
    page.fill("#pln-name", "")
    page.click("#pln-submit")
    assert visible_messages(page) == ["Write the name of the source first."]
    add(page, "#lrnchat", "media", "regular")
    assert visible_messages(page) == ["Added #lrnchat (Media such as podcasts and chats, regular)."]


def test_import_is_a_button_that_opens_the_file_chooser(context, served_site, tmp_path):
    page = open_builder(context, served_site)
    button = page.get_by_role("button", name="Import JSON")
    assert button.count() == 1
    saved = tmp_path / "map.json"
    saved.write_text(
        json.dumps({"format": "opentextbook-pln", "version": 1, "sources": many_sources(3)})
    )
    with page.expect_file_chooser() as chooser:
        button.click()
    chooser.value.set_files(str(saved))
    page.wait_for_function("document.querySelectorAll('#pln-list li').length === 3")
    assert "Imported 3 sources" in page.inner_text("#pln-status")
