"""Accessibility of every built page, checked in a real browser (headless Debian Chromium).

axe-core runs every rule it has (WCAG 2.x A and AA and its best practices) on every page, in
the light and dark schemes, at desktop and phone widths; the structural checks below cover what
axe only samples (captions and header scopes on every table, heading order) and what it cannot
see (keyboard reach, pages that scroll sideways on a phone, columns lost when a page is printed).
"""

from __future__ import annotations

from pathlib import Path

import pytest

AXE = Path(__file__).parent / "browser" / "node_modules" / "axe-core" / "axe.min.js"
VIEWPORTS = {"desktop": {"width": 1280, "height": 800}, "phone": {"width": 390, "height": 844}}
SCHEMES = {"light": "default", "dark": "slate"}  # prefers-color-scheme -> Material's scheme

# No runOnly: every rule axe-core enables by default, best practices included.
RUN_AXE = """() => axe.run(document, {resultTypes: ['violations']})
    .then(r => r.violations.map(v => ({
        id: v.id, impact: v.impact, help: v.help,
        targets: v.nodes.map(n => n.target.join(' ')).slice(0, 5),
        summary: (v.nodes[0] && v.nodes[0].failureSummary) || ''})))"""

STRUCTURE = """() => {
  const problems = [];
  const main = document.querySelector('article') || document.body;
  for (const table of main.querySelectorAll('table')) {
    const where = table.id || (table.caption && table.caption.textContent.trim()) || 'a table';
    if (!table.caption || !table.caption.textContent.trim())
      problems.push(`${where}: no <caption>`);
    for (const th of table.querySelectorAll('th'))
      if (!th.hasAttribute('scope') && !th.hasAttribute('id'))
        problems.push(`${where}: <th> "${th.textContent.trim()}" has no scope`);
  }
  for (const img of document.querySelectorAll('img'))
    if (!img.hasAttribute('alt'))
      problems.push(`<img src="${img.getAttribute('src')}"> has no alt`);
  const levels = [...main.querySelectorAll('h1,h2,h3,h4,h5,h6')]
    .map(h => [+h.tagName[1], h.textContent.trim()]);
  if (levels.filter(([l]) => l === 1).length !== 1)
    problems.push('page does not have exactly one <h1>');
  for (let i = 1; i < levels.length; i++)
    if (levels[i][0] > levels[i - 1][0] + 1)
      problems.push(`heading "${levels[i][1]}" (h${levels[i][0]}) skips a level`
        + ` after h${levels[i - 1][0]}`);
  return problems;
}"""

FOCUSABLE = (
    "a[href], button:not([disabled]), input:not([disabled]), select:not([disabled]), "
    "textarea:not([disabled]), summary, [tabindex]:not([tabindex='-1'])"
)
# Components a reader must reach with Tab: activity boxes and the PLN builder.
KEYBOARD_COMPONENTS = [".otb-activity", ".otb-pln-builder", "[data-otb-pln-builder]"]


def site_pages(site: Path) -> list[str]:
    """Every HTML page of the built site, as a path relative to the site root."""
    pages = sorted(p.relative_to(site).as_posix() for p in site.rglob("*.html"))
    return [p.removesuffix("index.html") for p in pages]


def open_page(context, base_url: str, page_path: str):
    page = context.new_page()
    response = page.goto(base_url + page_path, wait_until="load")
    assert (response is not None and response.ok) or page_path == "404.html", page_path
    return page


def describe(violations: list[dict]) -> str:
    lines = []
    for v in violations:
        lines.append(f"  {v['page']}: {v['id']} ({v['impact']}) — {v['help']}")
        lines.extend(f"      at {target}" for target in v["targets"])
        if v["summary"]:
            lines.append("      " + v["summary"].replace("\n", "\n      "))
    return "\n".join(lines)


@pytest.fixture(scope="module")
def pages(built_site) -> list[str]:
    found = site_pages(built_site.site)
    assert "" in found and "404.html" in found, found
    return found


def test_axe_core_is_installed() -> None:
    assert AXE.is_file(), "run `npm ci` in tests/browser (tests/run.sh does it)"


