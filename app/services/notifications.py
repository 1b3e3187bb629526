"""Notifications: who is told what, grouped so that nobody is flooded, and only of what they may see.

`notify()` is the one way in. It drops what the person turned off and what they may not read (a
mention inside a secret community of which they are not a member notifies nobody), folds likes and
comments on one post into one line that updates ("Léa and 4 others liked …"), and tells the open
pages of that person once the transaction commits. Reading re-checks visibility: a line about a
post that was removed, or in a community the person left, is no longer listed nor counted.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import (
    JSON,
    ColumnElement,
    Integer,
    Select,
    String,
    and_,
    delete,
    exists,
    func,
    insert,
    literal,
    or_,
    select,
    update,
)
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.i18n import _, format_datetime, ngettext
from app.models import (
    Channel,
    Community,
    Membership,
    MemberStatus,
    Notification,
    NotificationActor,
    NotificationPreference,
    NotificationType,
    Post,
    User,
)
from app.models.base import UTCDateTime, utcnow
from app.services import live
from app.services.engagement import N_, N_plural
from app.services.errors import FieldError, Invalid
from app.services.pagination import Page, clamp_limit, decode_keyset, encode_cursor, timestamp_key
from app.services.visibility import community_visible, post_readable

T = NotificationType

# Sensible defaults that send little: what is addressed to you personally comes in a daily digest
# of what you have not seen; reactions and community activity stay in the app.
DEFAULT_CHANNELS: dict[str, str] = {
    T.mention: Channel.daily,
    T.comment: Channel.daily,
    T.reply: Channel.daily,
    T.like: Channel.app,
    T.praise: Channel.daily,
    T.answer: Channel.daily,
    T.answer_accepted: Channel.daily,
    T.join_request: Channel.daily,
    T.join_decision: Channel.daily,
    T.event: Channel.daily,
    T.feedback: Channel.daily,
    T.community_post: Channel.app,
    T.delegate_draft: Channel.email,
    T.ambassador_invitation: Channel.daily,
    T.mentoring: Channel.daily,
    T.campaign: Channel.app,
    T.community_winback: Channel.weekly,
}
EMAIL_CHANNELS = frozenset({Channel.email.value, Channel.daily.value, Channel.weekly.value})


FEEDBACK_STATUS_LABELS = {
    "received": N_("received"),
    "in_review": N_("in review"),
    "answered": N_("answered"),
    "done": N_("done"),
    "declined": N_("declined"),
}


EVENT_CHANGES = {
    "time": N_("date and time"),
    "place": N_("place"),
    "link": N_("online link"),
    "capacity": N_("number of seats"),
}


# lines that grow while unread: the sentence for one person, and the pair for "and N others"
GROWING: dict[str, tuple[str, tuple[str, str]]] = {
    T.comment: (
        N_("{actor} commented on your post “{title}”"),
        N_plural(
            "{actor} and {n} other commented on your post “{title}”",
            "{actor} and {n} others commented on your post “{title}”",
        ),
    ),
    T.reply: (
        N_("{actor} replied to your comment on “{title}”"),
        N_plural(
            "{actor} and {n} other replied to your comment on “{title}”",
            "{actor} and {n} others replied to your comment on “{title}”",
        ),
    ),
    T.like: (
        N_("{actor} reacted to your post “{title}”"),
        N_plural(
            "{actor} and {n} other reacted to your post “{title}”",
            "{actor} and {n} others reacted to your post “{title}”",
        ),
    ),
    T.answer: (
        N_("{actor} answered your question “{title}”"),
        N_plural(
            "{actor} and {n} other answered your question “{title}”",
            "{actor} and {n} others answered your question “{title}”",
        ),
    ),
    T.join_request: (
        N_("{actor} asked to join {community}"),
        N_plural(
            "{actor} and {n} other asked to join {community}",
            "{actor} and {n} others asked to join {community}",
        ),
    ),
    T.community_post: (
        N_("{actor} posted in {community}: “{title}”"),
        N_plural(
            "{actor} and {n} other posted in {community}", "{actor} and {n} others posted in {community}"
        ),
    ),
}


def post_title(post: Post, limit: int = 80) -> str:
    """A short name for a post in a notification: its title, else the start of its text."""
    text = (post.title or post.body or "").strip().replace("\n", " ")
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def channel_for(db: Session, user_id: int, type_: str) -> str:
    """The person's channel for this type (their choice, else the default)."""
    chosen = db.scalar(
        select(NotificationPreference.channel).where(
            NotificationPreference.user_id == user_id, NotificationPreference.type == type_
        )
    )
    return chosen or DEFAULT_CHANNELS.get(type_, Channel.app.value)


