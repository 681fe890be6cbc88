"""The book's credits model without a site build: licences, ``data/book.yml`` and front matter.

Each bad input gives one message naming file and line, what is wrong and the fix.
"""

from __future__ import annotations

import logging
import textwrap
from pathlib import Path

import pytest
from conftest import ROOT

from opentextbook.book import (
    BookContents,
    find_licence,
    licence_problems,
    load_metadata,
    people_phrase,
    read_page_credit,
)
from opentextbook.book.fields import person
from opentextbook.book.licences import adaptation_problem, collection_problem, licence_ids
from opentextbook.publishing.linkeddata import page_head
from opentextbook.publishing.snippets import in_words
from opentextbook.support.errors import SourceError

BOOK = ROOT / "tests" / "fixtures" / "remix-book" / "data" / "book.yml"


@pytest.fixture(scope="module")
def book():
    return load_metadata(BOOK)


def credit_of(book, front_matter: str, body: str = "# A page\n"):
    text = f"---\n{textwrap.dedent(front_matter)}---\n\n{body}" if front_matter else body
    return read_page_credit(book, src="p.md", path="docs/p.md", text=text, title=None, url="p.html")


# --- Licences ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "written",
    [
        "CC-BY-4.0",
        "cc by 4.0",
        "CC BY",
        "Creative Commons Attribution 4.0 International",
        "https://creativecommons.org/licenses/by/4.0/",
        "https://creativecommons.org/licenses/by/4.0",
    ],
)
def test_licence_names_and_aliases_mean_one_spdx_id(written: str) -> None:
    licence = find_licence(written)
    assert (licence.id, licence.short, licence.known) == ("CC-BY-4.0", "CC BY 4.0", True)
    assert licence.url == "https://creativecommons.org/licenses/by/4.0/"


def test_the_table_knows_the_licences_remixers_meet() -> None:
    for ident in (
        "CC-BY-SA-4.0",
        "CC-BY-NC-4.0",
        "CC-BY-NC-SA-4.0",
        "CC-BY-ND-4.0",
        "CC-BY-NC-ND-4.0",
        "CC0-1.0",
        "CC-BY-3.0",
        "CC-BY-SA-3.0",
        "MIT",
        "public-domain",
    ):
        assert ident in licence_ids()
        assert find_licence(ident).url.startswith("https://")


def test_unknown_licence_is_not_found() -> None:
    assert find_licence("Do What You Like 1.0") is None


@pytest.mark.parametrize(
    ("source", "chapter", "fragment"),
    [
        ("CC-BY-SA-4.0", "CC-BY-4.0", "may only be licensed as CC-BY-SA-4.0"),
        ("CC-BY-NC-4.0", "CC-BY-4.0", "may only be licensed as CC-BY-NC-4.0"),
        ("CC-BY-ND-4.0", "CC-BY-ND-4.0", "does not allow adaptations"),
        ("CC-BY-NC-ND-4.0", "CC-BY-NC-4.0", "does not allow adaptations"),
        ("CC-BY-4.0", "CC0-1.0", "may only be licensed as"),
    ],
)
def test_incompatible_adaptations_say_why(source: str, chapter: str, fragment: str) -> None:
    assert fragment in adaptation_problem(find_licence(source), find_licence(chapter))


@pytest.mark.parametrize(
    ("source", "chapter"),
    [
        ("CC-BY-4.0", "CC-BY-4.0"),
        ("CC-BY-4.0", "CC-BY-SA-4.0"),
        ("CC-BY-SA-4.0", "CC-BY-SA-4.0"),
        ("CC-BY-SA-3.0", "CC-BY-SA-4.0"),
        ("CC0-1.0", "CC-BY-4.0"),
        ("public-domain", "CC-BY-NC-4.0"),
        ("CC-BY-NC-4.0", "CC-BY-NC-SA-4.0"),
        ("MIT", "CC-BY-4.0"),
    ],
)
def test_compatible_adaptations_are_fine(source: str, chapter: str) -> None:
    assert adaptation_problem(find_licence(source), find_licence(chapter)) is None


def test_a_source_without_a_licence_cannot_be_checked() -> None:
    assert "not known" in adaptation_problem(None, find_licence("CC-BY-4.0"))


def test_noncommercial_chapter_in_a_commercial_book() -> None:
    why = collection_problem(find_licence("CC-BY-NC-4.0"), find_licence("CC-BY-4.0"))
    assert "forbids commercial use" in why
    assert collection_problem(find_licence("CC-BY-SA-4.0"), find_licence("CC-BY-4.0")) is None


# --- data/book.yml ------------------------------------------------------------------------------


