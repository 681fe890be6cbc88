"""Worksheets: a printable page and Letter/A4 PDFs per activity, plus classroom packets.

One generator serves ``mkdocs build``, ``mkdocs serve`` and the command line: give
:class:`WorksheetRenderer` the registry of activities and a site folder. Every output's HTML is
keyed by a digest of its *inputs* (the activities' content, paper, edition, book metadata,
site address, our templates, styles and code, library versions); only an output whose key is
not in the :class:`~opentextbook.support.cache.OutputCache` has its HTML (and QR code) rendered,
and a PDF made from it. So a rebuild with nothing changed renders nothing and hard-links every file
from the cache into the site. PDFs render in parallel and are written atomically, so a failed
render leaves no half-written file. Packets are assembled from rendered sheets
(:mod:`opentextbook.activities.packets`), so an edit renders that activity's sheets and assembles
again.
"""

from __future__ import annotations

import base64
import functools
import json
import logging
import os
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path
from urllib.parse import urljoin, urlsplit

from opentextbook import i18n
from opentextbook.activities.editions import (
    AUDIENCE_ATTR,
    LABELS,
    LINKS,
    SHEET_TOO_LONG,
    online_only,
    paper_html,
    student_html,
)
from opentextbook.activities.model import Activity, ActivityRegistry, TeacherNote
from opentextbook.activities.packets import (
    COVER_ROUNDS,
    PacketJob,
    PdfJob,
    assemble_one,
    assemble_task,
    assembly_inputs,
    contents_digest,
    cover_file,
    cover_job,
    part_file,
)
from opentextbook.book import BookContents, BookMetadata
from opentextbook.i18n import t
from opentextbook.publishing.assembly import page_count
from opentextbook.support import templating
from opentextbook.support.atomic import write_text
from opentextbook.support.cache import OutputCache, content_digest, library_versions
from opentextbook.support.errors import SourceError
from opentextbook.support.fonts import GlyphChecker
from opentextbook.support.keyedcache import read_json, write_json
from opentextbook.support.pdf import RENDER_CODE, form_font_name
from opentextbook.support.workers import runner

log = logging.getLogger("mkdocs.plugins.opentextbook")

PACKAGE_DIR = Path(__file__).parent.parent
CSS_FILE = PACKAGE_DIR / "assets" / "css" / "worksheet.css"
PAPERS = {"letter": "US Letter", "a4": "A4"}
EDITIONS = ("packet", "facilitator", "answers")
"""The printed collections of every sheet; their names are ``edition.<name>`` texts."""
TEACHER_EDITIONS = ("facilitator", "answers")
"""Outputs for teachers: they keep teacher notes and solutions; every other is for students."""
_LIBRARIES = ("weasyprint", "pydyf", "qrcode", "jinja2", "markupsafe", "networking-and-plns")
# What every worksheet output is made with besides its activities: a change to any of these
# files must re-render (they are hashed into each output's cache key).
_OWN_FILES = (
    Path(__file__),
    PACKAGE_DIR / "support" / "templating.py",
    *RENDER_CODE,
    CSS_FILE,
    *sorted((PACKAGE_DIR / "templates").glob("worksheet*.html")),
    PACKAGE_DIR / "templates" / "credit.html",
)


SITE_FOLDER = "worksheets"
"""The site folder of the worksheet pages, their PDFs and the packets."""


def worksheet_files(ident: str, folder: str = SITE_FOLDER) -> dict[str, str]:
    """Site-relative addresses of one activity's outputs.

    Links name the page's file (``…/index.html``), not its folder, so they also work opened
    from disk, where no server turns a folder into its ``index.html``.
    """
    base = f"{folder}/{ident}"
    files = {"page": f"{base}/index.html", "html": f"{base}/index.html"}
    files.update({paper: f"{base}/{ident}-{paper}.pdf" for paper in PAPERS})
    return files


def answer_key_file(ident: str, folder: str = SITE_FOLDER) -> str:
    """The printable answer key of one activity (made when it gives a solution)."""
    return f"{folder}/{ident}/answers.html"


