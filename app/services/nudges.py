"""WIIFM nudges: the next step worth taking for a person, with what is in it for them.

Each nudge of the catalogue says which stages and populations it serves (department, site, role,
seniority in the company, manager or not), when it is eligible (a rule over real data that also
gathers the numbers and names its "what's in it for me" line shows), and when it is completed (the
action actually done, not the click).

- **Stages.** A nudge is considered only for people at one of its stages; eligibility rules run
  only for those, lazily, in rank order, until `SHOWN_AT_ONCE` are shown. Someone at
  `information` never sees a page (their first request signs them in and moves them to
  `discovery`), so the first hour after a person's first sign-in also counts as `information` for
  nudges: that is when `information.welcome` shows. The engine's stage is not changed by this.
  The other `information.*` nudges are for the people who can bring someone in (a manager, an
  ambassador); their stages are those of the person who sees them, their data is about colleagues
  who have not come in, shown only as a count over a group of at least the group threshold.
- **Ranking.** A nudge's priority (lower first), with a boost for nudges this person was never
  shown before today (today's cards stay put when the page is reloaded); at most three at once.
- **Holdout.** A deterministic share of people (10% by default, per nudge) is never shown a
  nudge: when it would have been shown, a `holdout` event is logged instead and the next one takes
  the slot. Comparing the completion rate of people shown with that of people held out measures
  what the nudge itself changes (`measure`).
- **Log.** `nudge_events` holds every delivery and holdout (once a day per nudge per person),
  click, dismissal (with its cool-down), snooze (three days) and completion. A completion is logged
  once, at offer time, for a nudge this person was shown or held out from in the last
  `COMPLETION_DAYS` days, when its completion rule has become true.

For a person at discovery, `offer` reads in one statement what it needs of the person and their
stage, in one the history of their nudges, one per eligibility rule tried (rules run only for
nudges of the person's stages, lazily, in rank order), at most one per completion rule that needs
data (plus one for their recent activity, shared by those rules), and writes every new event in
one insert: seven statements on a newcomer's first page (four rules tried, one nudge held out).
"""

from __future__ import annotations

import hashlib
import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import quote, urlencode

from sqlalchemy import (
    and_,
    case,
    distinct,
    exists,
    func,
    insert,
    literal,
    or_,
    select,
    union_all,
)
from sqlalchemy.orm import Session, aliased

from app.i18n import format_datetime, gettext, ngettext
from app.models import (
    ActivityEvent,
    Comment,
    Community,
    EngagementState,
    Event,
    Follow,
    Membership,
    MemberStatus,
    NudgeEvent,
    Post,
    PostKind,
    PostTag,
    Reaction,
    Rsvp,
    RsvpStatus,
    Stage,
    Tag,
    TagFollow,
    User,
    UserTag,
)
from app.models.base import utcnow
from app.services import aggregates
from app.services.engagement import LEAVE_KINDS, N_, N_plural
from app.services.errors import NotFound
from app.services.posts import home_sources
from app.services.visibility import community_visible, member_community_ids, post_readable
from app.settings import get_settings

SHOWN_AT_ONCE = 3
SNOOZE_DAYS = 3
NEVER_SHOWN_BOOST = 10
COMPLETION_DAYS = 30
ARRIVAL = timedelta(hours=1)
Z95 = 1.959963984540054

STAGE_ORDER = tuple(s.value for s in Stage)
ALL_STAGES = frozenset(STAGE_ORDER)
SIGNED_IN_STAGES = ALL_STAGES - {Stage.information.value}

Message = str | tuple[str, str]
Params = dict[str, Any]


# ---- who a nudge is for --------------------------------------------------------------------------


@dataclass
class Facts:
    """What offering nudges needs to know of one person, read in one statement."""

    stage: str
    nudges_enabled: bool
    first_seen: datetime | None
    tags: int
    following: int
    followers: int
    memberships: int
    managed: int
    reactions: int
    posts: int
    team: int
    previous_visit: datetime | None


@dataclass
class Context:
    """What eligibility and completion rules look at: the person, their facts, the moment."""

    db: Session
    viewer: User
    facts: Facts
    now: datetime
    threshold: int
    activity_since: datetime | None = None
    _activity: dict[str, datetime] | None = None

    @property
    def uid(self) -> int:
        """The person's id."""
        return self.viewer.id

    @property
    def stages(self) -> frozenset[str]:
        """The stages whose nudges this person may get (the first hour also counts as information)."""
        first = self.facts.first_seen
        arriving = first is not None and self.now - first <= ARRIVAL
        return frozenset({self.facts.stage, Stage.information.value} if arriving else {self.facts.stage})

    def activity(self) -> dict[str, datetime]:
        """When this person last did each kind of thing since their oldest open nudge (one statement)."""
        if self._activity is None:
            stmt = (
                select(ActivityEvent.kind, func.max(ActivityEvent.created_at))
                .where(ActivityEvent.user_id == self.uid)
                .group_by(ActivityEvent.kind)
            )
            if self.activity_since is not None:
                stmt = stmt.where(ActivityEvent.created_at > self.activity_since)
            self._activity = {kind: at for kind, at in self.db.execute(stmt)}
        return self._activity


@dataclass(frozen=True)
class Population:
    """Who a nudge serves beyond stages; None means anyone."""

    departments: frozenset[str] | None = None
    sites: frozenset[str] | None = None
    roles: frozenset[str] | None = None
    min_days: int | None = None  # seniority in the company (users.created_at)
    max_days: int | None = None
    manager: bool | None = None  # has direct reports

    def admits(self, c: Context) -> bool:
        """True when this person belongs to the population."""
        person = c.viewer
        seniority = (c.now - person.created_at).days
        return (
            (self.departments is None or person.department in self.departments)
            and (self.sites is None or person.site in self.sites)
            and (self.roles is None or bool(self.roles & set(person.roles)))
            and (self.min_days is None or seniority >= self.min_days)
            and (self.max_days is None or seniority <= self.max_days)
            and (self.manager is None or (c.facts.team > 0) == self.manager)
        )


EVERYONE = Population()


@dataclass(frozen=True)
class NudgeDef:
    """One nudge of the catalogue."""

    key: str
    stages: frozenset[str]
    title: str
    wiifm: Message
    action_url: str
    eligible: Callable[[Context], Params | None]
    completed: Callable[[Context, datetime], bool]
    population: Population = EVERYONE
    fallback: str | None = None  # the line shown when the data for `wiifm` is missing
    fallback_url: str = "/"
    priority: int = 50
    holdout: float = 0.10
    cooldown_days: int = 14


@dataclass
class Nudge:
    """A nudge offered to one person now; `id` is the delivery's."""

    id: int
    key: str
    title: str
    wiifm: str
    action_url: str
    progress: tuple[int, int] | None = None  # the first-steps checklist: (done, total)


CATALOGUE: list[NudgeDef] = []
CHECKLIST = (
    "discovery.photo",
    "discovery.tags",
    "discovery.follow",
    "discovery.first_like",
    "discovery.first_post",
)


def nudge(
    key: str,
    *,
    stages: list[Stage] | frozenset[str],
    title: str,
    wiifm: Message,
    action_url: str,
    eligible: Callable[[Context], Params | None],
    completed: Callable[[Context, datetime], bool],
    **options: Any,
) -> None:
    """Add a nudge to the catalogue."""
    CATALOGUE.append(
        NudgeDef(
            key=key,
            stages=frozenset(s.value if isinstance(s, Stage) else s for s in stages),
            title=title,
            wiifm=wiifm,
            action_url=action_url,
            eligible=eligible,
            completed=completed,
            **options,
        )
    )


def definition(key: str) -> NudgeDef:
    """A nudge of the catalogue by its key."""
    for d in CATALOGUE:
        if d.key == key:
            return d
    raise NotFound(gettext("No such nudge."))


# ---- reading what rules need ---------------------------------------------------------------------


