"""The MkDocs adapter: wires MkDocs events to the core, and does nothing else.

Model: mkdocs-material's tags plugin — each hook is a few lines handing off to a named
collaborator in the core. Anything that could run without MkDocs belongs in the core.
"""

from __future__ import annotations

import contextlib
import errno
import html
import logging
import os
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import material
import yaml
from mkdocs.config import base
from mkdocs.config import config_options as opt
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin, CombinedEvent, event_priority, get_plugin_logger
from mkdocs.structure.files import File, Files
from mkdocs.utils import CountHandler, get_relative_url
from mkdocs.utils.yaml import yaml_load

from opentextbook import i18n
from opentextbook.activities.editions import LABELS, site_url_notice
from opentextbook.activities.model import ActivityRegistry
from opentextbook.activities.worksheets import SITE_FOLDER as WORKSHEETS
from opentextbook.activities.worksheets import BuildReport, build_worksheets, packet_downloads
from opentextbook.book import BookContents, BookMetadata, citations, load_metadata
from opentextbook.datasets import Dataset, load_datasets
from opentextbook.datasets.downloads import render_download_list, write_downloads
from opentextbook.datasets.package import write_data_package
from opentextbook.markdown import location
from opentextbook.markdown.activity import ActivityExtension
from opentextbook.mkdocs.credits import check_identity, read_contents
from opentextbook.mkdocs.pages import PageRenderCache
from opentextbook.mkdocs.search import SearchEntryCache
from opentextbook.mkdocs.serving import SCRIPT_PATH, ServedDownloads
from opentextbook.pln import (
    PLN_DOWNLOADS_DIR,
    add_builder_assets,
    geometry_script,
    storage_key,
    write_pln_downloads,
)
from opentextbook.publishing.bookpages import BookPage
from opentextbook.publishing.pagehtml import name_search_dialog, relocatable_404, text_direction
from opentextbook.publishing.publisher import BookPublisher
from opentextbook.publishing.snippets import Download, downloads_list
from opentextbook.support.background import BackgroundWork
from opentextbook.support.cache import OutputCache, ensure_writable
from opentextbook.support.errors import SourceError
from opentextbook.support.keptfolder import KeptFolder
from opentextbook.support.reproducible import pin_build_date
from opentextbook.support.staging import SiteStaging
from opentextbook.support.templating import (
    as_text,
    jinja_bytecode_cache,
    render_template,
    use_bytecode_cache,
)
from opentextbook.support.urls import is_published_site_url, is_site_url, safe_url
from opentextbook.support.yamlsource import MAX_FRONT_MATTER_VALUES, display_path, exceeds_values

log = get_plugin_logger(__name__)

PACKAGE_DIR = Path(__file__).parent.parent
DATATABLE_EXTENSION = "opentextbook.markdown.datatable"
ASSET_PREFIX = "assets/opentextbook"


class OpenTextbookConfig(base.Config):
    """Options of the ``opentextbook`` plugin in ``mkdocs.yml``."""

    metadata = opt.Type(str, default="data/book.yml")
    """Book metadata file (title, authors, licence, source work), relative to mkdocs.yml."""

    data_dir = opt.Type(str, default="data")
    """Folder of the book's data sets (``<name>.schema.yml`` + ``<name>.yml`` or ``.csv``),
    relative to mkdocs.yml."""

    chapter = opt.Deprecated(
        message="The opentextbook option 'chapter' is retired: every page is a chapter, with "
        "its own JSON-LD, citation tags and citations, unless its front matter says "
        "'chapter: false' (front and back matter) — remove the option from mkdocs.yml",
    )
    """Retired: which pages are chapters is said by each page's front matter."""

    downloads = opt.Type(bool, default=True)
    """Write the whole-book PDF, EPUB and offline zip; ``false`` makes ``serve`` fast."""

    worksheet_pdfs = opt.Type(bool, default=True)
    """Render worksheet and packet PDFs (false: printable pages only, for a fast ``serve``)."""

    cache = opt.Type(bool, default=True)
    """Reuse page conversions and search entries from ``.cache/opentextbook/`` when nothing
    they depend on changed (``false``: convert and index every page on every build)."""


