"""Check one value against its field: the same rules whether it came from YAML or from CSV.

YAML gives typed values (numbers, dates, yes/no, lists); a CSV cell is always text, read as
the field's type says (``;`` separates the items of a list). Either way the result is plain
JSON data (dates as ``YYYY-MM-DD``), so records can be cached and downloaded as they are. A bad
value raises :class:`Invalid` with what is wrong and how to fix it; the loader adds the file,
line and field.
"""

from __future__ import annotations

import datetime
import math
import re
from typing import TYPE_CHECKING, Any

from opentextbook.support.errors import did_you_mean
from opentextbook.support.urls import UnsafeUrl, check_url

if TYPE_CHECKING:
    from opentextbook.datasets.schema import Field

LIST_SEPARATOR = ";"
_EMAIL = re.compile(r"^[^@\s<>\"]+@[^@\s<>\"]+\.[^@\s<>\"]+$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_TRUE = {"true", "yes", "1"}
_FALSE = {"false", "no", "0"}


class Invalid(Exception):
    """A value that is not what its field says; ``fix`` tells the reader what to write."""

    def __init__(self, message: str, fix: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.fix = fix


def check_value(spec: Field, value: Any, *, from_text: bool = False) -> Any:
    """The valid value of ``spec`` for ``value`` (never ``None``), or raise :class:`Invalid`.

    ``from_text``: ``value`` is a CSV cell, to be read as the field's type.
    """
    if spec.type == "array":
        return _check_list(spec, value, from_text)
    return _check_single(spec, value, from_text)


def _check_single(spec: Field, value: Any, from_text: bool) -> Any:
    if spec.enum and isinstance(value, bool) and {"yes", "no"} & set(spec.enum):
        value = "yes" if value else "no"  # YAML reads a bare yes/no as true/false
    value = _CHECKERS[spec.type](spec, value.strip() if from_text else value)
    if spec.enum:
        return _check_choice(spec, value)
    _check_bounds(spec, value)
    if spec.pattern and not re.fullmatch(spec.pattern, str(value)):
        wanted = spec.hint or f"text matching the pattern {spec.pattern}"
        raise Invalid(f"must be {wanted}, not '{value}'", fix=_example(spec))
    return value


def _check_list(spec: Field, value: Any, from_text: bool) -> list[Any]:
    item = spec.item
    if from_text:
        if item is not None and item.type == "object":
            raise Invalid(
                "holds a list of objects, which a CSV cell cannot hold",
                fix="keep this data set in YAML (data/<name>.yml)",
            )
        value = [part for part in (p.strip() for p in value.split(LIST_SEPARATOR)) if part]
    elif not isinstance(value, list):
        raise Invalid(
            f"must be a list, not {kind_of(value)}",
            fix="write it as [first, second] or as '- item' lines",
        )
    if item is None:
        return [_check_text(spec, v) for v in value]
    if item.type == "object":
        return [_check_object(spec, item, v) for v in value]
    return [_check_single(item, v, from_text) for v in value]


def _check_text(spec: Field, value: Any) -> str:
    if isinstance(value, str):
        text = value.strip()
    elif isinstance(value, int | float) and not isinstance(value, bool):
        if isinstance(value, float) and not math.isfinite(value):
            raise Invalid(
                f"must be text, not {kind_of(value)}",
                fix="leave the field out when it is not known, or put the value in quotes",
            )
        text = str(value)  # a number is text too: a year such as 1947
    else:
        raise Invalid(f"must be text, not {kind_of(value)}", fix=_quote_fix(value))
    if spec.format == "uri":
        try:
            return check_url(text)
        except UnsafeUrl as error:
            raise Invalid(str(error), fix=error.fix) from None
    if spec.format == "email" and not _EMAIL.match(text):
        raise Invalid(f"must be an e-mail address, not '{text}'", fix="e.g. 'name@example.org'")
    return text


def _check_integer(spec: Field, value: Any) -> int:
    if isinstance(value, str) and re.fullmatch(r"[+-]?\d+", value):
        return int(value)
    if isinstance(value, float) and math.isfinite(value) and value.is_integer():
        return int(value)
    if isinstance(value, bool) or not isinstance(value, int):
        raise Invalid(f"must be a whole number, not {_shown_kind(value)}", fix="e.g. 12")
    return value


def _check_number(spec: Field, value: Any) -> int | float:
    if isinstance(value, str):
        try:
            value = int(value) if re.fullmatch(r"[+-]?\d+", value) else float(value)
        except ValueError:
            raise Invalid(f"must be a number, not '{value}'", fix="e.g. 3.5") from None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise Invalid(f"must be a number, not {kind_of(value)}", fix="e.g. 3.5")
    _check_finite(value)
    return value


def _check_boolean(spec: Field, value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in _TRUE | _FALSE:
        return value.lower() in _TRUE
    raise Invalid(f"must be true or false, not {_shown_kind(value)}", fix="write true or false")


def _check_date(spec: Field, value: Any) -> str:
    if isinstance(value, datetime.datetime):
        raise Invalid("must be a date without a time", fix=f"write {value.date().isoformat()}")
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, str) and _DATE.match(value):
        try:
            return datetime.date.fromisoformat(value).isoformat()
        except ValueError:
            raise Invalid(f"is not a real date: '{value}'", fix="check the month and day") from None
    raise Invalid(f"must be a date written YYYY-MM-DD, not {_shown_kind(value)}", "e.g. 2024-09-30")


def _check_year(spec: Field, value: Any) -> int:
    if isinstance(value, str) and re.fullmatch(r"\d{4}", value):
        return int(value)
    if isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= 9999:
        return value
    raise Invalid(f"must be a year such as 2024, not {_shown_kind(value)}", fix="e.g. 1947")


_CHECKERS = {
    "string": _check_text,
    "integer": _check_integer,
    "number": _check_number,
    "boolean": _check_boolean,
    "date": _check_date,
    "year": _check_year,
}


def _check_choice(spec: Field, value: Any) -> Any:
    if value not in spec.enum:
        choices = [str(c) for c in spec.enum]
        raise Invalid(
            f"has '{value}', which is not a valid choice", did_you_mean(str(value), choices)
        )
    return value


def _check_object(spec: Field, item: Field, value: Any) -> dict[str, str]:
    if not isinstance(value, dict) or set(value) != set(item.keys):
        names = " and ".join(f"'{key}'" for key in item.keys)
        first, *rest = item.keys
        below = ", ".join(f"'{key}: ...'" for key in rest)
        raise Invalid(
            f"must hold items with exactly the fields {names}",
            fix=f"write each as '- {first}: ...'" + (f" with {below} below it" if rest else ""),
        )
    return {key: _check_text(item, value[key]) for key in item.keys}


def _check_bounds(spec: Field, value: Any) -> None:
    if spec.minimum is not None and value < spec.minimum:
        raise Invalid(f"is {value}, less than the minimum {spec.minimum}")
    if spec.maximum is not None and value > spec.maximum:
        raise Invalid(f"is {value}, more than the maximum {spec.maximum}")


def _check_finite(value: int | float) -> None:
    if isinstance(value, float) and not math.isfinite(value):
        raise Invalid(
            f"must be a number you can write down, not {kind_of(value)}",
            fix="leave the field out when the value is not known",
        )


def _quote_fix(value: Any) -> str:
    if isinstance(value, datetime.date):
        return f"YAML read this as a date: write it in quotes, '{value.isoformat()}'"
    if isinstance(value, bool):
        return "YAML read this as yes/no: write the value in quotes"
    return "write the value on one line, in quotes"


def _example(spec: Field) -> str | None:
    found = re.search(r"e\.g\. ('[^']*')", spec.hint)
    return f"e.g. {found[1]}" if found else None


def _shown_kind(value: Any) -> str:
    return f"'{value}'" if isinstance(value, str) else kind_of(value)


def kind_of(value: Any) -> str:
    """What a YAML value is, in a reader's words ("a date", "a list", "text")."""
    if isinstance(value, bool):
        return "yes/no (true/false)"
    if isinstance(value, datetime.datetime):
        return "a date and time"
    if isinstance(value, datetime.date):
        return "a date"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, float) and math.isnan(value):
        return "'.nan' (not a number)"
    if isinstance(value, float) and math.isinf(value):
        return "infinity ('.inf')"
    if isinstance(value, int | float):
        return "a number"
    if value is None:
        return "nothing"
    return "text"
