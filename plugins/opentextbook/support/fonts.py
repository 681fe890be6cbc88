"""Which characters the installed fonts can draw, so a PDF never prints empty boxes silently.

WeasyPrint draws text with the fonts fontconfig knows, falling back from font to font; a
character none of them has comes out as an empty box ("tofu"), with no message. Before PDFs are
made, the text that goes into them is checked against the union of every installed font's
character set (fontconfig's own, from ``fc-list``), and each page or activity with characters no
font can draw gets one warning naming the Debian package that adds them.
"""

from __future__ import annotations

import bisect
import functools
import html
import logging
import re
import shutil
import subprocess
import unicodedata
from collections.abc import Iterable

log = logging.getLogger("mkdocs.plugins.opentextbook")

_TAG = re.compile(r"<[^>]*>")
# Characters that are not drawn: spaces, controls, format marks (ZWJ), private use, variation
# selectors (emoji presentation) — a missing glyph for these shows no box.
_NOT_DRAWN = {"Cc", "Cf", "Co", "Cs", "Zl", "Zp", "Zs"}
_CJK_WORDS = ("CJK", "HIRAGANA", "KATAKANA", "HANGUL", "BOPOMOFO", "IDEOGRAPH", "FULLWIDTH")


class Coverage:
    """A set of code points kept as sorted, merged ``(first, last)`` ranges."""

    def __init__(self, ranges: Iterable[tuple[int, int]]) -> None:
        merged: list[list[int]] = []
        for first, last in sorted(ranges):
            if merged and first <= merged[-1][1] + 1:
                merged[-1][1] = max(merged[-1][1], last)
            else:
                merged.append([first, last])
        self._firsts = [first for first, _ in merged]
        self._lasts = [last for _, last in merged]

    def __contains__(self, char: str) -> bool:
        point = ord(char)
        index = bisect.bisect_right(self._firsts, point) - 1
        return index >= 0 and point <= self._lasts[index]


def installed_fonts() -> tuple[str, ...]:
    """The font files fontconfig lists: what the coverage is cached by."""
    return tuple(sorted(set(_fc_list("%{file}\n").splitlines())))


def installed_coverage() -> Coverage | None:
    """Every character some installed font draws; ``None`` when fontconfig cannot be asked."""
    if shutil.which("fc-list") is None:
        return None
    return _coverage(installed_fonts())


@functools.lru_cache(maxsize=4)
def _coverage(fonts: tuple[str, ...]) -> Coverage:
    """Installing or removing a font changes ``fonts``, so a running ``serve`` notices."""
    ranges = []
    for charset in _fc_list("%{charset}\n").split():
        first, _, last = charset.partition("-")
        ranges.append((int(first, 16), int(last or first, 16)))
    return Coverage(ranges)


def _fc_list(format_: str) -> str:
    result = subprocess.run(
        ["fc-list", "--format", format_], capture_output=True, text=True, check=False
    )
    return result.stdout


def missing_characters(text: str, coverage: Coverage) -> list[str]:
    """The distinct characters of ``text`` (HTML allowed) that no font in ``coverage`` has."""
    plain = html.unescape(_TAG.sub(" ", text))
    return [
        char
        for char in dict.fromkeys(plain)
        if unicodedata.category(char) not in _NOT_DRAWN
        and not 0xFE00 <= ord(char) <= 0xFE0F
        and char not in coverage
    ]


def font_package(char: str) -> str:
    """The Debian package with a font for ``char``: Noto CJK, Noto Color Emoji or Noto."""
    name = unicodedata.name(char, "")
    if any(word in name for word in _CJK_WORDS):
        return "fonts-noto-cjk"
    if unicodedata.category(char) == "So" and ord(char) >= 0x2300:
        return "fonts-noto-color-emoji"
    return "fonts-noto-core"


def missing_glyphs_message(where: str, missing: list[str], output: str = "the PDF") -> str:
    """``where: characters … print as empty boxes in the PDF — install …``."""
    shown = ", ".join(f"'{char}' (U+{ord(char):04X})" for char in missing[:5])
    more = f" and {len(missing) - 5} more" if len(missing) > 5 else ""
    packages = " ".join(sorted({font_package(char) for char in missing}))
    return (
        f"{where}: no installed font can draw {shown}{more}, so {output} shows empty boxes — "
        f"install a font that can, e.g. 'sudo apt install {packages}', then rebuild"
    )


class GlyphChecker:
    """Warns once per place (page or activity) about text the PDFs cannot draw."""

    def __init__(self, coverage: Coverage | None = None) -> None:
        self.coverage = coverage if coverage is not None else installed_coverage()
        self.warned: list[str] = []

    def check(self, where: str, texts: Iterable[str], output: str = "the PDF") -> None:
        if self.coverage is None:
            return
        missing = missing_characters(" ".join(texts), self.coverage)
        if missing:
            message = missing_glyphs_message(where, missing, output)
            self.warned.append(message)
            log.warning(message)
