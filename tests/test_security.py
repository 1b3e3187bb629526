"""Security headers on every answer, and script injection rendered inert everywhere it is shown."""

from __future__ import annotations

from tests.factories import Factory

PAYLOAD = '<script>alert("x")</script><img src=x onerror=alert(1)>'


def test_every_page_carries_a_strict_csp_and_security_headers(factory: Factory) -> None:
    camille = factory.person()
    client = factory.browser(camille)
    for url in ("/login", "/", "/people", "/api/v1/users/me", "/nowhere", "/static/css/proxima.css"):
        response = client.get(url)
        csp = response.headers["content-security-policy"]
        script_src = next(p for p in csp.split(";") if p.strip().startswith("script-src"))
        assert "'unsafe-inline'" not in script_src and "'unsafe-eval'" not in script_src, url
        assert "frame-ancestors 'none'" in csp
        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.headers["x-frame-options"] == "DENY"
        assert response.headers["referrer-policy"] == "same-origin"


def test_no_page_has_an_inline_script_or_style(factory: Factory) -> None:
    admin = factory.person(roles=("admin",))
    client = factory.browser(admin)
    for url in ("/login", "/", "/people", "/me/edit", "/settings", "/admin/people", "/admin/import"):
        text = client.get(url).text
        assert "<script>" not in text and " style=" not in text and "<style" not in text, url
        assert " onclick=" not in text and "hx-on" not in text, url


def test_script_injection_in_profile_fields_is_inert(factory: Factory) -> None:
    viewer = factory.person("Viewer")
    attacker = factory.person("Mallory")
    api = factory.api(attacker)
    response = api.patch(
        "/api/v1/users/me",
        json={
            "display_name": PAYLOAD,
            "bio": PAYLOAD,
            "job_title": PAYLOAD,
            "department": PAYLOAD,
            "site": PAYLOAD,
        },
    )
    assert response.status_code == 200
    tags = api.patch("/api/v1/users/me", json={"tags": ["<script>"]})
    assert tags.status_code == 422
    client = factory.browser(viewer)
    handle = api.get("/api/v1/users/me").json()["handle"]
    for url in (f"/people/{handle}", "/people?q=script", "/", "/people/experts?q=x"):
        text = client.get(url).text
        assert "<script>alert" not in text and "<img src=x" not in text, url
    assert "&lt;script&gt;alert" in client.get(f"/people/{handle}").text


def test_search_input_is_echoed_escaped(factory: Factory) -> None:
    client = factory.browser(factory.person())
    text = client.get("/people", params={"q": '"><script>alert(1)</script>'}).text
    assert "<script>alert(1)" not in text and "&lt;script&gt;" in text


def test_admin_pages_are_for_admins_only(factory: Factory) -> None:
    client = factory.browser(factory.person())
    for url in ("/admin/people", "/admin/people/new", "/admin/import", "/admin/audit"):
        assert client.get(url).status_code == 403, url
