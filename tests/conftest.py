"""Shared fixtures: the project's root, and the book built once per test session."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@dataclass
class Build:
    """A finished ``mkdocs build --strict`` of a copy of the book."""

    project: Path
    site: Path
    output: str

    def page(self, path: str) -> str:
        return (self.site / path).read_text(encoding="utf-8")


def copy_project(dest: Path) -> Path:
    """Copy what a build reads (config, pages, data) into ``dest``; return the copy's root."""
    dest.mkdir(parents=True, exist_ok=True)
    shutil.copy2(ROOT / "mkdocs.yml", dest / "mkdocs.yml")
    for folder in ("docs", "data"):
        shutil.copytree(ROOT / folder, dest / folder, dirs_exist_ok=True)
    return dest


def run_build(project: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """``mkdocs build --strict`` in ``project``, as a reader of the README would run it."""
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    return subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "-d", "site", *args],
        cwd=project,
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )


def build_book(project: Path) -> Build:
    result = run_build(project)
    output = result.stdout + result.stderr
    assert result.returncode == 0, f"mkdocs build --strict failed:\n{output}"
    warnings = [line for line in output.splitlines() if line.startswith("WARNING")]
    assert not warnings, "build printed warnings:\n" + "\n".join(warnings)
    return Build(project=project, site=project / "site", output=output)


@pytest.fixture(scope="session")
def built_site(tmp_path_factory: pytest.TempPathFactory) -> Build:
    """The whole book, built once with ``--strict`` in a temporary folder."""
    return build_book(copy_project(tmp_path_factory.mktemp("book")))
