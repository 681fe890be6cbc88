"""The ``opentextbook`` command line (also ``python -m opentextbook``): outputs without a site.

Each subcommand is a function that adds its parser to the shared ``subparsers`` and sets
``handler`` to the function that runs it; to add one, write ``_add_<name>(subparsers)`` and list
it in :data:`COMMANDS`. Handlers return an exit status; a ``SourceError`` is printed as one line
(file, line, problem, fix) with status 1, never as a traceback.

``opentextbook schemas`` regenerates ``data/json-schemas/*.json`` from ``data/*.schema.yml``
(``--check`` fails when one is out of date).

``opentextbook worksheets docs/ -o out/`` reads the pages (in ``mkdocs.yml``'s nav order when
there is one beside ``docs/``), collects their ``/// activity`` blocks and writes the same
worksheet pages, PDFs and packets as ``mkdocs build``.
"""

from __future__ import annotations

import argparse
import logging
import os
import posixpath
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml
from markdown import Extension, Markdown
from markdown.treeprocessors import Treeprocessor

from opentextbook import i18n
from opentextbook.activities.model import ActivityRegistry
from opentextbook.book import BookContents
from opentextbook.support.errors import SourceError
from opentextbook.support.urls import is_published_site_url, is_site_url

log = logging.getLogger("mkdocs.plugins.opentextbook")

ACTIVITY_EXTENSION = "opentextbook.markdown.activity"
_DEFAULT_EXTENSIONS = ["attr_list", "md_in_html", "def_list", "tables", "pymdownx.superfences"]


def _add_worksheets(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "worksheets",
        help="make worksheet pages, PDFs and packets from the pages' activities",
        description="Make a printable page and Letter/A4 PDFs per activity, and the packets.",
    )
    parser.add_argument("docs", type=Path, help="folder of Markdown pages (e.g. docs/)")
    parser.add_argument("-o", "--output", type=Path, required=True, help="folder to write to")
    parser.add_argument(
        "--config", type=Path, help="mkdocs.yml for nav order and site_url (default: beside docs)"
    )
    parser.add_argument("--metadata", type=Path, help="book metadata (default: data/book.yml)")
    parser.add_argument("--site-url", help="published address, for the QR codes")
    parser.add_argument("--no-pdf", action="store_true", help="printable pages only")
    parser.add_argument("--strict", action="store_true", help="fail on any warning")
    parser.set_defaults(handler=_run_worksheets)


def _add_schemas(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "schemas",
        help="regenerate the data sets' JSON Schemas (for editors) from their Table Schemas",
        description="Write data/json-schemas/<name>.json for every data/<name>.schema.yml.",
    )
    parser.add_argument("data", type=Path, nargs="?", default=Path("data"), help="data folder")
    parser.add_argument(
        "--check", action="store_true", help="write nothing; fail if a JSON Schema is out of date"
    )
    parser.set_defaults(handler=_run_schemas)


COMMANDS: list[Callable[[argparse._SubParsersAction], None]] = [_add_worksheets, _add_schemas]


def main(argv: list[str] | None = None) -> int:
    """Parse ``argv`` and run the chosen subcommand; returns the exit status."""
    parser = argparse.ArgumentParser(
        prog="opentextbook", description="Make the open textbook's outputs without a site build."
    )
    subparsers = parser.add_subparsers(title="commands", dest="command", required=True)
    for add in COMMANDS:
        add(subparsers)
    args = parser.parse_args(argv)
    counter = _WarningCounter()
    saved = log.handlers, log.level, log.propagate
    _set_up_logging(counter)
    try:
        status = args.handler(args)
    except SourceError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    finally:  # main() called in a process that logs otherwise (a test, a script) leaves it so
        log.handlers, log.level, log.propagate = saved
    if getattr(args, "strict", False) and counter.count:
        print(f"error: {counter.count} warning(s) in strict mode", file=sys.stderr)
        return 1
    return status


