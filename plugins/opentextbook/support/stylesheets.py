"""Stylesheets parsed once per process, with the font configuration their fonts live in.

A cold build renders every worksheet, answer key and packet piece as a WeasyPrint document of
its own, hundreds in each worker process, all with the same stylesheets and form font. Made
afresh for each document, a ``FontConfiguration`` loads every system font again and copies
each ``@font-face`` font into a new temporary folder, and each stylesheet is parsed again:
about a tenth of a one-page sheet's time. Here both are kept per process, keyed by what they
are made from (the stylesheets' bytes, the form-font rules and the font files they name), so
an edited stylesheet or a new font is parsed again, never served stale.

A document's own ``@font-face`` rules (in its ``<style>``, or an SVG image's) would add fonts
to a shared configuration that later documents could then find: such a configuration is not
kept, so every document sees exactly the fonts of its stylesheets and its own, whatever was
rendered before it in the process (the same bytes on every build).
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import io
import os
import threading
from collections import OrderedDict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

KEEP = 4
"""Sets of stylesheets kept per process: worksheets, PLN templates and the whole book each
use one (a test or a book with another form font adds one)."""

_LOCK = threading.Lock()  # one shared configuration must not lay out two documents at once
_KEPT: OrderedDict[str, _StyleSet] = OrderedDict()
_FINALIZED_IN: list[int] = []  # the process that registered the clean-up (not a fork's parent)


@dataclass
class _StyleSet:
    """Parsed stylesheets and the font configuration holding their ``@font-face`` fonts."""

    sheets: list
    fonts: object  # a _CountingFonts
    faces: int
    """The fonts the stylesheets added: more after a render means the document added its own."""


@contextlib.contextmanager
def parsed_stylesheets(
    stylesheets: Sequence[str | Path], form_css: str, form_fonts: Sequence[Path], fetcher
) -> Iterator[tuple[list, object]]:
    """``(css, font_config)`` for one document: the files ``stylesheets`` (parsed as
    ``weasyprint.CSS(filename=...)`` would), then ``form_css`` (whose ``@font-face`` rules
    name the files ``form_fonts``, fetched with ``fetcher``), parsed once per process while
    all of those stay the same.

    Hold them only inside the ``with``, and render the document there: documents in other
    threads of this process wait, as one font configuration cannot lay out two at once.
    """
    files = [(Path(sheet), Path(sheet).read_bytes()) for sheet in stylesheets]
    key = _key(files, form_css, form_fonts)
    with _LOCK:
        styles = _KEPT.pop(key, None) or _parse(files, form_css, fetcher)
        yield styles.sheets, styles.fonts
        # Not reached if rendering failed: a set that saw a failure is parsed afresh.
        if styles.fonts.faces == styles.faces:
            _keep(key, styles)


def forget_stylesheets() -> None:
    """Drop every kept set (their font configurations delete their temporary folders)."""
    with _LOCK:
        _KEPT.clear()


def _key(files: list[tuple[Path, bytes]], form_css: str, form_fonts: Sequence[Path]) -> str:
    """Digest of the stylesheets (paths, for their relative URLs, and bytes), the form-font
    rules and the version of each font file those name."""
    digest = hashlib.sha256()
    for path, data in files:
        digest.update(f"{path.resolve()}\0{len(data)}\0".encode())
        digest.update(hashlib.sha256(data).digest())
    digest.update(form_css.encode("utf-8"))
    for font in form_fonts:
        stat = font.stat()
        digest.update(f"\0{font}\0{stat.st_size}\0{stat.st_mtime_ns}".encode())
    return digest.hexdigest()


def _parse(files: list[tuple[Path, bytes]], form_css: str, fetcher) -> _StyleSet:
    import weasyprint
    from weasyprint.urls import path2url

    fonts = _counting_fonts()
    # As weasyprint.CSS(filename=...) reads a file, from the bytes the key was made of.
    sheets = [
        weasyprint.CSS(file_obj=io.BytesIO(data), base_url=path2url(str(path)))
        for path, data in files
    ]
    if form_css:
        sheets.append(weasyprint.CSS(string=form_css, url_fetcher=fetcher, font_config=fonts))
    return _StyleSet(sheets, fonts, fonts.faces)


def _keep(key: str, styles: _StyleSet) -> None:
    if not _FINALIZED_IN or _FINALIZED_IN[-1] != os.getpid():
        _clean_up_at_exit()
    _KEPT[key] = styles
    while len(_KEPT) > KEEP:
        _KEPT.popitem(last=False)


def _clean_up_at_exit() -> None:
    """Delete the kept configurations' temporary folders when this process ends.

    A pool's worker leaves through ``os._exit`` (no ``atexit``), but runs multiprocessing's
    finalizers first; in the main process those run from ``atexit``.
    """
    from multiprocessing import util

    util.Finalize(None, forget_stylesheets, exitpriority=0)
    _FINALIZED_IN.append(os.getpid())


def _counting_fonts():
    """A ``FontConfiguration`` that counts the ``@font-face`` rules given to it."""
    return _counting_fonts_class()()


@functools.cache  # defined on first use: WeasyPrint is slow to import
def _counting_fonts_class() -> type:
    from weasyprint.text.fonts import FontConfiguration

    class CountingFonts(FontConfiguration):
        faces = 0

        def add_font_face(self, rule_descriptors, url_fetcher):
            self.faces += 1
            return super().add_font_face(rule_descriptors, url_fetcher)

    return CountingFonts
