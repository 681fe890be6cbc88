"""A book in Spanish and in Arabic: every label the toolchain adds follows its language.

The fixture (``tests/fixtures/translated-book``) is built twice, once as it is (``es``) and
once with ``language: ar``. The English labels looked for are the locale file's own texts
(``en.yml``), so a new label is covered without a new test.
"""

from __future__ import annotations

import html
import json
import re
import shutil
import string
import subprocess
import zipfile
from io import BytesIO
from pathlib import Path

import material
import pytest
from conftest import Build
from fontTools.ttLib import TTFont
from pypdf import PdfReader

from opentextbook.i18n.locales import _read

EPUBCHECK = Path("/usr/bin/epubcheck")
GREEK, CHINESE = "Σχεδιάστε το δίκτυό σας", "画出你的学习网络"
MATERIAL_ENGLISH = ("Skip to content", "Back to top", "Type to start searching")
"""A few of Material's own English words: its interface must follow the book's language."""


@pytest.fixture
def book(translated_book) -> tuple[str, Build]:
    """The fixture book in Spanish, then in Arabic (built once per session, in conftest)."""
    return translated_book


def english_labels(language: str) -> list[str]:
    """Every piece of English text between placeholders in en.yml, at least two words or
    one long word, that the language's own texts do not also use (a format such as
    "PDF (A4)", or the file field "sources" the builder's errors name, may stay as it is)."""
    english, other = _read("en"), _read(language)
    found = set()
    theirs = " ".join(
        form
        for text in other.values()
        for form in (text.values() if isinstance(text, dict) else [text])
    )
    for text in english.values():
        forms = text.values() if isinstance(text, dict) else [text]
        for form in forms:
            for literal, *_ in string.Formatter().parse(form):
                for piece in re.split(r"[|“”():;,.]", literal):
                    piece = piece.strip()
                    if (" " in piece or len(piece) >= 7) and piece not in theirs:
                        found.add(piece)
    return sorted(found)


def visible_text(markup: str) -> str:
    """Text and the attributes people hear or see (aria-label, title, alt…), scripts left out
    (their data, the search index, is the pages' own text)."""
    markup = re.sub(r"<(script|style)\b.*?</\1>", " ", markup, flags=re.S)
    # The viewport and generator meta elements are for programs, not people.
    markup = re.sub(r'<meta name="(?:viewport|generator)"[^>]*>', " ", markup)
    # data-*: words our scripts show (a copy's outcome, a sort button's title, a scroll hint).
    attributes = re.findall(
        r"\s(?:aria-label|title|alt|placeholder|content|data-scroll-hint|data-copied|data-failed"
        r'|data-sort-title)="([^"]*)"',
        markup,
    )
    text = re.sub(r"<[^>]+>", " ", markup)
    return html.unescape(" ".join([text, *attributes]))


def outputs(site: Path) -> dict[str, str]:
    """The text of every page, worksheet, packet, whole-book PDF and EPUB document."""
    texts = {}
    for path in sorted(site.rglob("*.html")):
        if "assets" not in path.relative_to(site).parts:
            texts[str(path.relative_to(site))] = visible_text(path.read_text("utf-8"))
    for path in sorted((site / "worksheets").rglob("*.pdf")):
        texts[str(path.relative_to(site))] = pdf_text(path)
    for path in (site / "downloads").glob("*.pdf"):
        texts[str(path.relative_to(site))] = pdf_text(path)
    pln = site / "downloads" / "pln"
    for path in sorted(pln.glob("*")):
        reader = {".pdf": pdf_text, ".svg": lambda p: visible_text(p.read_text("utf-8"))}
        texts[str(path.relative_to(site))] = reader.get(path.suffix, docx_or_text)(path)
    # The PLN builder's words travel in the generated geometry script.
    script = site / "assets" / "opentextbook" / "pln-geometry.js"
    texts[str(script.relative_to(site))] = builder_words(script.read_text("utf-8"))
    for path in (site / "downloads").glob("*.epub"):
        with zipfile.ZipFile(path) as epub:
            for name in epub.namelist():
                if name.endswith((".xhtml", ".opf", ".ncx")):
                    texts[f"{path.name}/{name}"] = visible_text(epub.read(name).decode("utf-8"))
    return texts


def builder_words(script: str) -> str:
    """What the builder shows from its geometry script: its strings, the ring and group
    names, the credit and the base drawing's text (not ids and style rules)."""
    data = json.loads(script[script.index("{") : script.rindex("}") + 1].replace("<\\/", "</"))
    names = [item["label"] for item in data["rings"] + data["sectors"]]
    names += [item["short"] for item in data["sectors"]]
    strings = [json.dumps(text, ensure_ascii=False) for text in data["strings"].values()]
    return " ".join([*strings, *names, *data["credit"], visible_text(data["base"])])