class OpenTextbookPlugin(BasePlugin[OpenTextbookConfig]):
    """Builds the book: metadata, theme additions, and the outputs of the core."""

    def __init__(self) -> None:
        self.metadata: BookMetadata | None = None
        self.datasets: dict[str, Dataset] = {}
        self.root = Path.cwd()
        self.cache_dir = self.root / ".cache" / "opentextbook"
        """Where every cache of the build lives, one folder per kind of output."""
        self.publisher: BookPublisher | None = None
        self.activities = ActivityRegistry()
        self.page_cache: PageRenderCache | None = None
        self.search_cache: SearchEntryCache | None = None
        self.page_count = 0
        self.contents: BookContents | None = None
        self.command = "serve"
        self.serving = False
        self.staging: SiteStaging | None = None
        self.site_url = ""
        """The published address (``serve`` replaces ``config.site_url`` with its own)."""
        self.background = BackgroundWork()
        """``serve``: the slow downloads, made after the page is served (``serving.py``)."""
        self.served: ServedDownloads | None = None
        self.kept: KeptFolder | None = None
        """``serve``: the worksheet folder, kept through MkDocs' cleaning of the site."""
        self._data_text: dict[str, tuple[str, object]] = {}
        """Each data set's records as text for macros, by digest (``serve`` rebuilds reuse it)."""

    def on_startup(self, *, command: str, dirty: bool) -> None:
        self.command = "dirty" if dirty else command
        self.serving = command == "serve"

    def on_shutdown(self) -> None:
        self.background.cancel()  # no worker process outlives `serve`

    def on_config(self, config: MkDocsConfig) -> MkDocsConfig:
        self.background.cancel()  # a newer build: the last one's downloads are made again
        self.root = Path(config.config_file_path).parent
        self.site_url = _published_site_url(config, self.serving)
        _check_site_addresses(config, self.site_url)
        _or_plugin_error(ensure_writable, self.root / ".cache" / "opentextbook", ".cache")
        self.metadata = _or_plugin_error(load_metadata, self.root / self.config.metadata)
        _use_language(config, self.metadata)
        _or_plugin_error(pin_build_date, self.metadata.date)
        # The theme and mkdocs-macros print these without escaping: give them text.
        config.extra["book"] = as_text(self.metadata.as_dict())
        check_identity(config, self.metadata, self.config.metadata)
        for key in ("site_name", "site_description", "site_author"):  # the theme prints them raw
            config[key] = as_text(config[key])
        self.cache_dir = cache = self.root / ".cache" / "opentextbook"
        data_dir = self.root / self.config.data_dir
        metadata_file = [(self.root / self.config.metadata).name]
        self.datasets = _or_plugin_error(load_datasets, data_dir, cache / "data", metadata_file)
        config.extra["data"] = self._data_as_text()
        _bind_datatables(config, self.datasets, data_dir, cache / "tables")
        _register_data_macros(config, self.datasets)
        _add_theme_dir(config, PACKAGE_DIR / "theme")
        config.extra_css.append(f"{ASSET_PREFIX}/book.css")
        config.extra_css.append(f"{ASSET_PREFIX}/a11y.css")
        self.activities = _bind_activities(config, self.config.worksheet_pdfs)
        self.page_cache = self.search_cache = None
        if self.config.cache:
            self.page_cache = PageRenderCache(cache / "pages", self.activities)
            self.search_cache = SearchEntryCache(cache / "search")
        self.publisher = _set_up_publishing(config, self.metadata, self.config, self.site_url)
        _link_book_editions(config, self.publisher)
        _register_worksheet_downloads(config, self.config.worksheet_pdfs)
        citations.use_cache_dir(cache / "citations")
        use_bytecode_cache(cache / "jinja" / "package")
        self.staging = _stage_site(config, self.command)
        self.kept = KeptFolder(config.site_dir, WORKSHEETS) if self.command == "serve" else None
        return config

    def _data_as_text(self) -> dict[str, object]:
        """The data sets' records as text for macros, made again only for a changed data set
        (thousands of records are walked otherwise on every ``serve`` rebuild)."""
        made = {}
        for name, dataset in self.datasets.items():
            digest, text = self._data_text.get(name, ("", None))
            if digest != dataset.digest:
                digest, text = dataset.digest, as_text(dataset.records)
            made[name] = (digest, text)
        self._data_text = made
        return {name: text for name, (_, text) in made.items()}

    def on_pre_build(self, *, config: MkDocsConfig) -> None:
        # After every plugin's on_config: Material's search plugin has made its index.
        if self.search_cache:
            self.search_cache.attach(config.plugins)
        if self.kept:  # before MkDocs empties the site (``support/keptfolder.py``)
            self.kept.hide()

    def on_files(self, files: Files, *, config: MkDocsConfig) -> Files:
        _add_package_asset(files, config, "css/book.css", f"{ASSET_PREFIX}/book.css")
        _add_package_asset(files, config, "css/a11y.css", f"{ASSET_PREFIX}/a11y.css")
        for asset in ACTIVITY_ASSETS:
            _add_package_asset(files, config, asset, f"{ASSET_PREFIX}/{Path(asset).name}")
        for asset in DATATABLE_ASSETS:
            _add_package_asset(files, config, asset, f"{ASSET_PREFIX}/{Path(asset).name}")
        data_dir = self.root / self.config.data_dir
        _add_pln_files(files, config, self.metadata, data_dir, self.cache_dir / "pln")
        _add_publishing_files(files, config, self.publisher)
        if self.config.worksheet_pdfs:  # stand-ins, so links to the packets validate
            for _, path, _ in packet_downloads():
                files.append(File.generated(config, path, content=b""))
        _check_case_clashes(files)
        return files

    def on_env(self, env, *, config: MkDocsConfig, files: Files):
        self.page_count = len(files.documentation_pages())
        _drop_stand_ins(files, self.publisher)  # links are checked: never write them
        # Compiled theme templates are kept between builds (Jinja checks each source's hash).
        env.bytecode_cache = jinja_bytecode_cache(self.cache_dir / "jinja" / "theme")
        # Our theme partials print addresses through the one URL rule (MkDocs' env has none).
        env.filters["safe_url"] = safe_url
        return env

    def on_nav(self, nav, *, config: MkDocsConfig, files: Files):
        pages = [(page, _shown_path(page.file, self.root)) for page in nav.pages]
        self.contents = read_contents(self.metadata, pages)
        self.publisher.contents = self.contents
        config.extra["credits"] = self.contents.as_dict()
        chapters = [page.path for page in self.contents.chapters]
        self.activities.set_chapters(chapters)
        if self.page_cache:  # what else decides a page's HTML: metadata, data, chapter order
            book = {name: value for name, value in config.extra.items() if name != "data"}
            data = {name: dataset.digest for name, dataset in self.datasets.items()}
            self.page_cache.inputs = {"extra": book, "chapters": chapters}
            self.page_cache.data = data
        return nav

    def on_template_context(self, context, *, template_name: str, config: MkDocsConfig):
        # Static pages (404.html) declare the book and its licence like every page.
        context["opentextbook_head"] = self.publisher.head("", self.metadata.title, None)
        context["opentextbook_footer"] = self.publisher.footer("")
        return context

    def on_post_template(self, output: str, *, template_name: str, config: MkDocsConfig) -> str:
        output = name_search_dialog(output, i18n.t("search.dialog"))
        output = text_direction(output, i18n.active().direction)
        if template_name == "404.html":
            base = urlsplit(config.site_url or "").path or "/"
            output = relocatable_404(output, base, known=bool(self.site_url or self.serving))
        return output

    def on_page_context(self, context, *, page, config: MkDocsConfig, nav):
        src, order = page.file.src_uri, [item.file.src_uri for item in nav.pages]
        # MkDocs' titles are HTML text ("Q&amp;A"); the core escapes what it prints itself.
        title = html.unescape(str(page.title or ""))
        canonical = _published_address(self.site_url, page)
        context["opentextbook_head"] = self.publisher.head(src, title, canonical)
        context["opentextbook_footer"] = self.publisher.footer(src)
        book_page = BookPage(src, title, page.url, page.content or "")
        self.publisher.collect(book_page, order=order, in_book=page.meta.get("whole_book", True))
        return context

    def on_post_page(self, output: str, *, page, config: MkDocsConfig) -> str:
        output = name_search_dialog(output, i18n.t("search.dialog"))
        output = text_direction(output, i18n.active().direction)
        if page.meta.get("pln_builder"):  # the builder's scripts load on its page only
            key = storage_key(self.metadata, self.site_url)
            output = add_builder_assets(output, get_relative_url(ASSET_PREFIX, page.url), key)
        if self.serving and (self.config.downloads or self.config.worksheet_pdfs):
            output = _with_status_script(output, get_relative_url(SCRIPT_PATH, page.url))
        return output

    @event_priority(50)  # before mkdocs-macros: blocks find their lines in the source
    def _locate_page(self, markdown: str, *, page, config: MkDocsConfig, files: Files) -> str:
        shown = _shown_path(page.file, self.root)
        location.set_page(shown, page.file.content_string, page.url)
        _bound_front_matter(page, shown)  # before anything walks it
        # Front matter reaches Material's templates (title, description) and macros unescaped.
        page.meta = as_text(page.meta)
        for flag in FRONT_MATTER_FLAGS:
            if flag in page.meta:
                page.meta[flag] = _front_matter_flag(page, flag, shown)
        _skip_macros_without_syntax(page, markdown, config)
        return markdown

    @event_priority(-50)  # after mkdocs-macros: what it adds is not read as a macro
    def _end_chapter(self, markdown: str, *, page, config: MkDocsConfig, files: Files) -> str:
        canonical = _published_address(self.site_url, page)
        ending = self.publisher.chapter_end(page.file.src_uri, canonical)
        return f"{markdown.rstrip()}\n\n{ending}\n" if ending else markdown

    @event_priority(-100)  # after every other plugin: the Markdown as it will be converted
    def _reuse_conversion(self, markdown: str, *, page, config: MkDocsConfig, files: Files):
        if self.page_cache:
            here = location.current_page()
            self.page_cache.bind(
                page, markdown, path=here.path, source=here.text, config=config, files=files
            )
        return markdown

    on_page_markdown = CombinedEvent(_locate_page, _end_chapter, _reuse_conversion)

    # Last of all (after the search index and Material's offline plugin at -100): the offline
    # zip made here must hold every other output.
    @event_priority(-200)
    def on_post_build(self, *, config: MkDocsConfig) -> None:
        location.clear_page()
        if self.page_cache and self.page_cache.pages_seen == self.page_count:
            # Every page was looked up (not a --dirty build): forget the entries not used.
            self.page_cache.prune()
            self.search_cache.prune()
        if self.page_cache:
            log.info(f"{self.page_cache}; {self.search_cache}")
        self.served = ServedDownloads(config.site_dir, self.cache_dir) if self.serving else None
        if self.kept:
            self.kept.restore()
        placed = _write_worksheets(self, config).placed
        if self.kept:
            self.kept.prune(placed)
        write_downloads(self.datasets, config.site_dir, self.cache_dir / "downloads")
        write_data_package(self.datasets, self.metadata, config.site_dir)
        if self.served:  # serve: the page now, the whole-book downloads after it
            self.served.defer_publishing(self.publisher)
            self.served.start(self.background)
        else:
            _write_whole_book(self.publisher, Path(config.site_dir), self.cache_dir)
        if self.staging:  # the complete site takes the previous one's place
            _unstage_site(self.staging, config)
            self.staging = None

    @event_priority(-200)  # last: other plugins tidy up first
    def on_build_error(self, *, error: Exception) -> None:
        if self.staging:
            self.staging.abandon()
            self.staging = None
        if isinstance(error, OSError):  # a full disk, a read-only folder: no traceback
            raise PluginError(_fault_message(error)) from None

    def on_serve(self, server, *, config: MkDocsConfig, builder):
        server.watch(str(self.root / self.config.data_dir))
        return server