def _day(now: datetime) -> datetime:
    return now.replace(hour=0, minute=0, second=0, microsecond=0)


def _count(model: Any, *where: Any) -> Any:
    return select(func.count()).select_from(model).where(*where).scalar_subquery()


def _facts(db: Session, viewer: User, now: datetime) -> Facts:
    """Everything offer() needs of one person, in one statement of scalar subqueries."""
    uid = viewer.id
    mine = EngagementState.user_id == uid
    member = Membership.status == MemberStatus.member.value
    row = db.execute(
        select(
            select(EngagementState.stage).where(mine).scalar_subquery().label("stage"),
            select(EngagementState.nudges_enabled).where(mine).scalar_subquery().label("nudges_enabled"),
            select(User.first_seen_at).where(User.id == uid).scalar_subquery().label("first_seen"),
            _count(UserTag, UserTag.user_id == uid).label("tags"),
            _count(Follow, Follow.follower_id == uid).label("following"),
            _count(Follow, Follow.followee_id == uid).label("followers"),
            _count(Membership, Membership.user_id == uid, member).label("memberships"),
            _count(Membership, Membership.user_id == uid, member, Membership.role == "manager").label(
                "managed"
            ),
            _count(Reaction, Reaction.user_id == uid).label("reactions"),
            _count(Post, Post.author_id == uid, Post.removed_at.is_(None), Post.is_draft.is_(False)).label(
                "posts"
            ),
            _count(User, User.manager_id == uid, User.is_active.is_(True)).label("team"),
            select(func.max(ActivityEvent.created_at))
            .where(
                ActivityEvent.user_id == uid,
                ActivityEvent.kind == "visit_day",
                ActivityEvent.created_at < _day(now),
            )
            .scalar_subquery()
            .label("previous_visit"),
        )
    ).one()
    return Facts(
        stage=row.stage or Stage.information.value,
        nudges_enabled=row.nudges_enabled is None or bool(row.nudges_enabled),
        first_seen=row.first_seen,
        tags=row.tags,
        following=row.following,
        followers=row.followers,
        memberships=row.memberships,
        managed=row.managed,
        reactions=row.reactions,
        posts=row.posts,
        team=row.team,
        previous_visit=row.previous_visit,
    )


def _did(kinds: tuple[str, ...]) -> Callable[[Context, datetime], bool]:
    """A completion rule: the person did one of these things after first being offered the nudge."""

    def done(c: Context, since: datetime) -> bool:
        latest = c.activity()
        return any(kind in latest and latest[kind] > since for kind in kinds)

    return done


def _first_row(c: Context, stmt: Any) -> Any:
    return c.db.execute(stmt.limit(1)).first()


def _people_url(**filters: str) -> str:
    return "/people?" + urlencode(filters)


def _tag_url(name: str) -> str:
    return "/tags/" + quote(name, safe="")


def _local(url: str) -> bool:
    """Only paths of this site: never an open redirect."""
    return url.startswith("/") and not url.startswith(("//", "/\\"))


def _managed_ids(c: Context) -> Any:
    return select(Membership.community_id).where(
        Membership.user_id == c.uid,
        Membership.role == "manager",
        Membership.status == MemberStatus.member.value,
    )


def _touches() -> Any:
    """Who reacted to or commented on which post."""
    return union_all(
        select(Reaction.post_id.label("post_id"), Reaction.user_id.label("user_id")),
        select(Comment.post_id.label("post_id"), Comment.author_id.label("user_id")).where(
            Comment.removed_at.is_(None)
        ),
    ).subquery()


def _manager_of(c: Context) -> Any:
    if c.viewer.manager_id is None:
        return None
    followed = exists().where(Follow.follower_id == c.uid, Follow.followee_id == User.id)
    team = aliased(User)
    reports = _count(team, team.manager_id == User.id, team.is_active.is_(True))
    return _first_row(
        c,
        select(User.display_name, User.handle, followed.label("following"), reports.label("team")).where(
            User.id == c.viewer.manager_id, User.is_active.is_(True)
        ),
    )


# ---- information: the first hour, and those who can bring others in ------------------------------


def _welcome(c: Context) -> Params | None:
    if c.facts.following + c.facts.memberships > 0:
        return None
    department = c.viewer.department
    if not department:
        return {}
    n = c.db.scalar(
        select(func.count(Post.id))
        .join(User, User.id == Post.author_id)
        .where(
            User.department == department,
            Post.author_id != c.uid,
            Post.created_at > c.now - timedelta(days=30),
            post_readable(c.uid),
        )
    )
    if not n:
        return {}
    return {"n": n, "department": department, "url": _people_url(department=department)}


nudge(
    "information.welcome",
    stages=[Stage.information],
    priority=0,
    cooldown_days=1,
    title=N_("Welcome to Proxima"),
    wiifm=N_plural(
        "Colleagues of {department} shared a post in the last 30 days: follow a few and your home "
        "fills with what matters to you.",
        "Colleagues of {department} shared {n} posts in the last 30 days: follow a few and your home "
        "fills with what matters to you.",
    ),
    fallback=N_("Follow a few colleagues or communities and your home fills with what they share."),
    action_url="{url}",
    fallback_url="/people",
    eligible=_welcome,
    completed=lambda c, since: c.facts.following + c.facts.memberships > 0,
)


def _team_not_in(c: Context) -> Params | None:
    """Reports who never signed in: a count only, and only for a team of at least the threshold."""
    if c.facts.team < c.threshold:
        return None
    n = c.db.scalar(
        select(func.count()).where(
            User.manager_id == c.uid, User.is_active.is_(True), User.first_seen_at.is_(None)
        )
    )
    return _team_split(c, n)


def _team_came_in(c: Context, since: datetime) -> bool:
    return bool(
        c.db.scalar(
            select(
                exists().where(User.manager_id == c.uid, User.is_active.is_(True), User.first_seen_at > since)
            )
        )
    )


nudge(
    "information.invite_team",
    stages=SIGNED_IN_STAGES,
    population=Population(manager=True),
    priority=25,
    title=N_("Bring your team in"),
    wiifm=N_plural(
        "{n} person of your team of {size} has not come in yet: tell them what they would find here.",
        "{n} people of your team of {size} have not come in yet: tell them what they would find here.",
    ),
    action_url="/communities",
    eligible=_team_not_in,
    completed=_team_came_in,
)


def _department_not_in(c: Context) -> Params | None:
    department = c.viewer.department
    if not department:
        return None
    row = c.db.execute(
        select(
            func.count(), func.coalesce(func.sum(case((User.first_seen_at.is_(None), 1), else_=0)), 0)
        ).where(User.department == department, User.is_active.is_(True))
    ).one()
    if row[0] < c.threshold or not row[1]:
        return None
    return {"n": row[1], "department": department, "url": _people_url(department=department)}


def _department_came_in(c: Context, since: datetime) -> bool:
    return bool(
        c.db.scalar(
            select(
                exists().where(
                    User.department == c.viewer.department,
                    User.id != c.uid,
                    User.first_seen_at > since,
                )
            )
        )
    )


nudge(
    "information.show_around",
    stages=[Stage.promotion],
    priority=45,
    title=N_("Show a colleague around"),
    wiifm=N_plural(
        "{n} colleague of {department} has never come in: show them what you found here.",
        "{n} colleagues of {department} have never come in: show one of them what you found here.",
    ),
    action_url="{url}",
    fallback_url="/people",
    eligible=_department_not_in,
    completed=_department_came_in,
)


# ---- discovery: the guided first steps, then what is near ----------------------------------------


def _photos_near(c: Context) -> Params | None:
    if c.viewer.photo_id is not None:
        return None
    column, group = (
        (User.department, c.viewer.department) if c.viewer.department else (User.site, c.viewer.site)
    )
    if not group:
        return {}
    n = c.db.scalar(
        select(func.count()).where(
            column == group, User.id != c.uid, User.is_active.is_(True), User.photo_id.is_not(None)
        )
    )
    return {"n": n, "group": group} if n else {}