def docx_or_text(path: Path) -> str:
    if path.suffix == ".docx":
        with zipfile.ZipFile(path) as docx:
            return visible_text(docx.read("word/document.xml").decode("utf-8"))
    return path.read_text("utf-8")


def pdf_text(path: Path) -> str:
    return " ".join(page.extract_text() or "" for page in PdfReader(path).pages)


def test_no_english_label_remains_in_any_output(book) -> None:
    language, build = book
    # Whole words: "tableOfContents", a machine term in the EPUB metadata, is no label.
    labels = [*english_labels(language), *MATERIAL_ENGLISH]
    assert len(labels) > 100  # the list is the locale file's, not a hand-picked few
    found = {
        name: hits
        for name, text in outputs(build.site).items()
        if (hits := [label for label in labels if re.search(rf"\b{re.escape(label)}\b", text)])
    }
    assert not found, f"English labels in the {language} book: {found}"


def test_every_page_and_sheet_has_the_language_and_direction(book) -> None:
    language, build = book
    direction = "rtl" if language == "ar" else "ltr"
    pages = [p for p in build.site.rglob("*.html") if "assets" not in p.parts]
    assert len(pages) >= 8
    for path in pages:
        head = re.search(r"<html\b[^>]*>", path.read_text("utf-8")).group(0)
        assert f'lang="{language}"' in head, (path, head)
        assert f'dir="{direction}"' in head, (path, head)
    with zipfile.ZipFile(next((build.site / "downloads").glob("*.epub"))) as epub:
        for name in epub.namelist():
            if name.endswith(".xhtml"):
                head = re.search(r"<html\b[^>]*>", epub.read(name).decode("utf-8")).group(0)
                assert f'xml:lang="{language}"' in head and f'dir="{direction}"' in head, name
    # Every PDF: sheets, packets, answer keys, the PLN templates and the whole book.
    pdfs = [*(build.site / "worksheets").rglob("*.pdf"), *(build.site / "downloads").rglob("*.pdf")]
    assert len(pdfs) >= 15
    for pdf in pdfs:
        root = PdfReader(pdf).trailer["/Root"]
        assert root.get("/Lang") == language, pdf
        # Viewers show pages side by side from the right in a right-to-left document.
        reading = root["/ViewerPreferences"].get("/Direction")
        assert reading == ("/R2L" if direction == "rtl" else None), (pdf, reading)


def test_greek_and_chinese_titles_get_their_own_ids_and_sheets(book) -> None:
    _, build = book
    page = build.page("redes.html")
    for title in (GREEK, CHINESE):
        ident = title.lower().replace(" ", "-")
        assert f'id="{ident}"' in page
        assert (build.site / "worksheets" / ident / f"{ident}-a4.pdf").is_file()
    assert 'id="activity"' not in page  # no title fell back to the generic id


@pytest.mark.parametrize("title", [GREEK, CHINESE])
def test_sheet_pdfs_print_the_title_with_fonts_that_have_its_glyphs(book, title: str) -> None:
    _, build = book
    ident = title.lower().replace(" ", "-")
    reader = PdfReader(build.site / "worksheets" / ident / f"{ident}-a4.pdf")
    assert title in pdf_text_of(reader)
    covered = set()
    for font in embedded_fonts(reader):
        covered |= set(font.getBestCmap() or {})
    missing = {char for char in title if char != " " and ord(char) not in covered}
    assert not missing, f"no embedded font draws {sorted(missing)}"


def pdf_text_of(reader: PdfReader) -> str:
    return " ".join(page.extract_text() or "" for page in reader.pages)


def embedded_fonts(reader: PdfReader) -> list[TTFont]:
    """Every embedded font program of the first page, opened with fontTools."""
    fonts = []
    resources = reader.pages[0]["/Resources"]["/Font"]
    for ref in resources.values():
        font = ref.get_object()
        descendants = font.get("/DescendantFonts")
        descriptor = (descendants[0].get_object() if descendants else font)["/FontDescriptor"]
        for key in ("/FontFile2", "/FontFile3", "/FontFile"):
            if key in descriptor:
                fonts.append(TTFont(BytesIO(descriptor[key].get_object().get_data())))
    return fonts


