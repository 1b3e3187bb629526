"""Signing in: passwords, throttling, browser sessions and API tokens."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache
from typing import Any

from pwdlib import PasswordHash
from pwdlib.hashers.argon2 import Argon2Hasher
from sqlalchemy import String, bindparam, delete, func, or_, select, update
from sqlalchemy.orm import Session, joinedload

from app.i18n import _
from app.models import ApiToken, LoginAttempt, User, WebSession
from app.models.base import utcnow
from app.services import activity
from app.services.errors import Invalid, NotFound, TooManyAttempts
from app.settings import Settings

PASSWORD_MIN = 10
PASSWORD_MAX = 256
TOKEN_PREFIX = "pxm_"  # noqa: S105 - a visible prefix, not a secret
PRESENCE_EVERY = timedelta(minutes=5)


@cache
def _hasher(time_cost: int | None, memory_cost: int | None) -> PasswordHash:
    params: dict[str, Any] = {
        k: v for k, v in {"time_cost": time_cost, "memory_cost": memory_cost}.items() if v
    }
    return PasswordHash((Argon2Hasher(**params),))


def password_hasher(settings: Settings) -> PasswordHash:
    """The argon2 hasher with the configured cost."""
    return _hasher(settings.argon2_time_cost, settings.argon2_memory_cost)


def check_password_rules(password: str, field: str = "password") -> None:
    """Refuse passwords that are too short or too long."""
    if len(password) < PASSWORD_MIN:
        raise Invalid.one(field, _("At least {n} characters.").format(n=PASSWORD_MIN))
    if len(password) > PASSWORD_MAX:
        raise Invalid.one(field, _("At most {n} characters.").format(n=PASSWORD_MAX))


def hash_password(settings: Settings, password: str) -> str:
    """An argon2 hash of a password that follows the rules."""
    check_password_rules(password)
    return password_hasher(settings).hash(password)


def _digest(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


@dataclass
class SignInResult:
    """The outcome of a sign-in: the person, or why not (the failure is recorded for throttling)."""

    user: User | None
    error: str = ""


def _recent_failures(db: Session, column: Any, value: str, since: datetime) -> int:
    return (
        db.scalar(
            select(func.count())
            .select_from(LoginAttempt)
            .where(column == value, LoginAttempt.created_at >= since)
        )
        or 0
    )


def sign_in(db: Session, *, settings: Settings, email: str, password: str, address: str) -> SignInResult:
    """Check an email and password, throttled per account and per address.

    A wrong password is recorded (and the caller must commit it); too many recent failures raise
    TooManyAttempts before anything is checked.
    """
    email = email.strip().lower()
    since = utcnow() - timedelta(seconds=settings.login_window_seconds)
    if _recent_failures(db, LoginAttempt.email, email, since) >= settings.login_max_failures_per_account:
        raise TooManyAttempts(
            _("Too many failed attempts for this account. Try again in a few minutes."),
            retry_after=settings.login_window_seconds,
        )
    if _recent_failures(db, LoginAttempt.address, address, since) >= settings.login_max_failures_per_address:
        raise TooManyAttempts(
            _("Too many failed attempts from your network. Try again in a few minutes."),
            retry_after=settings.login_window_seconds,
        )
    user = db.scalar(select(User).where(User.email == email))
    hasher = password_hasher(settings)
    valid = False
    if user is not None and user.password_hash:
        valid, new_hash = hasher.verify_and_update(password[:PASSWORD_MAX], user.password_hash)
        if valid and new_hash:
            user.password_hash = new_hash
    else:
        hasher.hash("timing-equaliser")  # the same work whether or not the account exists
    if not valid or user is None:
        db.add(LoginAttempt(email=email[:254], address=address[:64]))
        db.flush()
        return SignInResult(None, _("Wrong email or password."))
    if not user.is_active:
        return SignInResult(None, _("This account has been deactivated. Ask your administrator."))
    db.execute(delete(LoginAttempt).where(LoginAttempt.email == email))
    return SignInResult(user)


def start_session(db: Session, *, settings: Settings, user: User, user_agent: str) -> str:
    """Open a browser session for a person; returns the secret the cookie carries."""
    raw = secrets.token_urlsafe(32)
    now = utcnow()
    db.add(
        WebSession(
            token_hash=_digest(raw),
            user_id=user.id,
            user_agent=user_agent[:255],
            created_at=now,
            last_seen_at=now,
            expires_at=now + timedelta(days=settings.session_days),
        )
    )
    activity.record(db, user_id=user.id, kind="sign_in")
    record_presence(db, user_id=user.id, now=now)
    db.flush()
    return raw


@cache
def _session_statement() -> Any:
    """The live session of a cookie and its active person with their roles (built once: every page
    runs it)."""
    return (
        select(WebSession, User)
        .join(User, User.id == WebSession.user_id)
        .options(joinedload(User.role_rows))
        .where(
            WebSession.token_hash == bindparam("token_hash", type_=String),
            WebSession.revoked_at.is_(None),
            WebSession.expires_at > bindparam("now", type_=WebSession.expires_at.type),
            User.is_active.is_(True),
        )
    )


def resolve_session(db: Session, raw: str) -> tuple[WebSession, User] | None:
    """The live session and active person a cookie secret belongs to, if any."""
    params = {"token_hash": _digest(raw), "now": utcnow()}
    row = db.execute(_session_statement(), params).unique().first()
    return (row[0], row[1]) if row else None


def end_session(db: Session, raw: str) -> None:
    """Sign out: revoke the session a cookie carries."""
    db.execute(
        update(WebSession)
        .where(WebSession.token_hash == _digest(raw), WebSession.revoked_at.is_(None))
        .values(revoked_at=utcnow())
    )


def revoke_sessions(db: Session, *, user_id: int, keep_session_id: int | None = None) -> None:
    """Revoke every browser session of a person, except the one they are using (if given)."""
    stmt = update(WebSession).where(WebSession.user_id == user_id, WebSession.revoked_at.is_(None))
    if keep_session_id is not None:
        stmt = stmt.where(WebSession.id != keep_session_id)
    db.execute(stmt.values(revoked_at=utcnow()))


def change_password(
    db: Session, *, settings: Settings, user: User, current: str, new: str, keep_session_id: int | None
) -> None:
    """Change one's own password; every other session and nothing else is signed out."""
    if not user.password_hash or not password_hasher(settings).verify(
        current[:PASSWORD_MAX], user.password_hash
    ):
        raise Invalid.one("current_password", _("This is not your current password."))
    check_password_rules(new, "new_password")
    if new == current:
        raise Invalid.one("new_password", _("Choose a password different from the current one."))
    user.password_hash = password_hasher(settings).hash(new)
    revoke_sessions(db, user_id=user.id, keep_session_id=keep_session_id)
    activity.audit(db, actor_id=user.id, action="password_changed", target_id=user.id)


