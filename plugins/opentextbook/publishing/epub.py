"""The whole book as an EPUB 3 that passes epubcheck, with EPUB Accessibility 1.1 metadata.

MkDocs has no EPUB route, so the book's built pages are turned into XHTML here (see
:mod:`~opentextbook.publishing.bookpages`) and packaged with the standard library's ``zipfile``:
an EPUB is a zip with the ``mimetype`` entry first and uncompressed, ``META-INF/container.xml``
pointing at the package document, and the documents it lists. Inline SVG goes back into the SVG
namespace; form controls become blanks, as an e-reader cannot fill or keep them.

The file is byte-reproducible: entries in a fixed order with one fixed time (the book's date),
an identifier derived from the book's address, and nothing else that varies between builds.
"""

from __future__ import annotations

import datetime
import mimetypes
import os
import posixpath
import re
import uuid
import zipfile
from dataclasses import dataclass
from pathlib import Path

from lxml import etree
from lxml import html as lxml_html

from opentextbook.i18n import licence_name, licence_url, t
from opentextbook.metadata import BookMetadata
from opentextbook.publishing.bookpages import BookPage, BookSection, book_sections
from opentextbook.publishing.snippets import render_template
from opentextbook.support.atomic import atomic_path

XHTML = "http://www.w3.org/1999/xhtml"
SVG = "http://www.w3.org/2000/svg"
XLINK = "http://www.w3.org/1999/xlink"
OPS = "http://www.idpf.org/2007/ops"
TEMPLATES = Path(__file__).resolve().parent.parent / "templates" / "publishing"
STYLESHEET = TEMPLATES / "epub.css"

ACCESSIBILITY = {
    "schema:accessMode": ("textual", "visual"),
    "schema:accessModeSufficient": ("textual",),
    "schema:accessibilityFeature": (
        "structuralNavigation",
        "tableOfContents",
        "readingOrder",
        "alternativeText",
        "displayTransformability",
    ),
    "schema:accessibilityHazard": ("none",),
    "dcterms:conformsTo": ("EPUB Accessibility 1.1 - WCAG 2.1 Level AA",),
}
_FORM_CONTROLS = "//input | //textarea | //select"
# Image types every EPUB 3 reader must support (EPUB 3 core media types).
_CORE_IMAGE_TYPES = {"image/png", "image/jpeg", "image/gif", "image/svg+xml"}
_XHTML_TYPE = "application/xhtml+xml"
# Characters XML 1.0 does not allow; text from data must not make a document unreadable.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")
# A zip cannot hold times before 1980; a book with no date gets this one (as the offline zip).
_NO_DATE = datetime.datetime(2000, 1, 1, tzinfo=datetime.UTC)


@dataclass(frozen=True)
class EpubItem:
    """One file of the publication, listed in the package document's manifest."""

    id: str
    href: str
    media_type: str
    content: bytes
    title: str = ""
    properties: str = ""


def write_epub(
    metadata: BookMetadata,
    pages: list[BookPage],
    target: Path,
    *,
    site_dir: Path,
    site_url: str | None,
) -> Path:
    """Write the EPUB of ``pages`` to ``target`` atomically; images come from ``site_dir``."""
    images = _ImageFiles(site_dir)
    sections = book_sections(pages, site_url=site_url, resource=images.add)
    documents = _documents(metadata, sections, site_url)
    identifier = book_identifier(metadata, site_url)
    when = publication_time(metadata)
    items = [
        EpubItem("style", "style/book.css", "text/css", STYLESHEET.read_bytes()),
        *documents,
        *images.items,
        EpubItem(
            "ncx", "toc.ncx", "application/x-dtbncx+xml", _ncx(metadata, identifier, documents)
        ),
        _nav(metadata, documents),
    ]
    spine = [documents[0].id, "nav", *(document.id for document in documents[1:])]
    package = _package(metadata, identifier, when, items, spine)
    entries = [
        ("META-INF/container.xml", (TEMPLATES / "epub-container.xml").read_bytes()),
        ("EPUB/content.opf", package),
        *((f"EPUB/{item.href}", item.content) for item in items),
    ]
    with atomic_path(target) as tmp:
        _write_zip(tmp, entries, when)
    return target


def book_identifier(metadata: BookMetadata, site_url: str | None) -> str:
    """The same ``urn:uuid:`` for every build of one book: from its address, or its title."""
    seed = site_url or f"{metadata.title} {metadata.edition or ''}"
    return f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, seed)}"


def publication_time(metadata: BookMetadata) -> datetime.datetime:
    """When the book says it last changed: its ``date``, else ``SOURCE_DATE_EPOCH``.

    This one time is ``dcterms:modified`` and every zip entry's time, so two builds of the
    same book give the same bytes; the build's own clock is never used.
    """
    if metadata.date:
        day = datetime.date.fromisoformat(str(metadata.date)[:10])
        return datetime.datetime(day.year, day.month, day.day, tzinfo=datetime.UTC)
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch.isdigit():
        return max(datetime.datetime.fromtimestamp(int(epoch), datetime.UTC), _NO_DATE)
    return _NO_DATE


