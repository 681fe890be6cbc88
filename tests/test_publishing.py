"""Licence, JSON-LD, citation tags, attribution and downloads, as the built site shows them."""

from __future__ import annotations

import dataclasses
import json
import os
import re
import shutil
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest
from conftest import Build, build_book, copy_project, local_links
from lxml import html as lxml_html

from opentextbook.book import BookMetadata, PageCredit, load_metadata, read_page_credit
from opentextbook.book.citations import format_citations
from opentextbook.publishing.linkeddata import page_head
from opentextbook.publishing.snippets import attribution_text

CHAPTER = "networking-and-plns.html"
LICENCE = "licence.html"
DOWNLOADS = "downloads.html"
SLUG = "networking-and-personal-learning-networks"
BOOK_FILES = (f"downloads/{SLUG}.pdf", f"downloads/{SLUG}.epub", f"downloads/{SLUG}-offline.zip")


@pytest.fixture(scope="module")
def metadata(built_site: Build) -> BookMetadata:
    return load_metadata(built_site.project / "data" / "book.yml")


def chapter_credit(project: Path, metadata: BookMetadata) -> PageCredit:
    """The chapter's credits, read from its front matter as the build reads them."""
    text = (project / "docs" / "networking-and-plns.md").read_text("utf-8")
    credit, problems = read_page_credit(
        metadata,
        src="networking-and-plns.md",
        path="docs/networking-and-plns.md",
        text=text,
        title=None,
        url=CHAPTER,
    )
    assert not problems
    return credit


def pages(site: Path) -> list[Path]:
    """Every page of the site's theme (printable worksheets are standalone documents)."""
    return [
        path
        for path in sorted(site.rglob("*.html"))
        if 'class="md-content"' in path.read_text("utf-8")
    ]


def head_of(path: Path):
    return lxml_html.fromstring(path.read_bytes()).find("head")


def jsonld(head) -> list[dict]:
    scripts = head.xpath('script[@type="application/ld+json"]')
    assert len(scripts) == 1
    return json.loads(scripts[0].text)["@graph"]


def node(graph: list[dict], kind: str) -> dict:
    return next(item for item in graph if kind in item["@type"] or item["@type"] == kind)


def canonical(head) -> str:
    return head.xpath('link[@rel="canonical"]/@href')[0]


def canonical_or_none(head) -> str | None:
    """The page's published address; none when the book has none (``site_url`` unset)."""
    found = head.xpath('link[@rel="canonical"]/@href')
    return found[0] if found else None


@pytest.fixture(params=["built_site", "subpath_build"])
def build(request) -> tuple[Build, bool]:
    """``built_site`` (mkdocs.yml's default: no published address) or ``subpath_build`` (with
    one), and whether it has one."""
    return request.getfixturevalue(request.param), request.param == "subpath_build"


# --- Every page: licence and JSON-LD ---------------------------------------------------------


def test_every_page_declares_the_licence_in_its_head(built_site: Build, metadata) -> None:
    for page in pages(built_site.site):
        licences = head_of(page).xpath('link[@rel="license"]/@href')
        assert licences == [metadata.licence.url], page


def test_every_page_describes_the_book_in_json_ld(built_site: Build, metadata) -> None:
    for page in pages(built_site.site):
        book = node(jsonld(head_of(page)), "Book")
        assert book["name"] == metadata.title, page
        assert book["license"] == metadata.licence.url
        assert book["inLanguage"] == metadata.language
        assert [a["name"] for a in book["author"]] == metadata.author_names
        assert book["learningResourceType"] == metadata.learning_resource_type
        assert book["educationalLevel"] == metadata.educational_level
        assert [item["name"] for item in book["publisher"]] == [metadata.adapted_by]
        check_is_based_on(book["isBasedOn"], metadata)


