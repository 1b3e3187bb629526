"""The give/receive ledger: what a person gives colleagues, and what they receive from them.

Seed 004 segments people into *givers* and *takers*: find those who already give, make them
recognised ambassadors, and show takers the personal benefit of sharing. The ledger is counted on
demand from the content itself (posts, comments, reactions, memberships), not kept in a table
updated on every event: it is exact by construction (an edit, a removal or a deleted account is
reflected at once), it costs nothing on the hot path of `activity.record`, and one statement
reads it (8 ms at the median on the medium demo company; see docs/engagement.md).

What counts as giving: answers to colleagues' questions, answers of theirs that were accepted,
praise given, newcomers helped (a comment, reply, answer or praise for a colleague in their first
30 days in the company), communities animated (managed, where colleagues posted) and reactions
given. What counts as receiving: questions asked, answers received, praise received. Content
that was removed never counts; praise received counts only when one may read it.

`sharing_benefit` is what the takers are shown: what answering colleagues brought, this month, to
the people of their own department (or site) who did it, against those who did not, in aggregate
and only when both groups reach the group threshold.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from babel.numbers import format_decimal
from sqlalchemy import Float, and_, case, distinct, exists, func, or_, select, union_all
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Session, aliased
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import FunctionElement

from app.i18n import current_locale
from app.models import (
    ActivityEvent,
    Comment,
    Community,
    Follow,
    MemberRole,
    Membership,
    MemberStatus,
    Post,
    PostKind,
    Reaction,
    User,
    Visibility,
)
from app.models.base import utcnow
from app.services.aggregates import group_shown
from app.services.visibility import post_readable

NEWCOMER_DAYS = 30
BENEFIT_DAYS = 30
LIKES_PER_GIFT = 5  # a reaction is a small gift: five of them weigh as much as one answer


class days_between(FunctionElement[float]):  # a lower-case name: it reads as the SQL function
    """`later - earlier` in days (fractional), on SQLite and PostgreSQL alike."""

    type = Float()
    inherit_cache = True
    name = "days_between"


@compiles(days_between, "sqlite")
def _days_between_sqlite(element: days_between, compiler: SQLCompiler, **kw: Any) -> str:
    later, earlier = list(element.clauses)
    return f"(julianday({compiler.process(later, **kw)}) - julianday({compiler.process(earlier, **kw)}))"


@compiles(days_between)
def _days_between_default(element: days_between, compiler: SQLCompiler, **kw: Any) -> str:
    later, earlier = list(element.clauses)
    return (
        f"(EXTRACT(EPOCH FROM ({compiler.process(later, **kw)} - {compiler.process(earlier, **kw)}))"
        " / 86400.0)"
    )


def public_post(post: Any = Post) -> Any:
    """A post everyone may read: company-wide or in a public community, and not removed."""
    public = select(Community.id).where(Community.visibility == Visibility.public.value)
    return and_(post.removed_at.is_(None), or_(post.community_id.is_(None), post.community_id.in_(public)))


@dataclass
class Ledger:
    """One person's give/receive figures, since they arrived."""

    answers_given: int = 0
    answers_accepted: int = 0
    praise_given: int = 0
    newcomers_helped: int = 0
    communities_animated: int = 0
    likes_given: int = 0
    questions_asked: int = 0
    answers_received: int = 0
    praise_received: int = 0

    GIVE = (
        "answers_given",
        "answers_accepted",
        "praise_given",
        "newcomers_helped",
        "communities_animated",
        "likes_given",
    )
    RECEIVE = ("questions_asked", "answers_received", "praise_received")

    @property
    def given(self) -> float:
        """What one gives, each gift weighing one (a reaction, a fifth)."""
        heavy = sum(getattr(self, name) for name in self.GIVE if name != "likes_given")
        return heavy + self.likes_given / LIKES_PER_GIFT

    @property
    def received(self) -> int:
        """What one receives: questions asked, answers and praise received."""
        return sum(getattr(self, name) for name in self.RECEIVE)

    @property
    def leaning(self) -> str:
        """`giver`, `taker`, `balanced`, or `quiet` when there is nothing on either side yet."""
        if self.given == 0 and self.received == 0:
            return "quiet"
        if self.received > self.given:
            return "taker"
        return "giver" if self.given > self.received else "balanced"


