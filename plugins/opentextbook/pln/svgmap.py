"""Draw the PLN map as SVG: the blank template, the example, and the builder's base layer."""

from __future__ import annotations

import math

from opentextbook.pln import geometry as geo
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
        legend_top=geo.SIZE + 24,
        legend=[_legend_item(index, arc) for index, arc in enumerate(geo.SECTORS)],
        ring_legend_x=_RING_LEGEND_X,
        ring_legend=_ring_legend(),
    )


def render_map_svg(
    sources: list[dict[str, str]], *, title: str, description: str, credit: Credit
) -> str:
    """A complete, standalone SVG map with ``sources`` drawn as nodes."""
    return render(
        "map.svg.j2",
        width=WIDTH,
        height=HEIGHT,
        language=credit.language,
        title=title,
        description=description,
        style=geo.map_style(),
        base=base_svg(),
        nodes=[_node(node) for node in geo.place_nodes(sources)],
        credit=credit.lines,
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
    return {"x": geo.CENTRE + 50, "y": geo.CENTRE - band.outer + 24, "text": band.label}


_SECTOR_CORNERS = (  # (x, y of the first line, text-anchor), clockwise from top right
    (WIDTH - 20, 34, "end"),
    (WIDTH - 20, geo.SIZE - 44, "end"),
    (20, geo.SIZE - 44, "start"),
    (20, 34, "start"),
)


def _sector_label(index: int, arc: geo.Sector) -> dict:
    x, y, anchor = _SECTOR_CORNERS[index]
    return {"x": x, "y": y, "anchor": anchor, "lines": _two_lines(arc.label)}


def _two_lines(text: str) -> list[str]:
    """Long sector names on two lines so they stay in their corner, clear of the rings."""
    words = text.split()
    if len(text) <= 16 or len(words) < 2:
        return [text]
    cut = min(range(1, len(words)), key=lambda i: abs(len(" ".join(words[:i])) - len(text) / 2))
    return [" ".join(words[:cut]), " ".join(words[cut:])]


def _legend_item(index: int, arc: geo.Sector) -> dict:
    x, y = 10, 32 * (index + 1)
    return {"id": arc.id, "x": x, "y": y, "text": arc.label, "marker": marker_path(arc.shape, x, y)}


def _ring_legend() -> list[dict]:
    items = [{"y": 32, "text": "Centre: Me (you)"}]
    places = ("inner", "middle", "outer")
    for index, band in enumerate(geo.RINGS):
        items.append({"y": 32 * (index + 2), "text": f"{band.label}: {places[index]} ring"})
    return items


def label_goes_right(x: float, label: str) -> bool:
    """Labels point away from the centre unless that would run off the map's edge.

    ``labelGoesRight`` in ``pln-builder.js`` follows the same rule.
    """
    width = len(label) * geo.LABEL_CHAR_WIDTH + 16
    if x >= geo.CENTRE:
        return x + width <= WIDTH
    return x - width < 0


def _node(node: geo.PlacedNode) -> dict:
    shape = geo.sector(node.group).shape
    right = label_goes_right(node.x, node.label)
    return {
        "name": node.name,
        "group": node.group,
        "closeness": node.closeness,
        "label_y": _number(node.y + 6),
        "marker": marker_path(shape, node.x, node.y),
        "label": node.label,
        "label_x": _number(node.x + (16 if right else -16)),
        "anchor": "start" if right else "end",
    }
