"""Packets assembled from the sheets already rendered (``opentextbook.activities.packets``).

Three activities (one with a solution, one with teacher notes), a teacher note outside them,
built in this process (``workers=1``) with ``render_pdf`` counted. The packets are checked by
their properties: pages (cover, then each sheet), tags, fields, bookmarks, contents page
numbers, and what an edit renders again.
"""

from __future__ import annotations

import re
from pathlib import Path

import pikepdf
import pytest
from conftest import ROOT, structure_elements
from pypdf import PdfReader

from opentextbook.activities.model import Activity, ActivityRegistry, Step, TeacherNote
from opentextbook.activities.packets import part_file
from opentextbook.activities.worksheets import (
    EDITIONS,
    PAPERS,
    WorksheetRenderer,
    packet_file,
    worksheet_files,
)
from opentextbook.metadata import load_metadata
from opentextbook.publishing.assembly import page_count
from opentextbook.support import pdf as pdf_module
from opentextbook.support.cache import OutputCache

LONG = "".join(f"<p>Paragraph {n} of a long introduction to read first.</p>" * 1 for n in range(40))


def registry(first: str = "Draw.") -> ActivityRegistry:
    """``first``; ``second`` (two pages: a long text) with a solution; ``third`` with
    teacher notes; and a teacher note outside them."""
    found = ActivityRegistry()
    found.set_chapters(["ch.md"])
    found.add(Activity(id="first", title="First", page="ch.md", before_html=f"<p>{first}</p>"))
    step = Step(1, "<p>Add them up.</p>", _space(), solution_html="<p>MARKSOLUTION 42</p>")
    found.add(Activity(id="second", title="Second", page="ch.md", before_html=LONG, steps=(step,)))
    notes = "<p>MARKNOTE Pair them up.</p>"
    found.add(Activity(id="third", title="Third", page="ch.md", teacher_notes_html=notes))
    found.add_note(TeacherNote("ch.md", "<p>MARKPAGENOTE Before the chapter.</p>"))
    return found


def _space():
    from opentextbook.activities.model import AnswerSpace

    return AnswerSpace.parse("lines:3")


