"""What a PDF carries beyond what it shows: fonts without shaping tables, short text maps,
black-and-white images at one bit per pixel, text runs and metadata written short.

WeasyPrint lays text out with whole fonts, then embeds each font program with its tables and
a ToUnicode map of one line per glyph. Once the text is laid out, two parts are dead weight:
the shaping tables (kerning, ligatures: the positions are already in the page) and the long
form of the map. It also stores every image at 8 bits per pixel, a QR code included, writes
a zero shift between every two glyphs of a line, and any non-ASCII title as UTF-16 in hex.
:func:`slim_pdf` is WeasyPrint's ``finisher`` hook (called with the ``pydyf.PDF`` before it
is written), so the file is written once, deterministically, with the same glyphs and pixels,
the same text for copying and searching, and the same tags.
"""

from __future__ import annotations

import hashlib
import io
import re
import struct
import zlib
from decimal import Decimal

LAYOUT_TABLES = ("BASE", "GDEF", "GPOS", "GSUB", "JSTF", "MATH", "kern", "morx")
"""Font tables for shaping text: used while laying out, never by a viewer drawing a PDF's
glyphs or filling a form field (both read only the outlines, widths and character map)."""

_BFCHAR = re.compile(rb"<([0-9a-f]{4})> <([0-9a-f]*)>")
_CMAP_START = re.compile(rb"\d+ beginbfchar")
_BATCH = 100  # entries per bfchar/bfrange block: the limit the CMap format sets
# A TJ (show text) line as WeasyPrint writes it: glyph strings in hex and plain numbers only.
_SHOW_TEXT = re.compile(rb"\[((?:<[0-9a-f]*>|-?\d+(?:\.\d+)?)*)\] TJ")
_TEXT_PART = re.compile(rb"<([0-9a-f]*)>|(-?\d+(?:\.\d+)?)")


def slim_pdf(document, pdf) -> None:
    """Drop the shaping tables of every TrueType program, write ToUnicode maps as ranges,
    store black-and-white images at 1 bit a pixel, text runs without zero shifts.

    The form fields' font is embedded whole, so its kerning table (1.7 KB) and its map of
    every glyph (1.6 KB as single lines, 0.2 KB as ranges) are most of what fonts save; a QR
    code goes from 1.2 KB to 0.6 KB.
    """
    import pydyf

    shaped = _shaped_text(document, pdf)
    for item in pdf.objects:
        if not isinstance(item, pydyf.Stream):
            continue
        if "Length1" in item.extra:  # a TrueType font program (FontFile2)
            _drop_layout_tables(item)
        elif item.extra.get("Subtype") == "/Image":
            _one_bit_image(item)
        else:
            _compact_to_unicode(item, shaped.get(item.number, {}))
            item.stream = [_short_text_runs(line) for line in item.stream]
    _plain_info(pdf)


def _shaped_text(document, pdf) -> dict[int, dict[int, str]]:
    """ToUnicode object number -> the text of each glyph as laid out, for fonts of fields.

    WeasyPrint maps the glyphs of a font used in form fields from its character map only,
    so a ligature drawn in the page's text ("ff" in "offer") would copy and read aloud as
    nothing; the glyphs' text from the layout (``Font.to_unicode``) fills those gaps.
    """
    import pydyf

    fonts = {font.name: font.to_unicode for font in document.fonts.values() if font.used_in_forms}
    return {
        int(item["ToUnicode"].split()[0]): fonts[item["BaseFont"]]
        for item in pdf.objects
        if isinstance(item, pydyf.Dictionary)
        and item.get("BaseFont") in fonts
        and "ToUnicode" in item
    }


def _drop_layout_tables(stream) -> None:
    program = _without_layout_tables(b"".join(stream.stream))
    if program is not None:
        stream.stream = [program]
        stream.extra["Length1"] = len(program)


