"""Campaigns: HR and communications send a message — possibly featuring a public post — to a
population and/or stages; it shows at the top of the home feed of exactly that audience and reaches
it by notification; reach and conversion are measured afterwards, in aggregate.

- The audience combines filters with AND across departments, sites and stages and OR within one;
  an omitted filter does not restrict. It is fixed when the campaign starts (`campaign_recipients`).
- A stage-based audience may only add up counts the adoption figures already show: the stage counts
  of the whole company, or of each chosen department, or of each chosen site (not departments and
  sites together, an intersection no published figure covers), as `aggregates.release_catalogue`
  releases them together (small cells, complementary cells, a cell holding a whole group, nesting).
  Its size then tells nothing the adoption page does not, and neither does the difference of two
  audiences. Any other stage audience — or one under the group threshold — is refused (422) and its
  size shown as "fewer than N people"; a scheduled one that no longer qualifies at its start is
  cancelled, not sent.
- A campaign whose `starts_at` is in the future is scheduled; `proxima campaigns start-due` (cron)
  starts it, and so does HR opening the campaigns page.
- Reached: saw the card in the feed, opened it, or read the notification. Clicked: opened it.
  Converted: within `CONVERSION_DAYS` of the start, reacted to or commented on the featured post;
  without a featured post, moved forward a stage. Every figure is shown only when neither it nor its
  complement in the audience falls under the threshold.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import cache
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Integer,
    and_,
    bindparam,
    case,
    exists,
    func,
    insert,
    literal,
    or_,
    select,
)
from sqlalchemy.orm import Session

from app.i18n import _
from app.models import (
    Campaign,
    CampaignRecipient,
    Comment,
    EngagementState,
    Notification,
    Post,
    Reaction,
    Role,
    Stage,
    StageTransition,
    User,
)
from app.models.base import utcnow
from app.services import activity, markdown, notifications
from app.services.aggregates import release_catalogue, suppress
from app.services.errors import FieldError, Forbidden, Invalid, NotFound
from app.services.visibility import post_readable, public_community_ids

TITLE_LIMIT = 160
BODY_LIMIT = 5000
SHOWN_DAYS = 14  # in the feed for two weeks unless told otherwise
MAX_SHOWN_DAYS = 90
CONVERSION_DAYS = 14
STAGES = [s.value for s in Stage]
# moving "forward": any step up the ladder, and coming back from disappointment
_RANK = {
    Stage.disappointment.value: 0,
    Stage.information.value: 1,
    Stage.discovery.value: 2,
    Stage.participation.value: 3,
    Stage.contribution.value: 4,
    Stage.promotion.value: 5,
}


@dataclass
class Audience:
    """Who a campaign is for: AND across the three filters, OR within one; empty means everyone."""

    departments: list[str] = field(default_factory=list)
    sites: list[str] = field(default_factory=list)
    stages: list[str] = field(default_factory=list)

    @classmethod
    def of(cls, raw: dict[str, Any]) -> Audience:
        """From the stored JSON."""
        return cls(
            list(raw.get("departments") or []), list(raw.get("sites") or []), list(raw.get("stages") or [])
        )

    def cleaned(self) -> Audience:
        """Trimmed, without blanks or duplicates, in a stable order."""

        def clean(values: list[str]) -> list[str]:
            return sorted({v.strip() for v in values if v and v.strip()})

        return Audience(clean(self.departments), clean(self.sites), clean(self.stages))

    def as_json(self) -> dict[str, list[str]]:
        """For storing."""
        return {"departments": self.departments, "sites": self.sites, "stages": self.stages}

    @property
    def by_stage(self) -> bool:
        """The audience depends on people's stages."""
        return bool(self.stages)


@dataclass
class CampaignData:
    """What HR writes: the message, the audience, when, and an optional featured post."""

    title: str
    body: str = ""
    audience: Audience = field(default_factory=Audience)
    starts_at: datetime | None = None
    ends_at: datetime | None = None
    post_id: int | None = None


