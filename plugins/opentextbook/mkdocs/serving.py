"""What ``mkdocs serve`` does with the slow downloads: the page first, the downloads after.

A build in ``serve`` writes every page and every output that is quick or already in the output
cache, then returns, so the browser reloads at once. Worksheet and packet PDFs that an edit made
stale, and the whole-book PDF, EPUB and offline zip, are brought up to date afterwards by
:class:`~opentextbook.support.background.BackgroundWork`, in the order a reader needs them
(sheets, then the book, then the zip of everything). Until each is in, its link serves the last
complete version (from the cache) and ``downloads-status.json`` lists it, which the page script
``downloads-status.js`` shows beside the link; a download never made before is listed as
pending, and its link says so instead of leading nowhere. ``mkdocs build`` makes everything
before it finishes, as before.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from opentextbook.activities.worksheets import (
    PacketJob,
    PdfJob,
    WorksheetRenderer,
    render_stale_pdfs,
)
from opentextbook.publishing.publisher import TEACHER_SUFFIX, BookPublisher
from opentextbook.support.background import BackgroundWork, DownloadStatus
from opentextbook.support.cache import OutputCache

PACKAGE_DIR = Path(__file__).parent.parent
SCRIPT = PACKAGE_DIR / "assets" / "js" / "downloads-status.js"
SCRIPT_PATH = "assets/opentextbook/downloads-status.js"
"""Where the status script goes in a served site (beside the status file)."""


class ServedDownloads:
    """The slow outputs of one ``serve`` build: placed as they were, then made up to date."""

    def __init__(self, site_dir: str | Path, cache_dir: str | Path) -> None:
        self.site_dir = Path(site_dir)
        self.cache_dir = Path(cache_dir)
        self.status = DownloadStatus(self.site_dir)
        self.rendered: list[str] = []
        """Site paths of the PDFs the background work rendered (for the log and tests)."""
        self._sheets: tuple[WorksheetRenderer, list[PdfJob | PacketJob]] | None = None
        self._publisher: BookPublisher | None = None

    def defer_sheets(self, renderer: WorksheetRenderer, jobs: list[PdfJob | PacketJob]) -> None:
        """The worksheet build's ``deferred``: remember the stale PDFs, list them as updating."""
        cache = OutputCache(self.cache_dir / "worksheets")
        for job in jobs:
            if job.in_site:  # not the pieces packets are assembled from (cache only)
                self.status.add(job.target, previous=cache.path(job.target).is_file())
        self._sheets = (renderer, jobs) if jobs else None

    def defer_publishing(self, publisher: BookPublisher) -> None:
        """Place the last whole-book PDF, EPUB and zip; they are checked and remade after."""
        cache = OutputCache(self.cache_dir / "publishing")
        for path, previous in publisher.place_previous(self.site_dir, cache).items():
            self.status.add(path, previous=previous)
        self._publisher = publisher if publisher.downloads else None

    def start(self, work: BackgroundWork) -> None:
        """Write the status and the page script, then make the rest in ``work``."""
        target = self.site_dir / SCRIPT_PATH
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(SCRIPT, target)
        waiting = self._sheets is not None or self._publisher is not None
        self.status.write(finished=not waiting)
        if waiting:
            work.start("opentextbook-downloads", self.make)

    def make(self, work: BackgroundWork) -> None:
        """Bring every deferred output up to date (runs in the background thread)."""
        try:
            self._make_sheets(work)
            self._make_book(work)
        except Exception as exc:
            self.status.failed = str(exc)
            self.status.write(finished=True)
            raise
        self.status.write(finished=True)

    def _make_sheets(self, work: BackgroundWork) -> None:
        if self._sheets is None:
            return
        renderer, jobs = self._sheets
        cache_dir = self.cache_dir / "worksheets"

        def placed(target: str) -> None:
            work.check()
            self.status.done(target)

        self.rendered += render_stale_pdfs(
            renderer, jobs, self.site_dir, cache_dir, pool=work.pool, placed=placed
        )
        self.status.write()

    def _make_book(self, work: BackgroundWork) -> None:
        publisher = self._publisher
        if publisher is None:
            return
        work.check()
        # All of it in a worker process, whose children print the chapters: working out the
        # editions and their digests holds a process for seconds in a big book, and in this
        # one it would slow the next page served and delay the next save until it ended.
        self.rendered += work.call(_book_downloads, publisher, self.site_dir, self.cache_dir)
        cache = OutputCache(self.cache_dir / "publishing")  # as the worker left it
        for suffix in ("", TEACHER_SUFFIX):  # the student and the teacher edition
            for kind in (".pdf", ".epub"):
                self.status.done(publisher.download(suffix + kind).path)
        self.status.write()
        work.check()
        publisher.write_offline_zip(self.site_dir, cache, run=work.call)
        self.status.done(publisher.download("-offline.zip").path)
        cache.save()  # not pruned: `mkdocs build` forgets what is no longer used


def _book_downloads(publisher: BookPublisher, site_dir: Path, cache_dir: Path) -> list[str]:
    """The whole-book PDFs and EPUBs (in a worker process); the PDFs made, for the log."""
    cache = OutputCache(cache_dir / "publishing")
    publisher.write_downloads(site_dir, cache)
    cache.save()  # not pruned: `mkdocs build` forgets what is no longer used
    return [key for key in cache.stored if key.endswith(".pdf")]
