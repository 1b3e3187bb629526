"""Ambassadors: suggestions and invitations for HR, answers and stepping down for the person, and
one's own give/receive ledger."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, Response
from pydantic import BaseModel

from app.api.schemas import PersonRef, Strict
from app.deps import DB, AppSettings, CurrentUser
from app.models import AmbassadorInvitation, User
from app.services import ambassadors, ledger

router = APIRouter(tags=["ambassadors"])


def _ref(user: User) -> PersonRef:
    return PersonRef(id=user.id, display_name=user.display_name, handle=user.handle)


class SuggestionRead(BaseModel):
    """A colleague who already gives in public, and why; `status` says where they stand
    (`suggested`, `invited`, `declined` lately, or `former` ambassador)."""

    user: PersonRef
    reasons: list[str]
    status: str
    since: datetime | None = None
    can_invite: bool


class SuggestionList(BaseModel):
    """Suggested ambassadors, most ways of giving first."""

    items: list[SuggestionRead]


class AmbassadorRead(BaseModel):
    """A current ambassador."""

    user: PersonRef
    since: datetime


class AmbassadorList(BaseModel):
    """The current ambassadors."""

    items: list[AmbassadorRead]


class InvitationCreate(Strict):
    """HR invites a colleague, with an optional personal note."""

    user_id: int
    note: str = ""


class InvitationRead(BaseModel):
    """An invitation to become an ambassador."""

    id: int
    user: PersonRef
    invited_by: PersonRef | None
    note: str
    reasons: list[str]
    status: str
    created_at: datetime


class InvitationList(BaseModel):
    """Invitations waiting for an answer."""

    items: list[InvitationRead]


class MyAmbassadorship(BaseModel):
    """Where the caller stands: ambassador or not, since when, and an invitation waiting."""

    ambassador: bool
    since: datetime | None
    community: str | None
    invitation: InvitationRead | None


class Accepted(BaseModel):
    """The caller is now an ambassador; the slug of the ambassadors' community."""

    ambassador: bool
    community: str


class LedgerRead(BaseModel):
    """The caller's give/receive ledger, and (for takers) what answering brought to people like them."""

    give: dict[str, int]
    receive: dict[str, int]
    leaning: str
    benefit: dict[str, object] | None


def _invitation(db: DB, invitation: AmbassadorInvitation, person: User) -> InvitationRead:
    inviter = db.get(User, invitation.invited_by_id) if invitation.invited_by_id else None
    return InvitationRead(
        id=invitation.id,
        user=_ref(person),
        invited_by=_ref(inviter) if inviter else None,
        note=invitation.note,
        reasons=ambassadors.reason_texts(invitation.reasons),
        status=invitation.status,
        created_at=invitation.created_at,
    )


@router.get("/ambassadors/suggestions", response_model=SuggestionList)
def suggestions(db: DB, user: CurrentUser) -> SuggestionList:
    """Colleagues HR might invite, drawn from public contributions only (HR only)."""
    return SuggestionList(
        items=[
            SuggestionRead(
                user=_ref(s.user), reasons=s.texts, status=s.status, since=s.at, can_invite=s.can_invite
            )
            for s in ambassadors.suggestions(db, viewer=user)
        ]
    )


@router.get("/ambassadors", response_model=AmbassadorList)
def current(db: DB, _user: CurrentUser) -> AmbassadorList:
    """Who the ambassadors are (their badge is public)."""
    return AmbassadorList(
        items=[AmbassadorRead(user=_ref(a.user), since=a.since) for a in ambassadors.current(db)]
    )


@router.post("/ambassadors/invitations", response_model=InvitationRead, status_code=201)
def invite(body: InvitationCreate, db: DB, user: CurrentUser) -> InvitationRead:
    """Invite a colleague to become an ambassador (HR only); they are told and choose."""
    invitation = ambassadors.invite(db, actor=user, user_id=body.user_id, note=body.note)
    person = db.get(User, invitation.user_id)
    assert person is not None
    return _invitation(db, invitation, person)


@router.get("/ambassadors/invitations", response_model=InvitationList)
def pending(db: DB, user: CurrentUser) -> InvitationList:
    """Invitations waiting for an answer (HR only)."""
    return InvitationList(
        items=[
            _invitation(db, inv, person) for inv, person in ambassadors.pending_invitations(db, viewer=user)
        ]
    )


@router.get("/ambassadors/me", response_model=MyAmbassadorship)
def mine(db: DB, user: CurrentUser) -> MyAmbassadorship:
    """The caller's own ambassadorship and any invitation waiting for them."""
    ambassador, invitation = ambassadors.status_of(db, user=user)
    active = ambassador is not None and ambassador.ended_at is None
    community = ambassadors.space(db) if active else None
    return MyAmbassadorship(
        ambassador=active,
        since=ambassador.since if ambassador is not None and active else None,
        community=community.slug if community is not None else None,
        invitation=_invitation(db, invitation, user) if invitation is not None else None,
    )


@router.post("/ambassadors/invitations/{invitation_id}/accept", response_model=Accepted)
def accept(invitation_id: int, db: DB, user: CurrentUser) -> Accepted:
    """Accept one's invitation: a badge, and a seat in the ambassadors' community."""
    community = ambassadors.accept(db, actor=user, invitation_id=invitation_id)
    return Accepted(ambassador=True, community=community.slug)


@router.post("/ambassadors/invitations/{invitation_id}/decline", status_code=204)
def decline(invitation_id: int, db: DB, user: CurrentUser) -> Response:
    """Decline one's invitation: nothing changes."""
    ambassadors.decline(db, actor=user, invitation_id=invitation_id)
    return Response(status_code=204)


@router.delete("/ambassadors/{user_id}", status_code=204)
def end(user_id: int, db: DB, user: CurrentUser) -> Response:
    """Step down (one's own id), or end someone's ambassadorship (HR)."""
    ambassadors.end(db, actor=user, user_id=user_id)
    return Response(status_code=204)


@router.get("/engagement/me/ledger", response_model=LedgerRead)
def my_ledger(db: DB, settings: AppSettings, user: CurrentUser) -> LedgerRead:
    """What the caller gives and receives; for a taker, what answering brought to people like them."""
    figures = ledger.ledger_of(db, user_id=user.id)
    benefit = (
        ledger.sharing_benefit(db, viewer=user, threshold=settings.group_threshold)
        if figures.leaning == "taker"
        else None
    )
    return LedgerRead(
        give={name: getattr(figures, name) for name in ledger.Ledger.GIVE},
        receive={name: getattr(figures, name) for name in ledger.Ledger.RECEIVE},
        leaning=figures.leaning,
        benefit=None
        if benefit is None
        else {
            "by": benefit.by,
            "group": benefit.group,
            "reactions": round(benefit.reactions, 2),
            "followers": round(benefit.followers, 2),
            "others_reactions": round(benefit.others_reactions, 2),
            "others_followers": round(benefit.others_followers, 2),
        },
    )