def require_sender(viewer: User) -> None:
    """Only HR and administrators run campaigns."""
    if not viewer.has_role(Role.hr, Role.admin):
        raise Forbidden(_("Only HR and administrators run campaigns."))


# ---- the audience -------------------------------------------------------------------------------


def _stage_of_person() -> Any:
    """A person's stage (information when the engine has not seen them yet), as a column."""
    return func.coalesce(
        select(EngagementState.stage).where(EngagementState.user_id == User.id).scalar_subquery(),
        literal(Stage.information.value),
    )


def _population(audience: Audience) -> ColumnElement[bool]:
    """Active people of the audience's departments and sites (the stages left aside)."""
    clauses: list[ColumnElement[bool]] = [User.is_active.is_(True)]
    if audience.departments:
        clauses.append(User.department.in_(audience.departments))
    if audience.sites:
        clauses.append(User.site.in_(audience.sites))
    return and_(*clauses)


def audience_clause(audience: Audience) -> ColumnElement[bool]:
    """SQL: this person belongs to the audience."""
    clause = _population(audience)
    if audience.stages:
        clause = and_(clause, _stage_of_person().in_(audience.stages))
    return clause


@dataclass(frozen=True)
class Size:
    """An audience's size as HR may see it: None (with `hidden`) when it would tell stages."""

    value: int | None
    hidden: bool
    threshold: int


def _released(db: Session, audience: Audience, threshold: int) -> bool:
    """Every (group, stage) count a stage audience adds up is one the adoption figures show: the
    overall funnel and the department and site breakdowns are released together, as HR sees them."""
    if audience.departments and audience.sites:
        return False
    people = db.execute(
        select(User.id, User.department, User.site, _stage_of_person()).where(User.is_active.is_(True))
    ).all()
    catalogue = release_catalogue(
        {uid: stage for uid, _d, _s, stage in people},
        {
            "department": {uid: department or "" for uid, department, _s, _st in people},
            "site": {uid: site or "" for uid, _d, site, _st in people},
        },
        STAGES,
        threshold,
    )
    if not catalogue.shown:
        return False
    if not (audience.departments or audience.sites):
        return all(catalogue.overall[stage] is not None for stage in audience.stages)
    dimension, groups = (
        ("department", audience.departments) if audience.departments else ("site", audience.sites)
    )
    rows = {row.key: row.cells for row in catalogue.tables[dimension].rows}
    for group in groups:
        if group not in rows:
            continue  # nobody there: adds 0
        cells = rows[group]
        if cells is None or any(cells[stage] is None for stage in audience.stages):
            return False
    return True


def measure(db: Session, audience: Audience, threshold: int) -> Size:
    """How many people an audience counts; a stage-based audience is hidden unless it only adds up
    figures the adoption page shows and counts 0 or at least the threshold."""
    size = db.scalar(select(func.count()).select_from(User).where(audience_clause(audience))) or 0
    if not audience.by_stage or threshold <= 1:
        return Size(size, False, threshold)
    hidden = 0 < size < threshold or not _released(db, audience, threshold)
    return Size(None if hidden else size, hidden, threshold)


def audience_size(db: Session, *, viewer: User, audience: Audience, threshold: int) -> Size:
    """The live size of an audience being composed (HR only)."""
    require_sender(viewer)
    return measure(db, _check_audience(audience)[0], threshold)


def choices(db: Session) -> dict[str, list[str]]:
    """The departments and sites of the directory, and the stages, to compose an audience from."""

    def distinct(column: Any) -> list[str]:
        return list(
            db.scalars(
                select(column)
                .where(User.is_active.is_(True), column.is_not(None))
                .distinct()
                .order_by(column)
            )
        )

    return {"departments": distinct(User.department), "sites": distinct(User.site), "stages": STAGES}