def packet_file(edition: str, paper: str, folder: str = SITE_FOLDER) -> str:
    """``worksheets/packet-a4.pdf``, ``worksheets/facilitator-letter.pdf`` ..."""
    return f"{folder}/{edition}-{paper}.pdf"


def packet_downloads(folder: str = SITE_FOLDER) -> list[tuple[str, str, str]]:
    """(label, site path, description) of every packet PDF, for the Downloads page."""
    return [
        (
            t("edition.download", edition=t(f"edition.{edition}"), paper=LINKS[paper]),
            packet_file(edition, paper, folder),
            LABELS[f"{edition}_about"],
        )
        for edition in EDITIONS
        for paper in PAPERS
    ]


@dataclass
class BuildReport:
    """What a worksheet build did, for the log line and for tests."""

    pages: int = 0
    pdfs: int = 0
    """PDFs in the site: the worksheets and the packets."""
    rendered: int = 0
    """PDFs WeasyPrint rendered: worksheets and pieces of packets (edition sheets, covers)."""
    assembled: int = 0
    """Packets assembled from rendered PDFs."""
    cached: int = 0
    """PDFs of the site taken from the cache as they were."""
    html_rendered: int = field(default=0, compare=False)
    """HTML documents rendered (pages and PDF sources): none when nothing changed."""
    rendered_targets: list[str] = field(default_factory=list, compare=False)
    """Site paths of the PDFs made afresh (rendered or assembled): what an edit cost."""
    parts_rendered: list[str] = field(default_factory=list, compare=False)
    """Cache keys of the packets' pieces rendered (edition sheets, page notes, covers)."""
    placed: list[Path] = field(default_factory=list, compare=False)
    """Every file put in the site (pages and PDFs, made or from the cache)."""

    def __str__(self) -> str:
        assembled = f"{self.assembled} assembled, " if self.assembled else ""
        return (
            f"worksheets: {self.pages} pages, {self.pdfs} PDFs "
            f"({self.rendered} rendered, {assembled}{self.cached} from cache)"
        )