def check_is_based_on(originals: list[dict], metadata: BookMetadata) -> None:
    assert len(originals) == len(metadata.sources) == 1
    original, source = originals[0], metadata.source
    assert original["@type"] == "CreativeWork"
    assert original["name"] == source.title
    assert [author["name"] for author in original["author"]] == ["Rebecca J. Hogue"]
    assert original["publisher"]["name"] == source.publisher
    # Unknown facts (address, licence, date) are left out, never guessed.
    assert source.url is None and source.licence.id == "unknown"
    assert not {"url", "license", "datePublished"} & set(original)


def test_the_chapter_is_a_chapter_and_learning_resource(
    build: tuple[Build, bool], metadata
) -> None:
    site, published = build
    head = head_of(site.site / CHAPTER)
    graph = jsonld(head)
    chapter = node(graph, "Chapter")
    assert set(chapter["@type"]) == {"Chapter", "LearningResource"}
    assert chapter["name"] == "Networking and Personal Learning Networks"
    address = canonical_or_none(head)  # without one, no address is made up
    assert chapter.get("url") == address and (address is None) == (not published)
    if address:
        assert chapter["isPartOf"] == {"@id": node(graph, "Book")["@id"]}
    else:
        assert "isPartOf" not in chapter and "url" not in node(graph, "Book")
    assert chapter["license"] == metadata.licence.url
    assert chapter["inLanguage"] == metadata.language
    assert chapter["learningResourceType"] == metadata.learning_resource_type
    assert chapter["educationalLevel"] == metadata.educational_level
    assert [a["name"] for a in chapter["author"]] == metadata.author_names
    check_is_based_on(chapter["isBasedOn"], metadata)


def test_only_the_chapter_has_a_chapter_node(built_site: Build) -> None:
    for page in pages(built_site.site):
        kinds = [str(item["@type"]) for item in jsonld(head_of(page))]
        has_chapter = any("Chapter" in kind for kind in kinds)
        assert has_chapter == (page == built_site.site / CHAPTER), page


def test_json_ld_cannot_close_its_script_element(metadata: BookMetadata) -> None:
    hostile = dataclasses.replace(metadata, title="</script><script>alert(1)</script><!--&")
    credit = PageCredit("x.md", "docs/x.md", "x", "x.html", metadata.authors, metadata.licence)
    head = page_head(hostile, site_url=None, page_url=None, page_title="x", credit=credit)
    assert not re.search(r"[<>&]", head.jsonld)
    assert json.loads(head.jsonld)["@graph"][0]["name"] == hostile.title


# --- The chapter: citation tags and the five citations -------------------------------------------


def test_chapter_has_citation_meta_tags(build: tuple[Build, bool], metadata) -> None:
    site, published = build
    head = head_of(site.site / CHAPTER)
    meta = {}
    for tag in head.xpath('meta[starts-with(@name, "citation_")]'):
        meta.setdefault(tag.get("name"), []).append(tag.get("content"))
    assert meta["citation_title"] == ["Networking and Personal Learning Networks"]
    assert meta["citation_author"] == metadata.author_names
    assert meta["citation_publication_date"] == [metadata.date.replace("-", "/")]
    assert meta["citation_publisher"] == [metadata.adapted_by]
    assert meta["citation_language"] == [metadata.language]
    if not published:  # no address: no tag names one
        assert not {"citation_public_url", "citation_pdf_url"} & set(meta)
    else:  # the whole-book downloads are off in that build: no PDF to name
        assert meta["citation_public_url"] == [canonical(head)]
        assert "citation_pdf_url" not in meta


def test_citation_tags_name_the_published_page_and_pdf(metadata) -> None:
    credit = PageCredit("x.md", "docs/x.md", "x", "x.html", metadata.authors, metadata.licence)
    page, pdf = "https://you.github.io/b/x.html", f"https://you.github.io/b/downloads/{SLUG}.pdf"
    head = page_head(
        metadata,
        site_url="https://you.github.io/b/",
        page_url=page,
        page_title="x",
        credit=credit,
        pdf_url=pdf,
    )
    assert ("citation_public_url", page) in head.meta and ("citation_pdf_url", pdf) in head.meta


