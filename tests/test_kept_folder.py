"""``serve`` keeps the worksheet folder through MkDocs' cleaning of the site, and then holds
exactly what a cleaned build would have written."""

from __future__ import annotations

from pathlib import Path

from mkdocs.utils import clean_directory

from opentextbook.support.keptfolder import KeptFolder


def _site(tmp_path: Path) -> Path:
    site = tmp_path / "site"
    for path in ("worksheets/a/a.pdf", "worksheets/a/index.html", "worksheets/gone/g.pdf"):
        (site / path).parent.mkdir(parents=True, exist_ok=True)
        (site / path).write_text(path, encoding="utf-8")
    (site / "page.html").write_text("page", encoding="utf-8")
    return site


def test_the_folder_survives_the_cleaning_and_keeps_only_what_is_placed_again(
    tmp_path: Path,
) -> None:
    site = _site(tmp_path)
    kept = KeptFolder(site, "worksheets")
    before = (site / "worksheets/a/a.pdf").stat()
    kept.hide()
    clean_directory(str(site))  # what MkDocs does before each build of `serve`
    assert not (site / "page.html").exists() and not (site / "worksheets").exists()
    kept.restore()
    placed = [site / "worksheets/a/a.pdf", site / "worksheets/a/index.html"]
    (site / "worksheets/b").mkdir()
    (site / "worksheets/b/b.pdf").write_text("new", encoding="utf-8")  # a new activity
    kept.prune([*placed, site / "worksheets/b/b.pdf"])
    found = sorted(p.relative_to(site).as_posix() for p in site.rglob("*") if p.is_file())
    assert found == ["worksheets/a/a.pdf", "worksheets/a/index.html", "worksheets/b/b.pdf"]
    assert not (site / "worksheets/gone").exists()  # an activity removed since
    after = (site / "worksheets/a/a.pdf").stat()
    assert (after.st_ino, after.st_ctime_ns) == (before.st_ino, before.st_ctime_ns)
    assert not kept.hidden.exists()


def test_relative_and_absolute_paths_name_the_same_files(tmp_path: Path, monkeypatch) -> None:
    site = _site(tmp_path)
    monkeypatch.chdir(tmp_path)
    KeptFolder(Path("site"), "worksheets").prune([site / "worksheets/a/a.pdf"])
    assert (site / "worksheets/a/a.pdf").exists()
    assert not (site / "worksheets/a/index.html").exists()


def test_a_folder_written_meanwhile_wins_over_the_kept_one(tmp_path: Path) -> None:
    site = _site(tmp_path)
    kept = KeptFolder(site, "worksheets")
    kept.hide()
    clean_directory(str(site))
    (site / "worksheets").mkdir()  # e.g. a page of the book under docs/worksheets/
    (site / "worksheets/page.html").write_text("a page", encoding="utf-8")
    kept.restore()
    assert not kept.hidden.exists()
    assert [p.name for p in (site / "worksheets").iterdir()] == ["page.html"]


def test_a_build_that_failed_before_restoring_keeps_the_hidden_folder(tmp_path: Path) -> None:
    site = _site(tmp_path)
    kept = KeptFolder(site, "worksheets")
    kept.hide()
    clean_directory(str(site))  # then the build fails: nothing restored
    kept.hide()  # the next build
    kept.restore()
    assert (site / "worksheets/a/a.pdf").read_text(encoding="utf-8") == "worksheets/a/a.pdf"
