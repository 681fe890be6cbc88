"""Tagged PDFs joined into one tagged PDF (``opentextbook.publishing.assembly``).

The parts are small documents rendered by ``render_pdf`` (as every PDF of the book is): two
with a field and an id of the same name, one in another language, one over two pages. The
assembled file is checked by its properties: its structure tree, the keys tying pages and
annotations to it, its fields, bookmarks, destinations, metadata and bytes.
"""

from __future__ import annotations

from pathlib import Path

import pikepdf
import pytest
from conftest import structure_elements
from pypdf import PdfReader

from opentextbook.publishing.assembly import PageLabel, Part, assemble_pdfs, page_count
from opentextbook.support.errors import SourceError
from opentextbook.support.pdf import render_pdf

SHEET = """<!DOCTYPE html><html lang="{lang}"><head><title>{title}</title>
<style>@page {{ size: A5; }} .long {{ height: 120mm; }}</style></head><body>
<h1 id="top">{title}</h1><p><a href="#answer">Go to the answer</a></p>
<p class="{long}">Write your name: <input name="name" title="Name"></p>
<h2 id="answer">Answer</h2><p><a href="https://example.org/">A link out</a></p>
<textarea name="answer" title="Answer"></textarea></body></html>"""
PARTS = {  # name -> (language, pages)
    "one": ("en", 1),
    "two": ("en", 2),
    "three": ("fr", 1),
}


@pytest.fixture(scope="module")
def parts(tmp_path_factory: pytest.TempPathFactory) -> list[Part]:
    folder = tmp_path_factory.mktemp("parts")
    made = []
    for name, (lang, pages) in PARTS.items():
        html = SHEET.format(lang=lang, title=f"Sheet {name}", long="long" if pages > 1 else "")
        render_pdf(html, folder / f"{name}.pdf", base_url=folder)
        made.append(Part(folder / f"{name}.pdf", bookmark=f"Part {name}", name=name))
    return made


@pytest.fixture(scope="module")
def assembled(parts: list[Part], tmp_path_factory: pytest.TempPathFactory) -> Path:
    target = tmp_path_factory.mktemp("out") / "book.pdf"
    result = assemble_pdfs(parts, target, title="All the sheets", lang="en", author="Us")
    assert result.pages == 4 and result.starts == (0, 1, 3) and result.path == target
    return target


def _references(element: pikepdf.Object) -> list[pikepdf.Object]:
    """The marked-content and object references directly below ``element``."""
    kids = element.get("/K")
    kids = kids if isinstance(kids, pikepdf.Array) else [kids]
    return [kid for kid in kids if isinstance(kid, pikepdf.Dictionary) and "/S" not in kid]


def test_the_part_pages_follow_each_other(parts: list[Part], assembled: Path) -> None:
    assert [page_count(part.path) for part in parts] == [1, 2, 1]
    text = [page.extract_text() for page in PdfReader(assembled).pages]
    assert "Sheet one" in text[0] and "Sheet two" in text[1] and "Sheet three" in text[3]


def test_one_structure_tree_holds_every_parts_elements(parts: list[Part], assembled) -> None:
    with pikepdf.open(assembled) as pdf:
        root = pdf.Root.StructTreeRoot
        (document,) = root.K
        assert document.S == "/Document" and document.P.objgen == root.objgen
        found = [str(element.S) for element in structure_elements(document)[1:]]
    expected = []
    for part in parts:
        with pikepdf.open(part.path) as source:
            (own,) = source.Root.StructTreeRoot.K
            expected += [str(element.S) for element in structure_elements(own)[1:]]
    # The French part is kept in a Part element of its own, with its language.
    assert found.count("/H1") == 3 and found.count("/Part") == expected.count("/Part") + 1
    assert sorted(found) == sorted([*expected, "/Part"])