class WorksheetRenderer:
    """Turns activities into worksheet pages, PDFs and packets.

    ``site_url`` (the published address, e.g. ``https://example.org/book/``) makes the online
    address and QR code printed on each sheet; without it the sheets name the page only.
    """

    def __init__(
        self,
        metadata: BookMetadata,
        site_url: str = "",
        folder: str = SITE_FOLDER,
        contents: BookContents | None = None,
    ):
        self.metadata = metadata
        self.contents = contents or BookContents(metadata, [])
        """Each chapter's credits: a sheet carries its own chapter's attribution and licence."""
        self.site_url = site_url.rstrip("/") + "/" if site_url else ""
        self.folder = folder
        self.env = templating.environment()
        self.css = CSS_FILE.read_text(encoding="utf-8")
        self.pdf_links = True
        self.form_font = ""  # set by build(): the small form-field font's name, for PDFs only
        self.html_rendered = 0
        self._prints: dict[str, str] = {}  # activity id -> fingerprint, for one build
        self.notes: list[TeacherNote] = []
        """Teacher notes outside activities, in reading order: the facilitator edition's end."""
        self.site_dir: Path | None = None
        """The built site: PDFs show the images of activities from its files."""

    def online_url(self, activity: Activity) -> str:
        """The activity's address in the published book (what the QR code encodes)."""
        return f"{self.site_url}{activity.page_url}#{activity.id}" if self.site_url else ""

    def render_html(
        self,
        activities: list[Activity],
        *,
        paper: str | None = None,
        edition: str | None = None,
        part: str | None = None,
        contents: dict[str, int] | None = None,
        total: int = 0,
    ) -> str:
        """One HTML document: a worksheet page (``paper=None``), a PDF's source, a packet or
        an answer key (``edition="answers"``; one activity's with ``paper=None``).

        ``part`` makes one piece of a packet instead of all of it (see
        :class:`~opentextbook.activities.packets.PdfJob`): ``sheets``, ``notes``, or ``cover`` with
        ``contents`` (activity id -> first page) and ``total`` pages. Every output not for
        teachers goes through :func:`~opentextbook.activities.editions.student_html` last: whatever
        the templates did, no teacher note or solution is left in it.
        """
        self.html_rendered += 1
        # Links in an activity lead from its worksheet to the book: from a PDF (which travels)
        # absolute when the site's address is known, else relative to where the output is.
        relative = "../" if edition and paper else "../../"
        base = (self.site_url or relative) if paper else relative
        images = self.site_dir.resolve().as_uri() + "/" if paper and self.site_dir else base
        sheets = [self._sheet(activity, base, images) for activity in activities]
        cover = bool(edition) and (edition != "answers" or paper is not None)
        page_notes = edition == "facilitator" and part in (None, "notes")
        html = self.env.get_template("worksheet.html").render(
            title=_title(activities, edition),
            sheets=sheets,
            packet_sources=_sources_of(sheets),
            paper=paper,
            edition=edition,
            cover=cover and part in (None, "cover"),
            show_sheets=part in (None, "sheets"),
            contents_pages=contents or {},
            packet_pages=total,
            edition_name=t(f"edition.{edition}") if edition else "",
            teacher_notes=edition == "facilitator",
            answer_key=edition == "answers",
            page_notes=self._page_notes(base) if page_notes else [],
            audience=AUDIENCE_ATTR,
            book=self.metadata,
            css=self.css,
            files=worksheet_files(activities[0].id, self.folder) if not edition else {},
            pdf_links=self.pdf_links,
        )
        return html if edition in TEACHER_EDITIONS else student_html(html)

    def _sheet(self, activity: Activity, base: str, images: str) -> dict:
        url = self.online_url(activity)
        return {
            "credit": self.contents.credit(activity.page),
            "activity": _for_paper(_rebased(activity, base, images), url),
            "url": url,
            "qr": _qr_data_uri(url) if url else "",
        }

    def _page_notes(self, base: str) -> list[dict]:
        """The teacher notes outside activities, grouped by page, in reading order."""
        groups: dict[str, dict] = {}
        for note in self.notes:
            title = self.contents.credit(note.page).title
            group = groups.setdefault(note.page, {"title": title, "notes": []})
            group["notes"].append(_rebase_html(note.html, note.page_url, base, base))
        return list(groups.values())

    def jobs(
        self, activities: list[Activity], papers: Iterable[str] = PAPERS
    ) -> list[PdfJob | PacketJob]:
        """Every PDF: per paper, each worksheet, each edition's pieces, then the packets
        assembled from them (see :mod:`opentextbook.activities.packets`)."""
        prints = {activity.id: self._fingerprint(activity) for activity in activities}
        jobs: list[PdfJob | PacketJob] = []
        for paper in papers:
            sheets = []
            for activity in activities:
                target = worksheet_files(activity.id, self.folder)[paper]
                digest = self.key("pdf", paper, prints[activity.id])
                sheets.append(PdfJob(target, (activity,), paper, None, digest))
            jobs += sheets
            for edition in EDITIONS:
                parts = sheets if edition == "packet" else self._parts(activities, paper, edition)
                jobs += parts if edition != "packet" else []
                jobs.append(self._packet(activities, paper, edition, parts))
        return jobs

    def _parts(self, activities: list[Activity], paper: str, edition: str) -> list[PdfJob]:
        """The pieces of an edition other than its cover: one per activity (in the answer
        key, per activity with a solution), then the facilitator edition's page notes."""
        parts = []
        for activity in activities:
            if edition == "answers" and not activity.has_solution:
                continue
            target = part_file(edition, paper, activity.id, self.folder)
            digest = self.key("pdf", paper, edition, "sheets", self._fingerprint(activity))
            parts.append(PdfJob(target, (activity,), paper, edition, digest, part="sheets"))
        if edition == "facilitator" and self.notes:
            notes = [note.html for note in self.notes]
            target = part_file(edition, paper, "page-notes", self.folder)
            digest = self.key("pdf", paper, edition, "notes", *notes)
            parts.append(PdfJob(target, tuple(activities), paper, edition, digest, part="notes"))
        return parts

    def _packet(
        self, activities: list[Activity], paper: str, edition: str, parts: list[PdfJob]
    ) -> PacketJob:
        """The packet assembled from ``parts``; its digest: theirs and what its cover lists
        (the cover's page numbers follow from the parts)."""
        listed = contents_digest(tuple(activities))
        digest = self.key("packet", paper, edition, listed, assembly_inputs())
        digest = content_digest(digest, *[part.digest for part in parts])
        target = packet_file(edition, paper, self.folder)
        return PacketJob(target, tuple(activities), paper, edition, tuple(parts), digest)

    def job_html(self, job: PdfJob) -> str:
        """The HTML a PDF job is rendered from."""
        return self.render_html(
            list(job.activities),
            paper=job.paper,
            edition=job.edition,
            part=job.part,
            contents=dict(job.contents),
            total=job.total,
        )

    def packet_about(self, packet: PacketJob) -> dict[str, str]:
        """Title, language, authors and description of an assembled packet."""
        title = _title(list(packet.activities), packet.edition)
        return {
            "title": title,
            "lang": self.metadata.language,
            "author": ", ".join(self.metadata.author_names),
            "subject": t(
                "worksheet.description",
                title=title,
                book=self.metadata.title,
                licence=self.metadata.licence.short,
            ),
        }

    def key(self, *parts: str) -> str:
        """Digest of an output's own ``parts`` and of everything all outputs are made with."""
        # The form font's name says what it is made from (render_pdf adds the font itself).
        common = _common_inputs(self.folder, self.site_url, self.pdf_links, self.form_font)
        return content_digest(common, self._book_digest, *parts)

    @functools.cached_property
    def _book_digest(self) -> str:
        """The book metadata (title, authors, licence…) every sheet prints."""
        book = {"book": self.metadata.as_dict(), "credits": self.contents.as_dict()}
        book["labels"] = i18n.active().fingerprint  # the locale file's texts, as printed
        return content_digest(json.dumps(book, sort_keys=True, default=str))

    def _fingerprint(self, activity: Activity) -> str:
        """``activity.fingerprint()``, worked out once per build (pages and PDFs both ask)."""
        if activity.id not in self._prints:
            images = self._image_bytes(activity)
            self._prints[activity.id] = content_digest(activity.fingerprint(), *images)
        return self._prints[activity.id]

    def _image_bytes(self, activity: Activity) -> list[bytes]:
        """The site files an activity's images show: a new image must re-render its PDFs."""
        if self.site_dir is None:
            return []
        found = []
        html = "".join(_map_texts(activity))
        for match in _LINK.finditer(html):
            if match["attr"].strip() == "src":
                path = _rebase(match["url"], activity.page_url, "")
                file = self.site_dir / path.split("#")[0]
                if not urlsplit(path).scheme and file.is_file():
                    found.append(path.encode() + file.read_bytes())
        return found

    def build(
        self,
        activities: list[Activity],
        site_dir: str | Path,
        cache: OutputCache,
        *,
        pdf: bool = True,
        workers: int | None = None,
        deferred: Callable[[WorksheetRenderer, list[PdfJob | PacketJob]], None] | None = None,
    ) -> BuildReport:
        """Write the worksheet pages and (if ``pdf``) every PDF into ``site_dir``.

        With ``deferred`` (``mkdocs serve``), PDFs not in the cache are not rendered here: the
        previous version of each (if any) is placed, and the stale jobs are handed to
        ``deferred(self, jobs)``, which renders them later with :func:`render_stale_pdfs`.
        """
        site_dir = Path(site_dir)
        report = BuildReport()
        self.pdf_links = pdf
        self.form_font = ""
        self.html_rendered = 0
        self.site_dir = site_dir
        self._prints = {}
        for activity in activities:
            self._place_page(activity, site_dir, cache)
            report.pages += 1
            if activity.has_solution:
                self._place_page(activity, site_dir, cache, edition="answers")
        if pdf and activities:
            _check_glyphs(activities)
            self.form_font = form_font_name()
            if deferred is None:
                _build_pdfs(self, self.jobs(activities), site_dir, cache, report, workers)
            else:
                deferred(self, _place_known(self.jobs(activities), site_dir, cache, report))
            self._name_long_sheets(activities, site_dir, cache.directory)
        # Forget the outputs of activities that are gone (not the PDFs, when none were asked
        # for; not while deferred PDFs are still to be stored).
        cache.save(prune=pdf and deferred is None)
        report.html_rendered = self.html_rendered
        report.placed = cache.placed
        return report

    def _name_long_sheets(self, activities: list[Activity], site_dir: Path, folder: Path) -> None:
        """Name, on every build, each worksheet that needs more than one sheet of paper."""
        counts = _SheetPageCounts(folder)
        for activity in activities:
            for paper, paper_name in PAPERS.items():
                pages = counts.of(site_dir / worksheet_files(activity.id, self.folder)[paper])
                if pages > 2:
                    message = SHEET_TOO_LONG.format(
                        where=activity.where, title=activity.title, pages=pages, paper=paper_name
                    )
                    log.info("opentextbook: %s", message)
        counts.save()

    def _place_page(
        self, activity: Activity, site_dir: Path, cache: OutputCache, edition: str | None = None
    ) -> None:
        """A printable page (the worksheet, or its answer key), rendered only when its inputs
        changed, linked from the cache."""
        if edition:
            target = answer_key_file(activity.id, self.folder)
        else:
            target = worksheet_files(activity.id, self.folder)["html"]
        digest = self.key("page", str(edition), self._fingerprint(activity))
        if not cache.fresh(target, digest):
            write_text(cache.path(target), self.render_html([activity], edition=edition))
            cache.store(target, digest)
        cache.place(target, site_dir / target)


