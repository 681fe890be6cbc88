"""The publishing collaborator of the plugin: page heads, macros and whole-book downloads.

The MkDocs adapter hands it plain values (page paths, titles, URLs, rendered HTML) and calls it
at four moments: configuring (macros, downloads list), each page (head data, collecting the
page), after the build (PDF and EPUB), and last of all (the offline zip).
"""

from __future__ import annotations

import functools
import json
import posixpath
import re
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import unquote, urlsplit

from markupsafe import Markup

from opentextbook import i18n
from opentextbook.activities.editions import paper_html, student_html
from opentextbook.book import BookContents, BookMetadata
from opentextbook.i18n import t
from opentextbook.publishing.bookpages import BookPage, page_path
from opentextbook.publishing.linkeddata import PageHead, page_head
from opentextbook.publishing.snippets import Download, chapter_end, footer, macros
from opentextbook.support.cache import OutputCache, content_digest, library_versions
from opentextbook.support.fonts import GlyphChecker
from opentextbook.support.pdf import RENDER_CODE

T = TypeVar("T")
DOWNLOADS_DIR = "downloads"
TEACHER_SUFFIX = "-teacher"
"""The teacher edition's files: ``<slug>-teacher.pdf`` beside the student ``<slug>.pdf``."""


class _Kept:
    """Page parts (head, footer, chapter ending) by a digest of what makes them, across the
    builds of one process: every ``serve`` rebuild asks for every page's again, and making
    them (five citations, the linked data) took about a second at 200 chapters."""

    KEPT = 20_000

    def __init__(self) -> None:
        self._made: dict[str, Any] = {}

    def get(self, make: Callable[[], T], inputs: tuple[str, ...]) -> T:
        key = content_digest(*inputs)
        if key not in self._made:
            if len(self._made) >= self.KEPT:
                self._made.clear()
            self._made[key] = make()
        return self._made[key]


_KEPT = _Kept()


