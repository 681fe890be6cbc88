"""Draw the PLN map as SVG: the blank template, the example, and the builder's base layer."""

from __future__ import annotations

import math

from opentextbook.i18n import t
from opentextbook.pln import geometry as geo
from opentextbook.pln import labels as lab
from opentextbook.pln.render import Credit, render

WIDTH = geo.SIZE
HEIGHT = geo.SIZE + geo.LEGEND_HEIGHT
_RING_LEGEND_X = 560
_MARKER = 11


def marker_path(shape: str, x: float, y: float, r: float = _MARKER) -> str:
    """The node marker of a group as a path; ``markerPath`` in ``pln-builder.js`` matches it."""
    if shape == "circle":
        points = [(x - r, y), (x + r, y)]
        return "M{},{}A{r},{r} 0 1,0 {},{}A{r},{r} 0 1,0 {},{}Z".format(
            *_n(points[0]), *_n(points[1]), *_n(points[0]), r=r
        )
    if shape == "square":
        s = r * 0.9
        points = [(x - s, y - s), (x + s, y - s), (x + s, y + s), (x - s, y + s)]
    elif shape == "diamond":
        d = r * 1.2
        points = [(x, y - d), (x + d, y), (x, y + d), (x - d, y)]
    else:
        t = r * 1.15
        points = [(x, y - t), (x + t, y + r * 0.85), (x - t, y + r * 0.85)]
    return "M" + "L".join("{},{}".format(*_n(point)) for point in points) + "Z"


def _n(point: tuple[float, float]) -> tuple[float, float]:
    """Coordinates rounded to 0.1, written the same way in Python and JavaScript."""
    return tuple(_number(value) for value in point)


def _number(value: float) -> float | int:
    value = geo.round_tenth(value)
    return int(value) if value == int(value) else value


def base_svg() -> str:
    """Rings, sectors, "Me" and the legend: the part of the map that never changes."""
    return render(
        "map-base.svg.j2",
        width=WIDTH,
        height=HEIGHT,
        centre=geo.CENTRE,
        me_radius=geo.ME_RADIUS,
        bands=list(reversed(geo.RINGS)),
        dividers=[_divider(angle) for angle in (-90, 0, 90, 180)],
        ring_labels=[_ring_label(band) for band in geo.RINGS],
        sector_labels=[_sector_label(index, arc) for index, arc in enumerate(geo.SECTORS)],
        legend_top=geo.SIZE + 18,
        legend=[_legend_item(index, arc) for index, arc in enumerate(geo.SECTORS)],
        ring_legend_x=_RING_LEGEND_X,
        ring_legend=_ring_legend(),
    )


def render_map_svg(
    sources: list[dict[str, str]],
    *,
    title: str,
    description: str,
    credit: Credit,
    with_credit: bool = True,
) -> str:
    """A complete SVG map with ``sources`` drawn as nodes.

    A standalone SVG file carries its credit (licence terms travel with the file); a page that
    prints the credit itself, as the PDFs do, passes ``with_credit=False`` so it appears once.
    """
    placed = geo.place_nodes(sources)
    labels = lab.layout_labels(placed, obstacles())
    return render(
        "map.svg.j2",
        width=WIDTH,
        height=HEIGHT,
        language=credit.language,
        title=title,
        description=description,
        style=geo.map_style(),
        base=base_svg(),
        nodes=[_node(node, label) for node, label in zip(placed, labels, strict=True)],
        credit=credit_lines(credit) if with_credit else [],
        credit_y=credit_y(credit_lines(credit)),
        credit_line=CREDIT_LINE,
    )


def _divider(angle: float) -> dict[str, float]:
    rad = math.radians(angle)
    inner, outer = geo.ME_RADIUS, geo.RINGS[-1].outer
    return {
        "x1": round(geo.CENTRE + inner * math.cos(rad), 1),
        "y1": round(geo.CENTRE + inner * math.sin(rad), 1),
        "x2": round(geo.CENTRE + outer * math.cos(rad), 1),
        "y2": round(geo.CENTRE + outer * math.sin(rad), 1),
    }


def _ring_label(band: geo.Ring) -> dict:
    # Just right of the twelve o'clock divider, inside each ring's outer edge.
    return {"x": geo.CENTRE + 10, "y": geo.CENTRE - band.outer + 30, "text": band.label}


_SECTOR_CORNERS = (  # (x, y of the first line, text-anchor), clockwise from top right
    (WIDTH - 14, 30, "end"),
    (WIDTH - 14, geo.SIZE - 42, "end"),
    (14, geo.SIZE - 42, "start"),
    (14, 30, "start"),
)
SECTOR_SIZE = 24
"""Font size of the sector names (bold); ``map.css`` says the same."""
CREDIT_SIZE = 16
"""Font size of the credit in a standalone SVG file; ``map.css`` says the same."""
CREDIT_LINE = 21
_CREDIT_LINES = 4
"""Lines the credit may take under the legend; a longer one ends with "…"."""
_LEGEND_STEP = 29


