"""Opaque keyset cursors for lists: `{"items": […], "next_cursor": …}`."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Generic, TypeVar

from app.i18n import _
from app.services.errors import Invalid

MAX_LIMIT = 100
T = TypeVar("T")
K = TypeVar("K")


@dataclass
class Page(Generic[T]):
    """One page of a list and the cursor of the next one."""

    items: list[T]
    next_cursor: str | None = None


def encode_cursor(values: list[Any]) -> str:
    """An opaque cursor for the position after an item."""
    return base64.urlsafe_b64encode(json.dumps(values, separators=(",", ":")).encode()).decode().rstrip("=")


def decode_cursor(cursor: str | None, size: int) -> list[Any] | None:
    """The position a cursor stands for; a malformed cursor is an input error, not a crash."""
    if not cursor:
        return None
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        values = json.loads(base64.urlsafe_b64decode(padded.encode()))
    except (ValueError, UnicodeDecodeError):
        values = None
    if not isinstance(values, list) or len(values) != size:
        raise Invalid.one("cursor", _("This cursor is not valid."))
    return values


def decode_keyset(cursor: str | None, read_key: Callable[[Any], K]) -> tuple[K, int] | None:
    """The position (sort key, id) a keyset cursor stands for, the key read by `timestamp_key`,
    `date_key` or `text_key`; whatever else a client sends in its place is an input error."""
    values = decode_cursor(cursor, 2)
    if values is None:
        return None
    key, last = values
    try:
        if not isinstance(last, int) or isinstance(last, bool):
            raise TypeError(last)
        return read_key(key), last
    except (TypeError, ValueError):
        raise Invalid.one("cursor", _("This cursor is not valid.")) from None


def timestamp_key(value: Any) -> datetime:
    """A cursor's moment: ISO 8601 with its zone (the database refuses times without one)."""
    stamp = datetime.fromisoformat(value)
    if stamp.tzinfo is None:
        raise ValueError(value)
    return stamp


def date_key(value: Any) -> date:
    """A cursor's day."""
    return date.fromisoformat(value)


def text_key(value: Any) -> str:
    """A cursor's text (a name sorted on)."""
    if not isinstance(value, str):
        raise TypeError(value)
    return value


def clamp_limit(limit: int | None, default: int = 30) -> int:
    """A page size between 1 and the maximum."""
    if limit is None:
        return default
    if limit < 1 or limit > MAX_LIMIT:
        raise Invalid.one("limit", _("Between 1 and {n}.").format(n=MAX_LIMIT))
    return limit
