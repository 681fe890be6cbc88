"""Ids from titles in any script: ``Σχεδιάστε το δίκτυό σας`` → ``σχεδιάστε-το-δίκτυό-σας``."""

from __future__ import annotations

import re
import unicodedata

_RUNS = re.compile(r"-+")


def slugify(title: str) -> str:
    """A stable, readable id from a title: its letters, digits and combining marks (vowel
    signs of Devanagari or Arabic are marks, so words stay whole) in lower case, every other
    run of characters one hyphen. For ASCII titles this is the old rule exactly
    (``Draw your PLN`` → ``draw-your-pln``), so no existing id or worksheet address changes;
    a Chinese or Greek title gets its own id instead of an empty one."""
    text = unicodedata.normalize("NFC", title).lower()
    kept = "".join(char if unicodedata.category(char)[0] in "LNM" else "-" for char in text)
    return _RUNS.sub("-", kept).strip("-")
