"""Reproducible outputs: the same sources give the same bytes, on any machine, at any time.

Formats that record a date (DOCX core properties, zip entry times) get the *build date*
instead of the clock: ``SOURCE_DATE_EPOCH`` when set (the reproducible-builds.org convention
packagers use), else the book's ``date`` in ``data/book.yml``, else :data:`FALLBACK_DATE`.
"""

from __future__ import annotations

import datetime
import io
import os
import zipfile

from opentextbook.support.errors import SourceError

FALLBACK_DATE = datetime.datetime(2000, 1, 1, tzinfo=datetime.UTC)
"""The build date when neither ``SOURCE_DATE_EPOCH`` nor the book's ``date`` is set."""

# Zip entries store local times from 1980 to 2107 with two-second steps.
_ZIP_FIRST = datetime.datetime(1980, 1, 1, tzinfo=datetime.UTC)


def build_date(book_date: str | None = None) -> datetime.datetime:
    """The date outputs record (UTC): see the module's docstring for where it comes from."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch:
        if not epoch.isdigit():
            raise SourceError(
                "SOURCE_DATE_EPOCH",
                f"'{epoch}' is not a whole number of seconds since 1970",
                fix="set it to e.g. $(git log -1 --format=%ct), or unset it",
            )
        return datetime.datetime.fromtimestamp(int(epoch), tz=datetime.UTC)
    if book_date:
        day = datetime.date.fromisoformat(str(book_date)[:10])
        return datetime.datetime(day.year, day.month, day.day, tzinfo=datetime.UTC)
    return FALLBACK_DATE


def zip_time(when: datetime.datetime) -> tuple[int, int, int, int, int, int]:
    """``when`` as a zip entry's time (clamped to what zip can store)."""
    when = max(when, _ZIP_FIRST)
    return (when.year, when.month, when.day, when.hour, when.minute, when.second)


def normalized_zip(data: bytes, when: datetime.datetime) -> bytes:
    """The zip ``data`` (a DOCX) again, every entry dated ``when`` with fixed permissions.

    Libraries stamp entries with the clock; the order of entries is kept (OPC packages want
    ``[Content_Types].xml`` first).
    """
    output = io.BytesIO()
    stamp = zip_time(when)
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(output, "w") as target:
        for entry in source.infolist():
            info = zipfile.ZipInfo(entry.filename, date_time=stamp)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            target.writestr(info, source.read(entry))
    return output.getvalue()


def pin_build_date(book_date: str | None) -> None:
    """Set ``SOURCE_DATE_EPOCH`` to the build date when it is not set, so that what other
    tools stamp with the day (MkDocs' sitemap ``lastmod``, its gzip header) follows the book's
    date too, not the day of the build."""
    if not os.environ.get("SOURCE_DATE_EPOCH", "").strip():
        os.environ["SOURCE_DATE_EPOCH"] = str(int(build_date(book_date).timestamp()))
