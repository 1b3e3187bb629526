"""Posts of every kind, comments, reactions, answers, and the feeds that show them."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import cache
from typing import Any

from sqlalchemy import (
    Integer,
    Row,
    String,
    and_,
    bindparam,
    case,
    delete,
    func,
    insert,
    or_,
    select,
    tuple_,
    update,
)
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session, aliased

from app.i18n import _
from app.models import (
    Comment,
    Community,
    Event,
    Follow,
    Membership,
    MemberStatus,
    Mention,
    PollOption,
    PollVote,
    Post,
    PostKind,
    PostTag,
    Reaction,
    ReactionKind,
    Report,
    Role,
    Rsvp,
    RsvpStatus,
    Tag,
    TagFollow,
    User,
)
from app.models.base import utcnow
from app.services import activity, delegates, live, markdown, notifications, tags
from app.services.communities import can_moderate
from app.services.errors import FieldError, Forbidden, Invalid, NotFound
from app.services.pagination import Page, clamp_limit, decode_keyset, encode_cursor, timestamp_key
from app.services.text import fold
from app.services.visibility import (
    Viewer,
    can_read_community_posts,
    get_visible_community,
    member_community_ids,
    post_openable,
    post_readable,
)

KINDS = [k.value for k in PostKind]
REACTIONS = [r.value for r in ReactionKind]
LIMITS = {"title": 200, "status": 1000, "body": 50_000, "comment": 10_000, "reason": 1000, "location": 200}
POLL_MIN, POLL_MAX = 2, 10


# ---- writing -----------------------------------------------------------------------------------


@dataclass
class EventData:
    """When and where an event takes place."""

    starts_at: datetime
    location: str
    ends_at: datetime | None = None
    capacity: int | None = None
    online_url: str | None = None


@dataclass
class PostData:
    """What someone posts."""

    kind: str
    body: str = ""
    title: str | None = None
    community: str | None = None  # slug; None posts company-wide, on one's profile
    tags: list[str] = field(default_factory=list)
    event: EventData | None = None
    praised_user_id: int | None = None
    poll_options: list[str] = field(default_factory=list)
    is_leadership: bool = False
    on_behalf_of: int | None = None  # an executive who named the poster as delegate


def known_handles(db: Session, candidates: set[str]) -> set[str]:
    """Which of these @handles are active people (only they become mentions)."""
    if not candidates:
        return set()
    return set(db.scalars(select(User.handle).where(User.handle.in_(candidates), User.is_active.is_(True))))


def _render(db: Session, kind: str, body: str) -> markdown.Rendered:
    plain = kind in (PostKind.status.value, PostKind.praise.value, PostKind.poll.value)
    return markdown.render(body, known_handles=lambda c: known_handles(db, c), plain=plain)


def _check_post(data: PostData) -> list[FieldError]:
    errors: list[FieldError] = []
    body = data.body.strip()
    title = (data.title or "").strip()
    if data.kind not in KINDS:
        return [FieldError("kind", _("Choose one of: {kinds}.").format(kinds=", ".join(KINDS)))]
    needs_title = data.kind in (PostKind.article.value, PostKind.event.value)
    if needs_title and not title:
        errors.append(FieldError("title", _("A title is required.")))
    if len(title) > LIMITS["title"]:
        errors.append(FieldError("title", _("At most {n} characters.").format(n=LIMITS["title"])))
    if not body and data.kind != PostKind.event.value:
        errors.append(FieldError("body", _("Write something first.")))
    limit = LIMITS["status"] if data.kind == PostKind.status.value else LIMITS["body"]
    if len(body) > limit:
        errors.append(FieldError("body", _("At most {n} characters.").format(n=limit)))
    if data.kind == PostKind.event.value:
        errors += check_event(data.event)
    if data.kind == PostKind.praise.value and data.praised_user_id is None:
        errors.append(FieldError("praised_user_id", _("Choose the colleague you recognise.")))
    if data.kind == PostKind.poll.value:
        options = [o.strip() for o in data.poll_options if o.strip()]
        if not POLL_MIN <= len(options) <= POLL_MAX or len(set(options)) != len(options):
            errors.append(FieldError("poll_options", _("Between 2 and 10 different options.")))
        elif any(len(o) > 200 for o in options):
            errors.append(FieldError("poll_options", _("At most {n} characters.").format(n=200)))
    return errors


def check_event(event: EventData | None) -> list[FieldError]:
    if event is None:
        return [FieldError("event", _("An event needs a date and a place."))]
    errors = []
    if not event.location.strip():
        errors.append(FieldError("event.location", _("Where does it take place?")))
    elif len(event.location) > LIMITS["location"]:
        errors.append(FieldError("event.location", _("At most {n} characters.").format(n=LIMITS["location"])))
    if event.starts_at.tzinfo is None:
        errors.append(
            FieldError("event.starts_at", _("Give the time zone (e.g. 2026-12-03T14:00:00+01:00)."))
        )
    elif event.ends_at is not None and (event.ends_at.tzinfo is None or event.ends_at <= event.starts_at):
        errors.append(FieldError("event.ends_at", _("The end comes after the start.")))
    if event.capacity is not None and not 1 <= event.capacity <= 100_000:
        errors.append(FieldError("event.capacity", _("A capacity between 1 and 100,000, or none.")))
    if event.online_url and not event.online_url.startswith(("https://", "http://")):
        errors.append(FieldError("event.online_url", _("A web address starting with https://.")))
    return errors


def _sync_tags(db: Session, post: Post, explicit: list[str], found: list[str]) -> None:
    wanted = tags.get_or_create_tags(db, [*explicit, *found])
    db.execute(delete(PostTag).where(PostTag.post_id == post.id))
    if wanted:
        db.execute(
            insert(PostTag),
            [{"post_id": post.id, "tag_id": t.id, "created_at": post.created_at} for t in wanted],
        )


def _sync_mentions(db: Session, post: Post, handles: list[str], comment: Comment | None = None) -> list[int]:
    """Store who the text mentions; returns the people mentioned now who were not before."""
    if comment is None:
        mine = and_(Mention.post_id == post.id, Mention.comment_id.is_(None))
    else:
        mine = Mention.comment_id == comment.id
    before = set(db.scalars(select(Mention.user_id).where(mine)).all()) if comment is None else set()
    db.execute(delete(Mention).where(mine))
    ids: list[int] = []
    if handles:
        ids = list(db.scalars(select(User.id).where(User.handle.in_(handles))).all())
        db.execute(
            insert(Mention),
            [
                {"post_id": post.id, "comment_id": comment.id if comment else None, "user_id": uid}
                for uid in ids
            ],
        )
    return [uid for uid in ids if uid not in before]


def _writable_community(db: Session, actor: User, slug: str) -> Community:
    community = get_visible_community(db, actor, slug)
    if community.archived_at is not None:
        raise Forbidden(_("This community is archived."))
    if (
        not can_read_community_posts(db, actor, community)
        or db.get(Membership, (community.id, actor.id)) is None
    ):
        raise Forbidden(_("Join the community to post in it."))
    member = db.get(Membership, (community.id, actor.id))
    if member is None or member.status != MemberStatus.member.value:
        raise Forbidden(_("Join the community to post in it."))
    return community


def create_post(db: Session, *, actor: User, data: PostData) -> Post:
    """Share a post, company-wide or in a community the author belongs to; a delegate may post for
    an executive (who is then the author), at once or as a draft the executive approves."""
    delegate: User | None = None
    if data.on_behalf_of is not None and data.on_behalf_of != actor.id:
        delegate, actor = actor, delegates.executive_for(db, delegate=actor, executive_id=data.on_behalf_of)
    errors = _check_post(data)
    explicit_tags: list[str] = []
    try:
        explicit_tags = tags.normalize_tags(data.tags, limit=10)
    except Invalid as exc:
        errors += exc.errors
    praised: User | None = None
    if data.kind == PostKind.praise.value and data.praised_user_id is not None:
        praised = db.get(User, data.praised_user_id)
        if praised is None or not praised.is_active:
            errors.append(FieldError("praised_user_id", _("Choose a colleague from the directory.")))
        elif praised.id == actor.id:
            errors.append(FieldError("praised_user_id", _("Recognise a colleague, not yourself.")))
    if errors:
        raise Invalid(errors)
    if data.is_leadership and not actor.has_role(Role.executive):
        raise Forbidden(_("Only executives can mark a post as a leadership post."))
    community = _writable_community(db, actor, data.community) if data.community else None
    if delegate is not None and community is not None:
        delegates.check_community(db, delegate=delegate, community=community)
    rendered = _render(db, data.kind, data.body.strip())
    post = Post(
        kind=data.kind,
        author_id=actor.id,
        posted_by_id=delegate.id if delegate else None,
        is_draft=delegate is not None and delegates.approval_required(db, actor.id),
        community_id=community.id if community else None,
        title=(data.title or "").strip() or None,
        body=data.body.strip(),
        body_html=rendered.html,
        is_leadership=data.is_leadership,
        praised_user_id=praised.id if praised else None,
        created_at=utcnow(),
    )
    db.add(post)
    db.flush()
    _sync_tags(db, post, explicit_tags, rendered.tags)
    mentioned = _sync_mentions(db, post, rendered.mentions)
    if data.kind == PostKind.event.value and data.event is not None:
        e = data.event
        db.add(
            Event(
                post_id=post.id,
                starts_at=e.starts_at,
                ends_at=e.ends_at,
                location=e.location.strip(),
                capacity=e.capacity,
                online_url=e.online_url,
            )
        )
    if data.kind == PostKind.poll.value:
        options = [o.strip() for o in data.poll_options if o.strip()]
        db.execute(
            insert(PollOption),
            [{"post_id": post.id, "position": i, "label": o} for i, o in enumerate(options)],
        )
    if post.is_draft and delegate is not None:  # nobody hears of it before the executive approves
        delegates.submit_draft(db, post=post, executive=actor, delegate=delegate)
        return post
    if delegate is not None:
        delegates.published_for(db, post=post, executive=actor, delegate=delegate)
    announce_post(db, post=post, actor=actor, mentioned=mentioned)
    return post


def announce_post(db: Session, *, post: Post, actor: User, mentioned: list[int] | None = None) -> None:
    """A post is published (at once, or when its draft is approved): the activity and notifications."""
    activity.record(db, user_id=actor.id, kind="post", subject_type="post", subject_id=post.id)
    if post.praised_user_id is not None:
        activity.record(db, user_id=actor.id, kind="praise_given", subject_type="post", subject_id=post.id)
        activity.record(
            db, user_id=post.praised_user_id, kind="praise_received", subject_type="post", subject_id=post.id
        )
    db.flush()
    if mentioned is None:  # an approved draft: the people it names hear of it now
        named = select(Mention.user_id).where(Mention.post_id == post.id, Mention.comment_id.is_(None))
        mentioned = list(db.scalars(named))
    notifications.on_post_shared(db, post=post, actor=actor, mentioned=mentioned)
    where = {"community_id": post.community_id, "author_id": post.author_id}  # never what was said
    live.publish_after_commit(db, "feed", "post", where)


def _require_author(actor: User, post: Post) -> None:
    if post.author_id != actor.id:
        raise Forbidden(_("Only the author may do this."))


def _require_author_or_delegate(db: Session, actor: User, post: Post) -> None:
    if not delegates.may_manage(db, actor=actor, author_id=post.author_id, posted_by_id=post.posted_by_id):
        raise Forbidden(_("Only the author may do this."))


def update_post(db: Session, *, actor: User, post: Post, changes: dict[str, Any]) -> Post:
    """The author (or the delegate who posted it) edits the text, title or tags; an "edited" mark shows."""
    _require_author_or_delegate(db, actor, post)
    if post.removed_at is not None:
        raise Forbidden(_("A removed post cannot be edited."))
    data = PostData(
        kind=post.kind,
        body=changes.get("body", post.body) or "",
        title=changes.get("title", post.title),
        tags=changes.get("tags") or [],
        event=EventData(starts_at=utcnow() + timedelta(days=1), location="-")
        if post.kind == PostKind.event.value
        else None,
        praised_user_id=post.praised_user_id,
        poll_options=["a", "b"] if post.kind == PostKind.poll.value else [],
    )
    errors = [e for e in _check_post(data) if not e.field.startswith(("event", "poll", "praised"))]
    if errors:
        raise Invalid(errors)
    rendered = _render(db, post.kind, data.body.strip())
    old_body = post.body
    post.body, post.body_html = data.body.strip(), rendered.html
    post.title = (data.title or "").strip() or None
    post.edited_at = utcnow()
    if "tags" in changes:
        explicit = tags.normalize_tags(changes["tags"], limit=10)
    else:  # keep the tags given apart from the text; those the old text carried go with it
        from_old_text = {fold(t) for t in _render(db, post.kind, old_body).tags}
        current = db.scalars(select(Tag.name).join(PostTag).where(PostTag.post_id == post.id))
        explicit = [name for name in current if fold(name) not in from_old_text]
    _sync_tags(db, post, explicit, rendered.tags)
    mentioned = _sync_mentions(db, post, rendered.mentions)
    db.flush()
    author = actor if actor.id == post.author_id else db.get(User, post.author_id)
    notifications.on_mentioned(db, post=post, actor=author or actor, mentioned=mentioned)
    delegates.on_post_edited(db, actor=actor, post=post)
    return post


def delete_post(db: Session, *, actor: User, post: Post) -> None:
    """The author (or the delegate who posted it) deletes the post (for good)."""
    _require_author_or_delegate(db, actor, post)
    delegates.on_post_deleted(db, actor=actor, post=post)
    db.delete(post)
    db.flush()


def _removal_reason(reason: str) -> str:
    reason = reason.strip()
    if not reason:
        raise Invalid.one("reason", _("Say why, for the author."))
    if len(reason) > LIMITS["reason"]:
        raise Invalid.one("reason", _("At most {n} characters.").format(n=LIMITS["reason"]))
    return reason


def _close_reports(db: Session, *, actor: User, post_id: int, comment_id: int | None) -> None:
    """A removal settles every open report on what was removed, however it was removed."""
    target = Report.comment_id == comment_id if comment_id is not None else Report.comment_id.is_(None)
    db.execute(
        update(Report)
        .where(Report.post_id == post_id, target, Report.resolved_at.is_(None))
        .values(resolved_at=utcnow(), resolved_by_id=actor.id, resolution="removed")
    )


def remove_post(db: Session, *, actor: User, post: Post, reason: str) -> None:
    """Community managers (and admins, company-wide) remove a post with a reason shown to its author."""
    if not can_moderate(db, actor, post.community_id):
        raise Forbidden(_("Only the community's managers (or an administrator) may remove this post."))
    reason = _removal_reason(reason)
    if post.removed_at is not None:
        return  # already removed: the first decision and its reason stand
    post.removed_at, post.removed_by_id, post.removal_reason = utcnow(), actor.id, reason
    post.pinned_at = None
    _close_reports(db, actor=actor, post_id=post.id, comment_id=None)
    activity.audit(db, actor_id=actor.id, action="post_removed", target_id=post.author_id, post_id=post.id)


# ---- comments, answers, reactions --------------------------------------------------------------


def _require_open_post(db: Session, post: Post) -> None:
    if post.removed_at is not None or post.is_draft:
        raise NotFound(_("No such post."))
    if post.community_id is not None:
        archived = db.scalar(select(Community.archived_at).where(Community.id == post.community_id))
        if archived is not None:
            raise Forbidden(_("This community is archived."))


def add_comment(db: Session, *, actor: User, post: Post, body: str, parent_id: int | None = None) -> Comment:
    """Comment on a post the viewer can read, or reply to a comment (one level of replies)."""
    _require_open_post(db, post)
    text = body.strip()
    if not text:
        raise Invalid.one("body", _("Write something first."))
    if len(text) > LIMITS["comment"]:
        raise Invalid.one("body", _("At most {n} characters.").format(n=LIMITS["comment"]))
    parent_author_id: int | None = None
    if parent_id is not None:
        parent = db.get(Comment, parent_id)
        if parent is None or parent.post_id != post.id or parent.removed_at is not None:
            raise Invalid.one("parent_id", _("No such comment on this post."))
        parent_author_id = parent.author_id  # the person replied to is told, even deep in a thread
        parent_id = parent.parent_id or parent.id  # a reply to a reply joins the same thread
    rendered = markdown.render(text, known_handles=lambda c: known_handles(db, c), plain=True)
    comment = Comment(
        post_id=post.id, parent_id=parent_id, author_id=actor.id, body=text, body_html=rendered.html
    )
    db.add(comment)
    db.execute(
        update(Post)
        .where(Post.id == post.id)
        .values(
            comment_count=Post.comment_count + 1,
            answer_count=Post.answer_count + (1 if parent_id is None else 0),
        )
    )
    db.flush()
    mentioned = _sync_mentions(db, post, rendered.mentions, comment)
    kind = "answer" if post.kind == PostKind.question.value and parent_id is None else "comment"
    activity.record(db, user_id=actor.id, kind=kind, subject_type="post", subject_id=post.id)
    notifications.on_commented(
        db,
        post=post,
        actor=actor,
        comment_id=comment.id,
        parent_author_id=parent_author_id,
        parent_id=parent_id,
        mentioned=mentioned,
    )
    live.publish_after_commit(db, f"post:{post.id}", "comment", {"comment_id": comment.id})
    return comment


def get_comment(db: Session, post: Post, comment_id: int) -> Comment:
    """A comment of this post."""
    comment = db.get(Comment, comment_id)
    if comment is None or comment.post_id != post.id:
        raise NotFound(_("No such comment."))
    return comment


def delete_comment(db: Session, *, actor: User, post: Post, comment: Comment) -> None:
    """The author deletes their comment (its replies go with it)."""
    if comment.author_id != actor.id:
        raise Forbidden(_("Only the author may do this."))
    gone = 1 + (
        db.scalar(select(func.count()).select_from(Comment).where(Comment.parent_id == comment.id)) or 0
    )
    if post.accepted_comment_id == comment.id:
        post.accepted_comment_id = None
    answers = 1 if comment.parent_id is None else 0
    db.delete(comment)
    db.execute(
        update(Post)
        .where(Post.id == post.id)
        .values(comment_count=Post.comment_count - gone, answer_count=Post.answer_count - answers)
    )
    db.flush()


def remove_comment(db: Session, *, actor: User, post: Post, comment: Comment, reason: str) -> None:
    """Moderators remove a comment with a reason; it and its replies leave the post and its counts."""
    if not can_moderate(db, actor, post.community_id):
        raise Forbidden(_("Only the community's managers (or an administrator) may remove this comment."))
    reason = _removal_reason(reason)
    if comment.removed_at is not None:
        return
    # the thread under a removed comment is no longer shown, so it leaves the count too
    replies = (
        db.scalar(
            select(func.count())
            .select_from(Comment)
            .where(Comment.parent_id == comment.id, Comment.removed_at.is_(None))
        )
        or 0
    )
    comment.removed_at, comment.removed_by_id, comment.removal_reason = utcnow(), actor.id, reason
    db.execute(
        update(Post)
        .where(Post.id == post.id)
        .values(
            comment_count=Post.comment_count - 1 - replies,
            answer_count=Post.answer_count - (1 if comment.parent_id is None else 0),
        )
    )
    if post.accepted_comment_id == comment.id:
        post.accepted_comment_id = None
    _close_reports(db, actor=actor, post_id=post.id, comment_id=comment.id)
    activity.audit(
        db,
        actor_id=actor.id,
        action="comment_removed",
        target_id=comment.author_id,
        post_id=post.id,
        comment_id=comment.id,
    )


def accept_answer(db: Session, *, actor: User, post: Post, comment_id: int) -> Comment:
    """The question's author accepts one answer (another acceptance replaces it)."""
    if post.kind != PostKind.question.value:
        raise Invalid.one("post", _("Only questions have accepted answers."))
    _require_author(actor, post)
    comment = get_comment(db, post, comment_id)
    if comment.parent_id is not None or comment.removed_at is not None:
        raise Invalid.one("comment", _("Accept an answer, not a reply."))
    already = post.accepted_comment_id == comment.id
    post.accepted_comment_id = comment.id
    if comment.author_id != actor.id and not already:
        activity.record(
            db, user_id=comment.author_id, kind="answer_accepted", subject_type="post", subject_id=post.id
        )
        notifications.on_answer_accepted(
            db, post=post, actor=actor, answer_author_id=comment.author_id, comment_id=comment.id
        )
    db.flush()
    return comment


