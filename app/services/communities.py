"""Communities: creating and running them, joining, requests, members, managers, pins, the directory."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select, true
from sqlalchemy.orm import Session, aliased

from app.i18n import _
from app.models import (
    Community,
    Follow,
    MemberRole,
    Membership,
    MemberStatus,
    Post,
    Role,
    User,
    Visibility,
    WatchLevel,
)
from app.models.base import utcnow
from app.services import activity, markdown, notifications
from app.services.errors import Conflict, FieldError, Forbidden, Invalid, NotFound
from app.services.pagination import Page, clamp_limit, decode_keyset, encode_cursor, text_key
from app.services.text import clean_line, fold
from app.services.visibility import community_visible, get_visible_community, membership

MAX_PINS = 3
_SLUG_BAD = re.compile(r"[^a-z0-9]+")


@dataclass
class CommunityData:
    """What a community's creator or managers say about it."""

    name: str
    description: str = ""
    charter: str = ""
    visibility: str = Visibility.public.value


def _slugify(name: str) -> str:
    return _SLUG_BAD.sub("-", fold(name)).strip("-")[:60] or "community"


def _unique_slug(db: Session, name: str) -> str:
    base = _slugify(name)
    taken = set(db.scalars(select(Community.slug).where(Community.slug.startswith(base, autoescape=True))))
    if base not in taken:
        return base
    n = 2
    while f"{base}-{n}" in taken:
        n += 1
    return f"{base}-{n}"


def _check(data: CommunityData) -> tuple[str, str, str, str]:
    errors: list[FieldError] = []
    name = ""
    try:
        name = clean_line(data.name, "name", 120) or ""
        if len(name) < 3:
            errors.append(FieldError("name", _("A name of at least 3 characters.")))
    except Invalid as exc:
        errors += exc.errors
    description = (data.description or "").strip()
    if len(description) > 2000:
        errors.append(FieldError("description", _("At most {n} characters.").format(n=2000)))
    charter = (data.charter or "").strip()
    if len(charter) > 10000:
        errors.append(FieldError("charter", _("At most {n} characters.").format(n=10000)))
    if data.visibility not in {v.value for v in Visibility}:
        errors.append(FieldError("visibility", _("Choose public, private or secret.")))
    if errors:
        raise Invalid(errors)
    return name, description, charter, data.visibility


def _charter_html(db: Session, charter: str) -> str:
    from app.services.posts import known_handles

    return markdown.render(charter, known_handles=lambda c: known_handles(db, c)).html if charter else ""


def create_community(db: Session, *, actor: User, data: CommunityData) -> Community:
    """Anyone creates a community; they become its first manager."""
    name, description, charter, visibility = _check(data)
    if db.scalar(select(Community.id).where(func.lower(Community.name) == name.lower())) is not None:
        raise Invalid.one("name", _("A community with this name already exists."))
    community = Community(
        slug=_unique_slug(db, name),
        name=name,
        search_name=fold(name),
        description=description,
        charter=charter,
        charter_html=_charter_html(db, charter),
        visibility=visibility,
        created_by_id=actor.id,
    )
    db.add(community)
    db.flush()
    now = utcnow()
    db.add(
        Membership(
            community_id=community.id,
            user_id=actor.id,
            role=MemberRole.manager.value,
            status=MemberStatus.member.value,
            charter_accepted_at=now,
            joined_at=now,
        )
    )
    activity.record(
        db, user_id=actor.id, kind="community_created", subject_type="community", subject_id=community.id
    )
    db.flush()
    return community


def is_manager(db: Session, viewer: User, community: Community) -> bool:
    """True for the community's managers."""
    member = membership(db, viewer, community)
    return (
        member is not None
        and member.status == MemberStatus.member.value
        and member.role == MemberRole.manager.value
    )


def require_manager(db: Session, viewer: User, community: Community) -> None:
    """Refuse anyone but the community's managers."""
    if not is_manager(db, viewer, community):
        raise Forbidden(_("Only the managers of this community may do this."))


