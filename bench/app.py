"""The benchmark's server: the real application plus a "bare" directory page with no database."""

from __future__ import annotations

from types import SimpleNamespace

from fastapi import FastAPI, Request
from fastapi.responses import Response

from app.main import create_app
from app.settings import Settings
from app.web.htmx import render

BARE_PATH = "/_bench/bare"
BARE_PEOPLE = 30
DEPARTMENTS = ["Customer Success", "Engineering", "Finance", "Human Resources", "Marketing", "Sales"]
SITES = ["London", "Lyon", "Paris"]
TAGS = ["python", "kubernetes", "data science", "covoiturage", "management", "devops"]


def bare_people(count: int = BARE_PEOPLE) -> list[SimpleNamespace]:
    """In-memory people with the attributes a person card reads."""
    return [
        SimpleNamespace(
            id=1000 + i,
            handle=f"person.{i:02d}",
            display_name=f"Person Number{i:02d}",
            job_title="Software engineer" if i % 3 else None,
            department=DEPARTMENTS[i % len(DEPARTMENTS)],
            site=SITES[i % len(SITES)],
            photo_id=None,
        )
        for i in range(count)
    ]


def bare_context() -> dict[str, object]:
    """The directory template's context, built once from plain objects (no database)."""
    people = bare_people()
    return {
        "people": people,
        "next_cursor": None,
        "filters": {"q": "", "tag": "", "department": "", "site": ""},
        "departments": DEPARTMENTS,
        "sites": SITES,
        "tag_map": {p.id: TAGS[: 1 + p.id % 5] for p in people},
        "following_ids": set(),
        "viewer": SimpleNamespace(
            id=1,
            display_name="Bench Viewer",
            handle="bench.viewer",
            email="bench.viewer@proxima.example",
            photo_id=None,
            roles=("employee",),
        ),
    }


def create_bench_app(settings: Settings | None = None) -> FastAPI:
    """The real Proxima app (settings from the environment by default) plus GET /_bench/bare."""
    app = create_app(settings)
    context = bare_context()

    @app.get(BARE_PATH, include_in_schema=False)
    def bare_page(request: Request) -> Response:
        """The directory template with 30 in-memory people: the cost of the stack and the rendering."""
        return render(request, "people/directory.html", context)

    return app