class _WarningCounter(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.count = 0

    def emit(self, record: logging.LogRecord) -> None:
        self.count += 1


def _set_up_logging(counter: _WarningCounter) -> None:
    """Messages as ``WARNING: file:line: ...`` on stderr, as ``mkdocs build`` shows them."""
    printer = logging.StreamHandler(sys.stderr)
    printer.setFormatter(logging.Formatter("%(levelname)s: %(message)s"))
    log.handlers = [printer, counter]
    log.setLevel(logging.WARNING)
    log.propagate = False


def _run_worksheets(args: argparse.Namespace) -> int:
    from opentextbook.activities.editions import site_url_notice
    from opentextbook.activities.worksheets import build_worksheets
    from opentextbook.book import load_metadata

    docs = args.docs.resolve()
    if not docs.is_dir():
        raise SourceError(args.docs, "not a folder of Markdown pages", fix="give e.g. docs/")
    config_file = args.config or docs.parent / "mkdocs.yml"
    project = _read_project(config_file) if config_file.is_file() else {}
    root = config_file.resolve().parent if config_file.is_file() else docs.parent
    metadata = load_metadata(args.metadata or root / "data" / "book.yml")
    i18n.activate(metadata.language, dict(metadata.strings))  # the sheets' labels
    registry = collect_activities(docs, root, project)
    site_url = args.site_url if args.site_url is not None else project.get("site_url") or ""
    if site_url and not is_site_url(site_url):  # printed as the link beside each QR code
        where = config_file if args.site_url is None else "--site-url"
        message = f"the site address must be an http(s) address, not '{site_url}'"
        raise SourceError(where, message, fix="write e.g. 'https://example.org/book/'")
    if not is_published_site_url(site_url):  # as the site build: no QR code to a dead page
        print(f"note: {site_url_notice(site_url)}", file=sys.stderr)
        site_url = ""
    report = build_worksheets(
        registry,
        metadata,
        args.output,
        root / ".cache" / "opentextbook" / "worksheets",
        site_url=site_url,
        pdf=not args.no_pdf,
        contents=read_credits(docs, root, metadata),
    )
    print(f"{report} -> {args.output}")
    return 0


def _run_schemas(args: argparse.Namespace) -> int:
    from opentextbook.datasets import find_datasets
    from opentextbook.datasets.jsonschema import write_json_schemas

    if not args.data.is_dir():
        raise SourceError(args.data, "not a folder of data sets", fix="give e.g. data/")
    schemas = [schema for schema, _data in find_datasets(args.data)]
    changed = write_json_schemas(schemas, check=args.check)
    for path in changed:
        print(f"{'out of date' if args.check else 'wrote'}: {path}")
    if args.check and changed:
        print("error: run 'opentextbook schemas' to update them", file=sys.stderr)
        return 1
    done = "stale" if args.check else "written"
    print(f"{len(schemas)} data set(s), {len(changed)} JSON Schema(s) {done}")
    return 0


def read_credits(docs: Path, root: Path, metadata) -> BookContents:
    """Every page's credits from its front matter, so each worksheet credits its own chapter;
    the first mistake stops with its file and line, as it would fail ``mkdocs build --strict``."""
    from opentextbook.book import read_page_credit

    pages = []
    for path in sorted(docs.rglob("*.md")):
        src = path.relative_to(docs).as_posix()
        credit, problems = read_page_credit(
            metadata,
            src=src,
            path=Path(os.path.relpath(path, root)).as_posix(),
            text=path.read_text(encoding="utf-8"),
            title=None,
            url=src[: -len(".md")] + ".html",
        )
        if problems:
            raise problems[0]
        pages.append(credit)
    return BookContents(metadata, pages)


def collect_activities(docs: Path, root: Path, project: dict[str, Any]) -> ActivityRegistry:
    """Convert every page with the activity extension; return the filled registry."""
    import markdown

    from opentextbook.markdown import location
    from opentextbook.markdown.activity import ActivityExtension

    registry = ActivityRegistry()
    pages = _page_order(docs, project.get("nav"))
    directory_urls = project.get("use_directory_urls", True) is not False
    registry.set_chapters([_shown(docs / page, root) for page in pages if page != "index.md"])
    extension = ActivityExtension(registry=registry)
    names, configs = _extensions(project)
    for page in pages:
        source = (docs / page).read_text(encoding="utf-8")
        url = _page_url(page, directory_urls)
        location.set_page(_shown(docs / page, root), source, url=url)
        links = _PageLinks(page, directory_urls)
        md = markdown.Markdown(extensions=[*names, links, extension], extension_configs=configs)
        md.convert(_strip_front_matter(source))
    location.clear_page()
    return registry


class _PageLinks(Extension):
    """Rewrites links as MkDocs does (``x.md`` -> ``x.html``), so worksheets get the same."""

    def __init__(self, page: str, directory_urls: bool) -> None:
        super().__init__()
        self.page = page
        self.directory_urls = directory_urls

    def extendMarkdown(self, md: Markdown) -> None:
        rewriter = _LinkRewriter(md, self.page, self.directory_urls)
        md.treeprocessors.register(rewriter, "otb_cli_links", 0)


class _LinkRewriter(Treeprocessor):
    def __init__(self, md: Markdown, page: str, directory_urls: bool) -> None:
        super().__init__(md)
        self.page = page
        self.directory_urls = directory_urls

    def run(self, root: Any) -> None:
        for element in root.iter():
            attribute = {"a": "href", "img": "src"}.get(element.tag)
            url = element.get(attribute) if attribute else None
            if url and not urlsplit(url).scheme and not url.startswith(("/", "#")):
                element.set(attribute, _link_from_page(url, self.page, self.directory_urls))


def _link_from_page(url: str, page: str, directory_urls: bool = True) -> str:
    """A link written in ``page`` (relative to its file) as seen from the page's URL."""
    path, _, fragment = url.partition("#")
    target = posixpath.normpath(posixpath.join(posixpath.dirname(page), path))
    if target.endswith(".md"):
        target = _page_url(target, directory_urls) or "./"
    here = posixpath.dirname(_page_url(page, directory_urls)) or "."
    relative = posixpath.relpath(target, here)
    relative += "/" if target.endswith("/") and relative != "." else ""
    return relative + (f"#{fragment}" if fragment else "")


def _read_project(path: Path) -> dict[str, Any]:
    """``mkdocs.yml`` read leniently: ``!ENV`` gives its default, other tags are ignored."""

    class Loader(yaml.SafeLoader):
        pass

    def env(loader: yaml.SafeLoader, node: yaml.Node) -> Any:
        values = loader.construct_sequence(node) if isinstance(node, yaml.SequenceNode) else []
        names, default = (values[:-1], values[-1]) if len(values) > 1 else (values, None)
        return next((os.environ[n] for n in names if n in os.environ), default)

    Loader.add_constructor("!ENV", env)
    Loader.add_multi_constructor("", lambda loader, suffix, node: None)
    try:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=Loader)
    except yaml.YAMLError as exc:
        raise SourceError(path, f"could not read the site configuration: {exc}") from None
    return data if isinstance(data, dict) else {}


