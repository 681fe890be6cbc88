"""Helpers the mergers share: copying a part's objects, names unique across parts."""

from __future__ import annotations

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
