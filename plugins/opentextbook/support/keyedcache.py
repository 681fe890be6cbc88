"""Small on-disk caches keyed by a digest of everything that decides a result.

Used for results that are slow to make but pure: validated data-set records and rendered
table HTML. A key covers the inputs *and* the code and templates that turn them into the
result, so editing either makes a new key; a stale entry is never read back. Entries are
written atomically, so a crashed build leaves no half-written entry.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
from pathlib import Path
from typing import Any

from opentextbook import __version__
from opentextbook.support.atomic import write_text

PACKAGE = Path(__file__).resolve().parent.parent


def digest(*parts: Any) -> str:
    """A sha256 of ``parts`` as canonical JSON (bytes are hashed as they are)."""
    hasher = hashlib.sha256()
    for part in parts:
        if isinstance(part, bytes):
            hasher.update(part)
        else:
            hasher.update(json.dumps(part, sort_keys=True, default=repr).encode("utf-8"))
        hasher.update(b"\0")
    return hasher.hexdigest()


@functools.cache
def code_digest(*names: str) -> str:
    """A digest of package files (relative to the package) and the package version.

    Computed once per process: the code and templates do not change during a build.
    """
    return digest(__version__, *[(PACKAGE / name).read_bytes() for name in names])


def read_json(folder: Path | None, key: str) -> Any:
    """The cached value for ``key``, or ``None`` on a miss (or an unreadable entry)."""
    if folder is None:
        return None
    try:
        return json.loads((folder / f"{key}.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def write_json(folder: Path | None, key: str, value: Any) -> None:
    """Store ``value`` for ``key``; a cache that cannot be written only costs speed."""
    if folder is None:
        return
    # TypeError/ValueError: a value JSON cannot hold is simply not cached.
    with contextlib.suppress(OSError, TypeError, ValueError):
        write_text(folder / f"{key}.json", json.dumps(value, ensure_ascii=False))


def prune(folder: Path, keep: set[str]) -> None:
    """Delete the entries of ``folder`` whose keys are not in ``keep``."""
    if not folder.is_dir():
        return
    for path in folder.glob("*.json"):
        if path.stem not in keep:
            path.unlink(missing_ok=True)