class _SheetPageCounts:
    """Page counts of the worksheet PDFs, kept in the cache by file version (size, time,
    inode: a cached PDF is only ever replaced by a new file). Opening every sheet on every
    build took about a second at 200 activities, in each ``serve`` rebuild."""

    KEY = "page-counts"

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        known = read_json(folder, self.KEY)
        self.known: dict[str, int] = known if isinstance(known, dict) else {}
        self.used: dict[str, int] = {}

    def of(self, pdf: Path) -> int:
        """The number of pages of ``pdf``; 0 when there is none yet (``serve`` makes it later)."""
        try:
            stat = pdf.stat()
        except OSError:
            return 0
        version = f"{pdf.name}:{stat.st_size}:{stat.st_mtime_ns}:{stat.st_ino}"
        pages = self.known.get(version)
        if not isinstance(pages, int):
            pages = page_count(pdf)
        self.used[version] = pages
        return pages

    def save(self) -> None:
        if self.used != self.known:  # only what this build looked up: no growing file
            write_json(self.folder, self.KEY, self.used)


def _check_glyphs(activities: list[Activity]) -> None:
    """Warn, on every build (PDFs may come from the cache), about text no font can draw."""
    checker = GlyphChecker()
    for activity in activities:
        texts = [activity.title, activity.duration or "", *activity.objectives]
        texts += [activity.before_html, activity.after_html, activity.teacher_notes_html]
        texts += [activity.solution_html]
        texts += [step.html for step in activity.steps]
        where = f"{activity.where}: activity '{activity.title}'"
        checker.check(where, texts, "its worksheet PDFs")