def _count_column(kind: str) -> Any:
    return getattr(Post, COUNT_COLUMNS[kind])


def react(db: Session, *, actor: User, post: Post, kind: str = ReactionKind.like.value) -> None:
    """React to a post (like by default); one reaction per person, reacting again changes nothing."""
    if kind not in REACTIONS:
        raise Invalid.one("kind", _("Choose one of: {kinds}.").format(kinds=", ".join(REACTIONS)))
    _require_open_post(db, post)
    existing = db.scalar(
        select(Reaction).where(Reaction.post_id == post.id, Reaction.user_id == actor.id).with_for_update()
    )
    if existing is None:
        insert_ = postgresql_insert if db.get_bind().dialect.name == "postgresql" else sqlite_insert
        result = db.execute(
            insert_(Reaction)
            .values(post_id=post.id, user_id=actor.id, kind=kind, created_at=utcnow())
            .on_conflict_do_nothing()
        )
        if result.rowcount:  # type: ignore[attr-defined]
            column = _count_column(kind)
            db.execute(
                update(Post)
                .where(Post.id == post.id)
                .values({Post.reaction_count: Post.reaction_count + 1, column: column + 1})
            )
            activity.record(db, user_id=actor.id, kind="like", subject_type="post", subject_id=post.id)
            if post.author_id != actor.id:
                activity.record(
                    db, user_id=post.author_id, kind="content_liked", subject_type="post", subject_id=post.id
                )
                notifications.on_reacted(db, post=post, actor=actor)
    elif existing.kind != kind:
        before, after = _count_column(existing.kind), _count_column(kind)
        existing.kind = kind
        db.execute(update(Post).where(Post.id == post.id).values({before: before - 1, after: after + 1}))
    db.flush()
    db.refresh(post)


