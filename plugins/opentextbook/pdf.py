"""Render HTML to tagged, fillable PDF with WeasyPrint, offline and atomically.

Every PDF of the book (worksheets, packets, PLN templates, the whole book) goes through
:func:`render_pdf`, so all of them share one set of guarantees: PDF/UA-1 tagging with title and
language, embedded subset fonts, form fields from ``<input>`` elements, no network access.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from opentextbook.atomic import atomic_path
from opentextbook.errors import SourceError


def render_pdf(
    html: str,
    target: str | Path,
    *,
    base_url: str | Path,
    stylesheets: list[str | Path] = (),
    forms: bool = True,
) -> Path:
    """Render ``html`` to ``target``; the HTML must carry ``<title>`` and ``<html lang>``.

    Raises ``SourceError`` naming the target if WeasyPrint fails; no partial file remains.
    """
    import weasyprint  # imported here: slow to import, and only PDF builds need it

    target = Path(target)
    # Local files and data: URIs only — the build downloads nothing.
    fetcher = weasyprint.URLFetcher(allowed_protocols=("file", "data"))
    document = weasyprint.HTML(string=html, base_url=str(base_url), url_fetcher=fetcher)
    css = [weasyprint.CSS(filename=str(sheet)) for sheet in stylesheets]
    try:
        with atomic_path(target) as tmp:
            document.write_pdf(
                tmp,
                stylesheets=css,
                pdf_variant="pdf/ua-1",
                pdf_tags=True,
                pdf_forms=forms,
                custom_metadata=True,
            )
    except Exception as exc:  # WeasyPrint raises many types; the build needs one clear message
        raise SourceError(target, f"could not render PDF: {exc}") from exc
    return target


FORM_FONT_FAMILY = "OTB Form Sans"
# Basic Latin, Latin-1, Latin Extended-A, typographic quotes and dashes, bullet, ellipsis, euro:
# what people type into a form in the languages this toolchain targets first.
_FORM_FONT_UNICODES = [
    *range(0x20, 0x7F),
    *range(0xA0, 0x180),
    *(0x2013, 0x2014, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2026, 0x20AC),
]


def form_font_css(directory: str | Path, source: str | Path | None = None) -> str:
    """``@font-face`` + rule giving form fields a small font; ``""`` if no font is found.

    WeasyPrint embeds the font of form fields whole (people may type any character), so a
    field in DejaVu Sans adds ~750 KB to a PDF. A Latin subset made once (with fontTools, from
    the system's DejaVu Sans) into ``directory`` keeps a one-page form at a few tens of KB.
    """
    source = Path(source) if source else _system_font("DejaVu Sans")
    if source is None or not source.is_file():
        return ""
    # Named by what it is made from, so a new source font or character set makes a new file.
    recipe = f"{source}:{source.stat().st_size}:{_FORM_FONT_UNICODES}:no-hinting"
    name = hashlib.sha256(recipe.encode("utf-8")).hexdigest()[:12]
    target = Path(directory).resolve() / f"form-sans-{name}.ttf"
    if not target.is_file():
        _subset_font(source, target)
    return (
        f'@font-face {{ font-family: "{FORM_FONT_FAMILY}"; src: url("{target.as_uri()}"); }}\n'
        f'input, textarea, select {{ font-family: "{FORM_FONT_FAMILY}"; }}\n'
    )


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

    from opentextbook.atomic import atomic_path

    font = TTFont(source)
    options = subset.Options()
    options.name_IDs = ["*"]
    options.drop_tables = [*options.drop_tables, "FFTM"]  # FontForge timestamps: not needed
    options.hinting = False  # screen hinting: large, and PDF viewers scale the outlines
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=_FORM_FONT_UNICODES)
    subsetter.subset(font)
    with atomic_path(target) as tmp:
        font.save(tmp)
