"""The translated fixture book, built in Spanish and in Arabic, in a real browser.

The accessibility checks the English book passes (tests/test_accessibility.py: axe-core in
both colour schemes at both widths, captions and heading order, no sideways scroll on a phone,
keyboard reach) run here on every page of both builds: chapter, licence, downloads, the PLN
builder, each worksheet page and the 404 page. Then the layout is checked to follow the
book's direction — Arabic from the right — and the builder to work in it.
"""

from __future__ import annotations

import pytest
from test_accessibility import (
    PHONE_WIDTHS,
    SCHEMES,
    VIEWPORTS,
    axe_violations,
    describe,
    open_page,
    sideways_problems,
    site_pages,
    structure_problems,
    unreachable_controls,
)

BUILDER = "constructor.html"
CHAPTER = "redes.html"
LICENCE = "licencia.html"
WORKSHEETS = ["dibuja-tu-red", "σχεδιάστε-το-δίκτυό-σας", "画出你的学习网络"]


@pytest.fixture
def book(served_translated_book) -> tuple[str, list[str], str]:
    """``(language, every page, base URL)`` of the Spanish, then the Arabic build."""
    language, build, url = served_translated_book
    return language, site_pages(build.site), url


def test_every_kind_of_page_is_checked(book) -> None:
    _, pages, _ = book
    expected = {"", "404.html", BUILDER, CHAPTER, LICENCE, "descargas.html"}
    expected |= {f"worksheets/{name}/" for name in WORKSHEETS}
    assert expected <= set(pages), sorted(expected - set(pages))


@pytest.mark.parametrize("viewport", VIEWPORTS)
@pytest.mark.parametrize("scheme", SCHEMES)
def test_no_axe_violations(browser, book, scheme: str, viewport: str) -> None:
    language, pages, url = book
    found = axe_violations(browser, url, pages, scheme, viewport)
    assert not found, f"axe-core ({language}, {scheme}, {viewport}) found:\n{describe(found)}"


def test_tables_images_and_headings(browser, book) -> None:
    language, pages, url = book
    problems = structure_problems(browser, url, pages)
    assert not problems, f"{language}:\n" + "\n".join(problems)


@pytest.mark.parametrize("width", PHONE_WIDTHS)
def test_no_page_scrolls_sideways_on_a_phone(browser, book, width: int) -> None:
    language, pages, url = book
    problems = sideways_problems(browser, url, pages, width)
    assert not problems, f"{language} at {width} px:\n" + "\n".join(problems)


def test_components_reachable_by_keyboard(browser, book) -> None:
    language, pages, url = book
    unreachable, checked = unreachable_controls(browser, url, pages)
    assert not unreachable, f"{language}, not reachable with Tab:\n" + "\n".join(unreachable)
    assert checked > 10, "the activity boxes' links and the builder's controls were not found"


# Where each cell's text sits in its cell (after padding), the order of the columns, and the
# side of the activity box's accent border: the sides a reader sees, not the CSS written.
TABLE_SIDES = """sel => [...document.querySelectorAll(sel)].map(table => {
  const gaps = [...table.querySelectorAll('th, td')].filter(c => c.textContent.trim())
    .map(cell => {
      const box = cell.getBoundingClientRect(), style = getComputedStyle(cell);
      const range = document.createRange();
      range.selectNodeContents(cell);
      const text = range.getBoundingClientRect();
      return {cell: cell.textContent.trim().slice(0, 30),
              left: text.left - box.left - parseFloat(style.paddingLeft),
              right: box.right - parseFloat(style.paddingRight) - text.right};
    });
  const heads = [...table.querySelectorAll('thead th')].map(th => th.getBoundingClientRect());
  return {table: (table.caption && table.caption.textContent.trim()) || table.className,
          direction: getComputedStyle(table).direction, gaps,
          firstColumnAtRight: heads.length > 1 && heads[0].left > heads[1].left};
})"""

ACCENT_SIDE = """sel => [...document.querySelectorAll(sel)].map(box => {
  const style = getComputedStyle(box);
  return parseFloat(style.borderRightWidth) > parseFloat(style.borderLeftWidth) ? 'right'
    : parseFloat(style.borderLeftWidth) > parseFloat(style.borderRightWidth) ? 'left' : 'none';
})"""


def start_side(language: str) -> str:
    return "right" if language == "ar" else "left"


def test_tables_and_boxes_follow_the_direction(browser, book) -> None:
    """Data, attribution and credits tables start at the right in Arabic (first column, text
    of every cell) and at the left in Spanish; so does the activity boxes' accent border."""
    language, _, url = book
    start, end = start_side(language), {"left": "right", "right": "left"}[start_side(language)]
    context = browser.new_context(viewport=VIEWPORTS["desktop"])
    tables = []
    try:
        for page_path in (CHAPTER, LICENCE):
            page = open_page(context, url, page_path)
            tables += page.evaluate(TABLE_SIDES, ".otb-datatable__table, .otb-table")
            if page_path == CHAPTER:
                accents = page.evaluate(ACCENT_SIDE, ".otb-activity, .otb-solution")
            page.close()
    finally:
        context.close()
    assert len(tables) >= 3 and len(accents) == 4, (tables, accents)  # data, attribution, credits
    assert set(accents) == {start}, accents
    for table in tables:
        assert table["direction"] == ("rtl" if language == "ar" else "ltr"), table
        assert table["firstColumnAtRight"] == (start == "right"), table
        # Text hugs the start side of its cell; where a cell is wider than its text, the gap
        # is at the end side.
        astray = [gap for gap in table["gaps"] if gap[start] > 1.5]
        assert not astray, f"{table['table']}: text not at the {start} of its cell: {astray}"
        assert any(gap[end] > 20 for gap in table["gaps"]), table


def test_builder_works_in_the_book_direction(browser, book) -> None:
    """Add a source on a phone: it is listed and drawn, the page does not scroll sideways, and
    its Edit and Remove buttons sit at the far end of its line (the left in Arabic)."""
    language, _, url = book
    context = browser.new_context(viewport={"width": 320, "height": 800})
    try:
        page = open_page(context, url, BUILDER)
        page.wait_for_selector("[data-otb-pln-builder][data-ready='true']")
        assert page.evaluate("getComputedStyle(document.querySelector('#pln-app')).direction") == (
            "rtl" if language == "ar" else "ltr"
        )
        page.fill("#pln-name", "مها بالي" if language == "ar" else "Maha Bali")
        page.click("#pln-submit")
        page.wait_for_selector("#pln-list li")
        assert page.locator("#pln-list li").count() == 1
        assert page.locator("#pln-holder .pln-node").count() == 1
        sides = page.evaluate(
            """() => {
              const text = document.querySelector('#pln-list .pln-item-text');
              const actions = document.querySelector('#pln-list .pln-item-actions');
              return {text: text.getBoundingClientRect().toJSON(),
                      actions: actions.getBoundingClientRect().toJSON(),
                      wide: document.documentElement.scrollWidth,
                      window: document.documentElement.clientWidth};
            }"""
        )
        assert sides["wide"] <= sides["window"], sides
        # On one line or two (a narrow screen), the buttons end up away from the line's start.
        if language == "ar":
            assert sides["actions"]["right"] < sides["text"]["right"], sides
        else:
            assert sides["actions"]["left"] > sides["text"]["left"], sides
    finally:
        context.close()
