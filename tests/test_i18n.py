"""The book in any language: locale files, the lookup, overrides, Unicode ids."""

from __future__ import annotations

import re

import pytest

from opentextbook import i18n
from opentextbook.i18n.locales import LOCALES_DIR, PLURAL_CATEGORIES, _read, placeholders

SHIPPED = ("en", "es", "fr", "de", "pt", "ar")


@pytest.fixture(autouse=True)
def english_afterwards():
    """A test that activates a language leaves English active for the next."""
    yield
    i18n.activate("en")


def test_every_shipped_locale_is_a_file() -> None:
    assert {path.stem for path in LOCALES_DIR.glob("*.yml")} == set(SHIPPED)


@pytest.mark.parametrize("code", SHIPPED[1:])
def test_locale_has_every_english_key_with_the_same_placeholders(code: str) -> None:
    english, other = _read("en"), _read(code)
    missing = sorted(set(english) - set(other))
    assert not missing, f"{code}.yml lacks {missing}"
    extra = sorted(set(other) - set(english))
    assert not extra, f"{code}.yml has keys English does not: {extra}"
    for key, text in english.items():
        assert placeholders(other[key]) == placeholders(text), f"{code}.yml: {key} placeholders"
        if isinstance(other[key], dict):
            assert "other" in other[key] and set(other[key]) <= set(PLURAL_CATEGORIES), key


@pytest.mark.parametrize("code", SHIPPED[1:])
def test_locale_is_translated_not_copied(code: str) -> None:
    english, other = _read("en"), _read(code)
    same = [key for key in english if other[key] == english[key] and _words(english[key]) >= 3]
    # A licence name may be the same in both (French: "Creative Commons Attribution 4.0
    # International"); single words ("Organisations") and formats ("{label} ({kind})") too.
    assert len(same) <= 2, f"{code}.yml leaves these in English: {same}"


def _words(text) -> int:
    forms = text.values() if isinstance(text, dict) else [text]
    return max(len(re.findall(r"[^\W\d_]{2,}", re.sub(r"\{\w+\}", "", form))) for form in forms)


def test_lookup_falls_back_from_region_to_language_and_to_english() -> None:
    assert i18n.load_strings("es-MX").locale == "es"
    assert i18n.load_strings("pt-BR")("activity.label", number="1.2") == "Atividade 1.2"
    assert i18n.load_strings("sw").locale == "en"


def test_plurals_follow_the_language() -> None:
    english, arabic = i18n.load_strings("en"), i18n.load_strings("ar")
    assert english.text("attribution.originals", 1) == "The original work"
    assert english.text("attribution.originals", 2) == "The original works"
    assert arabic.text("attribution.originals", 2) != arabic.text("attribution.originals", 1)


def test_numbers_follow_the_language() -> None:
    assert i18n.load_strings("de").number(1234.5) == "1.234,5"
    assert i18n.load_strings("en").number(1234.5) == "1,234.5"


def test_direction_is_rtl_for_arabic_only() -> None:
    assert i18n.load_strings("ar").direction == "rtl"
    assert i18n.load_strings("he").direction == "rtl"
    assert i18n.load_strings("es").direction == "ltr"


def test_markup_escapes_texts_and_values_but_keeps_markup_values() -> None:
    from markupsafe import Markup

    strings = i18n.load_strings("en", {"sheet.online": "<b>{link}</b>"})
    assert strings.markup("sheet.online", link="<i>") == "&lt;b&gt;&lt;i&gt;&lt;/b&gt;"
    assert strings.markup("sheet.online", link=Markup("<a>x</a>")) == "&lt;b&gt;<a>x</a>&lt;/b&gt;"


def test_page_numbers_become_css_counters_with_the_words_escaped() -> None:
    from opentextbook.support.templating import page_counter

    i18n.activate("es")
    assert page_counter("sheet.page_of") == '"Página " counter(page) " de " counter(pages)'
    # A book's own wording cannot end the CSS string or the <style> element it is printed in.
    i18n.activate("en", {"sheet.page_of": 'P"\\</style>{page}/{pages}'})
    css = page_counter("sheet.page_of")
    assert css == '"P\\22 \\5c \\3c /style\\3e " counter(page) "/" counter(pages)', css
    assert "</style>" not in css and css.count('"') == 4