def _count(model: Any, *where: Any) -> Any:
    return select(func.count()).select_from(model).where(*where).scalar_subquery()


def _newcomers_helped(uid: int) -> Any:
    """How many colleagues this person commented on, replied to or praised in their first 30 days."""
    author, parent_author = aliased(User), aliased(User)
    parent = aliased(Comment)
    on_posts = (
        select(author.id.label("helped"), Comment.created_at.label("at"), author.created_at.label("arrived"))
        .select_from(Comment)
        .join(Post, Post.id == Comment.post_id)
        .join(author, author.id == Post.author_id)
        .where(Comment.author_id == uid, Comment.removed_at.is_(None), Post.removed_at.is_(None))
    )
    on_comments = (
        select(
            parent_author.id.label("helped"),
            Comment.created_at.label("at"),
            parent_author.created_at.label("arrived"),
        )
        .select_from(Comment)
        .join(parent, parent.id == Comment.parent_id)
        .join(parent_author, parent_author.id == parent.author_id)
        .where(Comment.author_id == uid, Comment.removed_at.is_(None))
    )
    praised = (
        select(author.id.label("helped"), Post.created_at.label("at"), author.created_at.label("arrived"))
        .select_from(Post)
        .join(author, author.id == Post.praised_user_id)
        .where(Post.author_id == uid, Post.kind == PostKind.praise.value, Post.removed_at.is_(None))
    )
    helped = union_all(on_posts, on_comments, praised).subquery()
    age = days_between(helped.c.at, helped.c.arrived)
    return (
        select(func.count(distinct(helped.c.helped)))
        .where(helped.c.helped != uid, age >= 0, age <= NEWCOMER_DAYS)
        .scalar_subquery()
    )


def _statement(uid: int) -> Any:
    question = aliased(Post)
    answer = and_(
        Comment.parent_id.is_(None),
        Comment.removed_at.is_(None),
        question.kind == PostKind.question.value,
        question.removed_at.is_(None),
    )
    answers_given = (
        select(func.count())
        .select_from(Comment)
        .join(question, question.id == Comment.post_id)
        .where(Comment.author_id == uid, question.author_id != uid, answer)
        .scalar_subquery()
    )
    answers_received = (
        select(func.count())
        .select_from(Comment)
        .join(question, question.id == Comment.post_id)
        .where(question.author_id == uid, Comment.author_id != uid, answer)
        .scalar_subquery()
    )
    accepted = (  # walks one's own comments (indexed by author), not every question
        select(func.count())
        .select_from(Comment)
        .join(question, and_(question.id == Comment.post_id, question.accepted_comment_id == Comment.id))
        .where(
            Comment.author_id == uid,
            Comment.removed_at.is_(None),
            question.author_id != uid,
            question.removed_at.is_(None),
        )
        .scalar_subquery()
    )
    others_posted = exists().where(
        Post.community_id == Membership.community_id, Post.author_id != uid, Post.removed_at.is_(None)
    )
    liked = (
        select(func.count())
        .select_from(Reaction)
        .join(Post, Post.id == Reaction.post_id)
        .where(Reaction.user_id == uid, Post.author_id != uid, Post.removed_at.is_(None))
        .scalar_subquery()
    )
    return select(
        answers_given.label("answers_given"),
        accepted.label("answers_accepted"),
        _count(
            Post,
            Post.author_id == uid,
            Post.kind == PostKind.praise.value,
            Post.praised_user_id != uid,
            Post.removed_at.is_(None),
        ).label("praise_given"),
        _newcomers_helped(uid).label("newcomers_helped"),
        _count(
            Membership,
            Membership.user_id == uid,
            Membership.role == MemberRole.manager.value,
            Membership.status == MemberStatus.member.value,
            others_posted,
        ).label("communities_animated"),
        liked.label("likes_given"),
        _count(
            Post, Post.author_id == uid, Post.kind == PostKind.question.value, Post.removed_at.is_(None)
        ).label("questions_asked"),
        answers_received.label("answers_received"),
        _count(
            Post,
            Post.praised_user_id == uid,
            Post.kind == PostKind.praise.value,
            Post.author_id != uid,
            post_readable(uid),
        ).label("praise_received"),
    )


