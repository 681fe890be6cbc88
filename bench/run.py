"""Benchmark: how long the book takes to build, and how that grows with the book.

Builds (a) the book and (b) a generated book (by default 200 chapters, 1,000 activities and
2,000 organisations), each twice (cold, then warm with nothing changed) with the project's
plugin and extensions ("ours") and with them removed ("plain": the same Markdown and theme,
no ``opentextbook`` plugin, no ``opentextbook.*`` extensions, no macros). Prints the warm
rebuild ratio (ours / plain), cold build times, PDFs rendered, the median cost of a worksheet
PDF, how many processes rendered PDFs, peak memory, and how the cost grows from (a) to (b).

    python bench/run.py            # full size (slow: thousands of PDFs on a cold build)
    python bench/run.py --quick    # small sizes, for CI (tests/test_benchmark.py)
    python bench/run.py --edits    # also: rebuild after one page edit, then one activity edit
    python bench/run.py --edit-loop --sizes 1 40 200   # mkdocs serve: save to served page

Not a timed test: it reports, it does not assert. Builds run in ``bench/.work/`` (ignored by
git), each in its own process (``bench/_build.py``) so its memory can be measured.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BUILD_SCRIPT = Path(__file__).with_name("_build.py")
OUR_EXTENSION = re.compile(r"^\s*- opentextbook\.markdown\.\S+:?\s*(#.*)?$")

FULL = {"chapters": 200, "activities": 1000, "organisations": 2000}
QUICK = {"chapters": 2, "activities": 2, "organisations": 10}


@dataclass
class BuildResult:
    """One build: seconds inside MkDocs, peak memory, and the PDFs it rendered."""

    seconds: float
    peak_mb: float
    pdfs_rendered: int
    pdf_seconds: list[float]
    pdf_processes: int
    pdf_parallelism: float
    ok: bool
    output: str
    rendered: list[str] = field(default_factory=list)
    """Site paths of the PDFs rendered, e.g. ``worksheets/packet-a4.pdf``."""


@dataclass
class Size:
    """Cold and warm builds of one book, ours and plain."""

    name: str
    pages: int
    activities: int
    ours_cold: BuildResult
    ours_warm: BuildResult
    plain_cold: BuildResult
    plain_warm: BuildResult
    edits: list[tuple[str, BuildResult, BuildResult]] = field(default_factory=list)
    """``(what was edited, ours, plain)`` for each rebuild after an edit (``--edits``)."""

    @property
    def warm_ratio(self) -> float:
        return self.ours_warm.seconds / self.plain_warm.seconds


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small sizes, for CI")
    parser.add_argument("--work", type=Path, default=None, help="folder for the builds")
    parser.add_argument("--warm-runs", type=int, default=2, help="warm builds; median is shown")
    parser.add_argument(
        "--edits", action="store_true", help="then rebuild after a page edit and an activity edit"
    )
    for name in FULL:
        parser.add_argument(f"--{name}", type=int, default=None, help=f"{name} in book (b)")
    parser.add_argument(
        "--edit-loop", action="store_true", help="time mkdocs serve edits (bench/editloop.py)"
    )
    parser.add_argument("--sizes", type=int, nargs="+", default=[1, 40, 200], help="chapters")
    parser.add_argument("--rounds", type=int, default=3, help="edits of each kind (edit loop)")
    parser.add_argument(
        "--download-wait",
        type=float,
        default=1800,
        help="edit loop: seconds to wait for the downloads after each edit (0: edit on at once)",
    )
    args = parser.parse_args(argv)
    if args.edit_loop:
        return edit_loop(args.sizes, args.rounds, args.work, args.download_wait)
    sizes = dict(QUICK if args.quick else FULL)
    sizes.update({name: getattr(args, name) for name in FULL if getattr(args, name)})
    work = args.work or Path(tempfile.mkdtemp(prefix="bench-", dir=_work_root()))
    print(f"benchmark: sizes {sizes}, in {work}", flush=True)
    print("command: python bench/run.py " + " ".join(argv if argv is not None else sys.argv[1:]))
    book = measure("(a) the book", make_book(work / "a"), args.warm_runs, args.edits)
    generated = measure(
        "(b) generated", make_generated_book(work / "b", **sizes), args.warm_runs, args.edits
    )
    report([book, generated], os.cpu_count() or 1)
    failed = [r for s in (book, generated) for r in _results(s) if not r.ok]
    failed += [r for s in (book, generated) for _, *runs in s.edits for r in runs if not r.ok]
    for result in failed:
        print("a build failed:\n" + result.output[-3000:], file=sys.stderr)
    return 1 if failed else 0


def edit_loop(sizes: list[int], rounds: int, work: Path | None, download_wait: float) -> int:
    """``--edit-loop``: the authoring loop in ``mkdocs serve`` at each size (see editloop.py)."""
    from editloop import measure_loop, report_loop

    work = work or Path(tempfile.mkdtemp(prefix="loop-", dir=_work_root()))
    print(f"edit loop: sizes {sizes} chapters, {rounds} rounds, in {work}", flush=True)
    results = []
    for chapters in sizes:
        books = make_generated_book(
            work / str(chapters),
            chapters=chapters,
            activities=5 * chapters,
            organisations=10 * chapters,
        )
        results.append(measure_loop(chapters, books, rounds, run_build, download_wait))
    report_loop(results)
    return 0


def _work_root() -> Path:
    root = ROOT / "bench" / ".work"
    root.mkdir(parents=True, exist_ok=True)
    return root


def _results(size: Size) -> list[BuildResult]:
    return [size.ours_cold, size.ours_warm, size.plain_cold, size.plain_warm]


# --- the books -----------------------------------------------------------------------------


def make_book(dest: Path) -> dict[str, Path]:
    """The book as it is (ours), and a copy of it with our plugin and extensions removed."""
    ours = _copy_book(dest / "ours")
    return {"ours": ours, "plain": _plain_copy(ours, dest / "plain")}


def make_generated_book(
    dest: Path, *, chapters: int, activities: int, organisations: int
) -> dict[str, Path]:
    """The book grown to ``chapters`` extra chapters holding ``activities`` activities, with
    ``organisations`` more organisations in the data set and a page tabling all of them."""
    ours = _copy_book(dest / "ours")
    folder = ours / "docs" / "generated"
    folder.mkdir()
    per_chapter = [activities // chapters + (i < activities % chapters) for i in range(chapters)]
    nav = []
    for number, count in enumerate(per_chapter, start=1):
        name = f"chapter-{number:03d}.md"
        (folder / name).write_text(_chapter(number, count), encoding="utf-8")
        nav.append(f"  - Generated chapter {number}: generated/{name}")
    (folder / "organisations.md").write_text(_organisations_page(), encoding="utf-8")
    nav.append("  - Generated organisations: generated/organisations.md")
    _add_to_nav(ours / "mkdocs.yml", nav)
    with (ours / "data" / "organizations.yml").open("a", encoding="utf-8") as data:
        data.writelines(_organisation(i) for i in range(organisations))
    return {"ours": ours, "plain": _plain_copy(ours, dest / "plain")}


def _copy_book(dest: Path) -> Path:
    dest.mkdir(parents=True)
    shutil.copy2(ROOT / "mkdocs.yml", dest / "mkdocs.yml")
    for folder in ("docs", "data"):
        shutil.copytree(ROOT / folder, dest / folder)
    return dest


def _plain_copy(ours: Path, dest: Path) -> Path:
    """Same pages and theme; no opentextbook plugin, no opentextbook extensions, no macros
    (the macros only fill in what our plugin provides)."""
    shutil.copytree(ours, dest, ignore=shutil.ignore_patterns("site", ".cache"))
    config = dest / "mkdocs.yml"
    text = config.read_text(encoding="utf-8")
    for plugin in ("opentextbook", "macros"):
        text = _without_list_item(text, plugin)
    lines = [line for line in text.splitlines() if not OUR_EXTENSION.match(line)]
    config.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return dest


def _without_list_item(text: str, name: str) -> str:
    """``text`` without the ``  - name`` (or ``  - name:`` and its options) list item."""
    out: list[str] = []
    skipping = False
    item = re.compile(rf"^(\s*)- {re.escape(name)}:?\s*$")
    indent = 0
    for line in text.splitlines():
        match = item.match(line)
        if match:
            skipping, indent = True, len(match.group(1))
            continue
        stripped = len(line) - len(line.lstrip())
        if skipping and line.strip() and stripped <= indent:
            skipping = False
        if not skipping:
            out.append(line)
    return "\n".join(out) + "\n"


def _add_to_nav(config: Path, entries: list[str]) -> None:
    text = config.read_text(encoding="utf-8")
    anchor = re.search(r"(?m)^  - References: references\.md$", text)
    assert anchor, "mkdocs.yml nav has no References entry to insert before"
    lines = "".join(entry + "\n" for entry in entries)
    config.write_text(text[: anchor.start()] + lines + text[anchor.start() :], encoding="utf-8")


def _chapter(number: int, activities: int) -> str:
    """A chapter of synthetic text (no facts) shaped like the real one."""
    paragraph = (
        f"This is generated paragraph text for benchmark chapter {number}. It has *emphasis*, "
        "**strong text**, a [link to the home page](../index.md) and enough words to wrap "
        "over several lines, like the prose of a real chapter does.\n\n"
    )
    parts = [f"# Generated chapter {number}\n\n", paragraph]
    for section in range(1, 4):
        parts += [f"## Section {number}.{section}\n\n", paragraph * 2]
        parts.append("- a list item\n- another list item\n- a third list item\n\n")
    for index in range(1, activities + 1):
        parts.append(_activity(number, index))
    return "".join(parts)


def _activity(chapter: int, index: int) -> str:
    return f"""/// activity | Generated activity {chapter}.{index}
    id: generated-{chapter}-{index}
    duration: 20
    grouping: pairs
    objectives: [Practise a generated step, Reflect on it]

