"""The one Jinja environment for every HTML, SVG and text template of the package.

All output from data goes through here, so escaping is decided once: autoescape is on for
every template, and an undefined variable is an error rather than an empty string.
"""

from __future__ import annotations

import functools
from pathlib import Path

import jinja2


@functools.cache
def environment() -> jinja2.Environment:
    """Templates under ``opentextbook/templates/``, named by their path there."""
    return jinja2.Environment(
        loader=jinja2.PackageLoader("opentextbook", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


def render_template(name: str, **context) -> str:
    """Render ``templates/<name>`` with ``context``."""
    return environment().get_template(name).render(**context)


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