def unreact(db: Session, *, actor: User, post: Post) -> None:
    """Take one's reaction back; taking it back twice changes nothing."""
    gone = db.execute(
        delete(Reaction)
        .where(Reaction.post_id == post.id, Reaction.user_id == actor.id)
        .returning(Reaction.kind)
    ).scalar()
    if gone is not None:
        column = _count_column(gone)
        db.execute(
            update(Post)
            .where(Post.id == post.id)
            .values({Post.reaction_count: Post.reaction_count - 1, column: column - 1})
        )
    db.flush()
    db.refresh(post)


def follow_tag(db: Session, *, actor: User, name: str, follow: bool = True) -> Tag:
    """Follow (or stop following) a hashtag: its posts come to the home feed."""
    tag = tags.find_tag(db, name)
    if tag is None:
        tag = tags.get_or_create_tags(db, [name])[0]
    if follow and db.get(TagFollow, (actor.id, tag.id)) is None:
        db.add(TagFollow(user_id=actor.id, tag_id=tag.id))
        activity.record(db, user_id=actor.id, kind="follow_tag", subject_type="tag", subject_id=tag.id)
    elif not follow:
        db.execute(delete(TagFollow).where(TagFollow.user_id == actor.id, TagFollow.tag_id == tag.id))
    db.flush()
    return tag


