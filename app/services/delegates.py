"""Executives' delegates: the assistants who draft and publish posts on an executive's behalf.

An executive names delegates and chooses how their posts go out: published at once, or as drafts
the executive approves, edits or rejects with a note. A delegated post's author is the executive
and `posted_by` the delegate; everyone sees "posted by the delegate for the executive". Both may edit
or delete it (the delegate while they still are one). Every delegated action is in the audit log.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import delete, exists, select, update
from sqlalchemy.orm import Session, aliased

from app.i18n import _
from app.models import (
    Community,
    Delegate,
    DelegationSettings,
    DraftStatus,
    Post,
    PostDraft,
    PostTag,
    Role,
    User,
    UserRole,
)
from app.models.base import utcnow
from app.services import activity, notifications
from app.services.errors import Forbidden, Invalid, NotFound
from app.services.visibility import can_read_community_posts

NOTE_LIMIT = 1000
DRAFT_TYPE = "delegate_draft"  # the notification type of approval requests and decisions


def _is_executive(db: Session, user_id: int) -> bool:
    return bool(
        db.scalar(select(exists().where(UserRole.user_id == user_id, UserRole.role == Role.executive.value)))
    )


def require_executive(db: Session, actor: User) -> None:
    """Only executives name delegates and see the leadership page."""
    if not actor.is_active or not _is_executive(db, actor.id):
        raise Forbidden(_("Only executives have delegates."))


def _audit(
    db: Session, *, actor: User, action: str, executive: User, delegate: User | None, **detail: object
) -> None:
    # names are kept beside the ids so the log still reads well after someone leaves
    extra = {"executive": executive.display_name, **({"delegate": delegate.display_name} if delegate else {})}
    activity.audit(
        db,
        actor_id=actor.id,
        action=action,
        target_id=(delegate or executive).id if actor.id == executive.id else executive.id,
        **extra,
        **detail,
    )


# ---- naming delegates and the approval choice ----------------------------------------------------


def add_delegate(db: Session, *, actor: User, delegate_id: int) -> User:
    """The executive names a colleague who may post for them (naming them again changes nothing)."""
    require_executive(db, actor)
    person = db.get(User, delegate_id)
    if person is None or not person.is_active:
        raise NotFound(_("Nobody here by that id."))
    if person.id == actor.id:
        raise Invalid.one("delegate", _("Name a colleague, not yourself."))
    if db.get(Delegate, (actor.id, person.id)) is None:
        db.add(Delegate(executive_id=actor.id, delegate_id=person.id, created_at=utcnow()))
        _audit(db, actor=actor, action="delegate_added", executive=actor, delegate=person)
        db.flush()
    return person


def remove_delegate(db: Session, *, actor: User, delegate_id: int) -> None:
    """The executive withdraws a delegate (withdrawing them again changes nothing)."""
    require_executive(db, actor)
    person = db.get(User, delegate_id)
    if person is None:
        raise NotFound(_("Nobody here by that id."))
    gone = db.execute(
        delete(Delegate).where(Delegate.executive_id == actor.id, Delegate.delegate_id == person.id)
    )
    if getattr(gone, "rowcount", 0):
        _audit(db, actor=actor, action="delegate_removed", executive=actor, delegate=person)
    db.flush()


def approval_required(db: Session, executive_id: int) -> bool:
    """True when this executive approves their delegates' posts before they are published."""
    return bool(
        db.scalar(
            select(DelegationSettings.approval_required).where(
                DelegationSettings.executive_id == executive_id
            )
        )
    )


def set_approval(db: Session, *, actor: User, required: bool) -> None:
    """The executive chooses: delegates publish directly, or their posts wait for approval."""
    require_executive(db, actor)
    row = db.get(DelegationSettings, actor.id)
    if row is not None and row.approval_required == required:
        return
    if row is None:
        if not required:
            return  # no row already means "publish directly"
        db.add(DelegationSettings(executive_id=actor.id, approval_required=True, updated_at=utcnow()))
    else:
        row.approval_required, row.updated_at = required, utcnow()
    _audit(
        db,
        actor=actor,
        action="delegation_mode_changed",
        executive=actor,
        delegate=None,
        mode="approval" if required else "direct",
    )
    db.flush()


def delegates_of(db: Session, *, executive: User) -> list[User]:
    """The people an executive named, by name."""
    return list(
        db.scalars(
            select(User)
            .join(Delegate, Delegate.delegate_id == User.id)
            .where(Delegate.executive_id == executive.id)
            .order_by(User.search_name)
        )
    )


