"""Testimonials ("my digital journey"): written from one's journey page, suggested to colleagues at
the first stages of the author's department (else site), never to later stages nor elsewhere,
never from a community the reader may not read, and never telling of the author's stage."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import select

from app.models import NudgeEvent, User
from app.services.nudges import definition, in_holdout
from tests.factories import Factory, csrf_from

KEY = "testimonial.read"
STAGE_WORDS = ("Contributing", "Bringing others in", "contribution", "promotion", "stage")


def _reader(factory: Factory, **fields: object) -> User:
    """A person not held out from the testimonial nudge."""
    for _ in range(200):
        person = factory.person(**fields)  # type: ignore[arg-type]
        if not in_holdout(person.id, definition(KEY)):
            return person
    raise AssertionError("no such person in 200 tries")


def _offered(api: TestClient, rounds: int = 15) -> dict[str, dict]:
    """Every nudge this person is offered, putting aside each card seen to see the next ones."""
    seen: dict[str, dict] = {}
    for _ in range(rounds):
        offered = api.get("/api/v1/engagement/me").json()["nudges"]
        if not offered:
            break
        for n in offered:
            seen.setdefault(n["key"], n)
            api.post(f"/api/v1/engagement/nudges/{n['key']}/snooze")
    return seen


def _stage(api: TestClient) -> str:
    return api.get("/api/v1/engagement/me").json()["stage"]


def _publish_from_the_journey_page(factory: Factory, author: User, body: str) -> int:
    """The author opens "Tell my digital journey" and posts the composer as it comes, with their story."""
    browser = factory.browser(author)
    assert 'href="/me/journey/testimonial"' in browser.get("/me/journey").text
    page = browser.get("/me/journey/testimonial")
    assert page.status_code == 200
    assert 'value="article" checked' in page.text
    assert 'value="My digital journey"' in page.text and 'value="mydigitaljourney"' in page.text
    response = browser.post(
        "/posts",
        data={
            "csrf_token": csrf_from(page.text),
            "kind": "article",
            "title": "My digital journey",
            "body": body,
            "tags": "mydigitaljourney",
            "next": "/me/journey/testimonial?published=1",
        },
        follow_redirects=False,
    )
    assert (
        response.status_code == 303 and response.headers["location"] == "/me/journey/testimonial?published=1"
    )
    mine = browser.get("/me/journey/testimonial?published=1").text
    assert "your testimonial is published" in mine
    posts = factory.api(author).get("/api/v1/feed").json()["items"]
    testimonial = next(p for p in posts if p["author"]["id"] == author.id and p["kind"] == "article")
    assert testimonial["tags"] == ["mydigitaljourney"]
    return int(testimonial["id"])


def test_a_testimonial_is_suggested_to_an_earlier_stage_colleague_of_the_same_department(
    factory: Factory,
) -> None:
    author = factory.person("Tess Testimony", department="Sales", site="Lyon")
    post_id = _publish_from_the_journey_page(factory, author, "I found my mentor here.")
    newcomer = _reader(factory, department="Sales", site="Paris")
    api = factory.api(newcomer)
    assert _stage(api) == "discovery"
    offered = _offered(api)
    assert KEY in offered
    nudge = offered[KEY]
    assert nudge["title"] == "Read Tess Testimony's digital journey"
    assert nudge["action_url"] == f"/posts/{post_id}"
    assert nudge["wiifm"].startswith("Tess Testimony, of Sales like you, tells how Proxima helps their work")
    assert not any(word in nudge["title"] + nudge["wiifm"] for word in STAGE_WORDS)

    # reacting to it completes the nudge
    assert api.put(f"/api/v1/posts/{post_id}/like").status_code == 204
    api.get("/api/v1/engagement/me")
    with factory.database.session(write=False) as db:
        events = list(
            db.scalars(
                select(NudgeEvent.event).where(NudgeEvent.user_id == newcomer.id, NudgeEvent.nudge_key == KEY)
            )
        )
    assert "completed" in events


def test_the_site_is_the_population_when_the_department_differs(factory: Factory) -> None:
    author = factory.person("Tess Testimony", department="Sales", site="Lyon")
    post_id = _publish_from_the_journey_page(factory, author, "Lyon people, this is for you.")
    same_site = _reader(factory, department="Finance", site="Lyon")
    offered = _offered(factory.api(same_site))
    assert offered[KEY]["action_url"] == f"/posts/{post_id}"
    assert "of Lyon like you" in offered[KEY]["wiifm"]


def test_not_suggested_to_a_later_stage_colleague_nor_to_another_department(factory: Factory) -> None:
    author = factory.person("Tess Testimony", department="Sales", site="Lyon")
    _publish_from_the_journey_page(factory, author, "My story.")
    contributor = _reader(factory, department="Sales", site="Lyon")
    api = factory.api(contributor)
    api.post("/api/v1/posts", json={"kind": "status", "body": "Shipping the new catalogue today"})
    assert _stage(api) == "contribution"
    assert KEY not in _offered(api)
    elsewhere = _reader(factory, department="Finance", site="Paris")
    api = factory.api(elsewhere)
    assert _stage(api) == "discovery"
    assert KEY not in _offered(api)
    # an article without the tag is no testimonial
    plain = factory.person("Plain Writer", department="Legal")
    factory.api(plain).post("/api/v1/posts", json={"kind": "article", "title": "Notes", "body": "Just notes"})
    assert KEY not in _offered(factory.api(_reader(factory, department="Legal")))


def test_a_testimonial_in_a_secret_community_is_never_suggested_to_a_non_member(factory: Factory) -> None:
    author = factory.person("Tess Testimony", department="Sales", site="Lyon")
    member = _reader(factory, department="Sales", site="Lyon")
    outsider = _reader(factory, department="Sales", site="Lyon")
    writer = factory.api(author)
    slug = writer.post("/api/v1/communities", json={"name": "Inner circle", "visibility": "secret"}).json()[
        "slug"
    ]
    assert writer.put(f"/api/v1/communities/{slug}/members/{member.id}").status_code == 204
    secret = writer.post(
        "/api/v1/posts",
        json={
            "kind": "article",
            "title": "My digital journey",
            "body": "Only for us",
            "tags": ["mydigitaljourney"],
            "community": slug,
        },
    ).json()
    outsider_api = factory.api(outsider)
    assert outsider_api.get(f"/api/v1/posts/{secret['id']}").status_code == 404
    assert KEY not in _offered(outsider_api)
    assert _offered(factory.api(member))[KEY]["action_url"] == f"/posts/{secret['id']}"
    assert "Inner circle" not in factory.browser(outsider).get("/me/journey").text
