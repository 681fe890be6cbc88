"""Offline: the built site folder, and the zip of it, open from disk with no server and no network.

Both are checked the same way in headless Chromium opening ``file://`` URLs while every http(s)
request is blocked: the chapter shows with its styles, links lead from page to page, and search
finds the chapter.
"""

from __future__ import annotations

import json
import zipfile
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
from conftest import Build, local_links

ZIP = "downloads/networking-and-personal-learning-networks-offline.zip"
FOLDER = "networking-and-personal-learning-networks"


@pytest.fixture(scope="module")
def unpacked(built_site: Build, tmp_path_factory: pytest.TempPathFactory) -> Path:
    target = tmp_path_factory.mktemp("offline")
    with zipfile.ZipFile(built_site.site / ZIP) as archive:
        archive.extractall(target)
    return target / FOLDER


@pytest.fixture(params=["site folder", "unzipped copy"])
def on_disk(request, built_site: Build) -> Path:
    """The folder a reader opens: the built ``site/`` itself, or the offline zip unpacked."""
    return (
        built_site.site if request.param == "site folder" else request.getfixturevalue("unpacked")
    )


def test_zip_is_the_site_but_not_itself(built_site: Build) -> None:
    with zipfile.ZipFile(built_site.site / ZIP) as archive:
        names = set(archive.namelist())
        home = archive.read(f"{FOLDER}/index.html")
    assert home == (built_site.site / "index.html").read_bytes()  # as built, not rewritten
    site_files = {
        f"{FOLDER}/{path.relative_to(built_site.site).as_posix()}"
        for path in built_site.site.rglob("*")
        if path.is_file()
    }
    assert f"{FOLDER}/{ZIP}" not in names
    assert names == site_files - {f"{FOLDER}/{ZIP}"}
    assert f"{FOLDER}/search/search_index.js" in names


def test_search_index_is_also_a_script_for_file_urls(built_site: Build) -> None:
    script = built_site.page("search/search_index.js")
    assert script.startswith("var __index = ")
    docs = json.loads(built_site.page("search/search_index.json"))["docs"]
    locations = [doc["location"] for doc in docs]
    assert "networking-and-plns.html" in locations
    assert not [url for url in locations if urlsplit(url).path.endswith("/")], locations


def test_every_local_link_opens_a_file(on_disk: Path) -> None:
    for page in on_disk.rglob("*.html"):
        if page.name == "404.html":
            continue  # Material gives the 404 page absolute links for any depth
        for url, path in local_links(page):
            if on_disk.name == FOLDER and path.endswith("-offline.zip"):
                continue  # the copy cannot hold itself
            target = page.parent / unquote(path)
            assert target.is_file(), f"{page.relative_to(on_disk)}: {url} is not a file"


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


# Every stylesheet of the page loaded (a failed <link> has no sheet), and Material's styles apply.
STYLED = """() => {
  const links = [...document.querySelectorAll('link[rel="stylesheet"]')];
  return links.length > 0 && links.every(link => link.sheet !== null)
    && getComputedStyle(document.querySelector('.md-header')).position === 'sticky';
}"""


@pytest.fixture
def offline_context(browser):
    """A browser context where any http(s) request fails; the URLs asked for are collected."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.requests = []

    def block_network(route) -> None:
        context.requests.append(route.request.url)
        route.abort()

    context.route("http://**/*", block_network)
    context.route("https://**/*", block_network)
    yield context
    context.close()


def test_opens_from_disk_styled_linked_and_searchable(offline_context, on_disk: Path) -> None:
    page = offline_context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto((on_disk / "index.html").as_uri())
    page.click("a.md-button--primary")  # "Start reading the chapter"
    page.wait_for_load_state()
    assert page.url == (on_disk / "networking-and-plns.html").as_uri()
    assert page.locator("h1").first.inner_text().startswith("Networking and Personal Learning")
    assert page.evaluate(STYLED), "the chapter's stylesheets did not load from disk"
    page.click("a.md-nav__link[href='references.html']")
    page.wait_for_load_state()
    assert page.url == (on_disk / "references.html").as_uri()
    assert "References" in page.title()
    results = search_from_disk(page, "generosity")
    assert results is not None, f"no search results from disk: {errors}"
    href = results.first.locator("a").first.get_attribute("href")
    assert href.startswith(on_disk.as_uri() + "/") and ".html" in href, href
    results.first.locator("a").first.click()
    page.wait_for_load_state()
    assert page.url.startswith(on_disk.as_uri() + "/") and ".html" in page.url
    assert not errors, errors
    assert not offline_context.requests, f"asked the network for {offline_context.requests}"
