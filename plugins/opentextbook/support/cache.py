"""A content-hash cache for slow outputs (PDFs, images): render only what changed.

Model: the manifests of mkdocs-material's social and optimize plugins. An output is stored
under a *key* (a stable name such as ``worksheets/draw-your-pln-a4.pdf``) together with the
*digest* of everything it depends on. Usage::

    cache = OutputCache(root / ".cache" / "opentextbook")
    digest = content_digest(html, library_versions("weasyprint"))
    if not cache.fresh(key, digest):
        render(cache.path(key))
        cache.store(key, digest)
    cache.place(key, site / key)   # a hard link: no copy of the bytes
    cache.save()

The manifest also holds each file's SHA-256, checked before the file is reused: a file in the
site is a hard link to its cache entry, so editing it in place edits the entry too, and a build
killed after writing a file but before saving the manifest leaves a file the manifest does not
describe. Either way the entry no longer matches and is made again.

``hits`` and ``misses`` count lookups, so a build can log (and a test assert) how much work a
rebuild did. Nothing here knows about PDFs or MkDocs.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import os
import shutil
import tempfile
import time
from importlib import metadata
from pathlib import Path

from opentextbook.support.atomic import atomic_path, write_text
from opentextbook.support.errors import SourceError

MANIFEST = "manifest.json"


def content_digest(*parts: str | bytes) -> str:
    """SHA-256 of the parts, each length-prefixed so ``("ab", "c")`` != ``("a", "bc")``."""
    sha = hashlib.sha256()
    for part in parts:
        data = part.encode("utf-8") if isinstance(part, str) else part
        sha.update(f"{len(data)}:".encode())
        sha.update(data)
    return sha.hexdigest()


@functools.lru_cache(maxsize=64)  # asked once per output: thousands of times in a big book
def library_versions(*names: str) -> str:
    """``weasyprint=70.0;pydyf=0.13.0`` — a new library version must invalidate outputs."""
    versions = []
    for name in names:
        try:
            versions.append(f"{name}={metadata.version(name)}")
        except metadata.PackageNotFoundError:
            versions.append(f"{name}=missing")
    return ";".join(versions)


class OutputCache:
    """Cached output files and the manifest of the digests they were made from."""

    def __init__(self, directory: str | Path) -> None:
        self.directory = Path(directory)
        self.hits = 0
        self.misses = 0
        self._manifest = self._load()
        self._used: set[str] = set()
        self.stored: list[str] = []
        """Keys stored (made afresh) in this run, in order."""
        self.placed: list[Path] = []
        """Where :meth:`place` put outputs in this run."""

    def _load(self) -> dict[str, list[str]]:
        try:
            data = json.loads((self.directory / MANIFEST).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}  # no cache yet, or a damaged one: start afresh
        return data if isinstance(data, dict) else {}

    def path(self, key: str) -> Path:
        """Where the output stored under ``key`` lives in the cache."""
        return self.directory / "files" / key

    def fresh(self, key: str, digest: str) -> bool:
        """True (a hit) when ``key`` was made from ``digest`` and its file is still there."""
        self._used.add(key)
        entry = self._manifest.get(key)
        hit = isinstance(entry, list) and entry[0] == digest
        hit = hit and entry[1:] == [_file_digest(self.path(key))] and entry[1] is not None
        if hit:
            self.hits += 1
        else:
            self.misses += 1
        return hit

    def keep(self, key: str) -> None:
        """Keep ``key`` through :meth:`save` with ``prune`` without looking it up (an entry
        whose digest is only known once another output is made, such as a packet's cover)."""
        self._used.add(key)

    def store(self, key: str, digest: str) -> None:
        """Record that ``path(key)`` now holds the output made from ``digest``."""
        self._used.add(key)
        self.stored.append(key)
        self._manifest[key] = [digest, _file_digest(self.path(key))]

    def place(self, key: str, target: str | Path) -> Path:
        """Put the output stored under ``key`` at ``target`` (in the site) without copying it.

        A hard link costs nothing however big the file is. It is made beside ``target`` and
        renamed over it, so whatever was at ``target`` is replaced, never written through
        (which would change the cached file too). Across file systems, or where links are not
        allowed, the file is copied instead.
        """
        source, target = self.path(key), Path(target)
        self.placed.append(target)
        try:
            os.link(source, target)  # the usual case: MkDocs cleaned the site
            return target  # a link appears whole or not at all
        except FileNotFoundError:  # no folder yet (or no cached file: reported below)
            target.parent.mkdir(parents=True, exist_ok=True)
            with contextlib.suppress(OSError):
                os.link(source, target)
                return target
        except OSError:
            pass  # the target exists, or links are not allowed: below
        if target.exists() and os.path.samefile(source, target):
            return target
        with atomic_path(target) as tmp:
            tmp.unlink()
            try:
                os.link(source, tmp)
            except OSError:  # another file system, or a file system without hard links
                shutil.copyfile(source, tmp)
        return target

    def save(self, prune: bool = False) -> None:
        """Write the manifest; ``prune`` also forgets outputs not looked up in this run."""
        if prune:
            for key in set(self._manifest) - self._used:
                del self._manifest[key]
                self.path(key).unlink(missing_ok=True)
        text = json.dumps(self._manifest, indent=1, sort_keys=True)
        write_text(self.directory / MANIFEST, text)


def _file_digest(path: Path) -> str | None:
    """SHA-256 of a cached file, or None if it is not there (or cannot be read).

    Remembered for the life of the process by file version (size, modification time, inode):
    a cached output is only ever replaced by a new file, so each ``serve`` rebuild no longer
    reads every cached PDF again to check it. As Git does with its index, a file modified in
    the last seconds is read again next time: file times are coarse, and an edit in place
    within the same tick would keep the version.
    """
    try:
        stat = path.stat()
        version = (stat.st_size, stat.st_mtime_ns, stat.st_ino)
        known = _DIGESTS.get(path)
        if known is not None and known[0] == version:
            return known[1]
        with path.open("rb") as handle:
            found = hashlib.file_digest(handle, "sha256").hexdigest()
    except OSError:
        return None
    if time.time_ns() - stat.st_mtime_ns > _SETTLED_NS:
        if len(_DIGESTS) >= _DIGESTS_KEPT:
            _DIGESTS.clear()
        _DIGESTS[path] = (version, found)
    return found


_DIGESTS: dict[Path, tuple[tuple[int, int, int], str]] = {}
_DIGESTS_KEPT = 100_000
_SETTLED_NS = 2_000_000_000


def ensure_writable(folder: str | Path, shown: str) -> None:
    """Make ``folder`` if needed and check a file can be written in it; raise a
    :class:`SourceError` (naming it as ``shown``) if not, before the build has changed anything.
    """
    try:
        Path(folder).mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=folder):
            pass
    except OSError as exc:
        raise SourceError(
            shown,
            f"cannot write the build cache ({exc.strerror or exc})",
            fix="make it a folder you can write to, or delete it (it only holds outputs the "
            "build can make again); the previous site is unchanged",
        ) from None