nudge(
    "discovery.photo",
    stages=[Stage.discovery, Stage.participation],
    priority=10,
    title=N_("Add a photo"),
    wiifm=N_plural(
        "{n} colleague of {group} already shows a photo: put a face to your name in meetings and in "
        "the directory.",
        "{n} colleagues of {group} already show a photo: put a face to your name in meetings and in "
        "the directory.",
    ),
    fallback=N_("Colleagues recognise you in meetings and find you faster in the directory."),
    action_url="/me/edit#photo",
    eligible=_photos_near,
    completed=lambda c, since: c.viewer.photo_id is not None,
)


def _tags_near(c: Context) -> Params | None:
    if c.facts.tags >= 3:
        return None
    department = c.viewer.department
    if not department:
        return {}
    names = c.db.scalars(
        select(Tag.name)
        .join(UserTag, UserTag.tag_id == Tag.id)
        .join(User, User.id == UserTag.user_id)
        .where(User.department == department, User.id != c.uid, User.is_active.is_(True))
        .group_by(Tag.id, Tag.name)
        .order_by(func.count().desc(), Tag.name)
        .limit(3)
    ).all()
    if not names:
        return {}
    return {"department": department, "tags": ", ".join(f"#{name}" for name in names)}


nudge(
    "discovery.tags",
    stages=[Stage.discovery, Stage.participation],
    priority=11,
    title=N_("Add 3 expertise tags"),
    wiifm=N_(
        "Colleagues of {department} are found for {tags}: add 3 tags of your own and “Who knows…?” "
        "sends you the people who need your know-how."
    ),
    fallback=N_("“Who knows…?” sends colleagues who need your know-how straight to you."),
    action_url="/me/edit#tags",
    eligible=_tags_near,
    completed=lambda c, since: c.facts.tags >= 3,
)


def _authors_near(c: Context) -> Params | None:
    if c.facts.following + c.facts.memberships >= 3:
        return None
    department = c.viewer.department
    if not department:
        return {}
    followed = select(Follow.followee_id).where(Follow.follower_id == c.uid)
    n = c.db.scalar(
        select(func.count(distinct(Post.author_id)))
        .join(User, User.id == Post.author_id)
        .where(
            User.department == department,
            Post.author_id != c.uid,
            Post.author_id.not_in(followed),
            Post.created_at > c.now - timedelta(days=30),
            post_readable(c.uid),
        )
    )
    if not n:
        return {}
    return {"n": n, "department": department, "url": _people_url(department=department)}


nudge(
    "discovery.follow",
    stages=[Stage.discovery],
    priority=12,
    title=N_("Follow 3 colleagues or communities"),
    wiifm=N_plural(
        "{n} colleague of {department} posted in the last 30 days: follow them and your home fills "
        "with their work.",
        "{n} colleagues of {department} posted in the last 30 days: follow them and your home fills "
        "with their work.",
    ),
    fallback=N_("Your feed fills with what the people you work with share."),
    action_url="{url}",
    fallback_url="/people",
    eligible=_authors_near,
    completed=lambda c, since: c.facts.following + c.facts.memberships >= 3,
)


def _post_to_like(c: Context) -> Params | None:
    if c.facts.reactions > 0:
        return None
    department = c.viewer.department
    near = case((User.department == department, 0), else_=1) if department else literal(1)
    row = _first_row(
        c,
        select(Post.id, User.display_name)
        .join(User, User.id == Post.author_id)
        .where(
            Post.author_id != c.uid,
            Post.created_at > c.now - timedelta(days=14),
            post_readable(c.uid),
        )
        .order_by(near, Post.created_at.desc(), Post.id.desc()),
    )
    return {"author": row.display_name, "url": f"/posts/{row.id}"} if row else {}


nudge(
    "discovery.first_like",
    stages=[Stage.discovery],
    priority=13,
    title=N_("React to a colleague's post"),
    wiifm=N_("{author} shared a post recently: a like takes a second and tells them their work was seen."),
    fallback=N_("A like takes a second and tells a colleague their work was seen."),
    action_url="{url}",
    eligible=_post_to_like,
    completed=lambda c, since: c.facts.reactions > 0,
)


nudge(
    "discovery.first_post",
    stages=[Stage.discovery, Stage.participation],
    priority=14,
    title=N_("Share your first post"),
    wiifm=N_plural(
        "A colleague follows you already: your first post goes straight to their home.",
        "{n} colleagues follow you already: your first post goes straight to their home.",
    ),
    fallback=N_("Say what you are working on: the colleagues who can help you will know."),
    action_url="/#composer",
    eligible=lambda c: None if c.facts.posts else ({"n": c.facts.followers} if c.facts.followers else {}),
    completed=lambda c, since: c.facts.posts > 0,
)


def _meet_manager(c: Context) -> Params | None:
    row = _manager_of(c)
    if row is None or row.following:
        return None
    return {"manager": row.display_name, "n": row.team, "url": f"/people/{row.handle}"}


def _follows_manager(c: Context, since: datetime) -> bool:
    if c.viewer.manager_id is None:
        return False
    return c.db.get(Follow, (c.uid, c.viewer.manager_id)) is not None


nudge(
    "discovery.meet_manager",
    stages=[Stage.discovery, Stage.participation],
    population=Population(max_days=90),
    priority=15,
    title=N_("Follow your manager"),
    wiifm=N_plural(
        "{manager} is your manager: follow them to see what they share.",
        "{manager} leads your team of {n}: follow them to see what your team shares.",
    ),
    action_url="{url}",
    fallback_url="/people",
    eligible=_meet_manager,
    completed=_follows_manager,
)


def _events_near(c: Context) -> Params | None:
    site = c.viewer.site
    if not site:
        return None
    going = (
        select(func.count())
        .select_from(Rsvp)
        .where(Rsvp.post_id == Event.post_id, Rsvp.status == RsvpStatus.going.value)
        .scalar_subquery()
    )
    answered = exists().where(Rsvp.post_id == Event.post_id, Rsvp.user_id == c.uid)
    rows = c.db.execute(
        select(Post.id, Post.title, Event.starts_at)
        .join(Event, Event.post_id == Post.id)
        .join(User, User.id == Post.author_id)
        .where(
            Event.starts_at > c.now,
            Event.starts_at <= c.now + timedelta(days=7),
            or_(func.lower(Event.location).contains(site.lower(), autoescape=True), User.site == site),
            or_(Event.capacity.is_(None), going < Event.capacity),
            ~answered,
            post_readable(c.uid),
        )
        .order_by(Event.starts_at, Post.id)
        .limit(20)
    ).all()
    if not rows:
        return None
    first = rows[0]
    return {
        "n": len(rows),
        "site": site,
        "title": first.title or "",
        "date": format_datetime(first.starts_at, "d MMMM", get_settings().timezone),
        "url": f"/posts/{first.id}",
    }


nudge(
    "discovery.events_site",
    stages=[Stage.discovery, Stage.participation, Stage.contribution],
    priority=19,
    title=N_("Meet colleagues at {site}"),
    wiifm=N_plural(
        "{n} event at {site} in the next 7 days has free seats: “{title}” on {date}.",
        "{n} events at {site} in the next 7 days have free seats, starting with “{title}” on {date}.",
    ),
    action_url="{url}",
    eligible=_events_near,
    completed=_did(("rsvp",)),
)


# ---- participation: what is worth following and answering ----------------------------------------


def _community_of_colleagues(column: Any, value: str | None, c: Context) -> Params | None:
    """The community most colleagues sharing a site (or department) are in, which one has not joined."""
    if not value:
        return None
    mine = select(Membership.community_id).where(Membership.user_id == c.uid)
    row = _first_row(
        c,
        select(Community.name, Community.slug, func.count().label("n"))
        .join(Membership, Membership.community_id == Community.id)
        .join(User, User.id == Membership.user_id)
        .where(
            community_visible(c.uid),
            Community.visibility != "secret",
            Community.archived_at.is_(None),
            Community.id.not_in(mine),
            column == value,
            User.id != c.uid,
            Membership.status == MemberStatus.member.value,
        )
        .group_by(Community.id, Community.name, Community.slug)
        .order_by(func.count().desc(), Community.id),
    )
    if row is None or row.n < 2:
        return None
    return {"n": row.n, "group": value, "community": row.name, "url": f"/communities/{row.slug}"}