def build_worksheets(
    registry: ActivityRegistry,
    metadata: BookMetadata,
    site_dir: str | Path,
    cache_dir: str | Path,
    *,
    site_url: str = "",
    pdf: bool = True,
    contents: BookContents | None = None,
    deferred: Callable[[WorksheetRenderer, list[PdfJob | PacketJob]], None] | None = None,
) -> BuildReport:
    """Everything worksheet-related for a finished read of the book (site build or CLI).

    Raises ``SourceError`` for a duplicate activity id or a failed render (nothing is left
    half-written: every file is replaced atomically).
    """
    registry.raise_errors()
    renderer = WorksheetRenderer(metadata, site_url, contents=contents)
    renderer.notes = registry.notes()
    cache = OutputCache(cache_dir)
    report = renderer.build(registry.worksheets(), site_dir, cache, pdf=pdf, deferred=deferred)
    log.info("opentextbook: %s", report)
    return report


def _sources_of(sheets: list[dict]) -> list:
    """Every work the sheets draw on, each once, in order: a packet's cover lists them."""
    found = {}
    for sheet in sheets:
        for source in sheet["credit"].sources:
            found.setdefault((source.title, source.author, source.url), source)
    return list(found.values())


_LINK = re.compile(r'(?P<attr>\s(?:href|src))="(?P<url>[^"]*)"')


