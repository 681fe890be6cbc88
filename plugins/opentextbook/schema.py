"""Declared schemas of the book's data sets: which fields an entry may have, and of what kind.

A remixer edits ``data/*.yml`` by hand, so the schema is the contract that turns a typo into a
message naming the file, line and field instead of a silently empty table cell. Each field says
what it holds (``kind``), whether it must be given, its valid choices, and the column heading a
table shows for it. Facts that are not known are left out of the data and shown as unknown.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

FieldKind = Literal["id", "text", "url", "choice", "choices", "texts", "notes"]

#: What each kind means in a message ("must be …").
KIND_DESCRIPTIONS: dict[str, str] = {
    "id": "a short id of lower-case letters, digits and hyphens (e.g. 'go-gn')",
    "text": "text",
    "url": "an http(s) or mailto address",
    "choice": "one of the listed choices",
    "choices": "a list of the listed choices",
    "texts": "a list of text",
    "notes": "a list of notes, each with 'by' and 'note'",
}

#: Shown for a left-out field that an entry may simply not have (see ``Field.absent``).
NONE_GIVEN = "none given"

#: Fields of one note: a first-hand remark attributed to the person who made it.
NOTE_FIELDS = ("by", "note")


@dataclass(frozen=True)
class Field:
    """One field of a data set entry.

    Attributes:
        name: the key written in the YAML file.
        label: the column heading in tables and CSV downloads.
        kind: what the value holds (see :data:`KIND_DESCRIPTIONS`).
        required: whether every entry must give it (unknown facts are simply left out).
        choices: valid values of a ``choice``/``choices`` field, with a label for each.
        absent: what a table shows when the field is left out: "not known" for facts, but
            "none given" for things such as an acronym that an entry may simply not have.
    """

    name: str
    label: str
    kind: FieldKind = "text"
    required: bool = False
    choices: dict[str, str] = field(default_factory=dict)
    absent: str = "not known"

    def choice_label(self, value: str) -> str:
        """How a choice is shown to readers (``pd-tracking`` → ``PD tracking``)."""
        return self.choices.get(value, value)


@dataclass(frozen=True)
class DatasetSchema:
    """A data set: its name in pages and macros, its file in ``data/``, and its fields."""

    name: str
    file: str
    title: str
    fields: tuple[Field, ...]
    id_field: str = "id"

    def field(self, name: str) -> Field:
        return self.field_map[name]

    @property
    def field_map(self) -> dict[str, Field]:
        return {f.name: f for f in self.fields}

    @property
    def field_names(self) -> list[str]:
        return [f.name for f in self.fields]


_OFFERS = {
    "journals": "journals",
    "magazine": "magazine",
    "digital-library": "digital library",
    "interest-groups": "special interest groups",
    "local-chapters": "local chapters",
    "conferences": "conferences",
    "online-conferences": "online conferences",
    "webinars": "webinars",
    "recordings": "recordings archive",
    "e-books": "e-books",
    "handbooks": "handbooks",
    "research-reports": "research reports",
    "publications": "publications",
    "credentials": "credentials",
    "pd-tracking": "PD tracking",
}

_YES_NO = {"yes": "yes", "no": "no", "partly": "partly"}

ORGANIZATIONS = DatasetSchema(
    name="organizations",
    file="organizations.yml",
    title="Professional networks for instructional designers",
    fields=(
        Field("id", "Id", "id", required=True),
        Field("name", "Name", required=True),
        Field("acronym", "Acronym", absent=NONE_GIVEN),
        Field("formerly", "Formerly", absent=NONE_GIVEN),
        Field("website", "Web site", "url"),
        Field("scope", "Scope"),
        Field("based_in", "Based in"),
        Field("founded", "Founded"),
        Field("focus", "Focus"),
        Field("offers", "Offers", "choices", choices=_OFFERS),
        Field("publications", "Publications", "texts"),
        Field("credentials", "Credentials", "texts"),
        Field("free_membership", "Free membership", "choice", choices=_YES_NO),
        Field("membership", "Membership"),
        Field("notes", "Colleague's notes", "notes"),
        Field("source", "Source", required=True),
    ),
)

PLN_NODES = DatasetSchema(
    name="pln_nodes",
    file="pln-nodes.yml",
    title="Examples from the author's PLN",
    fields=(
        Field("id", "Id", "id", required=True),
        Field("name", "Node", required=True),
        Field(
            "kind",
            "Kind",
            "choice",
            required=True,
            choices={
                "person": "person",
                "chat": "Twitter chat",
                "community": "community",
                "podcast": "podcast",
            },
        ),
        Field("website", "Web site", "url", absent=NONE_GIVEN),
        Field("where", "Where", absent=NONE_GIVEN),
        Field("hosts", "Hosted by", absent=NONE_GIVEN),
        Field("about", "About"),
        Field("learns", "What the author learns there", required=True),
        Field("source", "Source", required=True),
    ),
)

#: Every data set the book knows, by the name pages and macros use.
SCHEMAS: dict[str, DatasetSchema] = {s.name: s for s in (ORGANIZATIONS, PLN_NODES)}
