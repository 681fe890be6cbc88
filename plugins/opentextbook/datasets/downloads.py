"""Each data set as CSV and JSON, for readers who want the list in a spreadsheet or a program.

Generated from the same validated records as the tables, so a download never disagrees with
the page. CSV cells hold plain text (lists joined with "; ", unknown facts empty); JSON keeps
the structure (lists stay lists, unknown facts are ``null``). Files are written atomically.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from pathlib import Path

from opentextbook.datasets import Dataset
from opentextbook.datasets.tables import plain_text
from opentextbook.i18n import t
from opentextbook.support.atomic import write_text
from opentextbook.support.cache import OutputCache, content_digest
from opentextbook.support.keyedcache import code_digest
from opentextbook.support.templating import render_template

DOWNLOADS_DIR = "downloads"


def download_paths(name: str) -> dict[str, str]:
    """Site-relative paths of a data set's downloads, by format."""
    return {fmt: f"{DOWNLOADS_DIR}/{name}.{fmt}" for fmt in ("csv", "json")}


PACKAGE_PATH = f"{DOWNLOADS_DIR}/datapackage.json"
"""Site-relative path of the Data Package describing every download (``datasets.package``)."""


def render_download_list(datasets: dict[str, Dataset], link: Callable[[str], str]) -> str:
    """An HTML table of every data set's CSV and JSON, and the Data Package (Downloads page).

    ``link`` turns a site-relative path into a link from the page being rendered.
    """
    items = [
        {"title": dataset.schema.title, **{f: link(p) for f, p in download_paths(name).items()}}
        for name, dataset in sorted(datasets.items())
    ]
    return render_template(
        "data_downloads.html",
        caption=t("data.caption"),
        items=items,
        package=link(PACKAGE_PATH),
    )


_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(cell: str) -> str:
    """Keep a cell from running as a formula when the CSV is opened in a spreadsheet.

    Data comes from remixers; a value such as ``=HYPERLINK(...)`` would otherwise execute in
    Excel or LibreOffice (OWASP "CSV injection"). A leading apostrophe makes it plain text.
    """
    return f"'{cell}" if cell.startswith(_FORMULA_STARTS) else cell


def to_csv(dataset: Dataset) -> str:
    """One header row of field names, then one row per record."""
    fields = dataset.schema.fields
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow([f.name for f in fields])
    for record in dataset.records:
        writer.writerow([spreadsheet_safe(plain_text(f, record[f.name])) for f in fields])
    return buffer.getvalue()


def to_json(dataset: Dataset) -> str:
    """The records as a JSON array, with the data set's name and title beside them."""
    document = {
        "dataset": dataset.name,
        "title": dataset.schema.title,
        "records": dataset.records,
    }
    return json.dumps(document, ensure_ascii=False, indent=2) + "\n"


def write_downloads(
    datasets: dict[str, Dataset], site_dir: str | Path, cache_dir: str | Path | None = None
) -> list[Path]:
    """Write every data set's CSV and JSON into ``site_dir``; return the files written.

    With ``cache_dir``, each file is made once per version of its data set (and of this code)
    and linked into the site from there.
    """
    cache = OutputCache(cache_dir) if cache_dir is not None else None
    written = []
    for name, dataset in datasets.items():
        paths = download_paths(name)
        digest = content_digest(
            dataset.digest, code_digest("datasets/downloads.py", "datasets/tables.py")
        )
        for fmt, render in (("csv", to_csv), ("json", to_json)):
            target = Path(site_dir) / paths[fmt]
            if cache is None:
                write_text(target, render(dataset))
            else:
                if not cache.fresh(paths[fmt], digest):
                    write_text(cache.path(paths[fmt]), render(dataset))
                    cache.store(paths[fmt], digest)
                cache.place(paths[fmt], target)
            written.append(target)
    if cache is not None:
        cache.save(prune=True)
    return written
