"""The whole-book PDF made of parts: chapters printed in parallel and cached, then assembled.

Laid out as one WeasyPrint document, a 455-page book took 75 s on one core and 1.3-1.5 GB of
memory, and any edit laid it all out again. Here each chapter is a document of its own
(:func:`~opentextbook.publishing.wholebook.chapter_documents`), printed in worker processes
on all cores and cached by a digest of its HTML, the images it shows, the stylesheets and the
renderer (``parts/`` of the publishing cache, shared by both editions: a chapter without
teacher notes is printed once). Then, with every chapter's page count and the page of each of
its anchors read from its PDF:

1. the front matter (cover, contents with page numbers) is printed — again only if its HTML
   changed, that is if page numbers moved; its own length is guessed from the last build and
   printed again in the rare case that the guess was wrong;
2. the parts are assembled into one tagged PDF (``publishing.assembly``: one structure tree,
   outline, named destinations), the links between chapters are resolved and the page numbers
   stamped (:mod:`~opentextbook.publishing.pagenumbers`).

Memory stays bounded: no process lays out more than one chapter at a time, and the assembly,
which lays out nothing but holds every PDF object of the book, runs alone after the printing
workers have ended, one edition at a time.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from opentextbook.metadata import BookMetadata
from opentextbook.publishing.wholebook import (
    PART_LINK,
    ChapterDocument,
    digits_html,
    part_of,
)
from opentextbook.support.atomic import write_text
from opentextbook.support.cache import OutputCache, content_digest, library_versions
from opentextbook.support.errors import SourceError
from opentextbook.support.pdf import render_code_digest
from opentextbook.support.workers import process_pool, runner

FRONT_GUESSES = "front-pages.json"
"""How many pages each edition's front matter had last time: the guess for the next build."""
_FRONT_ROUNDS = 5


@dataclass(frozen=True)
class EditionJob:
    """One edition of the whole-book PDF: its chapters, its front matter, where it goes."""

    name: str
    chapters: list[ChapterDocument]
    front: Callable[[dict[str, int]], str]
    """The front matter's HTML, given the printed page number of every anchor."""
    target: Path | None
    """``None``: up to date; its parts are only kept in the cache."""


@dataclass(frozen=True)
class _Part:
    key: str
    digest: str
    html: str
    what: str
    """What it is, for an error message: ``page chapter.md``, ``the front matter``."""


@dataclass(frozen=True)
class PartLayout:
    """A printed part: its page count and the page (from 0) of each of its anchors."""

    pages: int
    anchors: dict[str, int]


class WholeBookPrinter:
    """Prints the editions' parts that the cache lacks, then assembles the editions."""

    def __init__(
        self,
        metadata: BookMetadata,
        parts_dir: Path,
        *,
        stylesheets: list[Path],
        base_url: Path,
        pool: Callable | None = None,
        workers: int | None = None,
    ) -> None:
        self.metadata = metadata
        self.cache = OutputCache(parts_dir)
        self.stylesheets = [str(sheet) for sheet in stylesheets]
        self.base_url = str(base_url)
        self.pool = pool
        self.workers = workers
        self.rendered: list[str] = []
        """What was printed in this run (``page index.md``, ``the front matter``…)."""
        sheets = [Path(sheet).read_bytes() for sheet in stylesheets]
        self._common = content_digest(
            library_versions("weasyprint", "pydyf"), render_code_digest(), *sheets
        )

    def print(self, editions: list[EditionJob]) -> None:
        """Make every edition with a ``target``; keep the parts of all of them."""
        chapters = [[self._chapter_part(chapter) for chapter in job.chapters] for job in editions]
        digits = self._part("digits", digits_html(self.metadata), "the page-number digits")
        stale = self._stale([part for parts in chapters for part in parts] + [digits])
        with runner(self.workers, max(len(stale), len(editions)), self.pool) as run:
            self._render(run, stale)
            layouts = self._layouts(part for parts in chapters for part in parts)
            fronts = self._fronts(run, editions, chapters, layouts)
        tasks = [
            self._assembly(job, front, parts, digits)
            for job, front, parts in zip(editions, fronts, chapters, strict=True)
            if job.target is not None
        ]
        # Assembling holds every object of the book at once (about 0.35 GB at 455 pages), so
        # the printing workers have ended by now, and the editions are assembled one after
        # the other in a process of its own, whose memory is given back when it ends.
        alone = self.pool or (process_pool if self.workers != 1 else None)
        with runner(1, 1, alone) as run:
            _raise_first(run(_assemble, tasks))
        self.cache.save(prune=True)  # every part of every edition was looked up

    def _chapter_part(self, chapter: ChapterDocument) -> _Part:
        images = [path.as_uri().encode() + path.read_bytes() for path in chapter.images]
        return self._part("chapters", chapter.html, f"page {chapter.source}", *images)

    def _part(self, kind: str, html: str, what: str, *inputs: bytes) -> _Part:
        digest = content_digest(self._common, html, *inputs)
        return _Part(f"whole-book/{kind}/{digest}.pdf", digest, html, what)

    def _stale(self, parts) -> list[_Part]:
        """The parts the cache lacks, each once, the longest first."""
        stale = {part.key: part for part in parts if not self.cache.fresh(part.key, part.digest)}
        return sorted(stale.values(), key=lambda part: len(part.html), reverse=True)

    def _render(self, run, parts: list[_Part]) -> None:
        """Print ``parts`` with ``run`` (see ``support.workers.runner``) and store them."""
        tasks = [
            (part.html, str(self.cache.path(part.key)), self.stylesheets, self.base_url)
            for part in parts
        ]
        for part, failure in zip(parts, run(_render_part, tasks), strict=True):
            if failure:
                raise SourceError(
                    part.what,
                    f"could not print it in the whole-book PDF: {failure}",
                    fix="fix what the message names, then rebuild",
                )
            self.cache.store(part.key, part.digest)
            self.rendered.append(part.what)
        if parts:  # kept even if this build is cancelled or killed before it assembles
            self.cache.save()

    def _layouts(self, parts) -> dict[str, PartLayout]:
        layouts: dict[str, PartLayout] = {}
        for part in parts:
            if part.key not in layouts:  # a chapter both editions share is read once
                layouts[part.key] = read_layout(self.cache.path(part.key))
        return layouts

    def _fronts(self, run, editions, chapters, layouts) -> list[_Part]:
        """Each edition's front matter, printed until its length is the one its numbers assume."""
        guesses_file = self.cache.directory / FRONT_GUESSES
        guesses = _read_guesses(guesses_file)
        found: dict[int, _Part] = {}
        for _ in range(_FRONT_ROUNDS):
            pending = {}
            for i, job in enumerate(editions):
                if i not in found:
                    pages = guesses.get(job.name, 2)
                    numbers = page_numbers(job.chapters, chapters[i], layouts, first=pages + 1)
                    pending[i] = self._part("front", job.front(numbers), "the front matter")
            self._render(run, self._stale(pending.values()))
            for i, part in pending.items():
                pages = read_layout(self.cache.path(part.key)).pages
                if pages == guesses.get(editions[i].name, 2):
                    found[i] = part
                guesses[editions[i].name] = pages
            if len(found) == len(editions):
                write_text(guesses_file, json.dumps(guesses, sort_keys=True))
                return [found[i] for i in range(len(editions))]
        raise SourceError(
            "the whole-book PDF",
            "its contents do not settle on a page count (each page count moves the numbers)",
            fix="shorten a long chapter or heading title in the contents, then rebuild",
        )

    def _assembly(self, job: EditionJob, front: _Part, parts: list[_Part], digits: _Part) -> tuple:
        paths = [str(self.cache.path(part.key)) for part in [front, *parts]]
        book = self.metadata
        about = {
            "title": book.title,
            "lang": book.language,
            "author": ", ".join(book.author_names),
            "subject": book.description or "",
        }
        return paths, str(job.target), str(self.cache.path(digits.key)), about


