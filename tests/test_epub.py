"""The EPUB 3 passes epubcheck and carries EPUB Accessibility 1.1 metadata."""

from __future__ import annotations

import dataclasses
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest
from conftest import Build
from lxml import etree

from opentextbook.metadata import load_metadata
from opentextbook.publishing.bookpages import BookPage
from opentextbook.publishing.epub import publication_time, write_epub

EPUB = "downloads/networking-and-personal-learning-networks.epub"
EPUBCHECK = Path("/usr/bin/epubcheck")  # Debian's package: a jar, run with java
OPF_NS = {"opf": "http://www.idpf.org/2007/opf", "dc": "http://purl.org/dc/elements/1.1/"}
XHTML_NS = {"x": "http://www.w3.org/1999/xhtml", "epub": "http://www.idpf.org/2007/ops"}


@pytest.fixture(scope="module")
def epub(built_site: Build) -> zipfile.ZipFile:
    return zipfile.ZipFile(built_site.site / EPUB)


@pytest.fixture(scope="module")
def opf(epub: zipfile.ZipFile):
    return etree.fromstring(epub.read("EPUB/content.opf"))


@pytest.fixture(scope="module")
def metadata(built_site: Build):
    return load_metadata(built_site.project / "data" / "book.yml")


def properties(opf, name: str) -> list[str]:
    return opf.xpath(f'//opf:meta[@property="{name}"]/text()', namespaces=OPF_NS)


