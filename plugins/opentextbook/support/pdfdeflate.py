"""Compress a sheet's form font and object stream with Zopfli: the same data, fewer bytes.

pydyf compresses every stream with zlib at level 9 as it writes the file. Zopfli writes
Deflate streams any reader decodes (``/FlateDecode`` as before, the same bytes once
decoded) but searches much harder for the shortest encoding, slowly (0.5 s for the 20 KB
form font). So it goes only where it costs little per sheet: font programs embedded whole
(the form font people type into, the same in every sheet; each process remembers its
compressed bytes), 270 bytes less; and one quick pass over the object stream of tags and
fields (8 ms, 210 bytes less). The other streams (page, bold and italic subsets, QR code)
differ in every sheet: thorough Zopfli on everything would save about 250 bytes more for
about 45 ms a sheet, a quarter of a sheet's render time, and the cold build is what a big
book waits for.
"""

from __future__ import annotations

import functools

WHOLE_FONT_BYTES = 8 * 1024
"""A font program at least this long is the form font, embedded whole in every sheet (the
subsets of the other faces are a few KB and differ from sheet to sheet)."""

THOROUGH_BYTES = 256 * 1024
"""Only a PDF whose streams are at most this many bytes together (a sheet's are ~45 KB) is
touched: a long document (a chapter of the book) embeds large subsets, each its own, which
Zopfli would take seconds over."""


def deflate_thoroughly(pdf) -> None:
    """Compress ``pdf``'s whole font programs with Zopfli (:data:`WHOLE_FONT_BYTES` or more),
    if its streams are small together (:data:`THOROUGH_BYTES`)."""
    import pydyf

    streams = [
        (item, _content(item))
        for item in pdf.objects
        if isinstance(item, pydyf.Stream) and item.compress and "Filter" not in item.extra
    ]
    if sum(len(content) for _, content in streams) > THOROUGH_BYTES:
        return
    for item, content in streams:
        if "Length1" in item.extra and len(content) >= WHOLE_FONT_BYTES:
            _store(item, deflate(content))
    _deflate_object_stream(pdf)


def _deflate_object_stream(pdf) -> None:
    """pydyf makes the object stream (every dictionary: tags, fields, fonts' widths) while
    writing, and adds it with ``add_object`` just before it writes it: compressed there with
    one pass of Zopfli (8 ms for 18 KB, 5 % smaller than zlib), it is written so."""
    import pydyf
    import zopfli.zlib

    add_object = pdf.add_object

    def add_deflated(item) -> None:
        packed = isinstance(item, pydyf.Stream) and item.extra.get("Type") == "/ObjStm"
        if packed and item.compress and "Filter" not in item.extra:
            once = zopfli.zlib.compress(_content(item), numiterations=1, blocksplitting=False)
            _store(item, once)
        add_object(item)

    pdf.add_object = add_deflated


def _content(stream) -> bytes:
    """The stream's bytes as pydyf writes them (items joined by newlines), uncompressed."""
    import pydyf

    written = pydyf.Stream(stream.stream).data  # <</Length n>>\nstream\n…\nendstream
    return written[written.index(b"\nstream\n") + 8 : -len(b"\nendstream")]


def _store(stream, deflated: bytes) -> None:
    stream.stream = [deflated]
    stream.compress = False
    stream.extra["Filter"] = "/FlateDecode"


@functools.lru_cache(maxsize=16)
def deflate(content: bytes) -> bytes:
    """``content`` as zlib-wrapped Deflate data (``/FlateDecode``), compressed with Zopfli's
    defaults (15 iterations, blocks with their own codes); remembered by content: the form
    font comes back in every sheet a worker process makes."""
    import zopfli.zlib

    return zopfli.zlib.compress(content)