def executives_served(db: Session, *, delegate: User) -> list[User]:
    """The active executives this person may post for, by name."""
    return list(
        db.scalars(
            select(User)
            .join(Delegate, Delegate.executive_id == User.id)
            .join(UserRole, (UserRole.user_id == User.id) & (UserRole.role == Role.executive.value))
            .where(Delegate.delegate_id == delegate.id, User.is_active.is_(True))
            .order_by(User.search_name)
        )
    )


def executive_for(db: Session, *, delegate: User, executive_id: int) -> User:
    """The executive a delegate posts for; Forbidden unless that executive named them."""
    executive = db.get(User, executive_id)
    if (
        executive is None
        or not executive.is_active
        or not _is_executive(db, executive.id)
        or db.get(Delegate, (executive.id, delegate.id)) is None
    ):
        raise Forbidden(_("You may post only for an executive who named you as a delegate."))
    return executive


def check_community(db: Session, *, delegate: User, community: Community) -> None:
    """A delegate posts for an executive only where they can read the posts themselves."""
    if not can_read_community_posts(db, delegate, community):
        raise Forbidden(_("You may post for an executive only in communities whose posts you can read."))


def may_manage(db: Session, *, actor: User, author_id: int, posted_by_id: int | None) -> bool:
    """The author, or the delegate who posted it while they still are one, may edit or delete a post."""
    if author_id == actor.id:
        return True
    return posted_by_id == actor.id and db.get(Delegate, (author_id, actor.id)) is not None


# ---- what happens around a delegated post --------------------------------------------------------


def _draft_key(post_id: int) -> str:
    return f"{DRAFT_TYPE}:{post_id}"


def submit_draft(db: Session, *, post: Post, executive: User, delegate: User) -> None:
    """A delegate's post waits for the executive, who is told."""
    db.add(
        PostDraft(
            post_id=post.id,
            executive_id=executive.id,
            delegate_id=delegate.id,
            status=DraftStatus.pending.value,
            submitted_at=utcnow(),
        )
    )
    _audit(
        db,
        actor=delegate,
        action="delegate_draft_created",
        executive=executive,
        delegate=delegate,
        post_id=post.id,
    )
    _ask_approval(db, post=post, executive=executive, delegate=delegate)
    db.flush()


def _ask_approval(db: Session, *, post: Post, executive: User, delegate: User) -> None:
    # no post_id on the line: a draft is not readable, and the line must reach the executive anyway
    notifications.notify(
        db,
        recipient_id=executive.id,
        type=DRAFT_TYPE,
        key=_draft_key(post.id),
        url="/leadership#drafts",
        actor_id=delegate.id,
        params={"title": notifications.post_title(post), "change": "submitted"},
    )


def published_for(db: Session, *, post: Post, executive: User, delegate: User) -> None:
    """A delegate published a post for an executive directly: it is audited."""
    _audit(
        db,
        actor=delegate,
        action="delegate_post_published",
        executive=executive,
        delegate=delegate,
        post_id=post.id,
    )


def on_post_edited(db: Session, *, actor: User, post: Post) -> None:
    """After an edit: a delegate's edit is audited, and a rejected draft they edit goes back for approval."""
    if post.posted_by_id is None:
        return
    executive = db.get(User, post.author_id)
    assert executive is not None
    if actor.id != post.author_id:
        _audit(
            db,
            actor=actor,
            action="delegate_post_edited",
            executive=executive,
            delegate=actor,
            post_id=post.id,
        )
    draft = db.get(PostDraft, post.id) if post.is_draft else None
    if draft is not None and draft.status == DraftStatus.rejected.value and actor.id != post.author_id:
        draft.status, draft.note, draft.submitted_at, draft.decided_at = (
            DraftStatus.pending.value,
            None,
            utcnow(),
            None,
        )
        _audit(
            db,
            actor=actor,
            action="delegate_draft_resubmitted",
            executive=executive,
            delegate=actor,
            post_id=post.id,
        )
        _ask_approval(db, post=post, executive=executive, delegate=actor)
    db.flush()


def on_post_deleted(db: Session, *, actor: User, post: Post) -> None:
    """Before a delegated post goes: the deletion is audited, and a pending request is withdrawn."""
    if post.posted_by_id is None:
        return
    executive = db.get(User, post.author_id)
    assert executive is not None
    if actor.id != post.author_id:
        _audit(
            db,
            actor=actor,
            action="delegate_post_deleted",
            executive=executive,
            delegate=actor,
            post_id=post.id,
        )
    if post.is_draft:
        notifications.withdraw(db, recipient_id=executive.id, key=_draft_key(post.id))


# ---- the executive's review ----------------------------------------------------------------------


