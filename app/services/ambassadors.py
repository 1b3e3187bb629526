"""Ambassadors: HR finds the colleagues who already give, invites them, and they choose.

Suggestions are drawn from public contributions only (company-wide posts and public
communities), so that nothing said in a private or secret space ever reaches HR this way:
accepted answers, praise given, posts appreciated across departments, and animating a public
community where colleagues post. A person becomes an ambassador only by accepting an invitation;
they get a badge on their profile and a seat in the ambassadors' private community (made on first
need, run by the HR people who invite), and may step down at any time; HR may end it too.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, distinct, exists, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, aliased

from app.i18n import _, gettext, ngettext
from app.models import (
    Ambassador,
    AmbassadorInvitation,
    AmbassadorSpace,
    Comment,
    Community,
    EndReason,
    InvitationStatus,
    MemberRole,
    Membership,
    MemberStatus,
    Post,
    PostKind,
    Reaction,
    Role,
    User,
    Visibility,
)
from app.models.base import utcnow
from app.services import activity, communities, notifications
from app.services.engagement import current_rules
from app.services.errors import Conflict, Forbidden, Invalid, NotFound
from app.services.ledger import public_post

WINDOW_DAYS = 90  # contributions of the last quarter make a suggestion
DECLINED_QUIET_DAYS = 90  # someone who declined is not suggested again before this
MIN_SIGNALS = 2  # ways of giving a suggested person shows (as the engine's promotion rule)
SUGGESTIONS_SHOWN = 50
SIGNALS = ("answers_accepted", "praise_given", "liked_across", "animates")
NOTE_MAX = 1000


def require_hr(viewer: User) -> None:
    """Only HR and internal communications find and invite ambassadors."""
    if not viewer.has_role(Role.hr):
        raise Forbidden(_("Only HR sees ambassador suggestions and invitations."))


# ---- why someone is suggested --------------------------------------------------------------------


def reason_text(reason: dict[str, Any]) -> str:
    """One reason, as a sentence in the reader's language (stored as a key, a count and names)."""
    n = int(reason.get("n", 0))
    days = int(reason.get("days", WINDOW_DAYS))
    key = reason.get("key")
    if key == "answers_accepted":
        return ngettext(
            "%(num)d answer accepted by the colleague who asked, in the last %(days)d days",
            "%(num)d answers accepted by the colleagues who asked, in the last %(days)d days",
            n,
        ) % {"num": n, "days": days}
    if key == "praise_given":
        return ngettext(
            "Praised a colleague publicly in the last %(days)d days",
            "Praised colleagues publicly %(num)d times in the last %(days)d days",
            n,
        ) % {"num": n, "days": days}
    if key == "liked_across":
        return gettext("Posts appreciated by colleagues of %(num)d departments in the last %(days)d days") % {
            "num": n,
            "days": days,
        }
    if key == "animates":
        names = ", ".join(str(name) for name in reason.get("names", []))
        return ngettext(
            "Animates %(names)s, a public community where colleagues post",
            "Animates %(num)d public communities where colleagues post: %(names)s",
            n,
        ) % {"num": n, "names": names}
    return ""


def reason_texts(reasons: list[dict[str, Any]]) -> list[str]:
    """Every stored reason as a sentence, in the reader's language."""
    return [text for text in (reason_text(r) for r in reasons) if text]


