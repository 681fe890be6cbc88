"""The chapter, the references and the licence page say everything the source says, and more.

The checks read the built HTML as a tree of elements (``html.parser``), not as a string, so that
they hold when another part of the book changes how a section is rendered (a data table instead
of a list, an activity with more options) as long as the content stays on the right page, in the
right section.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser

import pytest
import yaml
from conftest import Build

CHAPTER = "networking-and-plns.html"
REFERENCES = "references.html"
LICENCE = "licence.html"
HOME = "index.html"

_VOID = {
    *("area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source"),
    *("track", "wbr", "path", "circle", "rect", "line", "polyline", "polygon", "use"),
}


@dataclass
class Element:
    """One HTML element with its attributes, children and the text inside it."""

    tag: str
    attrs: dict[str, str]
    children: list[Element] = field(default_factory=list)
    parts: list[str | Element] = field(default_factory=list)

    @property
    def text(self) -> str:
        """All text inside the element, with whitespace collapsed."""
        pieces = [p if isinstance(p, str) else p.text for p in self.parts]
        return re.sub(r"\s+", " ", " ".join(pieces)).strip()

    def iter(self):
        yield self
        for child in self.children:
            yield from child.iter()

    def find_all(self, tag: str | None = None, **attrs: str) -> list[Element]:
        return [
            el
            for el in self.iter()
            if (tag is None or el.tag == tag)
            and all(el.attrs.get(k.rstrip("_").replace("_", "-")) == v for k, v in attrs.items())
        ]

    def classes(self) -> set[str]:
        return set(self.attrs.get("class", "").split())


class _TreeBuilder(HTMLParser):
    """Builds an ``Element`` tree; forgiving about unclosed elements like a browser."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Element("#document", {})
        self.stack = [self.root]

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        element = Element(tag, {name: value or "" for name, value in attrs})
        self.stack[-1].children.append(element)
        self.stack[-1].parts.append(element)
        if tag not in _VOID:
            self.stack.append(element)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        element = Element(tag, {name: value or "" for name, value in attrs})
        self.stack[-1].children.append(element)
        self.stack[-1].parts.append(element)

    def handle_endtag(self, tag: str) -> None:
        for depth in range(len(self.stack) - 1, 0, -1):
            if self.stack[depth].tag == tag:
                del self.stack[depth:]
                return

    def handle_data(self, data: str) -> None:
        self.stack[-1].parts.append(data)


def parse(html: str) -> Element:
    builder = _TreeBuilder()
    builder.feed(html)
    builder.close()
    return builder.root


def article(build: Build, page: str) -> Element:
    """The page's content (``<article>``), without navigation, table of contents or footer."""
    articles = parse(build.page(page)).find_all("article")
    assert len(articles) == 1, f"{page}: expected one <article>, found {len(articles)}"
    return articles[0]


def heading_text(element: Element) -> str:
    """A heading's words without the permalink sign."""
    return element.text.replace("¶", "").strip()


def sections(content: Element, level: str = "h2") -> dict[str, str]:
    """Text of the content under each heading of ``level``, up to the next one, by heading."""
    found: dict[str, list[str]] = {}
    current: list[str] | None = None

    def walk(element: Element) -> None:
        nonlocal current
        for part in element.parts:
            if isinstance(part, str):
                if current is not None:
                    current.append(part)
            elif part.tag == level:
                current = found.setdefault(heading_text(part), [])
            else:
                walk(part)

    walk(content)
    return {name: re.sub(r"\s+", " ", " ".join(parts)) for name, parts in found.items()}


def links(content: Element) -> set[str]:
    return {a.attrs.get("href", "") for a in content.find_all("a")}


@pytest.fixture(scope="module")
def chapter(built_site: Build) -> Element:
    return article(built_site, CHAPTER)


@pytest.fixture(scope="module")
def chapter_sections(chapter: Element) -> dict[str, str]:
    return sections(chapter)