def _shown_path(file: File, root: Path) -> str:
    """A page's path as messages show it: from the project folder (``docs/page.md``)."""
    if not file.abs_src_path:  # a page generated by a plugin has no file on disk
        return file.src_uri
    return Path(os.path.relpath(file.abs_src_path, root)).as_posix()


FRONT_MATTER_FLAGS = ("whole_book", "pln_builder")
"""Yes/no front matter keys the toolchain reads (``whole_book: false`` leaves a page out)."""


def _skip_macros_without_syntax(page, markdown: str, config: MkDocsConfig) -> None:
    """Tell mkdocs-macros to leave a page alone that has none of its template syntax.

    mkdocs-macros compiles every page as a Jinja template on every build, a few milliseconds
    to tens of milliseconds a page; in ``serve`` that is paid for every page on every save.
    Its own ``has_j2`` decides (it knows the configured delimiters); a page that says
    ``render_macros`` itself is left as it says.
    """
    has_j2 = getattr(config.plugins.get("macros"), "has_j2", None)
    if callable(has_j2) and "render_macros" not in page.meta and not has_j2(markdown):
        page.meta["render_macros"] = False


def _front_matter_flag(page, key: str, shown: str) -> bool:
    """A yes/no front matter value; text such as ``"false"`` is a warning, never taken as true."""
    value = page.meta[key]
    if isinstance(value, bool):
        return value
    lines = (page.file.content_string or "").splitlines()
    line = next((n for n, text in enumerate(lines, 1) if text.startswith(f"{key}:")), None)
    message = f"front matter '{key}' must be true or false, not '{value}'"
    fix = f"write '{key}: false' or '{key}: true', without quotes"
    log.warning(str(SourceError(shown, message, line=line, fix=fix)))
    return str(value).strip().lower() in ("true", "yes", "on", "1")


