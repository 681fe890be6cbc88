"""The whole book builds strictly, and every page carries the licence."""

from __future__ import annotations

from html.parser import HTMLParser
from urllib.parse import urlsplit

from conftest import Build


def test_build_has_no_warnings(built_site: Build) -> None:
    assert "WARNING" not in built_site.output


def test_every_page_shows_the_licence(built_site: Build) -> None:
    for page in built_site.site.rglob("*.html"):
        html = page.read_text(encoding="utf-8")
        if "<title>" not in html:
            continue  # redirect stubs and fragments
        assert "Creative Commons Attribution 4.0 International" in html, page
        assert 'rel="license"' in html, page


_LOADING_RELS = {"stylesheet", "icon", "preload", "modulepreload", "preconnect", "dns-prefetch"}


class _ResourceFinder(HTMLParser):
    """Collects the addresses a browser would fetch on its own when it opens the page."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attr = {name: value or "" for name, value in attrs}
        if tag == "link" and _LOADING_RELS & set(attr.get("rel", "").split()):
            self.urls.append(attr.get("href", ""))
        elif tag in {"script", "img", "iframe", "audio", "video", "source", "embed"}:
            self.urls.append(attr.get("src", ""))


def test_no_page_loads_from_another_host(built_site: Build) -> None:
    for page in built_site.site.rglob("*.html"):
        finder = _ResourceFinder()
        finder.feed(page.read_text(encoding="utf-8"))
        foreign = [url for url in finder.urls if urlsplit(url).netloc]
        assert not foreign, f"{page.relative_to(built_site.site)} loads {foreign}"