def axe_violations(browser, base_url: str, pages: list[str], scheme: str, viewport: str):
    """axe-core's violations on every page of the site at ``base_url``, in this colour scheme
    at this width (also used for the translated books, tests/test_translated_browser.py)."""
    context = browser.new_context(viewport=VIEWPORTS[viewport], color_scheme=scheme)
    # A fresh context has empty localStorage, so Material follows prefers-color-scheme
    # rather than a palette toggle remembered from another run; checked below.
    found: list[dict] = []
    try:
        for page_path in pages:
            page = open_page(context, base_url, page_path)
            if page.locator("body[data-md-color-primary]").count():  # a Material page
                shown = page.get_attribute("body", "data-md-color-scheme")
                assert shown == SCHEMES[scheme], f"{page_path}: scheme {shown!r} in {scheme} mode"
            page.add_script_tag(path=str(AXE))
            found += [{**v, "page": page_path or "/"} for v in page.evaluate(RUN_AXE)]
            page.close()
    finally:
        context.close()
    return found


@pytest.mark.parametrize("viewport", VIEWPORTS)
@pytest.mark.parametrize("scheme", SCHEMES)
def test_no_axe_violations(browser, served_site, pages, scheme: str, viewport: str) -> None:
    """Every axe-core rule: zero violations on every page, in this scheme at this width."""
    found = axe_violations(browser, served_site, pages, scheme, viewport)
    assert not found, f"axe-core ({scheme}, {viewport}) found:\n{describe(found)}"


def structure_problems(browser, base_url: str, pages: list[str]) -> list[str]:
    """Tables without caption or scopes, images without alt, headings out of order."""
    context = browser.new_context(viewport=VIEWPORTS["desktop"])
    problems: list[str] = []
    try:
        for page_path in pages:
            page = open_page(context, base_url, page_path)
            problems += [f"{page_path or '/'}: {p}" for p in page.evaluate(STRUCTURE)]
            page.close()
    finally:
        context.close()
    return problems


def test_tables_images_and_headings(browser, served_site, pages) -> None:
    """Every table has a caption and scoped headers, every image alt, headings in order."""
    problems = structure_problems(browser, served_site, pages)
    assert not problems, "\n".join(problems)


# Elements that stick out past the end edge of the window (the right; the left on a
# right-to-left page), unless a scrolling (or clipping) box around them holds them: those make
# the whole page scroll sideways. Past the start edge nothing can scroll to: a drawer kept off
# screen there (Material's navigation on a phone) is no problem.
STICKING_OUT = """() => {
  const width = document.documentElement.clientWidth;
  const rtl = getComputedStyle(document.body).direction === 'rtl';
  const held = el => {
    for (let box = el.parentElement; box && box !== document.body; box = box.parentElement)
      if (getComputedStyle(box).overflowX !== 'visible') return true;
    return false;
  };
  const out = [...document.querySelectorAll('body *')].filter(el => {
    const r = el.getBoundingClientRect();
    const out = rtl ? r.left < -1 : r.right > width + 1;
    return r.width > 0 && r.height > 0 && out && !held(el);
  }).map(el => `<${el.tagName.toLowerCase()} class="${el.className}"> ends at `
    + `${Math.round(el.getBoundingClientRect()[rtl ? 'left' : 'right'])} px`);
  const page = document.documentElement.scrollWidth;
  if (page > width) out.unshift(`the page is ${page} px wide`);
  return out.slice(0, 5);
}"""


PHONE_WIDTHS = [320, 390]


def sideways_problems(browser, base_url: str, pages: list[str], width: int) -> list[str]:
    """What sticks out of each page (making it scroll sideways) in a window ``width`` wide."""
    context = browser.new_context(viewport={"width": width, "height": 800})
    problems: list[str] = []
    try:
        for page_path in pages:
            page = open_page(context, base_url, page_path)
            problems += [f"{page_path or '/'}: {p}" for p in page.evaluate(STICKING_OUT)]
            page.close()
    finally:
        context.close()
    return problems


@pytest.mark.parametrize("width", PHONE_WIDTHS)
def test_no_page_scrolls_sideways_on_a_phone(browser, served_site, pages, width: int) -> None:
    """Every page (chapter, worksheets, builder, licence, downloads, 404) fits a phone."""
    problems = sideways_problems(browser, served_site, pages, width)
    assert not problems, f"at {width} px:\n" + "\n".join(problems)


