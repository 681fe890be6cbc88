"""The offline copy of the site: one zip that works when unpacked and opened from disk.

The published site uses directory URLs (``references/``), which a web server resolves to
``references/index.html`` but a browser opening files does not. Material's ``offline`` plugin
would fix that by switching every URL of the site to ``.html``; we keep the site's addresses
and fix the copy instead, as the zip is written:

- relative links to a folder get ``index.html`` added (in pages and in the search index);
- the search index is also written as ``search/search_index.js``, the script Material's search
  loads under ``file://``; the vendored iframe-worker shim (in every page) runs the search
  worker there without a server.

Nothing is fetched from the network, by the build or by the copy.
"""

from __future__ import annotations

import json
import os
import re
import zipfile
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from opentextbook.atomic import atomic_path

# A fixed timestamp for every entry, so an unchanged site gives a byte-identical zip.
_ZIP_TIME = (2000, 1, 1, 0, 0, 0)
SEARCH_INDEX = "search/search_index.json"
SEARCH_SCRIPT = "search/search_index.js"
_HREF = re.compile(r'(\shref=")([^"]*)(")')


def write_offline_zip(site_dir: Path, target: Path, *, folder: str) -> Path:
    """Zip ``site_dir`` into ``target`` (which may be inside it), every file under ``folder/``."""
    site_dir, target = Path(site_dir), Path(target)
    with atomic_path(target) as tmp, zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in _site_files(site_dir, exclude=target):
            relative = path.relative_to(site_dir).as_posix()
            for name, data in _offline_entries(relative, path.read_bytes()):
                _write_entry(archive, f"{folder}/{name}", data)
    return target


def offline_links(html: str) -> str:
    """``href="references/"`` → ``href="references/index.html"``; other links unchanged."""
    return _HREF.sub(lambda m: m[1] + _file_url(m[2], page=True) + m[3], html)


def offline_search_index(index_json: str) -> str:
    """The search index as the script Material loads from disk, its locations made files."""
    index = json.loads(index_json)
    for doc in index.get("docs", []):
        doc["location"] = _file_url(doc.get("location", ""), page=False)
    return "var __index = " + json.dumps(index, ensure_ascii=False)


def _offline_entries(relative: str, data: bytes) -> list[tuple[str, bytes]]:
    if relative.endswith(".html"):
        return [(relative, offline_links(data.decode("utf-8")).encode("utf-8"))]
    if relative == SEARCH_INDEX:
        script = offline_search_index(data.decode("utf-8")).encode("utf-8")
        return [(relative, data), (SEARCH_SCRIPT, script)]
    if relative == SEARCH_SCRIPT:
        return []  # Material's offline plugin made one: ours (file links) replaces it
    return [(relative, data)]


def _file_url(url: str, *, page: bool) -> str:
    """Add ``index.html`` to a relative folder URL (``""`` is the home page in the index)."""
    parts = urlsplit(url)
    if parts.scheme or parts.netloc or url.startswith("#" if page else "//"):
        return url
    path = parts.path
    if path == "" and page:
        return url  # a query or fragment on the same page
    if path == "" or path.endswith("/"):
        path += "index.html"
    elif path.rsplit("/", 1)[-1] in {".", ".."}:
        path += "/index.html"
    return urlunsplit(("", "", path, parts.query, parts.fragment))


def _write_entry(archive: zipfile.ZipFile, name: str, data: bytes) -> None:
    info = zipfile.ZipInfo(name, date_time=_ZIP_TIME)
    info.compress_type = zipfile.ZIP_DEFLATED
    info.external_attr = 0o644 << 16
    archive.writestr(info, data)


def _site_files(site_dir: Path, *, exclude: Path) -> list[Path]:
    files = []
    for directory, folders, names in os.walk(site_dir):
        folders.sort()
        for name in sorted(names):
            path = Path(directory) / name
            if path.resolve() == exclude.resolve() or name.endswith(".part"):
                continue
            files.append(path)
    return files
