"""Adapter: a page whose Markdown and surroundings did not change is not converted again.

Part of the MkDocs adapter (with ``plugin.py``): it knows MkDocs' ``Page``. Converting Markdown
is most of what a rebuild spends on a page, so each conversion is stored in
``.cache/opentextbook/pages/`` under a digest of everything that decides it:

- the page's Markdown as it reaches the converter (after mkdocs-macros, so a changed macro,
  variable or data value makes a new key) and its source as written (block warnings name
  lines in it), its path and address;
- every file of the site with its address (links are checked and rewritten against them);
- the Markdown extensions and their options, ``validation``, the book metadata, the chapter
  order (activities are numbered by it), and for a page with a ``/// datatable`` block the
  data sets' digests (a data edit converts only the pages that table data) — not
  ``site_url``: what a page prints of the address is the published one in ``serve`` too, so
  ``mkdocs serve`` and ``mkdocs build`` share entries;
- this package's code and templates, and the versions of MkDocs, Python-Markdown,
  pymdown-extensions, Material and Pygments.

A hit restores what MkDocs' ``Page.render`` leaves on the page (content, table of contents,
title, anchors and links to other pages' anchors), registers the page's activities again, and
logs again every message the conversion logged, so a warning still fails ``--strict``.
Extensions that read other files (``pymdownx.snippets``…) turn the cache off: their inputs are
not in the key.
"""

from __future__ import annotations

import contextlib
import functools
import json
import logging
import re
from collections.abc import Iterator, Mapping
from dataclasses import asdict
from pathlib import Path
from typing import Any

from mkdocs.structure.toc import get_toc

from opentextbook.activities.model import Activity, ActivityRegistry, TeacherNote
from opentextbook.support.cache import library_versions
from opentextbook.support.errors import SourceError
from opentextbook.support.keyedcache import (
    PACKAGE,
    code_digest,
    digest,
    prune,
    read_json,
    write_json,
)

log = logging.getLogger("mkdocs.plugins.opentextbook")

FORMAT = 2  # 2: teacher notes outside activities
"""Bumped when the shape of a stored entry changes."""

READS_OTHER_FILES = frozenset({"pymdownx.snippets", "markdown_include.include", "mdx_include"})
"""Extensions whose output depends on files the key does not cover."""

_DATA_BLOCK = re.compile(r"^[ \t]*/{3,}[ \t]*datatable\b", re.MULTILINE)
"""A ``/// datatable`` block (pymdownx blocks allow any number of slashes and spaces)."""

LIBRARIES = ("mkdocs", "markdown", "pymdown-extensions", "mkdocs-material", "pygments")


class PageRenderCache:
    """Stored page conversions, looked up by :meth:`bind` before MkDocs renders a page."""

    def __init__(self, folder: Path, registry: ActivityRegistry) -> None:
        self.folder = folder
        self.registry = registry
        self.hits = 0
        self.misses = 0
        self.pages_seen = 0
        self.inputs: Any = None
        """What else decides every page's HTML (book metadata, chapter order), set by the
        adapter before the first page."""
        self.data: dict[str, str] = {}
        """The data sets' digests: in the key of a page with a data table only (the one block
        that reads them while converting; macros' use of data is in the Markdown already)."""
        self._build_key: str | None = None
        self._used: set[str] = set()

    def bind(self, page, markdown: str, *, path: str, source: str, config, files) -> None:
        """Make ``page.render`` restore a stored conversion, or convert and store it.

        ``path`` is the page as messages name it, ``source`` the page as written.
        """
        self.pages_seen += 1
        if self._build_key is None:
            self._build_key = _build_key(config, files, self.inputs)
        if not self._build_key:
            return  # the cache is off for this configuration
        file = page.file
        data = json.dumps(self.data, sort_keys=True) if _DATA_BLOCK.search(markdown) else ""
        key = digest(self._build_key, file.src_uri, file.dest_uri, page.url, source, markdown, data)
        self._used.add(key)
        entry = read_json(self.folder, key)
        if isinstance(entry, dict) and entry.get("format") == FORMAT:
            self.hits += 1
            page.render = functools.partial(self._restore, page, path, entry)
        else:
            self.misses += 1
            page.render = functools.partial(self._render_and_store, page, path, key)

    def __str__(self) -> str:
        return f"pages: {self.misses} converted, {self.hits} from cache"

    def prune(self) -> None:
        """Delete stored conversions this build did not use (old versions of pages)."""
        if self._build_key:
            prune(self.folder, self._used)

    def _render_and_store(self, page, path: str, key: str, config, files) -> None:
        del page.render  # the instance attribute: MkDocs' own method is found again
        with _captured_logs() as records:
            page.render(config, files)
        if any(levelno >= logging.ERROR for _, levelno, _ in records):
            return  # errors can depend on other pages (a duplicate id): not stored
        try:
            entry = self._entry(page, path, records)
        except Exception as exc:  # the page is built; only its reuse is lost
            log.debug(f"page cache: {path} not stored ({exc!r})")
            return
        write_json(self.folder, key, entry)

    def _entry(self, page, path: str, records: list[tuple[str, int, str]]) -> dict[str, Any]:
        """What :meth:`_restore` needs to leave the page as MkDocs' render left it."""
        links = page.links_to_anchors
        return {
            "format": FORMAT,
            "content": page.content,
            "toc": toc_tokens(page.toc),
            "title": page._title_from_render,
            # Raw HTML like ``<Client ID>`` gives MkDocs an anchor None, which no link can name.
            "anchors": sorted(a for a in page.present_anchor_ids or () if isinstance(a, str)),
            "links_to_anchors": None
            if links is None
            else {target.src_uri: anchors for target, anchors in links.items()},
            "log": records,
            "activities": [a.to_json() for a in self.registry.on_page(path)],
            "notes": [asdict(note) for note in self.registry.notes_on_page(path)],
        }

    def _restore(self, page, path: str, entry: dict, config, files) -> None:
        """Leave the page as MkDocs' render would; if the entry cannot be used, render it."""
        del page.render
        try:
            self._apply(page, path, entry, files)
        except Exception as exc:  # a cache must never fail a page MkDocs can build
            log.debug(f"page cache: {path} converted afresh, its entry is unusable ({exc!r})")
            page.links_to_anchors = None
            page.render(config, files)
            return
        for name, levelno, message in entry["log"]:
            logging.getLogger(name).log(levelno, "%s", message)

    def _apply(self, page, path: str, entry: dict, files) -> None:
        toc = get_toc(entry["toc"])
        links = entry["links_to_anchors"]
        targets = {src: files.get_file_from_path(src) for src in links or ()}
        page.content = entry["content"]
        page.toc = toc
        page._title_from_render = entry["title"]
        page.present_anchor_ids = set(entry["anchors"])
        if links is not None:
            page.links_to_anchors = {
                targets[src]: anchors for src, anchors in links.items() if targets[src] is not None
            }
        self.registry.begin_page(path)
        for data in entry["activities"]:
            try:
                self.registry.add(Activity.from_json(data))
            except SourceError as exc:  # a duplicate id with a page converted since
                log.error(str(exc))
        for note in entry["notes"]:
            self.registry.add_note(TeacherNote(**note))


