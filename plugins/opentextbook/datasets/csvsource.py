"""Read CSV written by spreadsheets, keeping the line of every row.

Teachers keep lists in spreadsheets; "Save as CSV" gives UTF-8 with or without a byte-order
mark, a header row and quoted cells that may span lines. Like
:mod:`opentextbook.support.yamlsource`, this module turns every problem (too big, not UTF-8, empty,
a row with more cells than the header) into a :class:`~opentextbook.support.errors.SourceError`
naming the file and line, and keeps the line where each row starts so later errors can point at it.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from pathlib import Path

from opentextbook.support.errors import SourceError
from opentextbook.support.yamlsource import check_size, display_path

UTF8_FIX = "save it as UTF-8 (in a spreadsheet: 'CSV UTF-8'; in LibreOffice: character set UTF-8)"


@dataclass
class CsvRow:
    """One data row: its cells by column name (missing cells left out) and where it starts."""

    line: int
    number: int
    """The row's number as a spreadsheet shows it (the header is row 1)."""
    cells: dict[str, str] = field(default_factory=dict)


@dataclass
class CsvDocument:
    """The header and the data rows of a CSV file; blank rows are left out."""

    path: Path
    header: list[str]
    rows: list[CsvRow]

    def error(self, message: str, line: int | None = None, fix: str | None = None) -> SourceError:
        return SourceError(self.display_path, message, line=line, fix=fix)

    @property
    def display_path(self) -> str:
        return display_path(self.path)


def load_csv(path: str | Path, *, label: str = "data file") -> CsvDocument:
    """Read ``path`` as UTF-8 CSV (a BOM is allowed); any problem is a :class:`SourceError`."""
    path = Path(path)
    shown = display_path(path)
    try:
        check_size(path, shown, label, items="rows")
        data = path.read_bytes()
    except FileNotFoundError:
        raise SourceError(shown, f"{label} not found", fix="check the file name") from None
    except OSError as exc:
        raise SourceError(shown, f"cannot read {label}: {exc.strerror}") from None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise SourceError(
            shown,
            f"{label} is not UTF-8 text (byte {exc.start} cannot be read)",
            line,
            fix=UTF8_FIX,
        ) from None
    return parse_csv(text, path, label=label)


def parse_csv(text: str, path: str | Path, *, label: str = "data file") -> CsvDocument:
    """Parse CSV ``text`` that came from ``path`` (used in messages only)."""
    path = Path(path)
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    rows: list[tuple[int, int, list[str]]] = []
    start = 1
    try:
        for number, cells in enumerate(reader, start=1):
            rows.append((start, number, cells))
            start = reader.line_num + 1
    except csv.Error as exc:
        raise SourceError(
            display_path(path),
            f"not valid CSV: {exc}",
            line=start,
            fix='check the quotes on this row: a quote inside a cell is doubled ("say ""hi""")',
        ) from None
    rows = [row for row in rows if any(cell.strip() for cell in row[2])]
    if not rows:
        raise SourceError(
            display_path(path), f"{label} is empty", line=1, fix="add a header row and the rows"
        )
    (_, _, header), data = rows[0], rows[1:]
    header = [name.strip() for name in header]
    return CsvDocument(path=path, header=header, rows=[_row(path, header, *r) for r in data])


def _row(path: Path, header: list[str], line: int, number: int, cells: list[str]) -> CsvRow:
    if len(cells) > len(header) and any(cell.strip() for cell in cells[len(header) :]):
        raise SourceError(
            display_path(path),
            f"row has {len(cells)} cells but the header row names {len(header)} columns",
            line=line,
            fix="give the extra column a name in the header row, or empty those cells",
        )
    return CsvRow(line=line, number=number, cells=dict(zip(header, cells, strict=False)))