def follows_tag(db: Session, *, actor: User, tag: Tag) -> bool:
    """True when the person follows this tag."""
    return db.get(TagFollow, (actor.id, tag.id)) is not None


# ---- reading: feed items built with few queries ------------------------------------------------

Praised = aliased(User, name="praised")
PostedBy = aliased(User, name="posted_by")
TAG_SEPARATOR = "\x1f"
COUNT_COLUMNS = {
    ReactionKind.like.value: "like_count",
    ReactionKind.celebrate.value: "celebrate_count",
    ReactionKind.support.value: "support_count",
    ReactionKind.insightful.value: "insightful_count",
    ReactionKind.curious.value: "curious_count",
}


@dataclass
class FeedItem:
    """A post as shown in a feed: its row (post, author, community, counts) and what hangs on it."""

    row: Row[Any]
    tags: list[str] = field(default_factory=list)
    reactions: dict[str, int] = field(default_factory=dict)
    my_reaction: str | None = None
    event: dict[str, Any] | None = None
    poll: dict[str, Any] | None = None

    def __getattr__(self, name: str) -> Any:
        return getattr(self.row, name)


def _feed_select(viewer_id: Viewer) -> Any:
    """One statement for a page of posts: the post, its author, community, praised colleague, tags,
    reaction counts and the viewer's reaction, and an event's seats and the viewer's RSVP."""
    tag_names = (
        select(func.aggregate_strings(Tag.name, TAG_SEPARATOR))
        .join(PostTag, PostTag.tag_id == Tag.id)
        .where(PostTag.post_id == Post.id)
        .scalar_subquery()
    )
    my_reaction = (
        select(Reaction.kind)
        .where(Reaction.post_id == Post.id, Reaction.user_id == viewer_id)
        .scalar_subquery()
    )

    def rsvp_count(status: str) -> Any:
        return (
            select(func.count())
            .select_from(Rsvp)
            .where(Rsvp.post_id == Event.post_id, Rsvp.status == status)
            .scalar_subquery()
        )

    my_rsvp = (
        select(Rsvp.status).where(Rsvp.post_id == Event.post_id, Rsvp.user_id == viewer_id).scalar_subquery()
    )
    return (
        select(
            Post.id,
            Post.kind,
            Post.title,
            Post.body_html,
            Post.created_at,
            Post.edited_at,
            Post.is_leadership,
            Post.like_count,
            Post.celebrate_count,
            Post.support_count,
            Post.insightful_count,
            Post.curious_count,
            Post.reaction_count,
            Post.comment_count,
            Post.answer_count,
            Post.community_id,
            Post.pinned_at,
            Post.accepted_comment_id,
            Post.removed_at,
            Post.removal_reason,
            Post.author_id,
            User.display_name.label("author_name"),
            User.handle.label("author_handle"),
            User.photo_id.label("author_photo_id"),
            User.job_title.label("author_job_title"),
            Community.slug.label("community_slug"),
            Community.name.label("community_name"),
            Community.visibility.label("community_visibility"),
            Praised.display_name.label("praised_name"),
            Praised.handle.label("praised_handle"),
            Post.posted_by_id,
            PostedBy.display_name.label("posted_by_name"),
            PostedBy.handle.label("posted_by_handle"),
            Post.is_draft,
            tag_names.label("tag_names"),
            my_reaction.label("my_reaction_kind"),
            Event.starts_at.label("event_starts_at"),
            Event.ends_at.label("event_ends_at"),
            Event.location.label("event_location"),
            Event.online_url.label("event_online_url"),
            Event.capacity.label("event_capacity"),
            case((Event.post_id.is_(None), None), else_=rsvp_count(RsvpStatus.going.value)).label(
                "event_going"
            ),
            case((Event.post_id.is_(None), None), else_=rsvp_count(RsvpStatus.waitlist.value)).label(
                "event_waiting"
            ),
            case((Event.post_id.is_(None), None), else_=my_rsvp).label("event_mine"),
        )
        .join(User, User.id == Post.author_id)
        .outerjoin(Community, Community.id == Post.community_id)
        .outerjoin(Praised, Praised.id == Post.praised_user_id)
        .outerjoin(PostedBy, PostedBy.id == Post.posted_by_id)
        .outerjoin(Event, Event.post_id == Post.id)
    )


