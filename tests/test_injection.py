"""No value from data, book metadata, front matter, activity options or the environment can put
markup or script into any output, and every address field takes only http(s) or mailto.

The fields come from the declarations, not from a list in this file: the data sets' schemas as
loaded, ``opentextbook.metadata.FIELDS``, the activity block's ``OPTIONS`` and the front matter
the theme and search read. A new field is covered without a new test. Each field is first tried
alone with the core loader or option validator (fast): a field that refuses the payload with a
clear message keeps its value; every other field carries a payload into ONE site build, whose
every file (HTML, SVG, JSON, scripts, PDF, DOCX, EPUB, the offline zip) is then searched for an
element, attribute, comment, script or ``javascript:`` address made from a payload.
"""

from __future__ import annotations

import copy
import io
import json
import re
import zipfile
from pathlib import Path

import pytest
import yaml
from conftest import ROOT, build_book, convert_page, copy_project, run_build
from lxml import etree
from lxml import html as lxml_html
from pypdf import PdfReader

from opentextbook.datasets import load_dataset, load_datasets
from opentextbook.markdown.activity import OPTIONS as ACTIVITY_OPTIONS
from opentextbook.markdown.datatable import DataTableBlock
from opentextbook.metadata import FIELDS as BOOK_FIELDS
from opentextbook.metadata import load_metadata
from opentextbook.mkdocs.search import FRONT_MATTER as SEARCH_FRONT_MATTER
from opentextbook.support.errors import SourceError

MARK = "PAYLOAD"
EVALUATED = "TEMPLATEEVALUATED"  # what the template syntax in a payload gives if it is run
SAFE_URL = "https://example.org/a_b?c=1&d=[2]"
URL_PAYLOADS = (
    "javascript:alert(1)",
    " JavaScript:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    'https://example.org/"><script>alert(1)</script>',
)
# Front matter Material prints or indexes, besides what the search cache keys on.
FRONT_MATTER = ("title", "description", *SEARCH_FRONT_MATTER)


def payload(n: int) -> str:
    """Markup, script, attribute, comment, template and Markdown-link attacks in one value."""
    return (
        f'{MARK}{n} <script>alert({n})</script> "><img src=x onerror=alert({n})> '
        f"'><svg onload=alert({n})> </script><script>alert({n})</script> <!-- "
        f"{{{{ 'TEMPLATE' ~ 'EVALUATED' }}}} [x](javascript:alert({n})) {{: onclick=alert({n}) }}"
    )


class Payloads:
    """A fresh, numbered payload per field, so a finding can be traced to its field."""

    def __init__(self) -> None:
        self.count = 0

    def __call__(self) -> str:
        self.count += 1
        return payload(self.count)


# Where each value goes --------------------------------------------------------------------


def _set(tree, path: tuple, value) -> None:
    for key in path[:-1]:
        tree = tree[key]
    tree[path[-1]] = value


def book_locations(book: dict) -> list[tuple]:
    """Every value of ``data/book.yml`` as declared by ``metadata.FIELDS``, as key paths.

    A declared mapping or list that the book leaves out or empty is added, so optional fields
    are covered too (``editors: []``, ``source.url: null``).
    """
    paths: list[tuple] = []
    for key, inner in BOOK_FIELDS.items():
        if inner is None:
            paths.append((key,))
        elif inner == ():
            book[key] = list(book.get(key) or [None])
            paths.append((key, 0))
        elif isinstance(book.get(key), list | str) or key in ("authors", "editors", "sources"):
            first = (book.get(key) or [{}])[0]
            book[key] = [first if isinstance(first, dict) else {"name": first}]
            paths += [(key, 0, name) for name in inner]
        else:
            book[key] = dict(book.get(key) or {})
            paths += [(key, name) for name in inner]
    return paths


def dataset_locations(dataset) -> list[tuple[str, object]]:
    """``(field name, field)`` of every field of a loaded data set's Table Schema."""
    return [(spec.name, spec) for spec in dataset.schema.fields]


def _dataset_value(spec, text: str):
    """The payload in the shape a field holds: a list for an array, objects for notes."""
    if spec.type != "array":
        return text
    if spec.keys:  # a list of objects (notes): every key carries the payload
        return [dict.fromkeys(spec.keys, text)]
    return [text]


def _refused(load, tmp: Path, name: str, data) -> SourceError | None:
    """Write ``data`` as YAML and load it: the clear error if refused, else ``None``."""
    path = tmp / name
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    try:
        load(path)
    except SourceError as error:
        return error
    return None


def _assert_clear(error: SourceError | None, field: str) -> None:
    assert error is not None, f"{field}: an unsafe address was accepted"
    assert error.line, f"{field}: the message names no line: {error}"
    assert "http(s)" in str(error) and error.fix, f"{field}: unclear message: {error}"


