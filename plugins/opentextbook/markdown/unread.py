"""Blocks that pymdownx could not read, found so they can be reported.

When a block's header or options are not valid (e.g. its YAML does not parse), pymdownx
silently leaves the whole block in the page as a paragraph of text. Any block extension can
call :func:`unread_blocks` on the finished tree to find such leftovers and warn about them.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as etree
from collections.abc import Iterable, Iterator

from opentextbook.markdown import location

_CODE_TAGS = {"pre", "code", "script", "style"}


def unread_blocks(root: etree.Element, names: Iterable[str]) -> Iterator[tuple[str, int | None]]:
    """``(header, line)`` for each ``/// name`` header left as text outside code."""
    pattern = "|".join(re.escape(name) for name in names)
    header_re = re.compile(rf"(?m)^[ ]{{0,3}}/{{3,}}[ ]*(?:{pattern})(?![\w-]).*$")
    seen: dict[str, int] = {}
    for element in root.iter():
        texts = [element.tail] if element.tag in _CODE_TAGS else [element.text, element.tail]
        for text in texts:
            for match in header_re.finditer(text or ""):
                header = match.group(0).strip()
                occurrence = seen.get(header, 0)
                seen[header] = occurrence + 1
                yield header, _line_of(header, occurrence)


def _line_of(header: str, occurrence: int) -> int | None:
    """The line of the ``occurrence``-th line reading ``header`` in the current page."""
    lines = location.current_page().text.splitlines()
    found = [n for n, line in enumerate(lines, start=1) if line.strip() == header]
    if not found:  # written inside other text, e.g. a table cell: the line that holds it
        found = [n for n, line in enumerate(lines, start=1) if header in line]
    return found[occurrence] if occurrence < len(found) else None
