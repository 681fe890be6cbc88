"""Subsets of one font, one per part, merged into one: what keeps assembled files small.

WeasyPrint embeds each TrueType font as a subset that keeps the glyph ids of the whole font
(only the glyphs the document uses have outlines). Parts rendered apart each bring their own
subsets of the same fonts; since their glyph ids agree, the subsets of one font merge into one
holding the union of their glyphs, widths and Unicode mappings, and every part's text still
points at the right glyphs. A group is merged only when every glyph two of its subsets both
hold is the same, byte for byte; otherwise they are different fonts of one name and stay apart.
"""

from __future__ import annotations

import io
import re
import struct

import pikepdf
from pikepdf import Array, Dictionary, Name

_CMAP_HEAD = (
    b"/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n/CIDSystemInfo\n"
    b"<< /Registry (Adobe)\n/Ordering (UCS)\n/Supplement 0\n>> def\n"
    b"/CMapName /Adobe-Identity-UCS def\n/CMapType 2 def\n"
    b"1 begincodespacerange\n<0000> <ffff>\nendcodespacerange\n"
)
_CMAP_TAIL = b"endcmap\nCMapName currentdict /CMap defineresource pop\nend\nend\n"
_BFCHAR = re.compile(rb"<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]*)>")


def merge_font_subsets(pdf: pikepdf.Pdf) -> dict[tuple[int, int], pikepdf.Object]:
    """Merge the subsets of each font; return font objgen -> the merged font replacing it."""
    groups: dict[tuple, list[pikepdf.Object]] = {}
    for obj in pdf.objects:
        key = _merge_key(obj)
        if key is not None:
            groups.setdefault(key, []).append(obj)
    replaced = {}
    for fonts in groups.values():
        merged = _merge(pdf, fonts) if len(fonts) > 1 else None
        if merged is not None:
            replaced.update({font.objgen: merged for font in fonts})
    return replaced


def _merge_key(obj: pikepdf.Object) -> tuple | None:
    """What subsets of one font share (name without the subset tag, flags), or ``None`` for
    a font this cannot merge (not a TrueType CID font with identity maps)."""
    if not isinstance(obj, Dictionary) or obj.get("/Subtype") != Name.Type0:
        return None
    descendants = obj.get("/DescendantFonts")
    if obj.get("/Encoding") != Name("/Identity-H") or "/ToUnicode" not in obj:
        return None
    if not isinstance(descendants, Array) or len(descendants) != 1:
        return None
    cid = descendants[0]
    if cid.get("/Subtype") != Name.CIDFontType2 or cid.get("/CIDToGIDMap") != Name.Identity:
        return None
    descriptor = cid.get("/FontDescriptor")
    if descriptor is None or "/FontFile2" not in descriptor:
        return None
    name = str(obj.get("/BaseFont", "")).split("+", 1)[-1]
    return (name, int(descriptor.get("/Flags", 0)), repr(cid.get("/CIDSystemInfo")))


def _merge(pdf: pikepdf.Pdf, fonts: list[pikepdf.Object]) -> pikepdf.Object | None:
    """One font with every glyph, width and mapping of ``fonts``; ``None`` if they differ."""
    from fontTools.ttLib import TTLibError

    try:
        programs = [_program(_descendant(font).FontDescriptor.FontFile2) for font in fonts]
        program = _union(programs)
    except (TTLibError, KeyError, IndexError, ValueError, AssertionError, struct.error):
        return None  # not a font fontTools can read: it stays as it is
    if program is None:
        return None
    widths, unicode = {}, {}
    for font in fonts:
        widths.update(_widths(_descendant(font).get("/W", Array())))
        mapping = _unicode(font.ToUnicode.read_bytes())
        if mapping is None:
            return None
        unicode.update(mapping)
    return _font_object(pdf, fonts[0], program, widths, unicode)


def _program(stream: pikepdf.Stream):
    """The font program in ``stream``, its glyphs named by id (``g0``, ``g1``…).

    Names by id, not from the font's own tables: the glyph ids are what subsets share, and
    working names out from the character map costs more than the rest. The dates and the
    glyph boxes are kept as they are: the bytes must not depend on the clock, and a glyph
    copied whole needs no new box.
    """
    from fontTools.ttLib import TTFont

    program = TTFont(io.BytesIO(stream.read_bytes()), recalcTimestamp=False, recalcBBoxes=False)
    program.setGlyphOrder([f"g{gid}" for gid in range(program["maxp"].numGlyphs)])
    return program


