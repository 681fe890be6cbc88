"""Every package the code imports is declared, and every vendored file is accounted for.

A package that is only installed because another one pulls it in can disappear with that
package's next release; a vendored script nobody can trace cannot be updated or relicensed.
"""

from __future__ import annotations

import ast
import hashlib
import os
import re
import shutil
import sys
import tomllib
from importlib import metadata
from pathlib import Path

import yaml
from conftest import ROOT

PACKAGE = ROOT / "plugins" / "opentextbook"
ASSETS = PACKAGE / "assets"
MANIFEST = ASSETS / "VENDORED.yml"
PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
FIELDS = ("path", "name", "version", "licence", "licence_file", "source", "sha256")
# A phrase each licence's text contains, so the file beside a vendored copy is that licence.
LICENCE_PHRASES = {
    "MIT": "Permission is hereby granted",
    "BSD-3-Clause": "Redistribution and use",
    "Apache-2.0": "Apache License",
    "OFL-1.1": "SIL OPEN FONT LICENSE",
}
FONT_SUFFIXES = (".woff", ".woff2", ".ttf", ".otf")


def normalize(name: str) -> str:
    """A distribution's name as PEP 503 compares them."""
    return re.sub(r"[-_.]+", "-", name).lower()


def declared(requirements: list[str]) -> set[str]:
    return {normalize(re.match(r"[A-Za-z0-9._-]+", req)[0]) for req in requirements}


RUNTIME = declared(PROJECT["dependencies"])
TEST_EXTRAS = declared(PROJECT["optional-dependencies"]["test"])


def python_files(folder: Path) -> list[Path]:
    skip = {"node_modules", ".venv", "__pycache__"}
    return [path for path in sorted(folder.rglob("*.py")) if not skip & set(path.parts)]


def imported_modules(folder: Path) -> dict[str, str]:
    """Top-level module of every absolute import under ``folder`` -> where it is first seen."""
    found: dict[str, str] = {}
    for path in python_files(folder):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            else:
                continue
            for name in names:
                found.setdefault(name.split(".")[0], f"{path.relative_to(folder)}:{node.lineno}")
    return found


def local_modules(*folders: Path) -> set[str]:
    """Modules a folder provides itself (``conftest``, a benchmark's helpers)."""
    return {path.stem for folder in folders for path in folder.glob("*.py")}


def undeclared(imports: dict[str, str], allowed: set[str], local: set[str]) -> list[str]:
    """One line per import no declared distribution provides."""
    providers = metadata.packages_distributions()
    problems = []
    for module, where in sorted(imports.items()):
        if module in sys.stdlib_module_names or module in local:
            continue
        distributions = {normalize(name) for name in providers.get(module, [])}
        if not distributions:
            problems.append(f"{where}: '{module}' is not provided by any installed distribution")
        elif not distributions & allowed:
            names = ", ".join(sorted(distributions))
            problems.append(f"{where}: '{module}' comes from {names}: add it to pyproject.toml")
    return problems


def test_the_package_declares_every_package_it_imports() -> None:
    assert undeclared(imported_modules(PACKAGE), RUNTIME, {"opentextbook"}) == []


def test_tests_and_benchmarks_declare_theirs_in_the_test_extra() -> None:
    folders = (ROOT / "tests", ROOT / "bench")
    imports = {m: w for folder in folders for m, w in imported_modules(folder).items()}
    local = local_modules(*folders) | {"opentextbook"}
    assert undeclared(imports, RUNTIME | TEST_EXTRAS, local) == []


def test_the_import_check_names_what_is_missing(tmp_path: Path) -> None:
    (tmp_path / "mod.py").write_text(
        "import yaml\nimport hypothesis.strategies\nfrom no_such_module_xyz import x\n"
    )
    problems = undeclared(imported_modules(tmp_path), RUNTIME, set())
    assert problems == [
        "mod.py:2: 'hypothesis' comes from hypothesis: add it to pyproject.toml",
        "mod.py:3: 'no_such_module_xyz' is not provided by any installed distribution",
    ]