def _use_language(config: MkDocsConfig, metadata: BookMetadata) -> None:
    """Every label the toolchain adds, and Material's own interface, in the book's language.

    ``theme.language`` follows ``language`` in ``data/book.yml`` unless ``mkdocs.yml`` sets it;
    when both are set and differ, the build warns (the interface would speak another language).
    """
    strings = i18n.activate(metadata.language, dict(metadata.strings))
    if strings.locale == "en" and not metadata.language.lower().startswith("en"):
        log.info(
            f"no labels in '{metadata.language}' are shipped: English labels are used — "
            "translate them under 'strings:' in data/book.yml (see docs/remix.md)"
        )
    _name_heading_links(config)
    theme = config.theme
    if not theme.get("direction"):  # Material writes it on <html>: lists, tables, forms follow
        theme["direction"] = strings.direction
    configured = (theme.get("language") or "").lower()
    if not configured or not _user_set_theme_language(config):
        theme["language"] = _material_language(metadata.language)
    elif configured.split("-")[0] != metadata.language.lower().split("-")[0]:
        log.warning(
            f"mkdocs.yml: theme language '{theme['language']}' differs from the book's language "
            f"'{metadata.language}' (data/book.yml) — remove 'language:' under 'theme:' so it "
            "follows the book, or make them the same"
        )