An introduction to generated activity {chapter}.{index}.

1. Do the first generated step.
2. Do the second generated step.
3. Write down what you noticed.

/// teacher-notes
Notes for the facilitator of generated activity {chapter}.{index}.
///
///

"""


def _organisations_page() -> str:
    return """# Generated organisations

/// datatable | Every organisation in the data set
    data: organizations
    columns: [name, scope, offers, free_membership, website]
    sort: name
///
"""


def _organisation(i: int) -> str:
    return f"""
- id: generated-org-{i}
  name: Generated organisation {i}
  website: https://example.org/org-{i}
  scope: generated scope {i % 7}
  offers: [journals, webinars]
  free_membership: "{("yes", "no", "partly")[i % 3]}"
  source: generated for the benchmark
"""


# --- measuring -----------------------------------------------------------------------------


def measure(name: str, projects: dict[str, Path], warm_runs: int = 2, edits: bool = False) -> Size:
    """A cold build, then ``warm_runs`` builds with nothing changed, ours and plain; with
    ``edits``, then a rebuild after each edit of :data:`EDITS` (made to both copies).

    The warm figure is the median run; its PDF count is the most any warm run rendered, so
    a re-render is never hidden by the median.
    """
    results = {}
    for variant in ("ours", "plain"):
        runs = []
        for run in ["cold"] + ["warm"] * max(warm_runs, 1):
            result = run_build(projects[variant])
            runs.append(result)
            print(
                f"  {name} {variant:5} {run}: {result.seconds:7.2f} s, "
                f"{result.pdfs_rendered} PDFs rendered, peak {result.peak_mb:.0f} MB",
                flush=True,
            )
        warm = sorted(runs[1:], key=lambda r: r.seconds)[(len(runs) - 2) // 2]
        warm.pdfs_rendered = max(r.pdfs_rendered for r in runs[1:])
        results[f"{variant}_cold"], results[f"{variant}_warm"] = runs[0], warm
    pages = len(list((projects["ours"] / "docs").rglob("*.md")))
    activities = sum(
        text.count("/// activity")
        for text in (
            p.read_text(encoding="utf-8") for p in (projects["ours"] / "docs").rglob("*.md")
        )
    )
    size = Size(name=name, pages=pages, activities=activities, **results)
    for label, edit in EDITS.items() if edits else ():
        page = _edited_page(projects["ours"])
        runs = []
        for variant in ("ours", "plain"):
            edit(projects[variant] / "docs" / page)
            runs.append(run_build(projects[variant]))
        print(f"  {name} edit ({label}, docs/{page.as_posix()}): {_edit_line(*runs)}", flush=True)
        size.edits.append((f"{label}, docs/{page.as_posix()}", *runs))
    return size


def _edited_page(project: Path) -> Path:
    """The page both edits change: the middle one of those holding activities."""
    docs = project / "docs"
    pages = sorted(p for p in docs.rglob("*.md") if _activity_lines(p.read_text("utf-8")))
    return pages[len(pages) // 2].relative_to(docs)


def _activity_lines(text: str) -> list[int]:
    """Indexes of the lines opening an activity block (not examples in code fences)."""
    found, fenced = [], False
    for index, line in enumerate(text.splitlines()):
        if line.lstrip().startswith(("```", "~~~")):
            fenced = not fenced
        elif not fenced and line.startswith("/// activity"):
            found.append(index)
    return found


def _add_paragraph(page: Path) -> None:
    text = page.read_text(encoding="utf-8")
    page.write_text(text + "\nA paragraph added for the benchmark.\n", encoding="utf-8")


def _edit_activity(page: Path) -> None:
    """Add a sentence to the instructions of the page's first activity."""
    text = page.read_text(encoding="utf-8")
    lines = text.splitlines(keepends=True)
    start = _activity_lines(text)[0]
    blank = next(i for i in range(start, len(lines)) if not lines[i].strip())
    lines.insert(blank + 1, "An instruction added for the benchmark.\n\n")
    page.write_text("".join(lines), encoding="utf-8")