nudge(
    "participation.site_community",
    stages=[Stage.discovery, Stage.participation],
    priority=20,
    title=N_("Join {community}"),
    wiifm=N_("{n} colleagues of your site, {group}, are in {community}."),
    action_url="{url}",
    fallback_url="/communities",
    eligible=lambda c: _community_of_colleagues(User.site, c.viewer.site, c),
    completed=_did(("join",)),
)
nudge(
    "participation.department_community",
    stages=[Stage.discovery, Stage.participation, Stage.contribution],
    priority=21,
    title=N_("Join {community}"),
    wiifm=N_("{n} colleagues of {group} are in {community}: that is where your department talks."),
    action_url="{url}",
    fallback_url="/communities",
    eligible=lambda c: _community_of_colleagues(User.department, c.viewer.department, c),
    completed=_did(("join",)),
)


def _tag_to_follow(c: Context) -> Params | None:
    followed = select(TagFollow.tag_id).where(TagFollow.user_id == c.uid)
    row = _first_row(
        c,
        select(Tag.name, func.count(distinct(PostTag.post_id)).label("n"))
        .join(PostTag, PostTag.tag_id == Tag.id)
        .join(Post, Post.id == PostTag.post_id)
        .where(
            Tag.id.not_in(followed),
            Post.author_id != c.uid,
            Post.created_at > c.now - timedelta(days=30),
            post_readable(c.uid),
        )
        .group_by(Tag.id, Tag.name)
        .order_by(func.count(distinct(PostTag.post_id)).desc(), Tag.name),
    )
    if row is None or row.n < 3:
        return None
    return {"tag": row.name, "n": row.n, "url": _tag_url(row.name)}


nudge(
    "participation.follow_tag",
    stages=[Stage.participation, Stage.contribution],
    priority=22,
    title=N_("Follow #{tag}"),
    wiifm=N_("#{tag} was on {n} posts this month: follow it and they come to your home."),
    action_url="{url}",
    eligible=_tag_to_follow,
    completed=_did(("follow_tag",)),
)


def _conversation(c: Context) -> Params | None:
    commented = select(Comment.post_id).where(Comment.author_id == c.uid)
    row = _first_row(
        c,
        select(Post.id, Post.comment_count, User.display_name)
        .join(User, User.id == Post.author_id)
        .where(
            home_sources(c.uid),
            post_readable(c.uid),
            Post.author_id != c.uid,
            Post.created_at > c.now - timedelta(days=7),
            Post.comment_count >= 2,
            Post.id.not_in(commented),
        )
        .order_by(Post.comment_count.desc(), Post.id.desc()),
    )
    if row is None:
        return None
    return {"n": row.comment_count, "author": row.display_name, "url": f"/posts/{row.id}"}


nudge(
    "participation.join_conversation",
    stages=[Stage.participation],
    priority=23,
    title=N_("Join the conversation"),
    wiifm=N_("{n} comments already on {author}'s post this week: add what you know."),
    action_url="{url}",
    eligible=_conversation,
    completed=_did(("comment", "answer")),
)


def _newer_and_active(c: Context) -> Params | None:
    """Reverse mentoring: a colleague of one's department who joined the company later and posts."""
    department = c.viewer.department
    if not department:
        return None
    followed = select(Follow.followee_id).where(Follow.follower_id == c.uid)
    row = _first_row(
        c,
        select(User.display_name, User.handle, func.count(Post.id).label("n"))
        .join(Post, Post.author_id == User.id)
        .where(
            User.department == department,
            User.id != c.uid,
            User.is_active.is_(True),
            User.created_at > c.viewer.created_at,
            User.id.not_in(followed),
            Post.created_at > c.now - timedelta(days=30),
            post_readable(c.uid),
        )
        .group_by(User.id, User.display_name, User.handle)
        .order_by(func.count(Post.id).desc(), User.id),
    )
    if row is None or row.n < 2:
        return None
    return {"name": row.display_name, "department": department, "n": row.n, "url": f"/people/{row.handle}"}


nudge(
    "participation.learn_from_newcomer",
    stages=[Stage.discovery, Stage.participation],
    population=Population(min_days=3 * 365),
    priority=24,
    title=N_("Pick up {name}'s tricks"),
    wiifm=N_(
        "{name} joined {department} after you and posted {n} times this month: follow them and see "
        "how they use Proxima for their work."
    ),
    action_url="{url}",
    fallback_url="/people",
    eligible=_newer_and_active,
    completed=_did(("follow",)),
)


def _team_outside_communities(c: Context) -> Params | None:
    if c.facts.team < c.threshold:
        return None
    members = select(Membership.user_id).where(Membership.status == MemberStatus.member.value)
    n = c.db.scalar(
        select(func.count()).where(
            User.manager_id == c.uid, User.is_active.is_(True), User.id.not_in(members)
        )
    )
    return _team_split(c, n)


def _team_split(c: Context, n: int | None) -> Params | None:
    """A count of the team, shown only when it and the rest of the team are both released by the
    suppression rules: "3 of your team of 5" would tell a manager too much about three people."""
    if not n:
        return None
    cells = aggregates.suppress({"these": n, "others": c.facts.team - n}, c.threshold)
    if cells["these"] is None:
        return None
    return {"n": n, "size": c.facts.team}


def _team_joined(c: Context, since: datetime) -> bool:
    reports = select(User.id).where(User.manager_id == c.uid)
    return bool(
        c.db.scalar(
            select(
                exists().where(
                    Membership.user_id.in_(reports),
                    Membership.status == MemberStatus.member.value,
                    Membership.joined_at > since,
                )
            )
        )
    )


nudge(
    "participation.team_communities",
    stages=[Stage.participation, Stage.contribution, Stage.promotion],
    population=Population(manager=True),
    priority=27,
    title=N_("Share a community with your team"),
    wiifm=N_plural(
        "{n} of the {size} people in your team is in no community yet: share one that helps your work.",
        "{n} of the {size} people in your team are in no community yet: share one that helps your work.",
    ),
    action_url="/communities",
    eligible=_team_outside_communities,
    completed=_team_joined,
)


def _most_liked_colleague(c: Context) -> Params | None:
    row = _first_row(
        c,
        select(User.display_name, func.count().label("n"))
        .select_from(Reaction)
        .join(Post, Post.id == Reaction.post_id)
        .join(User, User.id == Post.author_id)
        .where(
            Reaction.user_id == c.uid,
            Reaction.created_at > c.now - timedelta(days=30),
            Post.author_id != c.uid,
            Post.removed_at.is_(None),
            Post.is_draft.is_(False),
            User.is_active.is_(True),
        )
        .group_by(User.id, User.display_name)
        .order_by(func.count().desc(), User.id),
    )
    if row is None or row.n < 2:
        return None
    return {"name": row.display_name, "n": row.n}


nudge(
    "participation.praise_colleague",
    stages=[Stage.participation, Stage.contribution],
    priority=26,
    title=N_("Recognise {name}"),
    wiifm=N_(
        "You reacted to {n} posts by {name} this month: a praise tells them, and everyone, what they do well."
    ),
    action_url="/#composer",
    eligible=_most_liked_colleague,
    completed=_did(("praise_given",)),
)


# ---- contribution: exposure, and seeing the benefit ----------------------------------------------


