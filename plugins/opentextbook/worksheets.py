"""Worksheets: a printable page and Letter/A4 PDFs per activity, plus classroom packets.

One generator serves ``mkdocs build``, ``mkdocs serve`` and the command line: give
:class:`WorksheetRenderer` the registry of activities and a site folder. Every output's HTML is
keyed by a digest of its *inputs* (the activities' content, paper, edition, book metadata,
site address, our templates, styles and code, library versions); only an output whose key is
not in the :class:`~opentextbook.cache.OutputCache` has its HTML (and QR code) rendered, and a
PDF made from it. So a rebuild with nothing changed renders nothing and hard-links every file
from the cache into the site. PDFs render in parallel and are written atomically, so a failed
render leaves no half-written file.
"""

from __future__ import annotations

import base64
import functools
import json
import logging
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path
from urllib.parse import urljoin, urlsplit

from opentextbook import i18n, templating
from opentextbook.activities import Activity, ActivityRegistry, TeacherNote
from opentextbook.atomic import write_text
from opentextbook.book import BookContents, BookMetadata
from opentextbook.cache import OutputCache, content_digest, library_versions
from opentextbook.editions import (
    AUDIENCE_ATTR,
    LABELS,
    LINKS,
    SHEET_TOO_LONG,
    online_only,
    paper_html,
    student_html,
)
from opentextbook.errors import SourceError
from opentextbook.fonts import GlyphChecker
from opentextbook.i18n import t
from opentextbook.pdf import form_font_name
from opentextbook.support.workers import map_in_workers

log = logging.getLogger("mkdocs.plugins.opentextbook")

PACKAGE_DIR = Path(__file__).parent
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
    PACKAGE_DIR / "worksheets.py",
    PACKAGE_DIR / "templating.py",
    PACKAGE_DIR / "pdf.py",
    CSS_FILE,
    *sorted((PACKAGE_DIR / "templates").glob("worksheet*.html")),
    PACKAGE_DIR / "templates" / "credit.html",
)


def worksheet_files(ident: str, folder: str = "worksheets") -> dict[str, str]:
    """Site-relative addresses of one activity's outputs.

    Links name the page's file (``…/index.html``), not its folder, so they also work opened
    from disk, where no server turns a folder into its ``index.html``.
    """
    base = f"{folder}/{ident}"
    files = {"page": f"{base}/index.html", "html": f"{base}/index.html"}
    files.update({paper: f"{base}/{ident}-{paper}.pdf" for paper in PAPERS})
    return files


def answer_key_file(ident: str, folder: str = "worksheets") -> str:
    """The printable answer key of one activity (made when it gives a solution)."""
    return f"{folder}/{ident}/answers.html"


def packet_file(edition: str, paper: str, folder: str = "worksheets") -> str:
    """``worksheets/packet-a4.pdf``, ``worksheets/facilitator-letter.pdf`` ..."""
    return f"{folder}/{edition}-{paper}.pdf"


def packet_downloads(folder: str = "worksheets") -> list[tuple[str, str, str]]:
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


@dataclass(frozen=True)
class PdfJob:
    """One PDF to make: where it goes in the site (its cache key), what it shows, and the
    digest of its inputs. Its HTML is rendered only if the cache does not hold ``digest``."""

    target: str
    activities: tuple[Activity, ...]
    paper: str
    edition: str | None
    digest: str