def test_chapter_offers_five_citations_with_copy_buttons(
    build: tuple[Build, bool], metadata
) -> None:
    site, published = build
    root = lxml_html.fromstring((site.site / CHAPTER).read_bytes())
    url = canonical_or_none(root.find("head"))
    assert (url is None) == (not published)  # the citations name the page's address, or none
    credit = chapter_credit(site.project, metadata)
    for citation in format_citations(metadata, url, credit):
        shown = root.get_element_by_id(f"otb-cite-{citation.key}")
        assert shown.text_content().strip() == citation.text.strip(), citation.key
        buttons = root.xpath(f'//button[@data-otb-copy="otb-cite-{citation.key}"]')
        assert len(buttons) == 1, citation.key
        assert buttons[0].get("type") == "button"


def test_copy_script_is_loaded_and_local(built_site: Build) -> None:
    root = lxml_html.fromstring((built_site.site / CHAPTER).read_bytes())
    scripts = root.xpath("//script/@src")
    assert any(src.endswith("assets/opentextbook/copy.js") for src in scripts)
    script = (built_site.site / "assets/opentextbook/copy.js").read_text("utf-8")
    assert "navigator.clipboard" in script
    assert "http" not in script


# --- Attribution ---------------------------------------------------------------------------------


def test_attribution_names_title_author_source_licence(built_site: Build, metadata) -> None:
    root = lxml_html.fromstring((built_site.site / CHAPTER).read_bytes())
    blocks = root.find_class("otb-attribution")
    assert len(blocks) == 1
    sentence = " ".join(blocks[0].find_class("otb-attribution__tasl")[0].text_content().split())
    assert sentence == (
        "“Networking and Personal Learning Networks” by Networking and PLNs open textbook "
        "contributors is adapted from Networking and Personal Learning Networks by Rebecca J. "
        "Hogue (EdTech Books), used under a licence that is not known. “Networking and Personal "
        "Learning Networks” is licensed under Creative Commons Attribution 4.0 International "
        "(CC BY 4.0) by Networking and PLNs open textbook contributors."
    )
    cells = [cell.text_content() for cell in blocks[0].xpath(".//tbody/tr/td")]
    source = metadata.source
    assert cells == [
        source.title,
        source.author,
        f"{source.publisher} (web address unknown)",
        "unknown",
        "licence unknown",
    ]
    assert blocks[0].xpath('.//a[@rel="license"]/@href') == [metadata.licence.url]
    changes = [
        item.text_content()
        for item in blocks[0].xpath('.//ul[@class="otb-attribution__changes"]/li')
    ]
    assert changes == list(source.changes)


def test_licence_page_credits_every_chapter(built_site: Build, metadata) -> None:
    root = lxml_html.fromstring((built_site.site / LICENCE).read_bytes())
    rows = root.xpath('//table[contains(@class, "otb-credits")]/tbody/tr')
    assert [row.find("th").text_content() for row in rows] == [
        "Networking and Personal Learning Networks"
    ]
    assert rows[0].find("th/a").get("href") == CHAPTER
    assert "Rebecca J. Hogue" in rows[0].text_content()


def test_licence_page_has_attribution_text_to_copy(build: tuple[Build, bool], metadata) -> None:
    site, published = build
    root = lxml_html.fromstring((site.site / LICENCE).read_bytes())
    site_url = node(jsonld(root.find("head")), "Book").get("url")
    assert (site_url is None) == (not published)
    shown = root.get_element_by_id("otb-attribute-book").text_content()
    assert shown == attribution_text(metadata, site_url)
    for fact in (metadata.title, metadata.source.author, metadata.licence.short, site_url):
        assert fact is None or fact in shown
    assert root.xpath('//button[@data-otb-copy="otb-attribute-book"]')


# --- Downloads -----------------------------------------------------------------------------------


def test_downloads_page_links_the_whole_book_files(built_site: Build) -> None:
    root = lxml_html.fromstring((built_site.site / DOWNLOADS).read_bytes())
    hrefs = {urljoin(DOWNLOADS, href) for href in root.xpath("//article//a/@href")}
    for path in BOOK_FILES:
        assert path in hrefs, path
        assert (built_site.site / path).stat().st_size > 5000, path


