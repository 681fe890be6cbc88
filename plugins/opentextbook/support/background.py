"""Slow outputs made after the page is served, and a status file saying which are not ready.

``mkdocs serve`` reloads the browser only when a build returns. The worksheet PDFs, packets and
whole-book downloads take seconds to minutes, so in ``serve`` the build places the outputs it
already has (the last complete version of each, kept in the output cache) and hands the rest
to :class:`BackgroundWork`: one thread, one piece of work at a time, whose heavy renders run
in worker processes. A newer build cancels it first (the workers are ended, not waited for),
so an author who saves again never waits for outputs of an older save.

:class:`DownloadStatus` writes ``downloads-status.json`` into the site while that happens:
which files are being updated (the link still serves the previous, complete version) and
which are being made for the first time (nothing to serve yet). The page script
``downloads-status.js`` reads it and marks those links. Every file is written whole
(:mod:`opentextbook.support.atomic`), so a link never serves half a file.
"""

from __future__ import annotations

import contextlib
import json
import logging
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from opentextbook.support.atomic import write_text
from opentextbook.support.errors import SourceError
from opentextbook.support.workers import process_pool

log = logging.getLogger("mkdocs.plugins.opentextbook")

STATUS_FILE = "assets/opentextbook/downloads-status.json"
"""Where the status is written in the site (the page script reads it beside itself)."""


class Cancelled(Exception):
    """A newer build started: the work stops without writing anything more."""


class BackgroundWork:
    """Runs one piece of work after a build; the next build cancels it before starting."""

    def __init__(self) -> None:
        self._thread: threading.Thread | None = None
        self._cancel = threading.Event()
        self._pools: list[ProcessPoolExecutor] = []
        self._lock = threading.Lock()
        self._local = threading.local()
        self.failure: str | None = None
        """The message of the last piece of work that failed (also logged), else None."""

    def start(self, name: str, work: Callable[[BackgroundWork], None]) -> None:
        """Run ``work(self)`` in a thread, after cancelling whatever is still running."""
        self.cancel()
        self._cancel = threading.Event()
        self.failure = None
        self._thread = threading.Thread(
            target=self._run, args=(work, self._cancel), name=name, daemon=True
        )
        self._thread.start()

    def cancel(self, timeout: float = 60) -> None:
        """Stop the running work: end its worker processes and wait for its thread.

        Workers are ended again until the thread has stopped: a pool made or given work just
        before the cancel starts its processes only then (they are forked on first use), and a
        single pass would miss them and wait for the work to finish instead.
        """
        self._cancel.set()
        thread, self._thread = self._thread, None
        deadline = time.monotonic() + timeout
        while True:
            self._end_pools()
            if thread is None or not thread.is_alive() or time.monotonic() > deadline:
                return
            thread.join(0.05)

    def _end_pools(self) -> None:
        with self._lock:
            pools = list(self._pools)
        for pool in pools:
            _end_workers(pool)

    def wait(self, timeout: float | None = None) -> bool:
        """Wait for the work to finish; True when it has (tests and ``mkdocs build`` callers)."""
        if self._thread is not None:
            self._thread.join(timeout)
            return not self._thread.is_alive()
        return True

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def check(self) -> None:
        """Raise :class:`Cancelled` if a newer build started (call between outputs)."""
        if self._cancelled():
            raise Cancelled

    def _cancelled(self) -> bool:
        return getattr(self._local, "cancel", self._cancel).is_set()  # this thread's run's

    @contextlib.contextmanager
    def pool(self, workers: int) -> Iterator[ProcessPoolExecutor]:
        """A process pool whose workers :meth:`cancel` ends at once."""
        self.check()
        executor = process_pool(workers)
        with self._lock:
            self._pools.append(executor)
        try:
            yield executor
        except Exception:
            self.check()  # a pool broken by cancel() is a cancellation, not a failure
            raise
        finally:
            with self._lock:
                self._pools.remove(executor)
            # A pool whose workers were ended fails its own futures; cancelling them as well
            # races with that (Python 3.11 prints an InvalidStateError from its thread).
            executor.shutdown(wait=True, cancel_futures=not self._cancelled())

    def call(self, function: Callable, *args, **kwargs):
        """``function(*args, **kwargs)`` in a worker process (CPU-bound work off this one)."""
        with self.pool(1) as executor:
            return executor.submit(function, *args, **kwargs).result()

    def _run(self, work: Callable[[BackgroundWork], None], cancel: threading.Event) -> None:
        self._local.cancel = cancel  # a run that outlives its cancel still sees it cancelled
        try:
            work(self)
        except Cancelled:
            log.debug("opentextbook: slow outputs cancelled by a newer build")
        except SourceError as exc:
            self.failure = str(exc)
            log.error(f"opentextbook: a download could not be made: {exc}")
        except Exception as exc:  # a thread's exception would otherwise vanish
            self.failure = f"{type(exc).__name__}: {exc}"
            log.error(f"opentextbook: a download could not be made ({self.failure})")


def _end_workers(pool: ProcessPoolExecutor) -> None:
    """End a pool's worker processes now; its pending results fail (``BrokenProcessPool``)."""
    for process in list(getattr(pool, "_processes", {}).values()):
        with contextlib.suppress(OSError, ValueError):
            process.kill()


class DownloadStatus:
    """``downloads-status.json`` in the site: which downloads are not up to date yet."""

    def __init__(self, site_dir: str | Path) -> None:
        self.path = Path(site_dir) / STATUS_FILE
        self.updating: list[str] = []
        """Site paths whose link serves the previous complete version until the new one is in."""
        self.pending: list[str] = []
        """Site paths with no version yet (made for the first time)."""
        self.failed = ""

    def add(self, path: str, *, previous: bool) -> None:
        (self.updating if previous else self.pending).append(path)

    def done(self, path: str) -> None:
        """``path`` is now complete in the site."""
        for names in (self.updating, self.pending):
            if path in names:
                names.remove(path)

    def write(self, *, finished: bool = False) -> None:
        data = {
            "finished": finished,
            "updating": sorted(self.updating),
            "pending": sorted(self.pending),
            "failed": self.failed,
        }
        self.path.parent.mkdir(parents=True, exist_ok=True)
        write_text(self.path, json.dumps(data, indent=1))
