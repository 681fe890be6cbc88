"""One tagged PDF put together from tagged PDFs, without laying anything out again.

WeasyPrint lays out a long document in one process, and a small change lays it all out again.
Rendering its parts separately (in parallel, each cached) and then joining the PDFs costs a
fraction of that. Joining tagged PDFs is more than appending pages, though: a PDF/UA document
has one structure tree, one form, one outline. :func:`assemble_pdfs` merges them:

- **structure**: one ``StructTreeRoot`` whose ``Document`` element holds each part's elements
  (a part's own ``Document`` element is dissolved into it; a part in another language is kept
  as a ``Part`` element with its ``/Lang``); the ``ParentTree`` is renumbered, and with it the
  ``/StructParents`` of pages and the ``/StructParent`` of annotations and XObjects; role and
  class maps and ID trees merged (see :mod:`.structure`);
- **forms**: one ``AcroForm`` with every part's fields, a field whose name an earlier part
  already used renamed (``<part name>-<field>``), default resources merged (see :mod:`.forms`);
- **navigation**: one bookmark per part (if it has a title) with the part's own bookmarks
  nested, named destinations merged (renamed on a clash, links following), page labels
  (see :mod:`.navigation`);
- **document**: ``/Lang``, ``MarkInfo``, title in the document information and in the XMP
  metadata (with ``pdfuaid:part``), ``DisplayDocTitle``.

The subsets of one font the parts embed are merged into one (:mod:`.fonts`), and streams
several parts embed byte for byte (an image) are kept once. The file is
written atomically in the parts' PDF version, and its bytes depend only on the inputs (the
``/ID`` is a digest of the content; no date is written), so a reproducible build stays
reproducible. Not carried over from the parts: attachments, optional content, scripts, open
actions (WeasyPrint makes none for the book).
Nothing here knows about worksheets or books: callers name the parts and their titles.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from opentextbook.support.atomic import atomic_path
from opentextbook.support.errors import SourceError

if TYPE_CHECKING:
    import pikepdf

__all__ = ["Assembled", "PageLabel", "Part", "assemble_pdfs", "page_count"]


@dataclass(frozen=True)
class Part:
    """One PDF to put in the assembled document.

    Attributes:
        path: a tagged PDF (as :func:`opentextbook.support.pdf.render_pdf` makes).
        bookmark: the title of the bookmark that leads to the part's first page and holds
            the part's own bookmarks; ``None`` puts the part's own bookmarks at the top level.
        name: what makes the part's form fields and named destinations unique when an earlier
            part already used a name (``<name>-<field>``); the file's stem if empty.
    """

    path: Path
    bookmark: str | None = None
    name: str = ""

    @property
    def label(self) -> str:
        return self.name or Path(self.path).stem


@dataclass(frozen=True)
class PageLabel:
    """Page numbers a PDF viewer shows, from page ``start`` (0-based) of the assembled file.

    ``style`` is ``decimal``, ``roman``, ``Roman``, ``letters``, ``Letters`` or ``None`` (the
    prefix alone); ``first`` is the number of page ``start``.
    """

    start: int
    style: str | None = "decimal"
    prefix: str = ""
    first: int = 1


@dataclass(frozen=True)
class Assembled:
    """What :func:`assemble_pdfs` wrote: the file, its page count and each part's first page."""

    path: Path
    pages: int
    starts: tuple[int, ...]
    """0-based index of each part's first page in the assembled file."""


def page_count(path: str | Path) -> int:
    """The number of pages of a PDF (to number a contents page before assembling)."""
    import pikepdf

    try:
        with pikepdf.open(path) as pdf:
            return len(pdf.pages)
    except (pikepdf.PdfError, OSError) as exc:
        raise SourceError(path, f"cannot read this PDF ({exc})", fix="render it again") from None


