"""Packets laid out as one document vs assembled from the rendered sheets: time and size.

    python bench/packets.py                  # 40 generated activities, every 4th with a solution
    python bench/packets.py --activities 12

The activities are the benchmark book's (``bench/run.py``), converted in this process. Everything
renders in this process, one PDF at a time, so the CPU seconds are comparable on a busy machine:

- *one document*: each of the six packets (classroom, facilitator, answer key; Letter and A4)
  rendered by WeasyPrint holding every sheet, as before packets were assembled;
- *assembled*: a cold worksheet build, of which the packets cost the facilitator sheets and
  answer keys (rendered per activity), the covers and the assembly — the student worksheets
  are rendered by both ways and are not counted; then one activity edited.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

from run import _activity  # noqa: E402  (the benchmark book's generated activity)

SOLUTION = "\n/// solution\nThe answer of generated activity {n}.\n///\n"


def registry(count: int, solutions_every: int, edited: int | None = None):
    """``count`` generated activities in one chapter; activity ``edited`` gets a sentence."""
    import markdown

    from opentextbook.activities.model import ActivityRegistry
    from opentextbook.markdown import location
    from opentextbook.markdown.activity import ActivityExtension

    found = ActivityRegistry()
    found.set_chapters(["chapter.md"])
    text = ""
    for index in range(1, count + 1):
        block = _activity(1, index)
        if solutions_every and index % solutions_every == 0:
            block = block.replace("///\n///\n", "///\n" + SOLUTION.format(n=index) + "///\n", 1)
        if index == edited:
            block = block.replace("An introduction", "An edited introduction", 1)
        text += block
    location.set_page("chapter.md", text, url="chapter.html")
    try:
        extension = ActivityExtension(registry=found)
        markdown.Markdown(extensions=["attr_list", "pymdownx.superfences", extension]).convert(text)
    finally:
        location.clear_page()
    return found


class Clock:
    """CPU and wall seconds of every ``render_pdf`` and packet assembly, by target."""

    def __init__(self) -> None:
        from opentextbook.activities import packets
        from opentextbook.support import pdf

        self.times: dict[str, tuple[float, float]] = {}
        render, assemble = pdf.render_pdf, packets.assemble_one

        def timed_render(html, target, **kwargs):
            with self.timing(str(target)):
                return render(html, target, **kwargs)

        def timed_assemble(task):
            with self.timing(task[0]):
                return assemble(task)

        pdf.render_pdf, packets.assemble_one = timed_render, timed_assemble
        import opentextbook.activities.worksheets as worksheets

        worksheets.assemble_one = timed_assemble

    def timing(self, target: str):
        import contextlib

        @contextlib.contextmanager
        def measure():
            cpu, wall = time.process_time(), time.perf_counter()
            yield
            self.times[target] = (time.process_time() - cpu, time.perf_counter() - wall)

        return measure()

    def total(self, keep) -> tuple[float, float, int]:
        chosen = [value for target, value in self.times.items() if keep(target)]
        return sum(c for c, _ in chosen), sum(w for _, w in chosen), len(chosen)


def one_document(activities, renderer, folder: Path) -> tuple[float, float, int]:
    """Each packet as one WeasyPrint document holding every sheet (the former way)."""
    from opentextbook.activities.worksheets import EDITIONS, PACKAGE_DIR, PAPERS
    from opentextbook.support.pdf import render_pdf

    cpu, wall, size = time.process_time(), time.perf_counter(), 0
    for paper in PAPERS:
        for edition in EDITIONS:
            html = renderer.render_html(activities, paper=paper, edition=edition)
            target = folder / f"{edition}-{paper}.pdf"
            render_pdf(html, target, base_url=PACKAGE_DIR, form_font_dir=folder / "fonts")
            size += target.stat().st_size
    return time.process_time() - cpu, time.perf_counter() - wall, size


def assembled(found, renderer_factory, folder: Path, clock: Clock):
    """A cold build: what its packets cost (pieces rendered, assembly) and their size."""
    from opentextbook.activities.worksheets import EDITIONS, PAPERS, packet_file
    from opentextbook.support.cache import OutputCache

    clock.times.clear()
    renderer = renderer_factory()
    renderer.build(found.worksheets(), folder / "site", OutputCache(folder / "cache"), workers=1)
    cost = clock.total(lambda target: "/parts/" in target or target.endswith(_PACKETS))
    kinds = {
        "edition sheets": lambda t: "/parts/" in t and "/cover-" not in t,
        "covers": lambda t: "/cover-" in t,
        "assembly": lambda t: t.endswith(_PACKETS),
    }
    for kind, keep in kinds.items():
        cpu, _, count = clock.total(keep)
        print(f"  {kind}: {count}, {cpu:.1f} s CPU")
    sizes = sum(
        (folder / "site" / packet_file(edition, paper)).stat().st_size
        for edition in EDITIONS
        for paper in PAPERS
    )
    return cost, sizes


_PACKETS = tuple(
    f"{edition}-{paper}.pdf"
    for edition in ("packet", "facilitator", "answers")
    for paper in ("letter", "a4")
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--activities", type=int, default=40)
    parser.add_argument("--solutions-every", type=int, default=4)
    args = parser.parse_args()

    from opentextbook.activities.worksheets import WorksheetRenderer
    from opentextbook.metadata import load_metadata

    metadata = load_metadata(ROOT / "data" / "book.yml")
    clock = Clock()
    found = registry(args.activities, args.solutions_every)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)

        def renderer():
            made = WorksheetRenderer(metadata, "https://example.org/book/")
            made.site_dir = folder / "site"
            return made

        activities = found.worksheets()
        print(f"{len(activities)} activities, every {args.solutions_every}th with a solution")
        old = renderer()
        cpu, wall, size = one_document(activities, old, folder / "one")
        print(f"one document: 6 packets {cpu:.1f} s CPU ({wall:.1f} s wall), {size / 1e6:.2f} MB")
        (cpu, wall, count), size = assembled(found, renderer, folder / "new", clock)
        print(
            f"assembled, cold: {count} pieces and packets {cpu:.1f} s CPU ({wall:.1f} s wall), "
            f"{size / 1e6:.2f} MB"
        )
        edited = registry(args.activities, args.solutions_every, edited=args.solutions_every)
        (cpu, wall, count), _ = assembled(edited, renderer, folder / "new", clock)
        print(
            f"assembled, activity {args.solutions_every} edited: {count} pieces and packets "
            f"{cpu:.1f} s CPU ({wall:.1f} s wall)"
        )


if __name__ == "__main__":
    main()
