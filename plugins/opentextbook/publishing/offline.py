"""The offline copy of the site: one zip of the finished site, to unpack and open from disk.

The site itself already works from ``file://``: its pages are files (``references.html``, from
``use_directory_urls: false``), Material's ``offline`` plugin writes the search index as the
script ``search/search_index.js``, and the vendored iframe-worker shim runs the search worker
without a server. So the zip is the site folder as it is, minus the zip itself.
"""

from __future__ import annotations

import os
import zipfile
from pathlib import Path

from opentextbook.atomic import atomic_path

# A fixed timestamp for every entry, so an unchanged site gives a byte-identical zip.
_ZIP_TIME = (2000, 1, 1, 0, 0, 0)


def write_offline_zip(site_dir: Path, target: Path, *, folder: str) -> Path:
    """Zip ``site_dir`` into ``target`` (which may be inside it), every file under ``folder/``."""
    site_dir, target = Path(site_dir), Path(target)
    with atomic_path(target) as tmp, zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in _site_files(site_dir, exclude=target):
            name = f"{folder}/{path.relative_to(site_dir).as_posix()}"
            info = zipfile.ZipInfo(name, date_time=_ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, path.read_bytes())
    return target


def _site_files(site_dir: Path, *, exclude: Path) -> list[Path]:
    """Every file of the site in a stable order, leaving out ``exclude`` and unfinished writes."""
    files = []
    for directory, folders, names in os.walk(site_dir):
        folders.sort()
        for name in sorted(names):
            path = Path(directory) / name
            if path.resolve() == exclude.resolve() or name.endswith(".part"):
                continue
            files.append(path)
    return files
