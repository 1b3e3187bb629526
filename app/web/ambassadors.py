"""Ambassadors' pages: HR's suggestions and invitations, the person's own invitation and
ambassadorship, the list of ambassadors, one's give/receive ledger, and writing one's testimonial."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Form, Request
from fastapi.responses import Response
from sqlalchemy.orm import object_session

from app.deps import DB, AppSettings, CurrentUser
from app.i18n import _
from app.models import Role, User
from app.services import ambassadors, ledger, testimonials, users
from app.services import tags as tag_service
from app.services.errors import Invalid
from app.web.htmx import redirect, render
from app.web.pages import field_errors, page_router
from app.web.posts import composer_context
from app.web.templating import ENV

router = page_router()


def is_ambassador(person: User) -> bool:
    """For templates: whether the person shown is an ambassador (one statement, on the page's session)."""
    db = object_session(person)
    return db is not None and ambassadors.is_ambassador(db, user_id=person.id)


# the profile shows an ambassador's badge without its route knowing about ambassadors
ENV.globals["is_ambassador"] = is_ambassador


# ---- HR ------------------------------------------------------------------------------------------


def _hr_context(db: DB, viewer: User) -> dict[str, Any]:
    ambassadors.require_hr(viewer)
    space = ambassadors.space(db)
    return {
        "suggestions": ambassadors.suggestions(db, viewer=viewer),
        "pending": ambassadors.pending_invitations(db, viewer=viewer),
        "current": ambassadors.current(db),
        "space": space,
        "window": ambassadors.WINDOW_DAYS,
        "quiet_days": ambassadors.DECLINED_QUIET_DAYS,
        "errors": {},
        "notes": {},
    }


@router.get("/admin/ambassadors")
def hr_page(request: Request, db: DB, viewer: CurrentUser) -> Response:
    """HR: colleagues who already give in public (with why), invitations waiting, current ambassadors."""
    context = _hr_context(db, viewer)
    context["invited"] = request.query_params.get("invited")
    context["ended"] = request.query_params.get("ended")
    return render(request, "ambassadors/hr.html", context)


@router.post("/admin/ambassadors/invite")
def hr_invite(
    request: Request,
    db: DB,
    viewer: CurrentUser,
    user_id: Annotated[str, Form()] = "",
    note: Annotated[str, Form()] = "",
) -> Response:
    """HR invites a suggested colleague, with an optional note; they are told and choose."""
    ambassadors.require_hr(viewer)
    try:
        if not user_id.isdigit():
            raise Invalid.one("user_id", _("Choose a colleague from the suggestions."))
        invitation = ambassadors.invite(db, actor=viewer, user_id=int(user_id), note=note)
    except Invalid as exc:
        db.rollback()
        context = _hr_context(db, viewer)
        context["errors"] = {user_id: " ".join(field_errors(exc).values())}
        context["notes"] = {user_id: note}
        return render(request, "ambassadors/hr.html", context, status=422)
    person = db.get(User, invitation.user_id)
    assert person is not None
    return redirect(request, f"/admin/ambassadors?invited={person.handle}#pending")


@router.post("/admin/ambassadors/{user_id}/end")
def hr_end(request: Request, db: DB, viewer: CurrentUser, user_id: int) -> Response:
    """HR ends an ambassadorship: the badge and the seat in the ambassadors' community go."""
    person = ambassadors.end(db, actor=viewer, user_id=user_id)
    return redirect(request, f"/admin/ambassadors?ended={person.handle}#current")


# ---- everyone ------------------------------------------------------------------------------------


@router.get("/ambassadors")
def list_page(request: Request, db: DB, viewer: CurrentUser) -> Response:
    """Who the ambassadors are, and what to ask them."""
    current = ambassadors.current(db)
    ids = [a.user.id for a in current]
    return render(
        request,
        "ambassadors/index.html",
        {
            "current": current,
            "tag_map": tag_service.tags_of(db, ids),
            "following_ids": users.is_following(db, actor=viewer, user_ids=ids),
            "is_hr": viewer.has_role(Role.hr),
        },
    )


@router.get("/me/ambassador")
def my_page(request: Request, db: DB, viewer: CurrentUser) -> Response:
    """One's invitation (accept or decline, with why and HR's note), or one's ambassadorship."""
    ambassador, invitation = ambassadors.status_of(db, user=viewer)
    active = ambassador is not None and ambassador.ended_at is None
    return render(
        request,
        "ambassadors/mine.html",
        {
            "ambassador": ambassador,
            "active": active,
            "space": ambassadors.space(db) if active else None,
            "invite": ambassadors.invitation_view(db, invitation) if invitation is not None else None,
            "done": request.query_params.get("done"),
        },
    )


@router.post("/me/ambassador/invitations/{invitation_id}/accept")
def my_accept(request: Request, db: DB, viewer: CurrentUser, invitation_id: int) -> Response:
    """Accept: the badge, and a seat in the ambassadors' community."""
    ambassadors.accept(db, actor=viewer, invitation_id=invitation_id)
    return redirect(request, "/me/ambassador?done=accepted")


@router.post("/me/ambassador/invitations/{invitation_id}/decline")
def my_decline(request: Request, db: DB, viewer: CurrentUser, invitation_id: int) -> Response:
    """Decline: nothing changes."""
    ambassadors.decline(db, actor=viewer, invitation_id=invitation_id)
    return redirect(request, "/me/ambassador?done=declined")


@router.post("/me/ambassador/step-down")
def my_step_down(request: Request, db: DB, viewer: CurrentUser) -> Response:
    """Step down: the badge and the seat in the ambassadors' community go."""
    ambassadors.end(db, actor=viewer, user_id=viewer.id)
    return redirect(request, "/me/ambassador?done=stepped_down")


# ---- the ledger and testimonials -----------------------------------------------------------------


@router.get("/me/ledger")
def my_ledger(request: Request, db: DB, settings: AppSettings, viewer: CurrentUser) -> Response:
    """What I give and receive; for a taker, what answering brought to people like them. The whole
    page, or the section "My journey" loads beside its figures."""
    figures = ledger.ledger_of(db, user_id=viewer.id)
    benefit = (
        ledger.sharing_benefit(db, viewer=viewer, threshold=settings.group_threshold)
        if figures.leaning == "taker"
        else None
    )
    ambassador, invitation = ambassadors.status_of(db, user=viewer)
    return render(
        request,
        "ambassadors/ledger.html",
        {
            "ledger": figures,
            "benefit": benefit,
            "average": ledger.average,
            "threshold": settings.group_threshold,
            "days": ledger.BENEFIT_DAYS,
            "newcomer_days": ledger.NEWCOMER_DAYS,
            "is_ambassador": ambassador is not None and ambassador.ended_at is None,
            "invitation": invitation,
        },
        block="ledger",
    )


@router.get("/me/journey/testimonial")
def testimonial_page(request: Request, db: DB, viewer: CurrentUser) -> Response:
    """Write my digital journey: the composer filled in as an article with #mydigitaljourney, and
    the testimonials I already published."""
    mine = testimonials.mine(db, user=viewer)
    return render(
        request,
        "ambassadors/testimonial.html",
        {
            "composer": composer_context(
                db,
                viewer,
                next_url="/me/journey/testimonial?published=1",
                values=testimonials.composer_values(),
            ),
            "mine": mine,
            "tag": testimonials.TAG,
            "published": request.query_params.get("published"),
        },
    )
