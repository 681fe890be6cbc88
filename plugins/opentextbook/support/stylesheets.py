"""Stylesheets parsed once per process, and the font configuration their fonts live in.

A cold build renders every worksheet, answer key and packet piece as a WeasyPrint document of
its own, hundreds in each worker process, all with the same stylesheets and form font. Made
afresh for each document, a ``FontConfiguration`` loads every system font again and copies
each ``@font-face`` font into a new temporary folder, and each stylesheet (a sheet's own
``<style>`` elements too) is parsed again. Here both are kept per process, keyed by what they
are made from (the stylesheets' text, the form-font rules and the font files they name), so an
edited stylesheet or a new font is parsed again, never served stale.

A document's own ``@font-face`` rules (in a ``<style>`` left in it, or an SVG image's) would
add fonts to a shared configuration that later documents could then find: such a
configuration is not kept, so every document sees exactly the fonts of its stylesheets and its
own, whatever was rendered before it in the process (the same bytes on every build).
"""

from __future__ import annotations

import contextlib
import functools
import gc
import hashlib
import io
import os
import re
import threading
from collections import OrderedDict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

FONT_SETS_KEPT = 4
"""Font configurations kept per process, one per form font (a test may use a second)."""
SHEETS_KEPT = 64
"""Parsed stylesheets kept per process: the worksheet's, its footers' and page sizes' (a few
per paper and language), the PLN templates' and the whole book's."""

_LOCK = threading.Lock()  # one shared font configuration must not lay out two documents at once
_FONT_SETS: OrderedDict[str, _FontSet] = OrderedDict()
_SHEETS: OrderedDict[str, object] = OrderedDict()
_FINALIZED_IN: list[int] = []  # processes that registered the clean-up (not a fork's parent)
_INHERITED: list[_FontSet] = []  # a forked worker's parent's: never dropped (see _after_fork)


@dataclass
class _FontSet:
    """The form font's parsed rules and the font configuration holding its faces."""

    css: object | None
    fonts: object  # a CountingFonts
    faces: int
    """Faces added by the form font: more after a render means the document added its own."""


@dataclass(frozen=True)
class Styles:
    """What a document is rendered with, besides its HTML."""

    files: Sequence[str | Path] = ()
    """Stylesheet files, parsed as ``weasyprint.CSS(filename=...)`` would."""
    inline: Sequence[str] = ()
    """The CSS of the document's own ``<style>`` elements (see :func:`split_styles`)."""
    form_css: str = ""
    """Rules that may name fonts (``@font-face``), parsed into the font configuration."""
    form_fonts: Sequence[Path] = ()
    """The font files ``form_css`` names: their versions are part of its key."""


@contextlib.contextmanager
def parsed_stylesheets(styles: Styles, base_url: str, fetcher) -> Iterator[tuple[list, object]]:
    """``(css, font_config)`` for one document: ``styles`` parsed once per process while
    their inputs stay the same, in the order files, inline, form rules.

    Hold them only inside the ``with``, and render the document there: documents in other
    threads of this process wait, as one font configuration cannot lay out two at once.
    ``base_url`` (the document's) resolves the inline CSS's relative addresses; ``fetcher``
    fetches the form rules' fonts.
    """
    files = [(Path(sheet), Path(sheet).read_bytes()) for sheet in styles.files]
    key = _font_key(styles.form_css, styles.form_fonts)
    with _LOCK:
        css = [_file_sheet(path, data) for path, data in files]
        css += [_inline_sheet(text, base_url, fetcher) for text in styles.inline]
        fonts = _FONT_SETS.pop(key, None) or _font_set(styles.form_css, fetcher)
        yield [*css, fonts.css] if fonts.css else css, fonts.fonts
        # Not reached if rendering failed: a set that saw a failure is made afresh.
        if fonts.fonts.faces == fonts.faces:
            _keep(_FONT_SETS, key, fonts, FONT_SETS_KEPT)


def forget_stylesheets() -> None:
    """Drop every kept stylesheet and font configuration, and delete the configurations'
    temporary folders."""
    with _LOCK:
        _forget()


def _forget() -> None:
    _FONT_SETS.clear()
    _SHEETS.clear()
    # A FontConfiguration deletes its folder when collected; the styles of the documents laid
    # out with it refer to it in cycles.
    gc.collect()


def _after_fork() -> None:
    """In a forked worker: start with no kept font configuration and a new lock.

    The parent's configurations are the parent's: dropped here, they would delete the
    folders of fonts the parent still lays out with. And another thread of the parent may
    have held the lock when it forked, which nothing here would release.
    """
    global _LOCK
    _LOCK = threading.Lock()
    _INHERITED.extend(_FONT_SETS.values())
    _FONT_SETS.clear()