def _name_heading_links(config: MkDocsConfig) -> None:
    """The ``title`` of the toc extension's heading links ("Link to this section") in the
    book's language, unless ``mkdocs.yml`` gives one (its default, "Permanent link", is
    English whatever the book's language)."""
    toc = config.mdx_configs.get("toc")
    if isinstance(toc, dict) and toc.get("permalink") and "permalink_title" not in toc:
        toc["permalink_title"] = i18n.t("toc.permalink_title")


def _user_set_theme_language(config: MkDocsConfig) -> bool:
    """Whether ``mkdocs.yml`` itself names ``theme.language`` (MkDocs merges in the theme's
    default, so the loaded config cannot tell)."""
    with open(config.config_file_path, "rb") as file:
        raw = yaml_load(file) or {}
    theme = raw.get("theme")
    return isinstance(theme, dict) and "language" in theme


def _material_language(tag: str) -> str:
    """The Material interface language for a BCP 47 tag: ``pt-BR`` as is, ``es-MX`` as ``es``;
    English when Material has none."""
    folder = Path(material.__file__).parent / "templates" / "partials" / "languages"
    shipped = {path.stem.lower(): path.stem for path in folder.glob("*.html")}
    parts = tag.lower().split("-")
    for size in range(len(parts), 0, -1):
        found = shipped.get("-".join(parts[:size]))
        if found:
            return found
    log.info(f"Material has no interface in '{tag}': its buttons stay English")
    return "en"


