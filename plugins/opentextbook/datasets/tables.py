"""Turn a validated data set into an accessible HTML table.

:func:`build_table` makes the table model (columns, optional groups, rows of display cells)
from a :class:`~opentextbook.datasets.Dataset` and the reader-facing options of the
``/// datatable`` block; :func:`render_table` renders it with an autoescaped Jinja template, so
every value from the data is HTML-escaped and no markup is built in Python strings.
Unknown facts are shown as "not known", never as an empty cell a reader could misread.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from opentextbook.datasets import NONE_GIVEN, Dataset, Field, Record, TableSchema
from opentextbook.i18n.slugs import slugify
from opentextbook.support.errors import did_you_mean
from opentextbook.support.templating import render_template, template_macro


class TableSpecError(ValueError):
    """A table option names something the data set does not have (a page-level problem)."""


@dataclass
class TableSpec:
    """What a page asks for: which columns, in which order, and which rows."""

    columns: Sequence[str] = ()
    sort: str = ""
    filter: Mapping[str, Any] = field(default_factory=dict)
    group: str = ""


@dataclass
class Cell:
    """One displayed value: text (or a list of items), an optional link, or "not known"."""

    text: str = ""
    items: list[str] = field(default_factory=list)
    href: str | None = None
    known: bool = True
    optional: bool = False
    """Left out, and the field is one an entry may simply not have ("none given")."""


@dataclass
class TableRow:
    ident: str
    cells: list[Cell]


@dataclass
class TableGroup:
    """Rows sharing a value of the grouping field; ``label`` is ``None`` when not grouped."""

    label: str | None
    rows: list[TableRow]


@dataclass
class DataTable:
    """The table model handed to the template."""

    ident: str
    caption: str
    dataset: str
    columns: list[Field]
    groups: list[TableGroup]
    filtered: bool = False
    downloads: dict[str, str] = field(default_factory=dict)

    @property
    def rows(self) -> list[TableRow]:
        return [row for group in self.groups for row in group.rows]


def default_columns(schema: TableSchema) -> list[str]:
    """Every field but the id: what a table shows when a page does not choose."""
    return [name for name in schema.field_names if name != schema.id_field]


def build_table(dataset: Dataset, spec: TableSpec, caption: str, ident: str = "") -> DataTable:
    """The table model for ``dataset``; a bad option raises :class:`TableSpecError`."""
    schema = dataset.schema
    columns = [_field(schema, name, "column") for name in spec.columns or default_columns(schema)]
    records = [r for r in dataset.records if matches(schema, r, spec.filter)]
    records = _sorted(schema, records, spec.sort)
    return DataTable(
        ident=ident or f"table-{slugify(caption) or schema.name}",
        caption=caption,
        dataset=schema.name,
        columns=columns,
        groups=_grouped(schema, records, columns, spec.group),
        filtered=bool(spec.filter),
    )


def checked_spec(schema: TableSchema, spec: TableSpec) -> tuple[TableSpec, list[str]]:
    """``spec`` without the options ``schema`` cannot satisfy, and a message for each.

    Lets a page show its table (without the bad option) while the problem is still reported.
    """
    problems: list[str] = []

    def usable(name: str, role: str) -> bool:
        try:
            _check_role(schema, name, role)
        except TableSpecError as exc:
            problems.append(str(exc))
            return False
        return True

    cleaned = TableSpec(
        columns=[name for name in spec.columns if usable(name, "column")],
        sort=spec.sort if spec.sort and usable(spec.sort.lstrip("-"), "sort field") else "",
        filter={k: v for k, v in spec.filter.items() if usable(k, "filter field")},
        group=spec.group if spec.group and usable(spec.group, "group field") else "",
    )
    return cleaned, problems


LAYOUTS = {"table": "table.html", "list": "table_list.html"}
"""How a table can be drawn: a real table, or a description list for long prose fields."""


def render_table(table: DataTable, layout: str = "table") -> str:
    """The table as HTML (autoescaped Jinja; scrollable, captioned, sortable in the browser).

    ``layout="list"`` draws the same model as a description list: each entry named by its
    first column, the other columns as labelled fields — easier to read when cells are prose.
    """
    return render_template(LAYOUTS[layout], table=table, row_html=_row_html)


_SEARCH_TABLE = re.compile(r'<table class="otb-datatable__table"[^>]*>(.*?)</table>', re.S)
_SEARCH_CAPTION = re.compile(r"<caption\b[^>]*>(.*?)</caption>", re.S)
_SEARCH_ROW = re.compile(r"<tr\b[^>]*>(.*?)</tr>", re.S)
_SEARCH_CELL = re.compile(r"<t[hd]\b[^>]*>(.*?)</t[hd]>", re.S)
_SEARCH_ITEM_BREAK = re.compile(r"</li>\s*<li>")
_SEARCH_TAG = re.compile(r"<[^>]*>")


def search_html(html: str) -> str:
    """``html`` (a page) with each data table as one paragraph per row, for the search index.

    Material's index walks every tag of a page in Python and glues the cells of a row into one
    word ("yesnot known"), so a table of thousands of rows was both the slowest part of a
    rebuild and hard to search. As ``<p>name; scope; …</p>`` a row keeps its words, apart, at a
    tenth of the tags. Only this package's table markup is rewritten; cell text stays escaped.
    """
    return _SEARCH_TABLE.sub(_search_paragraphs, html)


def _search_paragraphs(table: re.Match) -> str:
    inner = table.group(1)
    caption = _SEARCH_CAPTION.search(inner)
    lines = [caption.group(1)] if caption else []
    for row in _SEARCH_ROW.finditer(inner):
        cells = [_search_text(cell) for cell in _SEARCH_CELL.findall(row.group(1))]
        lines.append("; ".join(cell for cell in cells if cell))
    return "".join(f"<p>{line}</p>" for line in lines if line)


def _search_text(cell: str) -> str:
    return _SEARCH_TAG.sub("", _SEARCH_ITEM_BREAK.sub(", ", cell)).strip()


_ROW_HTML: dict[str, str] = {}
"""Rows rendered before, by everything they show. In ``mkdocs serve`` a data set of thousands
of entries with one value changed renders one row again, not thousands."""
_ROW_HTML_LIMIT = 200_000


def _row_html(row: TableRow) -> str:
    key = repr(row)  # the dataclasses' repr holds every value a row shows
    html = _ROW_HTML.get(key)
    if html is None:
        if len(_ROW_HTML) >= _ROW_HTML_LIMIT:
            _ROW_HTML.clear()
        html = _ROW_HTML[key] = template_macro("table_cells.html", "table_row")(row)
    return html


def display_cell(spec: Field, value: Any) -> Cell:
    """How one field value is shown: links for web sites, labels for choices, notes attributed."""
    if value is None or value == []:
        return Cell(text=spec.absent, known=False, optional=spec.missing == NONE_GIVEN)
    if spec.is_url:
        return Cell(text=_short_url(value), href=value)
    if spec.is_list:
        return Cell(items=[_item_text(spec, item) for item in value])
    return Cell(text=_single_text(spec, value))


def plain_text(spec: Field, value: Any) -> str:
    """One value as plain text (for sorting, grouping and CSV): lists joined with "; "."""
    if value is None:
        return ""
    if isinstance(value, list):
        return "; ".join(_item_text(spec, item) for item in value)
    return _single_text(spec, value)


def _field(schema: TableSchema, name: str, role: str) -> Field:
    if name not in schema.field_map:
        raise TableSpecError(
            f"unknown {role} '{name}' in data set '{schema.name}' — "
            f"{did_you_mean(name, schema.field_names)}"
        )
    return schema.field(name)


def _check_role(schema: TableSchema, name: str, role: str) -> None:
    spec = _field(schema, name, role)
    if role == "group field" and spec.is_list:
        raise TableSpecError(
            f"cannot group by '{name}': it holds a list — group by a field with one value"
        )


def matches(schema: TableSchema, record: Record, wanted: Mapping[str, Any]) -> bool:
    """A row is kept when every filtered field equals (or, for lists, contains) the value."""
    for name, value in wanted.items():
        _field(schema, name, "filter field")
        have = record[name]
        values = {_normalise(v) for v in (value if isinstance(value, list) else [value])}
        if isinstance(have, list):
            if not values & {_normalise(item) for item in have}:
                return False
        elif _normalise(have) not in values:
            return False
    return True


def _normalise(value: Any) -> str:
    # In a page, `free_membership: yes` arrives as True; the data means the word.
    if isinstance(value, bool):
        return "yes" if value else "no"
    return "" if value is None else str(value).casefold()


def _sorted(schema: TableSchema, records: list[Record], sort: str) -> list[Record]:
    if not sort:
        return records
    descending = sort.startswith("-")
    spec = _field(schema, sort.lstrip("-"), "sort field")
    known = [r for r in records if r[spec.name] not in (None, [])]
    unknown = [r for r in records if r[spec.name] in (None, [])]
    known.sort(key=lambda r: _sort_key(spec, r[spec.name]), reverse=descending)
    return known + unknown  # "not known" always last, whatever the direction


def _sort_key(spec: Field, value: Any) -> Any:
    """Numbers sort as numbers (9 before 10); everything else as the text readers see."""
    if spec.type in ("integer", "number", "year"):
        return value
    return plain_text(spec, value).casefold()


def _grouped(
    schema: TableSchema, records: list[Record], columns: list[Field], group: str
) -> list[TableGroup]:
    def row(record: Record) -> TableRow:
        cells = [display_cell(col, record[col.name]) for col in columns]
        ident = record[schema.id_field] if schema.id_field else ""
        return TableRow(ident=str(ident), cells=cells)

    if not group:
        return [TableGroup(label=None, rows=[row(r) for r in records])]
    _check_role(schema, group, "group field")
    spec = schema.field(group)
    groups: dict[str, TableGroup] = {}
    for record in records:
        value = plain_text(spec, record[group]) or spec.absent
        groups.setdefault(value, TableGroup(label=f"{spec.label}: {value}", rows=[]))
        groups[value].rows.append(row(record))
    order = [spec.choice_label(c) for c in spec.choices]

    def position(value: str) -> tuple[bool, int, str]:
        return (value == spec.absent, order.index(value) if value in order else 0, value)

    return [groups[value] for value in sorted(groups, key=position)]


def _item_text(spec: Field, item: Any) -> str:
    if isinstance(item, dict):  # e.g. an attributed note: "{note} ({by})"
        if spec.shown:
            return re.sub(r"\{([^}]*)\}", lambda m: str(item.get(m[1], "")), spec.shown)
        return "; ".join(f"{key}: {value}" for key, value in item.items())
    return _single_text(spec, item)


def _single_text(spec: Field, value: Any) -> str:
    """A single value as readers see it: a choice's label, yes/no, or the text itself."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    return spec.choice_label(value)


def _short_url(url: str) -> str:
    """``https://www.acm.org/`` → ``www.acm.org``: readable in a narrow column."""
    text = re.sub(r"^(https?://|mailto:)", "", url)
    return text.rstrip("/")