def _signals(db: Session, since: datetime, user_id: int | None = None) -> dict[int, list[dict[str, Any]]]:
    """Per person, the public ways of giving they showed since then, as reasons (four statements)."""
    days = WINDOW_DAYS
    found: dict[int, list[dict[str, Any]]] = {}

    def only(column: Any) -> list[Any]:
        return [column == user_id] if user_id is not None else []

    question = aliased(Post)
    accepted = db.execute(
        select(Comment.author_id, func.count())
        .select_from(question)
        .join(Comment, Comment.id == question.accepted_comment_id)
        .where(
            public_post(question),
            Comment.removed_at.is_(None),
            Comment.author_id != question.author_id,
            Comment.created_at > since,
            *only(Comment.author_id),
        )
        .group_by(Comment.author_id)
    )
    for uid, n in accepted:
        found.setdefault(uid, []).append({"key": "answers_accepted", "n": n, "days": days})
    praise = db.execute(
        select(Post.author_id, func.count())
        .where(
            Post.kind == PostKind.praise.value,
            public_post(),
            Post.praised_user_id.is_not(None),
            Post.praised_user_id != Post.author_id,
            Post.created_at > since,
            *only(Post.author_id),
        )
        .group_by(Post.author_id)
    )
    for uid, n in praise:
        found.setdefault(uid, []).append({"key": "praise_given", "n": n, "days": days})
    reactor = aliased(User)
    departments = func.count(distinct(reactor.department))
    liked = db.execute(
        select(Post.author_id, departments)
        .select_from(Reaction)
        .join(Post, Post.id == Reaction.post_id)
        .join(reactor, reactor.id == Reaction.user_id)
        .where(
            public_post(),
            reactor.id != Post.author_id,
            reactor.department.is_not(None),
            Reaction.created_at > since,
            *only(Post.author_id),
        )
        .group_by(Post.author_id)
        .having(departments >= current_rules().like_departments)
    )
    for uid, n in liked:
        found.setdefault(uid, []).append({"key": "liked_across", "n": n, "days": days})
    others_posted = exists().where(
        Post.community_id == Community.id,
        Post.author_id != Membership.user_id,
        Post.removed_at.is_(None),
        Post.created_at > since,
    )
    animated = db.execute(
        select(Membership.user_id, Community.name)
        .join(Community, Community.id == Membership.community_id)
        .where(
            Membership.role == MemberRole.manager.value,
            Membership.status == MemberStatus.member.value,
            Community.visibility == Visibility.public.value,
            Community.archived_at.is_(None),
            others_posted,
            *only(Membership.user_id),
        )
        .order_by(Membership.user_id, Community.search_name)
    )
    names: dict[int, list[str]] = {}
    for uid, name in animated:
        names.setdefault(uid, []).append(name)
    for uid, managed in names.items():
        found.setdefault(uid, []).append({"key": "animates", "n": len(managed), "names": managed[:3]})
    for reasons in found.values():
        reasons.sort(key=lambda r: SIGNALS.index(r["key"]))
    return found


def reasons_for(db: Session, *, user_id: int, now: datetime | None = None) -> list[dict[str, Any]]:
    """Why one person would be suggested (possibly nothing): their public ways of giving lately."""
    now = now or utcnow()
    return _signals(db, now - timedelta(days=WINDOW_DAYS), user_id=user_id).get(user_id, [])


@dataclass
class Suggestion:
    """A colleague HR might invite, why, and where they stand with the programme."""

    user: User
    reasons: list[dict[str, Any]]
    status: str = "suggested"  # suggested | invited | declined | former
    at: datetime | None = None  # when they were invited, declined, or stopped being an ambassador
    end_reason: str | None = None

    @property
    def can_invite(self) -> bool:
        """An invitation may be sent (none is waiting, and a recent refusal is respected)."""
        return self.status in ("suggested", "former")

    @property
    def texts(self) -> list[str]:
        """The reasons as sentences."""
        return reason_texts(self.reasons)


def suggestions(
    db: Session, *, viewer: User, now: datetime | None = None, limit: int = SUGGESTIONS_SHOWN
) -> list[Suggestion]:
    """Colleagues who already give in public, most ways of giving first (HR only). Current
    ambassadors are left out; people invited, who declined lately or who were ambassadors are marked."""
    require_hr(viewer)
    now = now or utcnow()
    found = {
        uid: reasons
        for uid, reasons in _signals(db, now - timedelta(days=WINDOW_DAYS)).items()
        if len(reasons) >= MIN_SIGNALS and uid != viewer.id
    }
    if not found:
        return []
    current = set(db.scalars(select(Ambassador.user_id).where(Ambassador.ended_at.is_(None))))
    ranked = sorted(
        (uid for uid in found if uid not in current),
        key=lambda uid: (-len(found[uid]), -sum(r["n"] for r in found[uid]), uid),
    )
    people = {
        u.id: u
        for u in db.scalars(select(User).where(User.id.in_(ranked[: limit * 2]), User.is_active.is_(True)))
    }
    ids = [uid for uid in ranked if uid in people][:limit]
    latest = _latest_invitations(db, ids)
    former = {
        a.user_id: a
        for a in db.scalars(
            select(Ambassador).where(Ambassador.user_id.in_(ids), Ambassador.ended_at.is_not(None))
        )
    }
    result = []
    for uid in ids:
        s = Suggestion(people[uid], found[uid])
        invitation = latest.get(uid)
        ended = former.get(uid)
        if invitation is not None and invitation.status == InvitationStatus.pending.value:
            s.status, s.at = "invited", invitation.created_at
        elif (
            invitation is not None
            and invitation.status == InvitationStatus.declined.value
            and invitation.answered_at is not None
            and invitation.answered_at > now - timedelta(days=DECLINED_QUIET_DAYS)
        ):
            s.status, s.at = "declined", invitation.answered_at
        elif ended is not None:
            s.status, s.at, s.end_reason = "former", ended.ended_at, ended.end_reason
        result.append(s)
    return result


