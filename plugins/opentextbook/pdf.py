"""Render HTML to tagged, fillable PDF with WeasyPrint, offline and atomically.

Every PDF of the book (worksheets, packets, PLN templates, the whole book) goes through
:func:`render_pdf`, so all of them share one set of guarantees: PDF/UA-1 tagging with title and
language, embedded subset fonts, form fields from ``<input>`` elements, no network access.
"""

from __future__ import annotations

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