def _published_site_url(config: MkDocsConfig, serving: bool) -> str:
    """``site_url`` as ``mkdocs.yml`` (or ``SITE_URL``) gives it, not as ``serve`` sets it.

    ``serve`` replaces ``config.site_url`` with its local address after loading the file, so
    there it is read from the file again (MkDocs' own loader: ``!ENV``, ``INHERIT``).
    Citations, QR codes and other printed addresses name the published book, so ``serve``
    and ``build`` make the same pages and PDFs and share every cache entry.
    """
    given = config.site_url or ""
    if serving and config.config_file_path:
        problems = (OSError, ValueError, yaml.YAMLError, AttributeError)
        with contextlib.suppress(*problems), open(config.config_file_path, "rb") as handle:
            given = str(yaml_load(handle).get("site_url") or "")
    return given if not given or given.endswith("/") else given + "/"


def _published_address(site_url: str, page) -> str | None:
    """The page's address in the published book (MkDocs' ``canonical_url``, not serve's)."""
    return urljoin(site_url, page.url) if site_url else None


def _with_status_script(output: str, src: str) -> str:
    """``serve``: the page marks links to downloads still being made (``serving.py``)."""
    tag = render_template("downloads_status.html", src=src).strip()
    head, found, tail = output.rpartition("</body>")
    return f"{head}{tag}{found}{tail}" if found else output + tag


def _check_site_addresses(config: MkDocsConfig, site_url: str) -> None:
    """``site_url`` and ``repo_url`` (often from ``SITE_URL``/``REPO_URL``) reach every page's
    links unescaped: only an http(s) address without markup characters is accepted."""
    for key, value in (("site_url", site_url), ("repo_url", config.get("repo_url"))):
        if value and not is_site_url(value):
            raise PluginError(
                f"{Path(config.config_file_path).name}: '{key}' (or the {key.upper()} "
                f"environment variable) must be an http(s) address, not '{value}' — "
                "write e.g. 'https://example.org/book/'"
            )


def _check_case_clashes(files: Files) -> None:
    """Site files whose names differ only by case (``Map.html``, ``map.html``) are one file on
    macOS and Windows and when the offline zip is unpacked there: stop with both names."""
    seen: dict[str, File] = {}
    for file in files:
        first = seen.setdefault(file.dest_uri.casefold(), file)
        if first is not file and first.dest_uri != file.dest_uri:
            raise PluginError(
                f"'{first.src_uri}' and '{file.src_uri}' become '{first.dest_uri}' and "
                f"'{file.dest_uri}', names that differ only by case: one file on macOS and "
                "Windows and in the offline zip — rename one of them"
            )


def _stage_site(config: MkDocsConfig, command: str) -> SiteStaging | None:
    """Build into a folder beside the site, so a failure leaves the previous site whole
    (not for ``serve`` and ``--dirty`` builds, which update a site in place)."""
    if command not in {"build", "gh-deploy"}:
        return None
    staging = SiteStaging(config.site_dir)
    if not staging.start():
        return None
    config.site_dir = str(staging.folder)
    return staging


def _unstage_site(staging: SiteStaging, config: MkDocsConfig) -> None:
    """Swap the finished build in, unless ``--strict`` is about to fail it for a warning."""
    config.site_dir = str(staging.site)
    counters = [h for h in logging.getLogger("mkdocs").handlers if isinstance(h, CountHandler)]
    if config.strict and any(counter.get_counts() for counter in counters):
        staging.abandon()
    else:
        staging.finish()


def _fault_message(error: OSError) -> str:
    """One line for a failed write: which file, why, what to do."""
    name = display_path(error.filename) if error.filename else "the site"
    if error.errno == errno.ENOSPC:
        fix = "free some disk space, then build again"
    elif error.errno in {errno.EACCES, errno.EPERM, errno.EROFS}:
        fix = "make that folder writable, or build elsewhere with 'mkdocs build -d DIR'"
    else:
        fix = "check the disk and the folder, then build again"
    why = error.strerror or str(error)
    return f"{name}: could not write ({why}) — {fix}; the previous site is unchanged"


def _bound_front_matter(page, path: str) -> None:
    """Drop front matter that expands to more values than any page needs (an alias bomb),
    before a plugin prints or JSON-dumps it (mkdocs-macros does): that would never end."""
    if exceeds_values(page.meta, MAX_FRONT_MATTER_VALUES):
        log.warning(
            f"{path}:1: the front matter expands to more than {MAX_FRONT_MATTER_VALUES:,} "
            "values (nested YAML aliases '*name'?), so it is ignored — write the values out "
            "in full and keep front matter to a few keys"
        )
        page.meta = {}


