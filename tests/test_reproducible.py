"""Reproducible builds: the same sources give the same bytes, and a killed build costs nothing.

Two clean builds of the book (in different folders) must be identical in every byte of every
file; a build killed at a random moment must leave the previous site whole (no empty PDF, EPUB
or zip) and no PDF worker running, and the next build must give the same bytes as a clean one.
"""

from __future__ import annotations

import datetime
import io
import os
import random
import shutil
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest
from conftest import Build, build_book, copy_project

from opentextbook.support.errors import SourceError
from opentextbook.support.reproducible import (
    FALLBACK_DATE,
    build_date,
    normalized_zip,
    pin_build_date,
)


def site_contents(site: Path) -> dict[str, bytes]:
    """Every file's bytes by path (zips, PDFs, DOCX and the EPUB included: byte for byte)."""
    return {
        path.relative_to(site).as_posix(): path.read_bytes()
        for path in sorted(site.rglob("*"))
        if path.is_file()
    }


def assert_same_site(site: Path, reference: dict[str, bytes]) -> None:
    contents = site_contents(site)
    assert sorted(contents) == sorted(reference)
    differing = [name for name in reference if contents[name] != reference[name]]
    assert not differing, f"differ from a clean build: {differing}"


@pytest.fixture(scope="module")
def clean_builds(
    built_site: Build, tmp_path_factory: pytest.TempPathFactory
) -> tuple[Build, Build]:
    """The session's build (only read here) and a second clean build in another folder
    (which the tests below kill, edit and rebuild)."""
    second = build_book(copy_project(tmp_path_factory.mktemp("clean-2")))
    return built_site, second


def test_two_clean_builds_are_byte_identical(clean_builds: tuple[Build, Build]) -> None:
    first, second = clean_builds
    reference = site_contents(first.site)
    assert any(name.endswith(".pdf") for name in reference)
    assert any(name.endswith(".docx") for name in reference)
    assert_same_site(second.site, reference)
    # Dated by the book (2026-11-28), not by the day of the build: the EPUB's files and its
    # last change. (The sitemap lists no page: the book has no published address.)
    epub = first.site / "downloads/networking-and-personal-learning-networks.epub"
    with zipfile.ZipFile(epub) as archive:
        assert {info.date_time[:3] for info in archive.infolist()} == {(2026, 11, 28)}
        package = archive.read("EPUB/content.opf").decode("utf-8")
    assert '<meta property="dcterms:modified">2026-11-28T00:00:00Z</meta>' in package


def test_dates_come_from_source_date_epoch_then_the_book(monkeypatch) -> None:
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    assert build_date("2026-11-28") == datetime.datetime(2026, 11, 28, tzinfo=datetime.UTC)
    assert build_date(None) == FALLBACK_DATE
    pin_build_date("2026-11-28")  # for MkDocs' own dates (sitemap)
    assert os.environ["SOURCE_DATE_EPOCH"] == "1795824000"
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    pin_build_date("2026-11-28")  # a packager's choice wins
    assert build_date("2026-11-28").isoformat() == "2023-11-14T22:13:20+00:00"
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "yesterday")
    with pytest.raises(SourceError, match="'yesterday' is not a whole number of seconds"):
        build_date(None)


def test_zip_entries_get_the_build_date_in_their_order() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "first")
        archive.writestr("b.xml", "second")
    when = datetime.datetime(2026, 11, 28, 12, 30, tzinfo=datetime.UTC)
    with zipfile.ZipFile(io.BytesIO(normalized_zip(buffer.getvalue(), when))) as archive:
        assert archive.namelist() == ["[Content_Types].xml", "b.xml"]
        assert {info.date_time for info in archive.infolist()} == {(2026, 11, 28, 12, 30, 0)}


def _processes() -> dict[int, tuple[int, str]]:
    """Every process: pid -> (parent pid, state), from /proc."""
    found = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        found[int(stat.parent.name)] = (int(fields[1]), fields[0])
    return found


def _children(pid: int) -> list[int]:
    """Child processes of ``pid`` running the same program (its workers, not ``fc-match``)."""
    program = _program(pid)
    children = [child for child, (parent, _) in _processes().items() if parent == pid]
    return [child for child in children if _program(child) == program]


def _program(pid: int) -> str | None:
    try:
        return Path(f"/proc/{pid}/comm").read_text().strip()
    except OSError:
        return None


def _gone(pids: list[int], timeout: float) -> bool:
    """True once none of ``pids`` runs (a zombie has ended; only its parent has not read it)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        table = _processes()
        if all(table.get(pid, (0, "X"))[1] in "ZX" for pid in pids):
            return True
        time.sleep(0.2)
    return False


def _wait_for_workers(build: subprocess.Popen, timeout: float = 120) -> list[int]:
    """Children of ``build`` running its program for half a second: pool workers (a child
    caught between fork and exec, on its way to run ``fc-match``, is gone by then)."""
    deadline = time.monotonic() + timeout
    while build.poll() is None and time.monotonic() < deadline:
        before = set(_children(build.pid))
        time.sleep(0.5)
        if workers := sorted(before & set(_children(build.pid))):
            return workers
    return []


def _kill_build(project: Path, *, delay: float | None) -> list[int]:
    """Start a build and SIGKILL it after ``delay`` seconds, or (None) once PDF workers run;
    return the pids of its workers at that moment."""
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    build = subprocess.Popen(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "-d", "site"],
        cwd=project,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        if delay is None:
            workers = _wait_for_workers(build)
        else:
            time.sleep(delay)
            workers = _children(build.pid)
    finally:
        build.kill()
        build.wait()
    return workers


def test_killed_builds_keep_the_site_then_rebuild_the_same(
    clean_builds: tuple[Build, Build],
) -> None:
    first, second = clean_builds
    project, reference = second.project, site_contents(first.site)
    previous = {p: p.read_bytes() for p in second.site.rglob("*") if p.is_file()}
    shutil.rmtree(project / ".cache")
    for seed in (1, 2):
        _kill_build(project, delay=random.Random(seed).uniform(0.5, 6))
        assert {p: p.read_bytes() for p in second.site.rglob("*") if p.is_file()} == previous
    shutil.rmtree(project / ".cache" / "opentextbook" / "worksheets", ignore_errors=True)
    workers = _kill_build(project, delay=None)
    assert workers, "no PDF worker was running"
    assert _gone(workers, timeout=10), f"PDF workers outlived their build: {workers}"
    downloads = [p for p in previous if p.suffix in {".pdf", ".epub", ".zip"}]
    assert downloads and all(p.stat().st_size > 0 for p in downloads)
    assert {p: p.read_bytes() for p in second.site.rglob("*") if p.is_file()} == previous
    build_book(project)
    assert_same_site(project / "site", reference)


def test_a_site_file_edited_in_place_does_not_reach_the_next_build(
    clean_builds: tuple[Build, Build],
) -> None:
    """Site outputs are hard links into the cache: an edit through one must not come back."""
    first, second = clean_builds
    edited = [
        second.site / "worksheets" / "packet-a4.pdf",
        second.site / "downloads" / "networking-and-personal-learning-networks.pdf",
    ]
    for path in edited:
        with path.open("r+b") as handle:
            handle.write(b"EDITED")
    shutil.rmtree(second.site)
    build_book(second.project)
    assert_same_site(second.site, site_contents(first.site))
