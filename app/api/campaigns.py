"""Campaigns (HR and administrators): send or schedule a message to an audience, preview an
audience's size, list campaigns with reach and conversion; for the audience, dismiss a card."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Response
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from app.api.schemas import Strict
from app.deps import DB, AppSettings, CurrentUser
from app.models import User
from app.services import campaigns

router = APIRouter(tags=["campaigns"])


class AudienceIn(Strict):
    """AND across departments, sites and stages; OR within one; an omitted filter does not restrict."""

    departments: list[str] | None = None
    sites: list[str] | None = None
    stages: list[str] | None = None

    def to_audience(self) -> campaigns.Audience:
        """The service's form."""
        return campaigns.Audience(self.departments or [], self.sites or [], self.stages or [])


class CampaignCreate(Strict):
    """A campaign: a message and/or a featured public post, an audience, and when it starts."""

    title: Annotated[str, Field(max_length=1000)]
    body: Annotated[str, Field(max_length=20_000)] = ""
    audience: AudienceIn = AudienceIn()
    starts_at: datetime | None = Field(default=None, strict=False)
    ends_at: datetime | None = Field(default=None, strict=False)
    post_id: int | None = None


class CampaignCreated(BaseModel):
    """The new campaign and how many people it reaches (now, or as of now when scheduled)."""

    id: int
    audience_size: int
    status: str


class AudienceSize(BaseModel):
    """An audience's size; `suppressed` (and no size) when a stage audience would tell stages."""

    threshold: int
    suppressed: bool
    audience_size: int | None = None


class CampaignRead(BaseModel):
    """A campaign with its figures; a figure is null when too small to be shown."""

    id: int
    title: str
    status: str
    audience: dict[str, list[str]]
    starts_at: datetime
    ends_at: datetime
    started_at: datetime | None
    post_id: int | None
    audience_size: int | None
    reached: int | None
    clicked: int | None
    converted: int | None
    converts_on: str


class CampaignPage(BaseModel):
    """Every campaign, newest first."""

    threshold: int
    conversion_days: int
    items: list[CampaignRead]


class CampaignCard(BaseModel):
    """A campaign addressed to the caller, shown above the home feed until dismissed."""

    id: int
    title: str
    body_html: str
    post_id: int | None
    url: str


def campaign_cards(db: Session, viewer: User) -> list[CampaignCard]:
    """The running campaigns addressed to this person (the home feed's first page carries them)."""
    return [
        CampaignCard(
            id=c.id, title=c.title, body_html=c.body_html, post_id=c.post_id, url=f"/campaigns/{c.id}/open"
        )
        for c in campaigns.cards_for(db, viewer=viewer)
    ]


def _read(report: campaigns.Report) -> CampaignRead:
    c = report.campaign
    return CampaignRead(
        id=c.id,
        title=c.title,
        status=report.status,
        audience=report.audience.as_json(),
        starts_at=c.starts_at,
        ends_at=c.ends_at,
        started_at=c.started_at,
        post_id=c.post_id,
        audience_size=report.audience_size,
        reached=report.reached,
        clicked=report.clicked,
        converted=report.converted,
        converts_on=report.converts_on,
    )


@router.post("/campaigns", status_code=201, response_model=CampaignCreated)
def create(body: CampaignCreate, db: DB, settings: AppSettings, user: CurrentUser) -> CampaignCreated:
    """Send a campaign now (its audience is fixed and told) or schedule it (`starts_at` in the future)."""
    campaign, size = campaigns.create_campaign(
        db,
        actor=user,
        data=campaigns.CampaignData(
            title=body.title,
            body=body.body,
            audience=body.audience.to_audience(),
            starts_at=body.starts_at,
            ends_at=body.ends_at,
            post_id=body.post_id,
        ),
        threshold=settings.group_threshold,
    )
    status = "running" if campaign.started_at is not None else "scheduled"
    return CampaignCreated(id=campaign.id, audience_size=size.value or 0, status=status)


@router.post("/campaigns/audience", response_model=AudienceSize)
def audience_size(body: AudienceIn, db: DB, settings: AppSettings, user: CurrentUser) -> AudienceSize:
    """How many people an audience counts now, without sending anything."""
    size = campaigns.audience_size(
        db, viewer=user, audience=body.to_audience(), threshold=settings.group_threshold
    )
    return AudienceSize(threshold=size.threshold, suppressed=size.hidden, audience_size=size.value)


@router.get("/campaigns", response_model=CampaignPage)
def index(db: DB, settings: AppSettings, user: CurrentUser) -> CampaignPage:
    """Every campaign with reach, clicks and conversion in aggregate (HR and administrators)."""
    reports = campaigns.report(db, viewer=user, threshold=settings.group_threshold)
    return CampaignPage(
        threshold=settings.group_threshold,
        conversion_days=campaigns.CONVERSION_DAYS,
        items=[_read(r) for r in reports],
    )


@router.get("/campaigns/{campaign_id}", response_model=CampaignRead)
def show(campaign_id: int, db: DB, settings: AppSettings, user: CurrentUser) -> CampaignRead:
    """One campaign with its figures (HR and administrators)."""
    return _read(
        campaigns.get_for_sender(db, viewer=user, campaign_id=campaign_id, threshold=settings.group_threshold)
    )


@router.post("/campaigns/{campaign_id}/stop", response_model=CampaignRead)
def stop(campaign_id: int, db: DB, settings: AppSettings, user: CurrentUser) -> CampaignRead:
    """Cancel a scheduled campaign, or take a running one out of the feeds now."""
    campaigns.stop_campaign(db, actor=user, campaign_id=campaign_id)
    return _read(
        campaigns.get_for_sender(db, viewer=user, campaign_id=campaign_id, threshold=settings.group_threshold)
    )


@router.post("/campaigns/{campaign_id}/dismiss", status_code=204)
def dismiss(campaign_id: int, db: DB, user: CurrentUser) -> Response:
    """Put a campaign away from one's own feed (404 outside its audience)."""
    campaigns.dismiss(db, viewer=user, campaign_id=campaign_id)
    return Response(status_code=204)