# Planting ---------------------------------------------------------------------------------


def _filler(path: tuple) -> str:
    """A plain value for a field the book leaves out, so every field is present."""
    known = {"url": SAFE_URL, "language": "en", "date": "2026-01-01", "group": False}
    known |= {"licence": "CC-BY-4.0", "code_licence": "MIT", "authors": ["Filler"]}
    return known.get(path[-1], "Filler")


def plant_book(project: Path, tmp: Path, payloads: Payloads) -> list[str]:
    """Payloads in every text field of book.yml; every URL field must refuse unsafe ones."""
    book = yaml.safe_load((project / "data" / "book.yml").read_text(encoding="utf-8"))
    paths = book_locations(book)
    for path in paths:
        value = book
        for key in path:
            value = value[key] if isinstance(value, list) else value.get(key)
        if value is None:
            _set(book, path, _filler(path))
    planted = []
    for path in paths:
        if path[-1] == "url":
            for bad in URL_PAYLOADS:
                trial = copy.deepcopy(book)
                _set(trial, path, bad)
                _assert_clear(_refused(load_metadata, tmp, "book.yml", trial), str(path))
            _set(book, path, SAFE_URL)
            continue
        trial = copy.deepcopy(book)
        _set(trial, path, payloads())
        if _refused(load_metadata, tmp, "book.yml", trial) is None:
            _set(book, path, payloads())
            planted.append(str(path))
    (project / "data" / "book.yml").write_text(yaml.safe_dump(book, allow_unicode=True))
    load_metadata(project / "data" / "book.yml")
    # The site's name follows the book's title (the build warns when they differ): a remixer
    # who retitles the book writes the same title in mkdocs.yml, payload and all.
    config = project / "mkdocs.yml"
    name = yaml.safe_dump({"site_name": book["title"]}, allow_unicode=True, width=10_000)
    text = re.sub(r"(?m)^site_name: .*\n", lambda _: name, config.read_text(encoding="utf-8"))
    config.write_text(text, encoding="utf-8")
    return planted


def plant_datasets(project: Path, tmp: Path, payloads: Payloads) -> list[str]:
    """Payloads in every text field of every data set's first entry; URL fields must refuse."""
    planted = []
    for name, dataset in load_datasets(project / "data").items():
        records = yaml.safe_load(dataset.path.read_text(encoding="utf-8"))
        entry = records[0]

        def load(path, schema=dataset.schema):
            return load_dataset(path, schema)

        for field, kind in dataset_locations(dataset):
            if kind.format == "uri":
                for bad in URL_PAYLOADS:
                    trial = copy.deepcopy(records)
                    trial[0][field] = bad
                    _assert_clear(_refused(load, tmp, dataset.path.name, trial), f"{name}.{field}")
                entry[field] = SAFE_URL
                continue
            trial = copy.deepcopy(records)
            trial[0][field] = _dataset_value(kind, payloads())
            if _refused(load, tmp, dataset.path.name, trial) is None:
                entry[field] = _dataset_value(kind, payloads())
                planted.append(f"{name}.{field}")
        dataset.path.write_text(yaml.safe_dump(records, allow_unicode=True), encoding="utf-8")
    return planted


def hostile_activity(payloads: Payloads) -> tuple[str, list[str]]:
    """An activity whose title and every option that accepts text carry a payload.

    Wrapped in ``{% raw %}``: the page itself is a template for mkdocs-macros, and its own
    source is the author's; what is tested is that the block treats options as text.
    """
    options, planted = ["    id: hostile-activity"], ["title"]
    for name, (_, validate) in ACTIVITY_OPTIONS.items():
        for value in (payloads(), [payloads()]):
            try:
                validate(value)
            except (TypeError, ValueError):
                continue
            if name != "id":
                options.append(f"    {name}: {json.dumps(value)}")
                planted.append(name)
            break
    block = "\n".join(
        [f"/// activity | {payloads()}", *options, "", "Why it matters.", "", "1. A step.", "///"]
    )
    return "\n\n{% raw %}\n" + block + "\n{% endraw %}\n", planted


def plant_pages(project: Path, payloads: Payloads) -> list[str]:
    """Text front matter the theme and search print, on every page; a hostile activity."""
    planted = []
    for page in sorted((project / "docs").glob("*.md")):
        text = page.read_text(encoding="utf-8")
        meta, body = {}, text
        if text.startswith("---\n"):
            head, _, body = text[4:].partition("\n---\n")
            meta = yaml.safe_load(head) or {}
        for key in FRONT_MATTER:
            value = payloads()
            meta[key] = [value] if key == "tags" else value
            if key == "search":
                meta[key] = {"boost": 1}
        planted += [f"{page.name}:{key}" for key in FRONT_MATTER if key != "search"]
        if page.name == "networking-and-plns.md":
            activity, options = hostile_activity(payloads)
            body += activity
            planted += [f"activity.{name}" for name in options]
        front = yaml.safe_dump(meta, allow_unicode=True)
        page.write_text(f"---\n{front}---\n{body}", encoding="utf-8")
    return planted