def _unanswered_for_my_expertise(c: Context) -> Params | None:
    my_tags = select(UserTag.tag_id).where(UserTag.user_id == c.uid)
    answered = select(Comment.post_id).where(Comment.author_id == c.uid)
    row = _first_row(
        c,
        select(Tag.name, func.count(Post.id).label("n"))
        .join(PostTag, PostTag.tag_id == Tag.id)
        .join(Post, Post.id == PostTag.post_id)
        .where(
            Tag.id.in_(my_tags),
            Post.kind == PostKind.question.value,
            Post.accepted_comment_id.is_(None),
            Post.author_id != c.uid,
            Post.id.not_in(answered),
            post_readable(c.uid),
        )
        .group_by(Tag.id, Tag.name)
        .order_by(func.count(Post.id).desc(), Tag.name),
    )
    if row is None:
        return None
    return {"n": row.n, "tag": row.name, "url": _tag_url(row.name)}


nudge(
    "contribution.answer_expertise",
    stages=[Stage.participation, Stage.contribution, Stage.promotion],
    priority=30,
    title=N_("Answer a question on #{tag}"),
    wiifm=N_plural(
        "{n} unanswered question is tagged with your expertise #{tag}.",
        "{n} unanswered questions are tagged with your expertise #{tag}.",
    ),
    action_url="{url}",
    eligible=_unanswered_for_my_expertise,
    completed=_did(("answer",)),
)


def _reach(c: Context) -> Params | None:
    """One's post that drew reactions and comments from the most departments (60 days)."""
    touch = _touches()
    row = _first_row(
        c,
        select(Post.id, func.count(distinct(User.department)).label("n"))
        .join(touch, touch.c.post_id == Post.id)
        .join(User, User.id == touch.c.user_id)
        .where(
            Post.author_id == c.uid,
            Post.removed_at.is_(None),
            Post.is_draft.is_(False),
            Post.created_at > c.now - timedelta(days=60),
            User.id != c.uid,
            User.department.is_not(None),
        )
        .group_by(Post.id)
        .order_by(func.count(distinct(User.department)).desc(), Post.id.desc()),
    )
    if row is None or row.n < 2:
        return None
    return {"n": row.n, "url": f"/posts/{row.id}"}


nudge(
    "contribution.reach",
    stages=[Stage.contribution, Stage.promotion],
    priority=31,
    title=N_("Your post travelled: go further"),
    wiifm=N_(
        "Your post drew reactions and comments from people in {n} departments: an article on the same "
        "topic would reach them all."
    ),
    action_url="/#composer",
    eligible=_reach,
    completed=_did(("post",)),
)


def _audience(c: Context) -> Params | None:
    if c.viewer.bio and c.viewer.job_title:
        return None
    touch = _touches()
    n = c.db.scalar(
        select(func.count(distinct(touch.c.user_id)))
        .select_from(touch)
        .join(Post, Post.id == touch.c.post_id)
        .where(
            Post.author_id == c.uid,
            Post.created_at > c.now - timedelta(days=30),
            touch.c.user_id != c.uid,
        )
    )
    return {"n": n} if n else None


nudge(
    "contribution.complete_profile",
    stages=[Stage.contribution, Stage.promotion],
    priority=32,
    title=N_("Tell your readers who you are"),
    wiifm=N_plural(
        "A colleague reacted to your posts this month: a job title and two lines about you tell them "
        "who you are.",
        "{n} colleagues reacted to your posts this month: a job title and two lines about you tell them "
        "who you are.",
    ),
    action_url="/me/edit#bio",
    eligible=_audience,
    completed=lambda c, since: bool(c.viewer.bio and c.viewer.job_title),
)


def _journey(c: Context) -> Params | None:
    first = c.viewer.first_seen_at
    if c.facts.posts < 3 or first is None or not c.viewer.department:
        return None
    days = (c.now - first).days
    if days < 7:
        return None
    return {"days": days, "n": c.facts.posts, "department": c.viewer.department}


nudge(
    "contribution.testimonial",
    stages=[Stage.contribution, Stage.promotion],
    priority=34,
    cooldown_days=30,
    title=N_("Tell how Proxima helps your work"),
    wiifm=N_(
        "You came in {days} days ago and have posted {n} times since: a short testimonial of how it "
        "helps your work would inspire {department}."
    ),
    action_url="/me/journey/testimonial",
    eligible=_journey,
    completed=_did(("post",)),
)


def _community_to_start(c: Context) -> Params | None:
    if c.facts.managed:
        return None
    my_tags = select(UserTag.tag_id).where(UserTag.user_id == c.uid)
    gathered = exists().where(Community.archived_at.is_(None), Community.search_name.contains(Tag.key))
    row = _first_row(
        c,
        select(Tag.name, func.count(distinct(Post.author_id)).label("n"))
        .join(PostTag, PostTag.tag_id == Tag.id)
        .join(Post, Post.id == PostTag.post_id)
        .where(
            Tag.id.in_(my_tags),
            ~gathered,
            Post.created_at > c.now - timedelta(days=60),
            post_readable(c.uid),
        )
        .group_by(Tag.id, Tag.name)
        .order_by(func.count(distinct(Post.author_id)).desc(), Tag.name),
    )
    if row is None or row.n < 3:
        return None
    return {"n": row.n, "tag": row.name}


nudge(
    "contribution.start_community",
    stages=[Stage.contribution, Stage.promotion],
    priority=35,
    cooldown_days=30,
    title=N_("Start a community on #{tag}"),
    wiifm=N_(
        "{n} colleagues posted about #{tag} in the last 60 days and no community gathers them yet: start one."
    ),
    action_url="/communities/new",
    eligible=_community_to_start,
    completed=_did(("community_created",)),
)


def _last_word(c: Context) -> Params | None:
    """Leaders post short statuses regularly (seed 004): how long since the last one, and its echo."""
    row = _first_row(
        c,
        select(Post.created_at, Post.reaction_count)
        .where(Post.author_id == c.uid, Post.removed_at.is_(None), Post.is_draft.is_(False))
        .order_by(Post.created_at.desc(), Post.id.desc()),
    )
    if row is None:
        return {}
    days = (c.now - row.created_at).days
    return None if days < 7 else {"days": days, "n": row.reaction_count}


nudge(
    "contribution.leader_status",
    stages=SIGNED_IN_STAGES,
    population=Population(roles=frozenset({"executive"})),
    priority=16,
    cooldown_days=7,
    title=N_("Say what matters today"),
    wiifm=N_plural(
        "Your last post, {days} days ago, drew a reaction: a short status on what matters today keeps "
        "your teams with you.",
        "Your last post, {days} days ago, drew {n} reactions: a short status on what matters today keeps "
        "your teams with you.",
    ),
    fallback=N_("Teams follow leaders who say what matters to them: a short status each week is enough."),
    action_url="/#composer",
    eligible=_last_word,
    completed=_did(("post",)),
)


# ---- promotion: animate, recognise, bring others in ----------------------------------------------


def _newcomers_in_my_community(c: Context) -> Params | None:
    if not c.facts.managed:
        return None
    row = _first_row(
        c,
        select(Community.name, Community.slug, func.count().label("n"))
        .join(Membership, Membership.community_id == Community.id)
        .where(
            Community.id.in_(_managed_ids(c)),
            Community.archived_at.is_(None),
            Membership.status == MemberStatus.member.value,
            Membership.joined_at > c.now - timedelta(days=14),
            Membership.user_id != c.uid,
        )
        .group_by(Community.id, Community.name, Community.slug)
        .order_by(func.count().desc(), Community.id),
    )
    if row is None:
        return None
    return {"n": row.n, "community": row.name, "url": f"/communities/{row.slug}"}


nudge(
    "promotion.welcome_members",
    stages=[Stage.participation, Stage.contribution, Stage.promotion],
    priority=40,
    title=N_("Welcome the newcomers of {community}"),
    wiifm=N_plural(
        "{n} person joined {community} in the last 14 days: a welcome post makes them stay.",
        "{n} people joined {community} in the last 14 days: a welcome post makes them stay.",
    ),
    action_url="{url}",
    fallback_url="/communities",
    eligible=_newcomers_in_my_community,
    completed=_did(("post",)),
)