@dataclass
class DraftView:
    """A draft as its executive or its delegate sees it in a list."""

    post: Post
    draft: PostDraft
    executive: User
    delegate: User | None


def drafts_to_approve(db: Session, *, executive: User) -> list[DraftView]:
    """The drafts waiting for this executive, oldest first."""
    return _drafts(db, PostDraft.executive_id == executive.id, PostDraft.status == DraftStatus.pending.value)


def drafts_written(db: Session, *, delegate: User) -> list[DraftView]:
    """The drafts this person wrote that are not published yet (waiting, or rejected with a note)."""
    return _drafts(db, PostDraft.delegate_id == delegate.id)


def _drafts(db: Session, *where: object) -> list[DraftView]:
    executive, delegate = aliased(User), aliased(User)
    rows = db.execute(
        select(Post, PostDraft, executive, delegate)
        .join(PostDraft, PostDraft.post_id == Post.id)
        .join(executive, executive.id == PostDraft.executive_id)
        .outerjoin(delegate, delegate.id == PostDraft.delegate_id)
        .where(*where)  # type: ignore[arg-type]
        .order_by(PostDraft.submitted_at, Post.id)
    ).all()
    return [DraftView(post, draft, exe, dele) for post, draft, exe, dele in rows]


def get_draft(db: Session, *, viewer: User, post_id: int) -> tuple[Post, PostDraft]:
    """A draft its executive (or its delegate) may act on; NotFound for anyone else."""
    found = db.execute(
        select(Post, PostDraft).join(PostDraft, PostDraft.post_id == Post.id).where(Post.id == post_id)
    ).first()
    if found is None or viewer.id not in (found[1].executive_id, found[1].delegate_id):
        raise NotFound(_("No such draft."))
    return found[0], found[1]


def approve_draft(db: Session, *, actor: User, post_id: int) -> Post:
    """The executive publishes a delegate's draft: it reaches the feeds as new, now."""
    from app.services import posts  # posts calls this module when a post is written

    post, draft = get_draft(db, viewer=actor, post_id=post_id)
    if draft.executive_id != actor.id:
        raise Forbidden(_("Only the executive approves their drafts."))
    if post.removed_at is not None:
        raise Invalid.one("post", _("A removed post cannot be published."))
    now = utcnow()
    post.is_draft = False
    post.created_at = now  # published now: it shows in the feeds as new
    db.execute(update(PostTag).where(PostTag.post_id == post.id).values(created_at=now))
    delegate = db.get(User, draft.delegate_id) if draft.delegate_id else None
    db.delete(draft)
    db.flush()
    posts.announce_post(db, post=post, actor=actor)
    _audit(
        db, actor=actor, action="delegate_draft_approved", executive=actor, delegate=delegate, post_id=post.id
    )
    notifications.withdraw(db, recipient_id=actor.id, key=_draft_key(post.id))
    if delegate is not None:
        notifications.notify(
            db,
            recipient_id=delegate.id,
            type=DRAFT_TYPE,
            key=f"{DRAFT_TYPE}:decision:{post.id}",
            url=f"/posts/{post.id}",
            actor_id=actor.id,
            post_id=post.id,
            params={"title": notifications.post_title(post), "change": "approved"},
        )
    db.flush()
    return post


def reject_draft(db: Session, *, actor: User, post_id: int, note: str) -> PostDraft:
    """The executive sends a draft back with a note; the delegate may edit it (it comes back) or delete it."""
    post, draft = get_draft(db, viewer=actor, post_id=post_id)
    if draft.executive_id != actor.id:
        raise Forbidden(_("Only the executive approves their drafts."))
    note = note.strip()
    if not note:
        raise Invalid.one("note", _("Say what to change, for your delegate."))
    if len(note) > NOTE_LIMIT:
        raise Invalid.one("note", _("At most {n} characters.").format(n=NOTE_LIMIT))
    draft.status, draft.note, draft.decided_at = DraftStatus.rejected.value, note, utcnow()
    delegate = db.get(User, draft.delegate_id) if draft.delegate_id else None
    _audit(
        db, actor=actor, action="delegate_draft_rejected", executive=actor, delegate=delegate, post_id=post.id
    )
    notifications.withdraw(db, recipient_id=actor.id, key=_draft_key(post.id))
    if delegate is not None:
        notifications.notify(
            db,
            recipient_id=delegate.id,
            type=DRAFT_TYPE,
            key=f"{DRAFT_TYPE}:decision:{post.id}",
            url="/leadership/drafts",
            actor_id=actor.id,
            params={"title": notifications.post_title(post), "change": "rejected", "note": note[:200]},
        )
    db.flush()
    return draft