def test_downloads_page_lists_each_whole_book_file_as_its_own_item(built_site: Build) -> None:
    # Regression: the items were once joined into one bullet by a literal ".- ".
    root = lxml_html.fromstring((built_site.site / DOWNLOADS).read_bytes())
    items = root.xpath("//article//li[a[contains(@href, 'downloads/')]]")
    linked = [urljoin(DOWNLOADS, item.xpath("a/@href")[0]) for item in items]
    assert [path for path in linked if path in BOOK_FILES] == list(BOOK_FILES)
    for item in items:
        assert len(item.xpath("a")) == 1 and ".- " not in item.text_content()


def test_whole_book_files_have_their_formats(built_site: Build) -> None:
    pdf, epub, offline = (built_site.site / path for path in BOOK_FILES)
    assert pdf.read_bytes().startswith(b"%PDF-")
    assert epub.read_bytes()[:2] == b"PK"
    assert b"mimetypeapplication/epub+zip" in epub.read_bytes()[:60]
    assert offline.read_bytes()[:2] == b"PK"


# --- No resource from another host (CSS and JS; HTML is scanned in test_site_build) --------------


_CSS_URL = re.compile(r"""url\(\s*['"]?([^'")\s]+)|@import\s+['"]([^'"]+)""")


def test_no_stylesheet_loads_from_another_host(built_site: Build) -> None:
    for sheet in built_site.site.rglob("*.css"):
        for match in _CSS_URL.finditer(sheet.read_text("utf-8")):
            url = match[1] or match[2]
            if url.startswith("data:"):
                continue
            assert not urlsplit(url).netloc, f"{sheet.relative_to(built_site.site)} loads {url}"


# A script loads from another host when it fetches, imports or sets a ``src`` to a full URL;
# a URL in data (a licence link) is not a load. The browser test in test_offline.py watches
# every request at run time, Material's scripts included.
_JS_LOAD = re.compile(
    r"""(?:\b(?:fetch|import|importScripts|open|Worker|EventSource|WebSocket)\s*\(\s*"""
    r"""|\.(?:src|href)\s*=\s*|\bfrom\s+)['"`](?:https?:|wss?:)?//"""
)


def test_our_scripts_load_nothing_from_another_host(built_site: Build) -> None:
    for script in (built_site.site / "assets" / "opentextbook").rglob("*.js"):
        match = _JS_LOAD.search(script.read_text("utf-8"))
        assert match is None, f"{script.name}: {match and match[0]}"


def test_the_load_pattern_finds_loads() -> None:
    assert _JS_LOAD.search('fetch("https://api.github.com/repos")')
    assert _JS_LOAD.search("img.src = '//cdn.example/x.png'")
    assert not _JS_LOAD.search('var licence = "https://creativecommons.org/licenses/by/4.0/";')


def test_pages_use_the_local_worker_shim_not_unpkg(built_site: Build) -> None:
    for page in pages(built_site.site):
        text = page.read_text("utf-8")
        assert "unpkg.com" not in text, page
        assert "assets/opentextbook/iframe-worker-shim.js" in text, page


# --- Another build: under a sub-path, downloads off; and a cached rebuild ------------------------


@pytest.fixture(scope="module")
def subpath_build(tmp_path_factory: pytest.TempPathFactory) -> Build:
    """The book published under a sub-path, with the whole-book downloads turned off."""
    env = {
        "SITE_URL": "https://example.org/sub/path/",
        "BOOK_DOWNLOADS": "false",
        "WORKSHEET_PDFS": "false",  # not what this build is about, and slow
    }
    saved = {key: os.environ.get(key) for key in env}
    os.environ.update(env)
    try:
        return build_book(copy_project(tmp_path_factory.mktemp("subpath")))
    finally:
        for key, value in saved.items():
            os.environ.pop(key) if value is None else os.environ.__setitem__(key, value)


def test_sub_path_addresses_in_head(subpath_build: Build) -> None:
    for page in pages(subpath_build.site):
        head = head_of(page)
        if page.name != "404.html":
            assert canonical(head).startswith("https://example.org/sub/path/"), page
        assert node(jsonld(head), "Book")["url"] == "https://example.org/sub/path/"