def test_book_sources_are_read_with_their_licences(book) -> None:
    assert [source.id for source in book.sources] == ["sharing", "peer-review", "licensing"]
    assert book.sources[1].licence.id == "CC-BY-SA-4.0"  # written "CC BY-SA 4.0"
    assert book.sources[1].author == "Lin Wei and Sofia Marchetti"
    assert book.sources[2].authors[0]["group"] is True
    assert book.adapted_by == "Open Teaching Collective"


def write_book(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "book.yml"
    base = "title: T\nauthors: [A. Author]\nlanguage: en\nlicence: CC-BY-4.0\n"
    path.write_text(base + textwrap.dedent(text), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("extra", "expected"),
    [
        ("sources:\n  title: X\n", "book.yml:5:1: 'sources' must be a list, not a mapping"),
        (
            "sources:\n  - title: X\n    licence: CC-BY-4.O\n",
            "book.yml:7:5: unknown licence 'CC-BY-4.O' — write an SPDX identifier "
            "(did you mean 'CC-BY-4.0'?)",
        ),
        (
            "sources:\n  - title: X\n    url: javascript:alert(1)\n",
            "book.yml:7:5: 'url' must be an http(s) or mailto address",
        ),
        (
            "sources:\n  - title: X\n    autor: Y\n",
            "book.yml:7:5: unknown field 'autor' — did you mean 'authors'?",
        ),
        ("sources:\n  - X\n", "book.yml:6:5: a source must be a mapping"),
    ],
)
def test_bad_sources_in_book_yml(tmp_path: Path, extra: str, expected: str) -> None:
    with pytest.raises(SourceError) as error:
        load_metadata(write_book(tmp_path, extra))
    assert expected in str(error.value)


def test_the_old_single_source_still_reads_with_a_notice(tmp_path: Path, caplog) -> None:
    path = write_book(tmp_path, "source:\n  title: Old Work\n  author: Ann Writer\n")
    with caplog.at_level(logging.INFO, logger="mkdocs.plugins.opentextbook"):
        book = load_metadata(path)
    assert book.legacy_source and book.source.title == "Old Work"
    assert any("'source:' (one work) is the old form" in r.getMessage() for r in caplog.records)
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING]
    credit, problems = credit_of(book, "")
    assert not problems and credit.sources[0].author == "Ann Writer"  # chapters inherit it


def test_the_old_licence_mapping_still_reads(tmp_path: Path) -> None:
    path = tmp_path / "book.yml"
    path.write_text(
        "title: T\nauthors: [A]\nlanguage: en\nlicence:\n  name: Creative Commons Attribution"
        " 4.0 International\n  short: CC BY 4.0\n  url: https://creativecommons.org/licenses/by/4.0/\n",
        encoding="utf-8",
    )
    assert load_metadata(path).licence.id == "CC-BY-4.0"


# --- Front matter -------------------------------------------------------------------------------


def test_a_page_inherits_the_books_authors_and_licence(book) -> None:
    credit, problems = credit_of(book, "")
    assert not problems
    assert credit.authors == book.authors and credit.licence == book.licence
    assert credit.is_chapter and credit.cite and not credit.is_adaptation
    assert credit.title == "A page"


def test_front_matter_sets_authors_licence_and_sources(book) -> None:
    credit, problems = credit_of(
        book,
        """\
        authors: [Ada, {name: The Group, group: true}]
        licence: CC BY-SA 4.0
        sources:
          - peer-review
          - title: Own Source
            authors: [Bo]
            licence: CC0-1.0
        cite: false
        """,
    )
    assert not problems
    assert people_phrase(credit.authors) == "Ada and The Group"
    assert credit.licence.id == "CC-BY-SA-4.0"
    assert [s.title for s in credit.sources] == ["Looking at Each Other's Lessons", "Own Source"]
    assert [s.line for s in credit.sources] == [5, 6]
    assert not credit.cite
    assert not licence_problems(credit, book)


@pytest.mark.parametrize(
    ("front_matter", "expected"),
    [
        (
            "licnce: CC-BY-4.0\n",
            "docs/p.md:2:1: unknown front matter key 'licnce' — did you mean 'licence'?",
        ),
        (
            "sources:\n  title: X\n",
            "docs/p.md:2:1: 'sources' must be a list, not a mapping — start each item on its "
            "own line with '- '",
        ),
        ("authors:\n  name: X\n", "docs/p.md:2:1: 'authors' must be a list, not a mapping"),
        ("licence: Free for all\n", "docs/p.md:2:1: unknown licence 'Free for all'"),
        (
            "sources:\n  - title: X\n    url: ftp://example.org/x\n",
            "docs/p.md:4:5: 'url' must be an http(s) or mailto address, not 'ftp://example.org/x'",
        ),
        (
            "sources: [sharng]\n",
            "docs/p.md:2:11: no source with id 'sharng' in data/book.yml — did you mean 'sharing'?",
        ),
        ("chapter: nope\n", "docs/p.md:2:1: 'chapter' must be true or false"),
        ("title: [x\n", "docs/p.md:3:1: not valid YAML"),
    ],
)
def test_front_matter_mistakes_name_file_and_line(book, front_matter: str, expected: str) -> None:
    credit, problems = credit_of(book, front_matter)
    assert len(problems) == 1
    assert str(problems[0]).startswith(expected), str(problems[0])
    assert credit.licence == book.licence  # the page still builds, with what it inherits


