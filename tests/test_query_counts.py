"""SQL statements per page: constant in the number of items and comments shown, and at most 6."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

from fastapi.testclient import TestClient
from sqlalchemy import event

from tests.factories import Factory

BUDGET = 6


@contextmanager
def count_statements(factory: Factory) -> Iterator[list[str]]:
    """Collect every SQL statement the application runs."""
    seen: list[str] = []

    def before(conn: object, cursor: object, statement: str, *args: object) -> None:
        if (
            not statement.lstrip()
            .upper()
            .startswith(("BEGIN", "COMMIT", "ROLLBACK", "PRAGMA", "SAVEPOINT", "RELEASE"))
        ):
            seen.append(statement)

    event.listen(factory.database.engine, "before_cursor_execute", before)
    try:
        yield seen
    finally:
        event.remove(factory.database.engine, "before_cursor_execute", before)


def _fill(factory: Factory, n: int) -> tuple[TestClient, str, int, str]:
    """A viewer, a community and a busy post, with n posts of every kind around them."""
    viewer = factory.person("Viewer")
    author = factory.person("Author")
    api = factory.api(author)
    slug = api.post("/api/v1/communities", json={"name": "Busy place", "visibility": "public"}).json()["slug"]
    factory.api(viewer).post(f"/api/v1/communities/{slug}/join")
    starts = (datetime.now(UTC) + timedelta(days=5)).isoformat()
    kinds = [
        {"kind": "status", "body": "status #a #b"},
        {"kind": "event", "title": "Meetup", "body": "x", "event": {"starts_at": starts, "location": "Lyon"}},
        {"kind": "poll", "body": "which?", "options": ["a", "b"]},
        {"kind": "question", "body": "why? #c"},
    ]
    first = None
    for i in range(n):
        for body in kinds:
            post = api.post("/api/v1/posts", json={**body, "community": slug}).json()
            first = first or post["id"]
            factory.api(viewer).put(f"/api/v1/posts/{post['id']}/like")
            api.post(f"/api/v1/posts/{post['id']}/comments", json={"body": f"comment {i}"})
    handle = api.get("/api/v1/users/me").json()["handle"]
    browser = factory.browser(viewer)
    browser.get("/")  # the first request of the day records the visit (a write of its own)
    return browser, slug, first or 0, handle


def _counts(factory: Factory, n: int) -> dict[str, int]:
    browser, slug, post_id, handle = _fill(factory, n)
    result = {}
    for name, url in {
        "feed": "/",
        "community": f"/communities/{slug}",
        "post": f"/posts/{post_id}",
        "profile": f"/people/{handle}",
    }.items():
        with count_statements(factory) as seen:
            assert browser.get(url).status_code == 200
        result[name] = len(seen)
    return result


def test_statement_counts_stay_constant_and_within_budget(factory: Factory) -> None:
    few = _counts(factory, 1)
    with factory.database.engine.begin():
        pass
    many = _counts_again(factory)
    assert few == many, (few, many)
    for page, count in many.items():
        assert count <= BUDGET, f"{page}: {count} statements"


def _counts_again(factory: Factory) -> dict[str, int]:
    from tests.conftest import _empty

    _empty(factory.database)
    return _counts(factory, 4)
