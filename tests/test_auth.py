"""Signing in and out, throttling, sessions, CSRF, API tokens, passwords and deactivation."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.factories import PASSWORD, Factory, csrf_from


def _login(client: TestClient, email: str, password: str) -> object:
    page = client.get("/login")
    return client.post(
        "/login",
        data={"email": email, "password": password, "csrf_token": csrf_from(page.text)},
        follow_redirects=False,
    )


def test_sign_in_opens_a_session_and_lands_home(factory: Factory) -> None:
    camille = factory.person("Camille Martin")
    client = factory.browser()
    response = _login(client, camille.email, PASSWORD)
    assert response.status_code == 303 and response.headers["location"] == "/"
    cookie = next(h for h in response.headers.get_list("set-cookie") if h.startswith("proxima_session="))
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie.replace("Lax", "lax")
    assert "Secure" not in cookie  # plain HTTP here
    home = client.get("/")
    assert home.status_code == 200 and "Camille" in home.text


def test_session_cookie_is_secure_over_https(factory: Factory, app: object) -> None:
    camille = factory.person()
    client = TestClient(app, base_url="https://testserver")  # type: ignore[arg-type]
    response = _login(client, camille.email, PASSWORD)
    cookie = next(h for h in response.headers.get_list("set-cookie") if h.startswith("proxima_session="))
    assert "Secure" in cookie


def test_wrong_password_is_refused_with_a_message(factory: Factory) -> None:
    camille = factory.person()
    client = factory.browser()
    response = _login(client, camille.email, "not-the-password")
    assert response.status_code == 401
    assert "Wrong email or password" in response.text
    assert client.get("/", follow_redirects=False).headers["location"] == "/login"


def test_unknown_email_gets_the_same_answer_as_a_wrong_password(factory: Factory) -> None:
    response = _login(factory.browser(), "nobody@example.com", "whatever-password")
    assert response.status_code == 401 and "Wrong email or password" in response.text


def test_login_is_throttled_per_account(factory: Factory) -> None:
    camille = factory.person()
    client = factory.browser()
    for _ in range(5):
        assert _login(client, camille.email, "bad-password-x").status_code == 401
    blocked = _login(client, camille.email, PASSWORD)
    assert blocked.status_code == 429
    assert "Too many failed attempts" in blocked.text
    assert int(blocked.headers["retry-after"]) > 0
    # the API token endpoint shares the same throttle
    api = factory.app and TestClient(factory.app).post(
        "/api/v1/auth/token", json={"email": camille.email, "password": PASSWORD}
    )
    assert api.status_code == 429
    assert api.headers["content-type"].startswith("application/problem+json")


def test_login_is_throttled_per_address(factory: Factory) -> None:
    factory.settings.login_max_failures_per_address, before = (
        3,
        factory.settings.login_max_failures_per_address,
    )
    try:
        dominique = factory.person()
        client = factory.browser()
        for n in range(3):
            assert _login(client, f"guess{n}@example.com", "bad-password-x").status_code == 401
        assert _login(client, dominique.email, PASSWORD).status_code == 429
    finally:
        factory.settings.login_max_failures_per_address = before


def test_logout_revokes_the_session_on_the_server(factory: Factory) -> None:
    camille = factory.person()
    client = factory.browser(camille)
    stolen = client.cookies.get("proxima_session")
    page = client.get("/")
    client.post("/logout", data={"csrf_token": csrf_from(page.text)})
    replay = TestClient(factory.app, cookies={"proxima_session": stolen})
    assert replay.get("/", follow_redirects=False).status_code == 303


def test_pages_need_a_session(factory: Factory) -> None:
    response = factory.browser().get("/people", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/login?next=%2Fpeople"


def test_sign_in_returns_to_the_page_asked_for_but_never_elsewhere(factory: Factory) -> None:
    camille = factory.person()
    client = factory.browser()
    page = client.get("/login?next=/people")
    assert 'value="/people"' in page.text
    for target, expected in (
        ("/people?q=a", "/people?q=a"),
        ("//evil.example", "/"),
        ("https://evil.example", "/"),
    ):
        fresh = factory.browser()
        page = fresh.get("/login")
        response = fresh.post(
            "/login",
            data={
                "email": camille.email,
                "password": PASSWORD,
                "next": target,
                "csrf_token": csrf_from(page.text),
            },
            follow_redirects=False,
        )
        assert response.headers["location"] == expected


def test_a_form_without_csrf_token_is_refused_and_writes_nothing(factory: Factory) -> None:
    camille = factory.person()
    client = factory.browser(camille)
    response = client.post("/me/edit", data={"display_name": "Hacked", "bio": "pwned"})
    assert response.status_code == 403
    api = factory.api(camille)
    assert api.get("/api/v1/users/me").json()["bio"] == ""
    assert api.get("/api/v1/users/me").json()["display_name"] == camille.display_name


def test_a_forged_csrf_token_is_refused(factory: Factory) -> None:
    camille = factory.person()
    client = factory.browser(camille)
    response = client.post("/me/edit", data={"display_name": "Hacked", "csrf_token": "abc.def"})
    assert response.status_code == 403


def test_a_cross_site_post_is_refused_even_with_a_token(factory: Factory) -> None:
    camille = factory.person()
    client = factory.browser(camille)
    token = csrf_from(client.get("/me/edit").text)
    response = client.post(
        "/me/edit",
        data={"display_name": "Hacked", "csrf_token": token},
        headers={"Origin": "https://evil.example"},
    )
    assert response.status_code == 403


def test_login_form_itself_needs_the_csrf_token(factory: Factory) -> None:
    camille = factory.person()
    response = factory.browser().post("/login", data={"email": camille.email, "password": PASSWORD})
    assert response.status_code == 403


def test_htmx_requests_send_the_token_in_a_header(factory: Factory) -> None:
    camille, dominique = factory.person(), factory.person("Dominique Petit")
    client = factory.browser(camille)
    token = csrf_from(client.get("/").text)
    assert f'"X-CSRF-Token": "{token}"' in client.get("/").text
    response = client.post(
        f"/people/{dominique.handle}/follow", headers={"HX-Request": "true", "X-CSRF-Token": token}
    )
    assert response.status_code == 200 and "Following" in response.text


def test_api_token_flow_list_and_revoke(factory: Factory) -> None:
    camille = factory.person()
    client = TestClient(factory.app)
    issued = client.post("/api/v1/auth/token", json={"email": camille.email, "password": PASSWORD})
    assert issued.status_code == 201
    body = issued.json()
    assert body["token_type"] == "bearer" and body["access_token"].startswith("pxm_")
    headers = {"Authorization": f"Bearer {body['access_token']}"}
    assert client.get("/api/v1/users/me", headers=headers).json()["email"] == camille.email
    listed = client.get("/api/v1/auth/tokens", headers=headers).json()
    assert [t["id"] for t in listed] == [body["id"]]
    assert "access_token" not in listed[0] and body["access_token"] not in issued.text.replace(
        body["access_token"], "", 1
    )
    assert client.delete(f"/api/v1/auth/tokens/{body['id']}", headers=headers).status_code == 204
    denied = client.get("/api/v1/users/me", headers=headers)
    assert denied.status_code == 401
    assert denied.headers["content-type"].startswith("application/problem+json")


def test_tokens_are_stored_hashed(factory: Factory) -> None:
    from sqlalchemy import select

    from app.models import ApiToken

    camille = factory.person()
    raw = (
        TestClient(factory.app)
        .post("/api/v1/auth/token", json={"email": camille.email, "password": PASSWORD})
        .json()["access_token"]
    )
    with factory.database.session() as db:
        stored = db.scalars(select(ApiToken.token_hash)).all()
    assert stored and raw not in stored and all(len(h) == 64 for h in stored)


def test_api_token_wrong_password_is_401_problem(factory: Factory) -> None:
    camille = factory.person()
    response = TestClient(factory.app).post(
        "/api/v1/auth/token", json={"email": camille.email, "password": "nope-nope-nope"}
    )
    assert response.status_code == 401
    assert response.json()["status"] == 401 and response.json()["title"]


def test_tokens_are_listed_and_revoked_on_the_settings_page(factory: Factory) -> None:
    camille = factory.person()
    client = factory.browser(camille)
    token = csrf_from(client.get("/settings").text)
    created = client.post("/settings/tokens", data={"name": "nightly export", "csrf_token": token})
    assert created.status_code == 201 and "pxm_" in created.text and "nightly export" in created.text
    secret = created.text.split('id="new-token">', 1)[1].split("<", 1)[0]
    api = TestClient(factory.app, headers={"Authorization": f"Bearer {secret}"})
    assert api.get("/api/v1/users/me").status_code == 200
    token_id = api.get("/api/v1/auth/tokens").json()[0]["id"]
    client.post(f"/settings/tokens/{token_id}/revoke", data={"csrf_token": token})
    assert api.get("/api/v1/users/me").status_code == 401
    assert "nightly export" not in client.get("/settings").text


def test_change_password_checks_the_current_one_and_signs_out_other_browsers(factory: Factory) -> None:
    camille = factory.person()
    laptop, phone = factory.browser(camille), factory.browser(camille)
    token = csrf_from(laptop.get("/settings").text)
    wrong = laptop.post(
        "/settings/password",
        data={
            "current_password": "not-mine-at-all",
            "new_password": "a-new-password-1",
            "confirm_password": "a-new-password-1",
            "csrf_token": token,
        },
    )
    assert wrong.status_code == 422 and "This is not your current password." in wrong.text
    short = laptop.post(
        "/settings/password",
        data={
            "current_password": PASSWORD,
            "new_password": "short",
            "confirm_password": "short",
            "csrf_token": token,
        },
    )
    assert short.status_code == 422 and "At least 10 characters." in short.text
    ok = laptop.post(
        "/settings/password",
        data={
            "current_password": PASSWORD,
            "new_password": "a-new-password-1",
            "confirm_password": "a-new-password-1",
            "csrf_token": token,
        },
    )
    assert ok.status_code == 200 and "Your password is changed" in ok.text
    assert laptop.get("/", follow_redirects=False).status_code == 200
    assert phone.get("/", follow_redirects=False).status_code == 303
    assert _login(factory.browser(), camille.email, PASSWORD).status_code == 401
    assert _login(factory.browser(), camille.email, "a-new-password-1").status_code == 303


def test_a_deactivated_person_cannot_sign_in_and_their_tokens_stop(factory: Factory) -> None:
    admin = factory.person("Ada Admin", roles=("admin",))
    camille = factory.person("Camille Martin")
    camille_api = factory.api(camille)
    camille_browser = factory.browser(camille)
    response = factory.api(admin).patch(f"/api/v1/users/{camille.id}", json={"is_active": False})
    assert response.status_code == 200 and response.json()["is_active"] is False
    assert camille_api.get("/api/v1/users/me").status_code == 401
    assert camille_browser.get("/", follow_redirects=False).status_code == 303
    refused = _login(factory.browser(), camille.email, PASSWORD)
    assert refused.status_code == 401 and "deactivated" in refused.text
    # their profile (and later their content) stays
    assert factory.api(admin).get(f"/api/v1/users/{camille.id}").status_code == 200
