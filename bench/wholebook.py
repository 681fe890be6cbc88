"""Benchmark: the whole-book downloads of a long book, their wall time and peak memory.

Makes a book of generated chapters (synthetic prose, sections, lists, a table, a teacher note
in every third chapter and links between chapters) as the built pages the publisher collects,
then runs what ``mkdocs build`` runs after the pages are written: the student and teacher
editions of the whole-book PDF and EPUB (``BookPublisher.write_downloads``). Three runs, each
in its own process (``--runs`` picks some): ``cold`` (empty cache), ``edit`` (a sentence added
to the middle chapter) and ``unchanged`` (nothing changed since).

    python bench/wholebook.py                 # 73 chapters: about 455 PDF pages per edition
    python bench/wholebook.py --chapters 4    # small, to try it

Memory is sampled every 50 ms from ``/proc`` over the process and all its children (PDF
workers): the peak of the summed resident sets (RSS: pages shared between a forked worker and
its parent count twice), of the summed proportional sets (PSS: shared pages split between
the processes sharing them — the memory the build really holds) and the largest single
process. Linux only. Not a timed test: it reports, it does not assert.

To measure another version of the code, put its ``plugins`` folder first on ``PYTHONPATH``.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RUNS = {
    "cold": "an empty cache",
    "edit": "a sentence added to the middle chapter",
    "unchanged": "nothing changed since the edit",
}


def chapter_html(number: int, chapters: int, sections: int, edited: bool = False) -> str:
    """One built chapter page, shaped like MkDocs' output for a generated chapter."""
    paragraph = (
        f"<p>This is generated paragraph text for benchmark chapter {number}. It has "
        "<em>emphasis</em>, <strong>strong text</strong>, a "
        f'<a href="chapter-{number % chapters + 1:03d}.html#section-1">link to the next '
        "chapter</a> and enough words to wrap over several lines, like the prose of a real "
        "chapter does, so that the page fills as a real one would.</p>\n"
    )
    parts = [f'<h1 id="generated-chapter-{number}">Generated chapter {number}</h1>\n']
    if edited:
        parts.append("<p>An edited sentence, added by the benchmark.</p>\n")
    for section in range(1, sections + 1):
        parts.append(f'<h2 id="section-{section}">Section {number}.{section}</h2>\n')
        parts += [paragraph] * 4
        parts.append("<ul><li>a list item</li><li>another list item</li><li>a third</li></ul>\n")
        parts.append(_table(number, section))
    if number % 3 == 0:
        parts.append(
            '<div class="otb-teacher-notes" data-otb-audience="teacher">'
            f"<p>Notes for the facilitator of chapter {number}.</p></div>\n"
        )
    return "".join(parts)


def _table(number: int, section: int) -> str:
    rows = "".join(
        f"<tr><td>Row {row}</td><td>Value {number}.{section}.{row}</td><td>Notes</td></tr>"
        for row in range(1, 6)
    )
    head = '<tr><th scope="col">Name</th><th scope="col">Value</th><th scope="col">Notes</th></tr>'
    caption = f"<caption>Table {number}.{section}</caption>"
    return f"<table>{caption}<thead>{head}</thead><tbody>{rows}</tbody></table>\n"


def run_downloads(work: Path, chapters: int, sections: int, edited: int | None) -> dict:
    """Collect the generated pages and write the whole-book downloads (runs in the child)."""
    from opentextbook.metadata import load_metadata
    from opentextbook.publishing.bookpages import BookPage
    from opentextbook.publishing.publisher import BookPublisher
    from opentextbook.support.cache import OutputCache

    metadata = load_metadata(ROOT / "data" / "book.yml")
    publisher = BookPublisher(
        metadata,
        site_url="https://example.org/book/",
        downloads=True,
        stylesheets=[ROOT / "plugins" / "opentextbook" / "assets" / "css" / "book.css"],
    )
    order = [f"chapter-{n:03d}.md" for n in range(1, chapters + 1)]
    for number, src in enumerate(order, start=1):
        html = chapter_html(number, chapters, sections, edited=number == edited)
        page = BookPage(src, f"Generated chapter {number}", src.replace(".md", ".html"), html)
        publisher.collect(page, order=order)
    site = work / "site"
    site.mkdir(parents=True, exist_ok=True)
    cache = OutputCache(work / "cache")
    epub_seconds = _time_epubs()
    started = time.perf_counter()
    written = publisher.write_downloads(site, cache)
    seconds = time.perf_counter() - started
    cache.save(prune=True)
    pdf = next(path for path in written if path.suffix == ".pdf")
    return {"seconds": seconds, "epub_seconds": sum(epub_seconds), "pages": _page_count(pdf)}


def _time_epubs() -> list[float]:
    """Time the EPUBs (the publisher imports ``write_epub`` when it writes), to tell the
    PDFs' share of the downloads' time."""
    from opentextbook.publishing import epub

    original, seconds = epub.write_epub, []

    def timed(*args, **kwargs):
        started = time.perf_counter()
        try:
            return original(*args, **kwargs)
        finally:
            seconds.append(time.perf_counter() - started)

    epub.write_epub = timed
    return seconds