def _check_audience(audience: Audience) -> tuple[Audience, list[FieldError]]:
    audience = audience.cleaned()
    errors = []
    unknown = [s for s in audience.stages if s not in STAGES]
    if unknown:
        errors.append(
            FieldError("audience.stages", _("Unknown stage: {stages}.").format(stages=", ".join(unknown)))
        )
    return audience, errors


# ---- creating and starting ----------------------------------------------------------------------


def _featured_post(db: Session, post_id: int) -> Post | None:
    """The post a campaign features: readable by everyone (company-wide or in a public community)."""
    return db.scalar(
        select(Post).where(
            Post.id == post_id,
            Post.removed_at.is_(None),
            or_(Post.community_id.is_(None), Post.community_id.in_(public_community_ids())),
        )
    )


def create_campaign(
    db: Session, *, actor: User, data: CampaignData, threshold: int, now: datetime | None = None
) -> tuple[Campaign, Size]:
    """Write a campaign; it starts at once (audience fixed, people told) unless scheduled later."""
    require_sender(actor)
    now = now or utcnow()
    audience, errors = _check_audience(data.audience)
    title = data.title.strip()
    body = data.body.strip()
    if not title:
        errors.append(FieldError("title", _("A title is required.")))
    elif len(title) > TITLE_LIMIT:
        errors.append(FieldError("title", _("At most {n} characters.").format(n=TITLE_LIMIT)))
    if len(body) > BODY_LIMIT:
        errors.append(FieldError("body", _("At most {n} characters.").format(n=BODY_LIMIT)))
    if not body and data.post_id is None:
        errors.append(FieldError("body", _("Write a message, or feature a post.")))
    starts_at = data.starts_at or now
    if starts_at.tzinfo is None:
        errors.append(FieldError("starts_at", _("Give the time zone (e.g. 2026-12-03T14:00:00+01:00).")))
        starts_at = now
    elif starts_at > now + timedelta(days=365):
        errors.append(FieldError("starts_at", _("Within a year from now.")))
    starts_at = max(starts_at, now)  # a moment already past means now
    ends_at = data.ends_at or starts_at + timedelta(days=SHOWN_DAYS)
    if ends_at.tzinfo is None or ends_at <= starts_at:
        errors.append(FieldError("ends_at", _("The end comes after the start.")))
    elif ends_at - starts_at > timedelta(days=MAX_SHOWN_DAYS):
        errors.append(FieldError("ends_at", _("At most {n} days in the feed.").format(n=MAX_SHOWN_DAYS)))
    if data.post_id is not None and _featured_post(db, data.post_id) is None:
        errors.append(
            FieldError(
                "post_id", _("Feature a post everyone may read: company-wide or in a public community.")
            )
        )
    size = Size(None, True, threshold)
    if not errors:
        size = measure(db, audience, threshold)
        if size.hidden:
            errors.append(
                FieldError(
                    "audience",
                    _(
                        "Fewer than {n} people, or a count the adoption figures hide: this audience cannot "
                        "be targeted by stage. Choose other stages, or whole departments or sites."
                    ).format(n=threshold),
                )
            )
        elif size.value == 0:
            errors.append(FieldError("audience", _("Nobody matches this audience.")))
    if errors:
        raise Invalid(errors)
    campaign = Campaign(
        title=title,
        body=body,
        body_html=markdown.render(body, known_handles=lambda _c: set()).html if body else "",
        audience=audience.as_json(),
        post_id=data.post_id,
        created_by_id=actor.id,
        created_at=now,
        starts_at=starts_at,
        ends_at=ends_at,
    )
    db.add(campaign)
    db.flush()
    activity.audit(db, actor_id=actor.id, action="campaign_created", target_id=campaign.id, title=title)
    if starts_at <= now:
        start(db, campaign=campaign, threshold=threshold, now=now)
        size = Size(campaign.audience_size, False, threshold)
    return campaign, size