def ledger_of(db: Session, *, user_id: int) -> Ledger:
    """A person's give/receive ledger since they arrived (one statement)."""
    row = db.execute(_statement(user_id)).one()
    return Ledger(**{name: int(getattr(row, name) or 0) for name in (*Ledger.GIVE, *Ledger.RECEIVE)})


# ---- what sharing brought to people like them ----------------------------------------------------


@dataclass
class Benefit:
    """This month, in one population: what answering colleagues' questions brought, on average."""

    group: str  # the department (or site) compared
    by: str  # "department" or "site"
    reactions: float  # reactions received per person, among those who answered
    followers: float  # new followers per person, among those who answered
    others_reactions: float  # the same among those who did not answer
    others_followers: float


def average(value: float) -> str:
    """An average as people read it: one decimal, in the reader's language (1.5 / 1,5)."""
    return format_decimal(value, format="#,##0.0", locale=current_locale())


def sharing_benefit(
    db: Session, *, viewer: User, threshold: int, now: datetime | None = None
) -> Benefit | None:
    """What answering brought this month to colleagues of one's department (else site): reactions and
    new followers per person, for those who answered a public question and for those who did not.

    Only people who have come in at least once are compared; only public content counts. Nothing is
    returned unless both groups reach the group threshold (one of two cells hidden would let the
    other be derived from the department's size)."""
    now = now or utcnow()
    by, group = ("department", viewer.department) if viewer.department else ("site", viewer.site)
    if not group:
        return None
    since = now - timedelta(days=BENEFIT_DAYS)
    column = User.department if by == "department" else User.site
    question = aliased(Post)
    # the engine's "answer" events, read by person and time on their index: one seek per person
    answered = exists().where(
        ActivityEvent.user_id == User.id,
        ActivityEvent.kind == "answer",
        ActivityEvent.created_at > since,
        question.id == ActivityEvent.subject_id,
        question.author_id != User.id,
        public_post(question),
    )
    reactions = (
        select(func.count())
        .select_from(Reaction)
        .join(Post, Post.id == Reaction.post_id)
        .where(
            Post.author_id == User.id,
            # reactions this month to posts of this month: the (author, created_at) index then
            # spares reading each person's whole history
            Post.created_at > since,
            Reaction.user_id != User.id,
            Reaction.created_at > since,
            public_post(),
        )
        .correlate(User)
        .scalar_subquery()
    )
    followers = _count(Follow, Follow.followee_id == User.id, Follow.created_at > since).correlate(User)
    people = (
        select(
            case((answered, 1), else_=0).label("gave"),
            reactions.label("reactions"),
            followers.label("followers"),
        )
        .where(column == group, User.is_active.is_(True), User.first_seen_at.is_not(None))
        .subquery()
    )
    rows = {
        int(gave): (int(n), int(r or 0), int(f or 0))
        for gave, n, r, f in db.execute(
            select(
                people.c.gave, func.count(), func.sum(people.c.reactions), func.sum(people.c.followers)
            ).group_by(people.c.gave)
        )
    }
    givers, others = rows.get(1, (0, 0, 0)), rows.get(0, (0, 0, 0))
    # both cells or neither: one hidden cell would be the department's size minus the other
    if not all(n > 0 and group_shown(n, threshold) for n in (givers[0], others[0])):
        return None
    return Benefit(
        group=group,
        by=by,
        reactions=givers[1] / givers[0],
        followers=givers[2] / givers[0],
        others_reactions=others[1] / others[0],
        others_followers=others[2] / others[0],
    )
