"""The book's data sets load, hold what the sources say, and leave unknown facts unknown."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from conftest import ROOT

from opentextbook.datasets import load_dataset, load_datasets, load_schema

ORGANIZATIONS = load_schema(ROOT / "data" / "organizations.schema.yml")
PLN_NODES = load_schema(ROOT / "data" / "pln-nodes.schema.yml")

# Facts as recorded in the seed's SOURCES.md (kept here: the seed is not part of the repository).
SOURCE_SITES = {
    "acm": "https://www.acm.org",
    "aect": "https://www.aect.org",
    "ispi": "https://ispi.org",
    "atd": "https://www.td.org",
    "alt": "https://www.alt.ac.uk",
    "go-gn": "https://go-gn.net",
    "iallt": "https://iallt.org",
    "learning-guild": "https://www.learningguild.com",
    "iabl": "https://iabl.org",
    "training-magazine-network": None,
    "maha-bali": "https://blog.mahabali.me",
    "lrnchat": None,
    "virtually-connecting": "https://virtuallyconnecting.org",
    "demystifying-instructional-design": "https://demystifyinginstructionaldesign.com",
}
SOURCE_YEARS = {"acm": "1947", "aect": "1923", "ispi": "1962", "atd": "1943", "alt": "1993"}
SOURCE_YEARS |= {"go-gn": "2013", "iallt": "1965"}
CHAPTER_ORGANISATIONS = {
    "ACM": "Association for Computing Machinery",
    "AECT": "Association for Educational Communications and Technology",
    "ISPI": "International Society for Performance Improvement",
    "ATD": "Association for Talent Development",
    "ALT": "Association for Learning Technology",
    "GO-GN": "Global OER Graduate Network",
    "IALLT": "International Association for Language Learning Technology",
    None: "The Learning Guild",
    "IABL": "International Association for Blended Learning",
    "": "Training Magazine Network",
}


@pytest.fixture(scope="module")
def organizations():
    return load_dataset(ROOT / "data" / "organizations.yml", ORGANIZATIONS).records


@pytest.fixture(scope="module")
def pln_nodes():
    return load_dataset(ROOT / "data" / "pln-nodes.yml", PLN_NODES).records


def test_load_datasets_finds_every_declared_file() -> None:
    datasets = load_datasets(ROOT / "data")
    assert set(datasets) == {"organizations", "pln_nodes"}
    assert len(datasets["organizations"].records) == 10
    assert len(datasets["pln_nodes"].records) == 4


def test_an_empty_data_folder_has_no_data_sets(tmp_path: Path) -> None:
    assert load_datasets(tmp_path) == {}


def test_every_organisation_the_chapter_names_is_there(organizations) -> None:
    names = {r["name"]: r["acronym"] for r in organizations}
    for acronym, name in CHAPTER_ORGANISATIONS.items():
        assert name in names, name
        assert names[name] == (acronym or None), name


def test_records_have_every_field_with_none_for_unknown(organizations) -> None:
    for record in organizations:
        assert list(record) == ORGANIZATIONS.field_names
    tmn = next(r for r in organizations if r["name"] == "Training Magazine Network")
    assert tmn["website"] is None  # unknown in SOURCES.md: never guessed
    assert tmn["free_membership"] is None


def test_every_web_address_comes_from_the_sources(organizations, pln_nodes) -> None:
    sites = {r["id"]: r["website"] for r in [*organizations, *pln_nodes]}
    assert sites == SOURCE_SITES


def test_free_membership_is_given_only_where_the_sources_say(organizations) -> None:
    given = {r["acronym"] or r["name"]: r["free_membership"] for r in organizations}
    assert {k: v for k, v in given.items() if v} == {
        "ATD": "no",
        "ALT": "partly",
        "IALLT": "no",
        "The Learning Guild": "yes",
    }


def test_founding_years_come_from_the_sources(organizations) -> None:
    years = {r["id"]: re.sub(r"\D", "", r["founded"]) for r in organizations if r["founded"]}
    assert years == SOURCE_YEARS


def test_colleague_notes_are_attributed(organizations) -> None:
    noted = [r for r in organizations if r["notes"]]
    assert len(noted) == 9  # every network he describes, except GO-GN on its own
    for record in noted:
        assert {n["by"] for n in record["notes"]} == {"Apostolos Koutropoulos"}


def test_every_entry_says_where_its_facts_were_seen(organizations, pln_nodes) -> None:
    for record in [*organizations, *pln_nodes]:
        assert "the chapter" in record["source"], record["id"]


def test_the_four_pln_nodes_in_the_chapter_order(pln_nodes) -> None:
    assert [r["name"] for r in pln_nodes] == [
        "Maha Bali",
        "#lrnchat",
        "Virtually Connecting",
        "Demystifying Instructional Design",
    ]
    lrnchat = next(r for r in pln_nodes if r["id"] == "lrnchat")
    assert lrnchat["website"] is None
    # Unquoted, " #lrnchat" would start a YAML comment and cut the value short.
    assert lrnchat["where"] == "the #lrnchat hashtag on Twitter/X (no web site)"


def test_csv_cells_cannot_run_as_spreadsheet_formulas() -> None:
    from opentextbook.datasets.downloads import spreadsheet_safe

    assert spreadsheet_safe('=HYPERLINK("http://x","y")') == '\'=HYPERLINK("http://x","y")'
    assert spreadsheet_safe("@SUM(A1)") == "'@SUM(A1)"
    assert spreadsheet_safe("Association for Learning Technology") == (
        "Association for Learning Technology"
    )
