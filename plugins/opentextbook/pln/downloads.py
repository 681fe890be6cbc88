"""Generate every PLN download (blank templates and the example) into the output cache.

Each output is stored in the :class:`~opentextbook.support.cache.OutputCache` with a digest of
everything it is made from (its HTML, SVG or rows, the stylesheet and the renderer's version),
so an unchanged rebuild renders nothing: it finds the file in ``.cache/opentextbook/pln/`` and
the site copies it from there.
"""

from __future__ import annotations

import base64
import datetime
import functools
import json
from collections.abc import Callable
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from opentextbook import i18n
from opentextbook.i18n import t
from opentextbook.metadata import BookMetadata
from opentextbook.pln import inventory as inv
from opentextbook.pln.example import ILLUSTRATION_NOTE, INVENTORY_NOTE, example_sources
from opentextbook.pln.render import Credit, credit_for, render
from opentextbook.pln.svgmap import render_map_svg
from opentextbook.support.atomic import write_text
from opentextbook.support.cache import OutputCache, content_digest, library_versions
from opentextbook.support.pdf import form_font_name, render_code_digest, render_pdf
from opentextbook.support.reproducible import build_date

PLN_DOWNLOADS_DIR = "downloads/pln"
"""Where the downloads go in the site, relative to its root."""
PAGE_SIZES = {"letter": "letter", "a4": "A4"}
_NOTES_LINES = {"letter": 4, "a4": 7}
"""Lines to write on under the map: A4 is taller than Letter."""


@dataclass(frozen=True)
class Download:
    """One generated file: its name in the site, and where the cache holds it."""

    name: str
    path: Path
    label: str


@dataclass(frozen=True)
class _Job:
    name: str
    label: str
    key: str
    write: Callable[[Path], None]


def write_pln_downloads(metadata: BookMetadata, data_dir: Path, cache_dir: Path) -> list[Download]:
    """Make sure every PLN download is current in ``cache_dir``; return them in display order."""
    fonts = cache_dir / "fonts"  # the small form-field font (see render_pdf)
    sources = example_sources(data_dir)
    date = build_date(metadata.date)  # what the Word documents record as their date
    jobs = _blank_jobs(metadata, fonts, date) + _example_jobs(metadata, sources, fonts, date)
    cache = OutputCache(cache_dir)
    for job in jobs:
        if not cache.fresh(job.name, job.key):
            job.write(cache.path(job.name))
            cache.store(job.name, job.key)
    cache.save(prune=True)  # drops the example's files when the data file is gone
    return [Download(job.name, cache.path(job.name), job.label) for job in jobs]


@dataclass(frozen=True)
class _Sheet:
    """One template's words: file stem, label in lists, title and intro on the page, credit."""

    stem: str
    label: str
    title: str
    intro: str
    credit: Credit


def _blank_jobs(metadata: BookMetadata, fonts: Path, date: datetime.datetime) -> list[_Job]:
    credit = credit_for(metadata, t("pln.map.template"))
    plan = _Sheet("pln-map", t("pln.map.label"), t("pln.map.title"), t("pln.map.intro"), credit)
    table = _Sheet(
        "pln-inventory",
        t("pln.inventory.label"),
        t("pln.inventory.title"),
        inv.intro(),
        credit_for(metadata, t("pln.inventory.template")),
    )
    desc = t("pln.map.description")
    rows = inv.inventory_rows(None)
    inventory = _inventory_jobs(table, rows, fonts, date, fillable=True)
    return _map_jobs(plan, [], desc, fonts) + inventory


def _example_jobs(
    metadata: BookMetadata, sources: list[dict[str, str]], fonts: Path, date: datetime.datetime
) -> list[_Job]:
    if not sources:
        return []
    plan = _Sheet(
        "example-pln-map",
        t("pln.example.map"),
        t("pln.example.map_title"),
        ILLUSTRATION_NOTE,
        credit_for(metadata, t("pln.example.map")),
    )
    table = _Sheet(
        "example-pln-inventory",
        t("pln.example.inventory"),
        t("pln.example.inventory"),
        INVENTORY_NOTE,
        credit_for(metadata, t("pln.example.inventory")),
    )
    names = ", ".join(f"{item['name']} ({item['group']}, {item['closeness']})" for item in sources)
    desc = f"{ILLUSTRATION_NOTE} Nodes: {names}."
    rows = inv.inventory_rows(sources)
    inventory = _inventory_jobs(table, rows, fonts, date, fillable=False)
    return _map_jobs(plan, sources, desc, fonts) + inventory