class Counted:
    """``render_pdf`` with each target it renders recorded."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.targets: list[str] = []
        original = pdf_module.render_pdf

        def counting(html, target, **kwargs):
            self.targets.append(Path(target).relative_to(self.files).as_posix())
            return original(html, target, **kwargs)

        monkeypatch.setattr(pdf_module, "render_pdf", counting)
        self.files = Path()


def build(root: Path, found: ActivityRegistry, counted: Counted | None = None):
    renderer = WorksheetRenderer(load_metadata(ROOT / "data" / "book.yml"))
    renderer.notes = found.notes()
    cache = OutputCache(root / "cache")
    if counted:
        counted.files = cache.directory / "files"
    report = renderer.build(found.worksheets(), root / "site", cache, workers=1)
    return report


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("packets")
    build(root, registry())
    return root


def sheet_pages(root: Path, ident: str, paper: str, edition: str | None) -> int:
    if edition is None:
        return page_count(root / "site" / worksheet_files(ident)[paper])
    return page_count(root / "cache" / "files" / part_file(edition, paper, ident))


EXPECTED = {  # edition -> the activities it holds a sheet of, and its last part
    "packet": (["first", "second", "third"], None),
    "facilitator": (["first", "second", "third"], "page-notes"),
    "answers": (["second"], None),
}


@pytest.mark.parametrize("paper", PAPERS)
@pytest.mark.parametrize("edition", EDITIONS)
def test_a_packet_is_its_cover_then_each_sheet(site: Path, edition: str, paper: str) -> None:
    idents, last = EXPECTED[edition]
    kind = None if edition == "packet" else edition
    counts = [sheet_pages(site, ident, paper, kind) for ident in idents]
    counts += [sheet_pages(site, last, paper, kind)] if last else []
    reader = PdfReader(site / "site" / packet_file(edition, paper))
    assert len(reader.pages) == 1 + sum(counts)
    assert reader.page_labels == [str(n) for n in range(1, len(reader.pages) + 1)]
    if edition == "packet":
        assert counts[1] == 2, "the long sheet should take two pages"
    # The contents give each sheet's first page in the packet, and there it is.
    cover = reader.pages[0].extract_text()
    starts = [1 + 1 + sum(counts[:n]) for n in range(len(idents))]
    for ident, start in zip(idents, starts, strict=True):
        title = ident.title()
        assert re.search(rf"{title}[ .]*{start}\b", cover), (title, start, cover)
        assert f"{title}" in reader.pages[start - 1].extract_text()
    assert f"Page 1 of {len(reader.pages)}" in cover


@pytest.mark.parametrize("edition", EDITIONS)
def test_an_assembled_packet_keeps_tags_fields_and_bookmarks(site: Path, edition: str) -> None:
    path = site / "site" / packet_file(edition, "a4")
    idents, last = EXPECTED[edition]
    with pikepdf.open(path) as pdf:
        assert pdf.Root.MarkInfo.Marked is True and pdf.Root.Lang == "en"
        assert pdf.open_metadata()["dc:title"] == pdf.docinfo["/Title"]
        assert str(pdf.docinfo["/Title"]).startswith(
            {"packet": "Classroom packet", "facilitator": "Facilitator", "answers": "Answer"}[
                edition
            ]
        )
        tree = pikepdf.NumberTree(pdf.Root.StructTreeRoot.ParentTree)
        (document,) = pdf.Root.StructTreeRoot.K
        headings = [e for e in structure_elements(document) if e.get("/S") == "/H1"]
        assert len(headings) == 1 + len(idents) + (1 if last else 0)  # cover, sheets, notes
        for page in pdf.pages:
            elements = [e for e in tree[int(page.obj.StructParents)] if e is not None]
            assert elements and {e.Pg.objgen for e in elements} == {page.obj.objgen}
    reader = PdfReader(path)
    tops = [item.title for item in reader.outline if not isinstance(item, list)]
    assert len(tops) == 1 + len(idents) + (1 if last else 0)
    assert [title.split(": ", 1)[-1] for title in tops[1 : 1 + len(idents)]] == [
        ident.title() for ident in idents
    ]
    fields = reader.get_fields() or {}
    if edition == "answers":
        assert not fields
        return
    expected = {f"{ident}-{name}" for ident in idents for name in ("name", "date", "class")}
    assert expected <= set(fields)
    sheets = [PdfReader(site / "site" / worksheet_files(ident)["a4"]) for ident in idents]
    assert len(fields) == sum(len(sheet.get_fields() or {}) for sheet in sheets)


def test_each_edition_holds_what_it_should(site: Path) -> None:
    texts = {
        edition: " ".join(
            page.extract_text()
            for page in PdfReader(site / "site" / packet_file(edition, "a4")).pages
        )
        for edition in EDITIONS
    }
    assert not re.search("MARK", texts["packet"])
    assert {"MARKSOLUTION", "MARKNOTE", "MARKPAGENOTE"} <= set(
        re.findall(r"MARK\w+", texts["facilitator"])
    )
    assert set(re.findall(r"MARK\w+", texts["answers"])) == {"MARKSOLUTION"}
    assert "Third" not in texts["answers"]  # no solution: not in the answer key's contents


def test_an_edit_renders_that_activitys_sheets_then_only_assembles(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    build(tmp_path, registry())
    counted = Counted(monkeypatch)
    unchanged = build(tmp_path, registry(), counted)
    assert counted.targets == [] and (unchanged.rendered, unchanged.assembled) == (0, 0)
    before = (tmp_path / "site" / packet_file("facilitator", "a4")).read_bytes()
    edited = build(tmp_path, registry("Draw it."), counted)
    expected = [worksheet_files("first")[paper] for paper in PAPERS]
    expected += [part_file("facilitator", paper, "first") for paper in PAPERS]
    assert sorted(counted.targets) == sorted(expected)  # no cover: its pages did not move
    packets = [
        packet_file(edition, paper) for edition in ("packet", "facilitator") for paper in PAPERS
    ]
    assert edited.assembled == len(packets)
    assert sorted(edited.rendered_targets) == sorted(expected[: len(PAPERS)] + packets)
    after = (tmp_path / "site" / packet_file("facilitator", "a4")).read_bytes()
    assert after != before and b"Draw it." not in after  # text is in compressed streams
    text = " ".join(
        p.extract_text() for p in PdfReader(tmp_path / "site" / packet_file("packet", "a4")).pages
    )
    assert "Draw it." in text


def test_a_sheet_growing_a_page_renumbers_the_contents(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    build(tmp_path, registry())
    counted = Counted(monkeypatch)
    build(tmp_path, registry(LONG), counted)
    covers = [target for target in counted.targets if "/cover-" in target]
    assert sorted(covers) == sorted(
        part_file(edition, paper, "cover")
        for edition in ("packet", "facilitator")
        for paper in PAPERS
    )
    cover = PdfReader(tmp_path / "site" / packet_file("packet", "a4")).pages[0].extract_text()
    assert re.search(r"Second[ .]*4\b", cover), cover  # cover, first (2 pages), second


def test_a_cover_longer_than_a_page_numbers_the_sheets_after_it(tmp_path: Path) -> None:
    """The contents are first numbered for a one-page cover; a longer one is rendered again."""
    from dataclasses import replace

    metadata = load_metadata(ROOT / "data" / "book.yml")
    renderer = WorksheetRenderer(replace(metadata, title="A very long book title " * 120))
    found = registry()
    renderer.build(found.worksheets(), tmp_path / "site", OutputCache(tmp_path / "c"), workers=1)
    reader = PdfReader(tmp_path / "site" / packet_file("packet", "a4"))
    cover = page_count(tmp_path / "c" / "files" / part_file("packet", "a4", "cover"))
    assert cover >= 2
    text = " ".join(reader.pages[n].extract_text() for n in range(cover))
    assert re.search(rf"First[ .]*{cover + 1}\b", text), text[-800:]
    assert "Activity 1.1: First" in reader.pages[cover].extract_text()
    assert f"Page 1 of {len(reader.pages)}" in reader.pages[0].extract_text()