def _without_layout_tables(program: bytes) -> bytes | None:
    """``program`` without its :data:`LAYOUT_TABLES`; ``None`` if it has none.

    Kept for the last few programs by their digest: the form fields' font is embedded whole,
    the same bytes in every sheet a worker renders, and reading and writing it again with
    fontTools was most of this finisher's time.
    """
    digest = hashlib.sha256(program).digest()
    if digest not in _SLIMMED:
        _SLIMMED[digest] = _slimmed(program)
        while len(_SLIMMED) > _SLIMMED_KEPT:
            del _SLIMMED[next(iter(_SLIMMED))]
    return _SLIMMED[digest]


_SLIMMED: dict[bytes, bytes | None] = {}
_SLIMMED_KEPT = 8  # the form font's faces, and room for a book's own fonts


def _slimmed(program: bytes) -> bytes | None:
    from fontTools.ttLib import TTFont

    # recalcTimestamp=False: the program keeps its date, so the PDF is the same bytes.
    font = TTFont(io.BytesIO(program), recalcTimestamp=False)
    unused = [tag for tag in LAYOUT_TABLES if tag in font]
    if not unused:
        return None
    for tag in unused:
        del font[tag]
    slim = io.BytesIO()
    font.save(slim)
    return slim.getvalue()


def _one_bit_image(stream) -> None:
    """A grey image of only black and white pixels (a QR code) -> the same at 1 bit a pixel.

    WeasyPrint stores a PNG's compressed rows as they are (``/Predictor 15``); the PNG is
    put together again around them to read its pixels.
    """
    import pydyf
    from PIL import Image

    extra = stream.extra
    params = extra.get("DecodeParms") or {}
    if (extra.get("ColorSpace"), extra.get("BitsPerComponent")) != ("/DeviceGray", 8):
        return
    if "SMask" in extra or params.get("Predictor") != 15 or params.get("Colors", 1) != 1:
        return
    rows = b"".join(c.data if isinstance(c, pydyf.Object) else c for c in stream.stream)
    header = struct.pack(">IIBBBBB", extra["Width"], extra["Height"], 8, 0, 0, 0, 0)
    png = b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", header) + _chunk(b"IDAT", rows)
    image = Image.open(io.BytesIO(png + _chunk(b"IEND", b"")))
    if any(count for value, count in enumerate(image.histogram()) if value not in (0, 255)):
        return  # greys: not a black-and-white image
    # Left for pydyf (or Zopfli, support/pdfdeflate.py) to compress as it writes the file.
    stream.stream = [image.convert("1", dither=Image.Dither.NONE).tobytes()]
    stream.compress = True
    extra["BitsPerComponent"] = 1
    del extra["DecodeParms"], extra["Filter"]


def _short_text_runs(line):
    """``[<0042>0<0043>0<>-25.5<0044>0] TJ`` -> ``[<00420043>-25.5<0044>] TJ``: the same
    glyphs at the same places.

    A number in a TJ array moves the next glyph; WeasyPrint writes one after every glyph,
    0 for most, and an empty string between two moves. Zero moves and empty strings are
    dropped, strings that then touch are joined, moves that touch are added up exactly
    (decimal arithmetic). A line with anything else in it is left as it is.
    """
    match = _SHOW_TEXT.fullmatch(line) if isinstance(line, bytes) else None
    if match is None:
        return line
    parts: list[bytes | Decimal] = []
    for glyphs, move in _TEXT_PART.findall(match[1]):
        part = Decimal(move.decode()) if move else glyphs
        if not part:  # a zero move, an empty string
            continue
        if parts and type(parts[-1]) is type(part):
            part = parts.pop() + part
        if part:
            parts.append(part)
    text = b"".join(b"<%s>" % p if isinstance(p, bytes) else format(p, "f").encode() for p in parts)
    return b"[" + text + b"] TJ"