@dataclass
class BuildReport:
    """What a worksheet build did, for the log line and for tests."""

    pages: int = 0
    pdfs: int = 0
    rendered: int = 0
    cached: int = 0
    html_rendered: int = field(default=0, compare=False)
    """HTML documents rendered (pages and PDF sources): none when nothing changed."""
    rendered_targets: list[str] = field(default_factory=list, compare=False)
    """Site paths of the PDFs rendered, in job order (what an edit cost)."""

    def __str__(self) -> str:
        return (
            f"worksheets: {self.pages} pages, {self.pdfs} PDFs "
            f"({self.rendered} rendered, {self.cached} from cache)"
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
        folder: str = "worksheets",
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
    ) -> str:
        """One HTML document: a worksheet page (``paper=None``), a PDF's source, a packet or
        an answer key (``edition="answers"``; one activity's with ``paper=None``).

        Every output not for teachers goes through :func:`~opentextbook.editions.student_html`
        last: whatever the templates did, no teacher note or solution is left in it.
        """
        self.html_rendered += 1
        title = _title(activities, edition)
        # Links in an activity lead from its worksheet to the book: from a PDF (which travels)
        # absolute when the site's address is known, else relative to where the output is.
        relative = "../" if edition and paper else "../../"
        base = (self.site_url or relative) if paper else relative
        images = self.site_dir.resolve().as_uri() + "/" if paper and self.site_dir else base
        sheets = [self._sheet(activity, base, images) for activity in activities]
        teacher = edition in TEACHER_EDITIONS
        html = self.env.get_template("worksheet.html").render(
            title=title,
            sheets=sheets,
            packet_sources=_sources_of(sheets),
            paper=paper,
            edition=edition,
            cover=bool(edition) and (edition != "answers" or paper is not None),
            edition_name=t(f"edition.{edition}") if edition else "",
            teacher_notes=edition == "facilitator",
            answer_key=edition == "answers",
            page_notes=self._page_notes(base) if edition == "facilitator" else [],
            audience=AUDIENCE_ATTR,
            book=self.metadata,
            css=self.css,
            files=worksheet_files(activities[0].id, self.folder) if not edition else {},
            pdf_links=self.pdf_links,
        )
        return html if teacher else student_html(html)

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

    def jobs(self, activities: list[Activity], papers: Iterable[str] = PAPERS) -> list[PdfJob]:
        """Every PDF: each worksheet per paper, then the packets and facilitator editions."""
        prints = {activity.id: self._fingerprint(activity) for activity in activities}
        everything = [prints[activity.id] for activity in activities]
        jobs = []
        for paper in papers:
            for activity in activities:
                target = worksheet_files(activity.id, self.folder)[paper]
                digest = self.key("pdf", paper, prints[activity.id])
                jobs.append(PdfJob(target, (activity,), paper, None, digest))
            for edition in EDITIONS:
                target = packet_file(edition, paper, self.folder)
                notes = [note.html for note in self.notes] if edition == "facilitator" else []
                digest = self.key("pdf", paper, edition, *everything, *notes)
                jobs.append(PdfJob(target, tuple(activities), paper, edition, digest))
        return jobs

    def job_html(self, job: PdfJob) -> str:
        """The HTML a PDF job is rendered from."""
        return self.render_html(list(job.activities), paper=job.paper, edition=job.edition)

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
        deferred: Callable[[WorksheetRenderer, list[PdfJob]], None] | None = None,
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
            self._name_long_sheets(activities, site_dir)
        # Forget the outputs of activities that are gone (not the PDFs, when none were asked
        # for; not while deferred PDFs are still to be stored).
        cache.save(prune=pdf and deferred is None)
        report.html_rendered = self.html_rendered
        return report

    def _name_long_sheets(self, activities: list[Activity], site_dir: Path) -> None:
        """Name, on every build, each worksheet that needs more than one sheet of paper."""
        for activity in activities:
            for paper, paper_name in PAPERS.items():
                pages = _page_count(site_dir / worksheet_files(activity.id, self.folder)[paper])
                if pages > 2:
                    message = SHEET_TOO_LONG.format(
                        where=activity.where, title=activity.title, pages=pages, paper=paper_name
                    )
                    log.info("opentextbook: %s", message)

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


_PAGES = re.compile(rb"/Type\s*/Pages\b[^>]*?/Count\s+(\d+)")
_STREAM = re.compile(rb"stream\r?\n(.*?)endstream", re.DOTALL)


def _page_count(pdf: Path) -> int:
    """The number of pages of a PDF WeasyPrint wrote (its page tree may sit in a compressed
    object stream); 0 when it cannot be read."""
    import zlib

    data = pdf.read_bytes() if pdf.is_file() else b""
    found = _PAGES.findall(data)
    for stream in _STREAM.findall(data) if not found else ():
        try:
            found += _PAGES.findall(zlib.decompress(stream))
        except zlib.error:
            continue
    return max((int(count) for count in found), default=0)


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
    deferred: Callable[[WorksheetRenderer, list[PdfJob]], None] | None = None,
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


@functools.lru_cache(maxsize=4096)  # a sheet and its packets share a URL: draw it once
def _qr_data_uri(url: str) -> str:
    """The URL as a vector QR code (SVG data URI: no file, tiny, sharp at any size)."""
    import qrcode
    import qrcode.image.svg

    image = qrcode.make(url, image_factory=qrcode.image.svg.SvgPathImage, border=1)
    svg = image.to_string(encoding="utf-8")
    return "data:image/svg+xml;base64," + base64.b64encode(svg).decode("ascii")