def start(db: Session, *, campaign: Campaign, threshold: int, now: datetime | None = None) -> None:
    """Fix the audience of a campaign and tell each person; a stage-based audience that became too
    small to be shown is cancelled instead."""
    now = now or utcnow()
    audience = Audience.of(campaign.audience)
    size = measure(db, audience, threshold)
    if size.hidden or not size.value:
        campaign.cancelled_at = now
        campaign.cancel_reason = "audience_too_small" if size.hidden else "audience_empty"
        db.flush()
        return
    db.execute(
        insert(CampaignRecipient).from_select(
            ["campaign_id", "user_id"],
            select(literal(campaign.id), User.id).where(audience_clause(audience)),
        )
    )
    audience_ids = select(CampaignRecipient.user_id).where(CampaignRecipient.campaign_id == campaign.id)
    campaign.started_at = now
    campaign.audience_size = db.scalar(select(func.count()).select_from(audience_ids.subquery())) or 0
    db.flush()
    notifications.notify_each(
        db,
        recipients=audience_ids,
        type="campaign",
        key=f"campaign:{campaign.id}",
        url=f"/campaigns/{campaign.id}/open",
        post_id=campaign.post_id,
        params={"title": campaign.title},
        at=now,
    )


def start_due(db: Session, *, threshold: int, as_of: datetime | None = None) -> list[Campaign]:
    """Start every scheduled campaign whose time has come (cron, or HR opening the campaigns page)."""
    as_of = as_of or utcnow()
    due = list(
        db.scalars(
            select(Campaign)
            .where(
                Campaign.started_at.is_(None), Campaign.cancelled_at.is_(None), Campaign.starts_at <= as_of
            )
            .order_by(Campaign.starts_at, Campaign.id)
            .with_for_update(skip_locked=True)
        )
    )
    for campaign in due:
        start(db, campaign=campaign, threshold=threshold, now=as_of)
    return due


def stop_campaign(db: Session, *, actor: User, campaign_id: int, now: datetime | None = None) -> Campaign:
    """Cancel a scheduled campaign, or take a running one out of the feeds now."""
    require_sender(actor)
    now = now or utcnow()
    campaign = db.get(Campaign, campaign_id, with_for_update=True)
    if campaign is None:
        raise NotFound(_("No such campaign."))
    if campaign.cancelled_at is not None:
        return campaign
    if campaign.started_at is None:
        campaign.cancelled_at = now
        campaign.cancel_reason = "cancelled"
    elif campaign.ends_at > now:
        campaign.ends_at = now
    activity.audit(db, actor_id=actor.id, action="campaign_stopped", target_id=campaign.id)
    db.flush()
    return campaign


# ---- what the audience sees ---------------------------------------------------------------------


@dataclass
class Card:
    """A campaign as its audience sees it at the top of the feed."""

    id: int
    title: str
    body_html: str
    post_id: int | None
    post_title: str | None
    starts_at: datetime


def _running(now: datetime | ColumnElement[datetime]) -> ColumnElement[bool]:
    return and_(Campaign.started_at.is_not(None), Campaign.cancelled_at.is_(None), Campaign.ends_at > now)


@cache
def _cards_statement() -> Any:
    """The campaign cards of a person (built once: the home page runs it on every visit)."""
    viewer_id = bindparam("viewer_id", type_=Integer)
    return (
        select(
            Campaign.id,
            Campaign.title,
            Campaign.body_html,
            Campaign.started_at,
            Post.id.label("post_id"),
            Post.title.label("post_title"),
            Post.body.label("post_body"),
        )
        .join(CampaignRecipient, CampaignRecipient.campaign_id == Campaign.id)
        .outerjoin(Post, and_(Post.id == Campaign.post_id, post_readable(viewer_id)))
        .where(
            CampaignRecipient.user_id == viewer_id,
            CampaignRecipient.dismissed_at.is_(None),
            _running(bindparam("now", type_=Campaign.ends_at.type)),
        )
        .order_by(Campaign.started_at.desc(), Campaign.id.desc())
        .limit(bindparam("limit", type_=Integer))
    )


