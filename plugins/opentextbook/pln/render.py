"""Jinja rendering and the attribution line every PLN template carries."""

from __future__ import annotations

from dataclasses import dataclass

from opentextbook.i18n import licence_name, licence_url, t
from opentextbook.metadata import BookMetadata
from opentextbook.support.templating import render_template


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
    url = licence_url(licence)
    if source:
        words = {"title": source.title, "author": source.author or t("credit.unknown_author")}
        origin = t("pln.credit.adapted", what=what, book=metadata.title, **words)
    else:
        origin = t("pln.credit.from", what=what, book=metadata.title)
    name = t("pln.credit.licence", name=licence_name(licence), short=licence.short)
    return Credit(
        title=what,
        source=origin,
        licence=f"{name} {url}" if url else name,
        language=metadata.language,
    )
