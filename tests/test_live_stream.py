"""Live updates: the /events stream tells a signed-in person what changed for them, and nothing else.

The streams run against a real server (uvicorn on a thread of the test process, the in-process
broker) because a stream never ends; the actions go through the usual test clients.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient

from app.db import Database
from app.main import create_app
from app.services import broker
from app.settings import Settings
from tests.factories import Factory
from tests.live_helpers import SESSION_COOKIE, EventStream, LiveServer, serve_in_thread, wait_until


@pytest.fixture(scope="module")
def live(settings: Settings, database: Database) -> Iterator[LiveServer]:
    """The application on a real server, with quick heartbeats."""
    app = create_app(
        settings.model_copy(update={"live_broker": "memory", "live_heartbeat_seconds": 0.3}), database
    )
    with serve_in_thread(app) as server:
        yield server


def stream_for(live: LiveServer, browser: TestClient, query: str = "", **headers: str) -> EventStream:
    """The stream a page of this signed-in browser opens."""
    cookie = browser.cookies.get(SESSION_COOKIE)
    assert cookie, "the browser is not signed in"
    headers["Cookie"] = f"{SESSION_COOKIE}={cookie}"
    return EventStream(f"{live.base_url}/events{query}", headers=headers)


def opened(stream: EventStream) -> EventStream:
    """Open the stream and check the retry hint that starts it."""
    stream.open()
    assert stream.status == 200
    assert stream.next().get("retry") == "5000"
    return stream


def share(api: TestClient, body: str = "Hello everyone", **fields: Any) -> dict[str, Any]:
    response = api.post("/api/v1/posts", json={"kind": "status", "body": body, **fields})
    assert response.status_code == 201, response.text
    result: dict[str, Any] = response.json()
    return result


def comment(api: TestClient, post_id: int, body: str = "Nice one") -> int:
    response = api.post(f"/api/v1/posts/{post_id}/comments", json={"body": body})
    assert response.status_code == 201, response.text
    return int(response.json()["id"])


def secret_community(api: TestClient, name: str = "Board room") -> str:
    response = api.post(
        "/api/v1/communities", json={"name": name, "description": "Quiet.", "visibility": "secret"}
    )
    assert response.status_code == 201, response.text
    return str(response.json()["slug"])


def test_the_stream_needs_a_signed_in_person(client: TestClient) -> None:
    page = client.get("/events", follow_redirects=False)
    assert page.status_code == 303
    assert page.headers["location"].startswith("/login")
    api = client.get("/api/v1/events")
    assert api.status_code == 401
    assert api.headers["content-type"].startswith("application/problem+json")


def test_a_page_of_a_signed_in_person_holds_one_stream(factory: Factory) -> None:
    browser = factory.browser(factory.person("Ada"))
    home = browser.get("/").text
    assert 'hx-ext="sse"' in home
    assert 'sse-connect="/events"' in home
    assert "vendor/htmx-ext-sse/sse-2.2.4.min.js" in home
    assert 'hx-trigger="sse:feed' in home  # the "N new posts" indicator re-checks on each event
    post = share(factory.api(factory.person("Bob")))
    page = browser.get(f"/posts/{post['id']}").text
    assert f'sse-connect="/events?post={post["id"]}"' in page
    assert 'hx-trigger="sse:comment' in page
    assert "sse-connect" not in TestClient(factory.app).get("/login").text


def test_the_viewer_hears_of_colleagues_posts_comments_and_mentions(
    live: LiveServer, factory: Factory
) -> None:
    ada, bob = factory.person("Ada Lovelace"), factory.person("Bob")
    ada_browser, ada_api, bob_api = factory.browser(ada), factory.api(ada), factory.api(bob)
    post = share(bob_api, "A question for the team")
    with opened(stream_for(live, ada_browser, f"?post={post['id']}")) as stream:
        assert stream.response_headers is not None
        assert stream.response_headers["content-type"].startswith("text/event-stream")
        assert stream.response_headers["x-accel-buffering"] == "no"
        assert stream.response_headers["cache-control"] == "no-cache"

        share(ada_api, "My own post is no news to me")
        share(bob_api, "Lunch at noon")
        feed = stream.next_named("feed")
        assert json.loads(feed["data"]) == {}  # where or what is never said: the page re-fetches
        assert [e for e in stream.drain(0.5) if e.get("event") == "feed"] == []

        comment_id = comment(bob_api, post["id"])
        event = stream.next_named("comment")
        assert json.loads(event["data"]) == {"comment_id": comment_id}

        share(bob_api, f"Thanks @{ada.handle} for the review")
        assert stream.next_named("notifications")

        ids = [int(e["id"]) for e in (feed, event)]
        assert ids == sorted(ids)


def test_a_secret_community_stays_silent_to_non_members(live: LiveServer, factory: Factory) -> None:
    owner, member, outsider = factory.person("Owner"), factory.person("Member"), factory.person("Outsider")
    owner_api = factory.api(owner)
    slug = secret_community(owner_api)
    added = owner_api.put(f"/api/v1/communities/{slug}/members/{member.id}")
    assert added.status_code == 204, added.text
    with (
        opened(stream_for(live, factory.browser(outsider))) as outside,
        opened(stream_for(live, factory.browser(member))) as inside,
    ):
        share(owner_api, "Board minutes", community=slug)
        share(owner_api, "Company news")
        # events arrive in order: the outsider's only feed event is the company-wide post
        assert outside.next_named("feed")
        assert [e for e in outside.drain(0.6) if e.get("event") == "feed"] == []
        assert inside.next_named("feed")
        assert inside.next_named("feed")


def test_a_post_the_viewer_may_not_read_tells_nothing(live: LiveServer, factory: Factory) -> None:
    owner, outsider = factory.person("Owner"), factory.person("Outsider")
    owner_api = factory.api(owner)
    secret_post = share(owner_api, "Board minutes", community=secret_community(owner_api))
    open_post = share(owner_api, "Open to all")
    query = f"?post={secret_post['id']}&post={open_post['id']}&post=999999"
    with opened(stream_for(live, factory.browser(outsider), query)) as stream:
        comment(owner_api, secret_post["id"], "Confidential")
        visible = comment(owner_api, open_post["id"], "Public remark")
        heard = [stream.next_named("comment")] + [e for e in stream.drain(0.6) if e.get("event") == "comment"]
    assert [json.loads(e["data"]) for e in heard] == [{"comment_id": visible}]


def test_a_reconnection_with_last_event_id_gets_a_catch_up(live: LiveServer, factory: Factory) -> None:
    browser = factory.browser(factory.person("Ada"))
    with opened(stream_for(live, browser)) as first:
        first.drain(0.4)
        assert [e for e in first.drain(0.4) if "event" in e] == []  # a new page needs no catch-up
        assert first.pings >= 1  # heartbeats keep proxies from closing an idle stream
    with opened(stream_for(live, browser, **{"Last-Event-ID": "1795515644439899"})) as again:
        names = [again.next().get("event"), again.next().get("event")]
    assert names == ["notifications", "feed"]  # the bell and the "new posts" count re-fetch


def test_an_open_stream_holds_no_database_connection(
    live: LiveServer, factory: Factory, database: Database, settings: Settings
) -> None:
    browser = factory.browser(factory.person("Ada"))
    pool = database.engine.pool
    streams = [stream_for(live, browser) for _ in range(settings.db_pool_size + 3)]
    try:
        for stream in streams:
            opened(stream)  # more streams than pooled connections: each answered
        assert pool.checkedout() == 0  # type: ignore[attr-defined]
        assert broker.local.connections() == len(streams)
    finally:
        for stream in streams:
            stream.close()
    wait_until(lambda: broker.local.connections() == 0, what="every stream unsubscribed")


def test_beyond_the_cap_the_server_asks_to_come_back(live: LiveServer, factory: Factory) -> None:
    browser = factory.browser(factory.person("Ada"))
    cookie = {"Cookie": f"{SESSION_COOKIE}={browser.cookies.get(SESSION_COOKIE)}"}
    settings: Settings = live.app.state.settings
    settings.live_max_connections = 1
    try:
        with opened(stream_for(live, browser)):
            refused = httpx.get(f"{live.base_url}/events", headers=cookie, timeout=5)
            assert refused.status_code == 503
            assert refused.headers["retry-after"] == "30"
    finally:
        settings.live_max_connections = 5000


def test_streams_end_when_the_server_stops_and_resync_after_an_outage(
    live: LiveServer, factory: Factory
) -> None:
    browser = factory.browser(factory.person("Ada"))
    with opened(stream_for(live, browser)) as stream:
        broker.local.broadcast(broker.RESYNC)  # what the bus does once it is back
        assert [stream.next().get("event"), stream.next().get("event")] == ["notifications", "feed"]
        broker.local.broadcast(broker.CLOSE)  # what SIGTERM does before the server drains
        assert stream.ended.wait(5)


def test_bad_post_ids_are_refused_not_crashed(client: TestClient, factory: Factory) -> None:
    browser = factory.browser(factory.person("Ada"))
    assert browser.get("/events?post=abc").status_code == 422
