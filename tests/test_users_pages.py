"""The pages people use: profile editor, photo, directory, expert finder, profiles, tag pages, follows."""

from __future__ import annotations

from io import BytesIO

from PIL import Image

from tests.factories import Factory, csrf_from


def _png(width: int = 900, height: int = 600) -> bytes:
    buf = BytesIO()
    Image.new("RGB", (width, height), (200, 40, 90)).save(buf, format="PNG")
    return buf.getvalue()


def test_edit_profile_saves_and_shows_on_the_profile(factory: Factory) -> None:
    manager = factory.person("Sophie Bernard", email="sophie.bernard@example.com", job_title="CEO")
    camille = factory.person("Camille Martin")
    client = factory.browser(camille)
    token = csrf_from(client.get("/me/edit").text)
    response = client.post(
        "/me/edit",
        data={
            "csrf_token": token,
            "display_name": "Camille Martin",
            "job_title": "Data engineer",
            "department": "Engineering",
            "site": "Lyon",
            "manager": "Sophie Bernard <sophie.bernard@example.com>",
            "bio": "I build data pipelines.\nAsk me about Airflow.",
            "tags": "Python, data   engineering, python",
            "languages": ["fr", "en"],
        },
        follow_redirects=False,
    )
    assert response.status_code == 303
    profile = client.get(response.headers["location"])
    text = profile.text
    assert "Your profile is saved." in text
    for expected in (
        "Data engineer",
        "Engineering · Lyon",
        "#python",
        "#data engineering",
        "Ask me about Airflow.",
        "Sophie Bernard",
        "English",
    ):
        assert expected in text, expected
    assert text.count("#python") == 1
    assert f"/people/{manager.handle}" in text


def test_a_mistake_shows_the_form_again_with_the_message_beside_the_field(factory: Factory) -> None:
    camille = factory.person("Camille Martin")
    client = factory.browser(camille)
    token = csrf_from(client.get("/me/edit").text)
    response = client.post(
        "/me/edit",
        data={
            "csrf_token": token,
            "display_name": "",
            "bio": "typed text stays",
            "tags": "ok, <b>bad</b>",
            "manager": "Nobody Atall",
        },
    )
    assert response.status_code == 422
    text = response.text
    assert 'id="display_name-error"' in text and "A name is required." in text
    assert 'id="tags-error"' in text and 'id="manager-error"' in text
    assert "typed text stays" in text  # what was typed is kept
    assert "Nothing was saved." in text
    me = factory.api(camille).get("/api/v1/users/me").json()
    assert me["display_name"] == "Camille Martin" and me["bio"] == ""


def test_photo_upload_is_resized_and_reencoded(factory: Factory) -> None:
    camille = factory.person()
    client = factory.browser(camille)
    token = csrf_from(client.get("/me/edit").text)
    response = client.post(
        "/me/photo",
        data={"csrf_token": token},
        files={"photo": ("me.png", _png(), "image/png")},
        follow_redirects=False,
    )
    assert response.status_code == 303
    me = factory.api(camille).get("/api/v1/users/me").json()
    assert me["photo_url"].endswith(".jpg")
    image = client.get(me["photo_url"])
    assert image.status_code == 200
    assert image.headers["content-type"] == "image/jpeg"
    assert image.headers["x-content-type-options"] == "nosniff"
    decoded = Image.open(BytesIO(image.content))
    assert decoded.format == "JPEG" and decoded.size == (512, 512)
    assert not decoded.getexif()
    # photos are for colleagues only
    assert factory.browser().get(me["photo_url"], follow_redirects=False).status_code == 303


def test_uploading_something_that_is_not_an_image_is_refused_clearly(factory: Factory) -> None:
    camille = factory.person()
    client = factory.browser(camille)
    token = csrf_from(client.get("/me/edit").text)
    for name, content, kind in (
        (
            "evil.svg",
            b"<svg xmlns='http://www.w3.org/2000/svg'><script>alert(1)</script></svg>",
            "image/svg+xml",
        ),
        ("notes.txt", b"just some text", "image/png"),
        ("empty.png", b"", "image/png"),
    ):
        response = client.post(
            "/me/photo", data={"csrf_token": token}, files={"photo": (name, content, kind)}
        )
        assert response.status_code == 422, name
        assert 'id="photo-error"' in response.text
    assert factory.api(camille).get("/api/v1/users/me").json()["photo_url"] is None


def test_oversized_uploads_are_refused(factory: Factory) -> None:
    camille = factory.person()
    api = factory.api(camille)
    big = b"\x89PNG" + b"0" * (factory.settings.max_upload_bytes + 10)
    response = api.put("/api/v1/users/me/photo", files={"photo": ("big.png", big, "image/png")})
    assert response.status_code == 422 and "larger than" in response.json()["errors"][0]["message"]


