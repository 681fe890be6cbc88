"""Property tests: whatever a remixer types, the loaders and blocks answer with a message.

Hypothesis generates YAML and Markdown from fragments people really write (keys, dashes,
tabs, quotes, block headers, options, stray closers) plus arbitrary text. The only allowed
outcomes are a result, a :class:`SourceError` (data), or a logged warning (pages): never an
unhandled exception.
"""

from __future__ import annotations

import logging
import tempfile
from pathlib import Path

import yaml
from conftest import ROOT, convert_page
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from opentextbook.datasets import load_dataset, load_schema
from opentextbook.support.errors import SourceError
from opentextbook.support.yamlsource import YamlDocument, parse_yaml

ORGANIZATIONS = load_schema(ROOT / "data" / "organizations.schema.yml")

PROPERTY_SETTINGS = settings(
    max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)

YAML_FRAGMENTS = [
    "- ",
    "id: ",
    "name: ",
    "source: ",
    "website: ",
    "offers: ",
    "notes:",
    "  - by: ",
    "    note: ",
    "acm",
    "javascript:alert(1)",
    "https://example.org",
    "[",
    "]",
    "{",
    "}",
    ", ",
    ": ",
    "\n",
    "\n  ",
    "\n    ",
    "\t",
    "'",
    '"',
    "#",
    "&anchor ",
    "*anchor",
    "!!python/object ",
    "<<: ",
    "? ",
    "|\n  ",
    ">-\n  ",
    "---\n",
    "...\n",
    "~",
    "null",
    "yes",
    "1947",
    "3.5",
    "2024-01-01",
    "\u00e9",
    "\ufeff",
    "\x00",
    "\\",
    "%YAML 1.1\n",
]
yaml_like = st.lists(
    st.one_of(st.sampled_from(YAML_FRAGMENTS), st.text(max_size=8)), max_size=40
).map("".join)

scalars = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), st.text(max_size=30)
)
values = st.recursive(
    scalars,
    lambda children: st.one_of(
        st.lists(children, max_size=4),
        st.dictionaries(st.text(max_size=12), children, max_size=4),
    ),
    max_leaves=12,
)
field_names = st.sampled_from([*ORGANIZATIONS.field_names, "websit", "urls", ""])
records = st.dictionaries(st.one_of(field_names, st.text(max_size=8)), values, max_size=8)
data_files = st.one_of(st.lists(records, max_size=5), values)


@PROPERTY_SETTINGS
@given(yaml_like)
def test_parse_yaml_answers_with_data_or_source_error(text: str) -> None:
    try:
        document = parse_yaml(text, "data/organizations.yml")
    except SourceError as exc:
        assert str(exc).startswith("data/organizations.yml")
    else:
        # "---" or "null" alone is a document whose value is None: the loaders then say
        # what they expected instead ("expected a list of entries, found nothing").
        assert isinstance(document, YamlDocument)
        assert document.positions


@PROPERTY_SETTINGS
@given(st.one_of(yaml_like, data_files.map(lambda v: yaml.safe_dump(v, allow_unicode=True))))
def test_data_loader_answers_with_dataset_or_source_error(text: str) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "organizations.yml"
        path.write_text(text, encoding="utf-8", errors="surrogatepass")
        try:
            dataset = load_dataset(path, ORGANIZATIONS)
        except SourceError as exc:
            assert "organizations.yml" in str(exc)
        else:
            assert all(set(r) == set(ORGANIZATIONS.field_names) for r in dataset.records)


CSV_FRAGMENTS = [
    "id,name,source,website,offers,notes\n",
    "id,name,source\n",
    "\ufeff",
    "acm,ACM,acm.org\n",
    ",",
    '"',
    '""',
    ";",
    "\r\n",
    "\n",
    "javascript:alert(1)",
    "https://example.org",
    "journals; webinars",
    "=HYPERLINK(1)",
    ".nan",
    "2024-01-01",
    "\x00",
]
csv_like = st.lists(
    st.one_of(st.sampled_from(CSV_FRAGMENTS), st.text(max_size=8)), max_size=30
).map("".join)


@PROPERTY_SETTINGS
@given(csv_like)
def test_csv_loader_answers_with_dataset_or_source_error(text: str) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "organizations.csv"
        path.write_text(text, encoding="utf-8", errors="surrogatepass")
        try:
            dataset = load_dataset(path, ORGANIZATIONS)
        except SourceError as exc:
            assert str(exc).startswith(str(path))
        else:
            assert all(set(r) == set(ORGANIZATIONS.field_names) for r in dataset.records)


MARKDOWN_FRAGMENTS = [
    "/// activity | Map your network\n",
    "/// activity\n",
    "///activity|x\n",
    "///\n",
    "////\n",
    "/// teacher-notes\n",
    "/// details | More\n",
    "/// admonition | Note\n",
    "    id: map\n",
    "    id: Bad Id!\n",
    "    duration: 20\n",
    "    duration: -3\n",
    "    grouping: pairs\n",
    "    grouping: crowd\n",
    "    objectives: [a, b]\n",
    "    answer: lines:4\n",
    "    answer: box:x\n",
    "    steps: {1: drawing}\n",
    "    steps: {0: none, x: box}\n",
    "    steps: [1, 2]\n",
    "    worksheet: maybe\n",
    "    : \n",
    "    [\n",
    "\n",
    "1. A step.\n",
    "2. Another step.\n",
    "- an item\n",
    "    nested text\n",
    "```\n",
    "~~~\n",
    "<div markdown>\n",
    "</div>\n",
    "<script>alert(1)</script>\n",
    "| a | b |\n|---|---|\n| 1 | 2 |\n",
    "# Heading\n",
    "[link](javascript:alert(1))\n",
    "\t",
    "Some *text*.\n",
    "/// datatable | Networks\n",
    "    data: organizations\n",
    "    data: nothing\n",
    "    columns: [name, nope]\n",
    "    sort: -name\n",
    "    filter: {scope: x}\n",
    "    group: offers\n",
]
markdown_like = st.lists(
    st.one_of(st.sampled_from(MARKDOWN_FRAGMENTS), st.text(max_size=10)), max_size=30
).map("".join)


@PROPERTY_SETTINGS
@given(markdown_like)
def test_block_parser_never_raises(text: str) -> None:
    logger = logging.getLogger("mkdocs.plugins.opentextbook")
    level = logger.level
    logger.setLevel(logging.CRITICAL + 1)  # warnings are the allowed outcome, not shown
    try:
        html = convert_page(text, "chapter.md")
    finally:
        logger.setLevel(level)
    assert isinstance(html, str)
