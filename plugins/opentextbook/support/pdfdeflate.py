"""Compress a small PDF's streams with Zopfli: the same Deflate data, 2 to 25 % fewer bytes.

pydyf compresses every stream with zlib at level 9 as it writes the file. Zopfli writes
Deflate streams any reader decodes (``/FlateDecode`` as before, the same bytes once
decoded) but searches much harder for the shortest encoding: on a one-page worksheet about
0.9 KB less (the form font 270 bytes, the object stream of tags and fields 290, the QR code
110). It is slow (about 0.1 s for 10 KB), so only PDFs whose streams are small together get
it (sheets, templates, covers), and the result for the same bytes is remembered: the form
font, embedded whole, is the same program in every sheet.
"""

from __future__ import annotations

import functools

THOROUGH_BYTES = 256 * 1024
"""Streams of at most this many bytes together (a sheet's are ~45 KB) are compressed with
Zopfli; a longer document (a long chapter of the book) keeps zlib, many times faster."""


def deflate_thoroughly(pdf) -> None:
    """Compress ``pdf``'s streams with Zopfli now, and its object and cross-reference
    streams when pydyf writes them, if they are small together (:data:`THOROUGH_BYTES`)."""
    import pydyf

    streams = [
        (item, _content(item))
        for item in pdf.objects
        if isinstance(item, pydyf.Stream) and item.compress and "Filter" not in item.extra
    ]
    if sum(len(content) for _, content in streams) > THOROUGH_BYTES:
        return
    for item, content in streams:
        # A font program: most of a sheet's bytes, and the same in every sheet.
        _store(item, content, thorough="Length1" in item.extra)
    _deflate_when_written(pdf)


def _deflate_when_written(pdf) -> None:
    """pydyf makes the object stream (every dictionary: tags, fields, fonts' widths) and the
    cross-reference stream while writing, and adds each with ``add_object`` just before it
    writes it: compressed there, they are written compressed with Zopfli."""
    import pydyf

    add_object = pdf.add_object

    def add_deflated(item) -> None:
        if isinstance(item, pydyf.Stream) and item.compress and "Filter" not in item.extra:
            _store(item, _content(item))
        add_object(item)

    pdf.add_object = add_deflated


def _content(stream) -> bytes:
    """The stream's bytes as pydyf writes them (items joined by newlines), uncompressed."""
    import pydyf

    written = pydyf.Stream(stream.stream).data  # <</Length n>>\nstream\n…\nendstream
    return written[written.index(b"\nstream\n") + 8 : -len(b"\nendstream")]


def _store(stream, content: bytes, thorough: bool = False) -> None:
    stream.stream = [deflate(content, thorough)]
    stream.compress = False
    stream.extra["Filter"] = "/FlateDecode"


@functools.lru_cache(maxsize=64)
def deflate(content: bytes, thorough: bool = False) -> bytes:
    """``content`` as zlib-wrapped Deflate data (``/FlateDecode``), compressed with Zopfli.

    ``thorough``: Zopfli's defaults (15 iterations, the data split into blocks each with its
    own codes), 0.5 s for the 20 KB form font, 1 % smaller than without blocks. Otherwise
    5 iterations, and blocks only over 8 KB: a sheet's other streams in 0.05 s, not 0.6 s,
    for 80 bytes more. Remembered by content: the form font comes back in every sheet a
    worker process makes.
    """
    import zopfli.zlib

    if thorough:
        return zopfli.zlib.compress(content)
    split = len(content) > 8192
    return zopfli.zlib.compress(content, numiterations=5, blocksplitting=split, blocksplittingmax=2)
