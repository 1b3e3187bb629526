"""Live updates in a real browser: the "new posts" pill, the bell and a post's comments change without
a reload, and a live reload of the comments keeps what the person is typing.

The system Chromium through Playwright, against the test application served on a thread; skipped
without Chromium (failed instead where PROXIMA_REQUIRE_BROWSER=1, as in .ci/run).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI

from app.services import broker
from tests.factories import PASSWORD, Factory
from tests.live_helpers import LiveServer, serve_in_thread, wait_until

pytestmark = pytest.mark.browser

CHROMIUM = Path("/usr/bin/chromium")


@pytest.fixture(scope="module")
def chromium() -> Iterator[Any]:
    """The system Chromium, headless."""
    reason = ""
    if not CHROMIUM.exists():
        reason = f"{CHROMIUM} is not installed"
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        reason = "playwright is not installed"
    if reason:
        if os.environ.get("PROXIMA_REQUIRE_BROWSER") == "1":
            pytest.fail(f"{reason} (PROXIMA_REQUIRE_BROWSER=1)", pytrace=False)
        pytest.skip(reason)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=str(CHROMIUM), args=["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"]
        )
        yield browser
        browser.close()


@pytest.fixture(scope="module")
def live(app: FastAPI) -> Iterator[LiveServer]:
    with serve_in_thread(app) as server:
        yield server


def test_the_page_updates_itself_as_colleagues_post_and_comment(
    chromium: Any, live: LiveServer, factory: Factory
) -> None:
    ada, bob = factory.person("Ada Lovelace"), factory.person("Bob Builder")
    ada_api, bob_api = factory.api(ada), factory.api(bob)
    assert ada_api.put(f"/api/v1/users/{bob.id}/follow").status_code == 204
    page = chromium.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(f"{live.base_url}/login")
    page.fill("input[name=email]", ada.email)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live.base_url}/")
    wait_until(lambda: broker.local.connections() == 1, what="the home page's stream")
    page.wait_for_selector('#bell:not([hx-trigger*="load"])')  # the bell's first load has settled

    post = bob_api.post("/api/v1/posts", json={"kind": "status", "body": f"Welcome @{ada.handle}"}).json()
    pill = page.wait_for_selector(".new-posts-pill", timeout=10_000)
    assert "1 new post" in pill.inner_text()
    assert page.wait_for_selector("#bell .bell-count", timeout=10_000).inner_text() == "1"  # the mention

    page.goto(f"{live.base_url}/posts/{post['id']}")
    wait_until(lambda: broker.local.connections() == 1, what="the post page's stream")
    first = bob_api.post(f"/api/v1/posts/{post['id']}/comments", json={"body": "First!"}).json()["id"]
    page.wait_for_selector(f"#comment-{first}", timeout=10_000)
    assert "1 comment" in page.inner_text("#comments-title")

    page.click(f"button[data-reply-to=reply-box-{first}]")
    page.keyboard.type("Half-written reply")
    second = bob_api.post(f"/api/v1/posts/{post['id']}/comments", json={"body": "Second"}).json()["id"]
    page.wait_for_selector(f"#comment-{second}", timeout=10_000)
    assert "2 comments" in page.inner_text("#comments-title")
    assert errors == []  # no CSP violation, no script error
    kept = page.evaluate(
        "id => [document.getElementById(id).value, document.activeElement.id]", f"reply-{first}"
    )
    assert kept == ["Half-written reply", f"reply-{first}"]

    page.click(f"#reply-box-{first} button[type=submit]")  # once sent, the reply box starts afresh
    page.wait_for_selector(".comment-reply", timeout=10_000)
    assert page.evaluate("id => document.getElementById(id).value", f"reply-{first}") == ""
    assert errors == []
    page.close()