def _require_open(community: Community) -> None:
    if community.archived_at is not None:
        raise Forbidden(_("This community is archived."))


def update_community(db: Session, *, actor: User, community: Community, data: CommunityData) -> Community:
    """Managers edit the name, description, charter and visibility."""
    require_manager(db, actor, community)
    name, description, charter, visibility = _check(data)
    clash = db.scalar(
        select(Community.id).where(func.lower(Community.name) == name.lower(), Community.id != community.id)
    )
    if clash is not None:
        raise Invalid.one("name", _("A community with this name already exists."))
    community.name, community.search_name = name, fold(name)
    community.description, community.charter = description, charter
    community.charter_html = _charter_html(db, charter)
    community.visibility = visibility
    community.updated_at = utcnow()
    db.flush()
    return community


def set_cover(db: Session, *, settings: Any, actor: User, community: Community, data: bytes | None) -> None:
    """Managers give the community a cover image (re-encoded), or remove it (data None)."""
    from app.services import photos

    require_manager(db, actor, community)
    if data is None:
        community.cover_id = None
        return
    image = photos.store_image(db, settings=settings, actor=actor, data=data, field="cover")
    community.cover_id = image.id
    community.updated_at = utcnow()


def set_archived(db: Session, *, actor: User, community: Community, archived: bool) -> None:
    """Managers archive a community (read-only, kept) or bring it back."""
    require_manager(db, actor, community)
    community.archived_at = utcnow() if archived else None


def join(db: Session, *, actor: User, slug: str, accept_charter: bool = True) -> Membership:
    """Join a public community, or ask to join a private one; a secret one cannot be found."""
    community = get_visible_community(db, actor, slug)
    _require_open(community)
    current = membership(db, actor, community)
    if current is not None:
        return current
    if community.visibility == Visibility.secret.value:
        raise NotFound(_("No such community."))  # a non-member never learns it exists
    if community.charter and not accept_charter:
        raise Invalid.one("accept_charter", _("Accept the charter to join."))
    now = utcnow()
    public = community.visibility == Visibility.public.value
    member = Membership(
        community_id=community.id,
        user_id=actor.id,
        role=MemberRole.member.value,
        status=MemberStatus.member.value if public else MemberStatus.pending.value,
        charter_accepted_at=now,
        joined_at=now if public else None,
    )
    db.add(member)
    activity.record(
        db,
        user_id=actor.id,
        kind="join" if public else "join_request",
        subject_type="community",
        subject_id=community.id,
    )
    db.flush()
    if not public:
        notifications.on_join_requested(
            db, community=community, actor=actor, manager_ids=manager_ids(db, community)
        )
    return member


def manager_ids(db: Session, community: Community) -> list[int]:
    """The people who run a community."""
    return list(
        db.scalars(
            select(Membership.user_id).where(
                Membership.community_id == community.id,
                Membership.role == MemberRole.manager.value,
                Membership.status == MemberStatus.member.value,
            )
        ).all()
    )


def set_watch(db: Session, *, actor: User, community: Community, level: str) -> Membership:
    """A member chooses how closely to follow a community: every post, mentions and replies, or muted."""
    if level not in {w.value for w in WatchLevel}:
        raise Invalid.one("watch", _("Choose every post, mentions and replies, or muted."))
    current = membership(db, actor, community)
    if current is None or current.status != MemberStatus.member.value:
        raise Forbidden(_("Join the community first."))
    current.watch = level
    db.flush()
    return current


def leave(db: Session, *, actor: User, community: Community) -> None:
    """Leave a community (or withdraw a request); the last manager must name another first."""
    current = membership(db, actor, community)
    if current is None:
        return
    if (
        current.role == MemberRole.manager.value
        and _manager_count(db, community) <= 1
        and _member_count(db, community) > 1
    ):
        raise Conflict(_("Name another manager before you leave."))
    db.delete(current)
    activity.record(db, user_id=actor.id, kind="leave", subject_type="community", subject_id=community.id)


