"""One error style for the whole toolchain: file, line, what is wrong, how to fix it."""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path


@dataclass
class SourceError(Exception):
    """A problem in a file written by a person (data, metadata, a page).

    Raised by the core; the MkDocs adapter turns it into a ``PluginError`` (for data and
    config) or a warning naming the page (for page syntax), and the command line prints it.
    It never carries a traceback to the reader.
    """

    path: str | Path
    message: str
    line: int | None = None
    column: int | None = None
    fix: str | None = None

    def __post_init__(self) -> None:
        super().__init__(str(self))

    @property
    def location(self) -> str:
        """``file:line:column`` with whatever parts are known."""
        where = str(self.path)
        if self.line is not None:
            where += f":{self.line}"
            if self.column is not None:
                where += f":{self.column}"
        return where

    def __str__(self) -> str:
        text = f"{self.location}: {self.message}"
        if self.fix:
            text += f" — {self.fix}"
        return text


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    """A hint naming the closest valid choice, or listing them all when none is close."""
    choices = sorted(choices)
    close = difflib.get_close_matches(word, choices, n=1, cutoff=0.6)
    if close:
        return f"did you mean '{close[0]}'?"
    return "valid choices: " + ", ".join(f"'{c}'" for c in choices)