# --- Structure ---------------------------------------------------------------------------------


def test_chapter_has_every_section_heading(chapter: Element) -> None:
    titles = [heading_text(h) for h in chapter.find_all("h1")]
    assert titles == ["Networking and Personal Learning Networks"]
    h2 = [heading_text(h) for h in chapter.find_all("h2")]
    for name in (
        "Networking",
        "Personal learning networks (PLNs)",
        "Professional networks for instructional designers",
        "References",
    ):
        assert name in h2, f"missing section {name!r}; sections are {h2}"
    h3 = [heading_text(h) for h in chapter.find_all("h3")]
    for name in ("Examples from the author's PLN", "The networks", "A colleague's experience"):
        assert name in h3, f"missing subsection {name!r}; subsections are {h3}"


def test_sections_come_in_the_order_of_the_source(chapter: Element) -> None:
    h2 = [heading_text(h) for h in chapter.find_all("h2")]
    order = [
        "Networking",
        "Personal learning networks (PLNs)",
        "Professional networks for instructional designers",
        "References",
    ]
    assert [name for name in h2 if name in order] == order


# --- Networking ------------------------------------------------------------------------------


def test_merriam_webster_definition_is_quoted_and_cited(chapter: Element) -> None:
    definition = (
        "the exchange of information or services among individuals, groups, or institutions"
    )
    paragraphs = [p for p in chapter.find_all("p") if definition in p.text]
    assert paragraphs, "Merriam-Webster's definition is missing"
    paragraph = paragraphs[0]
    assert f'"{definition}"' in paragraph.text or f"“{definition}”" in paragraph.text
    assert "Merriam-Webster" in paragraph.text
    assert "https://www.merriam-webster.com/dictionary/networking" in links(paragraph)


def test_networking_is_generosity_with_a_related_source(chapter_sections) -> None:
    text = chapter_sections["Networking"]
    assert "generosity" in text
    assert "Levine" in text and "How to network during challenging times" in text
    assert "Related reading" in text  # marked as related, not the chapter's own source
    assert "three to six months" in text


def test_generosity_is_spelled_right_everywhere(built_site: Build) -> None:
    for page in built_site.site.rglob("*.html"):
        assert "generocity" not in page.read_text(encoding="utf-8").lower(), page
    assert "generosity" in built_site.page(CHAPTER)


# --- Personal learning networks ----------------------------------------------------------------


def test_lalande_description_is_quoted_and_attributed(chapter: Element, chapter_sections) -> None:
    quote = (
        "a way of describing the group of people that you connect with to learn their ideas, "
        "their questions, their reflections, and their preferences"
    )
    paragraphs = [p for p in chapter.find_all("p") if quote in p.text]
    assert paragraphs, "Lalande's description of a PLN is missing"
    assert "Marc-André Lalande" in paragraphs[0].text
    assert "2012" in paragraphs[0].text
    assert "What is a PLN?" in paragraphs[0].text
    assert "their references" in chapter.text, "the note on the other wording is missing"
    assert (
        "Every one of us has a personal learning network"
        in chapter_sections["Personal learning networks (PLNs)"]
    )


@pytest.mark.parametrize(
    ("node", "href", "facts"),
    [
        ("Maha Bali", "https://blog.mahabali.me", ["equitable hospitality", "open educator"]),
        ("#lrnchat", None, ["weekly", "Jane Bozarth", "Clark Quinn", "corporate"]),
        (
            "Virtually Connecting",
            "https://virtuallyconnecting.org",
            ["hallway conversations", "LOOM", "YouTube", "lurks", "co-founded"],
        ),
        (
            "Demystifying Instructional Design",
            "https://demystifyinginstructionaldesign.com",
            ["podcast", "every interview"],
        ),
    ],
)
def test_each_pln_node_says_what_the_author_learns_there(
    chapter: Element, chapter_sections, node: str, href: str | None, facts: list[str]
) -> None:
    text = chapter_sections["Personal learning networks (PLNs)"]
    assert node in text
    for fact in facts:
        assert fact.lower() in text.lower(), f"{node}: {fact!r} is missing"
    if href:
        assert href in links(chapter), f"{node}: link {href} is missing"


