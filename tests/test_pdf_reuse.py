"""Stylesheets and fonts kept between PDFs of one process (``support/stylesheets.py``).

A worker renders hundreds of sheets with the same stylesheets and form font, so those are
parsed once per process. These tests check that nothing kept leaks into the wrong document:
an edited stylesheet or font file is read again, a document's own fonts are not found by the
next one, a sheet comes out the same bytes whatever was rendered before it, and a sheet's
``<style>`` elements given to WeasyPrint as parsed stylesheets style it exactly as before.
"""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ROOT
from fontTools.ttLib import TTFont
from pypdf import PdfReader
from test_packets import registry

from opentextbook.activities.worksheets import PACKAGE_DIR, WorksheetRenderer
from opentextbook.metadata import load_metadata
from opentextbook.support import pdf as pdf_module
from opentextbook.support.pdf import (
    _FAMILY_FACES,
    _subset_font,
    _subset_name,
    _system_font,
    render_pdf,
)
from opentextbook.support.stylesheets import forget_stylesheets, split_styles

PAGE = """<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>T</title>{head}
</head><body>{body}</body></html>"""
FIELD = '<input type="text" name="name" title="Name" aria-label="Name">'


@pytest.fixture(autouse=True)
def _fresh_process_state():
    """Each test starts as a new worker would (nothing kept from other tests)."""
    forget_stylesheets()
    yield
    forget_stylesheets()


def page_size(path: Path) -> tuple[float, float]:
    box = PdfReader(path).pages[0].mediabox
    return round(float(box.width)), round(float(box.height))


def font_programs(path: Path) -> dict[str, str]:
    """Each embedded font's PDF name -> the family named inside its program."""
    programs = {}
    for page in PdfReader(path).pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            descriptor = font["/DescendantFonts"][0].get_object()["/FontDescriptor"]
            data = descriptor.get_object()["/FontFile2"].get_object().get_data()
            programs[font["/BaseFont"]] = TTFont(io.BytesIO(data))["name"].getDebugName(1)
    return programs


def test_an_edited_stylesheet_file_is_read_again(tmp_path: Path) -> None:
    sheet = tmp_path / "print.css"
    sheet.write_text("@page { size: A5; }", encoding="utf-8")
    html = PAGE.format(head="", body="<p>Hello</p>")
    render_pdf(html, tmp_path / "a.pdf", base_url=tmp_path, stylesheets=[sheet])
    sheet.write_text("@page { size: A6; }", encoding="utf-8")  # same size in bytes
    render_pdf(html, tmp_path / "b.pdf", base_url=tmp_path, stylesheets=[sheet])
    assert page_size(tmp_path / "a.pdf") == (420, 595)
    assert page_size(tmp_path / "b.pdf") == (298, 420)


def test_each_document_gets_its_own_inline_styles(tmp_path: Path) -> None:
    for name, size in (("a5", "A5"), ("a6", "A6"), ("again", "A5")):
        head = f"<style>@page {{ size: {size}; }}</style>"
        render_pdf(
            PAGE.format(head=head, body="<p>x</p>"), tmp_path / f"{name}.pdf", base_url=tmp_path
        )
    assert page_size(tmp_path / "a5.pdf") == page_size(tmp_path / "again.pdf") == (420, 595)
    assert page_size(tmp_path / "a6.pdf") == (298, 420)


def test_a_documents_own_fonts_are_not_found_by_the_next(tmp_path: Path) -> None:
    """A font declared by one document, named but not declared by the next: the next draws
    its fallback, as it would in a fresh process."""
    serif = _system_font("DejaVu Serif")
    declares = f'<style>@font-face {{ font-family: Probe; src: url("{serif.as_uri()}"); }}</style>'
    style = '<style>p { font-family: Probe, "DejaVu Sans Mono"; }</style>'
    render_pdf(
        PAGE.format(head=declares + style, body="<p>x</p>"), tmp_path / "own.pdf", base_url=tmp_path
    )
    render_pdf(PAGE.format(head=style, body="<p>x</p>"), tmp_path / "next.pdf", base_url=tmp_path)
    forget_stylesheets()
    render_pdf(PAGE.format(head=style, body="<p>x</p>"), tmp_path / "alone.pdf", base_url=tmp_path)
    assert list(font_programs(tmp_path / "own.pdf").values()) == ["DejaVu Serif"]
    assert list(font_programs(tmp_path / "next.pdf").values()) == ["DejaVu Sans Mono"]
    assert (tmp_path / "next.pdf").read_bytes() == (tmp_path / "alone.pdf").read_bytes()


def test_each_form_font_is_embedded_not_a_kept_one(tmp_path: Path) -> None:
    """Documents in one process with different form fonts (another folder; the same files
    made again from another font): each embeds its own."""
    sans, serif, fonts = tmp_path / "sans", tmp_path / "serif", tmp_path / "fonts"
    _serif_form_fonts(serif)
    html = PAGE.format(head="", body=FIELD)
    for name, folder in (("sans", sans), ("serif", serif), ("sans-again", sans), ("a", fonts)):
        render_pdf(html, tmp_path / f"{name}.pdf", base_url=tmp_path, form_font_dir=folder)
    _serif_form_fonts(fonts)  # the same paths, other fonts
    render_pdf(html, tmp_path / "b.pdf", base_url=tmp_path, form_font_dir=fonts)
    embedded = {
        name: set(font_programs(tmp_path / f"{name}.pdf").values())
        for name in ("sans", "serif", "sans-again", "a", "b")
    }
    assert embedded == {
        "sans": {"DejaVu Sans"},
        "serif": {"DejaVu Serif"},
        "sans-again": {"DejaVu Sans"},
        "a": {"DejaVu Sans"},
        "b": {"DejaVu Serif"},
    }
    assert PdfReader(tmp_path / "b.pdf").get_fields()  # still a form