def test_printed_chapter_keeps_every_table_column(browser, served_site, built_site) -> None:
    """Chromium's print of each page with a data table shows every column heading, no arrows."""
    import io
    from unicodedata import normalize

    from pypdf import PdfReader

    context = browser.new_context(viewport=VIEWPORTS["desktop"])
    checked = 0
    try:
        for page_path in site_pages(built_site.site):
            file = built_site.site / page_path
            if not page_path.endswith(".html"):  # a folder's index.html
                file = file / "index.html"
            html = file.read_text(encoding="utf-8")
            if 'class="otb-datatable__table"' not in html:
                continue
            page = open_page(context, served_site, page_path)
            headings = page.eval_on_selector_all(
                ".otb-datatable__table thead th", "ths => ths.map(th => th.textContent.trim())"
            )
            printed = PdfReader(io.BytesIO(page.pdf(format="Letter")))
            # NFKC: the printed font sets "ff" as one ligature glyph.
            text = normalize("NFKC", " ".join(p.extract_text() for p in printed.pages))
            text = " ".join(text.split())
            missing = [h for h in headings if " ".join(h.split()) not in text]
            assert not missing, f"{page_path}: columns cut from the print: {missing}"
            assert not set("↕↑↓") & set(text), f"{page_path}: sort arrows printed"
            checked += len(headings)
            page.close()
    finally:
        context.close()
    assert checked >= 8, "no data table found to print"


def test_wide_table_says_it_scrolls(browser, served_site) -> None:
    """A table wider than the page shows a hint in words, gone once the table fits."""
    context = browser.new_context(viewport={"width": 390, "height": 800})
    try:
        page = open_page(context, served_site, "networking-and-plns.html")
        frame = page.locator(".otb-datatable__scroll:has(table)").first
        columns = frame.locator("thead th").count()
        hint = page.locator(".otb-datatable__hint:has(+ .otb-datatable__scroll table)").first
        assert hint.is_visible() and f"all {columns} columns" in hint.inner_text()
        # Keep only the first column: the table now fits its frame, and the hint goes.
        frame.evaluate(
            """el => el.querySelectorAll('th:not(:first-child), td')
                .forEach(cell => cell.style.display = 'none')"""
        )
        page.wait_for_function("el => el.hidden", arg=hint.element_handle())
    finally:
        context.close()


def tab_through(page, limit: int = 1500) -> list[str]:
    """Press Tab from the top of the page; the ``data-otb-key`` of each element focused."""
    page.evaluate(
        """sel => document.querySelectorAll(sel).forEach((el, i) => el.dataset.otbKey = i)""",
        FOCUSABLE,
    )
    reached: list[str] = []
    for _ in range(limit):
        page.keyboard.press("Tab")
        key = page.evaluate("() => document.activeElement && document.activeElement.dataset.otbKey")
        if key is None and reached:
            break  # focus left the document's tab order (back to the browser chrome)
        if key is not None:
            reached.append(key)
    return reached


def unreachable_controls(browser, base_url: str, pages: list[str]) -> tuple[list[str], int]:
    """The links and controls of activity boxes and the PLN builder that Tab does not reach,
    and how many there are in all."""
    context = browser.new_context(viewport=VIEWPORTS["desktop"])
    checked = 0
    unreachable: list[str] = []
    try:
        for page_path in pages:
            page = open_page(context, base_url, page_path)
            wanted = page.evaluate(
                """([components, focusable]) => [...document.querySelectorAll(components)]
                    .flatMap(c => [...c.querySelectorAll(focusable)])
                    .filter(el => el.offsetParent !== null)
                    .map(el => [el.outerHTML.slice(0, 120)])""",
                [", ".join(KEYBOARD_COMPONENTS), FOCUSABLE],
            )
            if wanted:
                reached = set(tab_through(page))
                keys = page.evaluate(
                    """([components, focusable]) => [...document.querySelectorAll(components)]
                        .flatMap(c => [...c.querySelectorAll(focusable)])
                        .filter(el => el.offsetParent !== null)
                        .map(el => el.dataset.otbKey)""",
                    [", ".join(KEYBOARD_COMPONENTS), FOCUSABLE],
                )
                checked += len(keys)
                unreachable += [
                    f"{page_path or '/'}: {html[0]}"
                    for key, html in zip(keys, wanted, strict=True)
                    if key not in reached
                ]
            page.close()
    finally:
        context.close()
    return unreachable, checked