EDITS = {"a paragraph added to a page": _add_paragraph, "one activity edited": _edit_activity}


def _edit_line(ours: BuildResult, plain: BuildResult) -> str:
    kinds: dict[str, int] = {}
    for target in ours.rendered:
        kinds[_pdf_kind(target)] = kinds.get(_pdf_kind(target), 0) + 1
    rendered = ", ".join(f"{count} {kind}" for kind, count in kinds.items()) or "none"
    return (
        f"ours {ours.seconds:.2f} s ({ours.pdfs_rendered} PDFs rendered: {rendered}; "
        f"peak {ours.peak_mb:.0f} MB), plain {plain.seconds:.2f} s"
    )


def _pdf_kind(target: str) -> str:
    name = target.rsplit("/", 1)[-1]
    if target.startswith("worksheets/parts/"):
        return "packet piece"  # an edition's sheet or a cover; packets are assembled from them
    if target.startswith("worksheets/"):
        packets = ("packet-", "facilitator-", "answers-")
        return "packet" if name.startswith(packets) else "worksheet"
    # The whole-book PDFs are printed as parts (chapters, contents) and assembled.
    whole_book = target.startswith(("downloads/", "whole-book/"))
    return "whole book" if whole_book else "PLN template"


def run_build(project: Path) -> BuildResult:
    """One ``mkdocs build`` in its own process, timed inside MkDocs (not Python's start-up)."""
    timings = project / ".bench-pdf-times.jsonl"
    timings.unlink(missing_ok=True)
    result_file = project / ".bench-result.json"
    result_file.unlink(missing_ok=True)
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    done = subprocess.run(
        [sys.executable, str(BUILD_SCRIPT), str(project), str(timings), str(result_file)],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    output = done.stdout + done.stderr
    if done.returncode != 0 or not result_file.exists():
        return BuildResult(0.0, 0.0, 0, [], 0, 0.0, False, output)
    measured = json.loads(result_file.read_text(encoding="utf-8"))
    pdfs = _read_timings(timings)
    return BuildResult(
        seconds=measured["seconds"],
        peak_mb=measured["peak_mb"],
        pdfs_rendered=len(pdfs),
        pdf_seconds=[
            p["seconds"] for p in pdfs if "/worksheets/" in p["target"].replace("\\", "/")
        ],
        pdf_processes=len({p["pid"] for p in pdfs}),
        pdf_parallelism=_parallelism(pdfs),
        ok=True,
        output=output,
        rendered=[_site_path(p["target"]) for p in pdfs],
    )


def _site_path(target: str) -> str:
    """A rendered file's path in the site (PDFs are rendered into the cache's files/ folder)."""
    path = target.replace("\\", "/")
    return path.split("/files/", 1)[-1] if "/files/" in path else path.rsplit("/site/", 1)[-1]


def _read_timings(path: Path) -> list[dict]:
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]