def assemble_pdfs(
    parts: Sequence[Part | str | Path],
    target: str | Path,
    *,
    title: str,
    lang: str,
    author: str = "",
    subject: str = "",
    page_labels: Sequence[PageLabel] = (),
    finish: Callable[[pikepdf.Pdf], None] | None = None,
) -> Assembled:
    """Join ``parts`` (tagged PDFs) in order into one tagged PDF/UA-1 document at ``target``.

    Args:
        parts: the PDFs, as :class:`Part` (or paths: no bookmark of their own).
        target: the file to write (atomically: on failure no partial file remains).
        title: the document's title (information dictionary and XMP ``dc:title``).
        lang: its language (BCP 47, e.g. ``en``): the catalog's ``/Lang``.
        author: written as ``/Author`` and ``dc:creator`` when given.
        subject: written as ``/Subject`` and ``dc:description`` when given.
        page_labels: page numbers for viewers; none: the physical page numbers.
        finish: called with the assembled document before it is written, to change what
            only the whole knows (the whole book resolves links between its parts and
            stamps its page numbers); the parts stay open until then.

    Raises:
        SourceError: a part cannot be read or is not tagged (naming that part).
    """
    import pikepdf

    from opentextbook.publishing.assembly import document, fonts, navigation, shared

    parts = [part if isinstance(part, Part) else Part(Path(part)) for part in parts]
    if not parts:
        raise SourceError(target, "nothing to assemble", fix="give at least one PDF")
    with contextlib.ExitStack() as stack:
        pdf = stack.enter_context(pikepdf.new())
        sources = [stack.enter_context(_open(part.path)) for part in parts]  # open until saved
        starts = _add_parts(pdf, parts, sources, lang)
        navigation.set_page_labels(pdf, page_labels)
        shared.share_identical_streams(pdf, fonts.merge_font_subsets(pdf))
        if finish is not None:  # after the merging: what it adds is its own
            finish(pdf)
        document.describe(pdf, sources[0], title=title, lang=lang, author=author, subject=subject)
        version = max((source.pdf_version for source in sources), key=_version)
        _save(pdf, Path(target), version)
        return Assembled(Path(target), len(pdf.pages), tuple(starts))


def _add_parts(pdf, parts: list[Part], sources: list, lang: str) -> list[int]:
    """Copy each part's pages, then its destinations, structure, fields and bookmarks
    (after its pages, so that what points at a page points at its copy); return the index
    of each part's first page."""
    from opentextbook.publishing.assembly import forms, navigation, structure

    tree = structure.StructureMerger(pdf, lang)
    form = forms.FormMerger(pdf)
    outline = navigation.OutlineMerger(pdf)
    starts = []
    for part, source in zip(parts, sources, strict=True):
        starts.append(len(pdf.pages))
        pages = _append_pages(pdf, source)
        renames = outline.add_destinations(source, part.label)
        tree.add(source, pages, part.path)
        form.add(source, part.label)
        outline.add(source, pages, part.bookmark, renames)
    for merger in (tree, form, outline):
        merger.finish()
    return starts


@contextlib.contextmanager
def _open(path: Path):
    import pikepdf

    try:
        source = pikepdf.open(path)
    except (pikepdf.PdfError, OSError) as exc:
        raise SourceError(path, f"cannot read this PDF ({exc})", fix="render it again") from None
    with source:
        yield source


def _append_pages(pdf, source) -> list:
    """Copy every page of ``source`` (first, so that whatever is copied later and points
    at a page points at its copy)."""
    pages = []
    for page in source.pages:
        pdf.pages.append(page)
        pages.append(pdf.pages[-1].obj)
    return pages


def _version(version: str) -> tuple[int, ...]:
    return tuple(int(number) for number in version.split("."))


def _save(pdf, target: Path, version: str) -> None:
    """Write compactly and reproducibly (the ``/ID`` is a digest of the content), in the
    newest PDF version of the parts (PDF/UA-1 is PDF 1.7; a new file would say 1.3)."""
    import pikepdf

    with atomic_path(target) as tmp:
        pdf.save(
            tmp,
            min_version=version,
            deterministic_id=True,
            object_stream_mode=pikepdf.ObjectStreamMode.generate,
            fix_metadata_version=False,
        )
