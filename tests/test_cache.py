"""The output cache: an unchanged rebuild renders no PDF; a change re-renders only its outputs."""

from __future__ import annotations

import hashlib
import os
import time
from pathlib import Path

import pytest
from conftest import Build, run_build, two_activity_registry

from opentextbook.activities.worksheets import EDITIONS, PAPERS, WorksheetRenderer, build_worksheets
from opentextbook.metadata import load_metadata
from opentextbook.support.cache import OutputCache, content_digest, library_versions

ROOT = Path(__file__).resolve().parent.parent


def test_fresh_counts_hits_and_misses(tmp_path: Path) -> None:
    cache = OutputCache(tmp_path)
    assert not cache.fresh("a.pdf", "d1")
    cache.path("a.pdf").parent.mkdir(parents=True)
    cache.path("a.pdf").write_bytes(b"pdf")
    cache.store("a.pdf", "d1")
    cache.save()
    again = OutputCache(tmp_path)
    assert again.fresh("a.pdf", "d1")
    assert not again.fresh("a.pdf", "d2")  # what it depends on changed
    assert (again.hits, again.misses) == (1, 1)


def test_a_missing_output_file_is_a_miss(tmp_path: Path) -> None:
    cache = OutputCache(tmp_path)
    cache.store("gone.pdf", "d")
    cache.save()
    assert not OutputCache(tmp_path).fresh("gone.pdf", "d")


def test_damaged_manifest_starts_afresh(tmp_path: Path) -> None:
    (tmp_path / "manifest.json").write_text("{not json", encoding="utf-8")
    assert not OutputCache(tmp_path).fresh("a", "d")


def test_prune_forgets_outputs_no_longer_made(tmp_path: Path) -> None:
    cache = OutputCache(tmp_path)
    for key in ("keep", "drop"):
        cache.path(key).parent.mkdir(parents=True, exist_ok=True)
        cache.path(key).write_bytes(b"x")
        cache.store(key, "d")
    cache.save()
    later = OutputCache(tmp_path)
    assert later.fresh("keep", "d")
    later.save(prune=True)
    assert not cache.path("drop").exists() and cache.path("keep").exists()


def test_digest_separates_parts_and_names_versions() -> None:
    assert content_digest("ab", "c") != content_digest("a", "bc")
    assert "weasyprint=" in library_versions("weasyprint")
    assert library_versions("no-such-package-here") == "no-such-package-here=missing"


def test_worksheet_pdfs_render_once_then_only_what_changed(tmp_path: Path) -> None:
    metadata = load_metadata(ROOT / "data" / "book.yml")
    cache_dir, site = tmp_path / "cache", tmp_path / "site"
    per_activity, packets = len(PAPERS), len(EDITIONS) * len(PAPERS)
    first = build_worksheets(two_activity_registry("Draw."), metadata, site, cache_dir)
    assert first.pdfs == 2 * per_activity + packets and first.assembled == packets
    # Rendered: each worksheet, each facilitator sheet (no activity has a solution, so no
    # answer key of its own), each packet's cover.
    assert first.rendered == 2 * per_activity + 2 * per_activity + packets
    second = build_worksheets(two_activity_registry("Draw."), metadata, site, cache_dir)
    assert (second.rendered, second.assembled, second.cached) == (0, 0, first.pdfs)
    changed = build_worksheets(two_activity_registry("Draw it."), metadata, site, cache_dir)
    # Its worksheets and facilitator sheets; then the packets holding it are assembled.
    assert changed.rendered == 2 * per_activity and changed.assembled == 2 * len(PAPERS)
    assert (site / "worksheets/second/second-a4.pdf").is_file()


