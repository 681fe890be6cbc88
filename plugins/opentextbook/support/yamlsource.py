"""Load YAML written by people, keeping where every value came from.

PyYAML's ``safe_load`` forgets line numbers and silently keeps the last of two duplicate keys.
Remixers edit these files by hand, so every later error must point at a line: this module
composes the node tree, builds plain Python values from it and records the position of each.

The work a file can cause is bounded, so no input hangs the build: at most :data:`MAX_BYTES`
are read, values nest at most :data:`MAX_DEPTH` deep, and aliases (``*name``) are refused. An
alias shares a node, and plain values built from shared nodes are copies: a 700-byte file of
nested aliases ("billion laughs") would expand to hundreds of millions of values.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from opentextbook.support.errors import SourceError

KeyPath = tuple[str | int, ...]

# libyaml composes ~5x faster than pure Python, with the same marks (lines and columns).
_COMPOSER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

#: Largest YAML file read: hand-edited data is far smaller, and PyYAML needs ~3 s a megabyte.
MAX_BYTES = 2 * 2**20

#: Most values a page's front matter may hold, counting each use of a shared (aliased) value:
#: MkDocs reads front matter itself, and printing or JSON-dumping it expands every alias.
MAX_FRONT_MATTER_VALUES = 10_000

#: Deepest nesting of lists and mappings: data is a few levels deep; Python's stack is not endless.
MAX_DEPTH = 100


@dataclass
class YamlDocument:
    """Plain data from a YAML file, with the line and column of every mapping key and item."""

    path: Path
    data: Any
    positions: dict[KeyPath, tuple[int, int]] = field(default_factory=dict)

    def position(self, keypath: KeyPath) -> tuple[int | None, int | None]:
        """Line and column (1-based) of the nearest known ancestor of ``keypath``."""
        while keypath:
            if keypath in self.positions:
                return self.positions[keypath]
            keypath = keypath[:-1]
        return self.positions.get((), (None, None))

    def error(self, keypath: KeyPath, message: str, fix: str | None = None) -> SourceError:
        """A :class:`SourceError` pointing at ``keypath`` in this file."""
        line, column = self.position(keypath)
        return SourceError(self.display_path, message, line=line, column=column, fix=fix)

    @property
    def display_path(self) -> str:
        return _display_path(self.path)


def load_yaml(path: str | Path, *, label: str = "data file") -> YamlDocument:
    """Read ``path`` as UTF-8 YAML; any problem becomes a :class:`SourceError`."""
    path = Path(path)
    shown = _display_path(path)
    try:
        check_size(path, shown, label)
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise SourceError(
            shown, f"{label} not found", fix="check the file name and folder"
        ) from None
    except UnicodeDecodeError as exc:
        line = exc.object[: exc.start].count(b"\n") + 1
        raise SourceError(
            shown,
            f"{label} is not UTF-8 text (byte {exc.start} cannot be read)",
            line=line,
            fix="save the file as UTF-8 in your editor",
        ) from None
    except OSError as exc:
        raise SourceError(shown, f"cannot read {label}: {exc.strerror}") from None
    return parse_yaml(text, path, label=label)


def check_size(path: Path, shown: str, label: str, items: str = "entries") -> None:
    """Refuse a file too big to be hand-edited data before spending a minute parsing it
    (YAML and CSV alike; ``items`` names what a remixer would remove)."""
    size = path.stat().st_size
    if size > MAX_BYTES:
        raise SourceError(
            shown,
            f"{label} is {size / 2**20:.1f} MB, more than the {MAX_BYTES // 2**20} MB limit",
            line=1,
            fix=f"split it into smaller files or remove {items} the book does not use",
        )


def parse_yaml(text: str, path: str | Path, *, label: str = "data file") -> YamlDocument:
    """Parse YAML ``text`` that came from ``path`` (used in messages only)."""
    path = Path(path)
    shown = _display_path(path)
    try:
        node = yaml.compose(text, Loader=_COMPOSER)
    except yaml.MarkedYAMLError as exc:
        raise _syntax_error(shown, exc) from None
    except yaml.YAMLError as exc:  # pragma: no cover - PyYAML marks nearly every error
        raise SourceError(shown, f"not valid YAML: {exc}") from None
    if node is None:
        raise SourceError(
            shown, f"{label} is empty", line=1, fix="add the data, or remove the file"
        )
    document = YamlDocument(path=path, data=None)
    _refuse_aliases(node, text, shown)
    document.data = _build(node, (), document, shown)
    return document


def list_entries(text: str) -> list[str] | None:
    """The entries of a document written as one block list from the left margin (``- id: …``
    lines, what is indented below them, comments and blank lines); ``None`` for any other
    document.

    Each entry parses alone to what it is in the whole list, so a caller can keep what it made
    of an entry and parse again only the entries an edit changed. Anything this does not
    recognise (a top-level mapping, a directive, a tab or text at the margin inside an entry)
    gives ``None``, and the caller parses the whole file, which also finds its errors.
    """
    entries: list[list[str]] = []
    for line in text.splitlines(keepends=True):
        if _ENTRY_START.match(line):
            entries.append([line])
        elif line[:1] == " " or not line.strip() or line.startswith("#"):
            if entries:
                entries[-1].append(line)
            elif line.strip() and not line.startswith("#"):
                return None  # indented text before the first entry
        elif not (line.rstrip() == "---" and not entries):
            return None
    return ["".join(lines) for lines in entries]


_ENTRY_START = re.compile(r"-(?:[ ]|\r?\n|$)")


def _refuse_aliases(root: yaml.Node, text: str, shown: str) -> None:
    """Refuse a document where a node is reached twice: an alias, or an alias bomb.

    Walks each node once (a set of the nodes seen), so it costs no more than composing did.
    """
    seen: set[int] = set()
    stack = [root]
    while stack:
        node = stack.pop()
        if id(node) in seen:
            raise _alias_error(text, shown)
        seen.add(id(node))
        if isinstance(node, yaml.MappingNode):
            stack.extend(child for pair in node.value for child in pair)
        elif isinstance(node, yaml.SequenceNode):
            stack.extend(node.value)


def _alias_error(text: str, shown: str) -> SourceError:
    """The error for the first alias of ``text`` (found again by the scanner: nodes only
    know where their anchor is)."""
    token = next(t for t in yaml.scan(text, Loader=_COMPOSER) if isinstance(t, yaml.AliasToken))
    return SourceError(
        shown,
        f"YAML aliases ('*{token.value}') are not supported in data files",
        line=token.start_mark.line + 1,
        column=token.start_mark.column + 1,
        fix="write the value out in full where it is needed",
    )


def _build(node: yaml.Node, keypath: KeyPath, document: YamlDocument, shown: str) -> Any:
    mark = node.start_mark
    document.positions.setdefault(keypath, (mark.line + 1, mark.column + 1))
    if len(keypath) > MAX_DEPTH:
        raise SourceError(
            shown,
            f"values are nested more than {MAX_DEPTH} levels deep",
            line=mark.line + 1,
            column=mark.column + 1,
            fix="flatten the data: entries are lists of fields, a few levels deep",
        )
    if isinstance(node, yaml.MappingNode):
        return _build_mapping(node, keypath, document, shown)
    if isinstance(node, yaml.SequenceNode):
        return [_build(item, (*keypath, i), document, shown) for i, item in enumerate(node.value)]
    try:
        return yaml.SafeLoader(" ").construct_object(node, deep=True)
    except yaml.constructor.ConstructorError as exc:
        raise _syntax_error(shown, exc) from None


def _build_mapping(
    node: yaml.MappingNode, keypath: KeyPath, document: YamlDocument, shown: str
) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key_node, value_node in node.value:
        line, column = key_node.start_mark.line + 1, key_node.start_mark.column + 1
        if not isinstance(key_node, yaml.ScalarNode):
            raise SourceError(shown, "a key must be plain text", line=line, column=column)
        key = str(key_node.value)
        if key in result:
            first = document.positions[(*keypath, key)][0]
            raise SourceError(
                shown,
                f"duplicate key '{key}' (first given on line {first})",
                line=line,
                column=column,
                fix="keep one of the two",
            )
        document.positions[(*keypath, key)] = (line, column)
        result[key] = _build(value_node, (*keypath, key), document, shown)
        document.positions[(*keypath, key)] = (line, column)
    return result


def _syntax_error(shown: str, exc: yaml.MarkedYAMLError) -> SourceError:
    mark = exc.problem_mark or exc.context_mark
    problem = exc.problem or "not valid YAML"
    fix = "check indentation, colons and quotes on this line or the one before"
    if "\\t" in problem or "tab" in problem.lower():
        fix = "indent with spaces, not tabs"
    line = mark.line + 1 if mark else None
    column = mark.column + 1 if mark else None
    return SourceError(shown, f"not valid YAML: {problem}", line=line, column=column, fix=fix)


def _display_path(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def display_path(path: str | Path) -> str:
    """``path`` as messages show it: relative to the working folder when it is inside it."""
    return _display_path(Path(path))


def exceeds_values(value: Any, limit: int) -> bool:
    """True when ``value`` holds more than ``limit`` values, each shared value counted every
    time it appears (as printing it would); stops at the limit, so a bomb costs ``limit`` steps.

    A value that contains itself (a recursive alias) is endless, so it exceeds any limit.
    """
    stack, count = [value], 0
    while stack:
        item = stack.pop()
        count += 1
        if count > limit:
            return True
        if isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list | tuple | set):
            stack.extend(item)
    return False
