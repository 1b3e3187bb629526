"""Pydantic shapes shared by several API routers."""

from __future__ import annotations

from typing import Generic, TypeVar

from pydantic import BaseModel, ConfigDict

T = TypeVar("T")


class Strict(BaseModel):
    """Request bodies: strict types (no `false` for an int), unknown fields ignored."""

    model_config = ConfigDict(strict=True, extra="ignore")


class Page(BaseModel, Generic[T]):
    """A page of a list."""

    items: list[T]
    next_cursor: str | None = None


class PersonRef(BaseModel):
    """A person named inside another object."""

    id: int
    display_name: str
    handle: str