def _map_jobs(sheet: _Sheet, sources: list[dict[str, str]], desc: str, fonts: Path) -> list[_Job]:
    """The map as SVG, and as a PDF page (title, map, notes, credit) in each page size."""
    words = {"title": sheet.title, "description": desc, "credit": sheet.credit}
    svg = render_map_svg(sources, **words)
    jobs = [_text_job(f"{sheet.stem}.svg", t("pln.file", label=sheet.label, kind="SVG"), svg)]
    # The PDF page prints the credit under the map, readable; the drawing leaves it out.
    bare = render_map_svg(sources, **words, with_credit=False)
    uri = "data:image/svg+xml;base64," + base64.b64encode(bare.encode("utf-8")).decode("ascii")
    for size_id, size in PAGE_SIZES.items():
        html = render(
            "map-page.html.j2",
            title=sheet.title,
            intro=sheet.intro,
            description=desc,
            author=sheet.credit.source,
            alt=desc,
            svg_uri=uri,
            notes_lines=_NOTES_LINES[size_id],
            page_size=size,
            credit=sheet.credit,
        )
        label = t("pln.file", label=sheet.label, kind=f"PDF, {size}")
        jobs.append(_pdf_job(f"{sheet.stem}-{size_id}.pdf", label, html, fonts))
    return jobs


def _inventory_jobs(
    sheet: _Sheet, rows: list[list[str]], fonts: Path, date: datetime.datetime, *, fillable: bool
) -> list[_Job]:
    """The inventory as a PDF (fillable when blank), a Word document and CSV."""
    title, intro, credit = sheet.title, sheet.intro, sheet.credit
    html = inv.inventory_html(
        rows, title=title, intro=intro, credit=credit, fillable=fillable, page_size="letter"
    )
    kind = t("pln.fillable_pdf") if fillable else "PDF"
    docx_key = _key(
        "docx", rows, title, intro, credit.text, date.isoformat(), library_versions("python-docx")
    )

    def write_docx(path: Path) -> None:
        inv.write_inventory_docx(path, rows, title=title, intro=intro, credit=credit, date=date)

    def write_csv(path: Path) -> None:
        inv.write_inventory_csv(path, rows, credit)

    label = functools.partial(t, "pln.file", label=sheet.label)
    return [
        _pdf_job(f"{sheet.stem}.pdf", label(kind=kind), html, fonts),
        _Job(f"{sheet.stem}.docx", label(kind=t("pln.word")), docx_key, write_docx),
        _Job(f"{sheet.stem}.csv", label(kind="CSV"), _key("csv", rows, credit.text), write_csv),
    ]


def _text_job(name: str, label: str, text: str) -> _Job:
    return _Job(name, label, _key("text", text), lambda path: write_text(path, text))


def _pdf_job(name: str, label: str, html: str, fonts: Path) -> _Job:
    """A PDF keyed by its HTML, stylesheet, WeasyPrint, form font (whose name says what it
    is made from, so a new subset renders again) and our PDF code; fields get that font
    from ``fonts``."""
    stylesheet = _stylesheet()
    css = stylesheet.read_text("utf-8")
    versions = library_versions("weasyprint")
    key = _key("pdf", html, css, versions, form_font_name(), render_code_digest())

    def write(path: Path) -> None:
        render_pdf(
            html, path, base_url=stylesheet.parent, stylesheets=[stylesheet], form_font_dir=fonts
        )

    return _Job(name, label, key, write)


def _stylesheet() -> Path:
    return Path(str(resources.files("opentextbook").joinpath("templates/pln/pdf.css")))


def _key(*parts) -> str:
    labels = i18n.active().fingerprint  # the labels printed, in the book's language
    return content_digest(json.dumps([*parts, labels], ensure_ascii=False))
