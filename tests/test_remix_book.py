"""A book assembled from several open works: every output credits each chapter's own people.

``tests/fixtures/remix-book`` has four chapters: three adapt three different works (by
different authors, under CC BY 4.0 and CC BY-SA 4.0) and one is original. It is built once
with ``--strict``; then each chapter's footer, attribution, JSON-LD, citation tags, five
citations and worksheet PDFs are checked, and the credits in the licence page, the packets,
the whole-book PDF and the EPUB. Three broken copies must each fail ``--strict`` with one
message naming the file and line.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest
from conftest import Build, build_book, run_build
from lxml import etree
from lxml import html as lxml_html
from pypdf import PdfReader

from opentextbook.book import BookMetadata, load_metadata, read_page_credit
from opentextbook.book.citations import format_citations

FIXTURE = Path(__file__).parent / "fixtures" / "remix-book"
SITE_URL = "https://example.org/teaching-in-the-open/"
SLUG = "teaching-in-the-open"
EPUBCHECK = Path("/usr/bin/epubcheck")

# What each chapter must credit: (page, worksheet id, title, authors, licence, source, its authors)
CHAPTERS = {
    "sharing": (
        "find-a-plan",
        "Why share your teaching",
        ["Priya Natarajan", "Tomás Ferreira"],
        "CC BY 4.0",
        "Sharing Lesson Plans",
        "Amara Okafor",
    ),
    "peer-review": (
        "three-step-review",
        "Peer review of lessons",
        ["Priya Natarajan", "Tomás Ferreira"],
        "CC BY-SA 4.0",
        "Looking at Each Other's Lessons",
        "Lin Wei and Sofia Marchetti",
    ),
    "licensing": (
        "pick-a-licence",
        "Choosing an open licence",
        ["Tomás Ferreira"],
        "CC BY 4.0",
        "A Plain Guide to Open Licences",
        "Open Licensing Working Group",
    ),
    "closing": (None, "Closing thoughts", ["Priya Natarajan"], "CC BY 4.0", None, None),
}
LICENCE_URLS = {
    "CC BY 4.0": "https://creativecommons.org/licenses/by/4.0/",
    "CC BY-SA 4.0": "https://creativecommons.org/licenses/by-sa/4.0/",
}
PUBLISHERS = {
    "sharing": "Northfield Teaching Commons",
    "peer-review": "Coastal Educators Network",
    "licensing": "Riverbend College Press",
}
SOURCES = [spec[4] for spec in CHAPTERS.values() if spec[4]]


def copy_fixture(dest: Path) -> Path:
    shutil.copytree(FIXTURE, dest, ignore=shutil.ignore_patterns("site", ".cache"))
    return dest


@pytest.fixture(scope="module")
def remix(tmp_path_factory: pytest.TempPathFactory) -> Build:
    return build_book(copy_fixture(tmp_path_factory.mktemp("remix") / "book"))


@pytest.fixture(scope="module")
def metadata(remix: Build) -> BookMetadata:
    return load_metadata(remix.project / "data" / "book.yml")


def page(remix: Build, name: str):
    return lxml_html.fromstring((remix.site / f"{name}.html").read_bytes())


def words(element) -> str:
    return " ".join(element.text_content().split())


def graph(root) -> list[dict]:
    script = root.xpath('//script[@type="application/ld+json"]')[0]
    return json.loads(script.text)["@graph"]


def pdf_text(path: Path) -> str:
    """The PDF's words; a word the layout hyphenated (U+2010 at a line's end) is joined."""
    text = "\n".join(page.extract_text() for page in PdfReader(path).pages)
    return " ".join(text.replace("\u2010\n", "").split())


@pytest.mark.parametrize("name", list(CHAPTERS))
def test_footer_credits_the_chapter(remix: Build, name: str) -> None:
    _, title, authors, licence, source, source_authors = CHAPTERS[name]
    footer = words(page(remix, name).find_class("otb-licence-footer")[0])
    expected = f"{title} by {' and '.join(authors)}"
    if source:
        expected += f", adapted from {source} by {source_authors}"
        expected += f" ({PUBLISHERS[name]}), used under {licence}. Text licensed under"
    else:
        expected += ". Text licensed under"
    assert footer.startswith(expected), footer
    assert footer.endswith(f"({licence}); code under the MIT License."), footer


@pytest.mark.parametrize("name", list(CHAPTERS))
def test_attribution_block_in_creative_commons_wording(remix: Build, name: str) -> None:
    _, title, authors, licence, source, source_authors = CHAPTERS[name]
    root = page(remix, name)
    blocks = root.find_class("otb-attribution")
    assert len(blocks) == 1
    sentence = words(blocks[0].find_class("otb-attribution__tasl")[0])
    by = " and ".join(authors)
    if source:
        assert sentence.startswith(
            f"“{title}” by {by} is adapted from {source} by {source_authors} "
        ), sentence
        assert "used under Creative Commons Attribution" in sentence
        assert sentence.endswith(f"({licence}) by {by}."), sentence
    else:
        assert sentence.startswith(f"“{title}” by {by} is original work in Teaching in the Open")
    assert blocks[0].xpath('.//a[@rel="license"]/@href')[-1] == LICENCE_URLS[licence]
    assert root.xpath('//head/link[@rel="license"]/@href') == [LICENCE_URLS[licence]]


@pytest.mark.parametrize("name", list(CHAPTERS))
def test_json_ld_chapter_has_its_own_credits(remix: Build, name: str) -> None:
    _, title, authors, licence, source, _ = CHAPTERS[name]
    nodes = graph(page(remix, name))
    book = next(node for node in nodes if node["@type"] == "Book")
    chapter = next(node for node in nodes if "Chapter" in node["@type"])
    assert set(chapter["@type"]) == {"Chapter", "LearningResource"}
    assert chapter["name"] == title
    assert [person["name"] for person in chapter["author"]] == authors
    assert chapter["license"] == LICENCE_URLS[licence]
    assert chapter["isPartOf"] == {"@id": book["@id"]}
    based_on = chapter.get("isBasedOn", [])
    assert [work["name"] for work in based_on] == ([source] if source else [])
    assert sorted(work["name"] for work in book["isBasedOn"]) == sorted(SOURCES)


def test_a_group_is_an_organization_in_json_ld(remix: Build) -> None:
    chapter = next(n for n in graph(page(remix, "licensing")) if "Chapter" in n["@type"])
    assert chapter["isBasedOn"][0]["author"] == [
        {"@type": "Organization", "name": "Open Licensing Working Group"}
    ]


@pytest.mark.parametrize("name", list(CHAPTERS))
def test_citation_tags_name_the_chapters_authors(remix: Build, name: str) -> None:
    _, title, authors, licence, *_ = CHAPTERS[name]
    root = page(remix, name)
    tags = {}
    for tag in root.xpath('//head/meta[starts-with(@name, "citation_") or @name="dc.rights"]'):
        tags.setdefault(tag.get("name"), []).append(tag.get("content"))
    assert tags["citation_title"] == [title]
    assert tags["citation_author"] == authors
    assert tags["citation_book_title"] == ["Teaching in the Open"]
    assert tags["citation_public_url"] == [f"{SITE_URL}{name}.html"]
    assert tags["dc.rights"] == [LICENCE_URLS[licence]]


@pytest.mark.parametrize("name", list(CHAPTERS))
def test_five_citations_are_this_chapters(remix: Build, metadata, name: str) -> None:
    _, title, authors, _, source, _ = CHAPTERS[name]
    root = page(remix, name)
    credit, problems = read_page_credit(
        metadata,
        src=f"{name}.md",
        path=f"docs/{name}.md",
        text=(remix.project / "docs" / f"{name}.md").read_text("utf-8"),
        title=title,
        url=f"{name}.html",
    )
    assert not problems
    citations = format_citations(metadata, f"{SITE_URL}{name}.html", credit)
    assert [c.key for c in citations] == ["apa", "mla", "chicago", "bibtex", "ris"]
    for citation in citations:
        shown = root.get_element_by_id(f"otb-cite-{citation.key}").text_content().strip()
        assert shown == citation.text.strip(), citation.key
        assert authors[0].split()[-1] in shown, citation.key
        assert (source in shown) if source else ("Adapted from" not in shown), citation.key
    apa = citations[0].text
    family = authors[0].split()[-1]
    assert apa.startswith(f"{family}, {authors[0][0]}.")  # who made this version comes first


@pytest.mark.parametrize("name", [name for name in CHAPTERS if CHAPTERS[name][0]])
@pytest.mark.parametrize("paper", ["letter", "a4"])
def test_each_worksheet_carries_its_chapters_credits(remix: Build, name: str, paper) -> None:
    ident, title, authors, licence, source, source_authors = CHAPTERS[name]
    text = pdf_text(remix.site / "worksheets" / ident / f"{ident}-{paper}.pdf")
    assert f"From “{title}” by {' and '.join(authors)}, in Teaching in the Open" in text
    assert f"({licence})" in text
    assert f"Adapted from {source} by {source_authors}" in text
    others = [spec[4] for other, spec in CHAPTERS.items() if other != name and spec[4]]
    assert not any(other in text for other in others), "another chapter's source is credited"


@pytest.mark.parametrize("edition", ["packet", "facilitator"])
def test_packet_cover_lists_every_source_and_each_sheet_its_own(remix: Build, edition) -> None:
    text = pdf_text(remix.site / "worksheets" / f"{edition}-a4.pdf")
    # The cover ends where the first sheet starts (its title repeats the book's name).
    cover = text.split("draw on:", 1)[1].split("TEACHING IN THE OPEN", 1)[0]
    for _, title, authors, _, source, source_authors in CHAPTERS.values():
        if source:
            assert f"{source} by {source_authors}" in cover, source
            assert f"From “{title}” by {' and '.join(authors)}" in text, title


def test_licence_page_credits_every_chapter(remix: Build) -> None:
    rows = page(remix, "licence").xpath('//table[contains(@class, "otb-credits")]/tbody/tr')
    assert len(rows) == len(CHAPTERS)
    for row, (name, spec) in zip(rows, CHAPTERS.items(), strict=True):
        _, title, authors, licence, source, source_authors = spec
        cells = [words(cell) for cell in row.xpath("th|td")]
        assert cells[0] == title
        assert row.find("th/a").get("href") == f"{name}.html"
        assert cells[1] == " and ".join(authors)
        assert cells[2].endswith(f"({licence})")
        assert cells[3] == (
            f"{source} by {source_authors}" if source else "original work"
        ) or cells[3].startswith(f"{source} by {source_authors}")
    assert "Added examples from secondary schools." in words(rows[2])


def test_whole_book_pdf_credits_every_chapter(remix: Build) -> None:
    text = pdf_text(remix.site / "downloads" / f"{SLUG}.pdf")
    credits = text[text.index("Credits for each chapter") :]
    for _, title, _, _, source, source_authors in CHAPTERS.values():
        assert title in credits
        if source:
            assert f"{source} by {source_authors}" in credits


def test_epub_credits_every_chapter_and_passes_epubcheck(remix: Build) -> None:
    path = remix.site / "downloads" / f"{SLUG}.epub"
    with zipfile.ZipFile(path) as epub:
        pages = [epub.read(name) for name in epub.namelist() if name.endswith("html")]
    credits = next(text for text in pages if b"otb-credits" in text)
    found = etree.fromstring(credits).xpath(
        '//*[local-name()="table"][contains(@class, "otb-credits")]'
    )
    table = " ".join("".join(found[0].itertext()).split())
    for _, title, _, _, source, source_authors in CHAPTERS.values():
        assert title in table and (not source or f"{source} by {source_authors}" in table)
    java = shutil.which("java")
    assert java and EPUBCHECK.exists(), "epubcheck needs Java: apt-get install epubcheck"
    result = subprocess.run(
        [java, "-jar", str(EPUBCHECK.resolve()), str(path)], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_site_identity_and_counts_follow_the_data(remix: Build) -> None:
    root = page(remix, "index")
    assert "This book has three activities." in words(root)
    description = root.xpath('//head/meta[@name="description"]/@content')
    assert description == [
        "Sharing teaching materials, reviewing each other's lessons and choosing a licence."
    ]
    assert root.xpath('//head/meta[@name="author"]/@content') == [
        "Priya Natarajan and Tomás Ferreira"
    ]


# --- Broken copies: one clear message naming file and line each -------------------------------

BROKEN = {
    "incompatible source licence": (
        "licensing.md",
        (
            '    licence: CC-BY-4.0\n    date: "2023-09-01"',
            '    licence: CC-BY-SA-4.0\n    date: "2023-09-01"',
        ),
        "docs/licensing.md:5: source “A Plain Guide to Open Licences” (CC BY-SA 4.0) cannot be "
        "adapted into this chapter under CC BY 4.0: an adaptation of CC BY-SA 4.0 material may "
        "only be licensed as CC-BY-SA-4.0 — license the chapter under one of the allowed "
        "licences (front matter 'licence:'), or replace the source",
    ),
    "malformed sources": (
        "sharing.md",
        ("sources: [sharing]", "sources:\n  title: Sharing Lesson Plans"),
        "docs/sharing.md:2:1: 'sources' must be a list, not a mapping — start each item on its "
        "own line with '- '",
    ),
    "unknown front matter key": (
        "closing.md",
        ("authors: [Priya Natarajan]", "authors: [Priya Natarajan]\nlicnce: CC-BY-4.0"),
        "docs/closing.md:3:1: unknown front matter key 'licnce' — did you mean 'licence'?",
    ),
}


@pytest.mark.parametrize("case", list(BROKEN))
def test_broken_credits_fail_strict_with_one_message(tmp_path: Path, case: str) -> None:
    name, (old, new), message = BROKEN[case]
    project = copy_fixture(tmp_path / "book")
    path = project / "docs" / name
    text = path.read_text("utf-8")
    assert old in text
    path.write_text(text.replace(old, new), "utf-8")
    env = {"BOOK_DOWNLOADS": "false", "WORKSHEET_PDFS": "false"}
    result = run_build(project, env=env)
    output = result.stdout + result.stderr
    assert result.returncode != 0
    warnings = [line for line in output.splitlines() if line.startswith("WARNING")]
    assert warnings == [f"WARNING -  opentextbook: {message}"], output