def test_directory_page_searches_and_htmx_returns_only_the_results(factory: Factory) -> None:
    viewer = factory.person("Viewer")
    factory.person("Amélie Lefèvre", department="Finance", site="Lyon", job_title="Comptable")
    factory.person("Oliver Smith", department="Sales", site="London")
    client = factory.browser(viewer)
    page = client.get("/people", params={"q": "amelie"})
    assert page.status_code == 200 and "Amélie Lefèvre" in page.text and "Oliver Smith" not in page.text
    assert "<html" in page.text
    fragment = client.get("/people", params={"department": "Sales"}, headers={"HX-Request": "true"})
    assert (
        "<html" not in fragment.text and 'id="results"' in fragment.text and "Oliver Smith" in fragment.text
    )
    assert "HX-Request" in fragment.headers["vary"]


def test_directory_load_more(factory: Factory) -> None:
    viewer = factory.person("Aaron Viewer")
    for n in range(35):
        factory.person(f"Zed Person {n:02d}")
    client = factory.browser(viewer)
    first = client.get("/people", params={"q": "zed"}).text
    assert first.count('class="person-card"') == 30 and "Show more" in first
    link = first.split('id="load-more"', 1)[1].split('hx-get="', 1)[1].split('"', 1)[0].replace("&amp;", "&")
    more = client.get("/people" + link, headers={"HX-Request": "true"}).text
    assert more.count('class="person-card"') == 5 and "Zed Person 34" in more and "Show more" not in more


def test_expert_finder_page(factory: Factory) -> None:
    viewer = factory.person("Viewer")
    sap = factory.person("Sandrine Sap")
    factory.api(sap).patch("/api/v1/users/me", json={"tags": ["sap", "excel"]})
    client = factory.browser(viewer)
    page = client.get("/people/experts", params={"q": "sap"})
    assert "Sandrine Sap" in page.text and "1 colleague knows about this." in page.text
    nobody = client.get("/people/experts", params={"q": "quantum"})
    assert "Nobody has tagged this expertise yet." in nobody.text


def test_tag_page_lists_people_with_that_expertise(factory: Factory) -> None:
    viewer = factory.person("Viewer")
    one = factory.person("Léa Garcia")
    factory.api(one).patch("/api/v1/users/me", json={"tags": ["Mentorat inversé"]})
    client = factory.browser(viewer)
    page = client.get("/tags/mentorat inversé")
    assert page.status_code == 200 and "Léa Garcia" in page.text and "#mentorat inversé" in page.text
    assert client.get("/tags/MENTORAT%20INVERSE").status_code == 200
    assert client.get("/tags/unknown-tag").status_code == 404


def test_profile_shows_who_they_follow_and_the_follow_button_swaps(factory: Factory) -> None:
    camille = factory.person("Camille Martin")
    dominique = factory.person("Dominique Petit")
    client = factory.browser(camille)
    profile = client.get(f"/people/{dominique.handle}").text
    token = csrf_from(profile)
    assert ">Follow<" in profile
    swapped = client.post(
        f"/people/{dominique.handle}/follow", headers={"HX-Request": "true", "X-CSRF-Token": token}
    )
    assert swapped.status_code == 200 and "<html" not in swapped.text and "Following" in swapped.text
    assert "Dominique Petit" in swapped.headers["hx-trigger"]
    mine = client.get(f"/people/{camille.handle}").text
    assert "follows 1 person" in mine
    assert (
        "Dominique Petit"
        in client.get(f"/people/{camille.handle}/aside", headers={"HX-Request": "true"}).text
    )
    # without JavaScript, the plain form works and comes back to the profile
    back = client.post(
        f"/people/{dominique.handle}/unfollow", data={"csrf_token": token}, follow_redirects=False
    )
    assert back.status_code == 303 and back.headers["location"] == f"/people/{dominique.handle}"
    assert "follows 0 people" in client.get(f"/people/{camille.handle}").text


def test_home_offers_a_checklist_and_colleagues_to_meet(factory: Factory) -> None:
    camille = factory.person("Camille Martin", department="Engineering")
    factory.person("Nina Team", department="Engineering")
    client = factory.browser(camille)
    home = client.get("/").text
    assert 'hx-get="/home/aside"' in home and 'id="composer"' in home
    aside = client.get("/home/aside", headers={"HX-Request": "true"}).text
    assert "<html" not in aside and "Add 3 expertise tags" in aside and "Nina Team" in aside
    assert "Add 3 expertise tags" in client.get("/home/aside").text  # a plain page without JavaScript


def test_suggestions_for_tags_and_managers(factory: Factory) -> None:
    camille = factory.person("Camille Martin")
    factory.person("Sophie Bernard", email="sophie@example.com", job_title="CEO")
    factory.api(camille).patch("/api/v1/users/me", json={"tags": ["python", "pandas"]})
    client = factory.browser(camille)
    options = client.get("/suggest/tags", params={"tags": "sql, pa"}).text
    assert '<option value="sql, pandas">' in options and "python" not in options
    people = client.get("/suggest/people", params={"manager": "soph"}).text
    assert "Sophie Bernard &lt;sophie@example.com&gt;" in people