def feed_item_of(row: Row[Any]) -> FeedItem:
    """One row of `_feed_select` shaped for display (everything but a poll's options)."""
    item = FeedItem(row)
    item.tags = sorted(row.tag_names.split(TAG_SEPARATOR)) if row.tag_names else []
    item.reactions = {
        kind: getattr(row, column) for kind, column in COUNT_COLUMNS.items() if getattr(row, column)
    }
    item.my_reaction = row.my_reaction_kind
    if row.event_starts_at is not None:
        item.event = {
            "starts_at": row.event_starts_at,
            "ends_at": row.event_ends_at,
            "location": row.event_location,
            "online_url": row.event_online_url,
            "capacity": row.event_capacity,
            "going": row.event_going or 0,
            "waitlist": row.event_waiting or 0,
            "mine": row.event_mine,
        }
    return item


@cache
def _poll_options_statement() -> Any:
    """The options of the polls on a page, their votes and the viewer's (built once, like the feeds)."""
    return (
        select(
            PollOption.id,
            PollOption.post_id,
            PollOption.label,
            func.count(PollVote.user_id),
            func.max(case((PollVote.user_id == VIEWER, 1), else_=0)),
        )
        .outerjoin(PollVote, PollVote.option_id == PollOption.id)
        .where(PollOption.post_id.in_(bindparam("post_ids", expanding=True)))
        .group_by(PollOption.id)
        .order_by(PollOption.post_id, PollOption.position)
    )


