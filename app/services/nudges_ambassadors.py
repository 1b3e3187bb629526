"""Nudges for ambassadors, for takers, and testimonials for those just starting (registered in the
catalogue of `app.services.nudges`; see its docstring for stages, eligibility and completion).

- Ambassadors are asked to welcome a real newcomer of their department (someone whose account
  is less than 30 days old: an arrival in the company, not a sign-in, so that nothing tells of the
  newcomer's stage) and to answer a real unanswered question in their expertise that they may read.
- Takers (people who receive more than they give, by the ledger) are shown what answering brought
  this month to the colleagues of their department who did it, against those who did not: averages
  over two groups that must both reach the group threshold.
- People at discovery or participation are offered a colleague's testimonial ("my digital
  journey") from their department, else their site, among those they may read.

The ambassador nudges check the ambassadorship inside their one statement, so that for anyone
else they cost one cheap statement and only when they are reached in rank order.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, Exists, exists, or_, select

from app.models import Ambassador, Comment, Follow, Post, PostKind, PostTag, Stage, Tag, User, UserTag
from app.services import ledger, testimonials
from app.services.engagement import N_
from app.services.nudges import Context, Params, _did, nudge
from app.services.visibility import post_readable

NEWCOMER_DAYS = 30
QUESTION_DAYS = 60
AMBASSADOR_STAGES = [Stage.participation, Stage.contribution, Stage.promotion, Stage.disappointment]


def _is_ambassador(uid: int) -> Exists:
    return exists().where(Ambassador.user_id == uid, Ambassador.ended_at.is_(None))


def _welcomed_by(uid: int, since: datetime | None = None) -> ColumnElement[bool]:
    """A newcomer (a User row) this person already followed, answered or praised (since a moment)."""
    followed = [Follow.follower_id == uid, Follow.followee_id == User.id]
    commented = [Comment.author_id == uid, Comment.post_id == Post.id, Post.author_id == User.id]
    praised = [Post.author_id == uid, Post.kind == PostKind.praise.value, Post.praised_user_id == User.id]
    if since is not None:
        followed.append(Follow.created_at > since)
        commented.append(Comment.created_at > since)
        praised.append(Post.created_at > since)
    return or_(
        exists().where(*followed),
        exists().where(*commented),
        exists().where(*praised),
    )


# ---- ambassadors: welcome a newcomer -------------------------------------------------------------


def _newcomer_to_welcome(c: Context) -> Params | None:
    department = c.viewer.department
    if not department:
        return None
    row = c.db.execute(
        select(User.display_name, User.handle)
        .where(
            _is_ambassador(c.uid),
            User.department == department,
            User.id != c.uid,
            User.is_active.is_(True),
            User.created_at > c.now - timedelta(days=NEWCOMER_DAYS),
            ~_welcomed_by(c.uid),
        )
        .order_by(User.created_at.desc(), User.id)
        .limit(1)
    ).first()
    if row is None:
        return None
    return {"name": row.display_name, "department": department, "url": f"/people/{row.handle}"}


def _welcomed_a_newcomer(c: Context, since: datetime) -> bool:
    return bool(
        c.db.scalar(
            select(
                exists().where(
                    User.department == c.viewer.department,
                    User.id != c.uid,
                    User.created_at > since - timedelta(days=NEWCOMER_DAYS),
                    _welcomed_by(c.uid, since),
                )
            )
        )
    )


nudge(
    "ambassador.welcome_newcomer",
    stages=AMBASSADOR_STAGES,
    priority=36,
    title=N_("Welcome {name} to {department}"),
    wiifm=N_(
        "{name} arrived in {department} this month: as an ambassador, a follow and a word of welcome "
        "from you make their first weeks easier."
    ),
    action_url="{url}",
    fallback_url="/people",
    eligible=_newcomer_to_welcome,
    completed=_welcomed_a_newcomer,
)


# ---- ambassadors: answer an unanswered question --------------------------------------------------


def _question_to_answer(c: Context) -> Params | None:
    mine = select(UserTag.tag_id).where(UserTag.user_id == c.uid)
    row = c.db.execute(
        select(Post.id, Tag.name, User.display_name)
        .join(PostTag, PostTag.post_id == Post.id)
        .join(Tag, Tag.id == PostTag.tag_id)
        .join(User, User.id == Post.author_id)
        .where(
            _is_ambassador(c.uid),
            Tag.id.in_(mine),
            Post.kind == PostKind.question.value,
            Post.comment_count == 0,
            Post.accepted_comment_id.is_(None),
            Post.author_id != c.uid,
            Post.created_at > c.now - timedelta(days=QUESTION_DAYS),
            post_readable(c.uid),
        )
        .order_by(Post.created_at.desc(), Post.id.desc())
        .limit(1)
    ).first()
    if row is None:
        return None
    return {"author": row.display_name, "tag": row.name, "url": f"/posts/{row.id}"}


nudge(
    "ambassador.answer_question",
    stages=AMBASSADOR_STAGES,
    priority=29,
    title=N_("Answer {author}'s question"),
    wiifm=N_(
        "{author} asked about #{tag} and nobody has answered yet: your expertise is just what they need."
    ),
    action_url="{url}",
    fallback_url="/people/experts",
    eligible=_question_to_answer,
    completed=_did(("answer",)),
)


# ---- takers: what sharing brought to people like them --------------------------------------------


def _sharing_pays(c: Context) -> Params | None:
    if ledger.ledger_of(c.db, user_id=c.uid).leaning != "taker":
        return None
    benefit = ledger.sharing_benefit(c.db, viewer=c.viewer, threshold=c.threshold, now=c.now)
    if benefit is None or (benefit.reactions, benefit.followers) <= (
        benefit.others_reactions,
        benefit.others_followers,
    ):
        return None
    tag = c.db.scalar(
        select(Tag.name)
        .join(UserTag, UserTag.tag_id == Tag.id)
        .where(UserTag.user_id == c.uid)
        .order_by(UserTag.position, Tag.name)
        .limit(1)
    )
    return {
        "group": benefit.group,
        "reactions": ledger.average(benefit.reactions),
        "followers": ledger.average(benefit.followers),
        "others_reactions": ledger.average(benefit.others_reactions),
        "others_followers": ledger.average(benefit.others_followers),
        "url": f"/tags/{tag}" if tag else "/me/ledger",
    }


nudge(
    "taker.sharing_pays",
    stages=[Stage.participation, Stage.contribution],
    priority=33,
    cooldown_days=30,
    title=N_("What answering brings in {group}"),
    wiifm=N_(
        "This month, colleagues of {group} who answered questions received {reactions} reactions and "
        "{followers} new followers each on average; those who did not, {others_reactions} and "
        "{others_followers}."
    ),
    fallback=N_("Colleagues who answer questions get known for what they know: try one in your field."),
    action_url="{url}",
    fallback_url="/me/ledger",
    eligible=_sharing_pays,
    completed=_did(("answer", "praise_given")),
)


# ---- testimonials: a colleague's digital journey ---------------------------------------------------


def _testimonial(c: Context) -> Params | None:
    found = testimonials.for_reader(c.db, viewer=c.viewer, now=c.now)
    if found is None:
        return None
    return {"author": found.author, "group": found.group, "url": f"/posts/{found.post_id}"}


nudge(
    "testimonial.read",
    stages=[Stage.discovery, Stage.participation],
    priority=18,
    cooldown_days=7,
    title=N_("Read {author}'s digital journey"),
    wiifm=N_(
        "{author}, of {group} like you, tells how Proxima helps their work: a few minutes to pick up "
        "what works for someone in your shoes."
    ),
    action_url="{url}",
    fallback_url="/tags/" + testimonials.TAG,
    eligible=_testimonial,
    completed=lambda c, since: testimonials.read_since(c.db, viewer=c.viewer, since=since),
)