def test_sub_path_every_local_link_resolves(subpath_build: Build) -> None:
    site = subpath_build.site
    for page in pages(site):
        if page.name == "404.html":
            continue  # Material gives the 404 page absolute links for any depth
        for url, path in local_links(page):
            target = (page.parent / path).resolve()
            assert target.is_file(), f"{page.relative_to(site)}: {url} is not a file"


def test_downloads_off_writes_no_book_files(subpath_build: Build) -> None:
    for path in BOOK_FILES:
        assert not (subpath_build.site / path).exists(), path
    text = lxml_html.fromstring(subpath_build.page(DOWNLOADS)).text_content()
    assert "turned off" in text
    head = head_of(subpath_build.site / CHAPTER)
    assert not head.xpath('meta[@name="citation_pdf_url"]')


def test_unchanged_rebuild_renders_no_pdf_or_epub(built_site: Build, tmp_path: Path) -> None:
    # A copy of the very project built_site built (the shared tree may have moved on since).
    project = tmp_path / "again"
    shutil.copytree(built_site.project, project, ignore=shutil.ignore_patterns("site"))
    cached = sorted((project / ".cache" / "opentextbook" / "publishing" / "files").rglob("*.*"))
    assert {path.suffix for path in cached} >= {".pdf", ".epub"}
    before = {path: path.stat().st_mtime_ns for path in cached}
    rebuilt = build_book(project)
    assert {path: path.stat().st_mtime_ns for path in cached} == before
    for path in BOOK_FILES[:2]:
        assert (rebuilt.site / path).read_bytes() == (built_site.site / path).read_bytes()


# --- Pages into one book ------------------------------------------------------------------------


def sections_of(pages, site_url="https://example.org/book/", resource=lambda path: None):
    from opentextbook.publishing.bookpages import book_sections

    found = book_sections(pages, site_url=site_url, resource=resource)
    return [lxml_html.tostring(section.element, encoding="unicode") for section in found]


def test_book_pages_get_unique_ids_and_internal_links() -> None:
    from opentextbook.publishing.bookpages import BookPage

    pages = [
        BookPage("index.md", "Home", "", '<h1 id="a">Home</h1><p><a href="more/#b">on</a></p>'),
        BookPage("more.md", "More", "more/", '<h1 id="a">More</h1><h2 id="b">B</h2>'),
    ]
    first, second = sections_of(pages)
    assert 'id="p1-a"' in first and 'href="#p2-b"' in first
    assert 'id="p2-a"' in second and 'id="p2-b"' in second


def test_book_links_elsewhere_go_to_the_published_site() -> None:
    from opentextbook.publishing.bookpages import BookPage

    html = '<h1>T</h1><a href="../files/x.pdf">pdf</a><a href="https://a.org/">a</a>'
    page = BookPage("sub/page.md", "T", "sub/page/", html)
    (section,) = sections_of([page])
    assert 'href="https://example.org/book/sub/files/x.pdf"' in section
    assert 'href="https://a.org/"' in section


def test_book_ids_are_valid_xml_names_and_not_repeated() -> None:
    from opentextbook.publishing.bookpages import BookPage

    html = '<h1>T</h1><p id="fn:1">x</p><p id="fn:1">y</p><a href="#fn:1">1</a>'
    (section,) = sections_of([BookPage("p.md", "T", "p/", html)])
    assert section.count('id="p1-fn-1"') == 1
    assert 'href="#p1-fn-1"' in section


def test_book_drops_buttons_and_scripts_and_keeps_image_text() -> None:
    from opentextbook.publishing.bookpages import BookPage

    html = (
        '<h1>T<a class="headerlink" href="#t">¶</a></h1><button>Copy</button>'
        "<script>alert(1)</script><noscript>n</noscript>"
        '<p><img src="missing.png" alt="A map"> end</p>'
    )
    (section,) = sections_of([BookPage("p.md", "T", "p/", html)])
    assert "Copy" not in section and "alert" not in section and "¶" not in section
    assert "<span>A map</span> end" in section


