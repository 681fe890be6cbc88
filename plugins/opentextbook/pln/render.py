"""Jinja rendering and the attribution line every PLN template carries."""

from __future__ import annotations

from dataclasses import dataclass

from opentextbook.metadata import BookMetadata
from opentextbook.templating import render_template


def render(name: str, **context) -> str:
    return render_template(f"pln/{name}", **context)


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
    source = metadata.source  # None for a book of original work only
    licence = metadata.licence
    url = f" {licence.url}" if licence.url else ""
    adapted = f", adapted from “{source.title}” by {source.author}" if source else ""
    return Credit(
        title=what,
        source=f"{what} — from “{metadata.title}”{adapted}.",
        licence=f"Licence: {licence.name} ({licence.short}).{url}",
        language=metadata.language,
    )