def _serif_form_fonts(folder: Path) -> None:
    """Put subsets of DejaVu Serif's faces in ``folder`` under the form font's file names."""
    folder.mkdir(exist_ok=True)
    faces = ["DejaVu Sans", *_FAMILY_FACES.values()]
    for face in faces:
        target = folder / _subset_name(_system_font(face))
        target.unlink(missing_ok=True)
        _subset_font(_system_font(face.replace("Sans", "Serif")), target)


@pytest.fixture(scope="module")
def sheets() -> list[str]:
    """The HTML of a worksheet, an answer key's piece and a facilitator edition's piece."""
    renderer = WorksheetRenderer(load_metadata(ROOT / "data" / "book.yml"))
    found = registry()
    renderer.notes = found.notes()
    first, second, third = found.worksheets()
    return [
        renderer.render_html([first], paper="a4"),
        renderer.render_html([second], paper="letter", edition="answers", part="sheets"),
        renderer.render_html([third], paper="a4", edition="facilitator", part="sheets"),
    ]


def test_a_sheet_is_the_same_bytes_whatever_came_before(tmp_path: Path, sheets: list[str]) -> None:
    fonts = tmp_path / "fonts"
    first, *others = sheets
    render_pdf(first, tmp_path / "alone.pdf", base_url=PACKAGE_DIR, form_font_dir=fonts)
    forget_stylesheets()
    for number, html in enumerate(others):
        render_pdf(html, tmp_path / f"{number}.pdf", base_url=PACKAGE_DIR, form_font_dir=fonts)
    render_pdf(first, tmp_path / "after.pdf", base_url=PACKAGE_DIR, form_font_dir=fonts)
    assert (tmp_path / "after.pdf").read_bytes() == (tmp_path / "alone.pdf").read_bytes()


def test_styles_taken_out_of_a_sheet_style_it_as_before(
    tmp_path: Path, sheets: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A sheet's ``<style>`` elements parsed once (``user`` stylesheets) give the same bytes
    as WeasyPrint parsing them in the document."""
    fonts = tmp_path / "fonts"
    for number, html in enumerate(sheets):
        assert len(split_styles(html)[1]) == 3  # the worksheet's, its footer's, its paper's
        render_pdf(
            html, tmp_path / f"split-{number}.pdf", base_url=PACKAGE_DIR, form_font_dir=fonts
        )
    monkeypatch.setattr(pdf_module, "split_styles", lambda html: (html, []))
    for number, html in enumerate(sheets):
        render_pdf(html, tmp_path / f"kept-{number}.pdf", base_url=PACKAGE_DIR, form_font_dir=fonts)
        split, kept = tmp_path / f"split-{number}.pdf", tmp_path / f"kept-{number}.pdf"
        assert split.read_bytes() == kept.read_bytes()


@pytest.mark.parametrize(
    "head, body",
    [
        ("<style>p { color: red !important; }</style>", ""),
        ('<style>@font-face { font-family: X; src: url("x.ttf"); }</style>', ""),
        ("<style>@import url(x.css);</style>", ""),
        ('<style>p { color: red; }</style><link rel="stylesheet" href="x.css">', ""),
        ("<style>p { color: red; }</style>", "<style>p { color: blue; }</style>"),
        ('<style media="screen">p { color: red; }</style>', ""),
    ],
    ids=["important", "font-face", "import", "link", "style-in-body", "media"],
)
def test_styles_that_depend_on_the_document_stay_in_it(head: str, body: str) -> None:
    html = PAGE.format(head=head, body=body)
    assert split_styles(html) == (html, [])


def test_plain_head_styles_are_taken_out_in_order() -> None:
    html = PAGE.format(
        head="<style>p { color: red; }</style><style>@page { size: A5; }</style>", body="<p>x</p>"
    )
    rest, styles = split_styles(html)
    assert styles == ["p { color: red; }", "@page { size: A5; }"]
    assert "<style" not in rest and "<p>x</p>" in rest and "<title>T</title>" in rest


def test_workers_and_their_parent_keep_and_delete_their_own_font_folders(tmp_path: Path) -> None:
    """A process renders, forks a pool whose worker renders and ends, renders again: the
    worker deletes its own font folder, not the one the parent keeps (the parent's second
    PDF is the same bytes), and when the parent ends no folder is left behind."""
    script = f"""
from pathlib import Path
from opentextbook.support.workers import process_pool
from test_pdf_reuse import _render

folder, temp = Path({str(tmp_path)!r}), Path({str(tmp_path / "temp")!r})
_render(str(folder / "parent-1.pdf"))
with process_pool(1) as pool:
    assert list(pool.map(_render, [str(folder / "worker.pdf")] * 2)) == [None, None]
assert len(list(temp.glob("weasyprint-*"))) == 1  # the parent's, still in use
_render(str(folder / "parent-2.pdf"))
"""
    temp = tmp_path / "temp"
    temp.mkdir()
    env = {**os.environ, "TMPDIR": str(temp), "PYTHONPATH": str(Path(__file__).parent)}
    subprocess.run([sys.executable, "-c", script], check=True, env=env, timeout=120)
    first, second = (
        (tmp_path / "parent-1.pdf").read_bytes(),
        (tmp_path / "parent-2.pdf").read_bytes(),
    )
    assert first == second == (tmp_path / "worker.pdf").read_bytes()
    assert not list(temp.glob("weasyprint-*"))


def _render(target: str) -> None:
    """Render one form to ``target`` (in a pool's worker: a top-level function)."""
    html = PAGE.format(head="<style>p { color: #333; }</style>", body=FIELD)
    folder = Path(target).parent
    render_pdf(html, target, base_url=folder, form_font_dir=folder / "fonts")