def test_incompatible_source_names_page_line_both_licences_and_fix(book) -> None:
    credit, _ = credit_of(book, "sources:\n  - title: X\n    licence: CC-BY-NC-4.0\n")
    [problem] = licence_problems(credit, book)
    assert str(problem) == (
        "docs/p.md:3: source “X” (CC BY-NC 4.0) cannot be adapted into this chapter under "
        "CC BY 4.0: an adaptation of CC BY-NC 4.0 material may only be licensed as "
        "CC-BY-NC-4.0, CC-BY-NC-SA-4.0, CC-BY-NC-ND-4.0 — license the chapter under one of the "
        "allowed licences (front matter 'licence:'), or replace the source"
    )


def test_a_source_without_licence_is_a_problem_and_unknown_on_purpose_is_not(book) -> None:
    credit, _ = credit_of(book, "sources:\n  - title: X\n")
    [problem] = licence_problems(credit, book)
    assert "no licence given" in str(problem) and "'licence: unknown'" in str(problem)
    credit, _ = credit_of(book, "sources:\n  - title: X\n    licence: unknown\n")
    assert licence_problems(credit, book) == []
    assert credit.sources[0].licence.label == "licence unknown"


def test_noncommercial_chapter_names_its_licence_line(book) -> None:
    credit, _ = credit_of(book, "authors: [A]\nlicence: CC-BY-NC-4.0\n")
    [problem] = licence_problems(credit, book)
    assert str(problem).startswith("docs/p.md:3: chapter licence CC BY-NC 4.0 does not fit")


def test_contents_list_every_source_once_and_count_activities(book) -> None:
    body = "# Page\n\n/// activity | One\n///\n\n/// activity | Two\n///\n"
    one, _ = credit_of(book, "sources: [sharing]\n", body)
    two, _ = credit_of(book, "sources: [sharing]\nchapter: false\n", body)
    contents = BookContents(book, [one, two])
    assert [page.src for page in contents.chapters] == ["p.md"]
    assert len(contents.sources) == 3  # the book's three, "sharing" once
    assert contents.activity_count == 2
    assert contents.credit("nope.md").title == book.title  # other pages: the book's credits


def test_cite_false_leaves_out_citation_tags(book) -> None:
    credit, _ = credit_of(book, "cite: false\n")
    head = page_head(book, site_url=None, page_url="u", page_title="t", credit=credit)
    assert head.meta == ()
    assert "Chapter" in head.jsonld


def test_people_phrase_and_counts_in_words() -> None:
    assert people_phrase([person("Ada")]) == "Ada"
    assert people_phrase([person("Ada"), person("Bo")]) == "Ada and Bo"
    assert people_phrase([person("Ada"), person("Bo"), person("Cy")]) == "Ada, Bo and Cy"
    assert (in_words(3), in_words(10), in_words(13)) == ("three", "ten", "13")


def test_site_identity_follows_book_yml(book, caplog) -> None:
    from opentextbook.mkdocs.credits import check_identity

    config = {"site_name": "Another Title", "site_description": None, "site_author": None}
    with caplog.at_level(logging.INFO, logger="mkdocs.plugins.opentextbook"):
        check_identity(config, book, "data/book.yml")
    assert config["site_description"] == book.description
    assert config["site_author"] == "Priya Natarajan and Tomás Ferreira"
    [warning] = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert warning == (
        "opentextbook: mkdocs.yml: site_name 'Another Title' differs from data/book.yml "
        "('Teaching in the Open') — make them agree"
    )


def test_markup_in_front_matter_is_escaped_in_every_credit(book) -> None:
    from opentextbook.publishing.snippets import attribution, credits_table, footer

    hostile = "<script>alert(1)</script>"
    credit, problems = credit_of(
        book,
        f"authors: ['{hostile}']\nsources:\n  - title: '{hostile}'\n    licence: CC-BY-4.0\n",
        body=f"# {hostile}\n",
    )
    assert not problems
    outputs = [
        attribution(book, credit),
        credits_table(book, BookContents(book, [credit]), "licence.html"),
        str(footer(book, credit)),
    ]
    for html in outputs:
        assert "<script>" not in html
        assert "&lt;script&gt;" in html
