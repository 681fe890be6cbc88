"""One timed ``mkdocs build`` for bench/run.py, in its own process.

Usage: ``python bench/_build.py PROJECT PDF_TIMINGS RESULT_JSON``. Times the build as
``mkdocs build`` runs it (load the config, plugins' start-up, build), not Python's start-up;
records every PDF render (seconds, process id, target: PDF workers are forked, so they inherit
the wrapper) and writes the peak memory of this process and of its PDF workers.
"""

from __future__ import annotations

import functools
import json
import os
import resource
import sys
import time
from pathlib import Path


def _record_pdf_renders(timings: Path) -> None:
    """Wrap ``opentextbook.support.pdf.render_pdf`` so each call appends one JSON line to
    ``timings``."""
    try:
        import opentextbook.support.pdf as pdf
    except ImportError:  # plain builds do not need the package
        return
    original = pdf.render_pdf

    @functools.wraps(original)
    def timed(html, target, **kwargs):
        start = time.time()
        try:
            return original(html, target, **kwargs)
        finally:
            end = time.time()
            line = {"target": str(target), "pid": os.getpid(), "start": start, "end": end}
            line["seconds"] = end - start
            with timings.open("a", encoding="utf-8") as out:
                out.write(json.dumps(line) + "\n")

    pdf.render_pdf = timed


def main(project: Path, timings: Path, result: Path) -> None:
    from mkdocs.commands.build import build
    from mkdocs.config import load_config

    _record_pdf_renders(timings)
    os.chdir(project)
    started = time.perf_counter()
    config = load_config(str(project / "mkdocs.yml"), strict=False, site_dir=str(project / "site"))
    config.plugins.on_startup(command="build", dirty=False)
    try:
        build(config)
    finally:
        config.plugins.on_shutdown()
    seconds = time.perf_counter() - started
    # ru_maxrss is in KiB on Linux: the larger of this process and its largest child.
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    peak_mb = max(own, children) / 1024
    result.write_text(json.dumps({"seconds": seconds, "peak_mb": peak_mb}), encoding="utf-8")


if __name__ == "__main__":
    main(Path(sys.argv[1]).resolve(), Path(sys.argv[2]).resolve(), Path(sys.argv[3]).resolve())
