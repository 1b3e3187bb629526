"""The one place that decides what a viewer may see: communities and posts.

Every path (feed, community pages, profiles, tag pages, search, counts, mentions, notifications,
exports) builds its queries from these clauses, and loads single objects through the fetchers,
which raise NotFound for what the viewer may not see — a secret community and everything in it
does not exist for a non-member (404, never 403). Administrators are not members: they see what
any non-member sees.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, Select, SQLColumnExpression, and_, or_, select
from sqlalchemy.orm import Session

from app.i18n import _
from app.models import Community, Membership, MemberStatus, Post, User, Visibility
from app.services.errors import NotFound

# a person's id, or a column of people's ids: the same clauses then decide for a whole set of rows
# (a correlated subquery), as the demo's notifications and the tests that audit a table do
Viewer = int | SQLColumnExpression[Any]


def member_community_ids(viewer_id: Viewer) -> Select[int]:
    """The communities a person is a full member of (not a pending requester)."""
    return select(Membership.community_id).where(
        Membership.user_id == viewer_id, Membership.status == MemberStatus.member.value
    )


def public_community_ids() -> Select[int]:
    """The communities whose posts everyone may read."""
    return select(Community.id).where(Community.visibility == Visibility.public.value)


def community_visible(viewer_id: Viewer) -> ColumnElement[bool]:
    """A community is listed to a viewer unless it is secret and they are not a member."""
    return or_(
        Community.visibility != Visibility.secret.value, Community.id.in_(member_community_ids(viewer_id))
    )


def hidden_community_ids(viewer_id: Viewer) -> Select[int]:
    """The communities whose posts a viewer may not read: not public, and not one of theirs."""
    return select(Community.id).where(
        Community.visibility != Visibility.public.value, Community.id.not_in(member_community_ids(viewer_id))
    )


def post_readable(viewer_id: Viewer) -> ColumnElement[bool]:
    """A post may be read: published (not a draft), not removed, and company-wide, in a public
    community, or in one of the viewer's.

    Written as "not in a hidden community" (the few communities closed to this viewer) rather than
    as a union of the open ones: a feed page then walks the posts newest first and stops after a
    page, instead of gathering every readable post to sort them. A delegate's draft is in no list,
    count or search for anyone, its executive and delegate included: they open it by itself
    (`post_openable`) until it is approved."""
    return and_(
        Post.removed_at.is_(None),
        Post.is_draft.is_(False),
        or_(Post.community_id.is_(None), Post.community_id.not_in(hidden_community_ids(viewer_id))),
    )


def post_openable(viewer_id: int) -> ColumnElement[bool]:
    """A post may be opened by itself: readable, or the viewer's own removed post (with the reason),
    or a draft the viewer wrote or must approve (its author or the delegate who posted it)."""
    own = or_(Post.author_id == viewer_id, Post.posted_by_id == viewer_id)
    return or_(
        post_readable(viewer_id), and_(own, or_(Post.removed_at.is_not(None), Post.is_draft.is_(True)))
    )


def visible_communities(viewer: User) -> Select[Community]:
    """The communities a viewer may know about."""
    return select(Community).where(community_visible(viewer.id))


def visible_posts(viewer: User) -> Select[Post]:
    """The posts a viewer may read."""
    return select(Post).where(post_readable(viewer.id))


def get_visible_community(db: Session, viewer: User, slug: str) -> Community:
    """A community by slug, or NotFound when it does not exist or is secret to this viewer."""
    community = db.scalar(select(Community).where(Community.slug == slug, community_visible(viewer.id)))
    if community is None:
        raise NotFound(_("No such community."))
    return community


def get_visible_post(db: Session, viewer: User, post_id: int) -> Post:
    """A post by id, or NotFound when it does not exist, was removed, or the viewer may not read it.

    The author still sees their own removed post (with the reason shown); a draft is seen by its
    executive and its delegate only."""
    post = db.scalar(select(Post).where(Post.id == post_id, post_openable(viewer.id)))
    if post is None:
        raise NotFound(_("No such post."))
    return post


def membership(db: Session, viewer: User, community: Community) -> Membership | None:
    """The viewer's membership (or pending request) in a community."""
    return db.get(Membership, (community.id, viewer.id))


def can_read_community_posts(db: Session, viewer: User, community: Community) -> bool:
    """Public communities are read by all; private and secret ones by their members."""
    if community.visibility == Visibility.public.value:
        return True
    member = membership(db, viewer, community)
    return member is not None and member.status == MemberStatus.member.value