def _rebase_html(html: str, page_url: str, base: str, images: str) -> str:
    """Page-relative links made relative to ``base`` (the site root), images to ``images``."""

    def rebase(match: re.Match) -> str:
        root = images if match["attr"].strip() == "src" else base
        return f'{match["attr"]}="{_rebase(match["url"], page_url, root)}"'

    return _LINK.sub(rebase, html)


def _rebased(activity: Activity, base: str, images: str) -> Activity:
    """The activity with its links rebased (see :func:`_rebase_html`)."""
    return _map_html(activity, lambda html: _rebase_html(html, activity.page_url, base, images))


def _for_paper(activity: Activity, url: str) -> Activity:
    """Without web-only parts; what cannot be printed becomes an "online only" line."""
    return _map_html(activity, lambda html: online_only(paper_html(html), url))


def _map_texts(activity: Activity) -> list[str]:
    """Every HTML part of ``activity``."""
    texts = [activity.before_html, activity.after_html, activity.teacher_notes_html]
    texts += [activity.solution_html]
    return texts + [text for step in activity.steps for text in (step.html, step.solution_html)]


def _map_html(activity: Activity, change) -> Activity:
    """``activity`` with ``change`` applied to each of its HTML parts."""
    return replace(
        activity,
        before_html=change(activity.before_html),
        after_html=change(activity.after_html),
        teacher_notes_html=change(activity.teacher_notes_html),
        solution_html=change(activity.solution_html),
        steps=tuple(
            replace(step, html=change(step.html), solution_html=change(step.solution_html))
            for step in activity.steps
        ),
    )


def _rebase(url: str, page_url: str, base: str) -> str:
    """``../downloads/x.pdf`` seen from ``chapter/`` -> ``{base}downloads/x.pdf``."""
    if not url or urlsplit(url).scheme or url.startswith(("/", "#/")):
        return url
    resolved = urljoin("https://site.invalid/" + page_url, url)
    return base + resolved.removeprefix("https://site.invalid/")


def _title(activities: list[Activity], edition: str | None) -> str:
    activity = activities[0]
    if edition == "answers" and len(activities) == 1:
        return t("worksheet.answer_key_title", label=activity.label, title=activity.title)
    if edition:
        return t("edition.title", edition=t(f"edition.{edition}"))
    return t("worksheet.title", label=activity.label, title=activity.title)


_QR_MODULE_PIXELS = 4
"""Pixels per module: crisp where a viewer smooths an enlarged image despite
``image-rendering: pixelated`` (/Interpolate false in the PDF), still under 1 KB."""


@functools.lru_cache(maxsize=4096)  # a sheet and its packets share a URL: draw it once
def _qr_data_uri(url: str) -> str:
    """The URL as a small black-and-white PNG (a data URI: no file).

    A bitmap, not vector paths: WeasyPrint draws an SVG code module by module, 8 KB of
    page content per sheet; this image is under 1 KB. Grey (``L``), not 1-bit: WeasyPrint
    turns a 1-bit image into RGB.
    """
    import io

    import qrcode

    image = qrcode.make(url, box_size=_QR_MODULE_PIXELS, border=1).get_image().convert("L")
    png = io.BytesIO()
    image.save(png, format="PNG", optimize=True)
    return "data:image/png;base64," + base64.b64encode(png.getvalue()).decode("ascii")