def _or_plugin_error(load, *args):
    """Call a core loader; a ``SourceError`` stops the build with its one-line message."""
    try:
        return load(*args)
    except SourceError as exc:
        raise PluginError(str(exc)) from None


DATATABLE_ASSETS = (
    "js/tablesort.min.js",
    "js/tablesort.LICENCE.txt",  # MIT: the notice travels with the vendored copy
    "js/datatable.js",
    "css/datatable.css",
)


def _bind_datatables(
    config: MkDocsConfig, datasets: dict[str, Dataset], data_dir: Path, cache_dir: Path
) -> None:
    """Hand the validated data sets to the ``datatable`` block; load its script and styles."""
    options = config.mdx_configs.setdefault(DATATABLE_EXTENSION, {})
    options.update(datasets=datasets, data_dir=str(data_dir), downloads=True)
    options.update(cache_dir=str(cache_dir))
    config.extra_javascript.append(f"{ASSET_PREFIX}/tablesort.min.js")
    config.extra_javascript.append(f"{ASSET_PREFIX}/datatable.js")
    config.extra_css.append(f"{ASSET_PREFIX}/datatable.css")


def _register_data_macros(config: MkDocsConfig, datasets: dict[str, Dataset]) -> None:
    """``{{ data_downloads() }}``: every data set's downloads and the Data Package, for a page."""
    macros_plugin = config.plugins.get("macros")
    if macros_plugin is not None:
        lister = lambda: render_download_list(datasets, location.site_link)  # noqa: E731
        macros_plugin.register_macros({"data_downloads": lister})


ACTIVITY_EXTENSION = "opentextbook.markdown.activity"
ACTIVITY_ASSETS = ("css/activities.css", "js/print-details.js")


def _bind_activities(config: MkDocsConfig, pdf: bool) -> ActivityRegistry:
    """Swap the activity extension's name for an instance filling a new, shared registry."""
    registry = ActivityRegistry()
    names = config.markdown_extensions
    if ACTIVITY_EXTENSION in names:
        options = {"pdf": pdf, **config.mdx_configs.pop(ACTIVITY_EXTENSION, {})}
        names[names.index(ACTIVITY_EXTENSION)] = ActivityExtension(registry=registry, **options)
    config.extra_css.append(f"{ASSET_PREFIX}/activities.css")
    config.extra_javascript.append(f"{ASSET_PREFIX}/print-details.js")
    return registry


def _link_book_editions(config: MkDocsConfig, publisher: BookPublisher) -> None:
    """Each activity box links the whole book's student and teacher editions (PDF, EPUB)."""
    editions = [[item.label, item.path] for item in publisher.downloads or []]
    book = [pair for pair in editions if pair[1].endswith((".pdf", ".epub"))]
    for extension in config.markdown_extensions:
        if isinstance(extension, ActivityExtension):
            extension.setConfig("book", book)


def _write_worksheets(plugin: OpenTextbookPlugin, config: MkDocsConfig) -> BuildReport:
    """Worksheet pages, PDFs and packets, cached in ``.cache/opentextbook/worksheets``."""
    return _or_plugin_error(
        lambda: build_worksheets(
            plugin.activities,
            plugin.metadata,
            config.site_dir,
            plugin.cache_dir / "worksheets",
            site_url=_printed_site_url(plugin.site_url),
            pdf=plugin.config.worksheet_pdfs,
            contents=plugin.contents,
            deferred=plugin.served.defer_sheets if plugin.served else None,
        )
    )


def _register_worksheet_downloads(config: MkDocsConfig, pdf: bool) -> None:
    """``{{ worksheet_downloads() }}``: the packets, facilitator editions and answer keys."""
    macros_plugin = config.plugins.get("macros")
    if macros_plugin is None:
        return

    def lister() -> str:
        if not pdf:
            return LABELS["packets_off"]
        items = [Download(*item) for item in packet_downloads()]  # in the book's language
        return downloads_list(items, macros_plugin.page.file.src_uri)

    macros_plugin.register_macros({"worksheet_downloads": lister})


