"""Adapter for the book's credits: reads every page's front matter once the nav is known,
reports mistakes and licence conflicts as warnings naming page and line (so ``--strict``
fails), and keeps the site's title, description and author in step with ``data/book.yml``.
"""

from __future__ import annotations

from mkdocs.plugins import get_plugin_logger

from opentextbook.book import (
    BookContents,
    BookMetadata,
    PageCredit,
    licence_problems,
    people_phrase,
    read_page_credit,
)
from opentextbook.book.licences import UNKNOWN

log = get_plugin_logger("opentextbook")


def read_contents(metadata: BookMetadata, pages: list) -> BookContents:
    """Every nav page's credits, in reading order; ``pages`` holds (page, shown path) pairs."""
    credits = []
    for page, path in pages:
        credit, problems = read_page_credit(
            metadata,
            src=page.file.src_uri,
            path=path,
            text=page.file.content_string,
            title=page.title,
            url=page.url,
        )
        for problem in problems:
            log.warning(str(problem))
        if credit.is_chapter:
            _check_licences(credit, metadata)
        credits.append(credit)
    return BookContents(metadata, credits)


def _check_licences(credit: PageCredit, metadata: BookMetadata) -> None:
    for source in credit.sources:
        if source.licence is not None and source.licence.id == UNKNOWN:
            # Said on purpose ("licence: unknown"): the book shows it as unknown; a reminder.
            log.info(
                f"{credit.path}:{source.line}: the licence of source “{source.title}” is "
                "recorded as unknown; the book says so wherever it credits it"
            )
    for problem in licence_problems(credit, metadata):
        log.warning(str(problem))


def check_identity(config, metadata: BookMetadata, metadata_path: str) -> None:
    """``site_name``, ``site_description`` and ``site_author`` follow the book metadata:
    set from it when ``mkdocs.yml`` leaves them out, a warning when they disagree."""
    wanted = {
        "site_name": metadata.title,
        "site_description": metadata.description,
        "site_author": people_phrase(metadata.authors),
    }
    for key, value in wanted.items():
        if value is None:
            continue
        given = config.get(key)
        if not given:
            config[key] = value
        elif " ".join(str(given).split()) != " ".join(value.split()):
            # MkDocs requires site_name; the others can simply be left out of mkdocs.yml.
            fix = (
                "make them agree"
                if key == "site_name"
                else (
                    f"remove {key} from mkdocs.yml (it follows {metadata_path}) or make them agree"
                )
            )
            log.warning(
                f"mkdocs.yml: {key} '{given}' differs from {metadata_path} ('{value}') — {fix}"
            )
