"""Publishing the book: licence and citation data for machines, and whole-book downloads.

- :mod:`~opentextbook.publishing.linkeddata` — schema.org JSON-LD and ``citation_*`` meta tags
  for the ``<head>`` of every page.
- :mod:`~opentextbook.publishing.snippets` — the attribution, "attribute this book", "cite this
  chapter" and downloads blocks that pages include as macros.
- :mod:`~opentextbook.publishing.bookpages` — the built pages turned into one book (ids and links
  made unique and internal).
- :mod:`~opentextbook.publishing.wholebook` — the whole book as HTML to print: a document per
  chapter, and the front matter (cover, contents with page numbers).
- :mod:`~opentextbook.publishing.bookparts` — the print-ready PDF of the whole book: chapters
  printed in parallel and cached, then assembled; :mod:`~opentextbook.publishing.pagenumbers`
  stamps its page numbers.
- :mod:`~opentextbook.publishing.epub` — the EPUB 3 with accessibility metadata.
- :mod:`~opentextbook.publishing.offline` — the zip of the site that works from disk.
- :mod:`~opentextbook.publishing.assembly` — tagged PDFs joined into one tagged PDF (packets).
"""
