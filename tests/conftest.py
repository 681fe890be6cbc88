"""Shared fixtures: the project's root, and the book built once per test session."""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@dataclass
class Build:
    """A finished ``mkdocs build --strict`` of a copy of the book."""

    project: Path
    site: Path
    output: str

    def page(self, path: str) -> str:
        return (self.site / path).read_text(encoding="utf-8")


def copy_project(dest: Path) -> Path:
    """Copy what a build reads (config, pages, data) into ``dest``; return the copy's root."""
    dest.mkdir(parents=True, exist_ok=True)
    shutil.copy2(ROOT / "mkdocs.yml", dest / "mkdocs.yml")
    for folder in ("docs", "data"):
        shutil.copytree(ROOT / folder, dest / folder, dirs_exist_ok=True)
    return dest


def run_build(
    project: Path, *args: str, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """``mkdocs build --strict`` in ``project``, as a reader of the README would run it;
    ``env`` adds environment variables (``WORKSHEET_PDFS=false`` for a faster build)."""
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", **(env or {})}
    return subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "-d", "site", *args],
        cwd=project,
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )


def build_book(project: Path) -> Build:
    result = run_build(project)
    output = result.stdout + result.stderr
    assert result.returncode == 0, f"mkdocs build --strict failed:\n{output}"
    warnings = [line for line in output.splitlines() if line.startswith("WARNING")]
    assert not warnings, "build printed warnings:\n" + "\n".join(warnings)
    return Build(project=project, site=project / "site", output=output)


@pytest.fixture(autouse=True)
def _restore_source_date_epoch():
    """A build run in this process pins ``SOURCE_DATE_EPOCH`` (the plugin sets it from the
    book's date): undo that after each test, so no later build inherits another book's date."""
    saved = os.environ.get("SOURCE_DATE_EPOCH")
    yield
    if saved is None:
        os.environ.pop("SOURCE_DATE_EPOCH", None)
    else:
        os.environ["SOURCE_DATE_EPOCH"] = saved


@pytest.fixture(scope="session")
def built_site(tmp_path_factory: pytest.TempPathFactory) -> Build:
    """The whole book, built once with ``--strict`` in a temporary folder."""
    return build_book(copy_project(tmp_path_factory.mktemp("book")))


# Browser fixtures (accessibility, keyboard and PLN-builder tests): the built site served on
# loopback, and one headless Debian Chromium for the whole session.
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def served_site(built_site: Build, tmp_path_factory: pytest.TempPathFactory):
    """Base URL (ending in ``/``) of ``built_site`` served by http.server on 127.0.0.1."""
    with serve(built_site, tmp_path_factory.mktemp("served")) as url:
        yield url


@contextlib.contextmanager
def serve(build: Build, root: Path):
    """Serve ``build``'s site on 127.0.0.1 from the empty folder ``root``; yield its base URL."""
    import functools
    import http.server
    import re
    import threading
    import urllib.parse

    class QuietHandler(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args) -> None:
            pass

    # Serve under site_url's path (as GitHub Pages does): 404.html links to absolute URLs.
    canonical = re.search(r'<link rel="canonical" href="([^"]+)"', build.page("index.html"))
    # The home page's canonical URL is the site's address, or that plus "index.html".
    home = urllib.parse.urlparse(canonical[1] if canonical else "/").path
    prefix = home.rpartition("/")[0].strip("/")
    mount = root / prefix if prefix else root
    mount.parent.mkdir(parents=True, exist_ok=True)
    if prefix:
        mount.symlink_to(build.site, target_is_directory=True)
    handler = functools.partial(QuietHandler, directory=str(root if prefix else build.site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/{prefix + '/' if prefix else ''}"
    finally:
        server.shutdown()
        server.server_close()


TRANSLATED_BOOK = ROOT / "tests" / "fixtures" / "translated-book"
"""A small book in Spanish; built as it is and with ``language: ar`` in data/book.yml."""


@pytest.fixture(scope="session", params=["es", "ar"])
def translated_book(request, tmp_path_factory: pytest.TempPathFactory) -> tuple[str, Build]:
    """``(language, build)``: the translated fixture book built in Spanish, then in Arabic."""
    language = request.param
    project = tmp_path_factory.mktemp(f"book-{language}")
    shutil.copytree(TRANSLATED_BOOK, project, dirs_exist_ok=True)
    book = project / "data" / "book.yml"
    book.write_text(book.read_text("utf-8").replace("language: es", f"language: {language}"))
    return language, build_book(project)


@pytest.fixture(scope="session")
def served_translated_book(translated_book, tmp_path_factory: pytest.TempPathFactory):
    """``(language, build, base URL)``: ``translated_book`` served on 127.0.0.1."""
    language, build = translated_book
    with serve(build, tmp_path_factory.mktemp(f"served-{language}")) as url:
        yield language, build, url


@pytest.fixture(scope="session")
def browser():
    """One headless Chromium (Debian's) for the session; tests open their own contexts."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        yield chromium
        chromium.close()


# The page-syntax extensions of mkdocs.yml that our blocks run alongside.
PAGE_EXTENSIONS = [
    "toc",
    "admonition",
    "attr_list",
    "md_in_html",
    "def_list",
    "footnotes",
    "tables",
    "pymdownx.superfences",
    "pymdownx.blocks.admonition",
    "pymdownx.blocks.details",
    "opentextbook.markdown.activity",
    "opentextbook.markdown.datatable",
]


def convert_page(text: str, page: str) -> str:
    """Markdown ``text`` to HTML as the book converts ``page`` (blocks know page and line)."""
    import markdown

    from opentextbook.markdown import location

    location.set_page(page, text)
    try:
        return markdown.markdown(
            text,
            extensions=PAGE_EXTENSIONS,
            extension_configs={"opentextbook.markdown.datatable": {"data_dir": str(ROOT / "data")}},
        )
    finally:
        location.clear_page()


def local_links(page: Path):
    """``(url, path)`` of every same-site address an HTML page links to or loads."""
    from urllib.parse import urlsplit

    from lxml import html as lxml_html

    root = lxml_html.fromstring(page.read_bytes())
    for url in root.xpath("//a/@href | //link/@href | //script/@src | //img/@src"):
        parts = urlsplit(url)
        if not (parts.scheme or parts.netloc or not parts.path):
            yield url, parts.path


def two_activity_registry(first_step: str):
    """Activities ``first`` (whose text is ``first_step``) and ``second`` in one chapter."""
    from opentextbook.activities.model import Activity, ActivityRegistry

    registry = ActivityRegistry()
    registry.set_chapters(["ch.md"])
    for ident, text in (("first", first_step), ("second", "Think.")):
        registry.add(
            Activity(id=ident, title=ident.title(), page="ch.md", before_html=f"<p>{text}</p>")
        )
    return registry


def structure_elements(element) -> list:
    """``element`` (a tagged PDF's structure element, read with pikepdf) and every structure
    element below it, in document order: for tests of tagged PDFs."""
    import pikepdf

    found = [element]
    kids = element.get("/K")
    for kid in kids if isinstance(kids, pikepdf.Array) else [kids]:
        if isinstance(kid, pikepdf.Dictionary) and "/S" in kid:
            found += structure_elements(kid)
    return found
