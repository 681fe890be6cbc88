"""What one sheet costs: the book's worksheet PDFs rendered again and again in one process.

A cold build renders every worksheet, facilitator and answer-key piece as a WeasyPrint
document of its own, hundreds per worker process; this renders the book's pieces (all of
them, both papers) ``--rounds`` times in this process, as one worker would, after one render
to warm up (imports, the form-font subsets), and prints the mean time per sheet. With
``--profile FILE`` the rounds run under cProfile (read it with ``python -m pstats FILE``).

    python bench/sheets.py --rounds 5
    python bench/sheets.py --rounds 10 --profile /tmp/sheets.prof
"""

from __future__ import annotations

import argparse
import cProfile
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--rounds", type=int, default=5, help="renders of every sheet")
    parser.add_argument("--project", type=Path, default=ROOT, help="folder of mkdocs.yml")
    parser.add_argument("--profile", type=Path, help="write a cProfile of the rounds here")
    args = parser.parse_args(argv)
    from opentextbook.activities.worksheets import _render_one

    with tempfile.TemporaryDirectory(prefix="sheets-") as folder:
        tasks = sheet_tasks(args.project.resolve(), Path(folder))
        _render_one(tasks[0])  # warm-up: imports, form-font subsets
        profile = cProfile.Profile() if args.profile else None
        start = time.perf_counter()
        if profile:
            profile.enable()
        failures = [_render_one(task) for _ in range(args.rounds) for task in tasks]
        seconds = time.perf_counter() - start
        if profile:
            profile.disable()
            profile.dump_stats(args.profile)
    renders = args.rounds * len(tasks)
    print(f"{seconds / renders * 1000:.1f} ms per sheet ({renders} renders of {len(tasks)} sheets)")
    return 1 if any(failures) else 0


def sheet_tasks(project: Path, folder: Path) -> list[tuple[str, str, str]]:
    """``(html, target, fonts)`` of each worksheet and packet piece (not covers) of the book."""
    from opentextbook import i18n
    from opentextbook.activities.packets import PdfJob
    from opentextbook.activities.worksheets import WorksheetRenderer
    from opentextbook.book import load_metadata
    from opentextbook.cli import _read_project, collect_activities, read_credits
    from opentextbook.support.pdf import form_font_name

    metadata = load_metadata(project / "data" / "book.yml")
    i18n.activate(metadata.language, dict(metadata.strings))
    registry = collect_activities(project / "docs", project, _read_project(project / "mkdocs.yml"))
    contents = read_credits(project / "docs", project, metadata)
    renderer = WorksheetRenderer(metadata, contents=contents)
    renderer.notes = registry.notes()
    renderer.form_font = form_font_name()
    jobs = [job for job in renderer.jobs(registry.worksheets()) if isinstance(job, PdfJob)]
    fonts = str(folder / "fonts")
    return [(renderer.job_html(job), str(folder / job.target), fonts) for job in jobs]


if __name__ == "__main__":
    sys.exit(main())