def test_no_stray_heading_from_a_hashtag(chapter: Element) -> None:
    """``#lrnchat`` at the start of a line would become a heading in Python-Markdown."""
    assert not [h for h in chapter.find_all("h1") if "lrnchat" in h.text]


# --- Professional networks ---------------------------------------------------------------------

ORGANISATIONS = {
    "Association for Computing Machinery": "https://www.acm.org",
    "Association for Educational Communications and Technology": "https://www.aect.org",
    "International Society for Performance Improvement": "https://ispi.org",
    "Association for Talent Development": "https://www.td.org",
    "Association for Learning Technology": "https://www.alt.ac.uk",
    "Global OER Graduate Network": "https://go-gn.net",
    "International Association for Language Learning Technology": "https://iallt.org",
    "Learning Guild": "https://www.learningguild.com",
    "International Association for Blended Learning": "https://iabl.org",
    "Training Magazine Network": None,
}


@pytest.mark.parametrize(("name", "site"), ORGANISATIONS.items())
def test_every_organisation_is_listed_with_its_site(
    chapter: Element, chapter_sections, name: str, site: str | None
) -> None:
    assert name in chapter_sections["Professional networks for instructional designers"]
    hrefs = {href.rstrip("/") for href in links(chapter)}
    if site:
        assert site in hrefs, f"{name}: link to {site} is missing"


def test_colleagues_experience_is_attributed_and_covers_each_network(chapter: Element) -> None:
    colleague = sections(chapter, "h3")["A colleague's experience"]
    assert "Apostolos Koutropoulos" in colleague
    for acronym in ("ACM", "AECT", "ISPI", "ATD", "ALT", "GO-GN", "IALLT", "IABL"):
        assert re.search(rf"\b{re.escape(acronym)}\b", colleague), acronym
    for name in ("Learning Guild", "Training Magazine Network"):
        assert name in colleague
    for quote in ("the biggest bang for the buck", "not an association per se"):
        assert f'"{quote}"' in colleague or f"“{quote}”" in colleague, quote


def test_talent_development_is_named(chapter_sections) -> None:
    text = chapter_sections["Professional networks for instructional designers"]
    assert "learning and development" in text
    assert "talent development" in text


# --- Activities ------------------------------------------------------------------------------

ACTIVITIES = {
    "draw-your-pln": ("Draw your PLN", ["List all your sources of learning", "Draw your PLN."]),
    "explore-professional-networks": (
        "Explore professional networks",
        ["Explore the professional learning networks", "free membership", "lifelong learning"],
    ),
    "pln-generosity": (
        "PLNs and networking as generosity",
        ["What can you offer your PLN?", "creator"],
    ),
}


def test_the_three_activities_are_there_in_order(chapter: Element) -> None:
    found = [el.attrs["id"] for el in chapter.iter() if "otb-activity" in el.classes()]
    assert found == list(ACTIVITIES)


@pytest.mark.parametrize(("ident", "expected"), ACTIVITIES.items())
def test_each_activity_has_title_icon_and_steps(
    chapter: Element, ident: str, expected: tuple[str, list[str]]
) -> None:
    title, phrases = expected
    (box,) = chapter.find_all(id=ident)
    assert title in box.text
    for phrase in phrases:
        assert phrase.lower() in box.text.lower(), f"{ident}: {phrase!r} is missing"
    assert box.find_all("ol"), f"{ident}: steps should be an ordered list"
    icons = box.find_all("svg", role="img", aria_label="Activity")
    assert icons, f"{ident}: the activity icon needs role=img and aria-label"
    assert icons[0].find_all("title"), f"{ident}: the icon needs a <title>"


