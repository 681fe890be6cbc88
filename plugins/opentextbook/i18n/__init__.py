"""The book in its own language: every label the toolchain adds, from a locale file.

``locales/<language>.yml`` holds one text per key (``activity.label: "Activity {number}"``),
or, for a text that counts something, one per plural category of the language (``one``,
``other``, and Arabic's ``zero``, ``two``, ``few``, ``many``), chosen by Babel from CLDR's
rules. The book picks its locale with ``language`` in ``data/book.yml`` (a BCP 47 tag:
``pt-BR`` falls back to ``pt``, an unknown language to English) and overrides any text under
``strings:`` in the same file. Templates call ``t(key, **values)``; Python calls :func:`t`.

The active locale is set once per build (:func:`activate`), as the page being converted is in
:mod:`opentextbook.markdown.location`: every template and block reads it, so no signature has
to carry it. Caches stay right because the language and the overrides are book metadata,
which every cache key holds, and the locale files are package files.
"""

from __future__ import annotations

from opentextbook.i18n.locales import (
    LOCALES_DIR,
    RTL_LANGUAGES,
    Strings,
    activate,
    active,
    check_overrides,
    licence_name,
    licence_url,
    load_strings,
    locale_file,
    t,
)

__all__ = [
    "LOCALES_DIR",
    "RTL_LANGUAGES",
    "Strings",
    "activate",
    "active",
    "check_overrides",
    "licence_name",
    "licence_url",
    "load_strings",
    "locale_file",
    "t",
]
