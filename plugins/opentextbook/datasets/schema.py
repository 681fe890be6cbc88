"""Read a data set's schema from ``data/<name>.schema.yml``, written in Frictionless Table Schema.

The schema is the contract that turns a remixer's typo into a message naming the file, line
and field. It is data, not Python, so a new data set needs no code: fields with ``name``,
``title``, ``type``, ``format``, ``description`` and ``constraints`` (required, unique, enum,
pattern, minimum, maximum), ``primaryKey``, and the data set's ``title`` and ``description``,
as the open-data standard writes them (https://specs.frictionlessdata.io/table-schema/). What
the standard has no word for (labels of choices, what a missing value is shown as, the keys of
a list of notes) sits under one key, ``opentextbook:``. A bad schema file is reported like bad
data: file, line, what is wrong, the fix.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from opentextbook.datasets.values import kind_of
from opentextbook.i18n import t
from opentextbook.support.errors import did_you_mean
from opentextbook.support.yamlsource import KeyPath, YamlDocument, load_yaml

SCHEMA_SUFFIX = ".schema.yml"
OURS = "opentextbook"
"""The one key under which our additions to the standard live."""

#: Types a field may have, and what each means in a message ("must be …").
TYPE_DESCRIPTIONS: dict[str, str] = {
    "string": "text",
    "integer": "a whole number",
    "number": "a number",
    "boolean": "true or false",
    "date": "a date written YYYY-MM-DD",
    "year": "a year such as 2024",
    "array": "a list",
}
ITEM_TYPES = {"string", "integer", "number", "boolean", "date", "year", "object"}
FORMATS = {"string": {"default", "uri", "email"}}

#: Shown for a left-out value unless the schema says otherwise.
NOT_KNOWN = "not known"
#: Shown for a left-out field that an entry may simply not have (an acronym, a web site).
NONE_GIVEN = "none given"

_TOP_KEYS = ("title", "description", "fields", "primaryKey", "missingValues")
_FIELD_KEYS = ("name", "title", "type", "format", "description", "constraints", "arrayItem", OURS)
_ITEM_KEYS = ("type", "format", "constraints")
_CONSTRAINTS = ("required", "unique", "enum", "pattern", "minimum", "maximum")
_OUR_FIELD_KEYS = ("labels", "missing", "keys", "shown", "hint")
_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


@dataclass(frozen=True)
class Field:
    """One field of a data set, as its schema declares it.

    Attributes:
        name: the key in YAML, the column heading in CSV.
        type: a Table Schema type (``string``, ``integer``, ``number``, ``boolean``, ``date``,
            ``year``, ``array``); for an array, ``item`` describes each element.
        format: ``uri`` (an http(s) or mailto address) or ``email`` for strings.
        enum: the valid choices; ``labels`` says how each is shown to readers.
        missing: what a table shows when the value is left out ("not known").
        keys: for a list of objects (notes), the keys each must have; ``shown`` how one reads.
        hint: how a valid value looks, for messages when ``pattern`` does not match.
    """

    name: str
    title: str = ""
    type: str = "string"
    format: str = "default"
    description: str = ""
    required: bool = False
    unique: bool = False
    enum: tuple[Any, ...] = ()
    pattern: str = ""
    minimum: Any = None
    maximum: Any = None
    item: Field | None = None
    labels: dict[str, str] = field(default_factory=dict)
    missing: str = NOT_KNOWN
    keys: tuple[str, ...] = ()
    shown: str = ""
    hint: str = ""

    @property
    def label(self) -> str:
        """The column heading in tables: the title, or the name when there is none."""
        return self.title or self.name

    @property
    def absent(self) -> str:
        """What a table shows for a missing value, in the book's language unless the schema
        says its own words."""
        if self.missing in (NOT_KNOWN, NONE_GIVEN):
            return t("data.not_known" if self.missing == NOT_KNOWN else "data.none_given")
        return self.missing

    @property
    def choices(self) -> dict[str, str]:
        """Valid choices (of the field, or of its items) with the label of each, in order."""
        enum = self.item.enum if self.item else self.enum
        return {str(value): self.choice_label(value) for value in enum}

    def choice_label(self, value: Any) -> str:
        """How a value is shown to readers (``pd-tracking`` → ``PD tracking``)."""
        return self.labels.get(str(value), str(value))

    @property
    def is_list(self) -> bool:
        return self.type == "array"

    @property
    def is_url(self) -> bool:
        return self.format == "uri"

    @property
    def description_of_type(self) -> str:
        """What a valid value is, in words ("an http(s) or mailto address")."""
        if self.format == "uri":
            return "an http(s) or mailto address"
        if self.format == "email":
            return "an e-mail address"
        if self.enum:
            return "one of the listed choices"
        if self.type == "object":
            return "a mapping with " + ", ".join(f"'{k}'" for k in self.keys)
        return TYPE_DESCRIPTIONS.get(self.type, self.type)


@dataclass(frozen=True)
class TableSchema:
    """A data set's schema: its name in pages and macros, its title, and its fields."""

    name: str
    path: Path = field(repr=False, compare=False)
    """Where the schema was read (not part of its ``repr``, which keys caches: a copied or
    moved book keeps its caches)."""
    title: str = ""
    fields: tuple[Field, ...] = ()
    description: str = ""
    primary_key: str = ""
    missing_values: tuple[str, ...] = ("",)

    def field(self, name: str) -> Field:
        return self.field_map[name]

    @functools.cached_property
    def field_map(self) -> dict[str, Field]:
        return {f.name: f for f in self.fields}

    @property
    def field_names(self) -> list[str]:
        return [f.name for f in self.fields]

    @property
    def id_field(self) -> str:
        """The field naming each entry (``primaryKey``), or ``""`` when there is none."""
        return self.primary_key