def preferences(db: Session, user_id: int) -> dict[str, str]:
    """Every type's channel for this person, in the order of the types."""
    chosen = dict(
        db.execute(
            select(NotificationPreference.type, NotificationPreference.channel).where(
                NotificationPreference.user_id == user_id
            )
        ).all()
    )
    return {t.value: chosen.get(t.value, DEFAULT_CHANNELS[t]) for t in NotificationType}


def set_preferences(db: Session, *, user: User, channels: dict[str, str]) -> None:
    """Save a person's channel per type; an unknown type or channel is refused, nothing saved."""
    valid_channels = {c.value for c in Channel}
    errors = []
    for type_, channel in channels.items():
        if type_ not in DEFAULT_CHANNELS:
            errors.append(FieldError(type_, _("Unknown notification type.")))
        elif channel not in valid_channels:
            errors.append(FieldError(type_, _("Choose one of the offered channels.")))
    if errors:
        raise Invalid(errors)
    for type_, channel in channels.items():
        row = db.get(NotificationPreference, (user.id, type_))
        if channel == DEFAULT_CHANNELS[type_]:
            if row is not None:
                db.delete(row)
        elif row is None:
            db.add(NotificationPreference(user_id=user.id, type=type_, channel=channel))
        else:
            row.channel = channel
    db.flush()


def _may_see(db: Session, recipient_id: int, post_id: int | None, community_id: int | None) -> bool:
    if post_id is not None:
        return db.scalar(select(Post.id).where(Post.id == post_id, post_readable(recipient_id))) is not None
    if community_id is not None:
        return (
            db.scalar(
                select(Community.id).where(Community.id == community_id, community_visible(recipient_id))
            )
            is not None
        )
    return True


def notify(
    db: Session,
    *,
    recipient_id: int,
    type: str,
    key: str,
    url: str,
    actor_id: int | None = None,
    post_id: int | None = None,
    community_id: int | None = None,
    params: dict[str, Any] | None = None,
    at: datetime | None = None,
) -> Notification | None:
    """Tell one person of one thing, in the current transaction; None when nobody is to be told.

    `key` names what the line is about: notifications with the same key for the same person are
    one line (the likes of one post: `like:post:42`). While that line is unread, a new actor is
    added to it ("and 4 others") and it moves to the top; once read, the next one starts it afresh."""
    if actor_id is not None and actor_id == recipient_id:
        return None
    recipient = db.get(User, recipient_id)
    if recipient is None or not recipient.is_active:
        return None
    if channel_for(db, recipient_id, type) == Channel.off.value:
        return None
    if not _may_see(db, recipient_id, post_id, community_id):
        return None
    at = at or utcnow()
    row = db.scalar(
        select(Notification).where(Notification.user_id == recipient_id, Notification.group_key == key)
    )
    if row is None:
        row = Notification(
            user_id=recipient_id,
            type=type,
            group_key=key,
            actor_id=actor_id,
            actor_count=1 if actor_id is not None else 0,
            post_id=post_id,
            community_id=community_id,
            params=params or {},
            url=url,
            created_at=at,
        )
        try:
            with db.begin_nested():
                db.add(row)
                db.flush()
        except IntegrityError:  # the same line was written by a concurrent request: update it instead
            row = db.scalars(
                select(Notification).where(
                    Notification.user_id == recipient_id, Notification.group_key == key
                )
            ).one()
            _grow(db, row, actor_id, params, url, at)
    else:
        _grow(db, row, actor_id, params, url, at)
    if actor_id is not None:
        db.merge(NotificationActor(notification_id=row.id, actor_id=actor_id))
    db.flush()
    live.publish_after_commit(db, f"user:{recipient_id}", "notifications")
    return row