def _manager_count(db: Session, community: Community) -> int:
    return (
        db.scalar(
            select(func.count())
            .select_from(Membership)
            .where(
                Membership.community_id == community.id,
                Membership.role == MemberRole.manager.value,
                Membership.status == MemberStatus.member.value,
            )
        )
        or 0
    )


def _member_count(db: Session, community: Community) -> int:
    return (
        db.scalar(
            select(func.count())
            .select_from(Membership)
            .where(Membership.community_id == community.id, Membership.status == MemberStatus.member.value)
        )
        or 0
    )


def decide_request(db: Session, *, actor: User, community: Community, user_id: int, approve: bool) -> User:
    """Managers approve or reject a request to join; the requester is told (notifications)."""
    require_manager(db, actor, community)
    request = db.get(Membership, (community.id, user_id))
    if request is None or request.status != MemberStatus.pending.value:
        raise NotFound(_("No pending request from this person."))
    person = db.get(User, user_id)
    assert person is not None
    if approve:
        request.status = MemberStatus.member.value
        request.joined_at = utcnow()
        activity.record(db, user_id=user_id, kind="join", subject_type="community", subject_id=community.id)
    else:
        db.delete(request)
    activity.record(
        db,
        user_id=actor.id,
        kind="request_approved" if approve else "request_rejected",
        subject_type="community",
        subject_id=community.id,
    )
    db.flush()
    notifications.on_join_decided(
        db, community=community, actor=actor, requester_id=user_id, approved=approve
    )
    return person


def add_member(db: Session, *, actor: User, community: Community, user_id: int) -> None:
    """Managers add a colleague directly (the only way into a secret community); idempotent."""
    require_manager(db, actor, community)
    person = db.get(User, user_id)
    if person is None or not person.is_active:
        raise NotFound(_("Nobody here by that id."))
    current = db.get(Membership, (community.id, user_id))
    now = utcnow()
    if current is None:
        db.add(
            Membership(
                community_id=community.id, user_id=user_id, status=MemberStatus.member.value, joined_at=now
            )
        )
        activity.record(db, user_id=user_id, kind="join", subject_type="community", subject_id=community.id)
    elif current.status == MemberStatus.pending.value:
        current.status, current.joined_at = MemberStatus.member.value, now
    db.flush()


def remove_member(db: Session, *, actor: User, community: Community, user_id: int) -> None:
    """Managers remove a member; anyone may remove themself (leave)."""
    if user_id == actor.id:
        leave(db, actor=actor, community=community)
        return
    require_manager(db, actor, community)
    current = db.get(Membership, (community.id, user_id))
    if current is None:
        return
    db.delete(current)
    activity.record(
        db, user_id=user_id, kind="removed_from_community", subject_type="community", subject_id=community.id
    )


def set_manager(db: Session, *, actor: User, community: Community, user_id: int, manager: bool) -> None:
    """Managers name other managers (members only), or step one down (one manager always remains)."""
    require_manager(db, actor, community)
    current = db.get(Membership, (community.id, user_id))
    if current is None or current.status != MemberStatus.member.value:
        raise Invalid.one("user", _("Only members can be managers."))
    if not manager and current.role == MemberRole.manager.value and _manager_count(db, community) <= 1:
        raise Conflict(_("A community keeps at least one manager."))
    current.role = MemberRole.manager.value if manager else MemberRole.member.value
    db.flush()


def set_pinned(db: Session, *, actor: User, post: Post, pinned: bool) -> None:
    """Managers pin up to 3 posts at the top of their community."""
    if post.community_id is None:
        raise Invalid.one("post", _("Only posts in a community can be pinned."))
    community = db.get(Community, post.community_id)
    assert community is not None
    require_manager(db, actor, community)
    if pinned and post.pinned_at is None:
        pins = (
            db.scalar(
                select(func.count())
                .select_from(Post)
                .where(
                    Post.community_id == community.id, Post.pinned_at.is_not(None), Post.removed_at.is_(None)
                )
            )
            or 0
        )
        if pins >= MAX_PINS:
            raise Conflict(_("At most 3 pinned posts: unpin one first."))
        post.pinned_at = utcnow()
    elif not pinned:
        post.pinned_at = None