def toc_tokens(items) -> list[dict[str, Any]]:
    """A table of contents (``page.toc``) as the tokens ``get_toc`` builds it from."""
    return [
        {"level": i.level, "id": i.id, "name": i.title, "children": toc_tokens(i.children)}
        for i in items
    ]


@contextlib.contextmanager
def _captured_logs() -> Iterator[list[tuple[str, int, str]]]:
    """Messages (INFO and up) logged while the block runs: MkDocs' loggers and the rest."""
    records: list[tuple[str, int, str]] = []
    seen: set[int] = set()

    class Capture(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            if id(record) not in seen:
                seen.add(id(record))
                records.append((record.name, record.levelno, record.getMessage()))

    handler = Capture(logging.INFO)
    loggers = [logging.getLogger(), logging.getLogger("mkdocs")]
    for logger in loggers:
        logger.addHandler(handler)
    try:
        yield records
    finally:
        for logger in loggers:
            logger.removeHandler(handler)


def _build_key(config, files, inputs: Any) -> str:
    """What every page's conversion depends on in this build; ``""`` turns the cache off."""
    names = [_extension_name(ext) for ext in config.markdown_extensions]
    if readers := sorted(READS_OTHER_FILES.intersection(names)):
        log.info("page cache off: %s reads other files", ", ".join(readers))
        return ""
    site = sorted((f.src_uri, f.dest_uri, f.url, str(f.inclusion)) for f in files)
    settings = {
        "extensions": [
            (name, _options(ext))
            for name, ext in zip(names, config.markdown_extensions, strict=True)
        ],
        "mdx_configs": config.mdx_configs,
        "validation": config.validation,
        "use_directory_urls": config.use_directory_urls,
    }
    return digest(
        FORMAT,
        _package_digest(),
        library_versions(*LIBRARIES),
        json.dumps(settings, sort_keys=True, default=_plain),
        json.dumps(inputs, sort_keys=True, default=_plain),
        site,
    )


def _extension_name(ext: Any) -> str:
    return ext if isinstance(ext, str) else f"{type(ext).__module__}.{type(ext).__qualname__}"


def _options(ext: Any) -> Any:
    return None if isinstance(ext, str) else ext.getConfigs()


def _plain(value: Any) -> Any:
    """JSON for settings: mappings as dicts, sets sorted; objects by their kind only.

    An object's state is not in the key (a data set's records, a registry): what decides it
    is passed in ``inputs`` instead (data-set digests, chapter order).
    """
    if isinstance(value, Mapping):
        return dict(value)
    if isinstance(value, set | frozenset):
        return sorted(map(str, value))
    return getattr(value, "__qualname__", type(value).__qualname__)


@functools.cache
def _package_digest() -> str:
    """This package's code and templates (not its stylesheets and scripts)."""
    paths = sorted(p for p in PACKAGE.rglob("*") if p.is_file() and _decides_html(p))
    return code_digest(*[p.relative_to(PACKAGE).as_posix() for p in paths])


def _decides_html(path: Path) -> bool:
    # .yml: the locale files (labels) and the licence table decide text in pages too.
    return path.suffix in {".py", ".html", ".svg", ".txt", ".xml", ".j2", ".yml"} and (
        "assets" not in path.relative_to(PACKAGE).parts and "__pycache__" not in path.parts
    )