def _questions_in_my_community(c: Context) -> Params | None:
    if not c.facts.managed:
        return None
    row = _first_row(
        c,
        select(Community.name, Community.slug, func.count(Post.id).label("n"))
        .join(Post, Post.community_id == Community.id)
        .where(
            Community.id.in_(_managed_ids(c)),
            Community.archived_at.is_(None),
            Post.kind == PostKind.question.value,
            Post.comment_count == 0,
            Post.removed_at.is_(None),
            Post.is_draft.is_(False),
            Post.created_at > c.now - timedelta(days=30),
        )
        .group_by(Community.id, Community.name, Community.slug)
        .order_by(func.count(Post.id).desc(), Community.id),
    )
    if row is None:
        return None
    return {"n": row.n, "community": row.name, "url": f"/communities/{row.slug}?kind=question"}


nudge(
    "promotion.unanswered_in_community",
    stages=[Stage.participation, Stage.contribution, Stage.promotion],
    priority=41,
    title=N_("Questions wait in {community}"),
    wiifm=N_plural(
        "{n} question in {community} has no answer yet: answer it, or point to someone who knows.",
        "{n} questions in {community} have no answer yet: answer one, or point to someone who knows.",
    ),
    action_url="{url}",
    fallback_url="/communities",
    eligible=_questions_in_my_community,
    completed=_did(("answer", "comment")),
)


def _first_timer(c: Context) -> Params | None:
    earlier = aliased(Post)
    first = ~exists().where(earlier.author_id == Post.author_id, earlier.created_at < Post.created_at)
    reacted = exists().where(Reaction.post_id == Post.id, Reaction.user_id == c.uid)
    department = c.viewer.department
    near = case((User.department == department, 0), else_=1) if department else literal(1)
    row = _first_row(
        c,
        select(Post.id, User.display_name)
        .join(User, User.id == Post.author_id)
        .where(
            Post.author_id != c.uid,
            Post.created_at > c.now - timedelta(days=7),
            first,
            ~reacted,
            post_readable(c.uid),
        )
        .order_by(near, Post.created_at.desc(), Post.id.desc()),
    )
    return {"name": row.display_name, "url": f"/posts/{row.id}"} if row else None


nudge(
    "promotion.encourage_first_post",
    stages=[Stage.promotion],
    priority=42,
    title=N_("Encourage {name}"),
    wiifm=N_(
        "{name} posted for the first time this week: a reaction or a word from you makes them come back."
    ),
    action_url="{url}",
    eligible=_first_timer,
    completed=_did(("like", "comment", "answer", "praise_given")),
)


def _commenters(c: Context) -> Params | None:
    row = _first_row(
        c,
        select(User.display_name, func.count().over().label("people"))
        .select_from(Comment)
        .join(Post, Post.id == Comment.post_id)
        .join(User, User.id == Comment.author_id)
        .where(
            Post.author_id == c.uid,
            Comment.author_id != c.uid,
            Comment.removed_at.is_(None),
            Comment.created_at > c.now - timedelta(days=30),
        )
        .group_by(User.id, User.display_name)
        .order_by(func.count(Comment.id).desc(), User.id),
    )
    if row is None or row.people < 2:
        return None
    return {"n": row.people, "name": row.display_name}


nudge(
    "promotion.thank_commenters",
    stages=[Stage.contribution, Stage.promotion],
    priority=43,
    title=N_("Thank the people who answer you"),
    wiifm=N_(
        "{n} colleagues commented on your posts this month, {name} most: a praise thanks them in front "
        "of everyone."
    ),
    action_url="/#composer",
    eligible=_commenters,
    completed=_did(("praise_given",)),
)


def _post_to_pin(c: Context) -> Params | None:
    if not c.facts.managed:
        return None
    row = _first_row(
        c,
        select(Post.id, Post.reaction_count, Community.name, User.display_name)
        .join(Community, Community.id == Post.community_id)
        .join(User, User.id == Post.author_id)
        .where(
            Post.community_id.in_(_managed_ids(c)),
            Community.archived_at.is_(None),
            Post.pinned_at.is_(None),
            Post.removed_at.is_(None),
            Post.is_draft.is_(False),
            Post.created_at > c.now - timedelta(days=7),
            Post.reaction_count >= 3,
        )
        .order_by(Post.reaction_count.desc(), Post.id.desc()),
    )
    if row is None:
        return None
    return {
        "n": row.reaction_count,
        "author": row.display_name,
        "community": row.name,
        "url": f"/posts/{row.id}",
    }


def _pinned_since(c: Context, since: datetime) -> bool:
    return bool(
        c.db.scalar(select(exists().where(Post.community_id.in_(_managed_ids(c)), Post.pinned_at > since)))
    )


nudge(
    "promotion.pin_best",
    stages=[Stage.contribution, Stage.promotion],
    priority=44,
    title=N_("Pin the post of the week"),
    wiifm=N_(
        "{author}'s post drew {n} reactions in {community} this week: pin it so newcomers see it first."
    ),
    action_url="{url}",
    eligible=_post_to_pin,
    completed=_pinned_since,
)


# ---- disappointment: what changed, and a human relay ---------------------------------------------


def _away(c: Context, days: int) -> int | None:
    """Days since the previous visit, when the person is disappointed or back after `days` or more."""
    previous = c.facts.previous_visit
    gone = (c.now - previous).days if previous else None
    if c.facts.stage == Stage.disappointment.value:
        return gone or 0
    return gone if gone is not None and gone >= days else None


def _what_changed(c: Context) -> Params | None:
    days = _away(c, 14)
    if days is None:
        return None
    previous = c.facts.previous_visit
    if days < 2 or previous is None:
        return {}
    new = (
        select(Post.id)
        .where(home_sources(c.uid), post_readable(c.uid), Post.author_id != c.uid, Post.created_at > previous)
        .limit(99)
        .subquery()
    )
    n = c.db.scalar(select(func.count()).select_from(new))
    return {"days": days, "n": n} if n else {}


def _came_back(c: Context, since: datetime) -> bool:
    last = c.activity().get("visit_day")
    return last is not None and last >= _day(since) + timedelta(days=1)


nudge(
    "disappointment.what_changed",
    stages=[Stage.disappointment, Stage.discovery, Stage.participation],
    priority=5,
    title=N_("See what changed since your last visit"),
    wiifm=N_plural(
        "You were away {days} days: the colleagues and communities you follow posted once meanwhile.",
        "You were away {days} days: the colleagues and communities you follow posted {n} times meanwhile.",
    ),
    fallback=N_("Here is what your colleagues shared while you were away."),
    action_url="/",
    eligible=_what_changed,
    completed=_came_back,
)


def _followee_news(c: Context) -> Params | None:
    if _away(c, 7) is None or c.facts.previous_visit is None or not c.facts.following:
        return None
    followed = select(Follow.followee_id).where(Follow.follower_id == c.uid)
    row = _first_row(
        c,
        select(User.display_name, User.handle, func.count(Post.id).label("n"))
        .join(Post, Post.author_id == User.id)
        .where(User.id.in_(followed), Post.created_at > c.facts.previous_visit, post_readable(c.uid))
        .group_by(User.id, User.display_name, User.handle)
        .order_by(func.count(Post.id).desc(), User.id),
    )
    if row is None:
        return None
    return {"name": row.display_name, "n": row.n, "url": f"/people/{row.handle}"}


nudge(
    "disappointment.followee_news",
    stages=[Stage.disappointment, Stage.discovery, Stage.participation],
    priority=8,
    title=N_("News from {name}"),
    wiifm=N_plural(
        "{name}, whom you follow, posted once since your last visit.",
        "{name}, whom you follow, posted {n} times since your last visit.",
    ),
    action_url="{url}",
    fallback_url="/people",
    eligible=_followee_news,
    completed=_did(("like", "comment", "answer")),
)