# Finding injected markup ------------------------------------------------------------------


def _local(name) -> str:
    return etree.QName(name).localname.lower() if isinstance(name, str) else ""


def injected(root) -> list[str]:
    """Elements, attributes, comments and addresses that only a payload could have made."""
    found = []
    for element in root.iter():
        if isinstance(element, etree._Comment):
            if any(sign in (element.text or "") for sign in ("alert(", MARK, EVALUATED)):
                found.append(f"comment {element.text[:60]!r}")
            continue
        tag = _local(element.tag)
        if tag == "script":
            found += _script_problems(element)
        if tag == "img" and element.get("src") == "x":
            found.append("<img src=x>")
        for name, value in element.attrib.items():
            attr = _local(name)
            if attr.startswith("on") and "alert(" in value:
                found.append(f"<{tag} {attr}={value!r}>")
            if attr in ("href", "src", "action", "formaction", "data") and re.match(
                r"\s*javascript:", value, re.IGNORECASE
            ):
                found.append(f"<{tag} {attr}={value!r}>")
    return found


def _script_problems(script) -> list[str]:
    """JSON-LD is data: it must parse, with no ``<`` that could end it or open a comment."""
    text = script.text or ""
    if script.get("type") == "application/ld+json":
        json.loads(text)
        return ["'<' inside JSON-LD"] if "<" in text else []
    return [f"<script>{text[:60]}"] if "alert(" in text else []


def _html_strings(value) -> list[str]:
    """Strings inside JSON that a script may show as HTML (Material's search results do)."""
    if isinstance(value, str):
        return [value] if "<" in value or "&" in value else []
    if isinstance(value, dict):
        value = list(value.values())
    if isinstance(value, list):
        return [text for item in value for text in _html_strings(item)]
    return []


def _check_json(text: str) -> list[str]:
    start, end = text.find("{"), text.rfind("}")
    first = text.find("[")
    if first != -1 and (start == -1 or first < start):
        start, end = first, text.rfind("]")
    if start == -1:
        return []
    data = json.loads(text[start : end + 1])
    found = []
    for html in _html_strings(data):
        found += injected(lxml_html.fragment_fromstring(html, create_parent="div"))
    return found


def _check_pdf(data: bytes) -> list[str]:
    """No script and no ``javascript:`` link: a PDF's actions run in some readers."""
    reader = PdfReader(io.BytesIO(data))
    root = reader.trailer["/Root"]
    found = ["/OpenAction"] if "/OpenAction" in root else []
    if "/JavaScript" in (root.get("/Names") or {}):
        found.append("/Names /JavaScript")
    for page in reader.pages:
        for annot in page.get("/Annots") or []:
            action = annot.get_object().get("/A") or {}
            uri = str(action.get("/URI", ""))
            if "/JS" in action or uri.strip().lower().startswith("javascript:"):
                found.append(f"annotation {action}")
    return found


def check_file(name: str, data: bytes) -> list[str]:
    """What in one output (or one member of a zip, EPUB or DOCX) a payload made."""
    suffix = Path(name).suffix.lower()
    found = []
    if suffix in (".zip", ".epub", ".docx"):
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            for member in archive.namelist():
                found += [f"{member}: {item}" for item in check_file(member, archive.read(member))]
        return found
    if suffix == ".pdf":
        return _check_pdf(data)
    text = data.decode("utf-8", errors="replace")
    if EVALUATED in text:
        found.append("template syntax from a value was evaluated")
    if suffix in (".html", ".htm"):
        found += injected(lxml_html.document_fromstring(data))
    elif suffix in (".xhtml", ".svg", ".xml", ".opf", ".ncx", ".rels"):
        root = etree.fromstring(data)  # must stay well-formed XML, too
        found += injected(root)
        for target in root.xpath("//@Target | //@*[local-name()='href']"):
            if str(target).strip().lower().startswith("javascript:"):
                found.append(f"address {target}")
    elif Path(name).name in ("search_index.json", "search_index.js"):
        found += _check_json(text)  # Material shows search results as HTML
    return found


# The tests --------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def hostile_site(tmp_path_factory: pytest.TempPathFactory):
    """The book built once with a payload in every field that accepts text."""
    tmp = tmp_path_factory.mktemp("hostile")
    trials = tmp_path_factory.mktemp("trials")
    project = copy_project(tmp / "book")
    payloads = Payloads()
    planted = plant_book(project, trials, payloads)
    planted += plant_datasets(project, trials, payloads)
    planted += plant_pages(project, payloads)
    return build_book(project), planted