def _union(programs: list) -> bytes | None:
    """The glyphs of every subset in the longest one; ``None`` when two disagree."""
    base = max(programs, key=lambda program: len(program.getGlyphOrder()))
    order, glyf, hmtx = base.getGlyphOrder(), base["glyf"], base["hmtx"]
    for other in programs:
        if other is base:
            continue
        if other["head"].unitsPerEm != base["head"].unitsPerEm:
            return None
        other_glyf, other_hmtx = other["glyf"], other["hmtx"]
        for gid, name in enumerate(other.getGlyphOrder()):
            data = _glyph_data(other_glyf, name)
            if not data:
                continue
            mine = _glyph_data(glyf, order[gid])
            if mine and mine != data:
                return None
            if not mine:
                glyf.glyphs[order[gid]] = other_glyf.glyphs[name]
                hmtx.metrics[order[gid]] = other_hmtx.metrics[name]
    output = io.BytesIO()
    base.save(output)
    return output.getvalue()


def _glyph_data(glyf, name: str) -> bytes:
    glyph = glyf.glyphs.get(name)
    if glyph is None:
        return b""
    if hasattr(glyph, "data"):
        return glyph.data
    return glyph.compile(glyf, recalcBBoxes=False) if glyph.numberOfContours else b""


def _descendant(font: pikepdf.Object) -> pikepdf.Object:
    return font.DescendantFonts[0]


def _widths(array: pikepdf.Array) -> dict[int, float]:
    """``/W`` (``c [w1 w2 …]`` or ``c_first c_last w``) as glyph id -> width."""
    items, widths, index = list(array), {}, 0
    while index < len(items):
        first = int(items[index])
        if isinstance(items[index + 1], Array):
            for offset, width in enumerate(items[index + 1]):
                widths[first + offset] = width
            index += 2
        else:
            for cid in range(first, int(items[index + 1]) + 1):
                widths[cid] = items[index + 2]
            index += 3
    return widths


def _unicode(cmap: bytes) -> dict[int, bytes] | None:
    """A ToUnicode map of ``bfchar`` entries (what WeasyPrint writes); ``None`` otherwise."""
    if b"bfrange" in cmap:
        return None
    body = cmap.split(b"endcodespacerange", 1)[-1]
    return {int(glyph, 16): text for glyph, text in _BFCHAR.findall(body)}


def _font_object(pdf, first, program: bytes, widths: dict, unicode: dict) -> pikepdf.Object:
    """A copy of ``first`` with the merged program, widths and Unicode map."""
    descriptor = Dictionary(dict(_descendant(first).FontDescriptor.items()))
    descriptor.FontFile2 = pikepdf.Stream(pdf, program, Length1=len(program))
    cid = Dictionary(dict(_descendant(first).items()))
    cid.FontDescriptor = pdf.make_indirect(descriptor)
    cid.W = _width_array(widths)
    font = Dictionary(dict(first.items()))
    font.DescendantFonts = Array([pdf.make_indirect(cid)])
    font.ToUnicode = pikepdf.Stream(pdf, _cmap(unicode))
    return pdf.make_indirect(font)


def _width_array(widths: dict[int, float]) -> pikepdf.Array:
    """``c [w1 w2 …]`` runs over consecutive glyph ids."""
    array, run_start, run = Array(), None, []
    for cid in sorted(widths):
        if run_start is not None and cid == run_start + len(run):
            run.append(widths[cid])
            continue
        if run:
            array.extend([run_start, Array(run)])
        run_start, run = cid, [widths[cid]]
    if run:
        array.extend([run_start, Array(run)])
    return array


def _cmap(unicode: dict[int, bytes]) -> bytes:
    lines, items = [_CMAP_HEAD], sorted(unicode.items())
    for start in range(0, len(items), 100):
        batch = items[start : start + 100]
        lines.append(f"{len(batch)} beginbfchar\n".encode())
        lines += [b"<%04x> <%s>\n" % (glyph, text) for glyph, text in batch]
        lines.append(b"endbfchar\n")
    lines.append(_CMAP_TAIL)
    return b"".join(lines)
