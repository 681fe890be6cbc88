"""What the assembled PDF says about itself: title, language, authors (PDF/UA-1, 7.1).

PDF/UA asks for the title in the XMP metadata, shown by the viewer instead of the file name
(``DisplayDocTitle``), the language in the catalog and the ``pdfuaid:part`` claim. No date
is written: the bytes must depend only on the parts.
"""

from __future__ import annotations

import pikepdf
from pikepdf import Dictionary
from pikepdf.models.metadata import XMP_NS_PDFUA_ID


def describe(
    pdf: pikepdf.Pdf,
    first: pikepdf.Pdf,
    *,
    title: str,
    lang: str,
    author: str,
    subject: str,
) -> None:
    """Set the catalog's language and viewer preferences, the information dictionary and the
    XMP metadata; the tool names (``Creator``, ``Producer``) and the reading direction come
    from the ``first`` part."""
    pdf.Root.Lang = pikepdf.String(lang)
    pdf.Root.ViewerPreferences = Dictionary(DisplayDocTitle=True)
    # A right-to-left book's parts say so (pages side by side run from the right): so does it.
    direction = first.Root.get("/ViewerPreferences", Dictionary()).get("/Direction")
    if direction is not None:
        pdf.Root.ViewerPreferences.Direction = direction
    made_by = {
        key: str(first.docinfo[key]) for key in ("/Creator", "/Producer") if key in first.docinfo
    }
    info = {"/Title": title, "/Author": author, "/Subject": subject, **made_by}
    for key, value in info.items():
        if value:
            pdf.docinfo[key] = pikepdf.String(value)
    with pdf.open_metadata(set_pikepdf_as_editor=False, update_docinfo=False) as meta:
        meta["dc:title"] = title
        meta["dc:language"] = [lang]
        if author:
            meta["dc:creator"] = [author]
        if subject:
            meta["dc:description"] = subject
        if "/Creator" in made_by:
            meta["xmp:CreatorTool"] = made_by["/Creator"]
        if "/Producer" in made_by:
            meta["pdf:Producer"] = made_by["/Producer"]
        meta[f"{{{XMP_NS_PDFUA_ID}}}part"] = "1"