def test_minutes_are_said_in_the_language() -> None:
    from opentextbook.activities.model import parse_duration

    i18n.activate("es")
    assert parse_duration(20) == "20 minutos" and parse_duration(1) == "1 minuto"
    assert parse_duration("una hora") == "una hora"  # text stays as written
    i18n.activate("ar")
    assert parse_duration(2) == "دقيقتان"


def test_overrides_win_and_bad_overrides_are_named() -> None:
    strings = i18n.load_strings("es", {"activity.label": "Tarea {number}"})
    assert strings("activity.label", number=3) == "Tarea 3"
    problems = i18n.check_overrides(
        {"activity.lable": "x", "activity.label": "Task", "activity.time": 3}
    )
    assert [key for key, _, _ in problems] == ["activity.lable", "activity.label", "activity.time"]
    assert "{number}" in problems[1][1]


def test_licence_deeds_in_the_language_where_cc_publishes_one() -> None:
    from opentextbook.book.licences import find_licence

    licence = find_licence("CC-BY-SA-4.0")
    i18n.activate("es")
    assert i18n.licence_url(licence) == "https://creativecommons.org/licenses/by-sa/4.0/deed.es"
    assert "CompartirIgual" in i18n.licence_name(licence)
    i18n.activate("en")
    assert i18n.licence_url(licence) == "https://creativecommons.org/licenses/by-sa/4.0/"
    i18n.activate("zh-TW")
    assert i18n.licence_url(licence).endswith("deed.zh-hant")


@pytest.mark.parametrize(
    ("title", "ident"),
    [
        ("Draw your PLN", "draw-your-pln"),
        ("Networking — as generosity's act", "networking-as-generosity-s-act"),
        ("Σχεδιάστε το δίκτυό σας", "σχεδιάστε-το-δίκτυό-σας"),
        ("画出你的学习网络", "画出你的学习网络"),
        ("ارسم شبكتك", "ارسم-شبكتك"),
        ("अपना नेटवर्क बनाइए", "अपना-नेटवर्क-बनाइए"),  # vowel signs are marks: words stay whole
    ],
)
def test_ids_from_titles_in_any_script(title: str, ident: str) -> None:
    from opentextbook.i18n.slugs import slugify

    assert slugify(title) == ident


BOOK = """title: Libro
authors:
  - name: Ana
language: es
licence: CC-BY-4.0
"""


def test_book_strings_override_labels(tmp_path) -> None:
    from opentextbook.book import load_metadata

    path = tmp_path / "book.yml"
    path.write_text(BOOK + 'strings:\n  activity.label: "Tarea {number}"\n', encoding="utf-8")
    metadata = load_metadata(path)
    strings = i18n.activate(metadata.language, dict(metadata.strings))
    assert strings("activity.label", number="1.1") == "Tarea 1.1"
    assert strings("activity.teacher_notes") == "Para docentes"


@pytest.mark.parametrize(
    ("override", "line", "message"),
    [
        ('  activity.lable: "Tarea"\n', 7, "did you mean 'activity.label'?"),
        ('  activity.label: "Tarea"\n', 7, "must use {number}"),
        ("  activity.label: [Tarea]\n", 7, "must be text"),
    ],
)
def test_bad_book_strings_are_named_with_their_line(tmp_path, override, line, message) -> None:
    from opentextbook.book import load_metadata
    from opentextbook.support.errors import SourceError

    path = tmp_path / "book.yml"
    path.write_text(BOOK + "strings:\n" + override, encoding="utf-8")
    with pytest.raises(SourceError) as caught:
        load_metadata(path)
    assert caught.value.line == line
    assert message in str(caught.value)


@pytest.mark.parametrize(
    ("tag", "material"), [("pt-BR", "pt-BR"), ("es-MX", "es"), ("ar", "ar"), ("zh-Hans", "zh")]
)
def test_material_interface_language_follows_the_book(tag: str, material: str) -> None:
    from opentextbook.mkdocs.plugin import _material_language

    assert _material_language(tag) == material
