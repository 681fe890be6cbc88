"""Benchmark of the authoring loop: seconds from saving a file to the edit being served.

For each size (a book of N generated chapters, made as ``bench/run.py`` makes them, with 5
activities and 10 more organisations per chapter), ours and plain:

1. a cold ``mkdocs build`` of each (the cold-build ratio);
2. ``mkdocs serve --livereload`` started right after it: seconds until the page is served;
3. edits, alternating ours and plain, each timed from the moment the file is written until
   the served page contains the edit (polled every 50 ms): a paragraph added to a chapter
   (*prose*), a sentence added to an activity (*activity*) and an organisation's name changed
   in ``data/organizations.yml`` (*data*; plain tables no data, so its figure is the same
   page's text edited). For ours, also the seconds until ``downloads-status.json`` says every
   download is up to date again (worksheet PDFs, packets, whole book), after which the next
   edit starts (``--download-wait``). While one server's edit is timed, the other is paused
   (SIGSTOP), so ours' background renders never slow plain's edit.

    python bench/run.py --edit-loop --sizes 1 40 --rounds 3

Not a timed test: it reports. Run on a quiet machine if you can; medians are shown.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

STATUS = "assets/opentextbook/downloads-status.json"
EDIT_KINDS = ("prose", "activity", "data")
DATA_PAGE = "generated/organisations"


@dataclass
class LoopResult:
    """One size: cold builds, serve start-ups, and every timed edit."""

    chapters: int
    cold: dict[str, float]
    startup: dict[str, float]
    edits: dict[str, dict[str, list[float]]] = field(default_factory=dict)
    """``edits[kind][variant]``: seconds from save to served, per round."""
    downloads: dict[str, list[float]] = field(default_factory=dict)
    """``downloads[kind]``: ours, seconds from save until every download was up to date."""


class Server:
    """``mkdocs serve --livereload`` of one project on a free local port."""

    def __init__(self, project: Path) -> None:
        self.project = project
        self.port = _free_port()
        self.base = f"http://127.0.0.1:{self.port}{_mount(project)}"
        env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
        command = [sys.executable, "-m", "mkdocs", "serve", "--livereload"]
        command += ["-a", f"127.0.0.1:{self.port}"]
        self.log = (project / ".bench-serve.log").open("w", encoding="utf-8")
        self.process = subprocess.Popen(
            command, cwd=project, env=env, stdout=self.log, stderr=subprocess.STDOUT,
            start_new_session=True,
        )  # fmt: skip

    def fetch(self, path: str) -> str | None:
        try:
            with urllib.request.urlopen(self.base + path, timeout=5) as response:
                return response.read().decode("utf-8", "replace")
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            return None

    def wait_for(self, path: str, text: str, started: float, limit: float = 900) -> float:
        """Seconds from ``started`` until ``path`` is served containing ``text``."""
        while time.monotonic() - started < limit:
            if self.process.poll() is not None:
                raise RuntimeError(f"mkdocs serve ended; see {self.log.name}")
            page = self.fetch(path)
            if page is not None and text in page:
                return time.monotonic() - started
            time.sleep(0.05)
        raise TimeoutError(f"{path} did not show {text!r} within {limit} s")

    def downloads_ready(self, started: float, limit: float = 1800) -> float | None:
        """Seconds from ``started`` until the status file says everything is up to date
        (None for plain, or if that takes more than ``limit``)."""
        while time.monotonic() - started < limit:
            status = self.fetch(STATUS)
            if status is None:
                return None  # not ours (plain has no slow downloads)
            try:
                if json.loads(status).get("finished"):
                    return time.monotonic() - started
            except ValueError:
                pass
            time.sleep(0.2)
        return None

    def pause(self) -> None:
        """Stop the server and its workers using the CPU (SIGSTOP to its process group)."""
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGSTOP)

    def resume(self) -> None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGCONT)

    def stop(self) -> None:
        """Ctrl+C, as an author stops it; killed if it does not end."""
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGINT)
        try:
            self.process.wait(30)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()
        self.log.close()


def measure_loop(
    chapters: int, projects: dict[str, Path], rounds: int, build, download_wait: float = 1800
) -> LoopResult:
    """Cold build, serve start-up, then ``rounds`` of each edit kind, ours and plain in turn.

    After each edit of ours the loop waits up to ``download_wait`` seconds for the downloads to
    be up to date; with 0 the next edit follows at once and cancels the background work, as
    when an author keeps writing (at 200 chapters re-rendering every download takes minutes).
    """
    cold = {variant: build(projects[variant]).seconds for variant in projects}
    print(f"  {chapters} chapters: cold build {_pair(cold)}", flush=True)
    page = _page_with_activities(projects["ours"])
    _not_strict(projects["plain"] / "mkdocs.yml")  # plain's blocks give warnings (see run.py)
    servers, startup = {}, {}
    try:
        for variant, project in projects.items():
            started = time.monotonic()
            servers[variant] = Server(project)
            startup[variant] = servers[variant].wait_for(f"{page}.html", "</html>", started)
        print(f"  {chapters} chapters: serve start-up after build {_pair(startup)}", flush=True)
        result = LoopResult(chapters, cold, startup)
        servers["ours"].downloads_ready(time.monotonic())  # start from a settled site
        for number in range(rounds):
            for kind in EDIT_KINDS:
                token = f"{kind}{number}x{chapters}"
                _time_edit(result, servers, projects, kind, page, token, download_wait)
    finally:
        for server in servers.values():
            server.stop()
    return result


def _not_strict(config: Path) -> None:
    text = config.read_text(encoding="utf-8")
    config.write_text(text.replace("\nstrict: true", "\nstrict: false"), encoding="utf-8")


def _time_edit(result, servers, projects, kind: str, page: str, token: str, wait: float) -> None:
    timings = result.edits.setdefault(kind, {})
    for variant, server in servers.items():
        target, shown = _edit(projects[variant], variant, kind, page, token)
        others = [other for other in servers.values() if other is not server]
        for other in others:  # ours' background renders must not slow plain's edit (nor back)
            other.pause()
        started = time.monotonic()
        try:
            seconds = server.wait_for(target, shown, started)
        finally:
            for other in others:
                other.resume()
        timings.setdefault(variant, []).append(seconds)
        ready = server.downloads_ready(started, limit=wait) if wait else None
        if ready is not None:
            result.downloads.setdefault(kind, []).append(ready)
        extra = f", downloads up to date after {ready:.1f} s" if ready is not None else ""
        print(f"    {kind:8} {variant:5} {seconds:6.2f} s{extra}", flush=True)


def _edit(project: Path, variant: str, kind: str, page: str, token: str) -> tuple[str, str]:
    """Make one edit; return the page to poll and the text that shows it is served."""
    docs = project / "docs"
    if kind == "prose":
        _append(docs / f"{page}.md", f"\n\nA paragraph added for the benchmark, {token}.\n")
        return f"{page}.html", token
    if kind == "activity":
        _add_to_activity(docs / f"{page}.md", f"An instruction added for the benchmark, {token}.")
        return f"{page}.html", token
    if variant == "plain":  # plain tables no data: the same page's text edited instead
        _append(docs / f"{DATA_PAGE}.md", f"\n\nA table changed for the benchmark, {token}.\n")
        return f"{DATA_PAGE}.html", token
    data = project / "data" / "organizations.yml"
    text = data.read_text(encoding="utf-8")
    name = "name: Generated organisation 0\n"
    renamed = text.replace(name, f"name: Generated organisation 0 {token}\n", 1)
    if renamed == text:  # renamed before: rename again
        start = text.index("name: Generated organisation 0 ")
        end = text.index("\n", start)
        renamed = text[:start] + f"name: Generated organisation 0 {token}" + text[end:]
    data.write_text(renamed, encoding="utf-8")
    return f"{DATA_PAGE}.html", token


def _append(path: Path, text: str) -> None:
    with path.open("a", encoding="utf-8") as handle:
        handle.write(text)


def _add_to_activity(path: Path, sentence: str) -> None:
    """A sentence after the first paragraph of the page's first activity."""
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    start = next(i for i, line in enumerate(lines) if line.startswith("/// activity"))
    blank = next(i for i in range(start, len(lines)) if not lines[i].strip())
    lines.insert(blank + 1, f"{sentence}\n\n")
    path.write_text("".join(lines), encoding="utf-8")


