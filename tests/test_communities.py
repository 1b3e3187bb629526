"""Communities: creating, joining with a charter, requests, members, managers, pins, archive, pages."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.factories import Factory, csrf_from


def _community(api: TestClient, **body: object) -> dict:
    response = api.post(
        "/api/v1/communities", json={"name": "Covoiturage Lyon", "visibility": "public", **body}
    )
    assert response.status_code == 201, response.text
    return response.json()


def test_create_has_the_contract_shape_and_the_creator_manages(factory: Factory) -> None:
    api = factory.api(factory.person())
    community = _community(api, description="Partager la route", charter="Be kind.")
    assert community["slug"] == "covoiturage-lyon" and community["member_count"] == 1
    assert community["visibility"] == "public" and community["my_role"] == "manager"
    again = api.post("/api/v1/communities", json={"name": "covoiturage lyon", "visibility": "public"})
    assert again.status_code == 422 and again.json()["errors"][0]["field"] == "name"
    bad = api.post("/api/v1/communities", json={"name": "x", "visibility": "hidden"})
    assert {e["field"] for e in bad.json()["errors"]} == {"name", "visibility"}


def test_joining_a_public_community_and_its_charter(factory: Factory) -> None:
    owner, joiner = factory.person(), factory.person()
    slug = _community(factory.api(owner), charter="Respect.")["slug"]
    api = factory.api(joiner)
    refused = api.post(f"/api/v1/communities/{slug}/join", json={"accept_charter": False})
    assert refused.status_code == 422
    assert api.post(f"/api/v1/communities/{slug}/join").json() == {"status": "member"}
    assert api.post(f"/api/v1/communities/{slug}/join").json() == {"status": "member"}
    assert api.get(f"/api/v1/communities/{slug}").json()["member_count"] == 2
    browser = factory.browser(factory.person())
    page = browser.get(f"/communities/{slug}").text
    token = csrf_from(page)
    assert "I accept the charter" in page
    no_tick = browser.post(f"/communities/{slug}/join", data={"csrf_token": token})
    assert no_tick.status_code == 422 and "Accept the charter to join." in no_tick.text
    ok = browser.post(
        f"/communities/{slug}/join", data={"csrf_token": token, "accept_charter": "1"}, follow_redirects=False
    )
    assert ok.status_code == 303


def test_managers_run_members_requests_and_managers(factory: Factory) -> None:
    owner, asker, helper = factory.person("Owner"), factory.person("Asker"), factory.person("Helper")
    o_api = factory.api(owner)
    slug = _community(o_api, visibility="private", name="Finance club")["slug"]
    factory.api(asker).post(f"/api/v1/communities/{slug}/join")
    assert o_api.post(f"/api/v1/communities/{slug}/requests/{asker.id}/reject").status_code == 204
    assert factory.api(asker).get(f"/api/v1/communities/{slug}").json()["my_status"] is None
    o_api.put(f"/api/v1/communities/{slug}/members/{helper.id}")
    assert factory.api(helper).put(f"/api/v1/communities/{slug}/members/{asker.id}").status_code == 403
    assert o_api.put(f"/api/v1/communities/{slug}/managers/{helper.id}").status_code == 204
    assert factory.api(helper).put(f"/api/v1/communities/{slug}/members/{asker.id}").status_code == 204
    assert factory.api(asker).delete(f"/api/v1/communities/{slug}/members/{asker.id}").status_code == 204
    assert o_api.delete(f"/api/v1/communities/{slug}/managers/{helper.id}").status_code == 204
    assert o_api.delete(f"/api/v1/communities/{slug}/managers/{owner.id}").status_code == 409  # one remains
    members = o_api.get(f"/api/v1/communities/{slug}/members").json()["items"]
    assert {m["user"]["id"]: m["role"] for m in members} == {owner.id: "manager", helper.id: "member"}


def test_members_page_for_managers(factory: Factory) -> None:
    owner, asker = factory.person("Owner"), factory.person("Asker Person")
    slug = _community(factory.api(owner), visibility="private", name="Finance club")["slug"]
    factory.api(asker).post(f"/api/v1/communities/{slug}/join")
    browser = factory.browser(owner)
    page = browser.get(f"/communities/{slug}/members").text
    assert "Requests to join" in page and "Asker Person" in page
    token = csrf_from(page)
    browser.post(f"/communities/{slug}/requests/{asker.id}/approve", data={"csrf_token": token})
    assert factory.api(asker).get(f"/api/v1/communities/{slug}").json()["my_status"] == "member"
    unknown = browser.post(
        f"/communities/{slug}/members", data={"csrf_token": token, "person": "Nobody Here"}
    )
    assert unknown.status_code == 422 and 'id="person-error"' in unknown.text


def test_pins_at_most_three_and_archive_makes_it_read_only(factory: Factory) -> None:
    owner, member = factory.person(), factory.person()
    o_api, m_api = factory.api(owner), factory.api(member)
    slug = _community(o_api)["slug"]
    m_api.post(f"/api/v1/communities/{slug}/join")
    ids = [
        o_api.post("/api/v1/posts", json={"kind": "status", "body": f"n{n}", "community": slug}).json()["id"]
        for n in range(4)
    ]
    assert m_api.put(f"/api/v1/posts/{ids[0]}/pin").status_code == 403
    for post_id in ids[:3]:
        assert o_api.put(f"/api/v1/posts/{post_id}/pin").status_code == 204
    assert o_api.put(f"/api/v1/posts/{ids[3]}/pin").status_code == 409
    assert o_api.get(f"/api/v1/posts/{ids[0]}").json()["pinned"] is True
    page = factory.browser(member).get(f"/communities/{slug}").text
    assert page.count("post-pinned") == 3
    assert o_api.patch(f"/api/v1/communities/{slug}", json={"archived": True}).json()["archived"] is True
    assert (
        m_api.post("/api/v1/posts", json={"kind": "status", "body": "x", "community": slug}).status_code
        == 403
    )
    assert m_api.post(f"/api/v1/posts/{ids[1]}/comments", json={"body": "x"}).status_code == 403
    assert slug not in [c["slug"] for c in m_api.get("/api/v1/communities").json()["items"]]
    assert slug in [
        c["slug"] for c in m_api.get("/api/v1/communities", params={"archived": True}).json()["items"]
    ]


def test_only_members_post_in_a_community(factory: Factory) -> None:
    owner, outsider = factory.person(), factory.person()
    slug = _community(factory.api(owner))["slug"]
    response = factory.api(outsider).post(
        "/api/v1/posts", json={"kind": "status", "body": "x", "community": slug}
    )
    assert response.status_code == 403


def test_directory_filters_and_suggestions(factory: Factory) -> None:
    me = factory.person("Me", department="Finance")
    colleague = factory.person("Colleague", department="Finance")
    factory.api(me).put(f"/api/v1/users/{colleague.id}/follow")
    c_api = factory.api(colleague)
    _community(c_api, name="Excel tips")
    _community(c_api, name="Board", visibility="secret")
    suggestions = factory.api(me).get("/api/v1/communities/suggestions").json()["items"]
    assert [s["name"] for s in suggestions] == ["Excel tips"]
    assert "colleague" in suggestions[0]["reason"].lower()
    page = factory.browser(me).get("/communities").text
    assert "Excel tips" in page and "Board" not in page
    assert "Excel tips" in factory.browser(me).get("/communities", params={"q": "excel"}).text


def test_community_pages_render(factory: Factory) -> None:
    owner = factory.person()
    browser = factory.browser(owner)
    token = csrf_from(browser.get("/communities/new").text)
    bad = browser.post("/communities/new", data={"csrf_token": token, "name": "ab", "visibility": "public"})
    assert bad.status_code == 422 and 'id="name-error"' in bad.text
    created = browser.post(
        "/communities/new",
        data={
            "csrf_token": token,
            "name": "Mentorat inversé",
            "description": "Juniors teach seniors",
            "visibility": "public",
            "charter": "**Bienveillance**",
        },
        follow_redirects=False,
    )
    assert created.headers["location"] == "/communities/mentorat-inverse"
    page = browser.get("/communities/mentorat-inverse").text
    assert "<strong>Bienveillance</strong>" in page and 'id="composer"' in page
    assert browser.get("/communities/mentorat-inverse/edit").status_code == 200
    assert factory.browser(factory.person()).get("/communities/mentorat-inverse/edit").status_code == 403


def test_managers_give_the_community_a_cover(factory: Factory) -> None:
    from io import BytesIO

    from PIL import Image

    buf = BytesIO()
    Image.new("RGB", (1200, 400), (10, 150, 90)).save(buf, format="PNG")
    owner, member = factory.person(), factory.person()
    browser = factory.browser(owner)
    token = csrf_from(browser.get("/communities/new").text)
    browser.post(
        "/communities/new",
        data={"csrf_token": token, "name": "Green team", "visibility": "public"},
        files={"cover": ("cover.png", buf.getvalue(), "image/png")},
    )
    page = factory.browser(member).get("/communities/green-team").text
    assert 'class="community-cover"' in page and "/media/images/" in page
    refused = factory.browser(member).post(
        "/communities/green-team/edit",
        data={"csrf_token": csrf_from(page), "name": "Taken over", "visibility": "public"},
    )
    assert refused.status_code == 403
    bad = browser.post(
        "/communities/green-team/edit",
        data={"csrf_token": token, "name": "Green team", "visibility": "public"},
        files={"cover": ("x.png", b"nope", "image/png")},
    )
    assert bad.status_code == 422 and 'id="cover-error"' in bad.text