def test_epubcheck_reports_no_error(built_site: Build) -> None:
    # Not skipped when missing: `.ci/run` / tests/run.sh install Debian's epubcheck.
    assert EPUBCHECK.exists(), "epubcheck is missing: apt-get install epubcheck"
    java = shutil.which("java")
    assert java, "epubcheck needs Java: apt-get install epubcheck (it depends on a JRE)"
    result = subprocess.run(
        [java, "-jar", str(EPUBCHECK.resolve()), str(built_site.site / EPUB)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    report = result.stdout + result.stderr
    assert result.returncode == 0, report
    assert "No errors or warnings detected" in report, report


def test_accessibility_metadata(opf) -> None:
    assert set(properties(opf, "schema:accessMode")) >= {"textual"}
    assert properties(opf, "schema:accessModeSufficient") == ["textual"]
    features = set(properties(opf, "schema:accessibilityFeature"))
    assert {"structuralNavigation", "tableOfContents", "readingOrder"} <= features
    assert properties(opf, "schema:accessibilityHazard") == ["none"]
    assert len(properties(opf, "schema:accessibilitySummary")[0]) > 40
    assert properties(opf, "dcterms:conformsTo") == ["EPUB Accessibility 1.1 - WCAG 2.1 Level AA"]


def test_package_metadata_comes_from_the_book(opf, metadata) -> None:
    def dc(name: str) -> list[str]:
        return opf.xpath(f"//dc:{name}/text()", namespaces=OPF_NS)

    assert dc("title") == [metadata.title]
    assert dc("language") == [metadata.language]
    assert dc("creator") == metadata.author_names
    assert dc("publisher") == [metadata.adapted_by]
    assert metadata.licence.url in dc("rights")[0]
    assert dc("identifier")[0].startswith("urn:uuid:")


def test_reading_order_and_navigation(epub: zipfile.ZipFile, opf) -> None:
    spine = opf.xpath("//opf:spine/opf:itemref/@idref", namespaces=OPF_NS)
    assert spine[0] == "titlepage"
    nav = etree.fromstring(epub.read("EPUB/nav.xhtml"))
    entries = nav.xpath('//x:nav[@epub:type="toc"]//x:a/text()', namespaces=XHTML_NS)
    for title in ("Networking and Personal Learning Networks", "References"):
        assert title in entries
    assert "Downloads" not in entries  # a page about the downloads is not part of the book


def test_chapter_text_and_language(epub: zipfile.ZipFile, metadata) -> None:
    documents = [name for name in epub.namelist() if name.endswith(".xhtml")]
    texts = {name: etree.fromstring(epub.read(name)) for name in documents}
    for name, root in texts.items():
        assert root.get("lang") == metadata.language, name
    joined = " ".join(" ".join(root.itertext()) for root in texts.values())
    assert "personal learning network" in joined.lower()
    # The citations travel with the chapter, naming the original's author (MLA's note).
    assert "Adapted from Rebecca J. Hogue," in joined


# ---- the EPUB is written by our own code (no ebooklib), the same bytes every time ------------

PAGES = [
    BookPage(
        "index.md", "Home", "index.html", "<h1>Home</h1><p>See <a href='ch.html#x'>x</a>.</p>"
    ),
    BookPage(
        "ch.md",
        "Chapter",
        "ch.html",
        '<h1 id="x">Chapter</h1><svg viewBox="0 0 2 2"><title>Dot</title><circle r="1"/></svg>'
        '<p><img src="img/dot.png" alt="A dot"><label for="f">Answer</label><input id="f"></p>',
    ),
]


def write_small_book(site: Path, target: Path, metadata) -> Path:
    (site / "img").mkdir(parents=True, exist_ok=True)
    (site / "img" / "dot.png").write_bytes(b"\x89PNG\r\n\x1a\n" + b"\0" * 16)
    return write_epub(metadata, PAGES, target, site_dir=site, site_url="https://example.org/b/")


def test_writing_twice_gives_identical_bytes(tmp_path: Path, metadata) -> None:
    first = write_small_book(tmp_path / "site", tmp_path / "one.epub", metadata).read_bytes()
    second = write_small_book(tmp_path / "site", tmp_path / "two.epub", metadata).read_bytes()
    assert first == second
    times = {info.date_time for info in zipfile.ZipFile(tmp_path / "one.epub").infolist()}
    assert times == {(2026, 11, 28, 0, 0, 0)}  # the book's date, never the clock


def test_the_zip_is_an_epub_container(tmp_path: Path, metadata) -> None:
    book = zipfile.ZipFile(write_small_book(tmp_path / "site", tmp_path / "b.epub", metadata))
    first = book.infolist()[0]
    assert first.filename == "mimetype" and first.compress_type == zipfile.ZIP_STORED
    assert first.extra == b"" and book.read("mimetype") == b"application/epub+zip"
    assert book.read(first.filename) == (tmp_path / "b.epub").read_bytes()[38:58]
    container = etree.fromstring(book.read("META-INF/container.xml"))
    assert container.xpath("//*[local-name()='rootfile']/@full-path") == ["EPUB/content.opf"]
    opf = etree.fromstring(book.read("EPUB/content.opf"))
    manifest = {
        f"EPUB/{item.get('href')}": item.get("media-type")
        for item in opf.xpath("//opf:manifest/opf:item", namespaces=OPF_NS)
    }
    assert set(manifest) == set(book.namelist()) - {
        "mimetype",
        "META-INF/container.xml",
        "EPUB/content.opf",
    }
    assert manifest["EPUB/images/1.png"] == "image/png"
    assert manifest["EPUB/toc.ncx"] == "application/x-dtbncx+xml"
    modified = properties(opf, "dcterms:modified")
    assert modified == ["2026-11-28T00:00:00Z"]
    chapter = etree.fromstring(book.read("EPUB/text/p2.xhtml"))
    svg = chapter.find(".//{http://www.w3.org/2000/svg}svg")
    assert svg is not None and svg.get("viewBox") == "0 0 2 2"
    assert chapter.find(".//{http://www.w3.org/1999/xhtml}input") is None  # a blank instead
    assert "xhtml" not in etree.tostring(chapter, encoding="unicode").split("<body")[1][:60]


def test_text_xml_forbids_and_markup_in_metadata_still_give_well_formed_files(
    tmp_path: Path, metadata
) -> None:
    odd = dataclasses.replace(metadata, title='Odd \ufffe\x01 "<script>x</script>" & co')
    book = zipfile.ZipFile(write_small_book(tmp_path / "site", tmp_path / "odd.epub", odd))
    for name in book.namelist():
        if name.endswith((".xhtml", ".opf", ".ncx", ".xml")):
            root = etree.fromstring(book.read(name))  # raises if not well-formed
            assert not root.xpath("//*[local-name()='script']"), name
    opf = etree.fromstring(book.read("EPUB/content.opf"))
    title = opf.xpath("//dc:title/text()", namespaces=OPF_NS)[0]
    assert title == 'Odd \ufffd\ufffd "<script>x</script>" & co'


def test_a_book_without_a_date_takes_source_date_epoch(
    tmp_path: Path, metadata, monkeypatch
) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")  # 2023-11-14T22:13:20Z
    undated = dataclasses.replace(metadata, date=None)
    assert publication_time(undated).isoformat() == "2023-11-14T22:13:20+00:00"
    book = zipfile.ZipFile(write_small_book(tmp_path / "site", tmp_path / "u.epub", undated))
    assert book.infolist()[1].date_time == (2023, 11, 14, 22, 13, 20)
    monkeypatch.delenv("SOURCE_DATE_EPOCH")
    assert publication_time(undated).year == 2000  # still fixed, never the clock
    assert publication_time(metadata).isoformat() == "2026-11-28T00:00:00+00:00"
