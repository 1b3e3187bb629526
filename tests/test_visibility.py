"""The visibility matrix: every path that shows posts or communities, for every kind of viewer."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from fastapi.testclient import TestClient

from tests.factories import Factory

VISIBILITIES = ["public", "private", "secret"]
VIEWERS = ["member", "non_member", "pending", "admin"]


@dataclass
class World:
    slug: str
    post_id: int
    author_id: int
    viewer: TestClient
    viewer_id: int


def _build(factory: Factory, visibility: str, viewer_kind: str) -> World:
    manager = factory.person("Mona Manager")
    author = factory.person("Arthur Author")
    viewer = factory.person("Vera Viewer", roles=("admin",) if viewer_kind == "admin" else ())
    m_api, a_api, v_api = factory.api(manager), factory.api(author), factory.api(viewer)
    community = m_api.post(
        "/api/v1/communities", json={"name": f"Club {visibility}", "visibility": visibility}
    )
    assert community.status_code == 201, community.text
    slug = community.json()["slug"]
    assert m_api.put(f"/api/v1/communities/{slug}/members/{author.id}").status_code == 204
    if viewer_kind == "member":
        assert m_api.put(f"/api/v1/communities/{slug}/members/{viewer.id}").status_code == 204
    if viewer_kind == "pending" and visibility == "private":
        assert v_api.post(f"/api/v1/communities/{slug}/join").json() == {"status": "pending"}
    post = a_api.post(
        "/api/v1/posts",
        json={"kind": "status", "body": "Hush hush #confidentiel with @vera.viewer", "community": slug},
    )
    assert post.status_code == 201, post.text
    # the viewer follows the author, so the home feed would bring the post if it were visible
    assert v_api.put(f"/api/v1/users/{author.id}/follow").status_code == 204
    return World(slug, post.json()["id"], author.id, v_api, viewer.id)


def _sees_posts(visibility: str, viewer_kind: str) -> bool:
    return visibility == "public" or viewer_kind == "member"


def _sees_community(visibility: str, viewer_kind: str) -> bool:
    return visibility != "secret" or viewer_kind == "member"


@pytest.mark.parametrize("visibility", VISIBILITIES)
@pytest.mark.parametrize("viewer_kind", VIEWERS)
def test_visibility_matrix(factory: Factory, visibility: str, viewer_kind: str) -> None:
    world = _build(factory, visibility, viewer_kind)
    api = world.viewer
    sees = _sees_posts(visibility, viewer_kind)
    knows = _sees_community(visibility, viewer_kind)

    # the community itself: its page, the directory
    assert api.get(f"/api/v1/communities/{world.slug}").status_code == (200 if knows else 404)
    listed = [c["slug"] for c in api.get("/api/v1/communities").json()["items"]]
    assert (world.slug in listed) == knows
    join = api.post(f"/api/v1/communities/{world.slug}/join")
    if not knows:
        assert join.status_code == 404

    # the post: by id, comments, likes
    assert api.get(f"/api/v1/posts/{world.post_id}").status_code == (200 if sees else 404)
    assert api.put(f"/api/v1/posts/{world.post_id}/like").status_code == (204 if sees else 404)
    assert api.post(f"/api/v1/posts/{world.post_id}/comments", json={"body": "hi"}).status_code == (
        201 if sees else 404
    )

    # every list that could carry it
    def ids(url: str) -> list[int]:
        response = api.get(url)
        return [p["id"] for p in response.json()["items"]] if response.status_code == 200 else []

    assert (world.post_id in ids("/api/v1/feed")) == sees
    assert (world.post_id in ids(f"/api/v1/communities/{world.slug}/posts")) == sees
    assert (world.post_id in ids(f"/api/v1/users/{world.author_id}/posts")) == sees
    assert (world.post_id in ids("/api/v1/tags/confidentiel/posts")) == sees
    tag = api.get("/api/v1/tags/confidentiel").json()
    assert tag["posts"] == (1 if sees else 0)
    trending = [t["name"] for t in api.get("/api/v1/trending").json()]
    assert ("confidentiel" in trending) == sees

    found = api.get("/api/v1/search", params={"q": "hush"}).json()
    assert (world.post_id in [p["id"] for p in found["posts"]]) == sees
    assert (
        world.slug
        in [c["slug"] for c in api.get("/api/v1/search", params={"q": "club"}).json()["communities"]]
    ) == knows

    # and the pages
    browser = factory.browser()
    browser.headers.update(api.headers)
    page = browser.get(f"/posts/{world.post_id}")
    assert page.status_code == (200 if sees else 404)
    community_page = browser.get(f"/communities/{world.slug}")
    assert community_page.status_code == (200 if knows else 404)
    assert ("Hush hush" in community_page.text) == sees
    assert ("Hush hush" in browser.get("/").text) == sees
    assert ("Hush hush" in browser.get("/tags/confidentiel").text) == sees
    assert ("Hush hush" in browser.get("/search", params={"q": "hush"}).text) == sees
    handle = api.get(f"/api/v1/users/{world.author_id}").json()["handle"]
    assert ("Hush hush" in browser.get(f"/people/{handle}").text) == sees


def test_a_pending_requester_is_told_and_becomes_a_member_when_approved(factory: Factory) -> None:
    manager, asker = factory.person("Mona Manager"), factory.person("Paul Pending")
    m_api, a_api = factory.api(manager), factory.api(asker)
    slug = m_api.post("/api/v1/communities", json={"name": "Private club", "visibility": "private"}).json()[
        "slug"
    ]
    m_api.post("/api/v1/posts", json={"kind": "status", "body": "members only", "community": slug})
    assert a_api.post(f"/api/v1/communities/{slug}/join").json() == {"status": "pending"}
    assert a_api.get(f"/api/v1/communities/{slug}/posts").json()["items"] == []
    assert a_api.post(f"/api/v1/communities/{slug}/requests/{asker.id}/approve").status_code == 403
    pending = m_api.get(f"/api/v1/communities/{slug}/members", params={"status": "pending"}).json()["items"]
    assert [m["user"]["id"] for m in pending] == [asker.id]
    assert m_api.post(f"/api/v1/communities/{slug}/requests/{asker.id}/approve").status_code == 204
    assert len(a_api.get(f"/api/v1/communities/{slug}/posts").json()["items"]) == 1
    assert a_api.get(f"/api/v1/communities/{slug}").json()["my_status"] == "member"


def test_secret_community_members_are_added_by_managers_only(factory: Factory) -> None:
    manager, outsider = factory.person("Mona Manager"), factory.person("Olga Outsider")
    m_api, o_api = factory.api(manager), factory.api(outsider)
    slug = m_api.post("/api/v1/communities", json={"name": "Board room", "visibility": "secret"}).json()[
        "slug"
    ]
    assert o_api.post(f"/api/v1/communities/{slug}/join").status_code == 404
    assert o_api.put(f"/api/v1/communities/{slug}/members/{outsider.id}").status_code == 404
    assert (
        o_api.post("/api/v1/posts", json={"kind": "status", "body": "x", "community": slug}).status_code
        == 404
    )
    assert m_api.put(f"/api/v1/communities/{slug}/members/{outsider.id}").status_code == 204
    assert o_api.get(f"/api/v1/communities/{slug}").status_code == 200


def test_mention_suggestions_inside_a_secret_community_stay_inside(factory: Factory) -> None:
    manager = factory.person("Mona Manager")
    factory.person("Olga Outsider")
    m_browser = factory.browser(manager)
    slug = (
        factory.api(manager)
        .post("/api/v1/communities", json={"name": "Board room", "visibility": "secret"})
        .json()["slug"]
    )
    inside = m_browser.get("/suggest/mentions", params={"q": "o", "community": slug}).text
    assert "Olga" not in inside
    everywhere = m_browser.get("/suggest/mentions", params={"q": "o"}).text
    assert "Olga" in everywhere