def _latest_invitations(db: Session, user_ids: list[int]) -> dict[int, AmbassadorInvitation]:
    if not user_ids:
        return {}
    latest: dict[int, AmbassadorInvitation] = {}
    for inv in db.scalars(
        select(AmbassadorInvitation)
        .where(AmbassadorInvitation.user_id.in_(user_ids))
        .order_by(AmbassadorInvitation.created_at, AmbassadorInvitation.id)
    ):
        latest[inv.user_id] = inv
    return latest


# ---- who is an ambassador ------------------------------------------------------------------------


def is_ambassador(db: Session, *, user_id: int) -> bool:
    """True while a person is an ambassador (one statement)."""
    return bool(
        db.scalar(select(exists().where(Ambassador.user_id == user_id, Ambassador.ended_at.is_(None))))
    )


def ambassador_ids() -> Any:
    """The current ambassadors, as a subquery for other statements."""
    return select(Ambassador.user_id).where(Ambassador.ended_at.is_(None))


@dataclass
class AmbassadorView:
    """An ambassador as lists show them."""

    user: User
    since: datetime
    tags: list[str] = field(default_factory=list)


def current(db: Session) -> list[AmbassadorView]:
    """Every current ambassador, by name (anyone may see who they are: the badge is public)."""
    rows = db.execute(
        select(User, Ambassador.since)
        .join(Ambassador, Ambassador.user_id == User.id)
        .where(Ambassador.ended_at.is_(None), User.is_active.is_(True))
        .order_by(User.search_name, User.id)
    ).all()
    return [AmbassadorView(user, since) for user, since in rows]


def status_of(db: Session, *, user: User) -> tuple[Ambassador | None, AmbassadorInvitation | None]:
    """One's own ambassadorship (current or past) and pending invitation."""
    ambassador = db.get(Ambassador, user.id)
    pending = db.scalar(
        select(AmbassadorInvitation).where(
            AmbassadorInvitation.user_id == user.id,
            AmbassadorInvitation.status == InvitationStatus.pending.value,
        )
    )
    return ambassador, pending


def pending_invitations(db: Session, *, viewer: User) -> list[tuple[AmbassadorInvitation, User]]:
    """Invitations waiting for an answer, newest first (HR only)."""
    require_hr(viewer)
    rows = db.execute(
        select(AmbassadorInvitation, User)
        .join(User, User.id == AmbassadorInvitation.user_id)
        .where(AmbassadorInvitation.status == InvitationStatus.pending.value)
        .order_by(AmbassadorInvitation.created_at.desc(), AmbassadorInvitation.id.desc())
    ).all()
    return [(inv, person) for inv, person in rows]


# ---- the ambassadors' community ------------------------------------------------------------------


def space(db: Session) -> Community | None:
    """The ambassadors' private community, once made."""
    return db.scalar(select(Community).join(AmbassadorSpace, AmbassadorSpace.community_id == Community.id))