def notify_each(
    db: Session,
    *,
    recipients: Select[int],
    type: str,
    key: str,
    url: str,
    actor_id: int | None = None,
    post_id: int | None = None,
    community_id: int | None = None,
    params: dict[str, Any] | None = None,
    at: datetime | None = None,
) -> None:
    """Tell many people of one thing (a campaign's audience, a community's quiet members): `notify`'s
    rules — not the actor, an active person, a channel that is not off, a post (or else a community)
    they may see — decided for the whole set in one INSERT … SELECT instead of several statements per
    person (thousands of people). Someone who already has a line with this key is told through
    `notify`, so that the line grows."""
    at = at or utcnow()
    chosen = (
        select(NotificationPreference.channel)
        .where(NotificationPreference.user_id == User.id, NotificationPreference.type == type)
        .scalar_subquery()
    )
    told = and_(
        User.id.in_(recipients),
        User.is_active.is_(True),
        func.coalesce(chosen, DEFAULT_CHANNELS.get(type, Channel.app.value)) != Channel.off.value,
    )
    if actor_id is not None:
        told = and_(told, User.id != actor_id)
    if post_id is not None:
        told = and_(told, exists().where(Post.id == post_id, post_readable(User.id)))
    elif community_id is not None:
        told = and_(told, exists().where(Community.id == community_id, community_visible(User.id)))
    has_line = select(Notification.user_id).where(Notification.group_key == key)
    for uid in db.scalars(select(User.id).where(told, User.id.in_(has_line))).all():
        notify(
            db,
            recipient_id=uid,
            type=type,
            key=key,
            url=url,
            actor_id=actor_id,
            post_id=post_id,
            community_id=community_id,
            params=params,
            at=at,
        )
    new_lines = select(
        User.id,
        literal(type, String),
        literal(key, String),
        literal(actor_id, Integer),
        literal(0 if actor_id is None else 1, Integer),
        literal(post_id, Integer),
        literal(community_id, Integer),
        literal(params or {}, JSON),
        literal(url, String),
        literal(at, UTCDateTime),
    ).where(told, User.id.not_in(has_line))
    db.execute(
        insert(Notification).from_select(
            [
                "user_id",
                "type",
                "group_key",
                "actor_id",
                "actor_count",
                "post_id",
                "community_id",
                "params",
                "url",
                "created_at",
            ],
            new_lines,
        )
    )
    if actor_id is not None:  # who is on each new line ("and 4 others" counts them)
        listed = exists().where(
            NotificationActor.notification_id == Notification.id, NotificationActor.actor_id == actor_id
        )
        db.execute(
            insert(NotificationActor).from_select(
                ["notification_id", "actor_id"],
                select(Notification.id, literal(actor_id, Integer)).where(
                    Notification.group_key == key, ~listed
                ),
            )
        )
    for uid in db.scalars(select(Notification.user_id).where(Notification.group_key == key)):
        live.publish_after_commit(db, f"user:{uid}", "notifications")


def _grow(
    db: Session,
    row: Notification,
    actor_id: int | None,
    params: dict[str, Any] | None,
    url: str,
    at: datetime,
) -> None:
    if row.read_at is not None:  # read: the line starts afresh with this actor
        db.execute(delete(NotificationActor).where(NotificationActor.notification_id == row.id))
        row.actor_count = 0
        row.read_at = None
    counted = (
        actor_id is not None
        and db.get(NotificationActor, (row.id, actor_id)) is not None
        and row.actor_count > 0
    )
    if actor_id is not None and not counted:
        row.actor_count += 1
    if actor_id is not None:
        row.actor_id = actor_id
    if params:
        row.params = {**row.params, **params}
    row.url = url
    row.created_at = at
    row.emailed_at = None  # something new: the next email may carry it again


