"""Classroom packets, facilitator editions and answer keys, assembled from rendered sheets.

A packet used to be one WeasyPrint document laying out every sheet again: most of the PDF
rendering time, and an edit to one activity laid out all of them again. Now each packet is
joined (:func:`opentextbook.publishing.assembly.assemble_pdfs`) from PDFs rendered one
activity at a time and cached like the worksheets:

- the **classroom packet** from the student worksheets themselves (the site's own files);
- the **facilitator edition** from per-activity *facilitator sheets* (the sheet with its
  solutions and teacher notes), then the teacher notes outside activities;
- the **answer key** from per-activity *answer keys* of the activities that give a solution.

Those edition parts live in the cache only (``worksheets/parts/<edition>/…``). The cover and
contents are rendered alone, last: the contents give each sheet's first page in the packet,
counted from the rendered parts, so the cover is keyed by those page counts and is rendered
again only when a count changes (or what it lists). Page numbers: the cover's footer and the
contents count the packet's pages, and the PDF's page labels are the packet's page numbers;
each sheet keeps its own "Page 1 of 2" footer (a sheet is the unit a teacher photocopies).
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass
from pathlib import Path

from opentextbook.activities.model import Activity
from opentextbook.support.cache import content_digest, library_versions

PACKAGE_DIR = Path(__file__).parent.parent
_ASSEMBLY_FILES = (
    Path(__file__),
    *sorted((PACKAGE_DIR / "publishing" / "assembly").glob("*.py")),
)
COVER_ROUNDS = 3
"""Times a cover is rendered at most: again when it takes more pages than its contents
assumed (every page number after it moves); the second round settles it in practice."""


@dataclass(frozen=True)
class PdfJob:
    """One PDF to render with WeasyPrint: where it goes (its cache key, and its site path for
    a worksheet), what it shows, and the digest of its inputs. Its HTML is rendered only if
    the cache does not hold ``digest``."""

    target: str
    activities: tuple[Activity, ...]
    paper: str
    edition: str | None
    digest: str
    part: str | None = None
    """``None``: a worksheet (a site file); else a piece of a packet kept in the cache only:
    ``sheets`` (an edition's sheet of one activity), ``notes`` (teacher notes outside
    activities) or ``cover`` (cover and contents)."""
    contents: tuple[tuple[str, int], ...] = ()
    """For a cover: (activity id, first page in the packet) of each sheet listed."""
    total: int = 0
    """For a cover: the packet's page count (its footer says "Page 1 of N")."""

    @property
    def in_site(self) -> bool:
        return self.part is None


@dataclass(frozen=True)
class PacketJob:
    """One packet to assemble: the cover (made last) then ``parts``, in order."""

    target: str
    activities: tuple[Activity, ...]
    paper: str
    edition: str
    parts: tuple[PdfJob, ...]
    digest: str
    in_site = True

    @property
    def listed(self) -> tuple[Activity, ...]:
        """The activities its contents list: in the answer key, those with a solution."""
        if self.edition == "answers":
            return tuple(activity for activity in self.activities if activity.has_solution)
        return self.activities


def part_file(edition: str, paper: str, name: str, folder: str = "worksheets") -> str:
    """Cache key of a packet's piece: ``worksheets/parts/facilitator/<id>-a4.pdf``."""
    return f"{folder}/parts/{edition}/{name}-{paper}.pdf"


def cover_file(packet: PacketJob) -> str:
    """Cache key of a packet's cover and contents."""
    return part_file(packet.edition, packet.paper, "cover", packet.target.rsplit("/", 1)[0])


def contents_digest(activities: tuple[Activity, ...]) -> str:
    """What a cover shows of its activities (their labels, titles and chapters, whose credits
    and sources it lists): a body edit leaves it, and so the cover, unchanged."""
    shown = [[a.id, a.page, a.label, a.title, a.has_solution] for a in activities]
    return content_digest(json.dumps(shown))


@functools.lru_cache(maxsize=1)
def assembly_inputs() -> str:
    """Digest of the code that assembles packets and of pikepdf's version: a change to either
    assembles every packet again (and renders no sheet)."""
    files = [path.name.encode() + path.read_bytes() for path in _ASSEMBLY_FILES]
    return content_digest(library_versions("pikepdf"), *files)


def cover_job(packet: PacketJob, counts: list[int], cover_pages: int, key) -> PdfJob:
    """The cover of ``packet``, whose parts have ``counts`` pages, if it takes ``cover_pages``.

    Its digest holds the part page counts, not ``cover_pages``: the cover made for given
    counts is always the same, however many rounds it took (see :data:`COVER_ROUNDS`).
    """
    starts, page = {}, cover_pages + 1
    for part, count in zip(packet.parts, counts, strict=True):
        if part.part in (None, "sheets"):  # a worksheet, or an edition's sheet
            starts[part.activities[0].id] = page
        page += count
    contents = tuple((a.id, starts[a.id]) for a in packet.listed if a.id in starts)
    digest = key("cover", packet.paper, packet.edition, contents_digest(packet.listed))
    digest = content_digest(digest, json.dumps(counts))
    return PdfJob(
        cover_file(packet),
        packet.activities,
        packet.paper,
        packet.edition,
        digest,
        part="cover",
        contents=contents,
        total=page - 1,
    )


def assemble_task(packet: PacketJob, cache, about: dict[str, str]) -> tuple:
    """What a worker needs to assemble ``packet`` (paths and texts: it crosses processes)."""
    parts = [(str(cache.path(cover_file(packet))), "cover")]
    parts += [(str(cache.path(part.target)), _part_name(part)) for part in packet.parts]
    return (str(cache.path(packet.target)), parts, about)


def assemble_one(task: tuple) -> str | None:
    """Assemble one packet; return the error message (exceptions do not cross processes
    well)."""
    from opentextbook.publishing.assembly import PageLabel, Part, assemble_pdfs
    from opentextbook.support.errors import SourceError

    target, parts, about = task
    try:
        assemble_pdfs(
            [Part(Path(path), name=name) for path, name in parts],
            target,
            page_labels=[PageLabel(0, "decimal")],
            **about,
        )
    except SourceError as exc:
        return str(exc)
    return None


def _part_name(part: PdfJob) -> str:
    """What makes a part's field and destination names unique if they clash."""
    return part.activities[0].id if part.part != "notes" and part.activities else "notes"