def decorate(db: Session, viewer: User, rows: list[Row[Any]]) -> list[FeedItem]:
    """Shape the rows for display; polls (if any on the page) take one more statement."""
    items = [feed_item_of(row) for row in rows]
    polls = [item for item in items if item.kind == PostKind.poll.value]
    if polls:
        by_id = {item.id: item for item in polls}
        for option_id, post_id, label, count, is_mine in db.execute(
            _poll_options_statement(), {"viewer_id": viewer.id, "post_ids": list(by_id)}
        ):
            poll = by_id[post_id].poll or {"options": [], "total": 0, "voted_for": None}
            poll["options"].append({"id": option_id, "label": label, "votes": count})
            poll["total"] += count
            if is_mine:
                poll["voted_for"] = option_id
            by_id[post_id].poll = poll
    return items


# A feed's statement is built once per process, its values (viewer, community, person, tag, kind,
# cursor, page size) left as bound parameters: building a statement this size and computing its
# cache key cost more than running it (SQLite, 200,000 posts: 2.7 ms against 0.5 ms per page).
VIEWER = bindparam("viewer_id", type_=Integer)
_AFTER = tuple_(Post.created_at, Post.id) < tuple_(
    bindparam("after_at", type_=Post.created_at.type), bindparam("after_id", type_=Integer)
)
_SOURCES: dict[str, Callable[[], Any]] = {
    "home": lambda: home_sources(VIEWER),
    "community": lambda: Post.community_id == bindparam("community_id", type_=Integer),
    "community_kind": lambda: and_(
        Post.community_id == bindparam("community_id", type_=Integer),
        Post.kind == bindparam("kind", type_=String),
    ),
    "profile": lambda: or_(
        Post.author_id == bindparam("person_id", type_=Integer),
        Post.praised_user_id == bindparam("person_id", type_=Integer),
    ),
    "tag": lambda: Post.id.in_(
        select(PostTag.post_id).where(PostTag.tag_id == bindparam("tag_id", type_=Integer))
    ),
}