def test_epubcheck_passes(book) -> None:
    _, build = book
    java = shutil.which("java")
    assert EPUBCHECK.exists() and java, "epubcheck is missing: apt-get install epubcheck"
    epub = next((build.site / "downloads").glob("*.epub"))
    result = subprocess.run(
        [java, "-jar", str(EPUBCHECK.resolve()), str(epub)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_licence_deed_and_name_in_the_language(book) -> None:
    language, build = book
    page = build.page("redes.html")
    assert f"https://creativecommons.org/licenses/by-sa/4.0/deed.{language}" in page
    expected = {"es": "Atribución-CompartirIgual", "ar": "الترخيص بالمثل"}[language]
    assert expected in page


FORMATS_AND_NAMES = {
    *("PDF", "EPUB", "CSV", "JSON", "SVG", "PNG", "ZIP", "DOCX", "datapackage", "json"),
    *("epubcheck", "License", "APA", "MLA", "Chicago", "BibTeX", "RIS"),
}
"""Names that stay as they are in any language: file formats, a tool, the MIT License's
name, citation styles (the book's own words and its locale's are found in their files)."""
MACHINE_TEXT = (
    r"<pre\b.*?</pre>",  # citation records (BibTeX and RIS fields are a format's syntax)
    r"@\w+\{|\b\w+ = \{",  # the same records in the PDFs' text
    r"\b(?:TY|AU|TI|T2|PY|PB|UR|ER|N1|DA|CY|ED)\s+-\s.*",
    # Addresses, even split over lines or ("://https") after right-to-left text.
    r"\S*(?:https?:|[:/]+https?|urn:uuid:|www\.|\.org|\.com)\S*",
)


def latin_words(text: str) -> set[str]:
    text = re.sub(r"[\u2010-]\n", "", text)  # a word hyphenated at a PDF's line end: whole
    for pattern in MACHINE_TEXT:
        text = re.sub(pattern, " ", text, flags=re.S)
    return set(re.findall(r"[A-Za-z]{3,}", text))


def test_every_latin_word_comes_from_the_book_or_its_language(book) -> None:
    """No English left that en.yml does not hold (a word written into code, CSS or a
    template): every word in Latin letters of every output is the book's own (its pages,
    data, config), its locale file's, or a format's or style's name. In the Arabic book
    that is every Latin word at all."""
    language, build = book
    sources = [
        path.read_text("utf-8")
        for path in build.project.rglob("*")
        if path.suffix in (".md", ".yml") and "site" not in path.relative_to(build.project).parts
    ]
    locale = json.dumps(_read(language), ensure_ascii=False)
    material = MATERIAL_LANGUAGES / f"{language}.html"  # Material's own interface words
    texts = [*sources, locale, material.read_text("utf-8")]
    known = {w.lower() for w in latin_words(" ".join(texts))}
    known |= {w.lower() for w in FORMATS_AND_NAMES}
    found: dict[str, list[str]] = {}
    for name, text in outputs(build.site).items():
        if name.endswith((".opf", ".ncx")) or name.endswith("pln-geometry.js"):
            continue  # machine metadata; the builder's words are checked by label above
        for word in sorted(latin_words(text)):
            if word.lower() not in known and not re.search(r"[a-z][A-Z]", word):
                found.setdefault(word, []).append(name)
    assert not found, f"words from nowhere in the {language} book: {found}"


MATERIAL_LANGUAGES = Path(material.__file__).parent / "templates" / "partials" / "languages"
OWN_SCRIPTS = ("copy.js", "datatable.js", "pln-builder.js", "print-details.js")
SENTENCE = re.compile(r"""(["'])[A-Z][a-z]+(?: [a-z]+)+[.!?]?\1""")
CSS_STRINGS = re.compile(r"""content:\s*([^;}]*)""")


def test_scripts_and_styles_carry_no_words_of_their_own(book) -> None:
    """The toolchain's scripts and style sheets show words only from the page (its data-*
    attributes) or the generated geometry script, so every word is in the book's language."""
    _, build = book
    assets = build.site / "assets" / "opentextbook"
    for name in OWN_SCRIPTS:
        code = re.sub(
            r"(?m)^\s*//.*$|/\*.*?\*/", "", (assets / name).read_text("utf-8"), flags=re.S
        )
        assert not SENTENCE.findall(code), (name, SENTENCE.search(code).group(0))
    sheets = [*assets.glob("*.css")]
    assert len(sheets) >= 5
    for sheet in sheets:
        css = re.sub(r"/\*.*?\*/", "", sheet.read_text("utf-8"), flags=re.S)
        for value in CSS_STRINGS.findall(css):
            strings = re.findall(r""""([^"]*)"|'([^']*)'""", value)
            assert not re.search(r"[A-Za-z]{2,}", str(strings)), (sheet.name, value)


def test_code_runs_left_to_right_in_the_pdf_and_epub(book) -> None:
    """The BibTeX record of a chapter stays a BibTeX record in an Arabic book's PDF (not
    ``,incollection{p2026redes@``, reordered right to left) and EPUB."""
    _, build = book
    text = pdf_text(build.site / "downloads" / "redes-de-aprendizaje.pdf")
    assert "@incollection{p2026redes," in text
    with zipfile.ZipFile(build.site / "downloads" / "redes-de-aprendizaje.epub") as epub:
        chapter = epub.read("EPUB/text/p2.xhtml").decode("utf-8")
    assert '<pre dir="ltr">' in chapter and "<pre>" not in chapter