def test_payloads_reach_every_kind_of_field(hostile_site) -> None:
    """The planting itself: text fields of each source carry a payload into the build."""
    _, planted = hostile_site
    assert "('title',)" in planted and "('authors', 0, 'name')" in planted
    assert "('changes', 0)" in planted and "('sources', 0, 'title')" in planted
    assert any(name.startswith("organizations.") for name in planted)
    assert any(name.startswith("pln_nodes.") for name in planted)
    assert {"activity.title", "activity.objectives", "activity.duration"} <= set(planted)
    assert "index.md:description" in planted


def test_no_payload_injects_into_any_built_file(hostile_site) -> None:
    build, _ = hostile_site
    findings = []
    files = sorted(path for path in build.site.rglob("*") if path.is_file())
    suffixes = {path.suffix for path in files}
    assert {".html", ".pdf", ".epub", ".docx", ".svg", ".zip", ".json"} <= suffixes
    for path in files:
        name = path.relative_to(build.site).as_posix()
        findings += [f"{name}: {item}" for item in check_file(name, path.read_bytes())]
    assert not findings, "payloads injected:\n" + "\n".join(findings[:40])


def test_payloads_show_as_text(hostile_site) -> None:
    """Escaped, not dropped: the reader sees the hostile text as text."""
    build, _ = hostile_site
    page = lxml_html.document_fromstring(build.page("index.html"))
    footer = page.xpath("string(//*[contains(@class, 'otb-licence-footer')])")
    assert "<script>alert(" in footer and MARK in footer
    chapter = lxml_html.document_fromstring(build.page("networking-and-plns.html"))
    activity = "//section[@id='hostile-activity']"
    objectives = chapter.xpath(f"string({activity}//ul[@class='otb-activity__objectives'])")
    assert "<script>alert(" in objectives
    sheet = build.site / "worksheets" / "hostile-activity" / "hostile-activity-a4.pdf"
    text = "".join(page.extract_text() for page in PdfReader(sheet).pages)
    assert "<script>alert(" in text
    # the whole book (student edition): cover and contents
    (book,) = [p for p in (build.site / "downloads").glob("*.pdf") if "-teacher" not in p.stem]
    text = "".join(page.extract_text() for page in PdfReader(book).pages[:3])
    assert "<script>alert(" in text and "&lt;" not in text and "&amp;" not in text


@pytest.mark.parametrize("variable", ["SITE_URL", "REPO_URL"])
@pytest.mark.parametrize(
    "value", ['https://example.org/"><script>alert(1)</script>', "javascript:alert(1)"]
)
def test_unsafe_site_addresses_are_refused(tmp_path: Path, variable: str, value: str) -> None:
    project = copy_project(tmp_path / "book")
    result = run_build(project, env={variable: value})
    output = result.stdout + result.stderr
    assert result.returncode != 0
    assert "Traceback" not in output
    # MkDocs refuses an address without http(s) itself; ours refuses markup characters.
    assert variable.lower() in output and "http" in output
    assert "Config value" in output or f"the {variable} environment variable" in output


@pytest.mark.parametrize("name", sorted(DataTableBlock.OPTIONS))
def test_datatable_options_never_inject(name: str, caplog: pytest.LogCaptureFixture) -> None:
    """A datatable option with a payload is refused with a warning or shown as text."""
    option = f"    {name}: {json.dumps(payload(1))}"
    text = f"/// datatable | Caption\n    data: organizations\n{option}\n///\n"
    html = convert_page(text, "docs/page.md")
    assert not injected(lxml_html.fragment_fromstring(html, create_parent="div"))
    assert EVALUATED not in html


def test_repository_data_needs_no_change() -> None:
    """The book's own data passes the stricter metadata checks (date, language, addresses)."""
    metadata = load_metadata(ROOT / "data" / "book.yml")
    assert metadata.date and metadata.language == "en"


@pytest.mark.parametrize(
    "value", ["javascript:alert(1)", 'https://x.org/"><script>alert(1)</script>']
)
def test_cli_refuses_an_unsafe_site_address(
    tmp_path: Path, value: str, capsys: pytest.CaptureFixture
) -> None:
    from opentextbook.cli import main

    out = tmp_path / "out"
    args = ["worksheets", str(ROOT / "docs"), "-o", str(out), "--no-pdf", "--site-url", value]
    assert main(args) == 1
    error = capsys.readouterr().err
    assert error.startswith("error: --site-url: the site address must be an http(s) address")
    assert not out.exists()
