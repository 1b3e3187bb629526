"""Notification preferences (page and API), community watch levels, and the one-click unsubscribe."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from app.models import User
from app.services import digests, notifications
from app.settings import Settings
from tests.factories import Factory, csrf_from

DEFAULTS = {str(t): str(c) for t, c in notifications.DEFAULT_CHANNELS.items()}


def _checked(page: str) -> dict[str, str]:
    """Which channel each type's radio button shows as chosen."""
    return dict(re.findall(r'name="(\w+)" value="(\w+)"\s+checked', page))


def _mentions_of(client: TestClient) -> list[dict[str, object]]:
    items = client.get("/api/v1/notifications").json()["items"]
    return [n for n in items if n["type"] == "mention"]


def test_every_type_has_a_label_on_the_settings_page() -> None:
    assert set(digests.TYPE_LABELS) == set(notifications.DEFAULT_CHANNELS)


def test_the_api_reads_and_changes_channels_and_refuses_unknown_values(factory: Factory) -> None:
    api = factory.api(factory.person("Amélie Durand"))
    assert api.get("/api/v1/notifications/preferences").json() == DEFAULTS

    changed = api.put("/api/v1/notifications/preferences", json={"mention": "email", "like": "off"})
    assert changed.status_code == 200
    assert changed.json() == {**DEFAULTS, "mention": "email", "like": "off"}

    for body in ({"mention": "sometimes", "comment": "weekly"}, {"nope": "app"}, {"mention": 3}, ["x"]):
        refused = api.put("/api/v1/notifications/preferences", json=body)
        assert refused.status_code == 422, body
        assert refused.headers["content-type"].startswith("application/problem+json")
        assert refused.json()["errors"]
    assert (
        api.put("/api/v1/notifications/preferences", json={"nope": "app"}).json()["errors"][0]["field"]
        == "nope"
    )
    # nothing of a refused body was kept
    assert api.get("/api/v1/notifications/preferences").json() == {
        **DEFAULTS,
        "mention": "email",
        "like": "off",
    }
    assert TestClient(factory.app).get("/api/v1/notifications/preferences").status_code == 401


def test_the_settings_page_saves_a_channel_per_type(factory: Factory) -> None:
    amelie = factory.person("Amélie Durand")
    browser = factory.browser(amelie)
    assert 'href="/settings/notifications"' in browser.get("/settings").text
    page = browser.get("/settings/notifications")
    assert page.status_code == 200
    assert "Mentions of me" in page.text and "Weekly digest" in page.text
    assert _checked(page.text) == DEFAULTS

    saved = browser.post(
        "/settings/notifications",
        data={**DEFAULTS, "mention": "email", "community_post": "weekly", "csrf_token": csrf_from(page.text)},
        follow_redirects=False,
    )
    assert saved.status_code == 303
    again = browser.get(saved.headers["location"])
    assert "Your notification settings are saved." in again.text
    assert _checked(again.text) == {**DEFAULTS, "mention": "email", "community_post": "weekly"}
    assert factory.api(amelie).get("/api/v1/notifications/preferences").json()["mention"] == "email"


def test_a_bad_channel_shows_beside_its_row_and_nothing_is_saved(factory: Factory) -> None:
    amelie = factory.person("Amélie Durand")
    browser = factory.browser(amelie)
    token = csrf_from(browser.get("/settings/notifications").text)
    response = browser.post(
        "/settings/notifications",
        data={**DEFAULTS, "comment": "weekly", "mention": "carrier-pigeon", "csrf_token": token},
    )
    assert response.status_code == 422
    assert 'id="mention-error"' in response.text and "Choose one of the offered channels." in response.text
    assert _checked(response.text)["comment"] == "weekly"  # what was chosen is kept on the form
    assert factory.api(amelie).get("/api/v1/notifications/preferences").json() == DEFAULTS
    # without the CSRF token the form is refused
    assert browser.post("/settings/notifications", data={"mention": "off"}).status_code == 403


def test_a_type_turned_off_creates_no_notification_at_all(factory: Factory) -> None:
    amelie = factory.person("Amélie Durand")
    author = factory.api(factory.person("Léa Petit"))
    browser = factory.browser(amelie)
    token = csrf_from(browser.get("/settings/notifications").text)
    browser.post("/settings/notifications", data={**DEFAULTS, "mention": "off", "csrf_token": token})

    author.post("/api/v1/posts", json={"kind": "status", "body": f"Thanks @{amelie.handle}"})
    assert _mentions_of(factory.api(amelie)) == []

    factory.api(amelie).put("/api/v1/notifications/preferences", json={"mention": "app"})
    author.post("/api/v1/posts", json={"kind": "status", "body": f"Thanks again @{amelie.handle}"})
    assert len(_mentions_of(factory.api(amelie))) == 1