@cache
def _feed_page_statement(source: str, keyset: bool) -> Any:
    """A page of a feed (`_SOURCES`) that a viewer may read, newest first, after a position or not."""
    stmt = _feed_select(VIEWER).where(post_readable(VIEWER), _SOURCES[source]())
    if keyset:
        stmt = stmt.where(_AFTER)
    return stmt.order_by(Post.created_at.desc(), Post.id.desc()).limit(bindparam("page_size", type_=Integer))


def _page(
    db: Session, viewer: User, source: str, values: dict[str, Any], cursor: str | None, limit: int | None
) -> Page[FeedItem]:
    size = clamp_limit(limit, default=20)
    after = decode_keyset(cursor, timestamp_key)
    params = {**values, "viewer_id": viewer.id, "page_size": size + 1}
    if after is not None:
        params.update(after_at=after[0], after_id=after[1])
    rows = list(db.execute(_feed_page_statement(source, after is not None), params).all())
    next_cursor = None
    if len(rows) > size:
        rows = rows[:size]
        next_cursor = encode_cursor([rows[-1].created_at.isoformat(), rows[-1].id])
    return Page(decorate(db, viewer, rows), next_cursor)


def _walked(column: Any) -> Any:
    """The column as an expression, so that the planner does not gather every match through its
    index: the home feed then walks the newest posts (created_at index) and stops after a page,
    which is what a feed with many sources needs (measured: 400 ms -> 5 ms on 200,000 posts)."""
    return column + 0


def home_sources(viewer_id: Viewer) -> Any:
    """What the home feed gathers: one's own posts, people and tags followed, communities joined,
    and leadership posts.

    The lists of people and communities are bounded by the company's size; a followed tag is
    checked on each post walked (its few tags, through the post_tags key) instead of gathering every
    post of the followed tags first, a list that grows with the posts (SQLite, 200,000 posts: 16,000
    gathered per page, 4 ms -> 0.2 ms; PostgreSQL, 1M posts: 89,000, 81 ms -> 2 ms). The empty
    OFFSET keeps PostgreSQL from turning the EXISTS back into that list (a hashed subplan): it does
    not rewrite a subquery that has one."""
    return or_(
        _walked(Post.author_id) == viewer_id,
        _walked(Post.author_id).in_(select(Follow.followee_id).where(Follow.follower_id == viewer_id)),
        _walked(Post.community_id).in_(member_community_ids(viewer_id)),
        select(PostTag.post_id)
        .where(
            PostTag.post_id == Post.id,
            PostTag.tag_id.in_(select(TagFollow.tag_id).where(TagFollow.user_id == viewer_id)),
        )
        .offset(0)
        .exists(),
        Post.is_leadership.is_(True),
    )


def home_feed(
    db: Session, *, viewer: User, cursor: str | None = None, limit: int | None = None
) -> Page[FeedItem]:
    """The home feed, newest first, a page at a time (keyset pagination)."""
    return _page(db, viewer, "home", {}, cursor, limit)


def new_in_home_feed(db: Session, *, viewer: User, since: datetime) -> int:
    """How many posts arrived in the home feed since a moment (capped at 99)."""
    sub = (
        select(Post.id)
        .where(
            post_readable(viewer.id),
            home_sources(viewer.id),
            Post.created_at > since,
            Post.author_id != viewer.id,
        )
        .limit(99)
    )
    return db.scalar(select(func.count()).select_from(sub.subquery())) or 0


def community_feed(
    db: Session,
    *,
    viewer: User,
    community: Community,
    cursor: str | None = None,
    limit: int | None = None,
    kind: str | None = None,
) -> Page[FeedItem]:
    """A community's posts (members only unless public), newest first; pinned ones are listed apart."""
    if kind:
        return _page(
            db, viewer, "community_kind", {"community_id": community.id, "kind": kind}, cursor, limit
        )
    return _page(db, viewer, "community", {"community_id": community.id}, cursor, limit)


def pinned_posts(db: Session, *, viewer: User, community: Community) -> list[FeedItem]:
    """The up to 3 posts pinned at the top of a community."""
    rows = db.execute(
        _feed_select(viewer.id)
        .where(post_readable(viewer.id), Post.community_id == community.id, Post.pinned_at.is_not(None))
        .order_by(Post.pinned_at.desc())
        .limit(3)
    ).all()
    return decorate(db, viewer, list(rows))


def profile_feed(
    db: Session, *, viewer: User, person: User, cursor: str | None = None, limit: int | None = None
) -> Page[FeedItem]:
    """A person's activity as this viewer may see it: their posts, and praise they received."""
    return _page(db, viewer, "profile", {"person_id": person.id}, cursor, limit)


