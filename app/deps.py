"""Request plumbing shared by the API and the pages: the unit of work and who is asking."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request
from itsdangerous import BadSignature, Signer
from sqlalchemy.orm import Session

from app.db import Database
from app.i18n import _, set_current_locale
from app.models import User
from app.models.base import utcnow
from app.services import auth
from app.services.errors import Forbidden, Unauthorized
from app.settings import Settings

SESSION_COOKIE = "proxima_session"
CSRF_COOKIE = "proxima_csrf"
LANG_COOKIE = "proxima_lang"
CSRF_HEADER = "x-csrf-token"
CSRF_FIELD = "csrf_token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def get_settings(request: Request) -> Settings:
    """The settings of the running application."""
    settings: Settings = request.app.state.settings
    return settings


def get_database(request: Request) -> Database:
    """The database of the running application."""
    database: Database = request.app.state.db
    return database


def get_db(request: Request) -> Iterator[Session]:
    """One unit of work per request: writers lock up front on SQLite; committed before the response."""
    with get_database(request).session(write=request.method not in SAFE_METHODS) as db:
        yield db


def get_write_db(request: Request) -> Iterator[Session]:
    """A unit of work that writes even on GET (pages that log what they showed, e.g. nudges)."""
    with get_database(request).session(write=True) as db:
        yield db


DB = Annotated[Session, Depends(get_db, scope="function")]
WriteDB = Annotated[Session, Depends(get_write_db, scope="function")]
AppSettings = Annotated[Settings, Depends(get_settings)]


# ---- cookies and CSRF -----------------------------------------------------------------------


def session_signer(settings: Settings) -> Signer:
    """Signs the session cookie (which carries only the session's secret id)."""
    return Signer(settings.secret_key, salt="proxima.session")


def read_session_cookie(request: Request) -> str | None:
    """The session secret from the signed cookie, when the signature holds."""
    value = request.cookies.get(SESSION_COOKIE)
    if not value:
        return None
    try:
        return session_signer(get_settings(request)).unsign(value).decode()
    except BadSignature:
        return None


def new_csrf_token(settings: Settings) -> str:
    """A fresh CSRF token: a random part and its HMAC, so a planted cookie does not validate."""
    nonce = secrets.token_urlsafe(18)
    mac = hmac.new(settings.secret_key.encode(), nonce.encode(), hashlib.sha256).hexdigest()[:32]
    return f"{nonce}.{mac}"


def csrf_token_valid(settings: Settings, token: str | None) -> bool:
    """True when a CSRF token was minted by this installation."""
    if not token or "." not in token:
        return False
    nonce, _sep, mac = token.partition(".")
    expected = hmac.new(settings.secret_key.encode(), nonce.encode(), hashlib.sha256).hexdigest()[:32]
    return hmac.compare_digest(mac, expected)


def csrf_token(request: Request) -> str:
    """The CSRF token of this browser (minted on first sight; the middleware sets the cookie)."""
    token = getattr(request.state, "csrf_token", None)
    if token is None:
        cookie = request.cookies.get(CSRF_COOKIE)
        token = (
            cookie
            if csrf_token_valid(get_settings(request), cookie)
            else new_csrf_token(get_settings(request))
        )
        request.state.csrf_token = token
    return str(token)


def is_https(request: Request) -> bool:
    """True when the browser reached us over HTTPS (directly or through the proxy)."""
    return request.url.scheme == "https"


def secure_cookies(request: Request) -> bool:
    """Whether cookies get the Secure flag: configured, else when the request came over HTTPS."""
    configured = get_settings(request).cookie_secure
    return configured if configured is not None else is_https(request)


def check_origin(request: Request) -> None:
    """Refuse state-changing requests sent by another site."""
    if request.headers.get("sec-fetch-site") == "cross-site":
        raise Forbidden(_("Cross-site request refused."))
    origin = request.headers.get("origin")
    if origin and origin != "null":
        host = request.headers.get("host", "")
        if origin.split("://", 1)[-1].rstrip("/") != host:
            raise Forbidden(_("Cross-site request refused."))
    elif origin == "null":
        raise Forbidden(_("Cross-site request refused."))


async def csrf_protect(request: Request) -> None:
    """Every state-changing browser request carries the CSRF token (form field or htmx header)."""
    if request.method in SAFE_METHODS:
        return
    check_origin(request)
    cookie = request.cookies.get(CSRF_COOKIE)
    sent = request.headers.get(CSRF_HEADER)
    if sent is None and "form" in request.headers.get("content-type", ""):
        form = await request.form()
        value = form.get(CSRF_FIELD)
        sent = value if isinstance(value, str) else None
    if not (
        cookie
        and sent
        and hmac.compare_digest(cookie, sent)
        and csrf_token_valid(get_settings(request), sent)
    ):
        raise Forbidden(_("Your form expired or came from elsewhere. Reload the page and try again."))


# ---- who is asking ----------------------------------------------------------------------------


@dataclass(frozen=True)
class ViewerSnapshot:
    """What the page layout shows of the signed-in person; safe to use after a rollback."""

    id: int
    display_name: str
    handle: str
    email: str
    photo_id: str | None
    roles: tuple[str, ...]


@dataclass
class Caller:
    """The person behind a request and how they proved it."""

    user: User
    via: str  # "session" or "token"
    session_id: int | None = None
    secret: str | None = None

    def snapshot(self) -> ViewerSnapshot:
        """A detached copy of what the layout needs."""
        u = self.user
        return ViewerSnapshot(u.id, u.display_name, u.handle, u.email, u.photo_id, tuple(u.roles))


def _bearer(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    scheme, _sep, value = header.partition(" ")
    return value.strip() if scheme.lower() == "bearer" and value.strip() else None


def resolve_caller(request: Request, db: Session) -> Caller | None:
    """Who is asking: a bearer token first, else the session cookie; notes their visit."""
    if hasattr(request.state, "caller"):
        cached: Caller | None = request.state.caller
        return cached
    caller: Caller | None = None
    token = _bearer(request)
    if token is not None:
        user = auth.resolve_token(db, token)
        caller = Caller(user, "token", secret=token) if user else None
    else:
        secret = read_session_cookie(request)
        found = auth.resolve_session(db, secret) if secret else None
        if found is not None:
            caller = Caller(found[1], "session", session_id=found[0].id, secret=secret)
    request.state.caller = caller
    if caller is not None:
        request.state.viewer_snapshot = caller.snapshot()
        set_current_locale(caller.user.locale)
        now = utcnow()
        if auth.presence_due(caller.user, now):
            if request.method in SAFE_METHODS:
                # a short write of its own, so that reading pages never holds the write lock
                with get_database(request).session(write=True) as writer:
                    auth.record_presence_if_due(writer, user_id=caller.user.id, now=now)
            else:
                auth.record_presence_if_due(db, user_id=caller.user.id, now=now)
    return caller


def optional_caller(request: Request, db: DB) -> Caller | None:
    """The caller when signed in, else None."""
    return resolve_caller(request, db)


def require_caller(request: Request, db: DB) -> Caller:
    """The signed-in caller; 401 otherwise. Cookie-authenticated writes to the API need the CSRF header."""
    caller = resolve_caller(request, db)
    if caller is None:
        raise Unauthorized(_("Sign in first."))
    if (
        caller.via == "session"
        and request.method not in SAFE_METHODS
        and request.url.path.startswith("/api/")
    ):
        check_origin(request)
        sent = request.headers.get(CSRF_HEADER)
        cookie = request.cookies.get(CSRF_COOKIE)
        if not (sent and cookie and hmac.compare_digest(sent, cookie)):
            raise Forbidden(_("Missing CSRF token."))
    return caller


def current_user(caller: Annotated[Caller, Depends(require_caller)]) -> User:
    """The signed-in person."""
    return caller.user


OptionalCaller = Annotated[Caller | None, Depends(optional_caller)]
CurrentCaller = Annotated[Caller, Depends(require_caller)]
CurrentUser = Annotated[User, Depends(current_user)]