def _write_zip(path: Path, entries: list[tuple[str, bytes]], when: datetime.datetime) -> None:
    """``mimetype`` first and stored, then every entry deflated, all with the same time."""
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr(_zip_entry("mimetype", when, zipfile.ZIP_STORED), b"application/epub+zip")
        for name, content in entries:
            archive.writestr(_zip_entry(name, when, zipfile.ZIP_DEFLATED), content)


def _zip_entry(name: str, when: datetime.datetime, compression: int) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, date_time=when.timetuple()[:6])
    info.compress_type = compression
    info.create_system = 3  # Unix, whatever the machine: the same bytes everywhere
    info.external_attr = 0o644 << 16
    return info


def _package(metadata, identifier: str, when, items: list[EpubItem], spine: list[str]) -> bytes:
    """The package document (``content.opf``): metadata, manifest and reading order."""
    licence = metadata.licence
    optional = {
        "publisher": metadata.adapted_by,
        "description": metadata.description,
        "date": metadata.date,
        "rights": f"{licence_name(licence)} ({licence.short}) {licence_url(licence) or ''}",
    }
    sources = [
        ("source", t("credit.work_by", title=item.title, author=item.author or "?"))
        for item in metadata.sources
    ]
    accessibility = [(name, value) for name, values in ACCESSIBILITY.items() for value in values]
    accessibility.append(("schema:accessibilitySummary", t("epub.accessibility_summary")))
    return _xml_bytes(
        render_template(
            "epub-package.opf",
            book=metadata,
            identifier=identifier,
            dublin_core=[
                *((name, str(value).strip()) for name, value in optional.items() if value),
                *sources,
            ],
            modified=when.strftime("%Y-%m-%dT%H:%M:%SZ"),
            accessibility=accessibility,
            items=items,
            spine=spine,
        )
    )


def _nav(metadata: BookMetadata, documents: list[EpubItem]) -> EpubItem:
    content = render_template(
        "epub-nav.xhtml", title=metadata.title, language=metadata.language, documents=documents
    )
    return EpubItem("nav", "nav.xhtml", _XHTML_TYPE, _xml_bytes(content), properties="nav")


def _ncx(metadata: BookMetadata, identifier: str, documents: list[EpubItem]) -> bytes:
    content = render_template(
        "epub-toc.ncx", title=metadata.title, identifier=identifier, documents=documents
    )
    return _xml_bytes(content)


def _xml_bytes(text: str) -> bytes:
    """A rendered XML file as UTF-8, with any character XML does not allow replaced."""
    return _NOT_XML.sub("\ufffd", text).encode("utf-8")


def _documents(metadata: BookMetadata, sections: list[BookSection], site_url) -> list[EpubItem]:
    """The title page and one XHTML document per section, links rewritten between files."""
    files = {section.anchor: f"text/{section.anchor}.xhtml" for section in sections}
    title_page = _document(
        "titlepage",
        "text/titlepage.xhtml",
        metadata.title,
        metadata.language,
        render_template("epub-titlepage.html", book=metadata, site_url=site_url),
    )
    documents = [title_page]
    for section in sections:
        _retarget_links(section.element, files)
        _blank_form_controls(section.element)
        _code_left_to_right(section.element)
        body = lxml_html.tostring(section.element, encoding="unicode")
        doc = _document(
            section.anchor, files[section.anchor], section.title, metadata.language, body
        )
        documents.append(doc)
    return documents


def _document(uid: str, file_name: str, title: str, language: str, body_html: str) -> EpubItem:
    """One XHTML content document: the page template with ``body_html`` as its body."""
    element = lxml_html.fragment_fromstring(_NOT_XML.sub("\ufffd", body_html), create_parent="div")
    has_svg = _to_xhtml(element)
    page = render_template(
        "epub-page.xhtml",
        title=title,
        language=language,
        stylesheet=posixpath.relpath("style/book.css", posixpath.dirname(file_name)),
    )
    root = etree.fromstring(_xml_bytes(page.replace("<!--body-->", "")))
    body = root.find(f"{{{XHTML}}}body")
    body.text = element.text
    for child in list(element):
        body.append(child)  # takes the page's default namespace: no prefixes in the XHTML
    for svg in root.iter(f"{{{SVG}}}svg"):
        _unprefix_svg(svg)
    content = etree.tostring(
        root, xml_declaration=True, encoding="utf-8", doctype="<!DOCTYPE html>"
    )
    properties = "svg" if has_svg else ""
    return EpubItem(uid, file_name, _XHTML_TYPE, content, title=title, properties=properties)


