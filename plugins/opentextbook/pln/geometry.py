"""The PLN map's geometry: rings for closeness, sectors for groups, where each node sits.

This module is the single source of the map's shape. The printable templates are drawn from it
in Python, and the builder page reads the same values as JSON (``builder.geometry_script``, shipped
as ``pln-geometry.js``), so a map drawn in the browser matches the template on paper.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from importlib import resources

from opentextbook.i18n import t

SIZE = 1000
"""Width and height of the map's square drawing area, in SVG user units."""
CENTRE = SIZE / 2
ME_RADIUS = 62
LEGEND_HEIGHT = 240
"""Height of the legend band under the map."""
TEXT_SIZE = 22
"""Font size of every label on the map, in user units: 9 pt on paper (the PDF draws the map at
least 409 pt wide) and 11 px on a phone (the builder never draws it narrower than 500 px)."""
LINE_HEIGHT = 26
"""Distance between the lines of a node label; also the height of a line's box."""
ASCENT = 21
"""From the top of a line's box to its baseline (DejaVu Sans rises 0.93 em above it)."""
WRAP_WIDTH = 280
"""Widest line of a node label; longer names wrap onto a second line, then end with "…"."""
LABEL_GAP = 4
"""Clear space kept between a label and anything else drawn on the map."""
MARKER_REACH = 14
"""Half the width of a node marker's box, with room for its outline."""


@dataclass(frozen=True)
class Ring:
    """A band of closeness around "Me"; nodes sit on the band's middle circle."""

    id: str
    inner: float
    outer: float

    @property
    def label(self) -> str:
        """Its name in the book's language (``pln.ring.<id>``)."""
        return t(f"pln.ring.{self.id}")

    @property
    def middle(self) -> float:
        return (self.inner + self.outer) / 2


@dataclass(frozen=True)
class Sector:
    """A quarter of the map for one group of sources, with a marker shape for the legend."""

    id: str
    start: float
    end: float
    shape: str

    @property
    def label(self) -> str:
        """Its name in the book's language (``pln.sector.<id>``), as the legend shows it."""
        return t(f"pln.sector.{self.id}")

    @property
    def short(self) -> str:
        """The shorter name written on the map (``pln.sector_short.<id>``)."""
        return t(f"pln.sector_short.{self.id}")


RINGS = (
    Ring("close", ME_RADIUS, 205),
    Ring("regular", 205, 340),
    Ring("occasional", 340, 470),
)
SECTORS = (
    Sector("people", -90, 0, "circle"),
    Sector("organisations", 0, 90, "square"),
    Sector("networks", 90, 180, "diamond"),
    Sector("media", 180, 270, "triangle"),
)
"""Angles in degrees, clockwise from three o'clock (SVG's orientation)."""


@dataclass(frozen=True)
class PlacedNode:
    """A source with its position on the map."""

    name: str
    group: str
    closeness: str
    x: float
    y: float
    index: int
    """The source's place in the list (from 0); its number when its label has no room."""


def ring(ring_id: str) -> Ring:
    return next(item for item in RINGS if item.id == ring_id)


def sector(sector_id: str) -> Sector:
    return next(item for item in SECTORS if item.id == sector_id)


def place_nodes(sources: list[dict[str, str]]) -> list[PlacedNode]:
    """Spread the sources of each (group, closeness) cell evenly across the cell's arc.

    The builder's JavaScript implements the same rule (``placeNodes`` in ``pln-builder.js``);
    change both together.
    """
    cells: dict[tuple[str, str], list[dict[str, str]]] = {}
    for index, source in enumerate(sources):
        cells.setdefault((source["group"], source["closeness"]), []).append({**source, "i": index})
    placed = []
    for (group, closeness), members in cells.items():
        arc, band = sector(group), ring(closeness)
        for index, source in enumerate(members):
            angle = arc.start + (arc.end - arc.start) * (index + 1) / (len(members) + 1)
            # Alternate inward and outward so neighbours' labels do not overlap.
            offset = 0 if len(members) < 3 else (band.outer - band.inner) * 0.18 * (-1) ** index
            radius = band.middle + offset
            placed.append(_placed(source, angle, radius))
    return placed


def _placed(source: dict[str, str], angle: float, radius: float) -> PlacedNode:
    rad = math.radians(angle)
    return PlacedNode(
        name=source["name"],
        group=source["group"],
        closeness=source["closeness"],
        x=round_tenth(CENTRE + radius * math.cos(rad)),
        y=round_tenth(CENTRE + radius * math.sin(rad)),
        index=source["i"],
    )


def round_tenth(value: float) -> float:
    """Round to 0.1 as JavaScript's ``Math.round(v * 10) / 10`` does, so both draw alike.

    Python's ``round()`` rounds the decimal value half to even; this rounds the binary value
    half up, exactly like the builder.
    """
    return math.floor(value * 10 + 0.5) / 10


def map_style() -> str:
    """The map's stylesheet, shared by the SVG files and the builder page's live drawing."""
    return resources.files("opentextbook").joinpath("templates/pln/map.css").read_text("utf-8")


def geometry() -> dict:
    """Everything the builder needs to draw the map as the templates do."""
    return {
        "size": SIZE,
        "centre": CENTRE,
        "meRadius": ME_RADIUS,
        "legendHeight": LEGEND_HEIGHT,
        "textSize": TEXT_SIZE,
        "lineHeight": LINE_HEIGHT,
        "ascent": ASCENT,
        "wrapWidth": WRAP_WIDTH,
        "labelGap": LABEL_GAP,
        "markerReach": MARKER_REACH,
        "rings": [{**asdict(item), "label": item.label, "middle": item.middle} for item in RINGS],
        "sectors": [{**asdict(item), "label": item.label, "short": item.short} for item in SECTORS],
        "style": map_style(),
    }