@functools.lru_cache(maxsize=8)
def _common_inputs(folder: str, site_url: str, pdf_links: bool, form_font: str) -> str:
    """Digest of what every worksheet output is made with: our code, templates and styles,
    the library versions and the renderer's options (read once per build, not per output)."""
    files = [path.name.encode() + path.read_bytes() for path in _OWN_FILES if path.is_file()]
    options = f"{folder}|{site_url}|{pdf_links}"
    return content_digest(library_versions(*_LIBRARIES), options, form_font, *files)


def _build_pdfs(
    renderer: WorksheetRenderer,
    jobs: list[PdfJob | PacketJob],
    site_dir: Path,
    cache: OutputCache,
    report: BuildReport,
    workers: int | None,
) -> None:
    """Make the PDFs the cache does not hold (in parallel), then link the site's into it."""
    made = _make_stale(renderer, jobs, cache, workers)
    site_jobs = [job for job in jobs if job.in_site]
    for job in site_jobs:
        cache.place(job.target, site_dir / job.target)
    report.pdfs += len(site_jobs)
    report.rendered += len(made.rendered) + len(made.parts)
    report.assembled += len(made.assembled)
    report.rendered_targets += made.site_targets
    report.parts_rendered += made.parts
    report.cached += len(site_jobs) - len(made.site_targets)


def _place_known(
    jobs: list[PdfJob | PacketJob], site_dir: Path, cache: OutputCache, report: BuildReport
) -> list[PdfJob | PacketJob]:
    """Place every site PDF the cache holds, up to date or not; return the jobs not up to
    date (pieces of packets too: they are made before their packets)."""
    stale = [job for job in jobs if not cache.fresh(job.target, job.digest)]
    site_jobs = [job for job in jobs if job.in_site]
    for job in site_jobs:
        if cache.path(job.target).is_file():  # a stale one stays until its update is in
            cache.place(job.target, site_dir / job.target)
    report.pdfs += len(site_jobs)
    report.cached += len(site_jobs) - len([job for job in stale if job.in_site])
    return stale


def render_stale_pdfs(
    renderer: WorksheetRenderer,
    jobs: list[PdfJob | PacketJob],
    site_dir: str | Path,
    cache_dir: str | Path,
    *,
    pool,
    placed: Callable[[str], None],
) -> list[str]:
    """Make the deferred ``jobs`` the cache still lacks, with ``pool(workers)`` (a context
    manager giving an executor), and place each site PDF, calling ``placed(target)``.

    The manifest is read again: an earlier, cancelled run may have stored some of them.
    Returns the site paths made afresh (worksheets rendered, packets assembled).
    """
    cache = OutputCache(cache_dir)
    made = _make_stale(renderer, jobs, cache, None, pool=pool)
    cache.save()
    for job in jobs:
        if job.in_site:
            cache.place(job.target, Path(site_dir) / job.target)
            placed(job.target)
    return made.site_targets


@dataclass
class _Made:
    """What :func:`_make_stale` made: cache keys, in order."""

    rendered: list[str] = field(default_factory=list)
    """Worksheets rendered (site files)."""
    parts: list[str] = field(default_factory=list)
    """Pieces of packets rendered (cache only)."""
    assembled: list[str] = field(default_factory=list)

    @property
    def site_targets(self) -> list[str]:
        return self.rendered + self.assembled


