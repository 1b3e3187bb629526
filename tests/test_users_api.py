"""The people API: accounts, profiles, the directory, the expert finder, follows."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from tests.factories import Factory


def _problem(response: object) -> dict:
    assert response.headers["content-type"].startswith("application/problem+json"), response.text  # type: ignore[attr-defined]
    body = response.json()  # type: ignore[attr-defined]
    assert {"type", "title", "status", "detail"} <= set(body)
    return body


def test_admin_creates_an_account_that_can_sign_in(factory: Factory) -> None:
    admin = factory.api(factory.person("Ada Admin", roles=("admin",)))
    manager = factory.person("Sophie Bernard", email="sophie.bernard@example.com")
    response = admin.post(
        "/api/v1/users",
        json={
            "email": " Jeanne.Dupont@Example.com ",
            "display_name": "Jeanne Dupont",
            "password": "a-good-password",
            "department": "Finance",
            "site": "Lyon",
            "job_title": "Contrôleuse de gestion",
            "manager_email": "sophie.bernard@example.com",
            "roles": ["hr"],
            "locale": "fr",
        },
    )
    assert response.status_code == 201, response.text
    user = response.json()
    assert user["email"] == "jeanne.dupont@example.com"
    assert user["handle"] == "jeanne.dupont"
    assert user["roles"] == ["employee", "hr"]
    assert user["manager"]["id"] == manager.id
    assert {"id", "display_name", "department", "site", "job_title", "tags", "bio"} <= set(user)
    token = TestClient(factory.app).post(
        "/api/v1/auth/token", json={"email": "jeanne.dupont@example.com", "password": "a-good-password"}
    )
    assert token.status_code == 201


def test_handles_are_unique(factory: Factory) -> None:
    admin = factory.api(factory.person(roles=("admin",)))
    first = admin.post("/api/v1/users", json={"email": "jean@a.example", "display_name": "Jean A"}).json()
    second = admin.post("/api/v1/users", json={"email": "jean@b.example", "display_name": "Jean B"}).json()
    assert first["handle"] == "jean" and second["handle"] == "jean2"


def test_only_admins_create_accounts(factory: Factory) -> None:
    employee = factory.api(factory.person())
    response = employee.post("/api/v1/users", json={"email": "x@example.com", "display_name": "X"})
    assert response.status_code == 403
    _problem(response)


def test_an_existing_email_is_a_conflict(factory: Factory) -> None:
    admin = factory.api(factory.person(roles=("admin",)))
    factory.person("Camille", email="camille@example.com")
    response = admin.post("/api/v1/users", json={"email": "CAMILLE@example.com", "display_name": "Other"})
    assert response.status_code == 409
    _problem(response)


def test_bad_fields_are_reported_one_by_one(factory: Factory) -> None:
    admin = factory.api(factory.person(roles=("admin",)))
    response = admin.post(
        "/api/v1/users",
        json={
            "email": "not-an-email",
            "display_name": " ",
            "roles": ["king"],
            "locale": "de",
            "password": "short",
        },
    )
    assert response.status_code == 422
    fields = {e["field"] for e in _problem(response)["errors"]}
    assert fields == {"email", "display_name", "roles", "locale", "password"}


@pytest.mark.parametrize(
    "body",
    [
        b"{not json",
        b'{"email": 1, "display_name": "X"}',
        b'{"email": "a@b.example", "display_name": false}',
        b"[]",
    ],
)
def test_malformed_bodies_are_422_problems(factory: Factory, body: bytes) -> None:
    admin = factory.api(factory.person(roles=("admin",)))
    response = admin.post("/api/v1/users", content=body, headers={"Content-Type": "application/json"})
    assert response.status_code == 422
    assert _problem(response)["errors"]


def test_without_credentials_the_api_answers_401(factory: Factory, client: TestClient) -> None:
    for method, url in (
        ("GET", "/api/v1/users/me"),
        ("GET", "/api/v1/users"),
        ("PUT", "/api/v1/users/1/follow"),
    ):
        response = client.request(method, url)
        assert response.status_code == 401
        _problem(response)


def test_me_and_profile_update_with_normalised_tags(factory: Factory) -> None:
    camille = factory.person("Camille Martin")
    api = factory.api(camille)
    response = api.patch(
        "/api/v1/users/me",
        json={
            "bio": "Data engineer. Ask me about pipelines.",
            "tags": ["  Machine   Learning ", "machine learning", "#Python", "Énergie", "energie", "SAP"],
            "locale": "fr",
            "languages": ["fr", "en"],
        },
    )
    assert response.status_code == 200, response.text
    me = response.json()
    assert me["tags"] == ["machine learning", "python", "énergie", "sap"]
    assert me["bio"] == "Data engineer. Ask me about pipelines."
    assert me["locale"] == "fr" and me["languages"] == ["fr", "en"]
    # only the fields sent change
    again = api.patch("/api/v1/users/me", json={"bio": "New bio"}).json()
    assert again["tags"] == me["tags"] and again["bio"] == "New bio"


def test_profile_update_refuses_bad_values_and_keeps_the_old_ones(factory: Factory) -> None:
    api = factory.api(factory.person())
    api.patch("/api/v1/users/me", json={"bio": "Before", "tags": ["python"]})
    response = api.patch(
        "/api/v1/users/me", json={"bio": "x" * 2001, "tags": ["ok", "<script>"], "locale": "xx"}
    )
    assert response.status_code == 422
    assert {e["field"] for e in _problem(response)["errors"]} == {"bio", "tags", "locale"}
    me = api.get("/api/v1/users/me").json()
    assert me["bio"] == "Before" and me["tags"] == ["python"]


def test_manager_links_cannot_loop(factory: Factory) -> None:
    boss = factory.person("Boss")
    report = factory.person("Report", manager_email=boss.email)
    boss_api = factory.api(boss)
    assert factory.api(report).get("/api/v1/users/me").json()["manager"]["id"] == boss.id
    response = boss_api.patch("/api/v1/users/me", json={"manager_id": report.id})
    assert response.status_code == 422
    assert _problem(response)["errors"][0]["field"] == "manager"
    assert boss_api.patch("/api/v1/users/me", json={"manager_id": boss.id}).status_code == 422


def test_a_colleague_profile_never_shows_their_stage(factory: Factory) -> None:
    camille, dominique = factory.person(), factory.person()
    profile = factory.api(camille).get(f"/api/v1/users/{dominique.id}").json()
    assert profile["id"] == dominique.id and "stage" not in profile and "password_hash" not in profile
    assert factory.api(camille).get("/api/v1/users/999999").status_code == 404


def test_directory_search_by_name_tag_department_and_site(factory: Factory) -> None:
    viewer = factory.person("Viewer Person", department="Sales", site="Paris")
    amelie = factory.person("Amélie Lefèvre", department="Finance", site="Lyon")
    factory.person("Oliver Smith", department="Sales", site="London")
    factory.person("Gone Person", department="Finance")
    api = factory.api(viewer)
    factory.api(amelie).patch("/api/v1/users/me", json={"tags": ["SAP", "Contrôle de gestion"]})
    names = lambda r: [u["display_name"] for u in r.json()["items"]]
    assert names(api.get("/api/v1/users", params={"q": "amelie"})) == ["Amélie Lefèvre"]
    assert names(api.get("/api/v1/users", params={"q": "LEF"})) == ["Amélie Lefèvre"]
    assert names(api.get("/api/v1/users", params={"tag": " sap "})) == ["Amélie Lefèvre"]
    assert names(api.get("/api/v1/users", params={"tag": "controle de gestion"})) == ["Amélie Lefèvre"]
    assert names(api.get("/api/v1/users", params={"department": "Sales"})) == [
        "Oliver Smith",
        "Viewer Person",
    ]
    assert names(api.get("/api/v1/users", params={"site": "Lyon"})) == ["Amélie Lefèvre"]
    admin = factory.api(factory.person(roles=("admin",)))
    gone = next(u for u in api.get("/api/v1/users", params={"q": "gone"}).json()["items"])
    admin.patch(f"/api/v1/users/{gone['id']}", json={"is_active": False})
    assert names(api.get("/api/v1/users", params={"q": "gone"})) == []


def test_directory_pages_with_a_cursor(factory: Factory) -> None:
    viewer = factory.person("Aaron Viewer")
    for n in range(7):
        factory.person(f"Zed Person {n}")
    api = factory.api(viewer)
    seen: list[str] = []
    cursor = None
    while True:
        params = {"q": "zed", "limit": 3, **({"cursor": cursor} if cursor else {})}
        body = api.get("/api/v1/users", params=params).json()
        seen += [u["display_name"] for u in body["items"]]
        cursor = body["next_cursor"]
        if not cursor:
            break
    assert seen == [f"Zed Person {n}" for n in range(7)]
    assert api.get("/api/v1/users", params={"cursor": "garbage!"}).status_code == 422
    assert api.get("/api/v1/users", params={"limit": 0}).status_code == 422


def test_follow_and_unfollow_are_idempotent(factory: Factory) -> None:
    camille, dominique = factory.person(), factory.person()
    api = factory.api(camille)
    for _ in range(2):
        assert api.put(f"/api/v1/users/{dominique.id}/follow").status_code == 204
    following = api.get(f"/api/v1/users/{camille.id}/following").json()["items"]
    assert [u["id"] for u in following] == [dominique.id]
    for _ in range(2):
        assert api.delete(f"/api/v1/users/{dominique.id}/follow").status_code == 204
    assert api.get(f"/api/v1/users/{camille.id}/following").json()["items"] == []
    assert api.put(f"/api/v1/users/{camille.id}/follow").status_code == 422
    assert api.put("/api/v1/users/424242/follow").status_code == 404


def test_who_knows_ranks_by_tag_match(factory: Factory) -> None:
    viewer = factory.api(factory.person("Viewer"))
    both = factory.person("Both Tags")
    exact = factory.person("Exact One")
    partial = factory.person("Partial Match")
    factory.api(both).patch("/api/v1/users/me", json={"tags": ["sap", "contrôle de gestion"]})
    factory.api(exact).patch("/api/v1/users/me", json={"tags": ["sap"]})
    factory.api(partial).patch("/api/v1/users/me", json={"tags": ["sap hana"]})
    body = viewer.get("/api/v1/experts", params={"q": "SAP, controle de gestion"}).json()
    ranked = [e["user"]["display_name"] for e in body["items"]]
    assert ranked == ["Both Tags", "Exact One", "Partial Match"]
    assert body["items"][0]["matched_tags"] == ["contrôle de gestion", "sap"]
    assert viewer.get("/api/v1/experts", params={"q": "  "}).json()["items"] == []


def test_tag_suggestions_as_people_type(factory: Factory) -> None:
    one, two = factory.person(), factory.person()
    factory.api(one).patch("/api/v1/users/me", json={"tags": ["python", "pytest"]})
    factory.api(two).patch("/api/v1/users/me", json={"tags": ["python"]})
    suggestions = factory.api(one).get("/api/v1/tags", params={"q": "PY"}).json()
    assert suggestions == [{"name": "python", "people": 2}, {"name": "pytest", "people": 1}]


def test_admin_changes_roles_but_the_last_admin_stays(factory: Factory) -> None:
    admin_user = factory.person("Ada Admin", roles=("admin",))
    admin = factory.api(admin_user)
    camille = factory.person()
    response = admin.patch(f"/api/v1/users/{camille.id}", json={"roles": ["community_manager", "executive"]})
    assert response.json()["roles"] == ["employee", "community_manager", "executive"]
    lockout = admin.patch(f"/api/v1/users/{admin_user.id}", json={"roles": []})
    assert lockout.status_code == 422
    assert admin.get("/api/v1/users/me").json()["roles"] == ["employee", "admin"]
    assert factory.api(camille).patch(f"/api/v1/users/{admin_user.id}", json={"roles": []}).status_code == 403
