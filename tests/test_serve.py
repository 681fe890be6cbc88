"""``mkdocs serve``: the page is served first, slow downloads are made after it, and
``serve`` and ``build`` share one cache.

The served builds run MkDocs' own ``serve`` sequence in a separate process (load the config,
``on_startup(command="serve")``, replace ``site_url`` with the local address, build), then wait
for the background work and report what it did. No timing is asserted: what is checked is
what was rendered, and what the site held when the build returned.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from conftest import build_book, copy_project, two_activity_registry

from opentextbook.activities.worksheets import (
    EDITIONS,
    PAPERS,
    WorksheetRenderer,
    build_worksheets,
    render_stale_pdfs,
)
from opentextbook.metadata import load_metadata
from opentextbook.support.background import STATUS_FILE, BackgroundWork, DownloadStatus

ROOT = Path(__file__).resolve().parent.parent
PUBLISHED = "https://books.example/networking-and-plns/"
PACKETS = [f"worksheets/{edition}-{paper}.pdf" for paper in PAPERS for edition in EDITIONS]
HOLDING = [p for p in PACKETS if "/answers-" not in p]
"""The packets an activity without a solution is in (the answer key holds no sheet of it)."""

SERVE_BUILD = """
import json, sys
from pathlib import Path
from mkdocs.commands.build import build
from mkdocs.config import load_config
from mkdocs.livereload import _serve_url

