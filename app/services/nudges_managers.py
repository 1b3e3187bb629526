"""Nudges for line managers relaying adoption to their team (registered in the catalogue of
`app.services.nudges`; see its docstring for stages, eligibility and completion).

The catalogue already asks a manager to bring in a team that has not come in
(`information.invite_team`) and to share a community with it (`participation.team_communities`).
These add what a relay does week to week, each naming only what anyone may see:

- recognise the first public post (company-wide or in a public community) of someone in the team:
  done when the manager reacts to it, comments on it, or praises its author;
- invite the team to an upcoming event for newcomers (an event tagged onboarding, welcome…):
  done when the manager or someone of the team answers an invitation to such an event;
- welcome a colleague who joined the team in the last 30 days (an arrival in the directory, not a
  sign-in, so nothing tells of their stage): done when the manager follows, praises or answers them.

None of them names anyone's stage; a first public post is public.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, exists, func, or_, select

from app.i18n import format_date
from app.models import Comment, Event, Follow, Post, PostKind, PostTag, Reaction, Rsvp, Stage, User
from app.services.engagement import N_
from app.services.nudges import Context, N_plural, Params, Population, nudge
from app.services.teams import first_public, newcomer_tag_ids, public_post

FIRST_POST_DAYS = 14
EVENT_DAYS = 30
ARRIVAL_DAYS = 30
MANAGER_STAGES = [Stage.discovery, Stage.participation, Stage.contribution, Stage.promotion]
MANAGERS = Population(manager=True)


def _team(c: Context) -> Select[Any]:
    return select(User.id).where(User.manager_id == c.uid, User.is_active.is_(True), User.id != c.uid)


def _first_public_posts(c: Context, since: datetime) -> ColumnElement[bool]:
    """Public posts of the team since a moment that are their author's first public post."""
    return first_public(_team(c), since)


def _touched_by(uid: int, since: datetime | None = None) -> ColumnElement[bool]:
    """The manager reacted to or commented on the post (since a moment)."""
    reacted = [Reaction.post_id == Post.id, Reaction.user_id == uid]
    commented = [Comment.post_id == Post.id, Comment.author_id == uid, Comment.removed_at.is_(None)]
    if since is not None:
        reacted.append(Reaction.created_at > since)
        commented.append(Comment.created_at > since)
    return or_(exists().where(*reacted), exists().where(*commented))


# ---- recognise a first post ----------------------------------------------------------------------


def _first_post_to_recognise(c: Context) -> Params | None:
    if c.facts.team == 0:
        return None
    row = c.db.execute(
        select(Post.id, Post.title, Post.body, User.display_name)
        .join(User, User.id == Post.author_id)
        .where(_first_public_posts(c, c.now - timedelta(days=FIRST_POST_DAYS)), ~_touched_by(c.uid))
        .order_by(Post.created_at.desc(), Post.id.desc())
        .limit(1)
    ).first()
    if row is None:
        return None
    return {"name": row.display_name, "url": f"/posts/{row.id}"}


def _recognised_a_first_post(c: Context, since: datetime) -> bool:
    window = since - timedelta(days=FIRST_POST_DAYS)
    touched = select(Post.id).where(_first_public_posts(c, window), _touched_by(c.uid, since))
    praised = select(Post.id).where(
        Post.author_id == c.uid,
        Post.kind == PostKind.praise.value,
        Post.praised_user_id.in_(_team(c)),
        Post.created_at > since,
    )
    return bool(c.db.scalar(select(exists(touched.union_all(praised).subquery().select()))))


nudge(
    "manager.recognise_first_post",
    stages=MANAGER_STAGES,
    population=MANAGERS,
    priority=24,
    title=N_("Recognise {name}'s first post"),
    wiifm=N_(
        "{name}, of your team, just published a first post for everyone to read: a like or a word from "
        "you tells them it was worth it, and shows the rest of the team it is welcome."
    ),
    action_url="{url}",
    fallback_url="/team",
    eligible=_first_post_to_recognise,
    completed=_recognised_a_first_post,
)


# ---- invite the team to an event for newcomers ---------------------------------------------------