def _page_count(pdf: Path) -> int:
    from pypdf import PdfReader

    return len(PdfReader(pdf).pages)


class MemorySampler:
    """Peak memory of a process tree, read from ``/proc`` every ``interval`` seconds."""

    def __init__(self, pid: int, interval: float = 0.05) -> None:
        self.pid = pid
        self.interval = interval
        self.rss = self.pss = self.largest = 0
        self.at_peak: list[int] = []
        """PSS of each process (the build first) when the sum was largest."""
        self.processes: set[int] = set()

    def sample(self) -> None:
        rss = pss = 0
        sizes = []
        for pid in self._tree(self.pid):
            process_rss, process_pss = _memory_kb(pid)
            rss, pss = rss + process_rss, pss + process_pss
            sizes.append(process_pss)
            self.largest = max(self.largest, process_rss)
            self.processes.add(pid)
        if pss > self.pss:
            self.at_peak = sizes
        self.rss, self.pss = max(self.rss, rss), max(self.pss, pss)

    def _tree(self, pid: int) -> list[int]:
        found = [pid]
        try:  # a process may end while it is read
            tasks = list(Path(f"/proc/{pid}/task").glob("*/children"))
            children = [child for task in tasks for child in task.read_text().split()]
        except OSError:
            return found
        for child in children:
            found += self._tree(int(child))
        return found


def _children_cpu() -> float:
    """CPU seconds of the finished children and theirs (the child waits for its workers)."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _memory_kb(pid: int) -> tuple[int, int]:
    """(RSS, PSS) of one process in KiB; (0, 0) once it has ended."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
        rollup = Path(f"/proc/{pid}/smaps_rollup").read_text()
    except OSError:
        return 0, 0
    return _field(status, "VmRSS:"), _field(rollup, "Pss:")


def _field(text: str, name: str) -> int:
    for line in text.splitlines():
        if line.startswith(name):
            return int(line.split()[1])
    return 0


def measure(work: Path, chapters: int, sections: int, edited: int | None) -> dict:
    """Run :func:`run_downloads` in a child process, sampling its tree's memory."""
    result = work / "result.json"
    command = [sys.executable, __file__, "--child", str(work), str(chapters), str(sections)]
    command.append(str(edited or 0))
    started, cpu = time.perf_counter(), _children_cpu()
    child = subprocess.Popen(command, env=os.environ.copy())
    sampler = MemorySampler(child.pid)
    while child.poll() is None:
        sampler.sample()
        time.sleep(sampler.interval)
    wall = time.perf_counter() - started
    if child.returncode != 0:
        raise SystemExit(f"the build failed (exit {child.returncode})")
    data = json.loads(result.read_text(encoding="utf-8"))
    data.update(
        wall=wall,
        cpu=_children_cpu() - cpu,
        rss_mb=sampler.rss / 1024,
        pss_mb=sampler.pss / 1024,
        largest_mb=sampler.largest / 1024,
        at_peak=" + ".join(f"{kb / 1024:.0f}" for kb in sampler.at_peak),
        processes=len(sampler.processes),
    )
    return data


def _work_root() -> Path:
    root = ROOT / "bench" / ".work"  # ignored by git
    root.mkdir(parents=True, exist_ok=True)
    return Path(tempfile.mkdtemp(prefix="wholebook-", dir=root))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--chapters", type=int, default=73, help="generated chapters")
    parser.add_argument("--sections", type=int, default=8, help="sections per chapter")
    parser.add_argument("--work", type=Path, default=None, help="folder for the runs")
    parser.add_argument("--runs", nargs="+", choices=RUNS, default=list(RUNS), help="which runs")
    parser.add_argument("--child", nargs=4, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        work, chapters, sections, edited = args.child
        data = run_downloads(Path(work), int(chapters), int(sections), int(edited) or None)
        (Path(work) / "result.json").write_text(json.dumps(data), encoding="utf-8")
        return 0
    work = args.work or Path(_work_root())
    middle = args.chapters // 2 + 1
    edits = {"cold": None, "edit": middle, "unchanged": middle}
    print(
        "| run | pages | PDFs (s) | EPUBs (s) | wall (s) | CPU (s) | peak PSS | RSS sum | largest |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for name in args.runs:
        data = measure(work, args.chapters, args.sections, edits[name])
        print(
            f"| {name} | {data['pages']} | {data['seconds'] - data['epub_seconds']:.1f} "
            f"| {data['epub_seconds']:.1f} | {data['wall']:.1f} | {data['cpu']:.0f} "
            f"| {data['pss_mb']:.0f} MB | {data['rss_mb']:.0f} MB | {data['largest_mb']:.0f} MB |",
            flush=True,
        )
        print(f"  {name}: PSS of each process at the peak (MB): {data['at_peak']}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
