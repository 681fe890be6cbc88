"""Printed page numbers stamped on the assembled whole-book PDF, as artifacts.

The chapters of the whole book are printed in parallel, each as a document of its own, so none
knows on which page of the book it starts. Rather than print them again once the pages before
them are counted (an edit that adds a page to chapter 3 would re-print every chapter after it),
they are printed without numbers and the assembled book gets them here: each number is drawn
in the page's content as an ``/Artifact`` of type ``/Pagination`` (PDF/UA: not part of the
text a screen reader reads), in the embedded font, size, colour and place that WeasyPrint
used for the bottom-center box of ``wholebook.css``.

That look is measured, not copied: a one-page "digits" document (``wholebook-digits.html``)
prints ``0123456789`` in that box, and :func:`read_digits` takes from it the font (a subset
of the ten digits, embedded, with its ``ToUnicode`` map so text extraction reads the
numbers), each digit's glyph and width, and the baseline and centre of the box.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

import pikepdf

DIGITS = "0123456789"
FONT_NAME = pikepdf.Name("/OTBPageNumber")


@dataclass(frozen=True)
class DigitFont:
    """How WeasyPrint printed the ten digits in the page-number box of the digits page."""

    font: pikepdf.Object
    """The embedded Type 0 font (in the digits PDF)."""
    codes: dict[str, bytes]
    widths: dict[str, float]
    """Advance of each digit, in points at ``size``."""
    size: float
    color: tuple[float, ...]
    centre: float
    baseline: float

    def stamp(self, number: int) -> bytes:
        """The content-stream operators that print ``number``, centred in the box."""
        text = str(number)
        width = sum(self.widths[digit] for digit in text)
        codes = b"".join(self.codes[digit] for digit in text)
        colour = " ".join(_num(value) for value in self.color)
        fill = "rg" if len(self.color) == 3 else "g"
        return (
            b"q\n/Artifact <</Type /Pagination /Subtype /Footer>> BDC\nBT\n"
            + f"{colour} {fill}\n{FONT_NAME} {_num(self.size)} Tf\n".encode()
            + f"1 0 0 1 {_num(self.centre - width / 2)} {_num(self.baseline)} Tm\n".encode()
            + b"<"
            + codes.hex().upper().encode()
            + b"> Tj\nET\nEMC\nQ\n"
        )


def stamp_page_numbers(book: pikepdf.Pdf, digits: DigitFont, *, first: int = 2) -> None:
    """Print each page's number (its place in ``book``, from 1) on every page from ``first``."""
    font = book.copy_foreign(digits.font)
    for index, page in enumerate(book.pages):
        number = index + 1
        if number < first:
            continue
        # The page's own operators leave the graphics state as they please (WeasyPrint's flip
        # the y axis and never restore it): wrap them, so the number is drawn in page space.
        page.contents_add(b"q\n", prepend=True)
        page.contents_add(b"Q\n" + digits.stamp(number), prepend=False)
        page.add_resource(font, pikepdf.Name.Font, FONT_NAME, replace_existing=True)


def read_digits(pdf: pikepdf.Pdf) -> DigitFont:
    """Measure the page-number box of the digits page (the first page of ``pdf``)."""
    page = pdf.pages[0]
    shown = _shown_text(page)
    font = page.Resources.Font[shown["font"]]
    font = font if font.is_indirect else pdf.make_indirect(font)  # to copy it into the book
    codes = _glyph_codes(shown["string"])
    if len(codes) != len(DIGITS):
        raise ValueError(f"the digits page printed {len(codes)} glyphs, not {len(DIGITS)}")
    scale = shown["scale"]
    size = shown["size"] * scale
    unit_widths = _widths(font.DescendantFonts[0])
    widths = {
        digit: unit_widths.get(int.from_bytes(code, "big"), 1000.0) * size / 1000
        for digit, code in zip(DIGITS, codes, strict=True)
    }
    x, y = shown["origin"]
    return DigitFont(
        font=font,
        codes=dict(zip(DIGITS, codes, strict=True)),
        widths=widths,
        size=size,
        color=shown["color"],
        centre=x + sum(widths.values()) / 2,
        baseline=y,
    )


def _shown_text(page: pikepdf.Page) -> dict:
    """Font, size, colour, origin (in page space) and bytes of the page's one text string."""
    ctm, stack = _IDENTITY, []
    state: dict = {"color": (0.0,)}
    for operands, operator in pikepdf.parse_content_stream(page):
        name = str(operator)
        if name == "q":
            stack.append(ctm)
        elif name == "Q":
            ctm = stack.pop()
        elif name == "cm":
            ctm = _multiply([float(value) for value in operands], ctm)
        elif name in ("rg", "g"):
            state["color"] = tuple(float(value) for value in operands)
        elif name == "Tf":
            state["font"], state["size"] = operands[0], float(operands[1])
        elif name == "Tm":
            matrix = _multiply([float(value) for value in operands], ctm)
            state["origin"], state["scale"] = (matrix[4], matrix[5]), abs(matrix[0])
        elif name in ("Tj", "TJ"):
            parts = operands[0] if name == "TJ" else [operands[0]]
            state["string"] = b"".join(bytes(part) for part in parts if _is_string(part))
            return state
    raise ValueError("the digits page printed no text")


def _glyph_codes(string: bytes) -> list[bytes]:
    """WeasyPrint's fonts are ``Identity-H``: two bytes a glyph."""
    return [string[i : i + 2] for i in range(0, len(string), 2)]


def _widths(cid_font: pikepdf.Object) -> dict[int, float]:
    """The ``/W`` array of a CID font: ``c [w1 w2 …]`` and ``first last w`` runs."""
    found: dict[int, float] = {}
    items = list(cid_font.get("/W", []))
    i = 0
    while i < len(items):
        start = int(items[i])
        if isinstance(items[i + 1], pikepdf.Array):
            for offset, width in enumerate(items[i + 1]):
                found[start + offset] = float(width)
            i += 2
        else:
            for code in range(start, int(items[i + 1]) + 1):
                found[code] = float(items[i + 2])
            i += 3
    return found


_IDENTITY = [1.0, 0.0, 0.0, 1.0, 0.0, 0.0]


def _multiply(m: list[float], n: list[float]) -> list[float]:
    """``m`` times ``n`` for PDF matrices ``[a b c d e f]`` (``m`` applied first)."""
    a, b, c, d, e, f = m
    p, q, r, s, t, u = n
    return [
        a * p + b * r,
        a * q + b * s,
        c * p + d * r,
        c * q + d * s,
        e * p + f * r + t,
        e * q + f * s + u,
    ]


def _is_string(value) -> bool:
    return isinstance(value, pikepdf.String)


def _num(value: float) -> str:
    """A number as PDF writes it: fixed, no exponent, no trailing zeros (same bytes each time)."""
    text = f"{Decimal(value).quantize(Decimal('0.0001')):f}".rstrip("0").rstrip(".")
    return text if text not in ("", "-0") else "0"
