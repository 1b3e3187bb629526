"""The line manager's "My team" page: the team's adoption in aggregate and what to do next."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from fastapi import Request
from fastapi.responses import Response
from sqlalchemy import inspect

from app.deps import DB, AppSettings, CurrentUser
from app.models import User
from app.models.base import utcnow
from app.services import engagement, teams
from app.web import charts
from app.web.engagement import stage_words
from app.web.htmx import render
from app.web.pages import page_router
from app.web.templating import ENV

router = page_router()


@router.get("/team")
def my_team(request: Request, db: DB, settings: AppSettings, viewer: CurrentUser) -> Response:
    """The viewer's direct reports: the funnel and its trend when the team is large enough, the
    members (never their stage), and suggested actions; 404 for a person without reports."""
    view = teams.team_view(db, viewer=viewer, threshold=settings.group_threshold)
    trend = [(w.week, w.cells) for w in view.trend]
    return render(
        request,
        "teams/index.html",
        {
            "team": view,
            "bars": charts.bars(view.stages) if view.stages is not None and not view.suppressed else [],
            "chart": charts.lines(trend) if trend else None,
            "order": charts.STAGE_ORDER,
            "words": stage_words(engagement.current_rules()),
        },
    )


# whether a person has reports, for the account menu on every page: kept a minute per process so
# that pages do not spend a statement on it (the /team page itself always reads the directory)
_MENU_TTL = timedelta(seconds=60)
_menu_cache: dict[tuple[int, datetime | None], tuple[bool, datetime]] = {}


def has_team(request: Request) -> bool:
    """For the user menu: whether the signed-in person has direct reports."""
    caller = getattr(request.state, "caller", None)
    user: User | None = getattr(caller, "user", None)
    if user is None:
        return False
    state = inspect(user)
    # ids can be reused by another account, never with its creation instant
    key = (state.identity[0] if state.identity else 0, state.dict.get("created_at"))
    now = utcnow()
    cached = _menu_cache.get(key)
    if cached is not None and cached[1] > now:
        return cached[0]
    session = state.session
    if session is None or key[1] is None:
        return False  # an error page after the unit of work ended: no menu link rather than a query
    found = teams.has_reports(session, user_id=key[0])
    if len(_menu_cache) > 10_000:
        _menu_cache.clear()
    _menu_cache[key] = (found, now + _MENU_TTL)
    return found


def _register(env: Any) -> None:
    env.globals["has_team"] = has_team


_register(ENV)
