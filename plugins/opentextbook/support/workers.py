"""Worker processes that end with the build that started them.

PDFs render in a process pool (WeasyPrint is CPU-bound). If the build is killed (``kill -9``,
a CI timeout), its pool's workers would otherwise run on, orphaned, for ever. On Linux each
worker asks the kernel for SIGKILL when its parent dies (``prctl(PR_SET_PDEATHSIG)``);
elsewhere a thread in each worker watches the parent's process id.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Executor, ProcessPoolExecutor
from contextlib import AbstractContextManager
from typing import TypeVar

_PR_SET_PDEATHSIG = 1
T = TypeVar("T")
R = TypeVar("R")


def process_pool(workers: int) -> ProcessPoolExecutor:
    """A pool of ``workers`` processes, each ending when this process ends."""
    return ProcessPoolExecutor(
        max_workers=workers, initializer=die_with_parent, initargs=(os.getpid(),)
    )


def die_with_parent(parent: int) -> None:
    """Run in a new worker: end this process when ``parent`` ends, however it ends."""
    if not (sys.platform.startswith("linux") and _ask_kernel()):
        threading.Thread(target=_watch, args=(parent,), daemon=True).start()
    if os.getppid() != parent:  # the parent died before the kernel was asked
        os._exit(1)


def _ask_kernel() -> bool:
    with contextlib.suppress(OSError, AttributeError):
        libc = ctypes.CDLL(None, use_errno=True)  # the C library already loaded: no search
        return libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0) == 0
    return False


def _watch(parent: int) -> None:
    while os.getppid() == parent:
        time.sleep(1)
    os._exit(1)


@contextlib.contextmanager
def runner(
    workers: int | None,
    count: int,
    pool: Callable[[int], AbstractContextManager[Executor]] | None = None,
) -> Iterator[Callable[[Callable[[T], R], list[T]], list[R]]]:
    """``run(function, tasks)`` → ``[function(task) for task in tasks]``, one process per
    core (WeasyPrint is CPU-bound), at most ``count`` (the most tasks one call will get).

    With one worker the tasks run in this process, unless ``pool`` (a factory of executors,
    e.g. the background work's, whose workers a newer build can end) is given: work handed to
    the background must stay off this process. The same workers serve every call inside the
    ``with``. ``function`` must be a module's top-level function (pickled by name) and should
    return failures as values: exceptions do not cross processes well.
    """
    workers = max(1, min(workers or os.cpu_count() or 1, count))
    if workers <= 1 and pool is None:
        yield lambda function, tasks: [function(task) for task in tasks]
        return
    with (pool or process_pool)(workers) as executor:
        yield lambda function, tasks: list(executor.map(function, tasks))