def withdraw(db: Session, *, recipient_id: int, key: str) -> None:
    """Forget a line that no longer holds (a join request that was answered)."""
    db.execute(
        delete(Notification).where(Notification.user_id == recipient_id, Notification.group_key == key)
    )
    live.publish_after_commit(db, f"user:{recipient_id}", "notifications")


def visible_clause(viewer_id: int) -> ColumnElement[bool]:
    """The lines a person may still see: their own, about something they may still read."""
    return and_(
        Notification.user_id == viewer_id,
        or_(
            Notification.post_id.is_(None),
            Notification.post_id.in_(select(Post.id).where(post_readable(viewer_id))),
        ),
        or_(
            Notification.community_id.is_(None),
            Notification.community_id.in_(select(Community.id).where(community_visible(viewer_id))),
        ),
    )


@dataclass
class NotificationView:
    """One line as a reader sees it, in their language."""

    id: int
    type: str
    actor: User | None
    actor_count: int
    text: str
    url: str
    read: bool
    created_at: datetime
    post_id: int | None


def unread_count(db: Session, *, viewer: User) -> int:
    """How many lines the person has not read (the bell's number)."""
    return (
        db.scalar(
            select(func.count())
            .select_from(Notification)
            .where(visible_clause(viewer.id), Notification.read_at.is_(None))
        )
        or 0
    )


def list_for(
    db: Session,
    *,
    viewer: User,
    cursor: str | None = None,
    limit: int | None = None,
    unread: bool = False,
) -> Page[NotificationView]:
    """The person's notifications, newest first, a page at a time."""
    size = clamp_limit(limit, default=30)
    stmt = (
        select(Notification, User)
        .outerjoin(User, User.id == Notification.actor_id)
        .where(visible_clause(viewer.id))
        .order_by(Notification.created_at.desc(), Notification.id.desc())
        .limit(size + 1)
    )
    if unread:
        stmt = stmt.where(Notification.read_at.is_(None))
    position = decode_keyset(cursor, timestamp_key)
    if position is not None:
        at, last_id = position
        stmt = stmt.where(
            or_(
                Notification.created_at < at,
                and_(Notification.created_at == at, Notification.id < last_id),
            )
        )
    rows = db.execute(stmt).all()
    views = [_view(n, actor) for n, actor in rows[:size]]
    next_cursor = None
    if len(rows) > size:
        last = rows[size - 1][0]
        next_cursor = encode_cursor([last.created_at.isoformat(), last.id])
    return Page(views, next_cursor)


def _view(n: Notification, actor: User | None) -> NotificationView:
    return NotificationView(
        id=n.id,
        type=n.type,
        actor=actor,
        actor_count=n.actor_count,
        text=render_text(n.type, actor.display_name if actor else "", n.actor_count, n.params),
        url=n.url,
        read=n.read_at is not None,
        created_at=n.created_at,
        post_id=n.post_id,
    )


def mark_read(db: Session, *, viewer: User, ids: list[int] | None = None, everything: bool = False) -> int:
    """Mark some of the person's lines, or all of them, read; other people's ids are ignored."""
    if not everything and not ids:
        raise Invalid.one("ids", _("Give the notifications to mark read, or all."))
    stmt = update(Notification).where(Notification.user_id == viewer.id, Notification.read_at.is_(None))
    if not everything:
        stmt = stmt.where(Notification.id.in_(ids or []))
    result = db.execute(stmt.values(read_at=utcnow()).execution_options(synchronize_session=False))
    live.publish_after_commit(db, f"user:{viewer.id}", "notifications")
    return int(getattr(result, "rowcount", 0) or 0)


def _when(p: dict[str, Any]) -> str:
    """The `starts_at` a line carries, short, in the reader's language and zone."""
    try:
        return format_datetime(datetime.fromisoformat(str(p.get("starts_at", ""))), "short")
    except ValueError:
        return ""