def _printed_site_url(site_url: str | None) -> str:
    """The address sheets print (QR code, "online" line): none while it is a placeholder,
    with one notice saying how to set it, so no sheet leads to a page that does not exist."""
    if is_published_site_url(site_url):
        return site_url
    log.info(site_url_notice(site_url or ""))
    return ""


def _add_theme_dir(config: MkDocsConfig, path: Path) -> None:
    """Our template overrides sit after the user's ``custom_dir``, before the theme's own."""
    position = 1 if config.theme.custom_dir else 0
    config.theme.dirs.insert(position, str(path))


def _add_pln_files(
    files: Files, config: MkDocsConfig, metadata: BookMetadata, data_dir: Path, cache: Path
) -> None:
    """PLN templates (made in the output cache, copied by MkDocs) and the builder's assets."""
    for item in _or_plugin_error(write_pln_downloads, metadata, data_dir, cache):
        dest = f"{PLN_DOWNLOADS_DIR}/{item.name}"
        files.append(File.generated(config, dest, abs_src_path=str(item.path)))
    script = geometry_script(metadata)
    files.append(File.generated(config, f"{ASSET_PREFIX}/pln-geometry.js", content=script))
    _add_package_asset(files, config, "css/pln.css", f"{ASSET_PREFIX}/pln.css")
    _add_package_asset(files, config, "js/pln-builder.js", f"{ASSET_PREFIX}/pln-builder.js")


PUBLISHING_ASSETS = (
    "js/copy.js",
    "css/publishing.css",
    "js/vendor/iframe-worker-shim.js",
    "js/vendor/iframe-worker.LICENSE.txt",  # MIT: the notice travels with the vendored copy
)


def _set_up_publishing(config: MkDocsConfig, metadata, options, site_url: str) -> BookPublisher:
    """Citations, attribution and downloads: macros for pages, scripts, styles, offline shim."""
    publisher = BookPublisher(
        metadata,
        site_url=site_url,
        downloads=options.downloads,
        stylesheets=[PACKAGE_DIR / "assets" / "css" / "book.css"],
    )
    macros_plugin = config.plugins.get("macros")
    if macros_plugin is not None:
        page = lambda: macros_plugin.page  # noqa: E731 — the page being rendered, at call time
        macros_plugin.register_macros(
            publisher.macros(
                page_url=lambda: _published_address(site_url, page()),
                page_src=lambda: page().file.src_uri,
            )
        )
    # Local copy of the Worker shim that Material's offline plugin would fetch from unpkg.com.
    shim = f"{ASSET_PREFIX}/iframe-worker-shim.js"
    config.extra["polyfills"] = [*config.extra.get("polyfills", []), shim]
    config.extra_css.append(f"{ASSET_PREFIX}/publishing.css")
    config.extra_javascript.append(f"{ASSET_PREFIX}/copy.js")
    return publisher


def _add_publishing_files(files: Files, config: MkDocsConfig, publisher: BookPublisher) -> None:
    for asset in PUBLISHING_ASSETS:
        _add_package_asset(files, config, asset, f"{ASSET_PREFIX}/{Path(asset).name}")
    # Stand-ins, so links to the downloads validate; dropped before MkDocs writes files
    # (on_env), and on_post_build writes the real ones.
    for item in publisher.downloads or []:
        files.append(File.generated(config, item.path, content=b""))


def _drop_stand_ins(files: Files, publisher: BookPublisher) -> None:
    """Forget the downloads' and packets' stand-ins once pages are converted: an empty file
    written for one would sit in the site until the real one replaces it (or for ever, if the
    build dies), and would make the worksheet folder that ``serve`` keeps look written anew."""
    paths = [item.path for item in publisher.downloads or []]
    paths += [path for _, path, _ in packet_downloads()]
    for path in paths:
        if (stand_in := files.get_file_from_path(path)) is not None:
            files.remove(stand_in)


def _write_whole_book(publisher: BookPublisher, site_dir: Path, cache_dir: Path) -> None:
    cache = OutputCache(cache_dir / "publishing")
    _or_plugin_error(publisher.write_downloads, site_dir, cache)
    publisher.write_offline_zip(site_dir, cache)
    cache.save(prune=True)


def _add_package_asset(files: Files, config: MkDocsConfig, source: str, dest: str) -> None:
    files.append(File.generated(config, dest, abs_src_path=str(PACKAGE_DIR / "assets" / source)))
