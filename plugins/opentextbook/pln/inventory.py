"""The PLN inventory: a table of sources to fill in, as CSV, DOCX and HTML for a fillable PDF.

Its four columns follow the chapter: list your sources, group them, and ask what you learn from
each and — the closing question — what you can offer it.
"""

from __future__ import annotations

import csv
import datetime
import io
from pathlib import Path

from opentextbook.datasets.downloads import spreadsheet_safe
from opentextbook.i18n import t
from opentextbook.pln import geometry as geo
from opentextbook.pln.render import Credit, render
from opentextbook.support.atomic import write_bytes, write_text
from opentextbook.support.reproducible import FALLBACK_DATE, normalized_zip

FIELDS = ("source", "group", "learn", "offer")
BLANK_ROWS = 12


def columns() -> list[str]:
    """The column headings, in the book's language (``pln.inventory.<field>``)."""
    return [t(f"pln.inventory.{name}") for name in FIELDS]


def intro() -> str:
    """What the blank inventory asks for, naming the map's groups."""
    return t("pln.inventory.intro", groups="; ".join(arc.label for arc in geo.SECTORS))


def inventory_rows(sources: list[dict[str, str]] | None) -> list[list[str]]:
    """Table rows for ``sources``, or empty rows to write in when there are none."""
    if not sources:
        return [[""] * len(FIELDS) for _ in range(BLANK_ROWS)]
    return [
        [item["name"], geo.sector(item["group"]).label, item["learn"], item["offer"]]
        for item in sources
    ]


def write_inventory_csv(target: Path, rows: list[list[str]], credit: Credit) -> None:
    """Header first so spreadsheets read it as column names; the credit last, after a gap."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(columns())
    writer.writerows([spreadsheet_safe(cell) for cell in row] for row in rows if any(row))
    writer.writerow([])
    writer.writerow([f"# {credit.text}"])
    # A byte-order mark lets Excel open the UTF-8 file with accents intact.
    write_text(target, "\ufeff" + buffer.getvalue())


def inventory_html(
    rows, *, title: str, intro: str, credit: Credit, fillable: bool, page_size: str
) -> str:
    """The inventory page WeasyPrint turns into a PDF; inputs become form fields."""
    return render(
        "inventory.html.j2",
        title=title,
        intro=intro,
        description=intro,
        author=credit.source,
        credit=credit,
        columns=columns(),
        fields=FIELDS,
        rows=rows,
        fillable=fillable,
        page_size=page_size,
    )


def write_inventory_docx(
    target: Path,
    rows: list[list[str]],
    *,
    title: str,
    intro: str,
    credit: Credit,
    date: datetime.datetime = FALLBACK_DATE,
) -> None:
    """An editable Word document (opens in Word, LibreOffice and Google Docs).

    ``date`` is recorded as its creation and modification date, and its zip entries' time,
    so that the same inputs give the same bytes (see :mod:`opentextbook.support.reproducible`).
    """
    import docx  # python-docx: imported here, only this output needs it
    from docx.enum.section import WD_ORIENT
    from docx.shared import Mm, Pt

    document = docx.Document()
    section = document.sections[0]
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = Mm(279.4), Mm(215.9)
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, Mm(15))
    _docx_properties(document, title, intro, credit)
    document.core_properties.created = document.core_properties.modified = date
    document.add_heading(title, level=1)
    document.add_paragraph(intro)
    _docx_table(document, rows)
    document.add_paragraph(credit.text).runs[0].font.size = Pt(8)
    buffer = io.BytesIO()
    document.save(buffer)
    write_bytes(target, normalized_zip(buffer.getvalue(), date))


def _docx_properties(document, title: str, intro: str, credit: Credit) -> None:
    # Word's core properties hold at most 255 characters; a long remixed title must not
    # stop the build, so each is cut (with an ellipsis) to fit.
    props = document.core_properties
    props.title = _property(title)
    props.subject = _property(title)
    props.author = _property(credit.source)
    props.language = _property(credit.language)
    props.comments = _property(credit.text)


def _property(text: str, limit: int = 255) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _docx_table(document, rows: list[list[str]]) -> None:
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    table = document.add_table(rows=1, cols=len(FIELDS))
    table.style = "Table Grid"
    header = table.rows[0]
    for cell, name in zip(header.cells, columns(), strict=True):
        cell.text = ""
        cell.paragraphs[0].add_run(name).bold = True
    # Repeat the header row on every page, and mark it as a header for screen readers.
    header_flag = OxmlElement("w:tblHeader")
    header_flag.set(qn("w:val"), "true")
    header._tr.get_or_add_trPr().append(header_flag)
    for row in rows:
        for cell, value in zip(table.add_row().cells, row, strict=True):
            cell.text = value