@dataclass
class CommunityCard:
    """A community as listed, with its size and the viewer's place in it."""

    community: Community
    member_count: int
    my_status: str | None
    my_role: str | None
    reason: str | None = None


def cards(db: Session, viewer: User, communities: list[Community]) -> list[CommunityCard]:
    """Communities with their member counts and the viewer's place in each (two queries)."""
    ids = [c.id for c in communities]
    if not ids:
        return []
    counts = dict(
        db.execute(
            select(Membership.community_id, func.count())
            .where(Membership.community_id.in_(ids), Membership.status == MemberStatus.member.value)
            .group_by(Membership.community_id)
        ).all()
    )
    mine = {
        m.community_id: m
        for m in db.scalars(
            select(Membership).where(Membership.user_id == viewer.id, Membership.community_id.in_(ids))
        )
    }
    return [
        CommunityCard(
            c,
            counts.get(c.id, 0),
            mine[c.id].status if c.id in mine else None,
            mine[c.id].role if c.id in mine else None,
        )
        for c in communities
    ]


def directory(
    db: Session,
    *,
    viewer: User,
    q: str = "",
    visibility: str | None = None,
    mine: bool = False,
    include_archived: bool = False,
    cursor: str | None = None,
    limit: int | None = None,
) -> Page[CommunityCard]:
    """The communities a viewer may see, by name, filtered; alphabetical, a page at a time."""
    size = clamp_limit(limit)
    stmt = select(Community).where(community_visible(viewer.id))
    for word in fold(q).split():
        stmt = stmt.where(Community.search_name.like(f"%{word}%"))
    if visibility:
        stmt = stmt.where(Community.visibility == visibility)
    if mine:
        stmt = stmt.where(
            Community.id.in_(select(Membership.community_id).where(Membership.user_id == viewer.id))
        )
    if not include_archived:
        stmt = stmt.where(Community.archived_at.is_(None))
    after = decode_keyset(cursor, text_key)
    if after is not None:
        name, last = after
        stmt = stmt.where(
            (Community.search_name > name) | ((Community.search_name == name) & (Community.id > last))
        )
    rows = list(db.scalars(stmt.order_by(Community.search_name, Community.id).limit(size + 1)))
    next_cursor = None
    if len(rows) > size:
        rows = rows[:size]
        next_cursor = encode_cursor([rows[-1].search_name, rows[-1].id])
    return Page(cards(db, viewer, rows), next_cursor)


def suggestions(db: Session, *, viewer: User, limit: int = 4) -> list[CommunityCard]:
    """Communities worth joining: where the viewer's colleagues are, what is popular in their department."""

    not_mine = Community.id.not_in(select(Membership.community_id).where(Membership.user_id == viewer.id))
    open_ = (Community.visibility != Visibility.secret.value) & Community.archived_at.is_(None)
    colleagues: Any = select(Follow.followee_id).where(Follow.follower_id == viewer.id)
    if viewer.manager_id is not None:
        colleagues = colleagues.union(select(User.id).where(User.manager_id == viewer.manager_id))
    by_colleagues = db.execute(
        select(Community, func.count().label("n"))
        .join(Membership, Membership.community_id == Community.id)
        .where(
            open_,
            not_mine,
            Membership.status == MemberStatus.member.value,
            Membership.user_id.in_(colleagues),
        )
        .group_by(Community.id)
        .order_by(func.count().desc(), Community.id)
        .limit(limit)
    ).all()
    picked: list[tuple[Community, str]] = [
        (
            c,
            _("{n} of your colleagues are there").format(n=n)
            if n > 1
            else _("A colleague of yours is there"),
        )
        for c, n in by_colleagues
    ]
    if len(picked) < limit and viewer.department:
        seen = [c.id for c, _r in picked]
        popular = db.execute(
            select(Community, func.count().label("n"))
            .join(Membership, Membership.community_id == Community.id)
            .join(User, User.id == Membership.user_id)
            .where(
                open_,
                not_mine,
                Community.id.not_in(seen) if seen else true(),
                User.department == viewer.department,
                Membership.status == MemberStatus.member.value,
            )
            .group_by(Community.id)
            .order_by(func.count().desc(), Community.id)
            .limit(limit - len(picked))
        ).all()
        picked += [
            (c, _("Popular in {department}").format(department=viewer.department)) for c, _n in popular
        ]
    result = cards(db, viewer, [c for c, _r in picked])
    for card, (_c, reason) in zip(result, picked, strict=True):
        card.reason = reason
    return result