def render_text(type_: str, actor: str, count: int, params: dict[str, Any]) -> str:
    """The line's sentence in the current language (notifications are written when read)."""
    p = {k: v for k, v in params.items() if isinstance(v, str | int)}
    title = str(p.get("title", ""))
    community = str(p.get("community", ""))
    someone = actor or _("Someone")
    if type_ in GROWING:
        one, many = GROWING[type_]
        others = max(count - 1, 0)
        fields = {"actor": someone, "n": others, "title": title, "community": community}
        return _(one).format(**fields) if others == 0 else ngettext(*many, others).format(**fields)
    if type_ == T.mention:
        if p.get("in_comment"):
            return _("{actor} mentioned you in a comment on “{title}”").format(actor=someone, title=title)
        return _("{actor} mentioned you in “{title}”").format(actor=someone, title=title)
    if type_ == T.praise:
        return _("{actor} praised you: “{title}”").format(actor=someone, title=title)
    if type_ == T.answer_accepted:
        return _("{actor} accepted your answer to “{title}”").format(actor=someone, title=title)
    if type_ == T.join_decision:
        if p.get("approved"):
            return _("Your request to join {community} was approved").format(community=community)
        return _("Your request to join {community} was declined").format(community=community)
    if type_ == T.event:
        change = p.get("change")
        if change == "reminder":
            return _("Reminder: “{title}” starts {when}").format(title=title, when=_when(p))
        if change == "promoted":
            return _("A place opened up: you are now going to “{title}”").format(title=title)
        what = ", ".join(_(EVENT_CHANGES[w]) for w in str(p.get("what", "")).split(",") if w in EVENT_CHANGES)
        return _("“{title}” changed: {what}").format(title=title, what=what)
    if type_ == T.feedback:
        # an anonymous item's line carries no title: nothing stored beside the person names the item
        if p.get("assigned"):
            return _("{actor} handed you the feedback “{title}”").format(actor=someone, title=title)
        status = FEEDBACK_STATUS_LABELS.get(str(p.get("status", "")), N_("updated"))
        if p.get("reply"):
            if not title:
                return _("HR replied to one of your anonymous feedback items")
            return _("HR replied to your feedback “{title}”").format(title=title)
        if not title:
            return _("One of your anonymous feedback items is now: {status}").format(status=_(status))
        return _("Your feedback “{title}” is now: {status}").format(title=title, status=_(status))
    if type_ == T.delegate_draft:
        if p.get("change") == "approved":
            return _("{actor} approved your draft “{title}”: it is published").format(
                actor=someone, title=title
            )
        if p.get("change") == "rejected":
            note = str(p.get("note", "")).strip()
            if note:
                return _("{actor} sent your draft “{title}” back: {note}").format(
                    actor=someone, title=title, note=note
                )
            return _("{actor} sent your draft “{title}” back").format(actor=someone, title=title)
        return _("{actor} drafted a post for you to approve: “{title}”").format(actor=someone, title=title)
    if type_ == T.ambassador_invitation:
        return _("{actor} invites you to become a Proxima ambassador").format(actor=someone)
    if type_ == T.campaign:
        return title
    if type_ == T.mentoring:
        topics = str(p.get("topics", ""))
        if p.get("event") == "accepted":
            return _("You and {actor} are now a reverse-mentoring pair ({topics})").format(
                actor=someone, topics=topics
            )
        if p.get("event") == "session":
            return _("{actor} planned a mentoring session on {when}").format(actor=someone, when=_when(p))
        return _("Proxima proposes a reverse-mentoring pair with {actor} on {topics}").format(
            actor=someone, topics=topics
        )
    if type_ == T.community_winback:
        return _("{actor} misses you in {community}: “{title}”").format(
            actor=someone, community=community, title=title
        )
    return title or str(p.get("text", "")) or type_


# ---- who is told of what ------------------------------------------------------------------------
# Called by the services that change things, in the same transaction.

