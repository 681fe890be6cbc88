"""Adapter: a page's search-index entries are worked out once per version of the page.

Part of the MkDocs adapter. Material's search plugin parses every page's HTML on every build
to cut it into sections for the index; a book with big data tables and many activities spends
more time there than on anything else once conversions are cached (``mkdocs_pages.py``). The
entries depend only on what the page shows (its HTML, table of contents, address, title and
``search``/``tags``/``title`` front matter) and on Material's version, so they are stored in
``.cache/opentextbook/search/`` under a digest of those and appended to the index unchanged.

Data tables reach the index one paragraph per row
(:func:`~opentextbook.datasets.tables.search_html`): the same words, apart, for a fraction of
the parsing.

Only Material's own search plugin is wrapped, and only when its index has the method and list
this relies on; with any other search plugin (or a future Material without them) nothing
changes and the plugin indexes as usual.
"""

from __future__ import annotations

import functools
import json
import logging
from pathlib import Path

from opentextbook.datasets.tables import search_html
from opentextbook.mkdocs.pages import toc_tokens
from opentextbook.support.cache import library_versions
from opentextbook.support.keyedcache import digest, prune, read_json, write_json

log = logging.getLogger("mkdocs.plugins.opentextbook")

FRONT_MATTER = ("search", "tags", "title")
"""Front matter Material's index reads."""


class SearchEntryCache:
    """Wraps the index's ``add_entry_from_context`` with a lookup by content digest."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.hits = 0
        self.misses = 0
        self._used: set[str] = set()
        self._active = False

    def __str__(self) -> str:
        return f"search entries: {self.misses} made, {self.hits} from cache"

    def attach(self, plugins) -> None:
        """Wrap the index of Material's search plugin among ``plugins``, if there is one."""
        for plugin in plugins.values():
            index = getattr(plugin, "search_index", None)
            add = getattr(index, "add_entry_from_context", None)
            material = type(plugin).__module__.startswith("material.plugins.search")
            if material and callable(add) and isinstance(getattr(index, "entries", None), list):
                index.add_entry_from_context = functools.partial(self._add, index, add)
                self._active = True

    def _add(self, index, add, page) -> None:
        try:
            key = _page_key(page)
        except Exception as exc:  # a cache must never fail a page the index can take
            log.debug(f"search cache: {page.file.src_uri} indexed afresh ({exc!r})")
            add(page)
            return
        self._used.add(key)
        entries = read_json(self.folder, key)
        if isinstance(entries, list):
            self.hits += 1
            index.entries.extend(entries)
            return
        self.misses += 1
        before = len(index.entries)
        content = page.content
        page.content = search_html(content) if content else content
        try:
            add(page)
        finally:
            page.content = content
        write_json(self.folder, key, index.entries[before:])

    def prune(self) -> None:
        """Delete entries this build did not look up (pages since changed or removed)."""
        if self._active:
            prune(self.folder, self._used)


def _page_key(page) -> str:
    meta = {name: page.meta.get(name) for name in FRONT_MATTER}
    return digest(
        _indexer_version(),
        page.url,
        str(page.title),
        json.dumps(meta, sort_keys=True, default=str),
        toc_tokens(page.toc),
        page.content or "",
    )


@functools.cache
def _indexer_version() -> str:
    """Material's version, whether it segments Chinese text (jieba installed), and the form
    data tables are given to it in (bump ``rows=`` when :func:`search_html` changes)."""
    try:
        from material.plugins.search import plugin
    except ImportError:
        return "material missing"
    return f"{library_versions('mkdocs-material')};jieba={plugin.jieba is not None};rows=1"
