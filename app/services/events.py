"""Event RSVPs with a waiting list, poll votes, and calendar files."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.i18n import _
from app.models import Event, PollOption, PollVote, Post, PostKind, Rsvp, RsvpStatus, User
from app.models.base import utcnow
from app.services import activity, notifications
from app.services.errors import Forbidden, Invalid, NotFound


def _event(db: Session, post: Post) -> Event:
    if post.kind != PostKind.event.value:
        raise Invalid.one("post", _("This post is not an event."))
    event = db.get(Event, post.id, with_for_update=True)  # RSVPs to one event queue on PostgreSQL too
    if event is None:
        raise NotFound(_("No such event."))
    return event


def rsvp(db: Session, *, actor: User, post: Post) -> str:
    """Say one comes: a seat while there is room, else a place on the waiting list. Idempotent."""
    event = _event(db, post)
    if event.starts_at <= utcnow():
        raise Forbidden(_("This event has already started."))
    current = db.get(Rsvp, (post.id, actor.id))
    if current is not None:
        return current.status
    going = (
        db.scalar(
            select(func.count())
            .select_from(Rsvp)
            .where(Rsvp.post_id == post.id, Rsvp.status == RsvpStatus.going.value)
        )
        or 0
    )
    status = (
        RsvpStatus.going.value
        if event.capacity is None or going < event.capacity
        else RsvpStatus.waitlist.value
    )
    db.add(Rsvp(post_id=post.id, user_id=actor.id, status=status))
    activity.record(db, user_id=actor.id, kind="rsvp", subject_type="post", subject_id=post.id)
    db.flush()
    return status


def cancel_rsvp(db: Session, *, actor: User, post: Post) -> User | None:
    """Withdraw; the first person waiting takes the freed seat (returned, to be told)."""
    event = _event(db, post)
    current = db.get(Rsvp, (post.id, actor.id))
    if current is None:
        return None
    freed = current.status == RsvpStatus.going.value
    db.delete(current)
    db.flush()
    if not freed:
        return None
    promoted = _fill_seats(db, post, event)
    for uid in promoted:
        notifications.on_seat_freed(db, post=post, promoted_id=uid)
    return db.get(User, promoted[0]) if promoted else None


def attendees(
    db: Session, *, post: Post, status: str = RsvpStatus.going.value, limit: int = 100
) -> list[User]:
    """Who comes (or waits), in the order they answered."""
    return list(
        db.scalars(
            select(User)
            .join(Rsvp, Rsvp.user_id == User.id)
            .where(Rsvp.post_id == post.id, Rsvp.status == status)
            .order_by(Rsvp.created_at)
            .limit(limit)
        )
    )


def vote(db: Session, *, actor: User, post: Post, option_id: int) -> None:
    """Vote once in a poll; voting again changes nothing."""
    if post.kind != PostKind.poll.value:
        raise Invalid.one("post", _("This post is not a poll."))
    option = db.get(PollOption, option_id)
    if option is None or option.post_id != post.id:
        raise Invalid.one("option_id", _("Choose one of the poll's options."))
    if db.get(PollVote, (post.id, actor.id)) is None:
        db.add(PollVote(post_id=post.id, user_id=actor.id, option_id=option.id))
        activity.record(db, user_id=actor.id, kind="vote", subject_type="post", subject_id=post.id)
        db.flush()


def _ics_text(value: str) -> str:
    return (
        value.replace("\\", "\\\\")
        .replace(";", "\\;")
        .replace(",", "\\,")
        .replace("\r", "")
        .replace("\n", "\\n")
    )


def _ics_time(value: datetime) -> str:
    return value.strftime("%Y%m%dT%H%M%SZ")


def ics(db: Session, *, post: Post, base_url: str) -> str:
    """The event as an iCalendar file (RFC 5545), for any calendar application."""
    event = _event(db, post)
    ends = event.ends_at or event.starts_at.replace() if event.ends_at else event.starts_at
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//Proxima//Events//EN",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        "BEGIN:VEVENT",
        f"UID:proxima-event-{post.id}@{base_url.split('://')[-1].strip('/')}",
        f"DTSTAMP:{_ics_time(utcnow())}",
        f"DTSTART:{_ics_time(event.starts_at)}",
        f"DTEND:{_ics_time(ends if event.ends_at else event.starts_at)}",
        f"SUMMARY:{_ics_text(post.title or '')}",
        f"LOCATION:{_ics_text(event.location)}",
        f"DESCRIPTION:{_ics_text(post.body)}",
        f"URL:{base_url.rstrip('/')}/posts/{post.id}",
        "END:VEVENT",
        "END:VCALENDAR",
    ]
    folded = []
    for line in lines:
        while len(line.encode()) > 74:
            cut = 74
            while len(line[:cut].encode()) > 74:
                cut -= 1
            folded.append(line[:cut])
            line = " " + line[cut:]
        folded.append(line)
    return "\r\n".join(folded) + "\r\n"


def update_event(db: Session, *, actor: User, post: Post, data: Any) -> list[str]:
    """The author moves an event, changes its place, link or capacity; those coming are told.

    Returns what changed (`time`, `place`, `link`, `capacity`). More seats move the waiting list
    up, and each person promoted is told; fewer seats never push anyone out."""
    from app.services import delegates
    from app.services.posts import check_event  # posts imports this module for RSVPs

    if not delegates.may_manage(db, actor=actor, author_id=post.author_id, posted_by_id=post.posted_by_id):
        raise Forbidden(_("Only the author may do this."))
    if post.removed_at is not None:
        raise Forbidden(_("A removed post cannot be edited."))
    event = _event(db, post)
    errors = check_event(data)
    if errors:
        raise Invalid(errors)
    changed: list[str] = []
    if data.starts_at != event.starts_at or data.ends_at != event.ends_at:
        changed.append("time")
    if data.location.strip() != event.location:
        changed.append("place")
    if (data.online_url or None) != event.online_url:
        changed.append("link")
    if data.capacity != event.capacity:
        changed.append("capacity")
    if not changed:
        return []
    event.starts_at, event.ends_at = data.starts_at, data.ends_at
    event.location, event.online_url, event.capacity = (
        data.location.strip(),
        data.online_url or None,
        data.capacity,
    )
    db.flush()
    promoted = _fill_seats(db, post, event)
    told = [
        uid
        for uid in db.scalars(select(Rsvp.user_id).where(Rsvp.post_id == post.id)).all()
        if uid not in promoted
    ]
    notifications.on_event_changed(db, post=post, actor=actor, attendee_ids=told, what=",".join(changed))
    for uid in promoted:
        notifications.on_seat_freed(db, post=post, promoted_id=uid)
    return changed


def _fill_seats(db: Session, post: Post, event: Event) -> list[int]:
    """Move the waiting list up while there are seats; the people promoted."""
    if event.starts_at <= utcnow():
        return []
    going = (
        db.scalar(
            select(func.count())
            .select_from(Rsvp)
            .where(Rsvp.post_id == post.id, Rsvp.status == RsvpStatus.going.value)
        )
        or 0
    )
    free = None if event.capacity is None else max(event.capacity - going, 0)
    stmt = (
        select(Rsvp)
        .where(Rsvp.post_id == post.id, Rsvp.status == RsvpStatus.waitlist.value)
        .order_by(Rsvp.created_at, Rsvp.user_id)
    )
    if free is not None:
        stmt = stmt.limit(free)
    waiting = list(db.scalars(stmt).all()) if free != 0 else []
    for row in waiting:
        row.status = RsvpStatus.going.value
    db.flush()
    return [row.user_id for row in waiting]
