"""Getting around the assembled PDF: bookmarks, named destinations and page labels.

Each part may bring its own bookmarks (WeasyPrint makes them from headings) and named
destinations (the ids links point at). The bookmarks are kept, under one bookmark per part
when the part is given a title; a destination name an earlier part used is renamed
``<part name>-<name>``, and the part's links and bookmarks follow it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import pikepdf
from pikepdf import Array, Dictionary, Name, NameTree

from opentextbook.publishing.assembly.shared import copy_in, unique_name

_STYLES = {"decimal": "/D", "roman": "/r", "Roman": "/R", "letters": "/a", "Letters": "/A"}


class OutlineMerger:
    """Collects each part's bookmarks and destinations into ``pdf``'s outline and names."""

    def __init__(self, pdf: pikepdf.Pdf) -> None:
        self.pdf = pdf
        self.top: list[pikepdf.Object] = []
        self.closed: set[tuple[int, int]] = set()
        self.dests: NameTree | None = None

    def add_destinations(self, source: pikepdf.Pdf, label: str) -> dict[str, str]:
        """Merge the named destinations of ``source``; return the names changed."""
        names = source.Root.get("/Names", {}).get("/Dests")
        if names is None:
            return {}
        if self.dests is None:
            self.dests = NameTree.new(self.pdf)
        renames = {}
        for name, destination in NameTree(copy_in(self.pdf, source, names)).items():
            new = unique_name(name, label, self.dests)
            if new != name:
                renames[name] = new
            self.dests[new] = destination
        return renames

    def add(
        self,
        source: pikepdf.Pdf,
        pages: list[pikepdf.Object],
        bookmark: str | None,
        renames: dict[str, str],
    ) -> None:
        """Add the bookmarks of ``source`` (copied as ``pages``), under ``bookmark`` if given."""
        outlines = source.Root.get("/Outlines")
        children = []
        if outlines is not None and "/First" in outlines:
            children = _siblings(copy_in(self.pdf, source, outlines).First)
        if renames:
            for obj in (*_annotations(pages), *_descendants(children)):
                _rename_destination(obj, renames)
        if bookmark is None or not pages:
            self.top += children
            return
        top = float(pages[0].MediaBox[3])
        item = self.pdf.make_indirect(
            Dictionary(Title=pikepdf.String(bookmark), Dest=Array([pages[0], Name.XYZ, 0, top, 0]))
        )
        self.closed.add(item.objgen)  # one line per part; opened to see its headings
        _link(item, children)
        self.top.append(item)

    def finish(self) -> None:
        """Make the catalog's ``Outlines`` and ``Names``/``Dests``."""
        if self.dests is not None:
            self.pdf.Root.Names = Dictionary(Dests=self.dests.obj)
        if not self.top:
            return
        root = self.pdf.make_indirect(Dictionary(Type=Name.Outlines))
        _link(root, self.top)
        self._count(root, is_open=True)
        self.pdf.Root.Outlines = root

    def _count(self, item: pikepdf.Object, is_open: bool) -> int:
        """Set ``/Count`` below ``item`` (PDF: visible descendants, negative when closed);
        return how many items it shows."""
        visible = 0
        for child in _siblings(item.get("/First")):
            child_open = child.objgen not in self.closed and int(child.get("/Count", 0)) >= 0
            visible += 1 + self._count(child, child_open)
        if "/First" in item:
            item.Count = visible if is_open else -visible
        return visible if is_open else 0


def set_page_labels(pdf: pikepdf.Pdf, labels: Sequence) -> None:
    """Write ``/PageLabels`` (see :class:`~opentextbook.publishing.assembly.PageLabel`)."""
    if not labels:
        return
    labels = sorted(labels, key=lambda label: label.start)
    if labels[0].start != 0:
        raise ValueError("the first page label must start at page 0")
    nums = Array()
    for label in labels:
        if label.style is not None and label.style not in _STYLES:
            raise ValueError(f"page label style {label.style!r}: one of {sorted(_STYLES)}")
        entry = Dictionary()
        if label.style:
            entry.S = Name(_STYLES[label.style])
        if label.prefix:
            entry.P = pikepdf.String(label.prefix)
        if label.first != 1:
            entry.St = label.first
        nums.extend([label.start, entry])
    pdf.Root.PageLabels = Dictionary(Nums=nums)


def _link(parent: pikepdf.Object, children: list[pikepdf.Object]) -> None:
    """Make ``children`` the outline items under ``parent``, in order."""
    for key in ("/First", "/Last"):
        if key in parent:
            del parent[key]
    for index, child in enumerate(children):
        child.Parent = parent
        for key, neighbour in (("/Prev", index - 1), ("/Next", index + 1)):
            if 0 <= neighbour < len(children):
                child[key] = children[neighbour]
            elif key in child:
                del child[key]
    if children:
        parent.First, parent.Last = children[0], children[-1]


def _siblings(first) -> list[pikepdf.Object]:
    """An outline item and the items after it (a damaged loop is cut)."""
    found, seen = [], set()
    while first is not None and first.objgen not in seen:
        seen.add(first.objgen)
        found.append(first)
        first = first.get("/Next")
    return found


def _descendants(items: Iterable[pikepdf.Object]) -> list[pikepdf.Object]:
    found = []
    for item in items:
        found.append(item)
        found += _descendants(_siblings(item.get("/First")))
    return found


def _annotations(pages: list[pikepdf.Object]) -> list[pikepdf.Object]:
    return [annotation for page in pages for annotation in page.get("/Annots", ())]


def _rename_destination(obj: pikepdf.Object, renames: dict[str, str]) -> None:
    """Point a link or bookmark at its destination's new name."""
    action = obj.get("/A")
    for holder, key in ((obj, "/Dest"), (action, "/D")):
        if holder is None or key not in holder:
            continue
        value = holder[key]
        if isinstance(value, pikepdf.String | Name):
            name = str(value).removeprefix("/") if isinstance(value, Name) else str(value)
            if name in renames:
                holder[key] = pikepdf.String(renames[name])
