"""Translations and locale formatting: one locale per request, held in a ContextVar.

The request's locale is a small mutable holder so that a dependency that learns who the person is
(and their own choice of language) can update it for the rest of the request.
"""

from __future__ import annotations

import gettext as gettext_module
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from io import BytesIO
from pathlib import Path

from babel import Locale
from babel.dates import format_date as babel_format_date
from babel.dates import format_datetime as babel_format_datetime
from babel.dates import format_timedelta, get_timezone
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_decimal

LOCALES = ("en", "fr")
DEFAULT_LOCALE = "en"
LOCALE_NAMES = {"en": "English", "fr": "Français"}
TRANSLATIONS_DIR = Path(__file__).parent / "translations"


@dataclass
class RequestLocale:
    """The locale of the request being served."""

    code: str = DEFAULT_LOCALE


_current: ContextVar[RequestLocale | None] = ContextVar("proxima_locale", default=None)


def use_locale(code: str) -> RequestLocale:
    """Make `code` the locale of the current request (or command) and return its holder."""
    holder = RequestLocale(code if code in LOCALES else DEFAULT_LOCALE)
    _current.set(holder)
    return holder


def current_locale() -> str:
    """The locale strings are translated into right now."""
    holder = _current.get()
    return holder.code if holder else DEFAULT_LOCALE


def set_current_locale(code: str | None) -> None:
    """Switch the current request to the person's own choice, when they made one."""
    holder = _current.get()
    if holder is not None and code in LOCALES:
        holder.code = code


@cache
def translations(code: str) -> gettext_module.NullTranslations:
    """The compiled catalog of a locale, compiled in memory from the .po file in the repository."""
    po_path = TRANSLATIONS_DIR / code / "LC_MESSAGES" / "messages.po"
    if code == DEFAULT_LOCALE or not po_path.exists():
        return gettext_module.NullTranslations()
    with po_path.open("rb") as fh:
        catalog = read_po(fh, locale=code)
    buf = BytesIO()
    write_mo(buf, catalog)
    buf.seek(0)
    return gettext_module.GNUTranslations(buf)


def gettext(message: str) -> str:
    """Translate a message into the current locale."""
    return translations(current_locale()).gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    """Translate a message with a plural form into the current locale."""
    return translations(current_locale()).ngettext(singular, plural, n)


_ = gettext


def negotiate(accept_language: str | None) -> str | None:
    """The best of our locales for an Accept-Language header, or None when none fits."""
    if not accept_language:
        return None
    weighted: list[tuple[float, int, str]] = []
    for index, part in enumerate(accept_language.split(",")):
        pieces = part.strip().split(";")
        tag = pieces[0].strip().lower()
        quality = 1.0
        for param in pieces[1:]:
            name, _sep, value = param.strip().partition("=")
            if name.strip() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        if tag and quality > 0:
            weighted.append((-quality, index, tag))
    for _q, _i, tag in sorted(weighted):
        primary = tag.split("-")[0]
        if primary in LOCALES:
            return primary
    return None


def format_date(value: datetime | None, fmt: str = "medium") -> str:
    """A date in the current locale (24 nov. 2026 / Nov 24, 2026)."""
    if value is None:
        return ""
    return babel_format_date(value, format=fmt, locale=current_locale())


def format_datetime(value: datetime | None, fmt: str = "medium", tz: str | None = None) -> str:
    """A date and time in the current locale (and, when given, that time zone)."""
    if value is None:
        return ""
    return babel_format_datetime(
        value, format=fmt, tzinfo=get_timezone(tz) if tz else None, locale=current_locale()
    )


def format_number(value: float | int) -> str:
    """A number with the current locale's separators (1,234 / 1 234)."""
    return format_decimal(value, locale=current_locale())


def format_ago(value: datetime | None, now: datetime) -> str:
    """How long ago, in words, in the current locale ("3 days ago" / "il y a 3 jours")."""
    if value is None:
        return ""
    return format_timedelta(value - now, add_direction=True, locale=current_locale())


def language_name(code: str) -> str:
    """A language's own name in the current locale (fr → "French" / "français")."""
    try:
        return Locale.parse(current_locale()).languages.get(code, code)
    except (ValueError, TypeError):
        return code
