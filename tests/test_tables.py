"""The ``/// datatable`` block: golden HTML, each option, warnings, downloads, macros, sorting."""

from __future__ import annotations

import csv
import io
import json
import logging
import os
import re
import shutil
import textwrap
from html.parser import HTMLParser
from pathlib import Path

import markdown
import pytest
from conftest import ROOT, Build, copy_project, run_build
from markupsafe import escape

from opentextbook.datasets import load_dataset, load_schema
from opentextbook.datasets.tables import search_html
from opentextbook.markdown import location

ORGANIZATIONS = load_schema(ROOT / "data" / "organizations.schema.yml")

CHAPTER = "networking-and-plns.html"
NETWORKS_TABLE = "table-professional-networks-for-instructional-designers"
GOLDEN = Path(__file__).parent / "golden" / "tables"
EXTENSION = "opentextbook.markdown.datatable"

SMALL_DATA = """\
- id: zeta
  name: Zeta <script>alert(1)</script> & Co
  website: https://zeta.example.org/
  offers: [webinars, journals]
  free_membership: "yes"
  source: test
- id: alpha
  name: Alpha
  offers: [conferences]
  free_membership: "no"
  source: test
- id: mid
  name: Mid
  website: mailto:mid@example.org
  source: test
"""


# --- helpers -----------------------------------------------------------------------------------


def extract_div(html: str, ident: str) -> str:
    """The ``<div id=ident>`` element and everything inside it, as written in the page."""
    start = html.index(f'id="{ident}"')
    start = html.rindex("<div", 0, start)
    depth, position = 0, start
    for match in re.finditer(r"<div\b|</div>", html[start:]):
        depth += 1 if match.group() == "<div" else -1
        if depth == 0:
            position = start + match.end()
            break
    return html[start:position]