def test_book_page_without_h1_gets_its_title() -> None:
    from opentextbook.publishing.bookpages import BookPage

    (section,) = sections_of([BookPage("p.md", "Its title", "p/", "<p>x</p>")])
    assert "<h1>Its title</h1>" in section


# --- Publishing on GitHub Pages -----------------------------------------------------------------


def test_pages_workflow_builds_with_the_repository_addresses() -> None:
    import yaml

    root = Path(__file__).resolve().parent.parent
    workflow = yaml.safe_load((root / ".github/workflows/pages.yml").read_text("utf-8"))
    steps = workflow["jobs"]["build"]["steps"]
    build = next(step for step in steps if "mkdocs build" in step.get("run", ""))
    assert "--strict" in build["run"]
    assert "steps.pages.outputs.base_url" in build["env"]["SITE_URL"]
    assert "github.repository" in build["env"]["REPO_URL"]
    upload = next(s for s in steps if "upload-pages-artifact" in s.get("uses", ""))
    assert upload["with"]["path"] == "site"
    deploy = workflow["jobs"]["deploy"]["steps"]
    assert any("deploy-pages" in step.get("uses", "") for step in deploy)
    config = (root / "mkdocs.yml").read_text("utf-8")
    assert "!ENV [SITE_URL" in config and "!ENV [REPO_URL" in config


def test_copy_button_copies_the_citation(browser, served_site: str, metadata) -> None:
    context = browser.new_context(permissions=["clipboard-read", "clipboard-write"])
    try:
        page = context.new_page()
        page.goto(served_site + "networking-and-plns.html")
        button = page.locator('button[data-otb-copy="otb-cite-bibtex"]')
        assert button.is_visible()  # hidden until the script runs: shown, so the script ran
        button.click()
        page.locator(".otb-copy__status", has_text="Copied").first.wait_for(timeout=5000)
        copied = page.evaluate("navigator.clipboard.readText()")
        assert copied.startswith("@incollection{") and metadata.title in copied
    finally:
        context.close()


def test_the_retired_chapter_option_fails_the_build_saying_what_to_do(
    tmp_path: Path, monkeypatch
) -> None:
    from conftest import run_build

    project = copy_project(tmp_path / "wrong")
    config = (project / "mkdocs.yml").read_text("utf-8")
    option = "      downloads: !ENV [BOOK_DOWNLOADS, true]\n"
    assert option in config
    config = config.replace(option, option + "      chapter: no-such-page.md\n")
    (project / "mkdocs.yml").write_text(config, "utf-8")
    monkeypatch.setenv("BOOK_DOWNLOADS", "false")
    monkeypatch.setenv("WORKSHEET_PDFS", "false")
    result = run_build(project)
    assert result.returncode != 0
    output = result.stdout + result.stderr
    assert "option 'chapter' is retired" in output
    assert "'chapter: false'" in output and "remove the option from mkdocs.yml" in output


def test_page_parts_kept_between_rebuilds_follow_the_book() -> None:
    """``serve`` keeps each page's head and footer between rebuilds: an edit of the book's
    metadata, its address or its language still reaches every page."""
    from opentextbook import i18n
    from opentextbook.publishing.publisher import BookPublisher

    metadata = load_metadata(Path(__file__).resolve().parent.parent / "data" / "book.yml")

    def parts(book: BookMetadata, site_url: str | None = None) -> tuple[str, str]:
        publisher = BookPublisher(book, site_url=site_url, downloads=False)
        return str(publisher.footer("index.md")), publisher.head("index.md", "Home", None).jsonld

    footer, head = parts(metadata)
    assert parts(metadata) == (footer, head)
    renamed = dataclasses.replace(metadata, title="A Renamed Book")
    assert all("A Renamed Book" in part for part in parts(renamed))
    assert "https://books.test/" in parts(metadata, "https://books.test/")[1]
    before = i18n.active()
    i18n.activate("es")
    try:
        assert parts(metadata)[0] != footer
    finally:
        i18n.locales._ACTIVE[:] = [before]
