"""Faults cost nothing that was there before: the previous site stays whole, and the build
ends with one clear message, never a traceback.

A site is built beside the previous one and swapped in only when complete
(:mod:`opentextbook.support.staging`); the cache folder is checked before anything changes;
a failed write (a full disk, a read-only folder) becomes one line naming the file.
"""

from __future__ import annotations

import errno
import os
from pathlib import Path

import pytest
from conftest import copy_project, run_build

from opentextbook.support.cache import ensure_writable
from opentextbook.support.errors import SourceError

FAST = {"WORKSHEET_PDFS": "false", "BOOK_DOWNLOADS": "false"}
PREVIOUS = "<p>the previous build</p>"


def with_previous_site(project: Path) -> Path:
    """Give ``project`` a previous site of one page, as a test's witness."""
    site = project / "site"
    site.mkdir()
    (site / "index.html").write_text(PREVIOUS, encoding="utf-8")
    (site / ".nojekyll").write_text("", encoding="utf-8")
    return site


def assert_previous_site(project: Path) -> None:
    site = project / "site"
    assert sorted(p.name for p in site.iterdir()) == [".nojekyll", "index.html"]
    assert (site / "index.html").read_text(encoding="utf-8") == PREVIOUS
    assert not (project / ".site.building").exists()


@pytest.fixture
def project(tmp_path: Path) -> Path:
    project = copy_project(tmp_path / "book")
    with_previous_site(project)
    return project


def test_cache_that_is_a_file_stops_the_build_with_one_line(project: Path) -> None:
    (project / ".cache").write_text("not a folder", encoding="utf-8")
    result = run_build(project, env=FAST)
    output = result.stdout + result.stderr
    assert result.returncode != 0
    assert "Traceback" not in output
    assert ".cache: cannot write the build cache (Not a directory) — make it a folder" in output
    assert_previous_site(project)


@pytest.mark.parametrize(
    ("code", "why"),
    [(errno.EROFS, "Read-only file system"), (errno.EACCES, "Permission denied")],
)
def test_read_only_cache_is_named_before_anything_changes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, code: int, why: str
) -> None:
    """(Root may write anywhere, so the refusal is simulated where the probe file is made.)"""

    def refuse(*args, **kwargs):
        raise OSError(code, why)

    monkeypatch.setattr("opentextbook.support.cache.tempfile.TemporaryFile", refuse)
    with pytest.raises(SourceError) as caught:
        ensure_writable(tmp_path / ".cache" / "opentextbook", ".cache")
    assert str(caught.value).startswith(f".cache: cannot write the build cache ({why}) — ")


def build_in_process(project: Path, monkeypatch: pytest.MonkeyPatch):
    """Build ``project`` in this process (so a test can make writes fail)."""
    from mkdocs.commands.build import build
    from mkdocs.config import load_config

    for name, value in FAST.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)  # the plugin sets it: undone after
    monkeypatch.chdir(project)
    config = load_config(str(project / "mkdocs.yml"), site_dir=str(project / "site"))
    config.plugins.on_startup(command="build", dirty=False)
    build(config)


def full_disk(*args, **kwargs):
    raise OSError(errno.ENOSPC, "No space left on device", str(Path("site") / "x.html"))


@pytest.mark.parametrize(
    "where",
    ["mkdocs.utils.write_file", "opentextbook.mkdocs.plugin.write_downloads"],
    ids=["a page MkDocs writes", "an output the plugin writes"],
)
def test_full_disk_keeps_the_previous_site(
    project: Path, monkeypatch: pytest.MonkeyPatch, where: str
) -> None:
    from mkdocs.exceptions import PluginError

    monkeypatch.setattr(where, full_disk)
    with pytest.raises(PluginError) as caught:
        build_in_process(project, monkeypatch)
    message = str(caught.value)
    assert message.startswith("site/x.html: could not write (No space left on device) — ")
    assert "free some disk space" in message and "previous site is unchanged" in message
    assert_previous_site(project)


def test_full_disk_while_printing_is_a_disk_fault_not_a_bad_document(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Not "could not render PDF … fix the activity": the adapter names the disk problem."""
    import weasyprint

    from opentextbook.support.pdf import render_pdf

    monkeypatch.setattr(weasyprint.HTML, "write_pdf", full_disk)
    html = '<html lang="en"><title>Sheet</title><p>Text</p></html>'
    with pytest.raises(OSError) as caught:
        render_pdf(html, tmp_path / "sheet.pdf", base_url=tmp_path)
    assert caught.value.errno == errno.ENOSPC
    assert not list(tmp_path.iterdir())  # no half-written file


def test_staging_swaps_in_the_new_site_keeping_dot_files(tmp_path: Path) -> None:
    from opentextbook.support.staging import SiteStaging

    site = with_previous_site(tmp_path)
    staging = SiteStaging(site)
    assert staging.start()
    (staging.folder / "index.html").write_text("new", encoding="utf-8")
    staging.finish()
    assert sorted(p.name for p in site.iterdir()) == [".nojekyll", "index.html"]
    assert (site / "index.html").read_text(encoding="utf-8") == "new"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["site"]


def test_staging_without_an_atomic_swap_still_swaps(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from opentextbook.support import staging as staging_module

    monkeypatch.setattr(staging_module, "_exchange", lambda first, second: False)
    site = with_previous_site(tmp_path)
    staging = staging_module.SiteStaging(site)
    assert staging.start()
    (staging.folder / "index.html").write_text("new", encoding="utf-8")
    staging.finish()
    assert (site / "index.html").read_text(encoding="utf-8") == "new"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["site"]


WORKER_SCRIPT = """
import sys, time
from opentextbook.support.workers import process_pool

with process_pool(2) as pool:
    futures = [pool.submit(time.sleep, 600) for _ in range(2)]
    time.sleep(0.5)
    print(" ".join(str(pid) for pid in pool._processes), flush=True)
    time.sleep(600)
"""


def test_pdf_workers_end_when_their_build_is_killed() -> None:
    """``kill -9`` of the build: its pool's workers (busy or idle) do not run on, orphaned."""
    import signal
    import subprocess
    import sys
    import time

    parent = subprocess.Popen(
        [sys.executable, "-c", WORKER_SCRIPT], stdout=subprocess.PIPE, text=True
    )
    workers = [int(pid) for pid in parent.stdout.readline().split()]
    assert len(workers) == 2
    parent.send_signal(signal.SIGKILL)
    parent.wait()
    parent.stdout.close()
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and any(_running(pid) for pid in workers):
        time.sleep(0.1)
    survivors = [pid for pid in workers if _running(pid)]
    for pid in survivors:  # leave no process behind, even when the test fails
        os.kill(pid, signal.SIGKILL)
    assert not survivors, "workers outlived their parent"


def _running(pid: int) -> bool:
    """True while ``pid`` runs (a zombie has ended; only its parent has not read it yet)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state not in "ZX"