site = Path(sys.argv[1])
config = load_config("mkdocs.yml", site_dir=str(site))
config.plugins.on_startup(command="serve", dirty=False)
config.site_url = _serve_url("127.0.0.1", 8000, "/networking-and-plns/")
build(config, serve_url=config.site_url)
plugin = config.plugins["opentextbook"]
status = site / sys.argv[2]
returned = {
    "status": json.loads(status.read_text()),
    "files": sorted(p.relative_to(site).as_posix() for p in site.rglob("*.pdf")),
    "page": (site / "networking-and-plns.html").read_text(),
}
finished = plugin.background.wait(600)
config.plugins.on_shutdown()
print(json.dumps({
    "returned": returned,
    "finished": finished,
    "final": json.loads(status.read_text()),
    "failure": plugin.background.failure,
    "pages_converted": plugin.page_cache.misses,
    "rendered": plugin.served.rendered,
}))
"""


def _serve_build(project: Path) -> dict:
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    args = [sys.executable, "-c", SERVE_BUILD, str(project / "served"), STATUS_FILE]
    result = subprocess.run(args, cwd=project, capture_output=True, text=True, env=env)
    assert result.returncode == 0, result.stdout + result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


@pytest.fixture(scope="module")
def built_then_served(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict]:
    project = copy_project(tmp_path_factory.mktemp("serve"))
    config = project / "mkdocs.yml"  # a published address: serve must cite it, not its own
    text = config.read_text(encoding="utf-8")
    config.write_text(text.replace('[SITE_URL, ""]', f'[SITE_URL, "{PUBLISHED}"]'), "utf-8")
    assert PUBLISHED in config.read_text(encoding="utf-8")
    build_book(project)
    return project, _serve_build(project)


def test_serve_after_build_renders_no_pdf_and_converts_no_page(built_then_served) -> None:
    _, served = built_then_served
    assert served["finished"] and served["failure"] is None
    assert (served["rendered"], served["pages_converted"]) == ([], 0)
    assert served["final"] == {"finished": True, "updating": [], "pending": [], "failed": ""}


def test_served_pages_cite_the_published_address(built_then_served) -> None:
    project, served = built_then_served
    page = served["returned"]["page"]
    assert f"{PUBLISHED}networking-and-plns.html" in page
    assert "downloads-status.js" in page  # the notice script, in serve only
    assert "downloads-status.js" not in (project / "site/networking-and-plns.html").read_text()


def test_an_activity_edit_in_serve_renders_its_sheets_after_the_page(built_then_served) -> None:
    project, _ = built_then_served
    chapter = project / "docs/networking-and-plns.md"
    text = chapter.read_text(encoding="utf-8")
    edited = text.replace("Drawing your PLN lets you", "Drawing your PLN (edited) lets you", 1)
    assert edited != text
    chapter.write_text(edited, encoding="utf-8")
    unchanged = project / "served/worksheets/pln-generosity"  # an activity not edited
    before = unchanged.stat()
    served = _serve_build(project)
    after = unchanged.stat()  # its folder kept through MkDocs' cleaning, entries untouched
    assert (after.st_ino, after.st_mtime_ns) == (before.st_ino, before.st_mtime_ns)
    sheets = [f"worksheets/draw-your-pln/draw-your-pln-{paper}.pdf" for paper in PAPERS]
    returned = served["returned"]
    # When the page was served, the stale PDFs were still the previous, complete versions,
    # and the status said they were being updated.
    assert "Drawing your PLN (edited)" in returned["page"]
    assert set(sheets + PACKETS) <= set(returned["files"])
    updating = returned["status"]["updating"]
    assert set(sheets + HOLDING) <= set(updating) and not [p for p in updating if "/parts/" in p]
    assert not returned["status"]["finished"]
    # Afterwards: that activity's sheets, the packets holding it (assembled) and the
    # whole-book PDF, nothing else.
    book = "downloads/networking-and-personal-learning-networks"
    books = [f"{book}.pdf", f"{book}-teacher.pdf"]  # the student and the teacher edition
    assert sorted(served["rendered"]) == sorted([*sheets, *HOLDING, *books])
    assert served["pages_converted"] == 1
    assert served["final"]["finished"] and not served["final"]["updating"]


def _metadata():
    return load_metadata(ROOT / "data" / "book.yml")


def test_an_activity_edit_renders_only_that_activitys_sheets_and_the_packets(
    tmp_path: Path,
) -> None:
    def build(step: str):
        registry = two_activity_registry(step)
        return build_worksheets(registry, _metadata(), tmp_path / "site", tmp_path / "cache")

    assert len(build("Draw.").rendered_targets) == 2 * len(PAPERS) + len(PACKETS)
    changed = build("Draw it.")
    sheets = [f"worksheets/first/first-{paper}.pdf" for paper in PAPERS]
    assert sorted(changed.rendered_targets) == sorted(sheets + HOLDING)
    facilitator = [f"worksheets/parts/facilitator/first-{paper}.pdf" for paper in PAPERS]
    assert sorted(changed.parts_rendered) == sorted(facilitator)


def test_deferred_pdfs_keep_the_previous_version_until_rendered(tmp_path: Path) -> None:
    site, cache = tmp_path / "site", tmp_path / "cache"
    build_worksheets(two_activity_registry("Draw."), _metadata(), site, cache)
    before = (site / "worksheets/first/first-a4.pdf").read_bytes()
    deferred: list = []
    report = build_worksheets(
        two_activity_registry("Draw it."),
        _metadata(),
        site,
        cache,
        deferred=lambda renderer, jobs: deferred.append((renderer, jobs)),
    )
    ((renderer, jobs),) = deferred
    assert isinstance(renderer, WorksheetRenderer) and report.rendered_targets == []
    assert (site / "worksheets/first/first-a4.pdf").read_bytes() == before
    placed: list[str] = []
    work = BackgroundWork()
    rendered = render_stale_pdfs(renderer, jobs, site, cache, pool=work.pool, placed=placed.append)
    site_jobs = [job.target for job in jobs if job.in_site]  # not the packets' pieces
    assert sorted(rendered) == sorted(placed) == sorted(site_jobs)
    assert (site / "worksheets/first/first-a4.pdf").read_bytes() != before


def test_cancel_ends_the_work_and_its_worker_processes() -> None:
    work = BackgroundWork()
    started = threading.Event()

    def slow(work: BackgroundWork) -> None:
        started.set()
        work.call(time.sleep, 300)
        raise AssertionError("a cancelled call must not return")

    work.start("test", slow)
    assert started.wait(30)
    time.sleep(0.5)  # let the worker process start sleeping
    work.cancel()
    assert not work.running and work.failure is None


def test_cancel_ends_workers_that_start_while_it_waits() -> None:
    """A pool forks its workers on first use: one given work while a cancel is already waiting
    (the background thread was between its check and its submit) must be ended too."""
    work = BackgroundWork()
    in_pool, go, ended = threading.Event(), threading.Event(), threading.Event()

    def slow(work: BackgroundWork) -> None:
        try:
            with work.pool(2) as executor:
                in_pool.set()
                go.wait(30)  # the cancel below has ended the (not yet started) workers by now
                list(executor.map(time.sleep, [300, 300]))
            raise AssertionError("cancelled work must not finish")
        finally:
            ended.set()

    work.start("test", slow)
    assert in_pool.wait(30)
    cancelling = threading.Thread(target=work.cancel, kwargs={"timeout": 60})
    cancelling.start()
    time.sleep(0.5)
    go.set()
    cancelling.join(90)
    assert ended.is_set() and not work.running and work.failure is None


def test_a_failure_in_the_background_is_reported_not_lost() -> None:
    work = BackgroundWork()

    def broken(work: BackgroundWork) -> None:
        raise ValueError("no such font")

    work.start("test", broken)
    assert work.wait(30)
    assert work.failure == "ValueError: no such font"


def test_status_lists_updating_and_pending_downloads(tmp_path: Path) -> None:
    status = DownloadStatus(tmp_path)
    status.add("worksheets/a/a-a4.pdf", previous=True)
    status.add("downloads/book.pdf", previous=False)
    status.write()
    written = json.loads((tmp_path / STATUS_FILE).read_text(encoding="utf-8"))
    assert written["updating"] == ["worksheets/a/a-a4.pdf"]
    assert written["pending"] == ["downloads/book.pdf"] and not written["finished"]
    status.done("worksheets/a/a-a4.pdf")
    status.done("downloads/book.pdf")
    status.write(finished=True)
    written = json.loads((tmp_path / STATUS_FILE).read_text(encoding="utf-8"))
    assert (written["updating"], written["pending"], written["finished"]) == ([], [], True)


def test_the_page_marks_links_to_downloads_not_up_to_date(tmp_path: Path, browser) -> None:
    import functools
    import http.server

    from opentextbook.mkdocs.serving import SCRIPT, SCRIPT_PATH

    (tmp_path / "worksheets").mkdir()
    (tmp_path / "worksheets/a.pdf").write_bytes(b"%PDF previous")
    (tmp_path / SCRIPT_PATH).parent.mkdir(parents=True)
    (tmp_path / SCRIPT_PATH).write_bytes(SCRIPT.read_bytes())
    status = DownloadStatus(tmp_path)
    status.add("worksheets/a.pdf", previous=True)
    status.add("worksheets/b.pdf", previous=False)
    status.write()
    (tmp_path / "page.html").write_text(
        '<!doctype html><html lang="en"><title>t</title><body><article>'
        '<a id="a" href="worksheets/a.pdf">A</a> <a id="b" href="worksheets/b.pdf">B</a> '
        '<a id="c" href="page.html">C</a></article>'
        f'<script src="{SCRIPT_PATH}" defer></script></body></html>',
        encoding="utf-8",
    )

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args) -> None:
            pass

    handler = functools.partial(Quiet, directory=str(tmp_path))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    context = browser.new_context()
    try:
        page = context.new_page()
        page.goto(f"http://127.0.0.1:{server.server_address[1]}/page.html")
        page.wait_for_selector(".otb-download-status")
        notes = page.eval_on_selector_all(
            ".otb-download-status", "ns => ns.map(n => n.previousElementSibling.id + n.textContent)"
        )
        assert [note[0] for note in notes] == ["a", "b"]
        assert "updating" in notes[0] and "being made" in notes[1]
        assert page.get_attribute("#b", "aria-disabled") == "true"
        status.done("worksheets/a.pdf")
        status.done("worksheets/b.pdf")
        status.write(finished=True)
        page.wait_for_selector(".otb-download-status", state="detached", timeout=15000)
        assert page.get_attribute("#b", "aria-disabled") is None
    finally:
        context.close()
        server.shutdown()
        server.server_close()