class TableReader(HTMLParser):
    """Reads a rendered table: header labels and each body row's cell texts."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.headers: list[str] = []
        self.rows: list[list[str]] = []
        self.groups: list[str] = []
        self.links: list[str] = []
        self._cell: list[str] | None = None
        self._section = ""
        self._group = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attr = dict(attrs)
        if tag in {"thead", "tbody"}:
            self._section = tag
        elif tag == "tr":
            self._group = "otb-datatable__group" in (attr.get("class") or "")
            if self._section == "tbody" and not self._group:
                self.rows.append([])
        elif tag in {"th", "td"}:
            self._cell = []
        elif tag == "a":
            self.links.append(attr.get("href") or "")

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag not in {"th", "td"} or self._cell is None:
            return
        text = " ".join("".join(self._cell).split())
        if self._section == "thead":
            self.headers.append(text)
        elif self._group:
            self.groups.append(text)
        else:
            self.rows[-1].append(text)
        self._cell = None


def read_table(html: str) -> TableReader:
    reader = TableReader()
    reader.feed(html)
    return reader


@pytest.fixture
def small_data(tmp_path: Path) -> Path:
    (tmp_path / "organizations.yml").write_text(SMALL_DATA, encoding="utf-8")
    shutil.copy(ROOT / "data" / "organizations.schema.yml", tmp_path)
    return tmp_path


def convert(text: str, data_dir: Path, page: str = "docs/page.md", **config) -> str:
    """Convert a page as MkDocs would, with ``page`` as the current page."""
    source = textwrap.dedent(text)
    location.set_page(page, source)
    try:
        return markdown.markdown(
            source,
            extensions=[EXTENSION],
            extension_configs={EXTENSION: {"data_dir": str(data_dir), **config}},
        )
    finally:
        location.clear_page()


def block(options: str, caption: str = "Networks") -> str:
    body = textwrap.indent(textwrap.dedent(options).strip(), "    ")
    return f"Intro\n\n/// datatable | {caption}\n{body}\n///\n"


def warnings_of(caplog) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]


# --- golden HTML of the component ----------------------------------------------------------------


def test_networks_table_matches_golden_file(built_site: Build) -> None:
    table = extract_div(built_site.page(CHAPTER), NETWORKS_TABLE)
    golden = GOLDEN / "organizations.html"
    if os.environ.get("UPDATE_GOLDEN"):
        golden.parent.mkdir(parents=True, exist_ok=True)
        golden.write_text(table + "\n", encoding="utf-8")
    assert table + "\n" == golden.read_text(encoding="utf-8")


def test_chapter_table_lists_every_organisation_with_links(built_site: Build) -> None:
    table = read_table(extract_div(built_site.page(CHAPTER), NETWORKS_TABLE))
    records = load_dataset(ROOT / "data" / "organizations.yml", ORGANIZATIONS).records
    assert sorted(row[0] for row in table.rows) == sorted(r["name"] for r in records)
    assert {r["website"] for r in records if r["website"]} <= set(table.links)


def test_chapter_shows_the_pln_nodes_from_data(built_site: Build) -> None:
    nodes = extract_div(built_site.page(CHAPTER), "table-examples-from-the-author-s-pln")
    names = re.findall(r'<dt class="otb-datalist__name">(.*?)</dt>', nodes)
    assert names == [
        "Maha Bali",
        "#lrnchat",
        "Virtually Connecting",
        "Demystifying Instructional Design",
    ]
    assert '<a href="https://virtuallyconnecting.org">' in nodes
    assert "What the author learns there:" in nodes


# --- the search index and serve rebuilds ----------------------------------------------------


def test_search_index_has_one_entry_line_per_row_with_cells_apart(built_site: Build) -> None:
    index = json.loads(built_site.page("search/search_index.json"))
    text = " ".join(doc["text"] for doc in index["docs"] if doc["location"].startswith(CHAPTER))
    records = load_dataset(ROOT / "data" / "organizations.yml", ORGANIZATIONS).records
    for record in records:  # each row is a paragraph starting with its name, cells apart
        assert f"<p>{escape(record['name'])}; " in text
    assert "Name; " in text  # the header row, once, as the rows' key


def test_search_html_rewrites_only_data_tables_and_keeps_text_escaped(small_data: Path) -> None:
    page = convert(block("data: organizations\ncolumns: [name, offers, website]"), small_data)
    other = "<table><tr><td>a</td><td>b</td></tr></table>"
    compact = search_html(page + other)
    assert "<p>Zeta &lt;script&gt;alert(1)&lt;/script&gt; &amp; Co; webinars, journals; " in compact
    assert "<p>Alpha; conferences; not known</p>" in compact
    assert "<tr" not in compact.replace(other, "")
    assert compact.endswith(other)  # not ours: left for the index to read as it always has


def test_a_changed_value_renders_its_row_again_and_no_other(small_data: Path, monkeypatch) -> None:
    from opentextbook.datasets import tables

    rendered: list[str] = []
    real = tables.template_macro

    def counting(name: str, macro: str):
        def call(row):
            rendered.append(row.ident)
            return real(name, macro)(row)

        return call

    monkeypatch.setattr(tables, "template_macro", counting)
    monkeypatch.setattr(tables, "_ROW_HTML", {})
    first = convert(block("data: organizations"), small_data)
    data = small_data / "organizations.yml"
    data.write_text(data.read_text(encoding="utf-8").replace("name: Mid", "name: Middle"))
    second = convert(block("data: organizations"), small_data)
    assert sorted(rendered) == ["alpha", "mid", "mid", "zeta"]
    assert second == first.replace(">Mid<", ">Middle<")


# --- the block's options ------------------------------------------------------------------------


def test_columns_choose_and_order_the_headers(small_data: Path) -> None:
    html = convert(block("data: organizations\ncolumns: [website, name]"), small_data)
    table = read_table(html)
    assert table.headers == ["Web site", "Name"]
    assert table.rows[0] == ["zeta.example.org", "Zeta <script>alert(1)</script> & Co"]


def test_default_columns_are_every_field_but_the_id(small_data: Path) -> None:
    table = read_table(convert(block("data: organizations"), small_data))
    assert table.headers == [f.label for f in ORGANIZATIONS.fields if f.name != "id"]


def test_every_value_is_html_escaped(small_data: Path) -> None:
    html = convert(block("data: organizations\ncolumns: [name]"), small_data)
    assert "<script>" not in html
    assert "Zeta &lt;script&gt;alert(1)&lt;/script&gt; &amp; Co" in html


def test_caption_is_escaped_and_names_the_scroll_region(small_data: Path) -> None:
    html = convert(block("data: organizations", caption="Networks <b>&</b> more"), small_data)
    assert (
        '<caption id="table-networks-b-b-more-caption">Networks &lt;b&gt;&amp;&lt;/b&gt; more'
        in html
    )
    assert 'role="region" aria-labelledby="table-networks-b-b-more-caption" tabindex="0"' in html


def test_caption_defaults_to_the_data_set_title(small_data: Path) -> None:
    html = convert("/// datatable\n    data: organizations\n///\n", small_data)
    assert f">{ORGANIZATIONS.title}</caption>" in html


def test_first_cell_of_a_row_is_its_header(small_data: Path) -> None:
    html = convert(block("data: organizations\ncolumns: [name, website]"), small_data)
    assert '<th scope="row">Alpha</th>' in html
    assert '<th scope="col" data-field="website">Web site</th>' in html


def test_links_are_rendered_as_links(small_data: Path) -> None:
    html = convert(block("data: organizations\ncolumns: [name, website]"), small_data)
    assert '<a href="https://zeta.example.org/">zeta.example.org</a>' in html
    assert '<a href="mailto:mid@example.org">mid@example.org</a>' in html


def test_unknown_values_say_not_known(small_data: Path) -> None:
    table = read_table(convert(block("data: organizations\ncolumns: [name, website]"), small_data))
    assert ["Alpha", "not known"] in table.rows


def test_sort_ascending_and_descending_with_unknown_last(small_data: Path) -> None:
    up = read_table(convert(block("data: organizations\ncolumns: [name]\nsort: name"), small_data))
    assert [r[0] for r in up.rows] == ["Alpha", "Mid", "Zeta <script>alert(1)</script> & Co"]
    down = read_table(
        convert(block("data: organizations\ncolumns: [name]\nsort: -name"), small_data)
    )
    assert [r[0] for r in down.rows] == ["Zeta <script>alert(1)</script> & Co", "Mid", "Alpha"]
    by_site = convert(block("data: organizations\ncolumns: [name]\nsort: -website"), small_data)
    assert [r[0] for r in read_table(by_site).rows][-1] == "Alpha"  # no web site: last


def test_filter_on_a_yes_no_field_written_bare(small_data: Path) -> None:
    html = convert(
        block("data: organizations\ncolumns: [name]\nfilter: {free_membership: yes}"), small_data
    )
    assert [r[0] for r in read_table(html).rows] == ["Zeta <script>alert(1)</script> & Co"]
    assert "Download the full list" not in html  # no downloads without the plugin


def test_filter_on_a_list_field_keeps_rows_that_contain_the_value(small_data: Path) -> None:
    html = convert(
        block("data: organizations\ncolumns: [name]\nfilter: {offers: conferences}"), small_data
    )
    assert [r[0] for r in read_table(html).rows] == ["Alpha"]


def test_group_puts_each_value_in_its_own_body_with_unknown_last(small_data: Path) -> None:
    html = convert(
        block("data: organizations\ncolumns: [name]\ngroup: free_membership"), small_data
    )
    table = read_table(html)
    assert table.groups == [
        "Free membership: yes",
        "Free membership: no",
        "Free membership: not known",
    ]
    assert html.count("<tbody>") == 3
    assert 'data-sort-method="none"' in html  # group rows stay put when the reader sorts


def test_id_option_sets_the_table_id(small_data: Path) -> None:
    html = convert(block("data: organizations\nid: my-table"), small_data)
    assert 'id="my-table"' in html and 'aria-labelledby="my-table-caption"' in html


def test_list_layout_names_each_entry_and_labels_its_fields(small_data: Path) -> None:
    options = "data: organizations\ncolumns: [name, acronym, website]\nlayout: list"
    html = convert(block(options), small_data)
    assert "<table" not in html
    assert '<dl class="otb-datalist" aria-labelledby="table-networks-caption">' in html
    assert '<dt class="otb-datalist__name">Alpha</dt>' in html
    assert (
        '<span class="otb-datalist__label">Web site:</span> <span class="otb-unknown">not known'
        in html
    )
    assert "Acronym:" not in html  # "none given" fields are left out of a list
    assert "Zeta &lt;script&gt;" in html


def test_list_layout_shows_group_beside_each_name(small_data: Path) -> None:
    options = "data: organizations\ncolumns: [name]\nlayout: list\ngroup: free_membership"
    html = convert(block(options), small_data)
    assert 'Alpha <span class="otb-datalist__group">(Free membership: no)</span></dt>' in html


def test_two_tables_with_one_caption_get_distinct_ids(small_data: Path) -> None:
    html = convert(block("data: organizations") + "\n" + block("data: organizations"), small_data)
    assert 'id="table-networks"' in html and 'id="table-networks-2"' in html


def test_downloads_are_linked_relative_to_the_page(small_data: Path) -> None:
    location.set_page("docs/sub/page.md", block("data: organizations"), url="sub/page/")
    try:
        html = markdown.markdown(
            block("data: organizations"),
            extensions=[EXTENSION],
            extension_configs={EXTENSION: {"data_dir": str(small_data), "downloads": True}},
        )
    finally:
        location.clear_page()
    assert '<a href="../../downloads/organizations.csv" download>CSV</a>' in html
    assert '<a href="../../downloads/organizations.json" download>JSON</a>' in html


def test_downloads_false_hides_the_links(small_data: Path) -> None:
    html = convert(block("data: organizations\ndownloads: false"), small_data, downloads=True)
    assert "downloads/organizations.csv" not in html
    assert "downloads/organizations.csv" in convert(
        block("data: organizations"), small_data, downloads=True
    )


def test_body_of_the_block_is_a_note_under_the_table(small_data: Path) -> None:
    html = convert(
        block("data: organizations\ncolumns: [name]")
        .replace("///\n", "\n*Checked in 2026.*\n///\n", 1)
        .replace("Intro\n\n", ""),
        small_data,
    )
    assert '<div class="otb-datatable__note">\n<p><em>Checked in 2026.</em></p>' in html


# --- bad options: a warning naming page and line -------------------------------------------------


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (
            "data: organizations\ncolums: [name]",
            "unknown option 'colums' — did you mean 'columns'?",
        ),
        (
            "data: organizations\ncolumns: [nme]",
            "unknown column 'nme' in data set 'organizations' — did you mean 'name'?",
        ),
        (
            "data: organizations\nsort: acronim",
            "unknown sort field 'acronim' in data set 'organizations' — did you mean 'acronym'?",
        ),
        (
            "data: organizations\nfilter: {free: yes}",
            "unknown filter field 'free' in data set 'organizations'",
        ),
        ("data: organizations\ngroup: offers", "cannot group by 'offers': it holds a list"),
        ("data: organisations", "unknown data set 'organisations' — did you mean 'organizations'?"),
        ("columns: [name]", "needs 'data:' naming a data set"),
        ("data: organizations\ndownloads: maybe", "option 'downloads' has a bad value 'maybe'"),
        ("data: organizations\nlayout: cards", "option 'layout' has a bad value 'cards'"),
    ],
)
def test_bad_option_warns_with_page_and_line(
    small_data: Path, caplog, options: str, message: str
) -> None:
    with caplog.at_level(logging.WARNING, logger="mkdocs.plugins.opentextbook"):
        convert(block(options), small_data, page="docs/networks.md")
    found = warnings_of(caplog)
    assert len(found) == 1, found
    assert found[0].startswith(f"docs/networks.md:3: {message}")


def test_block_with_options_that_are_not_yaml_is_not_silently_dropped(
    small_data: Path, caplog
) -> None:
    page = "Intro\n\n/// datatable | Networks\n    data: [organizations\n///\n"
    with caplog.at_level(logging.WARNING, logger="mkdocs.plugins.opentextbook"):
        convert(page, small_data)
    assert warnings_of(caplog) == [
        "docs/page.md:3: this datatable block was not recognised — its options must be valid "
        "YAML, indented by 4 spaces right under the '/// datatable' line"
    ]


def test_second_block_with_the_same_caption_gets_its_own_line(small_data: Path, caplog) -> None:
    page = (
        block("data: organizations")
        + "\n"
        + block("data: organizations\nsort: nope").replace("Intro\n\n", "")
    )
    with caplog.at_level(logging.WARNING, logger="mkdocs.plugins.opentextbook"):
        convert(page, small_data)
    assert [m.split(" ")[0] for m in warnings_of(caplog)] == ["docs/page.md:7:"]


def test_bad_option_still_draws_the_table(small_data: Path, caplog) -> None:
    with caplog.at_level(logging.WARNING, logger="mkdocs.plugins.opentextbook"):
        html = convert(block("data: organizations\ncolumns: [name, nme]"), small_data)
    assert read_table(html).headers == ["Name"]


def test_bad_data_without_the_plugin_is_a_warning_naming_the_file(small_data: Path, caplog) -> None:
    (small_data / "organizations.yml").write_text("- id: x\n  nam: X\n", encoding="utf-8")
    with caplog.at_level(logging.WARNING, logger="mkdocs.plugins.opentextbook"):
        convert(block("data: organizations"), small_data)
    assert warnings_of(caplog) == [
        f"docs/page.md:3: {small_data}/organizations.yml:2:3: unknown field 'nam' — "
        "did you mean 'name'?"
    ]


def test_bad_block_option_fails_the_strict_build(tmp_path: Path) -> None:
    # A one-page book (the full one takes several times longer to build).
    project = tmp_path / "book"
    shutil.copytree(ROOT / "data", project / "data")
    (project / "docs").mkdir()
    (project / "mkdocs.yml").write_text(
        "site_name: Tables\nplugins:\n  - opentextbook\n"
        "markdown_extensions:\n  - opentextbook.markdown.datatable\n",
        encoding="utf-8",
    )
    (project / "docs" / "index.md").write_text(
        "# Tables\n\n" + block("data: organizations\nsort: nmae"), encoding="utf-8"
    )
    result = run_build(project)
    output = result.stdout + result.stderr
    assert result.returncode != 0
    assert (
        "docs/index.md:5: unknown sort field 'nmae' in data set 'organizations' — "
        "did you mean 'name'?"
    ) in output
    assert "Traceback" not in output


# --- downloads ---------------------------------------------------------------------------------


def test_csv_download_holds_the_same_rows_as_the_table(built_site: Build) -> None:
    table = read_table(extract_div(built_site.page(CHAPTER), NETWORKS_TABLE))
    rows = list(csv.DictReader(io.StringIO(built_site.page("downloads/organizations.csv"))))
    assert (
        rows[0].keys() == set(ORGANIZATIONS.field_names)
        or list(rows[0]) == ORGANIZATIONS.field_names
    )
    assert sorted(r["name"] for r in rows) == sorted(row[0] for row in table.rows)
    websites = {r["name"]: r["website"] for r in rows}
    assert websites["Training Magazine Network"] == ""
    assert websites["Association for Talent Development"] == "https://www.td.org"


def test_json_download_holds_the_same_records_as_the_data(built_site: Build) -> None:
    document = json.loads(built_site.page("downloads/organizations.json"))
    records = load_dataset(ROOT / "data" / "organizations.yml", ORGANIZATIONS).records
    assert document["dataset"] == "organizations"
    assert document["records"] == records


def test_page_links_to_downloads_that_exist(built_site: Build) -> None:
    html = built_site.page(CHAPTER)
    for name in ("organizations", "pln_nodes"):
        for fmt in ("csv", "json"):
            assert f'href="downloads/{name}.{fmt}"' in html
            assert (built_site.site / "downloads" / f"{name}.{fmt}").is_file()


# --- site, macros, live data --------------------------------------------------------------------


def test_sort_script_is_served_from_the_site(built_site: Build) -> None:
    html = built_site.page(CHAPTER)
    assert 'src="assets/opentextbook/tablesort.min.js"' in html
    script = (built_site.site / "assets" / "opentextbook" / "tablesort.min.js").read_text("utf-8")
    assert script.startswith("/*!\n * tablesort v5") and "Licensed MIT" in script
    licence = built_site.site / "assets" / "opentextbook" / "tablesort.LICENCE.txt"
    assert "Copyright (c) Tristen Brown" in licence.read_text("utf-8")


def test_macros_see_the_validated_data(built_site: Build) -> None:
    # The chapter writes "The {{ data.organizations | length }} networks below".
    assert "The 10 networks below are professional networks" in built_site.page(CHAPTER)


def test_changed_data_is_read_again_on_rebuild(tmp_path: Path) -> None:
    from mkdocs.config import load_config

    project = copy_project(tmp_path / "book")
    data = project / "data" / "organizations.yml"

    def names() -> list[str]:
        config = load_config(str(project / "mkdocs.yml"))
        config = config.plugins.on_config(config)
        return [org["name"] for org in config.extra["data"]["organizations"]]

    assert "Association for Computing Machinery" in names()
    data.write_text(
        data.read_text("utf-8").replace(
            "name: Association for Computing", "name: Society for Computing"
        ),
        "utf-8",
    )
    assert "Society for Computing Machinery" in names()


def test_header_click_sorts_in_the_browser(served_site: str, browser) -> None:
    page = browser.new_page()
    try:
        page.goto(served_site + CHAPTER)
        table = page.locator(f"#{NETWORKS_TABLE} table")
        first = table.locator("tbody tr th").first
        assert first.inner_text() == "Association for Computing Machinery"
        header = table.locator("thead th", has_text="Name")
        header.focus()
        page.keyboard.press("Enter")
        page.keyboard.press("Enter")
        assert header.get_attribute("aria-sort") == "descending"
        assert first.inner_text() == "Training Magazine Network"
    finally:
        page.close()