def credit_lines(credit: Credit) -> list[str]:
    """The credit wrapped to the map's width (the builder's exports get the same lines)."""
    lines: list[str] = []
    for part in credit.lines:
        line = ""
        for word in part.split(" "):
            trial = f"{line} {word}" if line else word
            if line and lab.text_width(trial, CREDIT_SIZE) > WIDTH - 40:
                lines.append(line)
                trial = word
            line = trial
        lines.append(line)
    if len(lines) > _CREDIT_LINES:
        lines = [*lines[: _CREDIT_LINES - 1], lines[_CREDIT_LINES - 1].rstrip(" .") + " …"]
    return lines


def credit_y(lines: list[str]) -> float:
    """Baseline of the credit's first line, so that its last line ends near the bottom."""
    return HEIGHT - 10 - CREDIT_LINE * (len(lines) - 1)


def _sector_label(index: int, arc: geo.Sector) -> dict:
    x, y, anchor = _SECTOR_CORNERS[index]
    return {"x": x, "y": y, "anchor": anchor, "lines": _two_lines(arc.label), "dy": geo.LINE_HEIGHT}


def _two_lines(text: str) -> list[str]:
    """Long sector names on two lines so they stay in their corner, clear of the rings."""
    words = text.split()
    if len(text) <= 16 or len(words) < 2:
        return [text]
    cut = min(range(1, len(words)), key=lambda i: abs(len(" ".join(words[:i])) - len(text) / 2))
    return [" ".join(words[:cut]), " ".join(words[cut:])]


def _legend_item(index: int, arc: geo.Sector) -> dict:
    x, y = 10, _LEGEND_STEP * (index + 1)
    return {"id": arc.id, "x": x, "y": y, "text": arc.label, "marker": marker_path(arc.shape, x, y)}


def _ring_legend() -> list[dict]:
    items = [{"y": _LEGEND_STEP, "text": t("pln.legend.centre")}]
    places = ("inner", "middle", "outer")
    for index, band in enumerate(geo.RINGS):
        text = t(f"pln.legend.{places[index]}", ring=band.label)
        items.append({"y": _LEGEND_STEP * (index + 2), "text": text})
    return items


def obstacles() -> list[lab.Box]:
    """What node labels must keep clear of: "Me", the dividers, the ring and sector labels.

    The builder gets the same boxes through ``pln-geometry.js``.
    """
    centre, me = geo.CENTRE, geo.ME_RADIUS
    boxes: list[lab.Box] = [(centre - me, centre - me, centre + me, centre + me)]
    for line in (_divider(angle) for angle in (-90, 0, 90, 180)):
        boxes.append(
            (
                min(line["x1"], line["x2"]) - 1,
                min(line["y1"], line["y2"]) - 1,
                max(line["x1"], line["x2"]) + 1,
                max(line["y1"], line["y2"]) + 1,
            )
        )
    for label in (_ring_label(band) for band in geo.RINGS):
        top = label["y"] - geo.ASCENT
        right = label["x"] + lab.text_width(label["text"])
        boxes.append((label["x"], top, right, top + geo.LINE_HEIGHT))
    for index, arc in enumerate(geo.SECTORS):
        boxes.append(_sector_box(_sector_label(index, arc)))
    return [tuple(geo.round_tenth(value) for value in box) for box in boxes]


def _sector_box(label: dict) -> lab.Box:
    # Bold text is about a tenth wider than the regular text the estimate is made for.
    width = max(lab.text_width(line, SECTOR_SIZE) * 1.1 for line in label["lines"])
    left = label["x"] - width if label["anchor"] == "end" else label["x"]
    top = label["y"] - SECTOR_SIZE
    bottom = label["y"] + geo.LINE_HEIGHT * (len(label["lines"]) - 1) + 8
    return (left, top, left + width, bottom)


def _node(node: geo.PlacedNode, label: lab.Label | None) -> dict:
    shape = geo.sector(node.group).shape
    lines = []
    if label is not None:
        for number, text in enumerate(label.lines):
            y = label.top + geo.ASCENT + number * geo.LINE_HEIGHT
            lines.append({"x": _number(label.left), "y": _number(y), "text": text})
    return {
        "name": node.name,
        "group": node.group,
        "closeness": node.closeness,
        "marker": marker_path(shape, node.x, node.y),
        "lines": lines,
    }
