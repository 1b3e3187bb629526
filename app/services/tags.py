"""Expertise and topic tags: normalised once, suggested as people type."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from app.models import Tag, User, UserTag
from app.models.base import utcnow
from app.services.errors import Invalid
from app.services.text import fold, normalize_tag, normalize_tags


def get_or_create_tags(db: Session, raws: list[str]) -> list[Tag]:
    """The tags for these spellings, created when new; two spellings of one word share a tag.

    Safe under concurrent writers: a tag created by another transaction meanwhile is reused.
    """
    names = normalize_tags(raws)
    if not names:
        return []
    keys = [fold(n) for n in names]
    existing = {t.key: t for t in db.scalars(select(Tag).where(Tag.key.in_(keys)))}
    missing = [
        {"name": n, "key": k, "created_at": utcnow()}
        for n, k in zip(names, keys, strict=True)
        if k not in existing
    ]
    if missing:
        insert = postgresql_insert if db.get_bind().dialect.name == "postgresql" else sqlite_insert
        db.execute(insert(Tag).values(missing).on_conflict_do_nothing(index_elements=[Tag.key]))
        existing.update({t.key: t for t in db.scalars(select(Tag).where(Tag.key.in_(keys)))})
    return [existing[k] for k in keys]


def find_tag(db: Session, raw: str) -> Tag | None:
    """The tag a spelling stands for, if anyone uses it."""
    try:
        key = fold(normalize_tag(raw))
    except Invalid:
        return None
    return db.scalar(select(Tag).where(Tag.key == key))


def suggest_tags(db: Session, prefix: str, limit: int = 8) -> list[tuple[str, int]]:
    """Existing tags starting with what was typed, most carried first, with how many people carry each."""
    key = fold(prefix.lstrip("#"))
    if not key:
        return []
    carriers = func.count(UserTag.user_id)
    rows = db.execute(
        select(Tag.name, carriers)
        .outerjoin(UserTag, UserTag.tag_id == Tag.id)
        .outerjoin(User, (User.id == UserTag.user_id) & User.is_active.is_(True))
        .where(Tag.key.startswith(key, autoescape=True))
        .group_by(Tag.id, Tag.name)
        .order_by(carriers.desc(), Tag.name)
        .limit(limit)
    )
    return [(name, count) for name, count in rows]


def tags_of(db: Session, user_ids: list[int]) -> dict[int, list[str]]:
    """The tags of several people at once, in each person's order."""
    if not user_ids:
        return {}
    result: dict[int, list[str]] = {uid: [] for uid in user_ids}
    rows = db.execute(
        select(UserTag.user_id, Tag.name)
        .join(Tag, Tag.id == UserTag.tag_id)
        .where(UserTag.user_id.in_(user_ids))
        .order_by(UserTag.user_id, UserTag.position)
    )
    for uid, name in rows:
        result[uid].append(name)
    return result
