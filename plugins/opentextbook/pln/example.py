"""The example PLN: the four nodes the chapter's author describes, placed on the map.

The nodes and what the author learns from each come from ``data/pln-nodes.yml``. The chapter
does not say how she would group them on a map or how close each one is: those two choices
are an illustration, and every output that shows them says so (:data:`ILLUSTRATION_NOTE`).
"""

from __future__ import annotations

from pathlib import Path

from opentextbook.datasets import DATA_SUFFIXES, load_dataset
from opentextbook.support.errors import SourceError

ILLUSTRATION_NOTE = (
    "Example: the PLN nodes the chapter's author describes. Their groups and closeness are "
    "an illustration inferred from the chapter, not the author's own drawing."
)
INVENTORY_NOTE = (
    "Example: the sources of learning the chapter's author describes and what she learns from "
    "each. Their groups are an illustration inferred from the chapter; what she offers is filled "
    "in only where the chapter says."
)
"""The inventory has no map and no closeness column, so its note speaks of neither."""

GROUP_OF_KIND = {"person": "people", "chat": "media", "community": "networks", "podcast": "media"}
"""The map sector of each node kind: chats and podcasts are the chapter's examples of media."""

_CLOSENESS = {"maha-bali": "close", "demystifying-instructional-design": "close"}
"""Illustration: the nodes the chapter says challenge the author "regularly" or that she hosts."""

_OFFERS = {
    "virtually-connecting": "The author co-founded it.",
    "demystifying-instructional-design": "The author hosts it and interviews its guests.",
}
"""What the author offers, only where the chapter says; the rest stays "not stated"."""

NOT_STATED = "Not stated in the chapter."


def example_sources(data_dir: str | Path) -> list[dict[str, str]]:
    """The example's rows (name, group, closeness, learn, offer) from ``pln-nodes.yml``.

    Returns no rows when the book has no such data file (a remix may drop it); the example
    downloads are then left out and the blank templates still build.
    """
    found = [Path(data_dir) / f"pln-nodes{suffix}" for suffix in DATA_SUFFIXES]
    path = next((p for p in found if p.exists()), None)
    if path is None:
        return []
    return [_source(path, record) for record in load_dataset(path).records]


def _source(path: Path, record: dict) -> dict[str, str]:
    if record["kind"] not in GROUP_OF_KIND:  # a kind added to the schema but not to the map
        raise SourceError(
            path,
            f"the PLN map has no group for kind '{record['kind']}' (node '{record['id']}')",
            fix=f"add the kind to GROUP_OF_KIND in {__name__}",
        )
    return {
        "name": record["name"],
        "group": GROUP_OF_KIND[record["kind"]],
        "closeness": _CLOSENESS.get(record["id"], "regular"),
        "learn": record["learns"],
        "offer": _OFFERS.get(record["id"], NOT_STATED),
    }