def _page_order(docs: Path, nav: Any) -> list[str]:
    """Pages in nav order, then any others alphabetically (as MkDocs lists them)."""
    found = sorted(p.relative_to(docs).as_posix() for p in docs.rglob("*.md"))
    in_nav = [page for page in _nav_files(nav) if page in found]
    return in_nav + [page for page in found if page not in in_nav]


def _nav_files(nav: Any) -> Iterator[str]:
    if isinstance(nav, str):
        yield nav
    elif isinstance(nav, list):
        for item in nav:
            yield from _nav_files(item)
    elif isinstance(nav, dict):
        for value in nav.values():
            yield from _nav_files(value)


def _extensions(project: dict[str, Any]) -> tuple[list[str], dict[str, dict]]:
    """The site's Markdown extensions that load alone; ours (other than activities) left out."""
    names, configs = [], {}
    for entry in project.get("markdown_extensions") or _DEFAULT_EXTENSIONS:
        name, options = next(iter(entry.items())) if isinstance(entry, dict) else (entry, None)
        if not isinstance(name, str) or name.startswith("opentextbook."):
            continue
        if _loads(name, options or {}):
            names.append(name)
            configs[name] = options or {}
    return names, configs


def _loads(name: str, options: dict[str, Any]) -> bool:
    import markdown

    try:
        markdown.Markdown(extensions=[name], extension_configs={name: options})
    except Exception:  # e.g. needs MkDocs or a value from a YAML tag: not needed for activities
        log.debug("opentextbook worksheets: skipping Markdown extension %s", name)
        return False
    return True


def _shown(path: Path, root: Path) -> str:
    return Path(os.path.relpath(path, root)).as_posix()


def _page_url(page: str, directory_urls: bool = True) -> str:
    """A page's URL as MkDocs makes it: ``a.md`` -> ``a/`` (``a.html`` without directory URLs).

    ``index.md`` -> ``""`` (``index.html``), as in MkDocs' ``use_directory_urls`` setting.
    """
    stem = page.removesuffix(".md")
    if not directory_urls:
        return stem + ".html"
    if stem == "index" or stem.endswith("/index"):
        return stem.removesuffix("index")
    return stem + "/"


def _strip_front_matter(source: str) -> str:
    """Drop a leading YAML front matter block, keeping its lines blank (line numbers hold)."""
    lines = source.split("\n")
    if lines and lines[0].strip() == "---":
        for end, line in enumerate(lines[1:], start=1):
            if line.strip() in ("---", "..."):
                return "\n" * (end + 1) + "\n".join(lines[end + 1 :])
    return source


if __name__ == "__main__":
    sys.exit(main())