@functools.lru_cache(maxsize=8)
def _common_inputs(folder: str, site_url: str, pdf_links: bool, form_font: str) -> str:
    """Digest of what every worksheet output is made with: our code, templates and styles,
    the library versions and the renderer's options (read once per build, not per output)."""
    files = [path.name.encode() + path.read_bytes() for path in _OWN_FILES if path.is_file()]
    options = f"{folder}|{site_url}|{pdf_links}"
    return content_digest(library_versions(*_LIBRARIES), options, form_font, *files)


def _build_pdfs(
    renderer: WorksheetRenderer,
    jobs: list[PdfJob],
    site_dir: Path,
    cache: OutputCache,
    report: BuildReport,
    workers: int | None,
) -> None:
    """Render the jobs the cache does not hold (in parallel), then link all into the site."""
    stale = [job for job in jobs if not cache.fresh(job.target, job.digest)]
    _render_all(renderer, stale, cache, workers)
    for job in stale:
        cache.store(job.target, job.digest)
    for job in jobs:
        cache.place(job.target, site_dir / job.target)
    report.pdfs += len(jobs)
    report.rendered += len(stale)
    report.rendered_targets += [job.target for job in stale]
    report.cached += len(jobs) - len(stale)


def _place_known(
    jobs: list[PdfJob], site_dir: Path, cache: OutputCache, report: BuildReport
) -> list[PdfJob]:
    """Place every PDF the cache holds, up to date or not; return the jobs not up to date."""
    stale = [job for job in jobs if not cache.fresh(job.target, job.digest)]
    for job in jobs:
        if cache.path(job.target).is_file():  # a stale one stays until its update is in
            cache.place(job.target, site_dir / job.target)
    report.pdfs += len(jobs)
    report.cached += len(jobs) - len(stale)
    return stale


def render_stale_pdfs(
    renderer: WorksheetRenderer,
    jobs: list[PdfJob],
    site_dir: str | Path,
    cache_dir: str | Path,
    *,
    pool,
    placed: Callable[[str], None],
) -> list[str]:
    """Render the deferred ``jobs`` the cache still lacks, with ``pool(workers)`` (a context
    manager giving an executor), and place each in the site, calling ``placed(target)``.

    The manifest is read again: an earlier, cancelled run may have stored some of them.
    Returns the targets rendered.
    """
    cache = OutputCache(cache_dir)
    stale = [job for job in jobs if not cache.fresh(job.target, job.digest)]
    _render_all(renderer, stale, cache, None, pool=pool)
    for job in stale:
        cache.store(job.target, job.digest)
    cache.save()
    for job in jobs:
        cache.place(job.target, Path(site_dir) / job.target)
        placed(job.target)
    return [job.target for job in stale]


def _render_all(
    renderer: WorksheetRenderer,
    jobs: list[PdfJob],
    cache: OutputCache,
    workers: int | None,
    pool=None,
) -> None:
    """One process per core (WeasyPrint is CPU-bound); in this process for a single job
    unless a ``pool`` factory is given (work in the background stays off this process)."""
    fonts = str(cache.directory / "fonts")
    # Biggest first (packets hold every sheet): the long renders start at once and the
    # single sheets fill the other cores, instead of a packet running alone at the end.
    order = sorted(range(len(jobs)), key=lambda i: len(jobs[i].activities), reverse=True)
    tasks = [(renderer.job_html(jobs[i]), str(cache.path(jobs[i].target)), fonts) for i in order]
    results = map_in_workers(_render_one, tasks, workers=workers, pool=pool)
    failures = dict(zip(order, results, strict=True))
    for index, job in enumerate(jobs):  # the first failure in reading order is reported
        failure = failures[index]
        if failure:
            raise SourceError(job.target, failure, fix="fix the activity's content, then rebuild")


def _render_one(task: tuple[str, str, str]) -> str | None:
    """Render one PDF; return the error message (exceptions do not cross processes well)."""
    from opentextbook.pdf import render_pdf

    html, target, fonts = task
    try:
        render_pdf(html, target, base_url=PACKAGE_DIR, form_font_dir=fonts)
    except SourceError as exc:
        return exc.message
    return None
