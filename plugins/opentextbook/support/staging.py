"""Build the site beside the previous one, and put it in place only when it is complete.

MkDocs empties the site folder before it writes a page, so a build that fails half-way (a full
disk, a bad activity, ``kill -9``) would leave no site, or half of one. Instead the adapter
points MkDocs at a hidden sibling folder (``.site.building`` beside ``site``) and, once every
output is written, swaps the two folders in one step (``renameat2(RENAME_EXCHANGE)`` on Linux;
two renames elsewhere). A failed build deletes the sibling; a killed one leaves it, and the next
build deletes it first. Entries of the old site whose names start with a dot (``.git`` of a
``gh-pages`` checkout, ``.nojekyll``) are carried over, as MkDocs' own cleaning keeps them.
"""

from __future__ import annotations

import contextlib
import ctypes
import functools
import os
import shutil
from pathlib import Path

_AT_FDCWD = -100
_RENAME_EXCHANGE = 2


class SiteStaging:
    """The staging folder of one build of ``site_dir``."""

    def __init__(self, site_dir: str | Path) -> None:
        self.site = Path(site_dir)
        self.folder = self.site.with_name(f".{self.site.name}.building")

    def start(self) -> bool:
        """Make an empty staging folder; False when there can be none (MkDocs builds in place).

        A folder left by a killed build is deleted first.
        """
        if self.site.is_symlink() or os.path.ismount(self.site):
            return False  # the site cannot be swapped: its contents are replaced in place
        try:
            discard(self.folder)
            self.folder.mkdir(parents=True)
        except OSError:
            return False
        return True

    def finish(self) -> None:
        """Put the complete build in place of the previous site, which is then deleted."""
        if not self.site.is_dir():
            self.folder.rename(self.site)
            return
        for entry in self.site.iterdir():  # as MkDocs keeps them when it cleans a site
            if entry.name.startswith(".") and not (self.folder / entry.name).exists():
                entry.rename(self.folder / entry.name)
        if not _exchange(self.folder, self.site):
            old = self.site.with_name(f".{self.site.name}.old")
            discard(old)
            self.site.rename(old)
            try:
                self.folder.rename(self.site)
            except OSError:
                old.rename(self.site)  # the previous site goes back
                raise
            self.folder = old
        discard(self.folder)

    def abandon(self) -> None:
        """Delete the unfinished build; the previous site stays as it was."""
        discard(self.folder)


def discard(path: Path) -> None:
    """Delete ``path`` (a folder or a file) if it is there."""
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    else:
        with contextlib.suppress(FileNotFoundError):
            path.unlink()


def _exchange(first: Path, second: Path) -> bool:
    """Swap two paths atomically (Linux 3.15+); False where the system cannot."""
    renameat2 = _renameat2()
    if renameat2 is None:
        return False
    result = renameat2(
        _AT_FDCWD, os.fsencode(first), _AT_FDCWD, os.fsencode(second), _RENAME_EXCHANGE
    )
    return result == 0


@functools.cache
def _renameat2():
    """glibc's ``renameat2``, or None (another C library, another system)."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)  # the C library already loaded: no search
    except OSError:
        return None
    renameat2 = getattr(libc, "renameat2", None)
    if renameat2 is not None:
        renameat2.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p]
        renameat2.argtypes += [ctypes.c_uint]
        renameat2.restype = ctypes.c_int
    return renameat2