def test_failed_render_leaves_no_file_and_names_the_output(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from opentextbook.support import pdf as pdf_module
    from opentextbook.support.errors import SourceError

    def broken(html, target, **kwargs):
        raise SourceError(target, "could not render PDF: boom")

    monkeypatch.setattr(pdf_module, "render_pdf", broken)
    renderer = WorksheetRenderer(load_metadata(ROOT / "data" / "book.yml"))
    registry = two_activity_registry("Draw.")
    with pytest.raises(SourceError, match=r"worksheets/first/first-letter\.pdf: could not render"):
        renderer.build(list(registry), tmp_path / "site", OutputCache(tmp_path / "c"), workers=1)
    assert not list((tmp_path / "site").rglob("*.pdf"))
    assert not list(tmp_path.rglob("*.part"))


def test_second_site_build_renders_no_pdf(built_site: Build) -> None:
    first = [line for line in built_site.output.splitlines() if "worksheets:" in line]
    assert first and "12 PDFs" in first[0]
    result = run_build(built_site.project)
    assert result.returncode == 0, result.stderr
    assert "worksheets: 3 pages, 12 PDFs (0 rendered, 12 from cache)" in result.stderr


def test_an_entry_changed_since_it_was_stored_is_a_miss(tmp_path: Path) -> None:
    """Edited in place through its hard link in the site, or written by a build that was
    killed before it saved the manifest: the bytes no longer match, so it is made again."""
    cache = OutputCache(tmp_path)
    cache.path("a.pdf").parent.mkdir(parents=True)
    cache.path("a.pdf").write_bytes(b"the real output")
    cache.store("a.pdf", "d")
    cache.save()
    site_copy = cache.place("a.pdf", tmp_path / "site" / "a.pdf")
    with site_copy.open("r+b") as handle:  # an editor saving in place
        handle.write(b"THE")
    assert not OutputCache(tmp_path).fresh("a.pdf", "d")


def test_a_cached_file_is_read_once_per_version(tmp_path: Path, monkeypatch) -> None:
    """``serve`` checks every cached output on every rebuild: a file is read again only when
    it is a new file or was modified (or was written too recently to tell)."""
    from opentextbook.support import cache as cache_module

    reads: list[str] = []
    file_digest = hashlib.file_digest
    monkeypatch.setattr(
        cache_module.hashlib,
        "file_digest",
        lambda f, name: reads.append(f.name) or file_digest(f, name),
    )
    cache = OutputCache(tmp_path)
    output = cache.path("a.pdf")
    output.parent.mkdir(parents=True)
    output.write_bytes(b"the real output")
    cache.store("a.pdf", "d")
    assert len(reads) == 1
    assert cache.fresh("a.pdf", "d") and len(reads) == 2  # just written: read again
    an_hour_ago = time.time() - 3600
    os.utime(output, (an_hour_ago, an_hour_ago))
    cache.store("a.pdf", "d")
    assert all(cache.fresh("a.pdf", "d") for _ in range(3)) and len(reads) == 3
    with output.open("r+b") as handle:  # edited in place: a new modification time
        handle.write(b"THE")
    assert not cache.fresh("a.pdf", "d") and len(reads) == 4


def test_sheet_page_counts_are_read_once_per_version_of_a_file(tmp_path: Path, monkeypatch) -> None:
    """The build names long sheets on every build; it opens a PDF only when it is new."""
    from opentextbook.activities import worksheets

    sheet = tmp_path / "site" / "sheet.pdf"
    sheet.parent.mkdir()
    sheet.write_bytes(b"%PDF-1.7 one")
    opened: list[Path] = []
    monkeypatch.setattr(worksheets, "page_count", lambda path: opened.append(path) or 1)
    folder = tmp_path / "cache"
    folder.mkdir()

    def count() -> int:
        counts = worksheets._SheetPageCounts(folder)
        pages = counts.of(sheet)
        counts.save()
        return pages

    assert count() == 1 and count() == 1
    assert opened == [sheet]  # the second build read the count from the cache
    sheet.unlink()
    sheet.write_bytes(b"%PDF-1.7 two pages")  # a new version: opened again
    assert count() == 1 and len(opened) == 2
    assert worksheets._SheetPageCounts(folder).of(tmp_path / "missing.pdf") == 0