def _manager_relay(c: Context) -> Params | None:
    row = _manager_of(c)
    return {"manager": row.display_name, "url": f"/people/{row.handle}"} if row else None


nudge(
    "disappointment.talk_manager",
    stages=[Stage.disappointment],
    priority=6,
    cooldown_days=30,
    title=N_("Talk it over with {manager}"),
    wiifm=N_(
        "{manager} is your first relay: tell them what did not work for you here, and what would help "
        "your work."
    ),
    action_url="{url}",
    fallback_url="/people",
    eligible=_manager_relay,
    completed=_did(("post", "comment", "answer", "like", "follow", "join", "rsvp")),
)


def _community_left(c: Context) -> Params | None:
    """The manager of the community this person left last: the human relay of that space."""
    manager = aliased(User)
    row = _first_row(
        c,
        select(Community.name, manager.display_name, manager.handle)
        .select_from(ActivityEvent)
        .join(Community, Community.id == ActivityEvent.subject_id)
        .join(
            Membership,
            and_(
                Membership.community_id == Community.id,
                Membership.role == "manager",
                Membership.status == MemberStatus.member.value,
            ),
        )
        .join(manager, manager.id == Membership.user_id)
        .where(
            ActivityEvent.user_id == c.uid,
            ActivityEvent.kind.in_(LEAVE_KINDS),
            ActivityEvent.subject_type == "community",
            Community.archived_at.is_(None),
            Community.id.not_in(member_community_ids(c.uid)),
            community_visible(c.uid),
            manager.id != c.uid,
            manager.is_active.is_(True),
        )
        .order_by(ActivityEvent.created_at.desc(), manager.id),
    )
    if row is None:
        return None
    return {"manager": row.display_name, "community": row.name, "url": f"/people/{row.handle}"}


nudge(
    "disappointment.community_manager",
    stages=[Stage.disappointment],
    priority=7,
    cooldown_days=30,
    title=N_("Tell {manager} what would bring you back"),
    wiifm=N_(
        "{manager} runs {community}, which you left: tell them what would make it worth your time again."
    ),
    action_url="{url}",
    fallback_url="/communities",
    eligible=_community_left,
    completed=_did(("join",)),
)


# ---- offering ------------------------------------------------------------------------------------


def in_holdout(user_id: int, nudge_def: NudgeDef) -> bool:
    """Deterministically, a share of people never see this nudge (the comparison group)."""
    digest = hashlib.sha256(f"{nudge_def.key}:{user_id}".encode()).digest()
    return int.from_bytes(digest[:4], "big") / 2**32 < nudge_def.holdout


def _format(message: Message, params: Params) -> str:
    if isinstance(message, tuple):
        return ngettext(message[0], message[1], int(params.get("n", 1))).format(**params)
    return gettext(message).format(**params)


def _text(message: Message, params: Params, fallback: str | None = None) -> str:
    """A line in the reader's language with its numbers and names; the fallback when data is missing."""
    try:
        return _format(message, params)
    except (KeyError, IndexError, ValueError):
        if fallback:
            return gettext(fallback)
        return re.sub(r"\{\w+\}", "…", gettext(message if isinstance(message, str) else message[1]))


def _url(d: NudgeDef, params: Params) -> str:
    try:
        url = d.action_url.format(**params)
    except (KeyError, IndexError, ValueError):
        url = d.fallback_url
    return url if _local(url) else "/"


def template_label(d: NudgeDef) -> str:
    """A nudge's title for operators, its parameters shown as “…”."""
    return re.sub(r"\{\w+\}", "…", gettext(d.title))


@dataclass
class History:
    """What happened between one person and one nudge (read for all nudges in one statement)."""

    first_exposed: datetime | None = None
    last_exposed: datetime | None = None
    first_delivered: datetime | None = None
    delivered_today: int | None = None
    held_out_today: bool = False
    completed: bool = False
    blocked_until: datetime | None = None


def _history(db: Session, user_id: int, now: datetime) -> dict[str, History]:
    today = _day(now)
    result: dict[str, History] = {}
    rows = db.execute(
        select(
            NudgeEvent.nudge_key,
            NudgeEvent.event,
            func.min(NudgeEvent.at),
            func.max(NudgeEvent.at),
            func.max(NudgeEvent.id),
            func.max(NudgeEvent.until),
        )
        .where(NudgeEvent.user_id == user_id)
        .group_by(NudgeEvent.nudge_key, NudgeEvent.event)
    )
    for key, event, first, last, last_id, until in rows:
        h = result.setdefault(key, History())
        if event in ("delivered", "holdout"):
            h.first_exposed = min(first, h.first_exposed) if h.first_exposed else first
            h.last_exposed = max(last, h.last_exposed) if h.last_exposed else last
        if event == "delivered":
            h.first_delivered = first
            h.delivered_today = last_id if last >= today else None
        elif event == "holdout":
            h.held_out_today = last >= today
        elif event == "completed":
            h.completed = True
        elif event in ("dismissed", "snoozed") and until is not None:
            h.blocked_until = max(until, h.blocked_until) if h.blocked_until else until
    return result


def _check_completions(c: Context, history: dict[str, History], log: list[tuple[str, str]]) -> None:
    """Log `completed` once for each nudge shown or held out lately whose action is now done."""
    open_ = [
        (d, h.first_exposed)
        for d in CATALOGUE
        if (h := history.get(d.key)) is not None
        and not h.completed
        and h.first_exposed is not None
        and h.last_exposed is not None
        and h.last_exposed > c.now - timedelta(days=COMPLETION_DAYS)
    ]
    if not open_:
        return
    c.activity_since = min(since for _d, since in open_ if since is not None)
    for d, since in open_:
        assert since is not None
        if d.completed(c, since):
            history[d.key].completed = True
            log.append((d.key, "completed"))


def _context(db: Session, viewer: User, now: datetime, threshold: int | None) -> Context:
    return Context(db, viewer, _facts(db, viewer, now), now, threshold or _default_threshold())


def _default_threshold() -> int:
    return get_settings().group_threshold


def offer(
    db: Session,
    *,
    viewer: User,
    limit: int = SHOWN_AT_ONCE,
    now: datetime | None = None,
    threshold: int | None = None,
) -> list[Nudge]:
    """The nudges to show this person now, ranked; deliveries, holdouts and completions are logged."""
    now = now or utcnow()
    c = _context(db, viewer, now, threshold)
    if not c.facts.nudges_enabled:
        return []
    history = _history(db, viewer.id, now)
    log: list[tuple[str, str]] = []  # (key, event) to write, at most one of each
    _check_completions(c, history, log)
    stages = c.stages
    candidates = [
        d
        for d in CATALOGUE
        if d.stages & stages
        and not ((h := history.get(d.key)) and h.blocked_until and h.blocked_until > now)
        and d.population.admits(c)
    ]
    today = _day(now)

    def rank(d: NudgeDef) -> int:
        """Priority, with a boost for nudges not shown before today (so that a day's cards stay put)."""
        first = history[d.key].first_delivered if d.key in history else None
        return d.priority - (NEVER_SHOWN_BOOST if first is None or first >= today else 0)

    candidates.sort(key=rank)
    chosen: list[tuple[NudgeDef, Params, int | None]] = []
    targets: set[str] = set()  # two nudges leading to the same place would be one card twice
    for d in candidates:
        if len(chosen) >= limit:
            break
        params = d.eligible(c)
        if params is None or _url(d, params) in targets:
            continue
        h = history.get(d.key, History())
        if in_holdout(viewer.id, d):
            if not h.held_out_today:
                log.append((d.key, "holdout"))
            continue
        if h.delivered_today is None:
            log.append((d.key, "delivered"))
        chosen.append((d, params, h.delivered_today))
        targets.add(_url(d, params))
    written = _write(db, viewer.id, now, log)
    progress = _progress(c) if any(d.key in CHECKLIST for d, _p, _e in chosen) else None
    return [
        Nudge(
            id=delivery if delivery is not None else written[d.key, "delivered"],
            key=d.key,
            title=_text(d.title, params),
            wiifm=_text(d.wiifm, params, d.fallback),
            action_url=_url(d, params),
            progress=progress if d.key in CHECKLIST else None,
        )
        for d, params, delivery in chosen
    ]


