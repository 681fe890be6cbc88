"""The ``/// datatable | Caption`` block: a data set from ``data/`` as an accessible table.

```
/// datatable | Professional networks for instructional designers
    data: organizations
    columns: [name, scope, offers, free_membership, website]
    sort: name
    filter: {free_membership: "yes"}
    group: scope
///
```

Other options: ``downloads: false`` hides the "Download this list" line, ``id`` sets the HTML
id, and ``layout: list`` draws a description list instead of a table (for prose-heavy fields).
Any Markdown in the block's body is shown under the table as a note. A bad option (unknown
name, unknown column, unknown data set) is a WARNING naming page and line — so
``mkdocs build --strict`` fails — and the table is drawn without that option, never dropped.

Where the data comes from: inside MkDocs the ``opentextbook`` plugin hands the already
validated data sets to this extension (config ``datasets``) and turns on download links.
Used on its own (``markdown.markdown(text, extensions=["opentextbook.markdown.datatable"])``)
the extension loads and validates the data sets from its ``data_dir`` option itself.
"""

from __future__ import annotations

import xml.etree.ElementTree as etree
from dataclasses import asdict
from pathlib import Path
from typing import Any

from markdown.treeprocessors import Treeprocessor
from pymdownx.blocks import BlocksExtension
from pymdownx.blocks.block import (
    Block,
    type_boolean,
    type_html_identifier,
    type_string,
    type_string_in,
)

from opentextbook import i18n
from opentextbook.datasets import Dataset, load_datasets, missing_dataset_message
from opentextbook.datasets.downloads import download_paths
from opentextbook.datasets.tables import (
    LAYOUTS,
    TableSpec,
    build_table,
    checked_spec,
    matches,
    render_table,
)
from opentextbook.i18n.slugs import slugify
from opentextbook.markdown import location
from opentextbook.markdown.unread import unread_blocks
from opentextbook.support.errors import SourceError, did_you_mean
from opentextbook.support.keyedcache import code_digest, digest, read_json, write_json

TABLE_CODE = (
    "datasets/tables.py",
    "markdown/datatable.py",
    "support/templating.py",
    "templates/table.html",
    "templates/table_cells.html",
    "templates/table_downloads.html",
    "templates/table_list.html",
)
"""What turns a data set into table HTML: a change to any of them renders tables again."""


def type_names(value: Any) -> list[str]:
    """Column names as a YAML list (``[name, website]``) or a comma-separated string."""
    if isinstance(value, str):
        value = value.split(",")
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ValueError("expected a list of field names, e.g. [name, website]")
    return [v.strip() for v in value if v.strip()]


def type_filter(value: Any) -> dict[str, Any]:
    """A mapping of field name to the wanted value (or list of values)."""
    if not isinstance(value, dict):
        raise ValueError('expected a mapping, e.g. {free_membership: "yes"}')
    return {str(k): v for k, v in value.items()}


_HTML_CACHE: dict[str, str] = {}
"""Tables rendered in this process by key, so ``mkdocs serve`` rebuilds skip even the read."""
_HTML_CACHE_SIZE = 64


