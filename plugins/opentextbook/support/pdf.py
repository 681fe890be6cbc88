"""Render HTML to tagged, fillable PDF with WeasyPrint, offline and atomically.

Every PDF of the book (worksheets, packets, PLN templates, the whole book) goes through
:func:`render_pdf`, so all of them share one set of guarantees: PDF/UA-1 tagging with title and
language, embedded subset fonts, form fields from ``<input>`` elements, no network access.
"""

from __future__ import annotations

import errno
import functools
import hashlib
import re
from collections.abc import Sequence
from pathlib import Path

from opentextbook.support.atomic import atomic_path
from opentextbook.support.errors import SourceError
from opentextbook.support.pdfdeflate import deflate_thoroughly
from opentextbook.support.pdfslim import slim_pdf
from opentextbook.support.stylesheets import Styles, parsed_stylesheets, split_styles

RENDER_CODE = (
    Path(__file__),
    Path(__file__).parent / "pdfslim.py",
    Path(__file__).parent / "stylesheets.py",
    Path(__file__).parent / "pdfdeflate.py",
)
"""The code every PDF is made with besides WeasyPrint: cache keys of PDFs include it."""

WRITE_FAULTS = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EROFS, errno.EACCES, errno.EPERM})
"""Errors of the file system (full, read-only, not allowed), not of the document."""


def render_pdf(
    html: str,
    target: str | Path,
    *,
    base_url: str | Path,
    stylesheets: list[str | Path] = (),
    forms: bool = True,
    form_font_dir: str | Path | None = None,
) -> Path:
    """Render ``html`` to ``target``; the HTML must carry ``<title>`` and ``<html lang>``.

    With ``forms`` and ``form_font_dir`` (a cache folder), form fields get the small font of
    :func:`form_font_css`, so no caller has to remember it: a field in a system font would
    embed that whole font. Raises ``SourceError`` naming the target if WeasyPrint fails; no
    partial file remains.
    """
    import weasyprint  # imported here: slow to import, and only PDF builds need it

    target = Path(target)
    # Local files and data: URIs only — the build downloads nothing.
    fetcher = weasyprint.URLFetcher(allowed_protocols=("file", "data"))
    source, styles = _styles(html, stylesheets, form_font_dir if forms else None)
    document = weasyprint.HTML(string=source, base_url=str(base_url), url_fetcher=fetcher)
    try:
        # Parsed once per process, with the font configuration their @font-face fonts are in.
        with (
            parsed_stylesheets(styles, document.base_url, fetcher) as (css, fonts),
            atomic_path(target) as tmp,
        ):
            document.write_pdf(
                tmp,
                stylesheets=css,
                font_config=fonts,
                pdf_variant="pdf/ua-1",
                pdf_tags=True,
                pdf_forms=forms,
                custom_metadata=True,
                finisher=_finishing(html),
            )
    except Exception as exc:  # WeasyPrint raises many types; the build needs one clear message
        if isinstance(exc, OSError) and exc.errno in WRITE_FAULTS:
            raise  # the disk, not the document: the adapter says which file and what to do
        raise SourceError(target, f"could not render PDF: {exc}") from exc
    return target


def _styles(
    html: str, stylesheets: Sequence[str | Path], form_font_dir: str | Path | None
) -> tuple[str, Styles]:
    """The HTML WeasyPrint parses and what else styles it: ``stylesheets``, or else the
    document's own ``<style>`` elements taken out of it (:func:`split_styles`: parsed once per
    process, not once per document); the form font's rules if ``form_font_dir`` is given."""
    form_css, form_fonts = _form_font_rules(form_font_dir) if form_font_dir else ("", [])
    inline: list[str] = []
    if not stylesheets:  # files would then come after them: the document keeps its styles
        html, inline = split_styles(html)
    return html, Styles(tuple(stylesheets), tuple(inline), form_css, tuple(form_fonts))


def _finishing(html: str):
    """What is done to every PDF after layout, before it is written: fonts without shaping
    tables and 1-bit images (:func:`slim_pdf`), a right-to-left document's direction, and
    the streams of a small one compressed harder (:func:`deflate_thoroughly`)."""
    direction = _reading_direction(html)

    def finish(document, pdf) -> None:
        slim_pdf(document, pdf)
        if direction is not None:
            direction(document, pdf)
        deflate_thoroughly(pdf)

    return finish


_ROOT_TAG = re.compile(r"<html\b[^>]*>", re.IGNORECASE)
_RTL = re.compile(r"""\sdir=["']?rtl\b""", re.IGNORECASE)


def _reading_direction(html: str):
    """For a right-to-left document (``<html dir="rtl">``), a WeasyPrint finisher that says so
    to PDF viewers too (``/ViewerPreferences /Direction /R2L``: pages side by side run from
    the right); ``None`` for any other document."""
    root = _ROOT_TAG.search(html)  # the first: a style sheet further on may show one too
    if not root or not _RTL.search(root.group(0)):
        return None

    def finish(document, pdf) -> None:
        preferences = pdf.catalog.get("ViewerPreferences") or type(pdf.catalog)()
        preferences["Direction"] = "/R2L"
        pdf.catalog["ViewerPreferences"] = preferences

    return finish


