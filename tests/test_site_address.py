"""With no published address (``mkdocs.yml``'s default), no built file names a made-up one.

The book is built as a reader of the README builds it, without ``SITE_URL``: every file of the
site is searched for ``example.org`` — HTML, XML, JSON, scripts, SVG, the text and links of
every PDF, and what EPUB, DOCX and zip files hold — and the build says once how to set it.
"""

from __future__ import annotations

import gzip
import io
import zipfile

from conftest import Build
from pypdf import PdfReader

PLACEHOLDER = "example.org"
NOTICE = "site_url is not set to the book's published address (it is unset)"


def readable_text(name: str, data: bytes) -> list[tuple[str, str]]:
    """``(name, text)`` for a file and, for archives, every file inside (at any depth)."""
    if name.endswith((".zip", ".epub", ".docx")):
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return [
                found
                for member in archive.namelist()
                for found in readable_text(f"{name}!{member}", archive.read(member))
            ]
    if name.endswith(".gz"):
        return readable_text(name.removesuffix(".gz"), gzip.decompress(data))
    if name.endswith(".pdf"):
        return [(name, _pdf_text(data))]
    return [(name, data.decode("utf-8", errors="replace"))]


def _pdf_text(data: bytes) -> str:
    """A PDF's words, its links' targets and its metadata (all compressed in the file)."""
    reader = PdfReader(io.BytesIO(data))
    parts = [str(reader.metadata or {})]
    for page in reader.pages:
        parts.append(page.extract_text() or "")
        for annotation in page.get("/Annots") or []:
            action = annotation.get_object().get("/A") or {}
            parts.append(str(action.get("/URI", "")))
    return "\n".join(parts)


def test_the_default_build_names_no_placeholder_address(built_site: Build) -> None:
    assert built_site.output.count(NOTICE) == 1, built_site.output
    files = sorted(path for path in built_site.site.rglob("*") if path.is_file())
    kinds = {path.suffix for path in files}
    assert {".html", ".xml", ".json", ".js", ".svg", ".pdf", ".epub", ".docx", ".zip"} <= kinds
    found = [
        name
        for path in files
        for name, text in readable_text(
            path.relative_to(built_site.site).as_posix(), path.read_bytes()
        )
        if PLACEHOLDER in text.lower()
    ]
    assert not found, f"files naming {PLACEHOLDER}: {found}"


def test_without_an_address_pages_name_none(built_site: Build) -> None:
    page = built_site.page("networking-and-plns.html")
    assert 'rel="canonical"' not in page and "citation_public_url" not in page
    assert "<loc>" not in built_site.page("sitemap.xml")  # no address to list pages under
    for sheet in ("draw-your-pln", "explore-professional-networks"):
        assert 'class="otb-ws-qr"' not in built_site.page(f"worksheets/{sheet}/index.html")


def test_without_an_address_the_404_page_finds_the_books_root(built_site: Build) -> None:
    """Served from anywhere (a fork published without SITE_URL), its links follow a <base>."""
    page = built_site.page("404.html")
    assert '<base href="/">' in page
    assert 'href="/assets/' not in page and 'src="/assets/' not in page
