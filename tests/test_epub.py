"""The EPUB 3 passes epubcheck and carries EPUB Accessibility 1.1 metadata."""

from __future__ import annotations

import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest
from conftest import Build
from lxml import etree

from opentextbook.metadata import load_metadata

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