FORM_FONT_FAMILY = "OTB Sans"
"""The family of form fields, and of a stylesheet's text when it names it first: one font
program serves both (WeasyPrint embeds a font once per file), so a sheet carries no second
copy of the regular face."""
# Basic Latin, Latin-1, Latin Extended-A, typographic quotes and dashes, bullet, ellipsis, euro:
# what people type into a form in the languages this toolchain targets first.
_FORM_FONT_UNICODES = [
    *range(0x20, 0x7F),
    *range(0xA0, 0x180),
    *(0x2013, 0x2014, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2026, 0x20AC),
]
# The other faces of the family, for text only: Latin subsets of the system's DejaVu made the
# same way (WeasyPrint then embeds what the text uses; other scripts fall back to the next
# family). Without them, bold text in the family would be drawn in the regular face:
# WeasyPrint does not embolden or slant a face itself.
_FAMILY_FACES = {
    "font-weight: bold;": "DejaVu Sans:bold",
    "font-style: italic;": "DejaVu Sans:oblique",
    "font-weight: bold; font-style: italic;": "DejaVu Sans:bold:oblique",
}


def form_font_css(directory: str | Path, source: str | Path | None = None) -> str:
    """``@font-face`` rules of the :data:`FORM_FONT_FAMILY` and the rule giving form fields
    its small regular face; ``""`` if no font is found.

    WeasyPrint embeds the font of form fields whole (people may type any character), so a
    field in DejaVu Sans adds ~750 KB to a PDF. A Latin subset made once (with fontTools, from
    the system's DejaVu Sans) into ``directory`` keeps a one-page form at a few tens of KB. A
    stylesheet that names the family first for its text draws Latin text with that same
    program (other scripts fall back to the next families of its list).
    """
    return _form_font_rules(directory, source)[0]


def _form_font_rules(
    directory: str | Path, source: str | Path | None = None
) -> tuple[str, list[Path]]:
    """:func:`form_font_css` and the font files it names (their versions key its parse)."""
    regular = _form_font_source(source)
    if not form_font_name(source):
        return "", []
    faces = [("", _subset_in(directory, regular))]
    faces += [
        (style, _subset_in(directory, path))
        for style, pattern in _FAMILY_FACES.items()
        if (path := _system_font(pattern)) and path.is_file()
    ]
    rules = [_font_face(style, path) for style, path in faces]
    # !important: a document's own field rule (e.g. ``font: inherit``) must not bring back the
    # whole system font; the subset has the same shapes and metrics.
    rules.append(f'input, textarea, select {{ font-family: "{FORM_FONT_FAMILY}" !important; }}')
    return "\n".join(rules) + "\n", [path for _, path in faces]


def _subset_in(directory: str | Path, source: Path) -> Path:
    """The Latin subset of ``source`` in ``directory``, made the first time it is asked for."""
    target = Path(directory).resolve() / _subset_name(source)
    if not target.is_file():
        _subset_font(source, target)
    return target


def _font_face(style: str, path: Path) -> str:
    source = f'src: url("{path.as_uri()}");'
    return f'@font-face {{ font-family: "{FORM_FONT_FAMILY}"; {style} {source} }}'


def render_code_digest() -> str:
    """Digest of :data:`RENDER_CODE`: a new way of writing PDFs renders them again."""
    return hashlib.sha256(b"".join(path.read_bytes() for path in RENDER_CODE)).hexdigest()


def form_font_name(source: str | Path | None = None) -> str:
    """File name of the form-field font subset; ``""`` if no source font is found.

    Named by what it is made from, so a new source font or character set makes a new file;
    callers put it in their cache keys so that such a change renders their PDFs again.
    """
    path = _form_font_source(source)
    if path is None or not path.is_file():
        return ""
    return _subset_name(path)


def _subset_name(path: Path) -> str:
    recipe = f"{path}:{path.stat().st_size}:{_FORM_FONT_UNICODES}:{_SUBSET_RECIPE}"
    return f"form-sans-{hashlib.sha256(recipe.encode('utf-8')).hexdigest()[:12]}.ttf"


_SUBSET_RECIPE = "no-hinting:source-date:names-0-2-14:no-MATH:upem-1000"
"""What :func:`_subset_font` does, in the subset's name: a change makes a new file."""


def _form_font_source(source: str | Path | None) -> Path | None:
    return Path(source) if source else _system_font("DejaVu Sans")


@functools.lru_cache(maxsize=4)  # asked for every PDF's key and render: run fc-match once
def _system_font(family: str) -> Path | None:
    import shutil
    import subprocess

    if not shutil.which("fc-match"):
        return None
    result = subprocess.run(
        ["fc-match", "-f", "%{file}", family], capture_output=True, text=True, check=False
    )
    return Path(result.stdout.strip()) if result.returncode == 0 and result.stdout else None


def _subset_font(source: Path, target: Path) -> None:
    from fontTools import subset
    from fontTools.ttLib import TTFont
    from fontTools.ttLib.scaleUpem import scale_upem

    from opentextbook.support.atomic import atomic_path

    # recalcTimestamp=False: the subset keeps the source font's date, not the clock's, so
    # every PDF embedding it is the same bytes on every build.
    font = TTFont(source, recalcTimestamp=False)
    options = subset.Options()
    # The font's family and style, its copyright and its licence's address; not the licence's
    # full text (2 KB in every PDF; the subsets WeasyPrint makes drop it too) nor the names a
    # PDF never reads (full, unique and PostScript names, version: the PDF names the font).
    options.name_IDs = [0, 1, 2, 14]
    # FontForge timestamps; the MATH table (math layout: 20 glyphs of formula parts).
    options.drop_tables = [*options.drop_tables, "FFTM", "MATH"]
    options.hinting = False  # screen hinting: large, and PDF viewers scale the outlines
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=_FORM_FONT_UNICODES)
    subsetter.subset(font)
    # 1000 units per em, not DejaVu's 2048: the outlines' coordinates fit in fewer bytes, and
    # the PDF's widths (in 1/1000 em) are whole numbers. A shift of at most 1/2000 em (0.005 pt
    # at 10 pt) is far below what a screen or printer shows.
    scale_upem(font, 1000)
    with atomic_path(target) as tmp:
        font.save(tmp)