def cards_for(db: Session, *, viewer: User, now: datetime | None = None, limit: int = 2) -> list[Card]:
    """The campaigns addressed to this person that are running and not dismissed, newest first
    (one statement: the home feed counts its statements)."""
    params = {"viewer_id": viewer.id, "now": now or utcnow(), "limit": limit}
    rows = db.execute(_cards_statement(), params).all()
    return [
        Card(
            id=r.id,
            title=r.title,
            body_html=r.body_html,
            post_id=r.post_id,
            post_title=_excerpt(r.post_title or r.post_body or "") if r.post_id else None,
            starts_at=r.started_at,
        )
        for r in rows
    ]


def _excerpt(text: str, limit: int = 120) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _recipient(db: Session, viewer: User, campaign_id: int) -> tuple[Campaign, CampaignRecipient]:
    """A started campaign addressed to the viewer; NotFound for anyone outside its audience."""
    row = db.execute(
        select(Campaign, CampaignRecipient)
        .join(CampaignRecipient, CampaignRecipient.campaign_id == Campaign.id)
        .where(
            Campaign.id == campaign_id,
            CampaignRecipient.user_id == viewer.id,
            Campaign.started_at.is_not(None),
        )
    ).first()
    if row is None:
        raise NotFound(_("No such campaign."))
    return row[0], row[1]


def readable(db: Session, *, viewer: User, campaign_id: int) -> Campaign:
    """A campaign's message: for its audience once started, and for HR and administrators (a preview);
    NotFound for anyone else."""
    if viewer.has_role(Role.hr, Role.admin):
        campaign = db.get(Campaign, campaign_id)
        if campaign is None:
            raise NotFound(_("No such campaign."))
        return campaign
    return _recipient(db, viewer, campaign_id)[0]


def mark_seen(db: Session, *, viewer: User, campaign_id: int, now: datetime | None = None) -> None:
    """The card was shown in the person's feed (counts as reached)."""
    _campaign, recipient = _recipient(db, viewer, campaign_id)
    recipient.seen_at = recipient.seen_at or now or utcnow()
    db.flush()


def open_campaign(db: Session, *, viewer: User, campaign_id: int, now: datetime | None = None) -> Campaign:
    """The person opened the campaign, from the card or the notification (reached and clicked)."""
    campaign, recipient = _recipient(db, viewer, campaign_id)
    now = now or utcnow()
    recipient.seen_at = recipient.seen_at or now
    recipient.clicked_at = recipient.clicked_at or now
    db.flush()
    return campaign


def featured_post_id(db: Session, *, viewer: User, campaign: Campaign) -> int | None:
    """The featured post, when there is one and it can still be read."""
    if campaign.post_id is None:
        return None
    return db.scalar(select(Post.id).where(Post.id == campaign.post_id, post_readable(viewer.id)))


def dismiss(db: Session, *, viewer: User, campaign_id: int, now: datetime | None = None) -> None:
    """Put the card away: it leaves the person's feed (the campaign still counts them as reached)."""
    _campaign, recipient = _recipient(db, viewer, campaign_id)
    now = now or utcnow()
    recipient.seen_at = recipient.seen_at or now
    recipient.dismissed_at = recipient.dismissed_at or now
    db.flush()


# ---- reach and conversion (HR) ------------------------------------------------------------------


@dataclass
class Report:
    """A campaign with its figures, as HR sees it (None: hidden under the threshold)."""

    campaign: Campaign
    status: str
    audience: Audience
    audience_size: int | None
    reached: int | None = None
    clicked: int | None = None
    converted: int | None = None
    converts_on: str = "stage"  # "post": reacted or commented on the featured post; "stage": moved forward