def _ensure_space(db: Session, *, manager: User) -> Community:
    """The ambassadors' community, made on first need by an HR person, who runs it with the other
    HR people who invite: each of them becomes a manager when they first invite."""
    community = space(db)
    if community is None:
        for name in (_("Ambassadors"), _("Proxima ambassadors"), _("Ambassadors' circle")):
            taken = db.scalar(select(Community.id).where(func.lower(Community.name) == name.lower()))
            if taken is None:
                break
        else:
            name = f"{_('Ambassadors')} {utcnow().year}"
        community = communities.create_community(
            db,
            actor=manager,
            data=communities.CommunityData(
                name=name,
                description=_(
                    "The ambassadors' own space: share what works, prepare a welcome for newcomers, "
                    "and help each other help colleagues."
                ),
                visibility=Visibility.private.value,
            ),
        )
        db.add(AmbassadorSpace(id=1, community_id=community.id))
        db.flush()
        return community
    member = db.get(Membership, (community.id, manager.id))
    now = utcnow()
    if member is None:
        db.add(
            Membership(
                community_id=community.id,
                user_id=manager.id,
                role=MemberRole.manager.value,
                status=MemberStatus.member.value,
                charter_accepted_at=now,
                joined_at=now,
            )
        )
    elif member.role != MemberRole.manager.value or member.status != MemberStatus.member.value:
        member.role, member.status = MemberRole.manager.value, MemberStatus.member.value
        member.joined_at = member.joined_at or now
    db.flush()
    return community


def _seat(db: Session, community: Community, user: User) -> None:
    """An ambassador joins their community (a member, unless they already are more)."""
    member = db.get(Membership, (community.id, user.id))
    now = utcnow()
    if member is None:
        db.add(
            Membership(
                community_id=community.id,
                user_id=user.id,
                role=MemberRole.member.value,
                status=MemberStatus.member.value,
                charter_accepted_at=now,
                joined_at=now,
            )
        )
        activity.record(db, user_id=user.id, kind="join", subject_type="community", subject_id=community.id)
    elif member.status != MemberStatus.member.value:  # had asked to join: the request is granted
        member.status, member.joined_at = MemberStatus.member.value, now
        activity.record(db, user_id=user.id, kind="join", subject_type="community", subject_id=community.id)


def _unseat(db: Session, user_id: int) -> None:
    """A former ambassador leaves the community, unless they run it."""
    community = space(db)
    if community is None:
        return
    db.execute(
        delete(Membership).where(
            Membership.community_id == community.id,
            Membership.user_id == user_id,
            Membership.role == MemberRole.member.value,
        )
    )


# ---- invitations and answers ---------------------------------------------------------------------


def invite(db: Session, *, actor: User, user_id: int, note: str = "") -> AmbassadorInvitation:
    """HR invites a colleague; they are told, and become an ambassador only if they accept."""
    require_hr(actor)
    person = db.get(User, user_id)
    if person is None or not person.is_active:
        raise NotFound(_("Nobody here by that id."))
    note = (note or "").strip()
    if len(note) > NOTE_MAX:
        raise Invalid.one("note", _("At most {n} characters.").format(n=NOTE_MAX))
    if person.id == actor.id:
        raise Invalid.one("user_id", _("Another HR colleague may invite you; you cannot invite yourself."))
    if is_ambassador(db, user_id=person.id):
        raise Conflict(_("{name} is already an ambassador.").format(name=person.display_name))
    waiting = db.scalar(
        select(AmbassadorInvitation.id).where(
            AmbassadorInvitation.user_id == person.id,
            AmbassadorInvitation.status == InvitationStatus.pending.value,
        )
    )
    if waiting is not None:
        raise Conflict(_("{name} already has an invitation waiting.").format(name=person.display_name))
    declined = db.scalar(
        select(func.max(AmbassadorInvitation.answered_at)).where(
            AmbassadorInvitation.user_id == person.id,
            AmbassadorInvitation.status == InvitationStatus.declined.value,
        )
    )
    if declined is not None and declined > utcnow() - timedelta(days=DECLINED_QUIET_DAYS):
        raise Conflict(
            _("{name} declined lately: their choice is respected for {days} days.").format(
                name=person.display_name, days=DECLINED_QUIET_DAYS
            )
        )
    _ensure_space(db, manager=actor)
    invitation = AmbassadorInvitation(
        user_id=person.id, invited_by_id=actor.id, note=note, reasons=reasons_for(db, user_id=person.id)
    )
    try:
        with db.begin_nested():
            db.add(invitation)
            db.flush()
    except IntegrityError as exc:  # another HR colleague invited them at the same moment
        raise Conflict(
            _("{name} already has an invitation waiting.").format(name=person.display_name)
        ) from exc
    activity.audit(db, actor_id=actor.id, action="ambassador_invited", target_id=person.id)
    notifications.notify(
        db,
        recipient_id=person.id,
        type="ambassador_invitation",
        key=f"ambassador_invitation:{invitation.id}",
        url="/me/ambassador",
        actor_id=actor.id,
    )
    return invitation


