"""The application factory: used by the server, the command line and the tests."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import structlog
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import Response
from fastapi.staticfiles import StaticFiles
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app import i18n
from app.api import errors as api_errors
from app.api.router import api_router
from app.db import Database
from app.deps import CSRF_COOKIE, LANG_COOKIE, secure_cookies
from app.i18n import _
from app.services import broker, engagement
from app.services.errors import DomainError
from app.settings import Settings, get_settings
from app.web import errors as web_errors
from app.web.router import web_router
from app.web.templating import STATIC_DIR

log = structlog.get_logger("proxima")

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
    "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'self'; object-src 'none'"
)
SECURITY_HEADERS = [
    (b"content-security-policy", CSP.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"same-origin"),
    (b"x-frame-options", b"DENY"),
    (b"permissions-policy", b"camera=(), microphone=(), geolocation=()"),
    (b"cross-origin-opener-policy", b"same-origin"),
]


class RequestContext:
    """Pure ASGI middleware: the request's locale, security headers, and the CSRF cookie."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request = Request(scope)
        chosen = request.cookies.get(LANG_COOKIE)
        code = chosen if chosen in i18n.LOCALES else i18n.negotiate(request.headers.get("accept-language"))
        i18n.use_locale(code or get_settings_from(scope).default_locale)

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {k.lower() for k, _v in headers}
                headers += [(k, v) for k, v in SECURITY_HEADERS if k not in present]
                if get_settings_from(scope).cookie_secure or request.url.scheme == "https":
                    headers.append((b"strict-transport-security", b"max-age=31536000"))
                token = getattr(request.state, "csrf_token", None)
                if token and request.cookies.get(CSRF_COOKIE) != token:
                    secure = "; Secure" if secure_cookies(request) else ""
                    cookie = f"{CSRF_COOKIE}={token}; Path=/; HttpOnly; SameSite=Lax{secure}"
                    headers.append((b"set-cookie", cookie.encode()))
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_headers)


def get_settings_from(scope: Scope) -> Settings:
    """The settings of the app serving this request."""
    settings: Settings = scope["app"].state.settings
    return settings


def _is_api(request: Request) -> bool:
    return request.url.path.startswith("/api/")


def _install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(DomainError)
    async def domain_error(request: Request, exc: DomainError) -> Response:
        if _is_api(request):
            return api_errors.from_domain_error(exc)
        return web_errors.page_for_domain_error(request, exc)

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError) -> Response:
        if _is_api(request):
            return api_errors.from_validation_error(exc)
        return web_errors.page_for_error(
            request, 422, "Invalid input", _("Some fields are missing or invalid.")
        )

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        detail = str(exc.detail) if exc.detail else ""
        response: Response
        if _is_api(request):
            response = api_errors.problem(exc.status_code, detail or "Error", detail or "Error")
        else:
            message = _("There is nothing at this address.") if exc.status_code == 404 else detail
            response = web_errors.page_for_error(request, exc.status_code, detail, message)
        for key, value in (exc.headers or {}).items():
            response.headers[key] = value
        return response

    async def database_unavailable(request: Request, exc: Exception) -> Response:
        log.warning("database_unavailable", error=str(exc).splitlines()[0][:200])
        message = _("The database is not answering. Try again in a moment.")
        response: Response
        if _is_api(request):
            response = api_errors.problem(503, "Service unavailable", message)
        else:
            response = web_errors.page_for_error(request, 503, "Service unavailable", message)
        response.headers["Retry-After"] = "5"
        return response

    async def concurrent_conflict(request: Request, exc: Exception) -> Response:
        # two requests raced to create the same unique thing; the loser is told to try again
        log.info("integrity_conflict", path=request.url.path, error=str(exc).splitlines()[0][:200])
        message = _("Someone changed this at the same moment. Try again.")
        if _is_api(request):
            return api_errors.problem(409, "Conflict", message)
        return web_errors.page_for_error(request, 409, "Conflict", message)

    app.add_exception_handler(IntegrityError, concurrent_conflict)
    app.add_exception_handler(OperationalError, database_unavailable)
    app.add_exception_handler(PoolTimeout, database_unavailable)

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception) -> Response:
        log.exception("unexpected_error", path=request.url.path)
        message = _("Something went wrong on our side. It has been logged.")
        if _is_api(request):
            return api_errors.problem(500, "Internal error", message)
        return web_errors.page_for_error(request, 500, "Internal error", message)


def configure_logging(settings: Settings) -> None:
    """Structured logs to stderr (JSON in production when asked)."""
    level = getattr(logging, settings.log_level.upper(), logging.INFO)
    logging.basicConfig(level=level, format="%(message)s")
    renderer: Any = (
        structlog.processors.JSONRenderer() if settings.log_json else structlog.dev.ConsoleRenderer()
    )
    structlog.configure(
        processors=[
            structlog.processors.add_log_level,
            structlog.processors.TimeStamper(fmt="iso"),
            structlog.processors.format_exc_info,
            renderer,
        ],
        wrapper_class=structlog.make_filtering_bound_logger(level),
    )


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    """What runs beside the requests: the live-updates broker (connected at start, closed at stop)."""
    broker.start(app.state.settings)
    broker.close_streams_on_exit()
    try:
        yield
    finally:
        broker.stop()


def create_app(settings: Settings | None = None, database: Database | None = None) -> FastAPI:
    """Build the Proxima application: API, pages, static files, middleware and error handlers."""
    settings = settings or get_settings()
    configure_logging(settings)
    app = FastAPI(
        title="Proxima",
        version="0.1.0",
        openapi_url="/api/openapi.json",
        docs_url="/api/docs",
        redoc_url=None,
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.db = database or Database(settings)
    engagement.configure(settings)
    app.add_middleware(RequestContext)
    _install_error_handlers(app)

    @app.get("/healthz", include_in_schema=False)
    def healthz() -> dict[str, str]:
        """Liveness and database reachability, for load balancers and the container healthcheck."""
        with app.state.db.session(write=False) as db:
            db.execute(text("SELECT 1"))
        return {"status": "ok"}

    app.include_router(api_router, prefix="/api/v1")
    app.include_router(web_router)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    return app