def test_the_page_lists_ones_communities_and_changes_their_watch_level(factory: Factory) -> None:
    amelie = factory.person("Amélie Durand")
    manager = factory.api(factory.person("Léa Petit"))
    slug = manager.post(
        "/api/v1/communities", json={"name": "Cyclists", "description": "By bike", "visibility": "public"}
    ).json()["slug"]
    other = manager.post(
        "/api/v1/communities", json={"name": "Chess club", "description": "x", "visibility": "public"}
    ).json()["slug"]
    assert factory.api(amelie).post(f"/api/v1/communities/{slug}/join").status_code == 200
    browser = factory.browser(amelie)
    page = browser.get("/settings/notifications")
    assert "Cyclists" in page.text and "Chess club" not in page.text
    field = re.search(r'<select id="(watch-\d+)"', page.text)
    assert field is not None
    assert re.search(r'<option value="mentions" selected>', page.text)

    token = csrf_from(page.text)
    bad = browser.post(
        "/settings/notifications/communities", data={field.group(1): "loud", "csrf_token": token}
    )
    assert bad.status_code == 422 and f'id="{field.group(1)}-error"' in bad.text
    saved = browser.post(
        "/settings/notifications/communities",
        data={field.group(1): "muted", "watch-999999": "all", "csrf_token": token},
    )
    assert saved.status_code == 200 and "How you follow your communities is saved." in saved.text
    assert re.search(r'<option value="muted" selected>', saved.text)
    assert other not in saved.text

    # muted: a new post mentioning her there tells her nothing
    manager.post(
        "/api/v1/posts", json={"kind": "status", "body": f"Ride @{amelie.handle}", "community": slug}
    )
    assert _mentions_of(factory.api(amelie)) == []


def test_french_settings_page(factory: Factory) -> None:
    amelie = factory.person("Amélie Durand", locale="fr")
    page = factory.browser(amelie).get("/settings/notifications").text
    assert '<html lang="fr">' in page
    for french in (
        "Réglages des notifications",
        "Mentions de mon nom",
        "Résumé hebdomadaire",
        "Vos communautés",
    ):
        assert french in page
    assert "Weekly digest" not in page and "Your communities" not in page


def _unsubscribe_path(settings: Settings, person: User) -> str:
    return "/unsubscribe/" + digests.unsubscribe_token(settings, person.id)


def test_one_click_unsubscribe_needs_no_session_and_get_changes_nothing(
    factory: Factory, settings: Settings
) -> None:
    amelie = factory.person("Amélie Durand", locale="fr")
    api = factory.api(amelie)
    api.put("/api/v1/notifications/preferences", json={"like": "weekly", "comment": "email"})
    path = _unsubscribe_path(settings, amelie)
    stranger = TestClient(factory.app)  # a mail client: no cookie, no CSRF token

    shown = stranger.get(path)
    assert shown.status_code == 200
    assert '<html lang="fr">' in shown.text and f'action="{path}"' in shown.text
    assert api.get("/api/v1/notifications/preferences").json()["like"] == "weekly"  # GET changed nothing

    done = stranger.post(
        path,
        content=b"List-Unsubscribe=One-Click",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert done.status_code == 200 and "Amélie Durand" in done.text
    after = api.get("/api/v1/notifications/preferences").json()
    assert not {channel for channel in after.values()} & {"email", "daily", "weekly"}
    assert after == {**DEFAULTS, **{t: "app" for t, c in DEFAULTS.items() if c != "off"}}
    # twice is harmless
    assert stranger.post(path, data={"List-Unsubscribe": "One-Click"}).status_code == 200


def test_a_tampered_unsubscribe_link_is_refused(factory: Factory, settings: Settings) -> None:
    amelie = factory.person("Amélie Durand")
    ben = factory.person("Ben Carter")
    path = _unsubscribe_path(settings, amelie)
    forged = path.replace(f"/{amelie.id}.", f"/{ben.id}.")
    stranger = TestClient(factory.app)
    for bad in (forged, path[:-2], "/unsubscribe/nothing", f"/unsubscribe/{ben.id}"):
        assert stranger.get(bad).status_code == 404, bad
        assert stranger.post(bad, data={"List-Unsubscribe": "One-Click"}).status_code == 404, bad
    assert factory.api(ben).get("/api/v1/notifications/preferences").json() == DEFAULTS
    assert factory.api(amelie).get("/api/v1/notifications/preferences").json() == DEFAULTS
