"""The offline copy of the site: one zip of the finished site, to unpack and open from disk.

The site itself already works from ``file://``: its pages are files (``references.html``, from
``use_directory_urls: false``), Material's ``offline`` plugin writes the search index as the
script ``search/search_index.js``, and the vendored iframe-worker shim runs the search worker
without a server. So the zip is the site folder as it is, minus the zip itself.

Zipping a big site takes seconds, so with a cache the zip is kept in it under a digest of the
site's files (names, sizes and contents) and only written again when that digest changes; the
site gets a hard link to the cached zip.
"""

from __future__ import annotations

import hashlib
import os
import zipfile
from collections.abc import Callable
from pathlib import Path

from opentextbook.support.atomic import atomic_path
from opentextbook.support.cache import OutputCache

NOT_ZIPPED = frozenset({"downloads-status.json"})
"""Files of a served site that are not the book (``mkdocs serve``'s download status)."""

# A fixed timestamp for every entry, so an unchanged site gives a byte-identical zip.
_ZIP_TIME = (2000, 1, 1, 0, 0, 0)


def write_offline_zip(
    site_dir: Path,
    target: Path,
    *,
    folder: str,
    cache: OutputCache | None = None,
    run: Callable | None = None,
) -> Path:
    """Zip ``site_dir`` into ``target`` (which may be inside it), every file under ``folder/``.

    With a ``cache``, an unchanged site reuses the zip made last time (see the module's doc).
    ``run(function, *args)`` writes the zip (``serve`` passes one that uses a worker process,
    so a newer save can end it at once); by default, here.
    """
    site_dir, target = Path(site_dir), Path(target)
    run = run or _call
    files = _site_files(site_dir, exclude=target)
    if cache is None:
        return run(_write_zip, site_dir, files, target, folder)
    key = target.relative_to(site_dir).as_posix()
    digest = site_digest(site_dir, files, folder)
    if not cache.fresh(key, digest):
        run(_write_zip, site_dir, files, cache.path(key), folder)
        cache.store(key, digest)
    return cache.place(key, target)


def _call(function: Callable, *args):
    return function(*args)


def site_digest(site_dir: Path, files: list[Path], folder: str) -> str:
    """A digest of every file's name and content, cheap for files linked from a cache.

    A file with more than one link (a PDF linked from an output cache) is known by its size
    and modification time: a cache only ever replaces a file by a newly written one, so its
    time changes with its content, and a copied cache (``cp -p``, ``copytree``) keeps both.
    Every other file (the pages MkDocs writes afresh each build) is hashed.
    """
    sha = hashlib.sha256(f"{folder}\n".encode())
    for path in files:
        stat = path.stat()
        sha.update(f"{path.relative_to(site_dir).as_posix()}\0{stat.st_size}\0".encode())
        if stat.st_nlink > 1:
            sha.update(f"linked:{stat.st_mtime_ns}\n".encode())
        else:
            sha.update(hashlib.sha256(path.read_bytes()).digest())
    return sha.hexdigest()


def _write_zip(site_dir: Path, files: list[Path], target: Path, folder: str) -> Path:
    with atomic_path(target) as tmp, zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in files:
            name = f"{folder}/{path.relative_to(site_dir).as_posix()}"
            info = zipfile.ZipInfo(name, date_time=_ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, path.read_bytes())
    return target


def _site_files(site_dir: Path, *, exclude: Path) -> list[Path]:
    """Every file of the site in a stable order, leaving out ``exclude`` and unfinished writes."""
    files = []
    excluded = exclude.resolve()
    for directory, folders, names in os.walk(site_dir):
        folders.sort()
        for name in sorted(names):
            path = Path(directory) / name
            if name.endswith(".part") or name in NOT_ZIPPED:
                continue
            if name == excluded.name and path.resolve() == excluded:
                continue
            files.append(path)
    return files
