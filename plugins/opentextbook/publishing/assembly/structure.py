"""The parts' structure trees made one: what keeps the assembled PDF tagged (PDF/UA-1).

A page's content is tied to the structure by numbers: marked content carries an MCID, the
page a ``/StructParents`` key, annotations and XObjects a ``/StructParent`` key, and the
``ParentTree`` maps each key back to structure elements. Every part numbers from 0, so each
part's keys are moved up by what the parts before it used.
"""

from __future__ import annotations

from pathlib import Path

import pikepdf
from pikepdf import Array, Dictionary, Name, NameTree, NumberTree

from opentextbook.publishing.assembly.shared import copy_in
from opentextbook.support.errors import SourceError


class StructureMerger:
    """Collects each part's structure under one ``Document`` element of ``pdf``."""

    def __init__(self, pdf: pikepdf.Pdf, lang: str) -> None:
        self.pdf = pdf
        self.lang = lang
        self.document = pdf.make_indirect(
            Dictionary(Type=Name.StructElem, S=Name.Document, K=Array())
        )
        self.parent_tree = NumberTree.new(pdf)
        self.next_key = 0
        self.role_map = Dictionary()
        self.class_map = Dictionary()
        self.ids: NameTree | None = None

    def add(self, source: pikepdf.Pdf, pages: list[pikepdf.Object], where: Path) -> None:
        """Add the structure of ``source``, whose pages were copied as ``pages``."""
        root = source.Root.get("/StructTreeRoot")
        if root is None or source.Root.get("/MarkInfo", {}).get("/Marked") is not True:
            raise SourceError(
                where,
                "is not a tagged PDF",
                fix="render it with opentextbook.support.pdf.render_pdf",
            )
        copied = copy_in(self.pdf, source, root)  # after the pages: /Pg and /Obj point at copies
        offset = self.next_key
        used = self._add_parent_tree(copied, offset)
        self.next_key = offset + max(used, int(copied.get("/ParentTreeNextKey", 0)))
        _shift_struct_parents(pages, offset)
        self._merge_map(self.role_map, copied.get("/RoleMap"), "RoleMap", where)
        self._merge_map(self.class_map, copied.get("/ClassMap"), "ClassMap", where)
        self._add_ids(copied.get("/IDTree"))
        part_lang = str(source.Root.get("/Lang", self.lang))
        for element in self._top_elements(copied, part_lang):
            element.P = self.document
            self.document.K.append(element)

    def finish(self) -> None:
        """Make the catalog's ``StructTreeRoot`` and ``MarkInfo``."""
        root = self.pdf.make_indirect(
            Dictionary(
                Type=Name.StructTreeRoot,
                K=Array([self.document]),
                ParentTree=self.parent_tree.obj,
                ParentTreeNextKey=self.next_key,
            )
        )
        self.document.P = root
        for key, value in (("/RoleMap", self.role_map), ("/ClassMap", self.class_map)):
            if len(value):
                root[key] = value
        if self.ids is not None:
            root.IDTree = self.ids.obj
        self.pdf.Root.StructTreeRoot = root
        self.pdf.Root.MarkInfo = Dictionary(Marked=True)

    def _add_parent_tree(self, copied: pikepdf.Dictionary, offset: int) -> int:
        """Copy the part's ParentTree entries ``offset`` up; return how many keys it spans."""
        tree = copied.get("/ParentTree")
        if tree is None:
            return 0
        span = 0
        for key, value in NumberTree(tree).items():
            self.parent_tree[key + offset] = value
            span = max(span, key + 1)
        return span

    def _top_elements(self, copied: pikepdf.Dictionary, part_lang: str) -> list:
        """The part's top elements, its own ``Document`` element dissolved; kept together in
        a ``Part`` element carrying its language when the part is in another one."""
        kids = _as_list(copied.get("/K"))
        elements = []
        for kid in kids:
            if kid.get("/S") == Name.Document:
                elements += [grandkid for grandkid in _as_list(kid.get("/K")) if _is_elem(grandkid)]
            elif _is_elem(kid):
                elements.append(kid)
        if part_lang == self.lang or not elements:
            return elements
        wrapper = self.pdf.make_indirect(
            Dictionary(Type=Name.StructElem, S=Name.Part, Lang=part_lang, K=Array(elements))
        )
        for element in elements:
            element.P = wrapper
        return [wrapper]

    @staticmethod
    def _merge_map(merged: Dictionary, extra, kind: str, where: Path) -> None:
        for key, value in (extra or {}).items():
            if key in merged and repr(merged[key]) != repr(value):
                raise SourceError(
                    where,
                    f"its structure {kind} maps {key} to {value}, another part to {merged[key]}",
                    fix="give the two structure types different names",
                )
            merged[key] = value

    def _add_ids(self, tree) -> None:
        """Merge element IDs; an ID already used gets a suffix (and its element says so)."""
        if tree is None:
            return
        if self.ids is None:
            self.ids = NameTree.new(self.pdf)
        for name, element in NameTree(tree).items():
            new = name
            while new in self.ids:
                new = f"{new}-{len(self.ids)}"
            if new != name:
                element.ID = pikepdf.String(new)
            self.ids[new] = element


def _shift_struct_parents(pages: list[pikepdf.Object], offset: int) -> None:
    """Move the structure keys of copied pages, their annotations and XObjects by ``offset``."""
    if not offset:
        return
    done: set[tuple[int, int]] = set()  # XObjects may be shared between pages
    for page in pages:
        annotations = list(page.get("/Annots", ()))
        for obj in (page, *annotations, *_xobjects(page.get("/Resources"), done)):
            for key in ("/StructParents", "/StructParent"):
                if key in obj:
                    obj[key] = int(obj[key]) + offset


def _xobjects(resources, done: set) -> list[pikepdf.Object]:
    """The XObjects ``resources`` use, those of form XObjects too, each once."""
    found = []
    for xobject in (resources or {}).get("/XObject", {}).values():
        if xobject.objgen in done:
            continue
        done.add(xobject.objgen)
        found.append(xobject)
        if xobject.get("/Subtype") == Name.Form:
            found += _xobjects(xobject.get("/Resources"), done)
    return found


def _is_elem(obj) -> bool:
    """A structure element (not a marked-content or object reference)."""
    return isinstance(obj, Dictionary) and "/S" in obj


def _as_list(value) -> list:
    if value is None:
        return []
    return list(value) if isinstance(value, Array) else [value]