if hasattr(os, "register_at_fork"):  # not on Windows, where workers start afresh (spawn)
    os.register_at_fork(after_in_child=_after_fork)


_STYLE = re.compile(r"<style>(.*?)</style>", re.DOTALL)  # as our templates write them
_LEFT_IN_HEAD = re.compile(r"<(?:style|link|base|script|noscript|template|svg|math|!--)", re.I)
_CASCADE_RULES = re.compile(
    r"!\s*important|@(?:font-face|import|layer|counter-style|color-profile)\b", re.I
)


def split_styles(html: str) -> tuple[str, list[str]]:
    """``html`` without the ``<style>`` elements of its head, and their CSS in order.

    Given to WeasyPrint as stylesheets (``user`` origin, not ``author``) they style the
    document the same, as long as nothing else styles it: so ``(html, [])`` if anything
    else could (a ``<link>``, ``<base>`` or comment in the head, a ``<style>`` in the body),
    or if the CSS has rules whose effect depends on the origin or the document (``!important``,
    ``@font-face``, ``@import``, ``@layer``, ``@counter-style``, ``@color-profile``).
    """
    end = html.find("</head>")
    if end < 0:
        return html, []
    head, rest = html[:end], html[end:]
    styles = _STYLE.findall(head)
    bare = _STYLE.sub("", head)
    if (
        not styles
        or _LEFT_IN_HEAD.search(bare)
        or re.search(r"<style\b", rest, re.I)
        or any(_CASCADE_RULES.search(css) for css in styles)
    ):
        return html, []
    return bare + rest, styles


def _file_sheet(path: Path, data: bytes):
    import weasyprint
    from weasyprint.urls import path2url

    def parse():  # as weasyprint.CSS(filename=...) reads a file, from the bytes in the key
        return weasyprint.CSS(file_obj=io.BytesIO(data), base_url=path2url(str(path)))

    return _sheet(f"file\0{path}\0".encode() + data, parse)


def _inline_sheet(text: str, base_url: str, fetcher):
    import weasyprint

    def parse():  # as WeasyPrint parses a <style> element
        return weasyprint.CSS(string=text, base_url=base_url, url_fetcher=fetcher)

    return _sheet(f"inline\0{base_url}\0{text}".encode(), parse)


def _sheet(key: bytes, parse):
    digest = hashlib.sha256(key).hexdigest()
    sheet = _SHEETS.pop(digest, None) or parse()
    _keep(_SHEETS, digest, sheet, SHEETS_KEPT)
    return sheet


def _font_key(form_css: str, form_fonts: Sequence[Path]) -> str:
    """Digest of the form-font rules and the version of each font file they name."""
    digest = hashlib.sha256(form_css.encode("utf-8"))
    for font in form_fonts:
        stat = font.stat()
        digest.update(f"\0{font}\0{stat.st_size}\0{stat.st_mtime_ns}".encode())
    return digest.hexdigest()


def _font_set(form_css: str, fetcher) -> _FontSet:
    import weasyprint

    fonts = _counting_fonts_class()()
    css = None
    if form_css:
        css = weasyprint.CSS(string=form_css, url_fetcher=fetcher, font_config=fonts)
    return _FontSet(css, fonts, fonts.faces)


def _keep(kept: OrderedDict, key: str, value, limit: int) -> None:
    if os.getpid() not in _FINALIZED_IN:
        _clean_up_at_exit()
    kept[key] = value
    while len(kept) > limit:
        kept.popitem(last=False)


def _clean_up_at_exit() -> None:
    """Delete the kept configurations' temporary folders when this process ends.

    A pool's worker leaves through ``os._exit`` (no ``atexit``), but runs multiprocessing's
    finalizers first; in the main process those run from ``atexit``.
    """
    from multiprocessing import util

    # Without the lock: a thread still rendering as the process ends must not stop it ending.
    util.Finalize(None, _forget, exitpriority=0)
    _FINALIZED_IN.append(os.getpid())


@functools.cache  # defined on first use: WeasyPrint is slow to import
def _counting_fonts_class() -> type:
    """A ``FontConfiguration`` that counts the ``@font-face`` rules given to it."""
    from weasyprint.text.fonts import FontConfiguration

    class CountingFonts(FontConfiguration):
        faces = 0

        def add_font_face(self, rule_descriptors, url_fetcher):
            self.faces += 1
            return super().add_font_face(rule_descriptors, url_fetcher)

    return CountingFonts
