"""Where each node's label goes on the PLN map, so that no label covers another or the map.

A name of any length is wrapped onto at most two lines; each label then takes the first place
around its marker (beside it on the side away from the centre line, a little higher or lower,
below, above, then on the other side) where its box stays inside the map and clear of every
other label, every marker, "Me", the ring and sector labels and the dividers. A label with no
such place shows the source's number in the list instead, and if even that has no room, none:
the node keeps its tooltip and the list names it.

Text widths are estimated from character classes (generously, for DejaVu Sans) rather than
measured, so the layout is the same on paper and in every browser. ``layoutLabels`` in
``pln-builder.js`` follows exactly the same steps; a browser test compares the two.
"""

from __future__ import annotations

from dataclasses import dataclass

from opentextbook.pln import geometry as geo

Box = tuple[float, float, float, float]
"""left, top, right, bottom in user units."""

_NARROW = " iljtfrI.,;:'!|()[]{}-"
_WIDE = "mwMW@%#&"
_SHIFTS = (0, 1, -1, 2, -2, 3, -3, 4, -4, 5, -5, 6, -6)
"""Vertical nudges of a beside-the-marker label, in half lines."""
_BESIDE = 18
"""From a marker's centre to the near edge of a label beside it."""


@dataclass(frozen=True)
class Label:
    """A placed label: its lines and the top-left corner of its box."""

    lines: tuple[str, ...]
    left: float
    top: float


def char_width(char: str) -> float:
    """Width of one character in ems, rounded up from DejaVu Sans (CJK and the like: 1 em)."""
    if char in _NARROW:
        return 0.42
    if char in _WIDE or ord(char) >= 0x2E80:
        return 1.0
    if "A" <= char <= "Z":
        return 0.8
    return 0.64


def text_width(text: str, size: float = geo.TEXT_SIZE) -> float:
    """Estimated width of ``text`` at ``size``; never narrower than the drawn text."""
    total = 0.0
    for char in text:
        total += char_width(char)
    return total * size


def _fit(text: str) -> int:
    """How many leading characters of ``text`` fit on one line (at least one)."""
    count = 1
    while count < len(text) and text_width(text[: count + 1]) <= geo.WRAP_WIDTH:
        count += 1
    return count


def _ellipsis(text: str) -> str:
    """``text`` cut short enough to end with "…" on one line."""
    while len(text) > 1 and text_width(text.rstrip(" ") + "…") > geo.WRAP_WIDTH:
        text = text[:-1]
    return text.rstrip(" ") + "…"


def label_lines(name: str) -> list[str]:
    """The name on at most two lines no wider than ``WRAP_WIDTH``, broken between words."""
    words = [word for word in name.split(" ") if word]
    lines: list[str] = []
    while words and len(lines) < 2:
        line = words.pop(0)
        if text_width(line) > geo.WRAP_WIDTH:  # one word longer than a line: break it
            cut = _fit(line)
            words.insert(0, line[cut:])
            line = line[:cut]
        while words and text_width(line + " " + words[0]) <= geo.WRAP_WIDTH:
            line += " " + words.pop(0)
        lines.append(line)
    if words:
        lines[-1] = _ellipsis(lines[-1] + " " + " ".join(words))
    return lines


def _overlaps(a: Box, b: Box) -> bool:
    """Whether two boxes come closer than ``LABEL_GAP``, so that text never touches."""
    gap = geo.LABEL_GAP
    return a[0] < b[2] + gap and b[0] < a[2] + gap and a[1] < b[3] + gap and b[1] < a[3] + gap


def _inside(box: Box) -> bool:
    """Whether a box stays on the map's square, off its edges and out of the legend."""
    gap = geo.LABEL_GAP
    return box[0] >= gap and box[1] >= gap and box[2] <= geo.SIZE - gap and box[3] <= geo.SIZE - gap


def _candidates(x: float, y: float, width: float, height: float) -> list[Box]:
    """Boxes around a marker at (x, y), best first."""
    out_left = x + _BESIDE if x >= geo.CENTRE else x - _BESIDE - width
    in_left = x - _BESIDE - width if x >= geo.CENTRE else x + _BESIDE
    half = geo.LINE_HEIGHT / 2
    tops = [y - height / 2 + shift * half for shift in _SHIFTS]
    centred = x - width / 2
    boxes = [(out_left, top) for top in tops]
    boxes += [(centred, y + _BESIDE), (centred, y - _BESIDE - height)]
    boxes += [(in_left, top) for top in tops]
    return [(left, top, left + width, top + height) for left, top in boxes]


def _place(x: float, y: float, lines: list[str], taken: list[Box]) -> Box | None:
    """The first free box for ``lines`` around the marker at (x, y), or None."""
    width = 0.0
    for line in lines:
        width = max(width, text_width(line))
    height = len(lines) * geo.LINE_HEIGHT
    for box in _candidates(x, y, width, height):
        if _inside(box) and not any(_overlaps(box, other) for other in taken):
            return box
    return None


def layout_labels(nodes: list[geo.PlacedNode], obstacles: list[Box]) -> list[Label | None]:
    """A label for each node (in order), or None where not even its number has room."""
    reach = geo.MARKER_REACH
    taken = list(obstacles)
    taken += [(n.x - reach, n.y - reach, n.x + reach, n.y + reach) for n in nodes]
    labels: list[Label | None] = []
    for node in nodes:
        label = None
        for lines in (label_lines(node.name), [str(node.index + 1)]):
            box = _place(node.x, node.y, lines, taken)
            if box is not None:
                taken.append(box)
                label = Label(tuple(lines), geo.round_tenth(box[0]), geo.round_tenth(box[1]))
                break
        labels.append(label)
    return labels