def _page_with_activities(project: Path) -> str:
    """The middle generated chapter (it holds activities), without ``.md``."""
    chapters = sorted((project / "docs" / "generated").glob("chapter-*.md"))
    return chapters[len(chapters) // 2].relative_to(project / "docs").with_suffix("").as_posix()


def report_loop(results: list[LoopResult]) -> None:
    """Markdown tables: medians, ours / plain."""
    print("\n| chapters | what | ours | plain | ratio | downloads up to date (ours) |")
    print("|---:|---|---:|---:|---:|---:|")
    for r in results:
        _row(r.chapters, "cold `mkdocs build`", r.cold["ours"], r.cold["plain"])
        _row(r.chapters, "`serve` start-up after `build`", r.startup["ours"], r.startup["plain"])
        for kind, timings in r.edits.items():
            ready = r.downloads.get(kind)
            shown = f"{statistics.median(ready):.1f} s" if ready else ""
            ours, plain = statistics.median(timings["ours"]), statistics.median(timings["plain"])
            _row(r.chapters, f"{kind} edit, save to served", ours, plain, shown)


def _row(chapters: int, what: str, ours: float, plain: float, extra: str = "") -> None:
    ratio = ours / plain if plain else float("nan")
    print(f"| {chapters} | {what} | {ours:.2f} s | {plain:.2f} s | {ratio:.2f}\u00d7 | {extra} |")


def _pair(values: dict[str, float]) -> str:
    return f"ours {values['ours']:.2f} s, plain {values['plain']:.2f} s"


def _mount(project: Path) -> str:
    """Where ``serve`` puts the site: the path of ``site_url`` (``/`` when it is unset)."""
    from urllib.parse import urlsplit

    from mkdocs.config import load_config

    site_url = load_config(str(project / "mkdocs.yml")).site_url
    return urlsplit(site_url or "/").path or "/"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]