class BookPublisher:
    """Publishing outputs of one build, from the book metadata and the built pages."""

    def __init__(
        self,
        metadata: BookMetadata,
        *,
        site_url: str | None,
        downloads: bool,
        stylesheets: list[Path] = (),
    ) -> None:
        self.metadata = metadata
        self.site_url = site_url or None
        self.contents = BookContents(metadata, [])
        """Every page's credits; the adapter sets it once the pages are known (``on_nav``)."""
        self.stylesheets = list(stylesheets)
        self.downloads = _downloads(metadata) if downloads else None
        self.printed: list[str] = []
        """The parts of the whole-book PDFs printed by the last :meth:`write_downloads`
        (``page chapter.md``, ``the front matter``…): a page edit prints its own page."""
        self._pages: dict[str, BookPage] = {}
        self._order: list[str] = []
        self._book_digest: tuple[BookContents | None, str] = (None, "")

    def download(self, kind: str) -> Download:
        """The download whose file name ends in ``kind`` (``.pdf``: the student edition's)."""
        slug = _slug(self.metadata.title)
        return next(item for item in self.downloads or [] if item.path.endswith(slug + kind))

    def head(self, src: str, title: str, url: str | None) -> PageHead:
        """The ``<head>`` additions of one page (``url`` is its canonical address)."""
        pdf = self.download(".pdf") if self.downloads and self.site_url else None
        pdf_url = f"{self.site_url}{pdf.path}" if pdf else None
        credit = self.contents.get(src)
        return _KEPT.get(
            lambda: page_head(
                self.metadata,
                site_url=self.site_url,
                page_url=url,
                page_title=title,
                credit=credit,
                sources=self.contents.sources,
                pdf_url=pdf_url,
            ),
            ("head", self._book_key, repr(credit), title, str(url), str(pdf_url)),
        )

    def footer(self, src: str) -> Markup:
        """The footer credits of page ``src`` (the book's on pages that are not chapters)."""
        credit = self.contents.credit(src)
        return _KEPT.get(
            lambda: footer(self.metadata, credit), ("footer", self._book_key, repr(credit))
        )

    def chapter_end(self, src: str, page_url: str | None) -> str | None:
        """The attribution and citations a chapter page ends with (``None``: not a chapter).

        Kept by what makes it (book, page credit, address, language): every ``serve`` rebuild
        asks for every chapter's, and formatting five citations each took half a second at
        200 chapters.
        """
        credit = self.contents.get(src)
        if credit is None or not credit.is_chapter:
            return None
        return _KEPT.get(
            lambda: chapter_end(self.metadata, credit, page_url),
            ("chapter end", self._book_key, repr(credit), str(page_url)),
        )

    @property
    def _book_key(self) -> str:
        """What every page's head, footer and ending depend on besides the page: the book,
        the works it draws on, its address and its language."""
        contents, known = self._book_digest
        if contents is not self.contents:  # set once the pages are known (``on_nav``)
            known = content_digest(
                repr(self.metadata),
                repr(self.contents.sources),
                str(self.site_url),
                i18n.active().fingerprint,
            )
            self._book_digest = (self.contents, known)
        return known

    def macros(self, *, page_url: Callable[[], str | None], page_src: Callable[[], str]):
        """The page macros (see :func:`opentextbook.publishing.snippets.macros`)."""
        return macros(
            self.metadata,
            site_url=self.site_url,
            page_url=page_url,
            page_src=page_src,
            downloads=lambda: self.downloads,
            contents=lambda: self.contents,
        )

    def collect(self, page: BookPage, *, order: list[str], in_book: bool = True) -> None:
        """Remember a rendered page for the whole book; ``order`` is the nav's page order."""
        self._order = order
        if in_book:
            self._pages[page.src] = page

    @property
    def pages(self) -> list[BookPage]:
        """The collected pages in reading (nav) order."""
        return [self._pages[src] for src in self._order if src in self._pages]

    def check_glyphs(self, checker: GlyphChecker) -> None:
        """Warn, on every build (the PDF may come from the cache), about undrawable text."""
        checker.check("data/book.yml", _metadata_texts(self.metadata), "the whole-book PDF")
        for page in self.pages:
            checker.check(f"page {page.src}", [page.title, page.html], "the whole-book PDF")

    def write_downloads(
        self,
        site_dir: Path,
        cache: OutputCache,
        *,
        run: Callable | None = None,
        pool: Callable | None = None,
        workers: int | None = None,
    ) -> list[Path]:
        """Write the whole-book PDF and EPUB into the site, rendering only what changed.

        The PDFs' chapters are printed in worker processes (``workers``, by default one per
        core; ``pool(workers)``: a factory of executors, ``serve`` passes one whose workers a
        newer build can end); ``run(function, *args, **kwargs)`` makes an EPUB (``serve``
        passes one that uses a worker process); by default, here.
        """
        run = run or _call
        self.printed = []
        if not self.downloads:
            return []
        self.check_glyphs(GlyphChecker())
        editions = self.editions()
        digests = {suffix: self._digest(site_dir, pages) for suffix, pages in editions.items()}
        written = self._write_pdfs(site_dir, cache, editions, digests, pool, workers)
        for suffix, pages in editions.items():
            written.append(self._write_epub(site_dir, cache, suffix, pages, digests[suffix], run))
        return written

    def editions(self) -> dict[str, list[BookPage]]:
        """The student edition (no teacher notes, no solutions) and the teacher edition, by
        the suffix of their file names; both leave out what is for the web page only."""
        student = [replace(page, html=paper_html(student_html(page.html))) for page in self.pages]
        teacher = [replace(page, html=paper_html(page.html)) for page in self.pages]
        return {"": student, TEACHER_SUFFIX: teacher}

    def _digest(self, site_dir: Path, pages: list[BookPage]) -> str:
        """Everything an edition is made from, so an unchanged book is not even assembled."""
        return content_digest(
            _book_inputs(self.metadata, self.contents, pages, self.site_url),
            *_image_digests(site_dir, pages),
            *map(_read, self.stylesheets),
            *_own_files(),
            i18n.active().fingerprint,
        )

    def _write_pdfs(self, site_dir, cache, editions, digests, pool, workers) -> list[Path]:
        """Print the editions whose PDF is stale, from parts (``publishing.bookparts``)."""
        from opentextbook.publishing.bookparts import EditionJob, WholeBookPrinter
        from opentextbook.publishing.wholebook import STYLESHEET, chapter_documents

        keys = {suffix: self.download(suffix + ".pdf").path for suffix in editions}
        stale = {s for s in editions if not cache.fresh(keys[s], digests[s] + _VERSIONS[".pdf"])}
        if stale:
            jobs = []
            for suffix, pages in editions.items():  # all: the parts of both stay cached
                chapters = chapter_documents(
                    self.metadata, pages, site_dir=site_dir, site_url=self.site_url
                )
                front = functools.partial(self._front_matter, chapters)
                target = cache.path(keys[suffix]) if suffix in stale else None
                jobs.append(EditionJob(suffix or "student", chapters, front, target))
            printer = WholeBookPrinter(
                self.metadata,
                cache.directory / "parts",
                stylesheets=[*self.stylesheets, STYLESHEET],
                base_url=site_dir,
                pool=pool,
                workers=workers,
            )
            printer.print(jobs)
            self.printed = printer.rendered
            for suffix in sorted(stale):
                cache.store(keys[suffix], digests[suffix] + _VERSIONS[".pdf"])
        return [cache.place(keys[suffix], site_dir / keys[suffix]) for suffix in editions]

    def _front_matter(self, chapters, numbers: dict[str, int]) -> str:
        from opentextbook.publishing.wholebook import front_matter_html

        return front_matter_html(self.metadata, chapters, numbers, site_url=self.site_url)

    def _write_epub(self, site_dir, cache, suffix, pages, digest, run) -> Path:
        from opentextbook.publishing.epub import publication_time, write_epub

        # The EPUB's one time stamp: the book's date, else SOURCE_DATE_EPOCH (read now, as the
        # writer will, never when this module was imported).
        stamp = _VERSIONS[".epub"] + publication_time(self.metadata).isoformat()
        item = self.download(suffix + ".epub")
        args = (self.metadata, pages)
        options = {"site_dir": site_dir, "site_url": self.site_url}

        def render(target: Path) -> None:
            run(write_epub, *args, target, **options)

        return _cached(cache, item.path, digest + stamp, render, site_dir)

    def place_previous(self, site_dir: Path, cache: OutputCache) -> dict[str, bool]:
        """Put the last version made of each download into the site (``serve``, before they
        are brought up to date); returns each download's path and whether it had one."""
        found = {}
        for item in self.downloads or []:
            found[item.path] = cache.path(item.path).is_file()
            if found[item.path]:
                cache.place(item.path, site_dir / item.path)
        return found

    def write_offline_zip(
        self, site_dir: Path, cache: OutputCache | None = None, *, run: Callable | None = None
    ) -> Path | None:
        """Zip the finished site (last, after every other output is in place); with a
        ``cache``, only when a file of the site changed; ``run`` as for :meth:`write_downloads`."""
        if not self.downloads:
            return None
        from opentextbook.publishing.offline import write_offline_zip

        item = self.download("-offline.zip")
        slug = _slug(self.metadata.title)
        return write_offline_zip(site_dir, site_dir / item.path, folder=slug, cache=cache, run=run)