def status_of(campaign: Campaign, now: datetime) -> str:
    """scheduled, running, ended or cancelled."""
    if campaign.cancelled_at is not None:
        return "cancelled"
    if campaign.started_at is None:
        return "scheduled"
    return "running" if campaign.ends_at > now else "ended"


def _conversion_clause(campaign: Campaign) -> ColumnElement[bool]:
    assert campaign.started_at is not None
    start_at = campaign.started_at
    end_at = start_at + timedelta(days=CONVERSION_DAYS)
    if campaign.post_id is not None:
        reacted = exists().where(
            Reaction.post_id == campaign.post_id,
            Reaction.user_id == CampaignRecipient.user_id,
            Reaction.created_at >= start_at,
            Reaction.created_at <= end_at,
        )
        commented = exists().where(
            Comment.post_id == campaign.post_id,
            Comment.author_id == CampaignRecipient.user_id,
            Comment.removed_at.is_(None),
            Comment.created_at >= start_at,
            Comment.created_at <= end_at,
        )
        return or_(reacted, commented)

    def rank(column: Any) -> Any:
        return case(*((column == stage, value) for stage, value in _RANK.items()), else_=-1)

    return exists().where(
        StageTransition.user_id == CampaignRecipient.user_id,
        StageTransition.at >= start_at,
        StageTransition.at <= end_at,
        rank(StageTransition.to_stage) > func.coalesce(rank(StageTransition.from_stage), 0),
    )


def _shown(part: int, whole: int, threshold: int) -> int | None:
    """A part of an audience, or None when it or the rest is too small to be shown."""
    return suppress({"part": part, "rest": whole - part}, threshold)["part"]


def _report(db: Session, campaign: Campaign, threshold: int, now: datetime) -> Report:
    item = Report(
        campaign=campaign,
        status=status_of(campaign, now),
        audience=Audience.of(campaign.audience),
        audience_size=campaign.audience_size,
        converts_on="post" if campaign.post_id is not None else "stage",
    )
    if campaign.started_at is None or not campaign.audience_size:
        return item
    notification_read = exists().where(
        Notification.user_id == CampaignRecipient.user_id,
        Notification.group_key == f"campaign:{campaign.id}",
        Notification.read_at.is_not(None),
    )
    reached = or_(
        CampaignRecipient.seen_at.is_not(None), CampaignRecipient.clicked_at.is_not(None), notification_read
    )

    def tally(clause: ColumnElement[bool]) -> Any:
        return func.coalesce(func.sum(case((clause, 1), else_=0)), 0)

    size, n_reached, n_clicked, n_converted = db.execute(
        select(
            func.count(),
            tally(reached),
            tally(CampaignRecipient.clicked_at.is_not(None)),
            tally(_conversion_clause(campaign)),
        ).where(CampaignRecipient.campaign_id == campaign.id)
    ).one()
    item.reached = _shown(int(n_reached), int(size), threshold)
    item.clicked = _shown(int(n_clicked), int(size), threshold)
    item.converted = _shown(int(n_converted), int(size), threshold)
    return item


def report(db: Session, *, viewer: User, threshold: int, now: datetime | None = None) -> list[Report]:
    """Every campaign, newest first, with reach, clicks and conversion in aggregate (HR only).
    Scheduled campaigns whose time has come are started first."""
    require_sender(viewer)
    now = now or utcnow()
    start_due(db, threshold=threshold, as_of=now)
    campaigns = db.scalars(select(Campaign).order_by(Campaign.starts_at.desc(), Campaign.id.desc()))
    return [_report(db, campaign, threshold, now) for campaign in campaigns]


def get_for_sender(db: Session, *, viewer: User, campaign_id: int, threshold: int) -> Report:
    """One campaign with its figures (HR only)."""
    require_sender(viewer)
    campaign = db.get(Campaign, campaign_id)
    if campaign is None:
        raise NotFound(_("No such campaign."))
    return _report(db, campaign, threshold, utcnow())