def dataset_name(path: str | Path) -> str:
    """``data/pln-nodes.schema.yml`` → ``pln_nodes``: the name pages and macros use."""
    name = Path(path).name
    stem = name.removesuffix(SCHEMA_SUFFIX) if name.endswith(SCHEMA_SUFFIX) else Path(name).stem
    return stem.replace("-", "_")


def load_schema(path: str | Path) -> TableSchema:
    """Read and check ``path``; raise :class:`SourceError` on the first problem."""
    path = Path(path)
    document = load_yaml(path, label="schema file")
    top = _mapping(document, (), "the schema", (*_TOP_KEYS, OURS))
    fields = _list(document, ("fields",), top.get("fields"), "fields")
    if not fields:
        raise document.error((), "the schema has no 'fields'", fix="list them under 'fields:'")
    parsed = tuple(_field(document, ("fields", i)) for i in range(len(fields)))
    _check_unique_names(document, parsed)
    return TableSchema(
        name=dataset_name(path),
        path=path,
        title=_text(document, ("title",), top.get("title")) or dataset_name(path),
        description=_text(document, ("description",), top.get("description")),
        fields=parsed,
        primary_key=_primary_key(document, top.get("primaryKey"), parsed),
        missing_values=_missing_values(document, top),
    )


def _field(document: YamlDocument, at: KeyPath) -> Field:
    spec = _mapping(document, at, "a field", _FIELD_KEYS)
    name = spec.get("name")
    if not isinstance(name, str) or not _NAME.match(name):
        raise document.error(
            (*at, "name") if "name" in spec else at,
            f"field {at[-1] + 1} needs a 'name' of letters, digits and '_', not {name!r}",
            fix="e.g. 'name: website'",
        )
    kind = _type(document, (*at, "type"), spec.get("type", "string"), TYPE_DESCRIPTIONS)
    ours = _mapping(document, (*at, OURS), f"'{OURS}' of field '{name}'", _OUR_FIELD_KEYS)
    item = _array_item(document, at, spec, ours) if kind == "array" else None
    if kind != "array" and "arrayItem" in spec:
        raise document.error((*at, "arrayItem"), "'arrayItem' is only for 'type: array'")
    constraints = _constraints(document, at, spec, kind)
    return Field(
        name=name,
        title=_text(document, (*at, "title"), spec.get("title")),
        type=kind,
        format=_format(document, (*at, "format"), spec.get("format", "default"), kind),
        description=_text(document, (*at, "description"), spec.get("description")),
        item=item,
        **constraints,
        **_our_additions(document, (*at, OURS), ours, item),
    )


def _array_item(document: YamlDocument, at: KeyPath, spec: dict, ours: dict) -> Field:
    where = (*at, "arrayItem")
    item = _mapping(document, where, "'arrayItem'", _ITEM_KEYS)
    kind = _type(document, (*where, "type"), item.get("type", "string"), ITEM_TYPES)
    if kind == "object" and not ours.get("keys"):
        raise document.error(
            where,
            "a list of objects needs the keys each object has",
            fix=f"add '{OURS}: {{keys: [by, note]}}' to the field",
        )
    return Field(
        name=spec["name"],
        type=kind,
        format=_format(document, (*where, "format"), item.get("format", "default"), kind),
        keys=tuple(ours.get("keys") or ()),
        **_constraints(document, where, item, kind),
    )


