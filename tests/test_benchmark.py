"""``bench/run.py --quick --edits`` completes and prints every figure BENCHMARKS.md records.

Not a timed test: the figures depend on the machine. It checks the benchmark still runs
against the current book and plugin, and that warm rebuilds render no PDF.
"""

from __future__ import annotations

import re
import subprocess
import sys

from conftest import ROOT


def test_quick_benchmark_prints_every_figure(tmp_path) -> None:
    result = subprocess.run(
        [
            sys.executable,
            str(ROOT / "bench" / "run.py"),
            "--quick",
            "--warm-runs",
            "1",
            "--edits",
            "--work",
            str(tmp_path),
        ],
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "Traceback" not in output, output
    rows = re.findall(r"(?m)^\((a|b)\) \S+.*?(\d+\.\d\d)x$", output)
    assert [row[0] for row in rows] == ["a", "b"], output  # the warm ratio of both sizes
    for name in ("(a) the book", "(b) generated"):
        figures = re.search(
            rf"(?m)^{re.escape(name)}: PDFs rendered cold (\d+), warm (\d+); "
            r"median worksheet PDF (\d+\.\d+) s; rendered in (\d+) processes",
            output,
        )
        assert figures, output
        cold, warm, median, processes = figures.groups()
        assert int(cold) > 0 and float(median) > 0 and int(processes) >= 1, output
        assert int(warm) == 0, f"a warm rebuild of {name} re-rendered PDFs:\n{output}"
        assert re.search(
            rf"(?m)^{re.escape(name)}: .*peak memory ours \d+ MB, plain \d+ MB", output
        )
    assert re.search(r"(?m)^growth \(a\) -> \(b\): pages x\d", output), output
    # An edit renders only what holds the edited text: a paragraph, its chapter of the
    # whole-book PDFs (one part, or two where the editions differ), and their contents if a
    # page number moved (one or two more); an activity, its own two worksheets, its two
    # facilitator sheets (packet pieces: the packets are assembled from them, not rendered;
    # the covers too if its page count changed) and the whole-book parts as for a paragraph.
    for name in ("(a) the book", "(b) generated"):
        prose = rf"(?m)^{re.escape(name)} edit \(a paragraph added to a page, docs/\S+\): "
        assert re.search(prose + r"ours \d+\.\d+ s \(([1-4]) PDFs rendered: \1 whole book;", output)
        activity = rf"(?m)^{re.escape(name)} edit \(one activity edited, docs/\S+\): ours "
        activity += r"\d+\.\d+ s \(\d+ PDFs rendered: (?=.*\d packet piece)(?=.*2 worksheet)"
        activity += r"(?=.*[1-4] whole book)(?!.*\d packet[,;])"
        assert re.search(activity, output), output
