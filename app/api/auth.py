"""Bearer tokens for API clients."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from app.api.errors import from_domain_error
from app.api.schemas import Strict
from app.deps import DB, AppSettings, CurrentCaller, CurrentUser
from app.i18n import _
from app.services import auth
from app.services.errors import Unauthorized

router = APIRouter(prefix="/auth", tags=["auth"])


class TokenRequest(Strict):
    """Credentials exchanged for a bearer token."""

    email: str
    password: str
    name: str = "API"


class TokenResponse(BaseModel):
    """A new bearer token: shown once."""

    access_token: str
    token_type: str = "bearer"  # noqa: S105 - the OAuth token type, not a secret
    id: int


class TokenRead(BaseModel):
    """A live token, as listed to its owner (never the secret)."""

    id: int
    name: str
    prefix: str
    created_at: datetime
    last_used_at: datetime | None


def client_address(request: Request) -> str:
    """The caller's address, for throttling."""
    return request.client.host if request.client else "unknown"


@router.post("/token", status_code=201, response_model=TokenResponse)
def create_token(body: TokenRequest, request: Request, db: DB, settings: AppSettings) -> object:
    """Exchange an email and password for a bearer token (throttled like the sign-in form)."""
    result = auth.sign_in(
        db, settings=settings, email=body.email, password=body.password, address=client_address(request)
    )
    if result.user is None:
        # returned, not raised: the failed attempt must be committed for throttling to count it
        return from_domain_error(Unauthorized(result.error))
    token, raw = auth.issue_token(db, user=result.user, name=body.name)
    return JSONResponse({"access_token": raw, "token_type": "bearer", "id": token.id}, status_code=201)


@router.get("/tokens", response_model=list[TokenRead])
def list_tokens(db: DB, user: CurrentUser) -> object:
    """The caller's live tokens."""
    return auth.list_tokens(db, user=user)


@router.delete("/tokens/{token_id}", status_code=204)
def revoke_token(token_id: int, db: DB, user: CurrentUser) -> Response:
    """Revoke one of the caller's tokens."""
    auth.revoke_token(db, user=user, token_id=token_id)
    return Response(status_code=204)


@router.delete("/token", status_code=204)
def revoke_current_token(db: DB, caller: CurrentCaller) -> Response:
    """Revoke the token this request is made with."""
    if caller.via != "token" or caller.secret is None:
        raise Unauthorized(_("This call needs a bearer token."))
    auth.revoke_token_secret(db, caller.secret)
    return Response(status_code=204)