def test_no_runtime_dependency_is_under_a_gpl_licence() -> None:
    """The code is MIT: a (non-lesser) GPL or AGPL dependency would change what users may do."""
    for name in sorted(RUNTIME):
        info = metadata.metadata(name)
        texts = [info.get("License-Expression") or "", (info.get("License") or "")[:200]]
        texts += [c for c in info.get_all("Classifier") or [] if c.startswith("License")]
        licence = " ".join(texts)
        assert not re.search(r"(?<![L])GPL|Affero|GNU General Public", licence), (name, licence)
    assert "ebooklib" not in RUNTIME


# ---- vendored files ----------------------------------------------------------------------


def vendored_files(package: Path, assets: Path) -> set[str]:
    """Files that look copied from elsewhere: under vendor/, minified, or fonts."""
    found = set()
    for path in package.rglob("*"):
        name = path.name.lower()
        if not path.is_file() or "licen" in name or path.name == "VENDORED.yml":
            continue
        if "vendor" in path.parts or name.endswith((".min.js", ".min.css", *FONT_SUFFIXES)):
            found.add(Path(os.path.relpath(path, assets)).as_posix())
    return found


def vendored_problems(package: Path, assets: Path, entries: list[dict]) -> list[str]:
    """One line per vendored file not listed, and per listed file that is missing or differs."""
    problems = [
        f"{path}: vendored but not listed in VENDORED.yml"
        for path in sorted(
            vendored_files(package, assets) - {str(entry.get("path")) for entry in entries}
        )
    ]
    for entry in entries:
        problems += entry_problems(assets, entry)
    return problems


def entry_problems(assets: Path, entry: dict) -> list[str]:
    path = entry.get("path")
    missing = [field for field in FIELDS if not str(entry.get(field) or "").strip()]
    if missing:
        return [f"{path}: VENDORED.yml entry lacks {', '.join(missing)}"]
    file, licence = assets / path, assets / entry["licence_file"]
    if not file.is_file():
        return [f"{path}: listed in VENDORED.yml but missing"]
    problems = []
    if hashlib.sha256(file.read_bytes()).hexdigest() != entry["sha256"]:
        problems.append(f"{path}: sha256 differs from VENDORED.yml (changed without updating it)")
    phrase = LICENCE_PHRASES.get(entry["licence"])
    if not licence.is_file() or not phrase or phrase not in licence.read_text(encoding="utf-8"):
        problems.append(f"{path}: no {entry['licence']} licence text in {entry['licence_file']}")
    if not str(entry["source"]).startswith("https://"):
        problems.append(f"{path}: source must be an https:// address")
    if file.suffix in {".js", ".css"} and str(entry["version"]) not in file.read_text()[:400]:
        problems.append(f"{path}: its banner does not name version {entry['version']}")
    return problems


def test_every_vendored_file_is_listed_with_its_hash_and_licence() -> None:
    entries = yaml.safe_load(MANIFEST.read_text(encoding="utf-8"))
    assert len(entries) >= 2  # tablesort and the iframe-worker shim at least
    assert vendored_problems(PACKAGE, ASSETS, entries) == []


def test_the_vendored_check_finds_unlisted_changed_and_missing_files(tmp_path: Path) -> None:
    package = tmp_path / "opentextbook"
    shutil.copytree(ASSETS, package / "assets")
    assets = package / "assets"
    entries = yaml.safe_load(MANIFEST.read_text(encoding="utf-8"))
    (assets / "js" / "vendor" / "extra.js").write_text("/* a new library */")
    (assets / "js" / "tablesort.min.js").write_text("/* edited in place */")
    (assets / "js" / "vendor" / "iframe-worker.LICENSE.txt").unlink()
    (package / "theme" / "fonts").mkdir(parents=True)
    (package / "theme" / "fonts" / "Book.woff2").write_bytes(b"wOF2")
    entries.append({**entries[0], "path": "js/gone.min.js"})
    problems = vendored_problems(package, assets, entries)
    assert problems == [
        "../theme/fonts/Book.woff2: vendored but not listed in VENDORED.yml",
        "js/vendor/extra.js: vendored but not listed in VENDORED.yml",
        "js/tablesort.min.js: sha256 differs from VENDORED.yml (changed without updating it)",
        "js/tablesort.min.js: its banner does not name version 5.7.1",
        "js/vendor/iframe-worker-shim.js: no MIT licence text in"
        " js/vendor/iframe-worker.LICENSE.txt",
        "js/gone.min.js: listed in VENDORED.yml but missing",
    ]
