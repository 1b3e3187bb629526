"""Signing in and out, and choosing the interface language."""

from __future__ import annotations

from typing import Annotated

from fastapi import Form, Request
from fastapi.responses import RedirectResponse, Response

from app.deps import (
    CSRF_COOKIE,
    DB,
    LANG_COOKIE,
    SESSION_COOKIE,
    AppSettings,
    OptionalCaller,
    new_csrf_token,
    read_session_cookie,
    secure_cookies,
    session_signer,
)
from app.i18n import LOCALES, set_current_locale
from app.services import auth, users
from app.services.errors import TooManyAttempts
from app.web.htmx import redirect, render
from app.web.pages import page_router, safe_next

router = page_router()


def _client_address(request: Request) -> str:
    return request.client.host if request.client else "unknown"


@router.get("/login")
def login_form(request: Request, caller: OptionalCaller, next: str = "/") -> Response:
    """The sign-in page."""
    if caller is not None:
        return RedirectResponse(safe_next(next), status_code=303)
    return render(request, "auth/login.html", {"next": safe_next(next), "email": "", "error": None})


@router.post("/login")
def login(
    request: Request,
    db: DB,
    settings: AppSettings,
    email: Annotated[str, Form()] = "",
    password: Annotated[str, Form()] = "",
    next: Annotated[str, Form()] = "/",
) -> Response:
    """Check the email and password, open a session, and go where the person was heading."""
    context = {"next": safe_next(next), "email": email}
    try:
        result = auth.sign_in(
            db, settings=settings, email=email, password=password, address=_client_address(request)
        )
    except TooManyAttempts as exc:
        response = render(request, "auth/login.html", {**context, "error": exc.detail}, status=429)
        response.headers["Retry-After"] = str(exc.retry_after)
        return response
    if result.user is None:
        # a response, not an exception: the failed attempt is committed so throttling counts it
        return render(request, "auth/login.html", {**context, "error": result.error}, status=401)
    secret = auth.start_session(
        db, settings=settings, user=result.user, user_agent=request.headers.get("user-agent", "")
    )
    redirect_home = RedirectResponse(safe_next(next), status_code=303)
    secure = secure_cookies(request)
    redirect_home.set_cookie(
        SESSION_COOKIE,
        session_signer(settings).sign(secret).decode(),
        max_age=settings.session_days * 86400,
        httponly=True,
        samesite="lax",
        secure=secure,
    )
    # a new CSRF token with the new session, so a token seen before signing in is worthless after
    request.state.csrf_token = new_csrf_token(settings)
    if result.user.locale:
        redirect_home.set_cookie(
            LANG_COOKIE, result.user.locale, max_age=365 * 86400, samesite="lax", secure=secure
        )
    return redirect_home


@router.post("/logout")
def logout(request: Request, db: DB) -> Response:
    """Sign out: the session is revoked on the server, the cookie dropped."""
    secret = read_session_cookie(request)
    if secret:
        auth.end_session(db, secret)
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE)
    response.delete_cookie(CSRF_COOKIE)
    return response


@router.post("/language")
def choose_language(
    request: Request,
    db: DB,
    caller: OptionalCaller,
    locale: Annotated[str, Form()] = "en",
    next: Annotated[str, Form()] = "/",
) -> Response:
    """Switch the interface language; a signed-in person's choice is kept on their profile."""
    code = locale if locale in LOCALES else "en"
    if caller is not None:
        users.update_profile(db, actor=caller.user, user=caller.user, changes={"locale": code})
    set_current_locale(code)
    response = redirect(request, safe_next(next))
    response.set_cookie(
        LANG_COOKIE, code, max_age=365 * 86400, samesite="lax", secure=secure_cookies(request)
    )
    return response