def _parallelism(pdfs: list[dict]) -> float:
    """Seconds of PDF rendering per second of wall time while rendering (1.0 = one core)."""
    if not pdfs:
        return 0.0
    span = max(p["end"] for p in pdfs) - min(p["start"] for p in pdfs)
    return sum(p["seconds"] for p in pdfs) / span if span > 0 else 1.0


# --- the report ----------------------------------------------------------------------------


def report(sizes: list[Size], cores: int) -> None:
    print(f"\nresults ({cores} cores)")
    header = f"{'':16}{'pages':>6}{'activities':>11}{'cold ours':>11}{'cold plain':>11}"
    header += f"{'warm ours':>11}{'warm plain':>11}{'warm ratio':>11}"
    print(header)
    for s in sizes:
        print(
            f"{s.name:16}{s.pages:6}{s.activities:11}{s.ours_cold.seconds:10.2f}s"
            f"{s.plain_cold.seconds:10.2f}s{s.ours_warm.seconds:10.2f}s"
            f"{s.plain_warm.seconds:10.2f}s{s.warm_ratio:10.2f}x"
        )
    for s in sizes:
        cold = s.ours_cold
        median = statistics.median(cold.pdf_seconds) if cold.pdf_seconds else 0.0
        print(
            f"{s.name}: PDFs rendered cold {cold.pdfs_rendered}, warm {s.ours_warm.pdfs_rendered}; "
            f"median worksheet PDF {median:.3f} s; rendered in {cold.pdf_processes} processes, "
            f"parallelism {cold.pdf_parallelism:.2f} of {cores} cores; "
            f"peak memory ours {cold.peak_mb:.0f} MB, plain {s.plain_cold.peak_mb:.0f} MB"
        )
    for s in sizes:
        for label, ours, plain in s.edits:
            print(f"{s.name} edit ({label}): {_edit_line(ours, plain)}")
    small, large = sizes[0], sizes[-1]
    size_growth = large.pages / small.pages
    print(
        f"growth (a) -> (b): pages x{size_growth:.1f}, activities "
        f"x{large.activities / max(small.activities, 1):.1f}; "
        f"warm build ours x{large.ours_warm.seconds / small.ours_warm.seconds:.1f}, "
        f"plain x{large.plain_warm.seconds / small.plain_warm.seconds:.1f}; "
        f"cold build ours x{large.ours_cold.seconds / small.ours_cold.seconds:.1f}; "
        f"warm seconds per page ours {small.ours_warm.seconds / small.pages:.3f} -> "
        f"{large.ours_warm.seconds / large.pages:.3f}"
    )


if __name__ == "__main__":
    sys.exit(main())