def _own_pending(db: Session, actor: User, invitation_id: int) -> AmbassadorInvitation:
    invitation = db.get(AmbassadorInvitation, invitation_id)
    if invitation is None or invitation.user_id != actor.id:
        raise NotFound(_("No such invitation."))
    if invitation.status != InvitationStatus.pending.value:
        raise Conflict(_("You already answered this invitation."))
    return invitation


def accept(db: Session, *, actor: User, invitation_id: int) -> Community:
    """The invited person accepts: they are an ambassador, with a badge and a seat in the community."""
    invitation = _own_pending(db, actor, invitation_id)
    now = utcnow()
    answered = db.execute(
        update(AmbassadorInvitation)
        .where(
            AmbassadorInvitation.id == invitation.id,
            AmbassadorInvitation.status == InvitationStatus.pending.value,
        )
        .values(status=InvitationStatus.accepted.value, answered_at=now)
        .execution_options(synchronize_session="fetch")
    )
    if not getattr(answered, "rowcount", 0):
        raise Conflict(_("You already answered this invitation."))
    ambassador = db.get(Ambassador, actor.id)
    if ambassador is None:
        db.add(Ambassador(user_id=actor.id, invitation_id=invitation.id, since=now))
    else:  # a former ambassador comes back
        ambassador.invitation_id, ambassador.since = invitation.id, now
        ambassador.ended_at = ambassador.ended_by_id = ambassador.end_reason = None
    inviter = db.get(User, invitation.invited_by_id) if invitation.invited_by_id else None
    community = space(db)
    if community is None:  # the community was deleted meanwhile: the inviter (or the person) runs a new one
        manager = inviter if inviter is not None and inviter.is_active else actor
        community = _ensure_space(db, manager=manager)
    _seat(db, community, actor)
    activity.record(
        db, user_id=actor.id, kind="ambassador_accepted", subject_type="user", subject_id=actor.id
    )
    notifications.withdraw(db, recipient_id=actor.id, key=f"ambassador_invitation:{invitation.id}")
    db.flush()
    return community


def decline(db: Session, *, actor: User, invitation_id: int) -> None:
    """The invited person declines: nothing changes for them, and HR will not ask again for a while."""
    invitation = _own_pending(db, actor, invitation_id)
    invitation.status = InvitationStatus.declined.value
    invitation.answered_at = utcnow()
    activity.record(
        db, user_id=actor.id, kind="ambassador_declined", subject_type="user", subject_id=actor.id
    )
    notifications.withdraw(db, recipient_id=actor.id, key=f"ambassador_invitation:{invitation.id}")
    db.flush()


def end(db: Session, *, actor: User, user_id: int) -> User:
    """An ambassador steps down, or HR ends an ambassadorship: the badge goes, and the seat in the
    ambassadors' community with it."""
    stepping_down = actor.id == user_id
    if not stepping_down:
        require_hr(actor)
    ambassador = db.get(Ambassador, user_id)
    if ambassador is None or ambassador.ended_at is not None:
        raise NotFound(_("This person is not an ambassador."))
    person = db.get(User, user_id)
    assert person is not None
    ambassador.ended_at = utcnow()
    ambassador.ended_by_id = actor.id
    ambassador.end_reason = (EndReason.stepped_down if stepping_down else EndReason.ended).value
    _unseat(db, user_id)
    if stepping_down:
        activity.record(
            db, user_id=actor.id, kind="ambassador_stepped_down", subject_type="user", subject_id=user_id
        )
    else:
        activity.audit(db, actor_id=actor.id, action="ambassador_ended", target_id=user_id)
    db.flush()
    return person


def invitation_view(db: Session, invitation: AmbassadorInvitation) -> dict[str, Any]:
    """What the invited person is shown: who invited them, the note, and why."""
    inviter = db.get(User, invitation.invited_by_id) if invitation.invited_by_id else None
    return {
        "invitation": invitation,
        "inviter": inviter,
        "reasons": reason_texts(invitation.reasons),
    }
