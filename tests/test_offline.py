"""The offline zip: the whole site, opened from disk with no server and no network, search too."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from conftest import Build

from opentextbook.publishing.offline import offline_links, offline_search_index

ZIP = "downloads/networking-and-personal-learning-networks-offline.zip"
FOLDER = "networking-and-personal-learning-networks"


@pytest.fixture(scope="module")
def unpacked(built_site: Build, tmp_path_factory: pytest.TempPathFactory) -> Path:
    target = tmp_path_factory.mktemp("offline")
    with zipfile.ZipFile(built_site.site / ZIP) as archive:
        archive.extractall(target)
    return target / FOLDER


def test_zip_holds_the_site_but_not_itself(built_site: Build) -> None:
    with zipfile.ZipFile(built_site.site / ZIP) as archive:
        names = set(archive.namelist())
    site_files = {
        f"{FOLDER}/{path.relative_to(built_site.site).as_posix()}"
        for path in built_site.site.rglob("*")
        if path.is_file()
    }
    assert f"{FOLDER}/{ZIP}" not in names
    assert site_files - {f"{FOLDER}/{ZIP}"} <= names
    assert f"{FOLDER}/search/search_index.js" in names
    assert all(name.startswith(f"{FOLDER}/") for name in names)


def test_folder_links_point_at_files() -> None:
    html = (
        '<a href="../">up</a> <a href="references/#x">refs</a> <a href=".">home</a>'
        ' <a href="#top">top</a> <a href="https://example.org/">out</a>'
        ' <a href="a.pdf">pdf</a> <a href="..">parent</a>'
    )
    assert offline_links(html) == (
        '<a href="../index.html">up</a> <a href="references/index.html#x">refs</a>'
        ' <a href="./index.html">home</a> <a href="#top">top</a>'
        ' <a href="https://example.org/">out</a> <a href="a.pdf">pdf</a>'
        ' <a href="../index.html">parent</a>'
    )


def test_search_index_locations_point_at_files() -> None:
    index = {"config": {}, "docs": [{"location": ""}, {"location": "#a"}, {"location": "b/#c"}]}
    script = offline_search_index(json.dumps(index))
    assert script.startswith("var __index = ")
    docs = json.loads(script.removeprefix("var __index = "))["docs"]
    assert [doc["location"] for doc in docs] == ["index.html", "index.html#a", "b/index.html#c"]


def test_every_local_link_of_the_copy_opens_a_file(unpacked: Path) -> None:
    from lxml import html as lxml_html

    for page in unpacked.rglob("*.html"):
        root = lxml_html.fromstring(page.read_bytes())
        for url in root.xpath("//a/@href | //link/@href | //script/@src | //img/@src"):
            parts = urlsplit(url)
            if parts.scheme or parts.netloc or not parts.path or page.name == "404.html":
                continue
            if parts.path.endswith("-offline.zip"):
                continue  # the copy cannot hold itself
            assert (page.parent / parts.path).is_file(), f"{page.relative_to(unpacked)}: {url}"


def search_from_disk(page, query: str, attempts: int = 8):
    """Type ``query`` into Material's search until results show (None if they never do).

    Typing again covers a slow start: keys typed before the search is set up are not searched.
    """
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    field = page.locator("input.md-search__input")
    results = page.locator(".md-search-result__item")
    for _ in range(attempts):
        field.fill("")
        field.press_sequentially(query)
        try:
            results.first.wait_for(timeout=4000)
        except PlaywrightTimeout:
            continue
        return results
    return None


def test_site_opens_from_disk_with_search_and_no_network(browser, unpacked: Path) -> None:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    requests: list[str] = []

    def block_network(route) -> None:
        requests.append(route.request.url)
        route.abort()

    context.route("http://**/*", block_network)
    context.route("https://**/*", block_network)
    try:
        page = context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        console: list[str] = []
        page.on("console", lambda message: console.append(message.text))
        page.goto((unpacked / "index.html").as_uri())
        results = search_from_disk(page, "generosity")
        assert results is not None, f"no search results from disk: {errors} {console}"
        assert results.count() >= 1
        href = results.first.locator("a").first.get_attribute("href")
        assert href.startswith("file://") and ".html" in href
        page.goto((unpacked / "index.html").as_uri())
        page.click("a.md-nav__link[href$='references/index.html']")
        page.wait_for_load_state()
        assert page.url.endswith("references/index.html")
        assert "References" in page.title()
        assert not errors, errors
    finally:
        context.close()
    assert not requests, f"the offline copy asked the network for {requests}"