def _write(
    db: Session, user_id: int, now: datetime, log: list[tuple[str, str]]
) -> dict[tuple[str, str], int]:
    """Every new event of one offer in one statement; their ids by (key, event)."""
    if not log:
        return {}
    rows = db.execute(
        insert(NudgeEvent)
        .values([{"user_id": user_id, "nudge_key": key, "event": event, "at": now} for key, event in log])
        .returning(NudgeEvent.nudge_key, NudgeEvent.event, NudgeEvent.id)
    )
    return {(key, event): event_id for key, event, event_id in rows}


def _progress(c: Context) -> tuple[int, int]:
    """How many of the first steps are done (their completion rules read only the facts)."""
    steps = [definition(key) for key in CHECKLIST]
    return sum(d.completed(c, c.now) for d in steps), len(steps)


def enabled(db: Session, *, viewer: User) -> bool:
    """Whether this person wants nudges."""
    state = db.get(EngagementState, viewer.id)
    return state is None or state.nudges_enabled


def _delivery(db: Session, viewer: User, nudge: str) -> NudgeEvent:
    """One of one's own deliveries, by id; anything else does not exist."""
    event = db.get(NudgeEvent, int(nudge)) if nudge.isdigit() else None
    if event is None or event.user_id != viewer.id or event.event != "delivered":
        raise NotFound(gettext("No such nudge."))
    return event


def _find(db: Session, viewer: User, nudge: str) -> NudgeDef:
    """A nudge from one's own delivery id, or from its key."""
    if nudge.isdigit():
        return definition(_delivery(db, viewer, nudge).nudge_key)
    return definition(nudge)


def _put_aside(
    db: Session, viewer: User, nudge: str, event: str, days: int | None, now: datetime | None
) -> int:
    now = now or utcnow()
    d = _find(db, viewer, nudge)
    days = d.cooldown_days if days is None else days
    db.add(
        NudgeEvent(user_id=viewer.id, nudge_key=d.key, event=event, at=now, until=now + timedelta(days=days))
    )
    return days


def dismiss(db: Session, *, viewer: User, nudge: str, now: datetime | None = None) -> int:
    """Dismiss a nudge (delivery id or key): it does not come back for its cool-down (days returned)."""
    return _put_aside(db, viewer, nudge, "dismissed", None, now)


def snooze(db: Session, *, viewer: User, nudge: str, now: datetime | None = None) -> int:
    """Put a nudge aside for a few days (returned)."""
    return _put_aside(db, viewer, nudge, "snoozed", SNOOZE_DAYS, now)


def click(
    db: Session, *, viewer: User, nudge: str, now: datetime | None = None, threshold: int | None = None
) -> str:
    """Log that a person followed one of their nudges; returns where it leads (always a local path)."""
    now = now or utcnow()
    d = definition(_delivery(db, viewer, nudge).nudge_key)
    db.add(NudgeEvent(user_id=viewer.id, nudge_key=d.key, event="clicked", at=now))
    params = d.eligible(_context(db, viewer, now, threshold))
    return _url(d, params if params is not None else {})


# ---- measuring -----------------------------------------------------------------------------------


@dataclass
class Measure:
    """Shown vs holdout for one nudge: completion rates and the uplift with a 95% interval.

    When either group has fewer people than the threshold, `suppressed` is set and no figure is
    given (counts are None)."""

    key: str
    label: str
    stages: list[str]
    holdout: float
    suppressed: bool
    shown: int | None = None
    shown_completed: int | None = None
    held_out: int | None = None
    held_out_completed: int | None = None
    clicks: int | None = None
    dismissals: int | None = None
    uplift: float | None = None
    low: float | None = None
    high: float | None = None

    @property
    def shown_rate(self) -> float | None:
        """Completion rate of people who were shown the nudge."""
        return self.shown_completed / self.shown if self.shown and self.shown_completed is not None else None

    @property
    def held_out_rate(self) -> float | None:
        """Completion rate of the comparison group."""
        if not self.held_out or self.held_out_completed is None:
            return None
        return self.held_out_completed / self.held_out


def wilson(k: int, n: int, z: float = Z95) -> tuple[float, float]:
    """Wilson's score interval for a proportion k/n."""
    p = k / n
    denominator = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denominator
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denominator
    return max(0.0, centre - half), min(1.0, centre + half)


def newcombe(k1: int, n1: int, k0: int, n0: int, z: float = Z95) -> tuple[float, float, float]:
    """The difference p1 − p0 with Newcombe's hybrid score interval (his method 10, 1998)."""
    p1, p0 = k1 / n1, k0 / n0
    l1, u1 = wilson(k1, n1, z)
    l0, u0 = wilson(k0, n0, z)
    d = p1 - p0
    return d, d - math.sqrt((p1 - l1) ** 2 + (u0 - p0) ** 2), d + math.sqrt((u1 - p1) ** 2 + (p0 - l0) ** 2)


def measure(db: Session, since: datetime | None = None, *, threshold: int | None = None) -> list[Measure]:
    """Per nudge of the catalogue: people shown vs held out (exposed since `since`), how many of each
    completed the action, the rates, and the uplift (difference of proportions) with a 95% interval.

    The interval is Newcombe's hybrid score interval (method 10 of Newcombe 1998: Wilson score
    intervals of each rate, combined), which keeps its coverage for small groups and rates near 0 or
    1, unlike the Wald interval. A person counts once per nudge; someone both shown and held out
    (the holdout share changed) counts as shown. One statement, whatever the number of events."""
    threshold = threshold or _default_threshold()

    def flag(name: str) -> Any:
        return func.max(case((NudgeEvent.event == name, 1), else_=0))

    def total(condition: Any) -> Any:
        return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)

    people = select(
        NudgeEvent.nudge_key.label("key"),
        flag("delivered").label("shown"),
        flag("holdout").label("held"),
        flag("completed").label("done"),
        flag("clicked").label("clicked"),
        flag("dismissed").label("dismissed"),
    ).group_by(NudgeEvent.nudge_key, NudgeEvent.user_id)
    if since is not None:
        people = people.where(NudgeEvent.at >= since)
    p = people.subquery()
    held = and_(p.c.held == 1, p.c.shown == 0)
    rows = {
        row.key: row
        for row in db.execute(
            select(
                p.c.key,
                total(p.c.shown == 1).label("shown"),
                total(and_(p.c.shown == 1, p.c.done == 1)).label("shown_completed"),
                total(held).label("held_out"),
                total(and_(held, p.c.done == 1)).label("held_out_completed"),
                total(and_(p.c.shown == 1, p.c.clicked == 1)).label("clicks"),
                total(and_(p.c.shown == 1, p.c.dismissed == 1)).label("dismissals"),
            ).group_by(p.c.key)
        )
    }
    result = []
    for d in CATALOGUE:
        m = Measure(
            key=d.key,
            label=template_label(d),
            stages=sorted(d.stages, key=STAGE_ORDER.index),
            holdout=d.holdout,
            suppressed=True,
        )
        row = rows.get(d.key)
        if row is not None and row.shown >= threshold and row.held_out >= threshold:
            m.suppressed = False
            m.shown, m.shown_completed = int(row.shown), int(row.shown_completed)
            m.held_out, m.held_out_completed = int(row.held_out), int(row.held_out_completed)
            m.clicks, m.dismissals = int(row.clicks), int(row.dismissals)
            m.uplift, m.low, m.high = newcombe(m.shown_completed, m.shown, m.held_out_completed, m.held_out)
        result.append(m)
    return result


import app.services.nudges_managers  # noqa: E402,F401  (registers line managers' nudges)
from app.services import nudges_ambassadors  # noqa: E402,F401  (registers ambassadors' nudges)
