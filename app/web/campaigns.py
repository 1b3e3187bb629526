"""Campaign pages: HR's list (reach and conversion) and the form with a live audience size; for the
audience, the card's click-through, its page, and the "seen" and "dismiss" answers."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from fastapi import Form, Query, Request
from fastapi.responses import Response

from app.deps import DB, AppSettings, CurrentUser, WriteDB
from app.i18n import _
from app.models.base import utcnow
from app.services import campaigns, engagement
from app.services.errors import Invalid
from app.web.engagement import stage_words
from app.web.htmx import is_htmx, redirect, render
from app.web.pages import form_again, page_router

router = page_router()

SHOWN_DAYS_CHOICES = (7, 14, 30)
_POST_REF = re.compile(r"^(?:.*/posts/)?(\d+)/?(?:[?#].*)?$")


def _post_id(raw: str) -> int | None:
    """A post named by its id or its address (…/posts/42)."""
    raw = raw.strip()
    if not raw:
        return None
    match = _POST_REF.match(raw)
    if match is None:
        raise Invalid.one("post_id", _("Give the post's address (…/posts/42) or its number."))
    return int(match.group(1))


def _stage_titles() -> dict[str, str]:
    return {stage: words.title for stage, words in stage_words(engagement.current_rules()).items()}


def _form_context(
    db: DB, values: dict[str, Any] | None = None, size: campaigns.Size | None = None
) -> dict[str, Any]:
    return {
        "choices": campaigns.choices(db),
        "values": values
        or {
            "title": "",
            "body": "",
            "departments": [],
            "sites": [],
            "stages": [],
            "starts_at": "",
            "days": "14",
        },
        "size": size,
        "shown_days": SHOWN_DAYS_CHOICES,
        "stage_titles": _stage_titles(),
        "errors": {},
    }


@router.get("/admin/campaigns")
def index(
    request: Request, db: WriteDB, settings: AppSettings, viewer: CurrentUser, created: str = ""
) -> Response:
    """Every campaign with its reach and conversion, in aggregate (HR); scheduled ones whose time has
    come are started on the way (the session writes)."""
    reports = campaigns.report(db, viewer=viewer, threshold=settings.group_threshold)
    return render(
        request,
        "campaigns/index.html",
        {
            "reports": reports,
            "threshold": settings.group_threshold,
            "conversion_days": campaigns.CONVERSION_DAYS,
            "created": created,
            "stage_titles": _stage_titles(),
        },
    )


@router.get("/admin/campaigns/new")
def new_form(request: Request, db: DB, settings: AppSettings, viewer: CurrentUser) -> Response:
    """The form to write a campaign, with the audience's size as it is composed."""
    campaigns.require_sender(viewer)
    size = campaigns.audience_size(
        db, viewer=viewer, audience=campaigns.Audience(), threshold=settings.group_threshold
    )
    return render(request, "campaigns/form.html", _form_context(db, size=size))


@router.get("/admin/campaigns/audience")
def audience(
    request: Request,
    db: DB,
    settings: AppSettings,
    viewer: CurrentUser,
    departments: Annotated[list[str] | None, Query()] = None,
    sites: Annotated[list[str] | None, Query()] = None,
    stages: Annotated[list[str] | None, Query()] = None,
) -> Response:
    """How many people an audience counts — "fewer than N" for a stage audience too small to show."""
    chosen = campaigns.Audience(departments or [], sites or [], stages or [])
    size = campaigns.audience_size(db, viewer=viewer, audience=chosen, threshold=settings.group_threshold)
    return render(request, "campaigns/_size.html", {"size": size})


