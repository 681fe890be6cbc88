"""The MkDocs adapter: :mod:`.plugin` wires the toolchain into MkDocs' events; :mod:`.pages`
and :mod:`.search` keep page conversions and search entries by content; :mod:`.credits`
reads each page's credits; :mod:`.serving` makes the slow downloads after ``serve`` has
served the page. Everything else in the package knows nothing of MkDocs' objects.
"""