class DataTableBlock(Block):
    """Draws a data set as a table; the argument is the caption (default: the data set title)."""

    NAME = "datatable"
    ARGUMENT = None
    OPTIONS = {
        "data": ("", type_string),
        "columns": ([], type_names),
        "sort": ("", type_string),
        "filter": ({}, type_filter),
        "group": ("", type_string),
        "downloads": (True, type_boolean),
        "id": ("", type_html_identifier),
        "layout": ("table", type_string_in(list(LAYOUTS))),
    }

    def _validate(self, parent: etree.Element, arg: Any, **options: Any) -> bool:
        """Warn about each bad option by name, then go on without it (never a silent drop)."""
        counts = self.tracker.setdefault("seen", {})
        self.occurrence = counts.get(arg or "", 0)
        counts[arg or ""] = self.occurrence + 1
        self.argument_text = arg or ""
        return super()._validate(parent, arg, **self._usable_options(options))

    def _usable_options(self, options: dict[str, Any]) -> dict[str, Any]:
        usable = {}
        for name, value in options.items():
            if name not in self.option_spec:
                self._warn(f"unknown option '{name}' — {did_you_mean(name, self.OPTIONS)}")
                continue
            try:
                self.option_spec[name][1](value)
            except (TypeError, ValueError) as exc:
                self._warn(f"option '{name}' has a bad value {value!r}: {exc}")
                continue
            usable[name] = value
        return usable

    def on_create(self, parent: etree.Element) -> etree.Element:
        self.wrapper = etree.SubElement(parent, "div", {"class": "otb-datatable-block"})
        html = self._render()
        if html:
            etree.SubElement(self.wrapper, "p").text = self.md.htmlStash.store(html)
        return etree.SubElement(self.wrapper, "div", {"class": "otb-datatable__note"})

    def on_end(self, block: etree.Element) -> None:
        if len(block) == 0 and not (block.text or "").strip():
            self.wrapper.remove(block)  # no note under the table

    def _render(self) -> str:
        dataset = self._dataset()
        if dataset is None:
            return ""
        spec = TableSpec(
            columns=self.options["columns"],
            sort=self.options["sort"],
            filter=self.options["filter"],
            group=self.options["group"],
        )
        spec, problems = checked_spec(dataset.schema, spec)
        for problem in problems:
            self._warn(problem)
        schema = dataset.schema
        if spec.filter and not any(matches(schema, r, spec.filter) for r in dataset.records):
            self._warn(
                f"filter {self.options['filter']} matches no entry of data set '{dataset.name}', "
                "so no table is drawn — check the values (they must equal a field's value, or "
                "an item of a list)"
            )
            return ""
        caption = self.argument_text or dataset.schema.title
        ident = self._unique_id(caption)
        downloads = {}
        if self.options["downloads"] and self.config["downloads"]:
            paths = download_paths(dataset.name).items()
            downloads = {fmt: location.site_link(path) for fmt, path in paths}
        options = (asdict(spec), caption, ident, downloads, self.options["layout"])
        code = code_digest(*TABLE_CODE)
        key = dataset.digest and digest(dataset.digest, options, code, i18n.active().fingerprint)
        return self._cached(key) or self._rendered(key, dataset, spec, caption, ident, downloads)

    def _cached(self, key: str) -> str:
        """Table HTML rendered before from the same inputs (options were checked already)."""
        if not key:
            return ""
        html = _HTML_CACHE.get(key) or read_json(self._cache_dir, key)
        return html if isinstance(html, str) else ""

    def _rendered(
        self,
        key: str,
        dataset: Dataset,
        spec: TableSpec,
        caption: str,
        ident: str,
        downloads: dict[str, str],
    ) -> str:
        table = build_table(dataset, spec, caption, ident=ident)
        table.downloads = downloads
        html = render_table(table, self.options["layout"])
        if key:
            if len(_HTML_CACHE) >= _HTML_CACHE_SIZE:
                _HTML_CACHE.clear()
            _HTML_CACHE[key] = html
            write_json(self._cache_dir, key, html)
        return html

    @property
    def _cache_dir(self) -> Path | None:
        return Path(self.config["cache_dir"]) if self.config["cache_dir"] else None

    def _unique_id(self, caption: str) -> str:
        """The table's id; two tables with one caption on a page get ``-2``, ``-3``…"""
        base = self.options["id"] or f"table-{slugify(caption) or self.options['data']}"
        used = self.tracker.setdefault("ids", set())
        ident, number = base, 1
        while ident in used:
            number += 1
            ident = f"{base}-{number}"
        used.add(ident)
        return ident

    def _dataset(self) -> Dataset | None:
        name = self.options["data"].replace("-", "_")  # the file name works too
        if not name:
            self._warn("needs 'data:' naming a data set, e.g. 'data: organizations'")
            return None
        datasets = self._datasets()
        if datasets is None:
            return None
        if name not in datasets:
            self._warn(missing_dataset_message(name, self.config["data_dir"], datasets))
            return None
        return datasets[name]

    def _datasets(self) -> dict[str, Dataset] | None:
        """Data sets handed over by the plugin, or loaded from ``data_dir`` once per page."""
        if self.config["datasets"]:
            return self.config["datasets"]
        if "datasets" not in self.tracker:
            try:
                self.tracker["datasets"] = load_datasets(self.config["data_dir"])
            except SourceError as exc:
                self._warn(str(exc))
                self.tracker["datasets"] = None
        return self.tracker["datasets"]

    def _warn(self, message: str) -> None:
        location.warn_block(self.NAME, message, self.argument_text, self.occurrence)


class UnparsedBlockWarner(Treeprocessor):
    """Warn about a ``/// datatable`` header left as plain text.

    pymdownx drops a block whose options are not valid YAML and shows its text as a paragraph,
    without a word. This pass finds such leftovers so the author hears about it.
    """

    def run(self, root: etree.Element) -> None:
        for _header, line in unread_blocks(root, (DataTableBlock.NAME,)):
            location.log.warning(
                "%s: this datatable block was not recognised — its options must be valid YAML, "
                "indented by 4 spaces right under the '/// datatable' line",
                location.where(line),
            )


class DataTableExtension(BlocksExtension):
    """Registers the ``datatable`` block."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self.config = {
            "data_dir": ["data", "Folder of the data sets (when used without the plugin)"],
            "datasets": [{}, "Validated data sets by name (set by the opentextbook plugin)"],
            "downloads": [False, "Link each table to its CSV and JSON downloads"],
            "cache_dir": ["", "Folder keeping rendered tables between builds ('' = none)"],
        }
        super().__init__(*args, **kwargs)

    def extendMarkdownBlocks(self, md, block_mgr) -> None:
        block_mgr.register(DataTableBlock, self.getConfigs())
        md.treeprocessors.register(UnparsedBlockWarner(md), "otb_datatable_unparsed", 5)


def makeExtension(*args: Any, **kwargs: Any) -> DataTableExtension:
    return DataTableExtension(*args, **kwargs)
