"""Normalising what people type: names for search, tags, handles, emails."""

from __future__ import annotations

import re
import unicodedata

from app.i18n import _
from app.services.errors import Invalid

TAG_MAX = 64
_SPACES = re.compile(r"\s+")
_TAG_ALLOWED = re.compile(r"^[\w .+#&/'-]+$")
_EMAIL = re.compile(r"^[^@\s<>\"']+@[^@\s<>\"']+\.[^@\s<>\"']+$")
_HANDLE_BAD = re.compile(r"[^a-z0-9._-]+")


def fold(text: str) -> str:
    """Lower-case, accent-free, single-spaced: the form two spellings of one word share."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return _SPACES.sub(" ", stripped).strip()


def normalize_tag(raw: str) -> str:
    """A tag as stored and shown: trimmed, inner spaces collapsed, case-folded, no leading '#'."""
    tag = _SPACES.sub(" ", unicodedata.normalize("NFC", raw)).strip().lstrip("#").strip().casefold()
    if not tag:
        raise Invalid.one("tags", _("A tag cannot be empty."))
    if len(tag) > TAG_MAX:
        raise Invalid.one("tags", _("A tag is at most 64 characters long."))
    if not _TAG_ALLOWED.match(tag):
        raise Invalid.one("tags", _("A tag holds letters, digits, spaces and . + # & / ' - only."))
    return tag


def normalize_tags(raws: list[str], limit: int = 30) -> list[str]:
    """Normalised tags without duplicates (accent-insensitively), in the order given."""
    seen: set[str] = set()
    result: list[str] = []
    for raw in raws:
        tag = normalize_tag(raw)
        key = fold(tag)
        if key not in seen:
            seen.add(key)
            result.append(tag)
    if len(result) > limit:
        raise Invalid.one("tags", _("At most 30 tags."))
    return result


def split_tags(text: str) -> list[str]:
    """Tags typed in one field, separated by commas."""
    return [part for part in (p.strip() for p in text.split(",")) if part]


def normalize_email(raw: str) -> str:
    """An email address as stored: trimmed and lower-cased; refused when it is not one."""
    email = raw.strip().lower()
    if len(email) > 254 or not _EMAIL.match(email):
        raise Invalid.one("email", _("Enter a valid email address."))
    return email


def handle_base(email: str) -> str:
    """The handle an email suggests: its local part, reduced to a-z 0-9 . _ -."""
    local = fold(email.split("@", 1)[0])
    base = _HANDLE_BAD.sub("", local.replace(" ", ".")).strip("._-")
    return (base or "user")[:48]


def clean_line(raw: str | None, field: str, max_len: int) -> str | None:
    """A one-line text field: trimmed, spaces collapsed; None when empty; refused when too long."""
    if raw is None:
        return None
    value = _SPACES.sub(" ", raw).strip()
    if len(value) > max_len:
        raise Invalid.one(field, _("At most {n} characters.").format(n=max_len))
    return value or None
