"""The one Jinja environment for every HTML, SVG and text template of the package.

All output from data goes through here, so escaping is decided once: autoescape is on for
every template, and an undefined variable is an error rather than an empty string. Values that
leave the package for templates it does not own (MkDocs' theme, mkdocs-macros in pages, front
matter) are made text first by :func:`as_text`, so they cannot become markup there either.
"""

from __future__ import annotations

import functools
import string
from pathlib import Path
from typing import Any

import jinja2
from markupsafe import Markup, escape

from opentextbook import i18n
from opentextbook.support.urls import is_safe_url, safe_url

# Markdown syntax that could make a link, an image, an attribute list ({: onclick=...}) or a
# code span out of a value put into a page by a macro; as character references these are text.
_MARKDOWN_SYNTAX = str.maketrans({char: f"&#{ord(char)};" for char in "[]{}`\\"})


@functools.cache
def environment() -> jinja2.Environment:
    """Templates under ``opentextbook/templates/``, named by their path there."""
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("opentextbook", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["safe_url"] = safe_url  # every href from data passes the one URL rule again
    # Labels in the book's language, read at render time (the active locale is set per build).
    env.globals["t"] = lambda key, **values: i18n.active().markup(key, **values)
    env.globals["text_direction"] = lambda: i18n.active().direction
    env.globals["licence_name"] = i18n.licence_name
    env.globals["licence_url"] = i18n.licence_url
    env.globals["page_counter"] = page_counter
    return env


PAGE_COUNTERS = {"page": "counter(page)", "pages": "counter(pages)"}
"""What ``{page}`` and ``{pages}`` in a page-number label become in CSS."""


def page_counter(key: str) -> Markup:
    """The label ``key`` ("Page {page} of {pages}") as a CSS ``content`` value for a page
    margin: its words in the book's language as CSS strings, its placeholders as counters.

    CSS cannot call ``t()`` at print time, so the label is turned into CSS here; every
    character that could end the string or the ``<style>`` element is escaped.
    """
    parts = []
    for literal, name, _, _ in string.Formatter().parse(i18n.active().text(key)):
        if literal:
            parts.append(_css_string(literal))
        if name:
            parts.append(PAGE_COUNTERS[name])
    return Markup(" ".join(parts) or '""')


def _css_string(text: str) -> str:
    escaped = "".join(
        f"\\{ord(char):x} " if char in '\\"<>&' or ord(char) < 0x20 or ord(char) == 0x7F else char
        for char in text
    )
    return f'"{escaped}"'


def render_template(name: str, **context) -> str:
    """Render ``templates/<name>`` with ``context``."""
    return environment().get_template(name).render(**context)


def template_macro(name: str, macro: str):
    """The macro ``macro`` of ``templates/<name>``, callable from Python (autoescaped output)."""
    return getattr(environment().get_template(name).module, macro)


def use_bytecode_cache(folder: Path) -> None:
    """Keep the package's compiled templates in ``folder`` between builds."""
    environment().bytecode_cache = jinja_bytecode_cache(folder)


def jinja_bytecode_cache(folder: Path) -> jinja2.BytecodeCache:
    """A folder of compiled templates, so a rebuild does not compile them again.

    Jinja stores each template's bytecode with a hash of its source and the Python version,
    and ignores an entry when either differs: an edited template is compiled afresh.
    """
    folder.mkdir(parents=True, exist_ok=True)
    return jinja2.FileSystemBytecodeCache(str(folder))


def as_text(value: Any) -> Any:
    """``value`` (recursively) with every string made text for HTML and Markdown alike.

    MkDocs renders the theme with autoescape off and mkdocs-macros pastes values into the
    Markdown, so a book title such as ``</script><script>…`` or ``[x](javascript:…)`` would run
    there. Each string becomes ``Markup`` whose markup characters are character references: it
    prints as the same text in HTML, in attributes and in Markdown, and ``|e`` leaves it alone.
    A safe address keeps its Markdown characters, so ``[licence]({{ book.licence.url }})``
    still links.
    """
    if isinstance(value, str):
        text = str(escape(value))
        address = ":" in value and is_safe_url(value)  # every address has a scheme and ":"
        return Markup(text if address else text.translate(_MARKDOWN_SYNTAX))
    if isinstance(value, dict):
        return {key: as_text(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return type(value)(as_text(item) for item in value)
    return value
