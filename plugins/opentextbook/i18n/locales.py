"""Locale files, the active locale, and ``t()``: see the package docstring."""

from __future__ import annotations

import functools
import hashlib
import json
import string
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from babel import Locale, UnknownLocaleError
from babel.numbers import format_decimal
from markupsafe import Markup, escape

LOCALES_DIR = Path(__file__).resolve().parent / "locales"
FALLBACK = "en"
PLURAL_CATEGORIES = ("zero", "one", "two", "few", "many", "other")
RTL_LANGUAGES = frozenset(
    {"ar", "arc", "ckb", "dv", "fa", "he", "ku", "ps", "sd", "ug", "ur", "yi"}
)
"""Primary language subtags written right to left (also asked of Babel for other tags)."""

Text = str | Mapping[str, str]
"""One text, or one per plural category (``one``, ``other``…) for texts with a ``count``."""


@functools.cache
def _read(code: str) -> dict[str, Text]:
    """A shipped locale file (package data, checked by the tests), by its file name."""
    path = LOCALES_DIR / f"{code}.yml"
    return yaml.safe_load(path.read_text(encoding="utf-8")) or {}


def locale_file(language: str) -> str:
    """The shipped locale for a BCP 47 tag: ``pt-BR`` → ``pt-br`` if shipped, else ``pt``;
    ``en`` when none is (the labels then stay English, and the build says so)."""
    parts = language.lower().replace("_", "-").split("-")
    for size in range(len(parts), 0, -1):
        code = "-".join(parts[:size])
        if (LOCALES_DIR / f"{code}.yml").is_file():
            return code
    return FALLBACK


def placeholders(text: Text) -> set[str]:
    """The ``{names}`` a text (or any of its plural forms) fills in."""
    forms = text.values() if isinstance(text, Mapping) else [text]
    return {name for form in forms for _, name, _, _ in string.Formatter().parse(form) if name}


@dataclass(frozen=True)
class Strings:
    """The texts of one language: the locale file over English, the book's overrides over both."""

    language: str
    locale: str
    texts: Mapping[str, Text] = field(repr=False)

    @functools.cached_property
    def _babel(self) -> Locale:
        try:
            return Locale.parse(self.language.replace("-", "_"))
        except (ValueError, UnknownLocaleError):
            return Locale.parse(self.locale if self.locale != FALLBACK else "en")

    @functools.cached_property
    def fingerprint(self) -> str:
        """A digest of the language and every text: part of the key of cached output."""
        payload = json.dumps([self.language, self.texts], sort_keys=True, ensure_ascii=False)
        return hashlib.sha256(payload.encode("utf-8")).hexdigest()

    @property
    def direction(self) -> str:
        """``rtl`` for a language written right to left, else ``ltr`` (the ``dir`` attribute)."""
        primary = self.language.split("-")[0].lower()
        rtl = primary in RTL_LANGUAGES or self._babel.character_order == "right-to-left"
        return "rtl" if rtl else "ltr"

    def number(self, value: float) -> str:
        """``value`` written as the language writes numbers (``1.234,5`` in German)."""
        return format_decimal(value, locale=self._babel)

    def text(self, key: str, count: float | None = None) -> str:
        """The raw text of ``key`` (its plural form for ``count``), before values fill it."""
        text = self.texts.get(key)
        if text is None:
            raise KeyError(f"no text '{key}' in the locale files")
        if isinstance(text, Mapping):
            category = self._babel.plural_form(count if count is not None else 1)
            return text.get(category) or text["other"]
        return text

    def __call__(self, key: str, **values: Any) -> str:
        """The text of ``key`` with ``values`` filled in (numbers in the language's digits)."""
        text = self.text(key, values.get("count"))
        return text.format(**{name: self._value(value) for name, value in values.items()})

    def markup(self, key: str, **values: Any) -> Markup:
        """Like calling, for templates: the text is escaped, and so is every value that is not
        already markup (a link made by a macro), so a translation can never add markup."""
        text = self.text(key, values.get("count"))
        return Markup(escape(text)).format(**{k: self._value(v) for k, v in values.items()})

    def _value(self, value: Any) -> Any:
        if isinstance(value, int | float) and not isinstance(value, bool):
            return self.number(value)
        return value