@router.post("/admin/campaigns/new")
def create(
    request: Request,
    db: DB,
    settings: AppSettings,
    viewer: CurrentUser,
    title: Annotated[str, Form()] = "",
    body: Annotated[str, Form()] = "",
    departments: Annotated[list[str] | None, Form()] = None,
    sites: Annotated[list[str] | None, Form()] = None,
    stages: Annotated[list[str] | None, Form()] = None,
    starts_at: Annotated[str, Form()] = "",
    days: Annotated[str, Form()] = "14",
    post: Annotated[str, Form()] = "",
) -> Response:
    """Send a campaign now, or schedule it."""
    campaigns.require_sender(viewer)
    values = {
        "title": title,
        "body": body,
        "departments": departments or [],
        "sites": sites or [],
        "stages": stages or [],
        "starts_at": starts_at,
        "days": days,
        "post": post,
    }
    chosen = campaigns.Audience(departments or [], sites or [], stages or [])
    try:
        start = _local(starts_at, settings.timezone)
        shown = int(days) if days.isdigit() and int(days) in SHOWN_DAYS_CHOICES else 14
        data = campaigns.CampaignData(
            title=title,
            body=body,
            audience=chosen,
            starts_at=start,
            ends_at=max(start or utcnow(), utcnow()) + timedelta(days=shown),
            post_id=_post_id(post),
        )
        campaign, _size = campaigns.create_campaign(
            db, actor=viewer, data=data, threshold=settings.group_threshold
        )
    except Invalid as exc:
        db.rollback()
        size = campaigns.measure(db, chosen.cleaned(), settings.group_threshold)
        return form_again(request, "campaigns/form.html", _form_context(db, values, size), exc)
    return redirect(request, f"/admin/campaigns?created={campaign.id}")


def _local(raw: str, tz: str) -> datetime | None:
    if not raw.strip():
        return None
    try:
        parsed = datetime.fromisoformat(raw.strip())
    except ValueError:
        raise Invalid.one("starts_at", _("Give a date and a time.")) from None
    return parsed.replace(tzinfo=ZoneInfo(tz)) if parsed.tzinfo is None else parsed


@router.post("/admin/campaigns/{campaign_id}/stop")
def stop(request: Request, db: DB, viewer: CurrentUser, campaign_id: int) -> Response:
    """Cancel a scheduled campaign, or take a running one out of the feeds."""
    campaigns.stop_campaign(db, actor=viewer, campaign_id=campaign_id)
    return redirect(request, "/admin/campaigns")


# ---- the audience's side ------------------------------------------------------------------------


@router.get("/campaigns/{campaign_id}/open")
def open_campaign(request: Request, db: WriteDB, viewer: CurrentUser, campaign_id: int) -> Response:
    """From the card or the notification: counted as a click, then on to the featured post or the message."""
    campaign = campaigns.open_campaign(db, viewer=viewer, campaign_id=campaign_id)
    post_id = campaigns.featured_post_id(db, viewer=viewer, campaign=campaign)
    return redirect(request, f"/posts/{post_id}" if post_id else f"/campaigns/{campaign.id}")


@router.get("/campaigns/{campaign_id}")
def show(request: Request, db: DB, viewer: CurrentUser, campaign_id: int) -> Response:
    """A campaign's message, for its audience (and HR, to preview); nobody else knows it exists."""
    campaign = campaigns.readable(db, viewer=viewer, campaign_id=campaign_id)
    return render(
        request,
        "campaigns/show.html",
        {"campaign": campaign, "post_id": campaigns.featured_post_id(db, viewer=viewer, campaign=campaign)},
    )


@router.post("/campaigns/{campaign_id}/seen")
def seen(request: Request, db: DB, viewer: CurrentUser, campaign_id: int) -> Response:
    """The card was shown in the feed (sent by the page once it is displayed)."""
    campaigns.mark_seen(db, viewer=viewer, campaign_id=campaign_id)
    return Response(status_code=204)


@router.post("/campaigns/{campaign_id}/dismiss")
def dismiss(request: Request, db: DB, viewer: CurrentUser, campaign_id: int) -> Response:
    """Put the card away."""
    campaigns.dismiss(db, viewer=viewer, campaign_id=campaign_id)
    if is_htmx(request):
        return Response("", media_type="text/html")
    return redirect(request, "/")