def _plain_info(pdf) -> None:
    """Write the document's title and description in PDFDocEncoding where they can be (one
    byte a character, not four hex digits), and leave out a page's ``viewport``.

    pydyf writes a string with any non-ASCII character (the em dash of every sheet's title)
    as UTF-16 in hex; PDFDocEncoding has Latin-1 and typographic punctuation. WeasyPrint's
    ``custom_metadata`` copies ``<meta name="viewport">`` of the HTML into the PDF, where it
    says nothing about the document.
    """
    import pikepdf.codec  # noqa: F401 (registers the PDFDocEncoding codec)
    import pydyf

    pdf.info.pop("viewport", None)
    for key, value in list(pdf.info.items()):
        if not isinstance(value, pydyf.String) or not isinstance(value.string, str):
            continue
        try:
            encoded = value.string.encode("pdfdoc_pikepdf")
        except UnicodeEncodeError:
            continue  # other scripts: UTF-16 it stays
        # Control characters would not survive a literal string; FE FF would read as UTF-16.
        if not re.search(rb"[\x00-\x1f]", encoded) and not encoded.startswith(b"\xfe\xff"):
            pdf.info[key] = pydyf.String(encoded)


def _chunk(kind: bytes, data: bytes) -> bytes:
    """One PNG chunk: length, type, data and CRC."""
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def _compact_to_unicode(stream, shaped: dict[int, str]) -> None:
    """A ToUnicode CMap of ``bfchar`` lines -> the same map (plus the ``shaped`` text of
    glyphs it lacks), runs written as ``bfrange``."""
    lines = stream.stream
    if b"/CMapName /Adobe-Identity-UCS def" not in lines or not any(
        _CMAP_START.fullmatch(line) for line in lines if isinstance(line, bytes)
    ):
        return
    start = next(i for i, line in enumerate(lines) if _CMAP_START.fullmatch(line))
    end = lines.index(b"endcmap")
    pairs = [match.groups() for line in lines[start:end] for match in _BFCHAR.finditer(line)]
    texts = {glyph: text.encode("utf-16-be").hex().encode() for glyph, text in shaped.items()}
    texts.update((int(glyph, 16), text) for glyph, text in pairs)
    singles, ranges = _runs(list(texts.items()))
    body = _blocks("bfchar", [f"<{g:04x}> <{t.decode()}>" for g, t in singles])
    body += _blocks("bfrange", [f"<{a:04x}> <{b:04x}> <{t.decode()}>" for a, b, t in ranges])
    stream.stream = [*lines[:start], *body, *lines[end:]]


def _runs(pairs: list[tuple[int, bytes]]) -> tuple[list, list]:
    """Glyphs whose characters follow each other (one UTF-16 unit, same high bytes) -> ranges.

    A ``bfrange`` may vary only the last byte of its codes and of its text, hence a run
    stops at a multiple of 256 of either.
    """
    singles, ranges = [], []
    run: list[tuple[int, bytes]] = []
    for glyph, text in sorted(pairs):
        if run and _continues(run[-1], (glyph, text)):
            run.append((glyph, text))
            continue
        _close(run, singles, ranges)
        run = [(glyph, text)]
    _close(run, singles, ranges)
    return singles, ranges


def _continues(last: tuple[int, bytes], this: tuple[int, bytes]) -> bool:
    if len(this[1]) != 4 or len(last[1]) != 4:
        return False
    glyph, code = this[0], int(this[1], 16)
    return glyph == last[0] + 1 and code == int(last[1], 16) + 1 and glyph % 256 and code % 256


def _close(run: list, singles: list, ranges: list) -> None:
    if len(run) > 1:
        ranges.append((run[0][0], run[-1][0], run[0][1]))
    else:
        singles.extend(run)


def _blocks(kind: str, entries: list[str]) -> list[bytes]:
    lines = []
    for first in range(0, len(entries), _BATCH):
        batch = entries[first : first + _BATCH]
        lines += [f"{len(batch)} begin{kind}".encode(), *(e.encode() for e in batch)]
        lines.append(f"end{kind}".encode())
    return lines
