"""The parts' form fields in one ``AcroForm``, each field still a field of its own.

Two fields with one name are one field to a PDF viewer: typing into one fills the other. So
a field whose name an earlier part used is renamed ``<part name>-<name>``. The fields' default
appearance (``/DA``) names resources of the form's ``/DR``; a resource name another part used
for something else is renamed too, and the part's ``/DA`` strings with it.
"""

from __future__ import annotations

import re

import pikepdf
from pikepdf import Array, Dictionary

from opentextbook.publishing.assembly.shared import copy_in, unique_name

_CATEGORIES = ("/Font", "/ColorSpace", "/ExtGState", "/Pattern", "/Shading", "/XObject")


class FormMerger:
    """Collects each part's fields and default resources into one ``AcroForm`` of ``pdf``."""

    def __init__(self, pdf: pikepdf.Pdf) -> None:
        self.pdf = pdf
        self.fields = Array()
        self.names: set[str] = set()
        self.resources = Dictionary()
        self.appearance: pikepdf.Object | None = None
        self.need_appearances = False

    def add(self, source: pikepdf.Pdf, label: str) -> None:
        """Add the form of ``source`` (after its pages were copied: widgets are on them)."""
        form = source.Root.get("/AcroForm")
        if form is None:
            return
        copied = copy_in(self.pdf, source, form)
        fields = list(copied.get("/Fields", ()))
        appearances = [obj for obj in _with_kids(fields) if "/DA" in obj]
        used = {name for obj in (copied, *appearances) for name in _names(obj.get("/DA"))}
        renamed = self._merge_resources(copied.get("/DR"), used)
        for obj in appearances if renamed else ():
            obj.DA = pikepdf.String(_NAME.sub(lambda m: "/" + renamed.get(m[1], m[1]), str(obj.DA)))
        for field in fields:
            self._unique_name(field, label)
            self.fields.append(field)
        if self.appearance is None and "/DA" in copied:
            self.appearance = copied.DA
        self.need_appearances |= bool(copied.get("/NeedAppearances", False))

    def finish(self) -> None:
        """Make the catalog's ``AcroForm`` (none when no part has a field)."""
        if not len(self.fields):
            return
        form = Dictionary(Fields=self.fields, DR=self.resources)
        if self.appearance is not None:
            form.DA = self.appearance
        if self.need_appearances:
            form.NeedAppearances = True
        self.pdf.Root.AcroForm = self.pdf.make_indirect(form)

    def _unique_name(self, field: pikepdf.Object, label: str) -> None:
        name = str(field.get("/T", ""))
        new = unique_name(name, label, self.names)
        if new != name:
            field.T = pikepdf.String(new)
        self.names.add(new)

    def _merge_resources(self, resources, used: set[str]) -> dict[str, str]:
        """Merge the ``used`` entries of ``resources`` into the form's (the others are the
        pages' resources, which WeasyPrint lists too); return the names changed."""
        renamed: dict[str, str] = {}
        for category in _CATEGORIES:
            extra = (resources or {}).get(category) or {}
            entries = [(key, value) for key, value in extra.items() if key[1:] in used]
            if entries and category not in self.resources:
                self.resources[category] = Dictionary()
            for key, value in entries:
                merged = self.resources[category]
                new, number = key, 1
                while new in merged and not _same(merged[new], value):
                    number += 1
                    new = f"{key}_{number}"
                if new != key:
                    renamed[key[1:]] = new[1:]
                merged[new] = value
        return renamed


def _same(one: pikepdf.Object, other: pikepdf.Object) -> bool:
    """The same object, or equal direct values."""
    if one.is_indirect and other.is_indirect:
        return one.objgen == other.objgen
    return repr(one) == repr(other)


_NAME = re.compile(r"/([^\s/\[\]()<>{}%]+)")


def _names(appearance) -> list[str]:
    """The resource names a ``/DA`` string uses (``/Helv 10 Tf`` -> ``Helv``)."""
    return _NAME.findall(str(appearance)) if appearance is not None else []


def _with_kids(fields: list[pikepdf.Object]) -> list[pikepdf.Object]:
    """Fields and the fields and widgets below them (each may have its own ``/DA``)."""
    found = []
    for field in fields:
        found.append(field)
        found += _with_kids(list(field.get("/Kids", ())))
    return found