def _newcomer_events(c: Context) -> ColumnElement[bool]:
    tagged = exists().where(PostTag.post_id == Post.id, PostTag.tag_id.in_(newcomer_tag_ids()))
    return and_(
        public_post(),
        tagged,
        Event.post_id == Post.id,
        Event.starts_at > c.now,
        Event.starts_at <= c.now + timedelta(days=EVENT_DAYS),
    )


def _event_for_the_team(c: Context) -> Params | None:
    if c.facts.team == 0:
        return None
    rows = c.db.execute(
        select(Post.id, Post.title, Event.starts_at, func.count().over().label("n"))
        .select_from(Post)
        .join(Event, Event.post_id == Post.id)
        .where(_newcomer_events(c))
        .order_by(Event.starts_at, Post.id)
        .limit(1)
    ).first()
    if rows is None:
        return None
    return {
        "n": int(rows.n),
        "title": rows.title or "",
        "date": format_date(rows.starts_at, "d MMMM"),
        "url": f"/posts/{rows.id}",
    }


def _team_invited(c: Context, since: datetime) -> bool:
    going = exists().where(
        Rsvp.post_id == Post.id,
        or_(Rsvp.user_id == c.uid, Rsvp.user_id.in_(_team(c))),
        Rsvp.created_at > since,
    )
    events = (
        select(Post.id)
        .join(Event, Event.post_id == Post.id)
        .where(
            public_post(), Post.id.in_(select(PostTag.post_id).where(PostTag.tag_id.in_(newcomer_tag_ids())))
        )
        .where(going)
    )
    return bool(c.db.scalar(select(exists(events.subquery().select()))))


nudge(
    "manager.invite_team_event",
    stages=MANAGER_STAGES,
    population=MANAGERS,
    priority=26,
    title=N_("Invite your team to {title}"),
    wiifm=N_plural(
        "An event for newcomers this month, {title} on {date}: invite your team, and come along.",
        "{n} events for newcomers this month, starting with {title} on {date}: invite your team, and "
        "come along.",
    ),
    fallback=N_("Events for newcomers are coming up: invite your team, and come along."),
    action_url="{url}",
    fallback_url="/team",
    eligible=_event_for_the_team,
    completed=_team_invited,
)


# ---- welcome a newcomer to the team --------------------------------------------------------------


def _welcomed(uid: int, since: datetime | None = None) -> ColumnElement[bool]:
    followed = [Follow.follower_id == uid, Follow.followee_id == User.id]
    praised = [Post.author_id == uid, Post.kind == PostKind.praise.value, Post.praised_user_id == User.id]
    if since is not None:
        followed.append(Follow.created_at > since)
        praised.append(Post.created_at > since)
    return or_(exists().where(*followed), exists().where(*praised))


def _team_newcomer(c: Context) -> Params | None:
    if c.facts.team == 0:
        return None
    row = c.db.execute(
        select(User.display_name, User.handle)
        .where(
            User.id.in_(_team(c)),
            User.created_at > c.now - timedelta(days=ARRIVAL_DAYS),
            ~_welcomed(c.uid),
        )
        .order_by(User.created_at.desc(), User.id)
        .limit(1)
    ).first()
    if row is None:
        return None
    return {"name": row.display_name, "url": f"/people/{row.handle}"}


def _welcomed_team_newcomer(c: Context, since: datetime) -> bool:
    newcomers = select(User.id).where(
        User.id.in_(_team(c)),
        User.created_at > since - timedelta(days=ARRIVAL_DAYS),
        _welcomed(c.uid, since),
    )
    return bool(c.db.scalar(select(exists(newcomers.subquery().select()))))


nudge(
    "manager.welcome_team_newcomer",
    stages=MANAGER_STAGES,
    population=MANAGERS,
    priority=25,
    title=N_("Welcome {name} to your team"),
    wiifm=N_(
        "{name} joined your team this month: follow them, and point them to a community or a colleague "
        "who can help them find their way."
    ),
    action_url="{url}",
    fallback_url="/team",
    eligible=_team_newcomer,
    completed=_welcomed_team_newcomer,
)