def test_a_part_in_another_language_says_so(assembled: Path) -> None:
    with pikepdf.open(assembled) as pdf:
        tops = pdf.Root.StructTreeRoot.K[0].K
        languages = [str(top.get("/Lang", "")) for top in tops]
        assert languages.count("fr") == 1 and pdf.Root.Lang == "en"
        (french,) = [top for top in tops if top.get("/Lang") == "fr"]
        assert all(kid.P.objgen == french.objgen for kid in french.K)


def test_every_page_and_annotation_key_resolves_in_the_parent_tree(assembled: Path) -> None:
    with pikepdf.open(assembled) as pdf:
        root = pdf.Root.StructTreeRoot
        tree = pikepdf.NumberTree(root.ParentTree)
        keys = set()
        for page in pdf.pages:
            key = int(page.obj.StructParents)
            keys.add(key)
            elements = [element for element in tree[key] if element is not None]
            assert elements and {e.Pg.objgen for e in elements} == {page.obj.objgen}
            for annotation in page.obj.Annots:
                key = int(annotation.StructParent)
                keys.add(key)
                refs = [ref for ref in _references(tree[key]) if "/Obj" in ref]
                assert [ref.Obj.objgen for ref in refs] == [annotation.objgen]
        assert len(keys) == len(set(tree.keys())) and int(root.ParentTreeNextKey) > max(keys)


def test_the_document_is_marked_titled_and_claims_pdf_ua(assembled: Path) -> None:
    with pikepdf.open(assembled) as pdf:
        assert pdf.pdf_version == "1.7"  # as the parts: PDF/UA-1 is PDF 1.7
        assert pdf.Root.MarkInfo.Marked is True
        assert pdf.Root.ViewerPreferences.DisplayDocTitle is True
        assert pdf.docinfo["/Title"] == "All the sheets" and pdf.docinfo["/Author"] == "Us"
        assert "/CreationDate" not in pdf.docinfo and "/ModDate" not in pdf.docinfo
        meta = pdf.open_metadata()
        assert meta["dc:title"] == "All the sheets" and meta["dc:creator"] == ["Us"]
        assert meta["{http://www.aiim.org/pdfua/ns/id/}part"] == "1"
        assert not [key for key in meta if "Date" in key]


def test_every_field_is_kept_with_a_name_of_its_own(parts: list[Part], assembled) -> None:
    fields = PdfReader(assembled).get_fields()
    assert sorted(fields) == sorted(
        ["name", "answer", "two-name", "two-answer", "three-name", "three-answer"]
    )
    with pikepdf.open(assembled) as pdf:
        widgets = {}
        for number, page in enumerate(pdf.pages):
            for annotation in page.obj.Annots:
                if annotation.Subtype == "/Widget":
                    assert annotation.P.objgen == page.obj.objgen
                    widgets[str(annotation.T)] = number
        assert len(pdf.Root.AcroForm.Fields) == len(widgets) == 6
    # Each part's fields on that part's pages: one on page 1, two on pages 2-3, three on 4.
    assert widgets["name"] == 0 and widgets["three-answer"] == 3
    assert {widgets["two-name"], widgets["two-answer"]} <= {1, 2}


def test_field_fonts_named_by_two_parts_stay_apart(assembled: Path) -> None:
    with pikepdf.open(assembled) as pdf:
        fonts = pdf.Root.AcroForm.DR.Font
        for field in pdf.Root.AcroForm.Fields:
            (font,) = [word[1:] for word in str(field.DA).split() if word.startswith("/")][1:2]
            assert f"/{font}" in fonts, field.DA


def _titles(items: list) -> list:
    return [_titles(item) if isinstance(item, list) else item.title for item in items]


def test_one_bookmark_per_part_holding_its_own(parts: list[Part], assembled: Path) -> None:
    reader = PdfReader(assembled)
    tops = [item for item in reader.outline if not isinstance(item, list)]
    assert [item.title for item in tops] == ["Part one", "Part two", "Part three"]
    assert [reader.get_destination_page_number(item) for item in tops] == [0, 1, 3]
    nested = [_titles(item) for item in reader.outline if isinstance(item, list)]
    assert nested == [[f"Sheet {name}", ["Answer"]] for name in PARTS]


