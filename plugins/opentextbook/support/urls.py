"""The one rule for addresses: every URL the toolchain writes is http(s) or mailto.

Every URL field anywhere (data sets, ``data/book.yml``, front matter, activity options, the
environment) is checked with :func:`check_url` when it is read, and templates that print a URL
pass it through :func:`safe_url`, so a ``javascript:`` or ``data:`` address can never become a
link, whatever path it took.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

ALLOWED_SCHEMES = ("http", "https", "mailto")
_NEVER_IN_A_URL = re.compile(r'[\x00-\x1f\x7f<>"\\`]')
"""Control characters and what would end an attribute or start markup: never in an address."""
URL_FIX = "write the full address, e.g. 'https://www.example.org' or 'mailto:name@example.org'"


class UnsafeUrl(ValueError):
    """A value that is not an http(s) or mailto address; ``fix`` says what to write."""

    def __init__(self, text: str) -> None:
        super().__init__(f"must be an http(s) or mailto address, not '{text}'")
        self.text = text
        self.fix = URL_FIX


def is_safe_url(text: object) -> bool:
    """Whether ``text`` is an absolute http(s) address with a host, or a mailto address."""
    if not isinstance(text, str) or not text or text != text.strip():
        return False
    if _NEVER_IN_A_URL.search(text):
        return False
    try:
        parts = urlsplit(text)
    except ValueError:
        return False
    scheme = parts.scheme.lower()
    if scheme == "mailto":
        return bool(parts.path)
    return scheme in ("http", "https") and bool(parts.netloc)


def check_url(text: str) -> str:
    """Return ``text`` if it is a safe address, else raise :class:`UnsafeUrl`."""
    if not is_safe_url(text):
        raise UnsafeUrl(text)
    return text


def safe_url(text: object) -> str | None:
    """``text`` if it is a safe address, else ``None``: for templates, as a last guard."""
    return text if is_safe_url(text) else None


def is_site_url(text: object) -> bool:
    """Whether ``text`` can be a published site's address (``site_url``): http(s) only."""
    return is_safe_url(text) and urlsplit(str(text)).scheme.lower() in ("http", "https")


_PLACEHOLDER_HOSTS = ("example.org", "example.com", "example.net", "localhost", "127.0.0.1")
_PLACEHOLDER_DOMAINS = (".example", ".invalid", ".test", ".localhost")  # RFC 2606 names


def is_published_site_url(text: object) -> bool:
    """Whether ``text`` is a real published address, not unset and not a placeholder
    (``example.org``, ``localhost``…): only then may printed sheets carry it (QR codes)."""
    if not is_site_url(text):
        return False
    host = (urlsplit(str(text)).hostname or "").lower()
    placeholder = host in _PLACEHOLDER_HOSTS or host.endswith(_PLACEHOLDER_DOMAINS)
    return not placeholder and not host.endswith(tuple("." + h for h in _PLACEHOLDER_HOSTS))