def page_numbers(
    chapters: list[ChapterDocument],
    parts: list[_Part],
    layouts: dict[str, PartLayout],
    *,
    first: int,
) -> dict[str, int]:
    """The printed page number of every anchor, the first chapter starting on page ``first``."""
    numbers: dict[str, int] = {}
    page = first
    for chapter, part in zip(chapters, parts, strict=True):
        layout = layouts[part.key]
        numbers.update({anchor: page + index for anchor, index in layout.anchors.items()})
        numbers.setdefault(chapter.anchor, page)
        page += layout.pages
    return numbers


def read_layout(path: Path) -> PartLayout:
    """Page count and anchors (WeasyPrint writes every id as a named destination)."""
    import pikepdf

    with pikepdf.open(path) as pdf:
        index = {page.obj.objgen: i for i, page in enumerate(pdf.pages)}
        anchors = {
            name: index[dest[0].objgen]
            for name, dest in _destinations(pdf)
            if isinstance(dest, pikepdf.Array) and dest[0].objgen in index
        }
        return PartLayout(len(pdf.pages), anchors)


def _destinations(pdf) -> list:
    import pikepdf

    names = pdf.Root.get("/Names")
    if names is None or "/Dests" not in names:
        return []
    return list(pikepdf.NameTree(names.Dests).items())


def _read_guesses(path: Path) -> dict[str, int]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return {name: pages for name, pages in data.items() if isinstance(pages, int)}


def _raise_first(failures: list[str | None]) -> None:
    for failure in failures:
        if failure:
            raise SourceError("the whole-book PDF", failure)


# --- in worker processes (top-level functions: pickled by name) ----------------------------


def _render_part(task: tuple[str, str, list[str], str]) -> str | None:
    """Print one part; return the error message (exceptions do not cross processes well)."""
    from opentextbook.support.pdf import render_pdf

    html, target, stylesheets, base_url = task
    try:
        render_pdf(html, target, base_url=base_url, stylesheets=stylesheets, forms=True)
    except SourceError as exc:
        return exc.message
    return None


def _assemble(task: tuple[list[str], str, str, dict]) -> str | None:
    """Assemble one edition, resolve its part links and stamp its page numbers."""
    import pikepdf

    from opentextbook.publishing.assembly import assemble_pdfs
    from opentextbook.publishing.pagenumbers import read_digits, stamp_page_numbers

    paths, target, digits_path, about = task
    try:
        with pikepdf.open(digits_path) as digits_pdf:  # open until saved: copies are lazy
            digits = read_digits(digits_pdf)

            def finish(book: pikepdf.Pdf) -> None:
                resolve_part_links(book)
                stamp_page_numbers(book, digits)

            assemble_pdfs([Path(path) for path in paths], target, finish=finish, **about)
    except SourceError as exc:
        return str(exc)
    return None


def resolve_part_links(book) -> None:
    """Part links become links to the named destination they name (or its chapter's start)."""
    import pikepdf

    names = dict(_destinations(book))
    for page in book.pages:
        for annotation in page.get("/Annots", []):
            action = annotation.get("/A")
            uri = str(action.get("/URI", "")) if action is not None else ""
            if not uri.startswith(PART_LINK):
                continue
            anchor = uri[len(PART_LINK) :]
            anchor = anchor if anchor in names else part_of(anchor)
            del annotation["/A"]
            annotation.Dest = pikepdf.String(anchor)
            annotation.Contents = pikepdf.String(anchor)  # as WeasyPrint labels its own links