def test_links_follow_destinations_renamed_on_a_clash(assembled: Path) -> None:
    part_of = [0, 1, 1, 2]  # page -> part
    with pikepdf.open(assembled) as pdf:
        names = pikepdf.NameTree(pdf.Root.Names.Dests)
        assert {"answer", "two-answer", "three-answer", "top", "two-top"} <= set(names)
        pages = [page.obj.objgen for page in pdf.pages]
        links = 0
        for number, page in enumerate(pdf.pages):
            for annotation in page.obj.Annots:
                if "/Dest" in annotation:
                    links += 1
                    target = pages.index(names[str(annotation.Dest)][0].objgen)
                    assert part_of[target] == part_of[number], (number, annotation.Dest)
        assert links == 3


def test_the_same_parts_make_the_same_bytes(parts: list[Part], tmp_path: Path) -> None:
    first, second = tmp_path / "a.pdf", tmp_path / "b.pdf"
    for target in (first, second):
        assemble_pdfs(parts, target, title="Same", lang="en")
    assert first.read_bytes() == second.read_bytes()
    assert not list(tmp_path.glob("*.part"))


def test_page_labels(parts: list[Part], tmp_path: Path) -> None:
    labels = [PageLabel(0, "roman"), PageLabel(1, "decimal", prefix="S-", first=5)]
    assemble_pdfs(parts, tmp_path / "l.pdf", title="L", lang="en", page_labels=labels)
    assert PdfReader(tmp_path / "l.pdf").page_labels == ["i", "S-5", "S-6", "S-7"]
    with pytest.raises(ValueError, match="style"):
        assemble_pdfs(
            parts, tmp_path / "m.pdf", title="L", lang="en", page_labels=[PageLabel(0, "x")]
        )
    assert not (tmp_path / "m.pdf").exists()


def test_a_part_that_is_not_a_tagged_pdf_is_named(parts: list[Part], tmp_path: Path) -> None:
    broken = tmp_path / "broken.pdf"
    broken.write_bytes(b"%PDF-1.7\nnot really")
    target = tmp_path / "out.pdf"
    with pytest.raises(SourceError, match=r"broken\.pdf: cannot read this PDF"):
        assemble_pdfs([parts[0], broken], target, title="T", lang="en")
    untagged = tmp_path / "untagged.pdf"
    with pikepdf.new() as pdf:
        pdf.add_blank_page()
        pdf.save(untagged)
    with pytest.raises(SourceError, match=r"untagged\.pdf: is not a tagged PDF"):
        assemble_pdfs([parts[0], untagged], target, title="T", lang="en")
    assert not target.exists() and not list(tmp_path.glob("*.part"))


def _font_programs(pdf: pikepdf.Pdf) -> dict[str, set]:
    """Font name (without subset tag) -> the font programs the pages use for it."""
    found: dict[str, set] = {}
    for page in pdf.pages:
        for font in page.obj.Resources.Font.values():
            name = str(font.BaseFont).split("+", 1)[-1]
            program = font.DescendantFonts[0].FontDescriptor.FontFile2
            found.setdefault(name, set()).add(program.objgen)
    return found


def test_the_subsets_of_one_font_become_one(parts: list[Part], assembled: Path) -> None:
    """Each part brings its own subset of each font; the assembled file has one per font,
    holding every glyph the parts draw (their text is still there to extract)."""
    with pikepdf.open(parts[1].path) as part:
        names = set(_font_programs(part))
    with pikepdf.open(assembled) as pdf:
        programs = _font_programs(pdf)
    assert set(programs) == names and all(len(found) == 1 for found in programs.values())
    text = [page.extract_text() for page in PdfReader(assembled).pages]
    assert "Write your name" in text[0] and "Go to the answer" in text[3]
