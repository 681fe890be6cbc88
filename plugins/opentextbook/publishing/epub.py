"""The whole book as an EPUB 3 that passes epubcheck, with EPUB Accessibility 1.1 metadata.

MkDocs has no EPUB route, so the book's built pages are turned into XHTML here (see
:mod:`~opentextbook.publishing.bookpages`) and packaged with ``ebooklib``. We write each page's
XHTML ourselves instead of letting ebooklib convert HTML, because it would put inline SVG in the
wrong namespace; form controls become blanks, as an e-reader cannot fill or keep them.
"""

from __future__ import annotations

import datetime
import mimetypes
import posixpath
import re
import uuid
from functools import cache
from pathlib import Path

from lxml import etree
from lxml import html as lxml_html

from opentextbook.atomic import atomic_path
from opentextbook.metadata import BookMetadata
from opentextbook.publishing.bookpages import BookPage, BookSection, book_sections
from opentextbook.publishing.snippets import render_template

XHTML = "http://www.w3.org/1999/xhtml"
SVG = "http://www.w3.org/2000/svg"
XLINK = "http://www.w3.org/1999/xlink"
OPS = "http://www.idpf.org/2007/ops"
STYLESHEET = Path(__file__).resolve().parent.parent / "templates" / "publishing" / "epub.css"

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
ACCESSIBILITY_SUMMARY = (
    "Text with headings, a table of contents and a logical reading order. Images have text "
    "alternatives; tables have header cells. Worksheet fields of the web version appear as "
    "blank lines. No flashing, motion or sound."
)
_FORM_CONTROLS = "//input | //textarea | //select"
# Image types every EPUB 3 reader must support (EPUB 3 core media types).
_CORE_IMAGE_TYPES = {"image/png", "image/jpeg", "image/gif", "image/svg+xml"}


@cache
def _xhtml_document_class():
    """An ebooklib document whose content is our own finished XHTML, used as is."""
    from ebooklib import epub

    class XhtmlDocument(epub.EpubHtml):
        def get_content(self, default=None):
            return self.content

    return XhtmlDocument


def write_epub(
    metadata: BookMetadata,
    pages: list[BookPage],
    target: Path,
    *,
    site_dir: Path,
    site_url: str | None,
) -> Path:
    """Write the EPUB of ``pages`` to ``target`` atomically; images come from ``site_dir``."""
    from ebooklib import epub  # imported here: only whole-book builds need it

    book = epub.EpubBook()
    _set_metadata(book, metadata, site_url)
    style = epub.EpubItem(
        uid="style",
        file_name="style/book.css",
        media_type="text/css",
        content=STYLESHEET.read_bytes(),
    )
    book.add_item(style)
    images: dict[str, str] = {}
    sections = book_sections(
        pages, site_url=site_url, resource=lambda path: _add_image(book, site_dir, path, images)
    )
    documents = _documents(metadata, sections, site_url)
    for document in documents:
        book.add_item(document)
    book.toc = [epub.Link(doc.file_name, doc.title, doc.id) for doc in documents]
    book.add_item(epub.EpubNcx())
    book.add_item(epub.EpubNav())
    book.spine = [documents[0], "nav", *documents[1:]]
    with atomic_path(target) as tmp:
        epub.write_epub(str(tmp), book, {"mtime": _modified(metadata), "epub3_pages": False})
    return target


def _set_metadata(book, metadata: BookMetadata, site_url: str | None) -> None:
    seed = site_url or f"{metadata.title} {metadata.edition or ''}"
    book.set_identifier(f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, seed)}")
    book.set_title(metadata.title)
    book.set_language(metadata.language)
    licence = metadata.licence
    for n, name in enumerate(metadata.author_names):
        book.add_author(name, uid=f"author{n}")
    optional = {
        "publisher": metadata.adapted_by,
        "description": metadata.description,
        "date": metadata.date,
        "rights": f"{licence.name} ({licence.short}) {licence.url or ''}",
        "source": f"{metadata.source.title} by {metadata.source.author}",
    }
    for name, value in optional.items():
        if value:
            book.add_metadata("DC", name, value.strip())
    for prop, values in ACCESSIBILITY.items():
        for value in values:
            book.add_metadata(None, "meta", value, {"property": prop})
    summary = {"property": "schema:accessibilitySummary"}
    book.add_metadata(None, "meta", ACCESSIBILITY_SUMMARY, summary)


def _documents(metadata: BookMetadata, sections: list[BookSection], site_url):
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
        body = lxml_html.tostring(section.element, encoding="unicode")
        doc = _document(
            section.anchor, files[section.anchor], section.title, metadata.language, body
        )
        documents.append(doc)
    return documents


def _document(uid: str, file_name: str, title: str, language: str, body_html: str):
    element = lxml_html.fragment_fromstring(body_html, create_parent="div")
    xhtml, has_svg = _to_xhtml(element)
    page = render_template(
        "epub-page.xhtml",
        title=title,
        language=language,
        stylesheet=posixpath.relpath("style/book.css", posixpath.dirname(file_name)),
    )
    content = page.replace("<!--body-->", xhtml).encode("utf-8")
    doc = _xhtml_document_class()(uid=uid, file_name=file_name, title=title, lang=language)
    doc.content = content
    if has_svg:
        doc.properties.append("svg")
    return doc


def _to_xhtml(element) -> tuple[str, bool]:
    """Serialise parsed HTML as XHTML; inline SVG goes back into the SVG namespace."""
    svg_nodes = {node for svg in element.iter("svg") for node in svg.iter()}
    for node in element.iter():
        if not isinstance(node.tag, str):
            continue
        in_svg = node in svg_nodes
        _fix_attributes(node, svg=in_svg)
        name = _SVG_CASE.get(node.tag, node.tag) if in_svg else node.tag
        node.tag = f"{{{SVG if in_svg else XHTML}}}{name}"
    children = [etree.tostring(child, encoding="unicode", method="xml") for child in element]
    text = _escape_text(element.text or "")
    return text + "".join(children), bool(svg_nodes)


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
        elif ":" in name or not re.fullmatch(r"[A-Za-z_][\w.\-]*", name):
            del node.attrib[name]  # no namespace to put it in: XML would not be well-formed


def _escape_text(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


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


def _add_image(book, site_dir: Path, path: str, images: dict[str, str]) -> str | None:
    """Add an image file of the site to the book once; return its address from a page."""
    from ebooklib import epub

    file = site_dir / path
    media_type = mimetypes.guess_type(path)[0]
    if not file.is_file() or media_type not in _CORE_IMAGE_TYPES:
        return None  # the page shows the image's text alternative instead
    if path not in images:
        name = f"images/{len(images) + 1}{Path(path).suffix.lower()}"
        book.add_item(
            epub.EpubItem(
                uid=f"img{len(images) + 1}",
                file_name=name,
                media_type=media_type,
                content=file.read_bytes(),
            )
        )
        images[path] = name
    return f"../{images[path]}"


def _modified(metadata: BookMetadata) -> datetime.datetime:
    """``dcterms:modified`` from the book's date: the date the book says it was last changed."""
    if metadata.date:
        return datetime.datetime.fromisoformat(metadata.date)
    return datetime.datetime(2000, 1, 1)