def _make_stale(
    renderer: WorksheetRenderer,
    jobs: list[PdfJob | PacketJob],
    cache: OutputCache,
    workers: int | None,
    pool=None,
) -> _Made:
    """Render the worksheets and packet pieces the cache lacks, then the covers of the
    packets it lacks, then assemble those; store each in the cache."""
    packets = [job for job in jobs if isinstance(job, PacketJob)]
    for packet in packets:
        cache.keep(cover_file(packet))  # looked up only when its packet is made again
    packets = [job for job in packets if not cache.fresh(job.target, job.digest)]
    renders = {job.target: job for job in jobs if isinstance(job, PdfJob)}
    renders.update({part.target: part for packet in packets for part in packet.parts})
    stale = [job for job in renders.values() if not cache.fresh(job.target, job.digest)]
    made = _Made()
    if not stale and not packets:
        return made
    with runner(workers, max(len(stale), len(packets)), pool) as run:
        _render_jobs(renderer, stale, cache, run)
        for job in stale:
            (made.parts if job.part else made.rendered).append(job.target)
        made.parts += _render_covers(renderer, packets, cache, run)
        _report_failures(packets, run(assemble_one, _assembly_tasks(renderer, packets, cache)))
        for packet in packets:
            cache.store(packet.target, packet.digest)
            made.assembled.append(packet.target)
    return made


def _render_covers(
    renderer: WorksheetRenderer, packets: list[PacketJob], cache: OutputCache, run
) -> list[str]:
    """Render the covers of ``packets`` the cache lacks; return their keys.

    A cover's contents number the pages after it, so it is first rendered assuming it takes
    one page; one that takes more is rendered again with that many (see ``COVER_ROUNDS``).
    """
    rendered = []
    covers = [_cover(renderer, packet, cache, 1) for packet in packets]
    pending = [(packet, job) for packet, job in zip(packets, covers, strict=True)]
    pending = [(packet, job) for packet, job in pending if not cache.fresh(job.target, job.digest)]
    for round_ in range(COVER_ROUNDS):
        _render_jobs(renderer, [job for _, job in pending], cache, run)
        again = []
        for packet, job in pending:
            pages = page_count(cache.path(job.target))
            if pages != job.total - sum(_counts(packet, cache)) and round_ + 1 < COVER_ROUNDS:
                again.append((packet, _cover(renderer, packet, cache, pages)))
                continue
            cache.store(job.target, job.digest)
            rendered.append(job.target)
        pending = again
    return rendered


def _cover(renderer: WorksheetRenderer, packet: PacketJob, cache: OutputCache, pages: int):
    return cover_job(packet, _counts(packet, cache), pages, renderer.key)


def _counts(packet: PacketJob, cache: OutputCache) -> list[int]:
    """The page count of each of the packet's parts (rendered by now)."""
    return [_cached_page_count(str(cache.path(part.target))) for part in packet.parts]


@functools.lru_cache(maxsize=4096)
def _page_count_of(path: str, size: int, mtime: int) -> int:
    return page_count(path)


def _cached_page_count(path: str) -> int:
    """:func:`page_count`, once per version of a file (six packets share their parts)."""
    stat = os.stat(path)
    return _page_count_of(path, stat.st_size, stat.st_mtime_ns)


def _assembly_tasks(
    renderer: WorksheetRenderer, packets: list[PacketJob], cache: OutputCache
) -> list[tuple]:
    return [assemble_task(packet, cache, renderer.packet_about(packet)) for packet in packets]


def _render_jobs(renderer: WorksheetRenderer, jobs: list[PdfJob], cache: OutputCache, run) -> None:
    """Render ``jobs`` with ``run``; store each; raise for the first failure in job order."""
    if not jobs:
        return
    fonts = str(cache.directory / "fonts")
    tasks = [(renderer.job_html(job), str(cache.path(job.target)), fonts) for job in jobs]
    _report_failures(jobs, run(_render_one, tasks))
    for job in jobs:
        if job.part != "cover":  # a cover is stored once its page count is checked
            cache.store(job.target, job.digest)


def _report_failures(jobs: list, failures: list[str | None]) -> None:
    for job, failure in zip(jobs, failures, strict=True):
        if failure:
            raise SourceError(job.target, failure, fix="fix the activity's content, then rebuild")


def _render_one(task: tuple[str, str, str]) -> str | None:
    """Render one PDF; return the error message (exceptions do not cross processes well)."""
    from opentextbook.support.pdf import render_pdf

    html, target, fonts = task
    try:
        render_pdf(html, target, base_url=PACKAGE_DIR, form_font_dir=fonts)
    except SourceError as exc:
        return exc.message
    return None
