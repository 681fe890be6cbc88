"""Jinja rendering and the attribution line every PLN template carries."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import jinja2

from opentextbook.metadata import BookMetadata


@cache
def environment() -> jinja2.Environment:
    """Templates under ``templates/pln``; everything is escaped unless marked safe."""
    return jinja2.Environment(
        loader=jinja2.PackageLoader("opentextbook", "templates/pln"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
    )


def render(name: str, **context) -> str:
    return environment().get_template(name).render(**context)


@dataclass(frozen=True)
class Credit:
    """Where a template comes from and under which licence it may be reused."""

    title: str
    source: str
    licence: str
    language: str

    @property
    def lines(self) -> list[str]:
        return [self.source, self.licence]

    @property
    def text(self) -> str:
        return " ".join(self.lines)


def credit_for(metadata: BookMetadata, what: str) -> Credit:
    """The credit for one template, from the book's metadata (never hard-coded)."""
    source = metadata.source
    licence = metadata.licence
    url = f" {licence.url}" if licence.url else ""
    return Credit(
        title=what,
        source=(
            f"{what} — from “{metadata.title}”, adapted from “{source.title}” by {source.author}."
        ),
        licence=f"Licence: {licence.name} ({licence.short}).{url}",
        language=metadata.language,
    )
