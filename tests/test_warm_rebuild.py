"""A rebuild with nothing changed does no work: nothing rendered, drawn, zipped or copied.

The output cache keys every output by its inputs, so an unchanged rebuild renders no worksheet
HTML, draws no QR code and makes no PDF; cached files reach the site as hard links; the offline
zip is written again only when a file of the site changed.
"""

from __future__ import annotations

import os
import zipfile
from pathlib import Path

import pytest
from conftest import two_activity_registry

from opentextbook.activities import worksheets
from opentextbook.activities.worksheets import EDITIONS, PAPERS, build_worksheets
from opentextbook.metadata import load_metadata
from opentextbook.publishing.offline import write_offline_zip
from opentextbook.support.atomic import write_bytes
from opentextbook.support.cache import OutputCache

ROOT = Path(__file__).resolve().parent.parent
SITE_URL = "https://example.org/book/"


@pytest.fixture
def qr_codes(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The URLs of the QR codes drawn (the drawing itself is memoised per process)."""
    drawn: list[str] = []
    original = worksheets._qr_data_uri.__wrapped__

    def counting(url: str) -> str:
        drawn.append(url)
        return original(url)

    monkeypatch.setattr(worksheets, "_qr_data_uri", counting)
    return drawn


def _build(step: str, tmp_path: Path):
    metadata = load_metadata(ROOT / "data" / "book.yml")
    return build_worksheets(
        two_activity_registry(step),
        metadata,
        tmp_path / "site",
        tmp_path / "cache",
        site_url=SITE_URL,
    )


def test_unchanged_rebuild_renders_no_html_and_draws_no_qr_code(
    tmp_path: Path, qr_codes: list[str]
) -> None:
    first = _build("Draw.", tmp_path)
    assert first.html_rendered > 0 and qr_codes
    qr_codes.clear()
    second = _build("Draw.", tmp_path)
    assert (second.rendered, second.html_rendered, qr_codes) == (0, 0, [])
    assert (tmp_path / "site/worksheets/first/index.html").is_file()


def test_a_changed_activity_renders_only_its_own_outputs(
    tmp_path: Path, qr_codes: list[str]
) -> None:
    _build("Draw.", tmp_path)
    changed = _build("Draw it.", tmp_path)
    # its page, its worksheet and facilitator sheet per paper, nothing of "second" alone;
    # the packets that hold it (classroom and facilitator: it has no answer key) assembled
    assert changed.rendered == 2 * len(PAPERS)
    assert changed.html_rendered == 1 + 2 * len(PAPERS)
    assert changed.assembled == 2 * len(PAPERS) < len(EDITIONS) * len(PAPERS)
    page = (tmp_path / "site/worksheets/first/index.html").read_text(encoding="utf-8")
    assert "Draw it." in page


def test_site_files_are_links_to_the_cache_and_never_write_through(tmp_path: Path) -> None:
    _build("Draw.", tmp_path)
    site_pdf = tmp_path / "site/worksheets/first/first-a4.pdf"
    cache = OutputCache(tmp_path / "cache")
    cached = cache.path("worksheets/first/first-a4.pdf")
    assert os.path.samefile(site_pdf, cached)
    original = cached.read_bytes()
    write_bytes(site_pdf, b"replaced in the site")  # an atomic replace, as every writer does
    assert cached.read_bytes() == original
    cache.place("worksheets/first/first-a4.pdf", site_pdf)  # a stale site file is replaced
    assert site_pdf.read_bytes() == original


def _site(root: Path) -> Path:
    site = root / "site"
    (site / "pages").mkdir(parents=True)
    (site / "index.html").write_text("<h1>Home</h1>", encoding="utf-8")
    (site / "pages" / "a.html").write_text("<p>A</p>", encoding="utf-8")
    return site


def _zip(site: Path, cache: OutputCache | None) -> Path:
    target = write_offline_zip(site, site / "downloads/book.zip", folder="book", cache=cache)
    if cache is not None:
        cache.save()  # as the plugin does after the build's last output
    return target


def test_offline_zip_is_not_rewritten_when_nothing_changed(tmp_path: Path) -> None:
    site = _site(tmp_path)
    cache = OutputCache(tmp_path / "cache")
    target = _zip(site, cache)
    cached = cache.path("downloads/book.zip")
    made = cached.stat().st_mtime_ns
    assert os.path.samefile(target, cached)
    target.unlink()  # MkDocs cleans the site before each build
    again = OutputCache(tmp_path / "cache")
    _zip(site, again)
    assert (cached.stat().st_mtime_ns, again.hits) == (made, 1)


def test_offline_zip_is_rewritten_when_a_file_changed(tmp_path: Path) -> None:
    site = _site(tmp_path)
    cache = OutputCache(tmp_path / "cache")
    _zip(site, cache)
    (site / "pages" / "a.html").write_text("<p>B</p>", encoding="utf-8")  # same size
    target = _zip(site, OutputCache(tmp_path / "cache"))
    with zipfile.ZipFile(target) as archive:
        assert archive.read("book/pages/a.html") == b"<p>B</p>"


def test_cached_zip_is_the_same_as_a_fresh_one(tmp_path: Path) -> None:
    site = _site(tmp_path)
    target = _zip(site, OutputCache(tmp_path / "cache"))
    cached = target.read_bytes()
    target.unlink()
    assert _zip(site, None).read_bytes() == cached


@pytest.fixture
def citation_cache(tmp_path: Path):
    from opentextbook.book import citations

    citations.use_cache_dir(tmp_path / "citations")
    yield citations
    citations.use_cache_dir(None)


def test_citations_are_formatted_once_then_read_back(
    citation_cache, monkeypatch: pytest.MonkeyPatch
) -> None:
    metadata = load_metadata(ROOT / "data" / "book.yml")
    first = citation_cache.format_citations(metadata, SITE_URL)

    def not_again(*args):
        raise AssertionError("citeproc ran although nothing changed")

    monkeypatch.setattr(citation_cache, "_csl_citation", not_again)
    assert citation_cache.format_citations(metadata, SITE_URL) == first
    with pytest.raises(AssertionError, match="citeproc ran"):  # a new address: formatted anew
        citation_cache.format_citations(metadata, SITE_URL + "other/")


def test_whole_book_key_covers_the_images_pages_show(tmp_path: Path) -> None:
    from opentextbook.publishing.bookpages import BookPage
    from opentextbook.publishing.publisher import _image_digests

    (tmp_path / "img").mkdir()
    image = tmp_path / "img" / "map.svg"
    image.write_text("<svg>one</svg>", encoding="utf-8")
    pages = [BookPage("ch/a.md", "A", "ch/a.html", '<p><img alt="Map" src="../img/map.svg"></p>')]
    before = _image_digests(tmp_path, pages)
    image.write_text("<svg>two</svg>", encoding="utf-8")
    assert before and _image_digests(tmp_path, pages) != before