def _constraints(document: YamlDocument, at: KeyPath, spec: dict, kind: str) -> dict[str, Any]:
    where = (*at, "constraints")
    given = _mapping(document, where, "'constraints'", _CONSTRAINTS)
    for flag in ("required", "unique"):
        if flag in given and not isinstance(given[flag], bool):
            raise document.error((*where, flag), f"'{flag}' must be true or false")
    enum = given.get("enum", [])
    if enum and kind == "array":
        raise document.error(
            (*where, "enum"),
            "the choices of a list go under 'arrayItem'",
            fix="write 'arrayItem: {constraints: {enum: [...]}}'",
        )
    if not isinstance(enum, list) or not all(isinstance(v, str | int) for v in enum):
        raise document.error((*where, "enum"), "'enum' must be a list of choices", fix="[a, b]")
    pattern = _text(document, (*where, "pattern"), given.get("pattern"))
    try:
        re.compile(pattern)
    except re.error as exc:
        raise document.error(
            (*where, "pattern"), f"'pattern' is not a valid regex: {exc}"
        ) from None
    bounds = {key: given.get(key) for key in ("minimum", "maximum")}
    for key, value in bounds.items():
        if value is not None and (isinstance(value, bool) or kind not in _ORDERED):
            raise document.error(
                (*where, key), f"'{key}' is for numbers, years and dates, not type '{kind}'"
            )
    return {
        "required": given.get("required", False),
        "unique": given.get("unique", False),
        "enum": tuple("yes" if v is True else "no" if v is False else v for v in enum),
        "pattern": pattern,
        **{k: str(v) if kind == "date" and v is not None else v for k, v in bounds.items()},
    }


_ORDERED = {"integer", "number", "year", "date"}


def _our_additions(document: YamlDocument, at: KeyPath, ours: dict, item: Field | None):
    labels = ours.get("labels", {})
    if not isinstance(labels, dict) or not all(isinstance(v, str) for v in labels.values()):
        raise document.error((*at, "labels"), "'labels' must map each choice to its label")
    keys = ours.get("keys", [])
    if keys and (item is None or item.type != "object"):
        raise document.error((*at, "keys"), "'keys' is for a list of objects (arrayItem object)")
    if not isinstance(keys, list) or not all(isinstance(k, str) for k in keys):
        raise document.error((*at, "keys"), "'keys' must be a list of names", fix="[by, note]")
    shown = _text(document, (*at, "shown"), ours.get("shown"))
    for placeholder in re.findall(r"\{([^}]*)\}", shown):
        if placeholder not in keys:
            raise document.error(
                (*at, "shown"), f"'shown' uses {{{placeholder}}}, which is not one of 'keys'"
            )
    return {
        "labels": {str(k): v for k, v in labels.items()},
        "missing": _text(document, (*at, "missing"), ours.get("missing")) or NOT_KNOWN,
        "keys": tuple(keys),
        "shown": shown,
        "hint": _text(document, (*at, "hint"), ours.get("hint")),
    }


def _primary_key(document: YamlDocument, value: Any, fields: tuple[Field, ...]) -> str:
    if value is None:
        return ""
    if isinstance(value, list) and len(value) == 1:
        value = value[0]
    names = [f.name for f in fields]
    if not isinstance(value, str) or value not in names:
        raise document.error(
            ("primaryKey",),
            f"'primaryKey' must name one field, not {value!r}",
            fix=did_you_mean(str(value), names),
        )
    return value


def _missing_values(document: YamlDocument, top: dict) -> tuple[str, ...]:
    values = top.get("missingValues", [""])
    if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
        raise document.error(("missingValues",), "'missingValues' must be a list of text")
    return tuple(values)


def _check_unique_names(document: YamlDocument, fields: tuple[Field, ...]) -> None:
    seen: set[str] = set()
    for index, spec in enumerate(fields):
        if spec.name in seen:
            raise document.error(
                ("fields", index, "name"),
                f"field '{spec.name}' is declared twice",
                fix="give each field its own name",
            )
        seen.add(spec.name)


def _mapping(document: YamlDocument, at: KeyPath, what: str, allowed: tuple[str, ...]) -> dict:
    value = _get(document.data, at)
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise document.error(at, f"{what} must be a mapping of keys, not {kind_of(value)}")
    for key in value:
        if key not in allowed:
            raise document.error(
                (*at, key), f"unknown key '{key}' in {what}", fix=did_you_mean(key, allowed)
            )
    return value


def _list(document: YamlDocument, at: KeyPath, value: Any, what: str) -> list:
    if value is not None and not isinstance(value, list):
        raise document.error(
            at, f"'{what}' must be a list, not {kind_of(value)}", fix="start each with '- name:'"
        )
    return value or []


def _type(document: YamlDocument, at: KeyPath, value: Any, allowed) -> str:
    if value not in allowed:
        raise document.error(
            at, f"unknown type {value!r}", fix=did_you_mean(str(value), sorted(allowed))
        )
    return value


def _format(document: YamlDocument, at: KeyPath, value: Any, kind: str) -> str:
    allowed = FORMATS.get(kind, {"default"})
    if value not in allowed:
        raise document.error(
            at, f"unknown format {value!r} for type '{kind}'", fix=did_you_mean(str(value), allowed)
        )
    return value


def _text(document: YamlDocument, at: KeyPath, value: Any) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise document.error(at, f"'{at[-1]}' must be text, not {kind_of(value)}")
    return value.strip()


def _get(data: Any, at: KeyPath) -> Any:
    for key in at:
        if isinstance(data, dict):
            data = data.get(key)
        elif isinstance(data, list) and isinstance(key, int) and key < len(data):
            data = data[key]
        else:
            return None
    return data