def tag_feed(
    db: Session, *, viewer: User, tag: Tag, cursor: str | None = None, limit: int | None = None
) -> Page[FeedItem]:
    """The posts carrying a hashtag that this viewer may read."""
    return _page(db, viewer, "tag", {"tag_id": tag.id}, cursor, limit)


def unanswered_questions(
    db: Session, *, viewer: User, community: Community | None = None, tag: Tag | None = None, limit: int = 20
) -> list[FeedItem]:
    """Questions still waiting for an accepted answer, newest first, as this viewer may see them."""
    stmt = _feed_select(viewer.id).where(
        post_readable(viewer.id), Post.kind == PostKind.question.value, Post.accepted_comment_id.is_(None)
    )
    if community is not None:
        stmt = stmt.where(Post.community_id == community.id)
    if tag is not None:
        stmt = stmt.where(Post.id.in_(select(PostTag.post_id).where(PostTag.tag_id == tag.id)))
    rows = db.execute(stmt.order_by(Post.created_at.desc(), Post.id.desc()).limit(limit)).all()
    return decorate(db, viewer, list(rows))


def get_visible_item(db: Session, *, viewer: User, post_id: int) -> FeedItem:
    """A post as a feed item in one statement, or NotFound when the viewer may not read it
    (its author still sees it once removed, with the reason; a draft, its executive and delegate)."""
    row = db.execute(_feed_select(viewer.id).where(Post.id == post_id, post_openable(viewer.id))).first()
    if row is None:
        raise NotFound(_("No such post."))
    return decorate(db, viewer, [row])[0]


def feed_item(db: Session, *, viewer: User, post: Post) -> FeedItem:
    """One post (already checked visible) as a feed item."""
    row = db.execute(_feed_select(viewer.id).where(Post.id == post.id)).one()
    return decorate(db, viewer, [row])[0]


def trending_tags(
    db: Session, *, viewer: User, community: Community | None = None, days: int = 7, limit: int = 10
) -> list[tuple[str, int]]:
    """The hashtags most used lately in posts this viewer may read (company-wide or in one community)."""
    since = utcnow() - timedelta(days=days)
    stmt = (
        select(Tag.name, func.count(PostTag.post_id).label("n"))
        .join(PostTag, PostTag.tag_id == Tag.id)
        .join(Post, Post.id == PostTag.post_id)
        .where(post_readable(viewer.id), Post.created_at >= since)
    )
    if community is not None:
        stmt = stmt.where(Post.community_id == community.id)
    rows = db.execute(
        stmt.group_by(Tag.id, Tag.name).order_by(func.count(PostTag.post_id).desc(), Tag.name).limit(limit)
    )
    return [(name, n) for name, n in rows]


def tag_post_count(db: Session, *, viewer: User, tag: Tag) -> int:
    """How many posts with this tag the viewer may read."""
    return (
        db.scalar(
            select(func.count())
            .select_from(Post)
            .where(
                post_readable(viewer.id), Post.id.in_(select(PostTag.post_id).where(PostTag.tag_id == tag.id))
            )
        )
        or 0
    )


def post_count(db: Session, *, viewer: User, person: User) -> int:
    """How many posts of a person the viewer may read."""
    return (
        db.scalar(
            select(func.count())
            .select_from(Post)
            .where(post_readable(viewer.id), Post.author_id == person.id)
        )
        or 0
    )


@dataclass
class CommentView:
    """A comment with its author, and its replies."""

    comment: Comment
    author: User
    replies: list[CommentView] = field(default_factory=list)


def comments_of(db: Session, *, post: Post, limit: int = 500) -> list[CommentView]:
    """A post's comments (removed ones left out), oldest first, replies under their comment: one query."""
    rows = db.execute(
        select(Comment, User)
        .join(User, User.id == Comment.author_id)
        .where(Comment.post_id == post.id, Comment.removed_at.is_(None))
        .order_by(Comment.created_at, Comment.id)
        .limit(limit)
    ).all()
    top: dict[int, CommentView] = {}
    ordered: list[CommentView] = []
    for comment, author in rows:
        view = CommentView(comment, author)
        if comment.parent_id is None:
            top[comment.id] = view
            ordered.append(view)
        elif comment.parent_id in top:
            top[comment.parent_id].replies.append(view)
    if post.accepted_comment_id in top:
        accepted = top[post.accepted_comment_id]  # type: ignore[index]
        ordered.remove(accepted)
        ordered.insert(0, accepted)
    return ordered


def mention_candidates(
    db: Session, *, viewer: User, prefix: str, community: Community | None = None, limit: int = 8
) -> list[User]:
    """People to suggest after "@": active colleagues; in a private or secret community, its members only."""

    stmt = select(User).where(User.is_active.is_(True))
    word = fold(prefix)
    if word:
        stmt = stmt.where(
            or_(User.handle.startswith(word, autoescape=True), User.search_name.like(f"%{word}%"))
        )
    if community is not None and community.visibility != "public":
        stmt = stmt.where(
            User.id.in_(
                select(Membership.user_id).where(
                    Membership.community_id == community.id, Membership.status == MemberStatus.member.value
                )
            )
        )
    return list(db.scalars(stmt.order_by(User.search_name).limit(limit)))