# types a muted community stays silent about (join requests and decisions still reach people)
_MUTABLE = frozenset({T.mention, T.comment, T.reply, T.like, T.answer, T.community_post, T.event})


def muted(db: Session, user_id: int, community_id: int | None) -> bool:
    """The person muted this community."""
    if community_id is None:
        return False
    level = db.scalar(
        select(Membership.watch).where(Membership.community_id == community_id, Membership.user_id == user_id)
    )
    return level == "muted"


def _about_post(
    db: Session,
    *,
    recipient_id: int,
    type: str,
    key: str,
    post: Post,
    actor_id: int | None,
    url: str | None = None,
    **params: Any,
) -> Notification | None:
    if type in _MUTABLE and muted(db, recipient_id, post.community_id):
        return None
    return notify(
        db,
        recipient_id=recipient_id,
        type=type,
        key=key,
        url=url or f"/posts/{post.id}",
        actor_id=actor_id,
        post_id=post.id,
        params={"title": post_title(post), **params},
    )


def on_post_shared(db: Session, *, post: Post, actor: User, mentioned: list[int]) -> None:
    """A new post: the people it mentions or praises, and the members watching its community."""
    told: set[int] = {actor.id}
    if post.praised_user_id is not None:
        _about_post(
            db,
            recipient_id=post.praised_user_id,
            type=T.praise,
            key=f"praise:post:{post.id}",
            post=post,
            actor_id=actor.id,
        )
        told.add(post.praised_user_id)
    on_mentioned(db, post=post, actor=actor, mentioned=[u for u in mentioned if u not in told])
    told.update(mentioned)
    if post.community_id is None:
        return
    watchers = db.scalars(
        select(Membership.user_id).where(
            Membership.community_id == post.community_id,
            Membership.status == MemberStatus.member.value,
            Membership.watch == "all",
        )
    ).all()
    community = db.get(Community, post.community_id)
    if community is None:
        return
    for uid in watchers:
        if uid in told:
            continue
        notify(
            db,
            recipient_id=uid,
            type=T.community_post,
            key=f"community_post:community:{community.id}",
            url=f"/communities/{community.slug}",
            actor_id=actor.id,
            post_id=post.id,
            community_id=community.id,
            params={"title": post_title(post), "community": community.name},
        )


def on_mentioned(
    db: Session, *, post: Post, actor: User, mentioned: list[int], comment_id: int | None = None
) -> None:
    """The people newly mentioned in a post or a comment (only those who may read it are told)."""
    for uid in mentioned:
        if comment_id is None:
            _about_post(
                db,
                recipient_id=uid,
                type=T.mention,
                key=f"mention:post:{post.id}",
                post=post,
                actor_id=actor.id,
            )
        else:
            _about_post(
                db,
                recipient_id=uid,
                type=T.mention,
                key=f"mention:comment:{comment_id}",
                post=post,
                actor_id=actor.id,
                url=f"/posts/{post.id}#comment-{comment_id}",
                in_comment=1,
            )


def on_commented(
    db: Session,
    *,
    post: Post,
    actor: User,
    comment_id: int,
    parent_author_id: int | None,
    parent_id: int | None,
    mentioned: list[int],
) -> None:
    """A comment, answer or reply: the post's author, the author of the comment replied to, the mentioned."""
    told: set[int] = {actor.id}
    url = f"/posts/{post.id}#comment-{comment_id}"
    if parent_id is not None and parent_author_id is not None and parent_author_id not in told:
        _about_post(
            db,
            recipient_id=parent_author_id,
            type=T.reply,
            key=f"reply:comment:{parent_id}",
            post=post,
            actor_id=actor.id,
            url=url,
        )
        told.add(parent_author_id)
    if post.author_id not in told:
        type_ = T.answer if post.kind == "question" and parent_id is None else T.comment
        _about_post(
            db,
            recipient_id=post.author_id,
            type=type_,
            key=f"{type_}:post:{post.id}",
            post=post,
            actor_id=actor.id,
            url=url,
        )
        told.add(post.author_id)
    on_mentioned(
        db, post=post, actor=actor, mentioned=[u for u in mentioned if u not in told], comment_id=comment_id
    )


