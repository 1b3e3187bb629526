"""The home page."""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import RedirectResponse, Response

from app.deps import DB, OptionalCaller
from app.services import directory, tags, users
from app.web.htmx import render
from app.web.pages import page_router

router = page_router()


@router.get("/")
def home(request: Request, db: DB, caller: OptionalCaller) -> Response:
    """Welcome: what to complete in one's profile and colleagues worth meeting."""
    if caller is None:
        return RedirectResponse("/login", status_code=303)
    user = caller.user
    checklist = users.profile_checklist(db, user=user)
    meet = directory.colleagues_to_meet(db, viewer=user)
    return render(
        request,
        "home/index.html",
        {
            "checklist": checklist,
            "done": sum(item.done for item in checklist),
            "meet": meet,
            "meet_tags": tags.tags_of(db, [p.id for p in meet]),
            "followers_following": users.follow_counts(db, user=user),
            "my_tags": tags.tags_of(db, [user.id])[user.id],
        },
    )