def issue_token(db: Session, *, user: User, name: str) -> tuple[ApiToken, str]:
    """Create a bearer token for API clients; the secret is shown once and stored hashed."""
    label = name.strip()[:80] or _("API token")
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(
        token_hash=_digest(raw), prefix=raw[: len(TOKEN_PREFIX) + 4], user_id=user.id, name=label
    )
    db.add(token)
    activity.record(db, user_id=user.id, kind="sign_in")
    record_presence(db, user_id=user.id)
    db.flush()
    return token, raw


@cache
def _token_statement() -> Any:
    """The person a live bearer token belongs to, with their roles (built once: every API call runs it)."""
    return (
        select(ApiToken, User)
        .join(User, User.id == ApiToken.user_id)
        .options(joinedload(User.role_rows))
        .where(
            ApiToken.token_hash == bindparam("token_hash", type_=String),
            ApiToken.revoked_at.is_(None),
            User.is_active.is_(True),
        )
    )


def resolve_token(db: Session, raw: str) -> User | None:
    """The active person a bearer token belongs to, if it is valid and not revoked."""
    row = db.execute(_token_statement(), {"token_hash": _digest(raw)}).unique().first()
    return row[1] if row else None


def list_tokens(db: Session, *, user: User) -> list[ApiToken]:
    """A person's live API tokens, newest first."""
    return list(
        db.scalars(
            select(ApiToken)
            .where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
            .order_by(ApiToken.created_at.desc(), ApiToken.id.desc())
        )
    )


def revoke_token(db: Session, *, user: User, token_id: int) -> None:
    """Revoke one of one's own tokens (another person's token is not found)."""
    token = db.get(ApiToken, token_id)
    if token is None or token.user_id != user.id or token.revoked_at is not None:
        raise NotFound(_("No such token."))
    token.revoked_at = utcnow()


def revoke_tokens(db: Session, *, user_id: int) -> None:
    """Revoke every API token of a person (deactivation)."""
    db.execute(
        update(ApiToken)
        .where(ApiToken.user_id == user_id, ApiToken.revoked_at.is_(None))
        .values(revoked_at=utcnow())
    )


def revoke_token_secret(db: Session, raw: str) -> None:
    """Revoke the token a client is calling with (sign out of the API)."""
    db.execute(
        update(ApiToken)
        .where(ApiToken.token_hash == _digest(raw), ApiToken.revoked_at.is_(None))
        .values(revoked_at=utcnow())
    )


def presence_due(user: User, now: datetime) -> bool:
    """True when a request should record that the person came in (first time, or a while ago)."""
    return user.last_seen_at is None or now - user.last_seen_at >= PRESENCE_EVERY


def record_presence(db: Session, *, user_id: int, now: datetime | None = None) -> None:
    """Note that a person came in: first sign-in, and one visit per day for the engagement engine."""
    now = now or utcnow()
    user = db.get(User, user_id)
    if user is None:
        return
    if user.first_seen_at is None:
        user.first_seen_at = now
    if user.last_seen_at is None or user.last_seen_at.date() != now.date():
        activity.record(db, user_id=user.id, kind="visit_day", at=now)
    user.last_seen_at = now


def record_presence_if_due(db: Session, *, user_id: int, now: datetime) -> bool:
    """`record_presence` for a request that found it due; False when another got there first.

    Every request a person has in flight when the presence falls due finds it due (16 at once from a
    busy client): each used to write the same row, one behind the other's commit, and to record one
    more visit of the day. Here the condition is part of each UPDATE, read again once the first
    commits, so one request writes and the others change nothing."""
    values = {"last_seen_at": now, "first_seen_at": func.coalesce(User.first_seen_at, now)}
    day_start = now.replace(hour=0, minute=0, second=0, microsecond=0)
    first_today = db.execute(
        update(User)
        .where(User.id == user_id, or_(User.last_seen_at.is_(None), User.last_seen_at < day_start))
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    if getattr(first_today, "rowcount", 0):  # a CursorResult
        activity.record(db, user_id=user_id, kind="visit_day", at=now)
        return True
    later = db.execute(
        update(User)
        .where(User.id == user_id, User.last_seen_at <= now - PRESENCE_EVERY)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    return bool(getattr(later, "rowcount", 0))


def list_sessions(db: Session, *, user: User) -> list[WebSession]:
    """A person's live browser sessions, most recently used first."""
    return list(
        db.scalars(
            select(WebSession)
            .where(
                WebSession.user_id == user.id,
                WebSession.revoked_at.is_(None),
                WebSession.expires_at > utcnow(),
            )
            .order_by(WebSession.last_seen_at.desc(), WebSession.id.desc())
        )
    )