def on_reacted(db: Session, *, post: Post, actor: User) -> None:
    """Reactions to a post are one line for its author that grows."""
    _about_post(
        db, recipient_id=post.author_id, type=T.like, key=f"like:post:{post.id}", post=post, actor_id=actor.id
    )


def on_answer_accepted(
    db: Session, *, post: Post, actor: User, answer_author_id: int, comment_id: int
) -> None:
    """The author of the accepted answer."""
    _about_post(
        db,
        recipient_id=answer_author_id,
        type=T.answer_accepted,
        key=f"answer_accepted:post:{post.id}",
        post=post,
        actor_id=actor.id,
        url=f"/posts/{post.id}#comment-{comment_id}",
    )


def on_join_requested(db: Session, *, community: Community, actor: User, manager_ids: list[int]) -> None:
    """The managers of a private community, of a request to join (one growing line per community)."""
    for uid in manager_ids:
        notify(
            db,
            recipient_id=uid,
            type=T.join_request,
            key=f"join_request:community:{community.id}",
            url=f"/communities/{community.slug}/members",
            actor_id=actor.id,
            community_id=community.id,
            params={"community": community.name},
        )


def on_join_decided(
    db: Session, *, community: Community, actor: User, requester_id: int, approved: bool
) -> None:
    """The person who asked to join, of the managers' answer."""
    notify(
        db,
        recipient_id=requester_id,
        type=T.join_decision,
        key=f"join_decision:community:{community.id}",
        url=f"/communities/{community.slug}",
        actor_id=actor.id,
        community_id=community.id,
        params={"community": community.name, "approved": 1 if approved else 0},
    )


def on_event_changed(db: Session, *, post: Post, actor: User, attendee_ids: list[int], what: str) -> None:
    """The people going to (or waiting for) an event whose date, place or capacity changed."""
    for uid in attendee_ids:
        _about_post(
            db,
            recipient_id=uid,
            type=T.event,
            key=f"event:change:{post.id}",
            post=post,
            actor_id=actor.id,
            change="changed",
            what=what,
        )


def on_seat_freed(db: Session, *, post: Post, promoted_id: int) -> None:
    """The first person waiting for an event, now going."""
    _about_post(
        db,
        recipient_id=promoted_id,
        type=T.event,
        key=f"event:promoted:{post.id}",
        post=post,
        actor_id=None,
        change="promoted",
    )


REMINDER_AHEAD = timedelta(hours=24)


def remind_events(db: Session, *, as_of: datetime | None = None) -> int:
    """Remind the people going to an event that starts within a day; once per event and person.

    Run by `proxima notifications send-digests` (cron); returns how many people were reminded."""
    from app.models import Event, Rsvp, RsvpStatus

    now = as_of or utcnow()
    rows = db.execute(
        select(Post, Event.starts_at, Rsvp.user_id)
        .join(Event, Event.post_id == Post.id)
        .join(Rsvp, Rsvp.post_id == Post.id)
        .where(
            Event.starts_at > now,
            Event.starts_at <= now + REMINDER_AHEAD,
            Rsvp.status == RsvpStatus.going.value,
            Post.removed_at.is_(None),
        )
        .order_by(Event.starts_at, Post.id, Rsvp.user_id)
    ).all()
    reminded = 0
    for post, starts_at, user_id in rows:
        key = f"event:reminder:{post.id}"
        exists = db.scalar(
            select(Notification.id).where(Notification.user_id == user_id, Notification.group_key == key)
        )
        if exists is not None:
            continue
        if (
            _about_post(
                db,
                recipient_id=user_id,
                type=T.event,
                key=key,
                post=post,
                actor_id=None,
                change="reminder",
                starts_at=starts_at.isoformat(),
            )
            is not None
        ):
            reminded += 1
    return reminded