def _unprefix_svg(svg) -> None:
    """Give an inline SVG its own default namespace, as SVG is written, instead of a prefix."""
    if svg.getparent() is None or svg.getparent().tag.startswith(f"{{{SVG}}}"):
        return
    own = etree.Element(svg.tag, dict(svg.attrib), nsmap={None: SVG})
    own.text, own.tail = svg.text, svg.tail
    own.extend(list(svg))
    svg.getparent().replace(svg, own)


def _to_xhtml(element) -> bool:
    """Put parsed HTML in the XHTML namespace and inline SVG back in the SVG namespace;
    return whether there was any SVG (the manifest says so)."""
    svg_nodes = {node for svg in element.iter("svg") for node in svg.iter()}
    for node in element.iter():
        if not isinstance(node.tag, str):
            continue
        in_svg = node in svg_nodes
        _fix_attributes(node, svg=in_svg)
        name = _SVG_CASE.get(node.tag, node.tag) if in_svg else node.tag
        node.tag = f"{{{SVG if in_svg else XHTML}}}{name}"
    return bool(svg_nodes)


# The HTML parser lower-cases names; SVG is XML and needs them back in their own case.
_SVG_NAMES = [
    "viewBox",
    "preserveAspectRatio",
    "clipPath",
    "clipPathUnits",
    "linearGradient",
    "radialGradient",
    "gradientUnits",
    "gradientTransform",
    "foreignObject",
    "textPath",
    "markerWidth",
    "markerHeight",
    "markerUnits",
    "refX",
    "refY",
    "patternUnits",
    "patternTransform",
    "stdDeviation",
    "feGaussianBlur",
    "feOffset",
    "feBlend",
    "feColorMatrix",
    "textLength",
    "lengthAdjust",
]
_SVG_CASE = {name.lower(): name for name in _SVG_NAMES}
_NAMESPACED_ATTRIBUTES = {
    "xlink:href": f"{{{XLINK}}}href",
    "epub:type": f"{{{OPS}}}type",
    "xml:lang": "{http://www.w3.org/XML/1998/namespace}lang",
}


def _fix_attributes(node, *, svg: bool) -> None:
    for name in list(node.attrib):
        if svg and name in _SVG_CASE:
            node.set(_SVG_CASE[name], node.attrib.pop(name))
        elif name in _NAMESPACED_ATTRIBUTES:
            node.set(_NAMESPACED_ATTRIBUTES[name], node.attrib.pop(name))
        elif name == "xmlns" or ":" in name or not re.fullmatch(r"[A-Za-z_][\w.\-]*", name):
            del node.attrib[name]  # no namespace to put it in: XML would not be well-formed


def _retarget_links(root, files: dict[str, str]) -> None:
    """``#p2-x`` in the single-document book becomes ``p2.xhtml#p2-x`` in the EPUB."""
    for link in root.iter("a"):
        href = link.get("href", "")
        match = re.fullmatch(r"#(p\d+)(-.*)?", href)
        if match and match.group(1) in files:
            name = posixpath.basename(files[match.group(1)])
            link.set("href", f"{name}#{href[1:]}")


def _blank_form_controls(root) -> None:
    for control in root.xpath(_FORM_CONTROLS):
        if control.get("type") in {"hidden", "submit", "button", "reset"}:
            control.drop_tree()
            continue
        blank = lxml_html.Element("span", {"class": "otb-blank"})
        blank.text = "\u2003" * 12
        blank.tail = control.tail
        control.getparent().replace(control, blank)
    for form in root.xpath("//form"):
        form.drop_tag()
    for label in root.xpath("//label"):
        label.attrib.pop("for", None)


def _code_left_to_right(root) -> None:
    """Code (a chapter's BibTeX and RIS records) reads left to right in a right-to-left book
    too; EPUB style sheets may not set ``direction``, so the ``dir`` attribute says it."""
    for code in root.xpath("//pre[not(@dir)] | //code[not(@dir) and not(ancestor::pre)]"):
        code.set("dir", "ltr")


class _ImageFiles:
    """The site's images the pages show, each added to the book once under ``images/``."""

    def __init__(self, site_dir: Path) -> None:
        self.site_dir = site_dir
        self.items: list[EpubItem] = []
        self._names: dict[str, str] = {}

    def add(self, path: str) -> str | None:
        """Add ``path`` (relative to the site) once; return its address from a page."""
        file = self.site_dir / path
        media_type = mimetypes.guess_type(path)[0]
        if not file.is_file() or media_type not in _CORE_IMAGE_TYPES:
            return None  # the page shows the image's text alternative instead
        if path not in self._names:
            number = len(self.items) + 1
            name = f"images/{number}{Path(path).suffix.lower()}"
            self.items.append(EpubItem(f"img{number}", name, media_type, file.read_bytes()))
            self._names[path] = name
        return f"../{self._names[path]}"