def load_strings(language: str, overrides: Mapping[str, Text] | None = None) -> Strings:
    """The texts for ``language``: English, then its locale file, then ``overrides``."""
    code = locale_file(language)
    texts: dict[str, Text] = dict(_read(FALLBACK))
    if code != FALLBACK:
        texts.update(_read(code))
    texts.update(overrides or {})
    return Strings(language=language, locale=code, texts=texts)


def check_overrides(overrides: Mapping[str, Any]) -> list[tuple[str, str, str]]:
    """Problems with a book's ``strings:``: ``(key, what is wrong, fix)`` for each bad entry."""
    english = _read(FALLBACK)
    problems = []
    for key, text in overrides.items():
        if key not in english:
            problems.append((key, f"'{key}' is not a text the toolchain shows", "see en.yml"))
        elif not _is_text(text):
            fix = "write the text, or one per plural form: {one: …, other: …}"
            problems.append((key, f"'{key}' must be text", fix))
        elif placeholders(text) != placeholders(english[key]):
            names = ", ".join(f"{{{name}}}" for name in sorted(placeholders(english[key])))
            problems.append((key, f"'{key}' must use {names or 'no {placeholders}'}", "keep them"))
    return problems


def _is_text(text: Any) -> bool:
    if isinstance(text, Mapping):
        forms = set(text)
        return (
            "other" in forms
            and forms <= set(PLURAL_CATEGORIES)
            and all(isinstance(form, str) for form in text.values())
        )
    return isinstance(text, str)


_ACTIVE: list[Strings] = []


def activate(language: str, overrides: Mapping[str, Text] | None = None) -> Strings:
    """Make ``language`` (with the book's overrides) the one every label is taken from."""
    _ACTIVE[:] = [load_strings(language, overrides)]
    return _ACTIVE[0]


def active() -> Strings:
    """The texts of the book being built (English until a book is read)."""
    if not _ACTIVE:
        _ACTIVE.append(load_strings(FALLBACK))
    return _ACTIVE[0]


def t(key: str, **values: Any) -> str:
    """The active language's text for ``key``, with ``values`` filled in."""
    return active()(key, **values)


CC_DEED_LANGUAGES = frozenset(
    {"ar", "de", "es", "eu", "fi", "fr", "gl", "id", "it", "ja", "ko", "nl", "pl", "pt", "ru"}
    | {"sv", "tr", "uk", "zh-hans", "zh-hant"}
)
"""Languages in which Creative Commons publishes its deeds (``…/by/4.0/deed.es``)."""


def licence_name(licence: Any) -> str:
    """A licence's name in the active language (``licence.name.<SPDX id>``), else its own."""
    texts = active().texts
    return str(texts.get(f"licence.name.{_field(licence, 'id')}", _field(licence, "name")))


def licence_url(licence: Any) -> str | None:
    """A Creative Commons deed in the active language where CC publishes one, else the
    licence's own address (English deeds keep their plain address)."""
    url = _field(licence, "url")
    if not url or not url.startswith("https://creativecommons.org/") or not url.endswith("/"):
        return url
    language = active().language.lower()
    primary = language.split("-")[0]
    if language.startswith("zh"):
        code = "zh-hant" if any(p in language for p in ("hant", "tw", "hk")) else "zh-hans"
    else:
        code = primary
    return f"{url}deed.{code}" if code in CC_DEED_LANGUAGES else url


def _field(licence: Any, name: str) -> Any:
    """A field of a ``Licence`` or of its dict (templates get either)."""
    return licence[name] if isinstance(licence, Mapping) else getattr(licence, name)