def test_activities_sit_in_the_right_sections(chapter: Element) -> None:
    where: dict[str, str] = {}
    current = ""
    for element in chapter.iter():
        if element.tag == "h2":
            current = heading_text(element)
        if "otb-activity" in element.classes():
            where[element.attrs["id"]] = current
    assert where["draw-your-pln"] == "Personal learning networks (PLNs)"
    assert where["explore-professional-networks"] == (
        "Professional networks for instructional designers"
    )


def test_no_icon_file_name_leaks_into_the_text(built_site: Build) -> None:
    assert "Activities.png" not in built_site.page(CHAPTER)


# --- References, licence, home -----------------------------------------------------------------


def test_references_page_lists_every_source(built_site: Build) -> None:
    page = article(built_site, REFERENCES)
    text = page.text
    hrefs = {href.rstrip("/") for href in links(page)}
    assert "https://www.merriam-webster.com/dictionary/networking" in hrefs
    assert re.search(r"Lalande, M\.-A\. \(2012\)\. What is a PLN\?", text)
    assert "Levine, A. G. (2020" in text and "Related source" in text
    assert "Hogue, R. J." in text and "EdTech Books" in text
    for site in (
        "https://blog.mahabali.me",
        "https://virtuallyconnecting.org",
        "https://demystifyinginstructionaldesign.com",
        *filter(None, ORGANISATIONS.values()),
    ):
        assert site in hrefs, f"references: {site} is missing"
    for name in ORGANISATIONS:
        assert name in text, f"references: {name} is missing"


def test_chapter_links_to_the_references_page(chapter: Element) -> None:
    assert any(href.partition("#")[0] == REFERENCES for href in links(chapter))


# What a finished book does not say to its readers: notes on how this copy was made.
ABOUT_ITS_MAKING = ("copy we received", "we received", "APA-like", "appear in quotation marks")


def test_pages_speak_to_readers_not_about_their_making(built_site: Build) -> None:
    for name in ("index.html", CHAPTER, REFERENCES):
        text = " ".join(article(built_site, name).text.split())
        found = [phrase for phrase in ABOUT_ITS_MAKING if phrase in text]
        assert not found, f"{name}: {found}"


def test_references_are_listed_once_on_the_references_page(chapter: Element) -> None:
    """The chapter links to the References page instead of repeating its entries."""
    text = " ".join(chapter.text.split())
    for entry in ("Merriam-Webster. (n.d.)", "Lalande, M.-A. (2012)", "Levine, A. G. (2020"):
        assert entry not in text, f"the chapter repeats the reference {entry!r}"


def test_licence_page_attributes_the_original_from_metadata(built_site: Build) -> None:
    book = yaml.safe_load((built_site.project / "data" / "book.yml").read_text(encoding="utf-8"))
    page = article(built_site, LICENCE)
    text = page.text
    source = book["sources"][0]
    for value in (source["title"], *source["authors"], source["publisher"]):
        assert value in text
    assert source["licence"] == "unknown"
    assert "licence is unknown" in text
    items = [li.text for li in page.find_all("li")]
    for change in source["changes"]:
        assert change in items, f"licence page: change {change!r} is not listed"
    assert "https://creativecommons.org/licenses/by/4.0/" in links(page)


def test_home_page_links_every_activity(built_site: Build, chapter: Element) -> None:
    ids = {el.attrs["id"] for el in chapter.iter() if "id" in el.attrs}
    targets = [
        href.split("#", 1)[1]
        for href in links(article(built_site, HOME))
        if href.startswith(f"{CHAPTER}#")
    ]
    for ident in ACTIVITIES:
        assert ident in targets, f"home page does not link to activity {ident}"
    missing = [target for target in targets if target not in ids]
    assert not missing, f"home page links to anchors the chapter lacks: {missing}"