_VERSIONS = {
    ".pdf": library_versions("weasyprint", "pydyf"),
    ".epub": library_versions("lxml"),
}


def _call(function, *args, **kwargs):
    return function(*args, **kwargs)


def _cached(cache: OutputCache, key: str, digest: str, render, site_dir: Path) -> Path:
    if not cache.fresh(key, digest):
        render(cache.path(key))
        cache.store(key, digest)
    return cache.place(key, site_dir / key)


def _downloads(metadata: BookMetadata) -> list[Download]:
    slug = _slug(metadata.title)
    return [
        Download(t("downloads.pdf"), f"{DOWNLOADS_DIR}/{slug}.pdf", t("downloads.pdf_about")),
        Download(t("downloads.epub"), f"{DOWNLOADS_DIR}/{slug}.epub", t("downloads.epub_about")),
        Download(
            t("downloads.pdf_teacher"),
            f"{DOWNLOADS_DIR}/{slug}{TEACHER_SUFFIX}.pdf",
            t("downloads.teacher_about"),
        ),
        Download(
            t("downloads.epub_teacher"),
            f"{DOWNLOADS_DIR}/{slug}{TEACHER_SUFFIX}.epub",
            t("downloads.teacher_about"),
        ),
        Download(
            t("downloads.zip"), f"{DOWNLOADS_DIR}/{slug}-offline.zip", t("downloads.zip_about")
        ),
    ]


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "book"


def _book_inputs(
    metadata: BookMetadata, contents: BookContents, pages: list[BookPage], site_url: str | None
) -> str:
    """The metadata, the address and every page (path, title, URL, rendered HTML), in order."""
    data = {
        "book": metadata.as_dict(),
        "credits": contents.as_dict(),
        "site_url": site_url,
        "pages": [[page.src, page.title, page.url, page.html] for page in pages],
    }
    return json.dumps(data, sort_keys=True, default=str)


_SOURCE = re.compile(r'\ssrc="([^"]*)"')


def _image_digests(site_dir: Path, pages: list[BookPage]) -> list[bytes]:
    """The site files the pages show (images) are part of what the book depends on."""
    paths = set()
    for page in pages:
        base = posixpath.dirname(page_path(page.url))
        for src in _SOURCE.findall(page.html):
            parts = urlsplit(src)
            if not parts.scheme and parts.path:
                path = posixpath.normpath(posixpath.join(base, unquote(parts.path)))
                paths.add(path.lstrip("/"))
    found = [(path, site_dir / path) for path in sorted(paths)]
    return [path.encode() + file.read_bytes() for path, file in found if file.is_file()]


def _own_files() -> list[bytes]:
    """Our templates, styles and code: changing any of them must re-render the downloads."""
    package = Path(__file__).resolve().parent
    files = [*package.glob("*.py"), *(package.parent / "templates" / "publishing").glob("*")]
    files += [package.parent / "support" / "templating.py", *RENDER_CODE]
    return [path.name.encode() + path.read_bytes() for path in sorted(files) if path.is_file()]


def _read(path: Path) -> bytes:
    return Path(path).read_bytes()


def _metadata_texts(metadata: BookMetadata) -> list[str]:
    """Every string of the book's metadata (cover, running heads, licence lines)."""
    found: list[str] = []

    def walk(value) -> None:
        if isinstance(value, str):
            found.append(value)
        elif isinstance(value, dict | list | tuple):
            for item in value.values() if isinstance(value, dict) else value:
                walk(item)

    walk(metadata.as_dict())
    return found