def test_components_reachable_by_keyboard(browser, served_site, pages) -> None:
    """Tab reaches every link and control inside activity boxes and the PLN builder."""
    unreachable, checked = unreachable_controls(browser, served_site, pages)
    assert not unreachable, "not reachable with Tab:\n" + "\n".join(unreachable)
    assert checked > 0, "no links or controls found in activity boxes or the PLN builder"


def convert_table(text: str) -> str:
    import markdown

    return markdown.markdown(text, extensions=["tables", "opentextbook.markdown.tablecaption"])


TABLE = "| Template | Files |\n|---|---|\n| PLN map | [SVG](map.svg) |\n"


def test_table_caption_paragraph_becomes_caption() -> None:
    html = convert_table("Table: Templates for *the* activity\n\n" + TABLE)
    assert html.startswith("<table>\n<caption>Templates for <em>the</em> activity</caption>")
    assert "<p>" not in html
    assert html.count('scope="col"') == 2


def test_table_caption_may_follow_the_table() -> None:
    html = convert_table(TABLE + "\nTable: After the table\n")
    assert "<caption>After the table</caption>" in html and "<p>" not in html


def test_table_without_caption_paragraph_still_gets_scopes() -> None:
    html = convert_table("A paragraph.\n\n" + TABLE)
    assert "<caption>" not in html and "<p>A paragraph.</p>" in html
    assert html.count('scope="col"') == 2


@pytest.fixture
def served_elsewhere(built_site, tmp_path):
    """``built_site`` served under ``/elsewhere/`` (not site_url's path), with its 404.html
    answering every missing address, as GitHub Pages does for a fork published at its own path."""
    import functools
    import http.server
    import threading

    (tmp_path / "elsewhere").symlink_to(built_site.site, target_is_directory=True)
    not_found = (built_site.site / "404.html").read_bytes()

    class Handler(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args) -> None:
            pass

        def send_error(self, code, message=None, explain=None) -> None:
            if code != 404:
                return super().send_error(code, message, explain)
            self.send_response(404)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(not_found)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(not_found)

    handler = functools.partial(Handler, directory=str(tmp_path))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/elsewhere/"
    server.shutdown()
    server.server_close()


def test_404_page_is_styled_wherever_the_book_is_served(browser, served_elsewhere) -> None:
    context = browser.new_context(viewport=VIEWPORTS["desktop"])
    try:
        page = context.new_page()
        response = page.goto(served_elsewhere + "no/such/page.html", wait_until="load")
        assert response is not None and response.status == 404
        page.wait_for_function(
            """() => getComputedStyle(document.documentElement)
                .getPropertyValue('--otb-styles').trim() === '1'""",
            timeout=5000,
        )
        home = page.locator("a.md-header__button.md-logo").first.evaluate("a => a.href")
        assert home == served_elsewhere + "index.html"
    finally:
        context.close()


def test_table_addresses_stay_whole_and_tables_are_styled(browser, served_site) -> None:
    """Web addresses in a data table are never broken mid-word ("www.acm.or / g"); the
    attribution table looks like the book's other tables (caption and headings on the left,
    headings on a tinted row), not unstyled."""
    context = browser.new_context(viewport=VIEWPORTS["desktop"])
    try:
        page = open_page(context, served_site, "networking-and-plns.html")
        broken = page.eval_on_selector_all(
            ".otb-datatable__table a[href^='http']",
            "links => links.filter(a => a.getClientRects().length > 1).map(a => a.textContent)",
        )
        assert not broken, f"addresses broken across lines: {broken}"
        style = page.eval_on_selector(
            ".otb-attribution table",
            """table => ({
                caption: getComputedStyle(table.caption).textAlign,
                heading: getComputedStyle(table.querySelector('thead th')).textAlign,
                tint: getComputedStyle(table.querySelector('thead th')).backgroundColor,
                framed: getComputedStyle(table.parentElement).borderTopStyle,
            })""",
        )
        # start: the left in this left-to-right book (the right in an Arabic one).
        assert style["caption"] == "start" and style["heading"] == "start", style
        assert style["tint"] not in ("rgba(0, 0, 0, 0)", "transparent"), style
        assert style["framed"] == "solid", style
    finally:
        context.close()
