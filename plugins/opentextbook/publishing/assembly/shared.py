"""Helpers the mergers share: copying a part's objects, names unique across parts."""

from __future__ import annotations

import hashlib
from collections.abc import Container

import pikepdf


def unique_name(name: str, label: str, used: Container[str]) -> str:
    """``name`` if no earlier part used it, else ``<label>-<name>`` (then ``-2``, ``-3``…).

    Earlier parts keep their names: links into a part that came first never change.
    """
    if name not in used:
        return name
    base = f"{label}-{name}" if name else label
    candidate, number = base, 1
    while candidate in used:
        number += 1
        candidate = f"{base}-{number}"
    return candidate


def copy_in(pdf: pikepdf.Pdf, source: pikepdf.Pdf, obj: pikepdf.Object) -> pikepdf.Object:
    """``obj`` of ``source`` copied into ``pdf``, with everything it refers to.

    Call it after the part's pages are copied: a reference to a page then leads to its copy
    (qpdf keeps one map of copied objects per source file). qpdf copies indirect objects
    only, so a direct one is first made indirect in ``source`` (in memory; not saved).
    """
    return pdf.copy_foreign(obj if obj.is_indirect else source.make_indirect(obj))


def share_identical_streams(
    pdf: pikepdf.Pdf, replaced: dict | None = None, min_size: int = 512
) -> int:
    """Keep one copy of each stream several parts embed byte for byte (the form fields'
    font, a logo), and point what names an object of ``replaced`` (objgen -> object) at its
    replacement; return how many objects are no longer used.

    Each part is a PDF of its own, so each brings its own copy. Only references held in
    dictionaries are redirected (where fonts and images are named); a copy still named
    elsewhere simply stays. The first copy is kept, so the result does not depend on order
    of discovery beyond the parts' order.
    """
    kept: dict[bytes, pikepdf.Object] = {}
    copies: dict[tuple[int, int], pikepdf.Object] = dict(replaced or {})
    for obj in pdf.objects:
        if not isinstance(obj, pikepdf.Stream):
            continue
        raw = obj.read_raw_bytes()
        if len(raw) < min_size:
            continue
        fields = {key: repr(value) for key, value in obj.stream_dict.items() if key != "/Length"}
        key = hashlib.sha256(raw + repr(sorted(fields.items())).encode()).digest()
        first = kept.setdefault(key, obj)
        if first.objgen != obj.objgen:
            copies[obj.objgen] = first
    if copies:
        for obj in pdf.objects:
            if isinstance(obj, pikepdf.Dictionary | pikepdf.Stream):
                _redirect(obj, copies)
    return len(copies)


def _redirect(dictionary: pikepdf.Object, copies: dict) -> None:
    for key, value in dictionary.items():
        if not isinstance(value, pikepdf.Object):
            continue  # a number, a boolean: pikepdf gives them as Python values
        if value.is_indirect:
            if value.objgen in copies:
                dictionary[key] = copies[value.objgen]
        elif isinstance(value, pikepdf.Dictionary):
            _redirect(value, copies)