def members(
    db: Session, *, community: Community, status: str = MemberStatus.member.value, limit: int = 200
) -> list[tuple[User, Membership]]:
    """Members (or pending requesters) with their role, managers first."""
    rows = db.execute(
        select(User, Membership)
        .join(Membership, Membership.user_id == User.id)
        .where(Membership.community_id == community.id, Membership.status == status)
        .order_by((Membership.role == MemberRole.manager.value).desc(), User.search_name)
        .limit(limit)
    ).all()
    return [(u, m) for u, m in rows]


def member_count(db: Session, community: Community) -> int:
    """How many members a community has."""
    return _member_count(db, community)


def managed_by(db: Session, *, user: User) -> list[Community]:
    """The communities a person manages."""
    return list(
        db.scalars(
            select(Community)
            .join(Membership, Membership.community_id == Community.id)
            .where(Membership.user_id == user.id, Membership.role == MemberRole.manager.value)
            .order_by(Community.search_name)
        )
    )


def can_moderate(db: Session, viewer: User, community_id: int | None) -> bool:
    """Managers moderate their community; administrators moderate company-wide posts (one statement)."""
    if community_id is None:
        return viewer.has_role(Role.admin)
    role = db.scalar(
        select(Membership.role).where(
            Membership.community_id == community_id,
            Membership.user_id == viewer.id,
            Membership.status == MemberStatus.member.value,
        )
    )
    return role == MemberRole.manager.value


@dataclass
class CommunityView:
    """A community page's header: the community, the viewer's place in it, and its counts."""

    community: Community
    membership: Membership | None
    member_count: int
    pending_count: int

    @property
    def is_member(self) -> bool:
        """The viewer is a full member."""
        return self.membership is not None and self.membership.status == MemberStatus.member.value

    @property
    def is_manager(self) -> bool:
        """The viewer manages the community."""
        return (
            self.is_member
            and self.membership is not None
            and self.membership.role == MemberRole.manager.value
        )

    @property
    def readable(self) -> bool:
        """The viewer may read its posts."""
        return self.community.visibility == Visibility.public.value or self.is_member


def community_view(db: Session, *, viewer: User, slug: str) -> CommunityView:
    """Everything a community page's header needs, in one statement; NotFound when secret to the viewer."""

    counted = aliased(Membership)

    def count(status: str) -> Any:
        return (
            select(func.count())
            .select_from(counted)
            .where(counted.community_id == Community.id, counted.status == status)
            .correlate(Community)
            .scalar_subquery()
        )

    row = db.execute(
        select(Community, Membership, count(MemberStatus.member.value), count(MemberStatus.pending.value))
        .outerjoin(Membership, (Membership.community_id == Community.id) & (Membership.user_id == viewer.id))
        .where(Community.slug == slug, community_visible(viewer.id))
    ).first()
    if row is None:
        raise NotFound(_("No such community."))
    view = CommunityView(row[0], row[1], row[2] or 0, row[3] or 0)
    if not view.is_manager:
        view.pending_count = 0
    return view
