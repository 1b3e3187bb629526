"""A community's health page through HTTP: activity week by week, questions and the time to a first
answer, members by stage (suppressed), and the win-back message to dormant members."""

from __future__ import annotations

import re
from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy import update

from app.models import Comment, Membership, Post, User
from app.models.base import utcnow
from tests.factories import Factory, csrf_from
from tests.test_mentoring import english_leftovers


def _community(factory: Factory, visibility: str = "public") -> tuple[User, TestClient, str]:
    owner = factory.person("Olga Owner")
    api = factory.api(owner)
    slug = api.post("/api/v1/communities", json={"name": "Data club", "visibility": visibility}).json()[
        "slug"
    ]
    return owner, api, slug


def _age(factory: Factory, model: type[Post] | type[Comment], row_id: int, delta: timedelta) -> None:
    with factory.database.session() as db:
        db.execute(update(model).where(model.id == row_id).values(created_at=utcnow() - delta))


def _health(browser: TestClient, slug: str, **params: str) -> str:
    response = browser.get(f"/communities/{slug}/health", params=params)
    assert response.status_code == 200, response.text
    return response.text


def test_weekly_activity_questions_and_time_to_first_answer(factory: Factory) -> None:
    owner, api, slug = _community(factory)
    member = factory.person("Mia Member")
    member_api = factory.api(member)
    member_api.post(f"/api/v1/communities/{slug}/join")

    for _ in range(3):  # this week: 3 posts
        api.post("/api/v1/posts", json={"kind": "status", "body": "news", "community": slug})
    old = api.post("/api/v1/posts", json={"kind": "status", "body": "older", "community": slug}).json()
    _age(factory, Post, old["id"], timedelta(days=22))  # four weeks back (days 21-27)
    comment = member_api.post(f"/api/v1/posts/{old['id']}/comments", json={"body": "nice"}).json()
    _age(factory, Comment, comment["id"], timedelta(days=22))
    too_old = api.post("/api/v1/posts", json={"kind": "status", "body": "ancient", "community": slug}).json()
    _age(factory, Post, too_old["id"], timedelta(days=100))  # before the 12 weeks: not counted

    # two questions answered after 2 and 4 hours, one answered only by its author, one not at all
    for hours in (2, 4):
        q = api.post(
            "/api/v1/posts", json={"kind": "question", "body": f"Q{hours}?", "community": slug}
        ).json()
        _age(factory, Post, q["id"], timedelta(hours=10))
        a = member_api.post(f"/api/v1/posts/{q['id']}/comments", json={"body": "answer"}).json()
        _age(factory, Comment, a["id"], timedelta(hours=10 - hours))
    lonely = api.post("/api/v1/posts", json={"kind": "question", "body": "Anyone?", "community": slug}).json()
    api.post(f"/api/v1/posts/{lonely['id']}/comments", json={"body": "bump"})
    api.post("/api/v1/posts", json={"kind": "question", "body": "Still nobody?", "community": slug})

    page = _health(factory.browser(owner), slug)
    table = page[page.index("The figures, week by week") : page.index('id="questions"')]
    weeks = re.findall(
        r"<tr><th scope=\"row\">[^<]+</th><td>(\d+)</td><td>(\d+)</td><td>(\d+)</td></tr>", table
    )
    assert len(weeks) == 12
    # newest week first: 3 statuses + 4 questions; answers 2 (and the author's own bump); no comment
    assert weeks[0] == ("7", "3", "0")
    assert weeks[3] == ("1", "0", "1")  # the post and its comment three weeks back
    assert sum(int(w[0]) for w in weeks) == 8  # the 100-day-old post is not counted
    assert "<svg" in page and 'class="series-posts"' in page

    questions = page[page.index('id="questions"') : page.index('id="members-by-stage"')]
    assert re.search(r"Questions nobody has answered yet</th><td>2</td>", questions)
    assert "3 hours" in questions  # median of 2 and 4 hours
    assert re.search(r"that got an answer</th><td>2</td>", questions)
    assert "Anyone?" in questions and "Still nobody?" in questions


def test_members_by_stage_are_shown_in_aggregate_only(factory: Factory) -> None:
    owner, api, slug = _community(factory)  # the owner signed in: discovery
    browser = factory.browser(owner)
    for i in range(3):
        factory.api(factory.person(f"Joiner {i}")).post(f"/api/v1/communities/{slug}/join")
    page = _health(browser, slug)
    assert "Fewer than 5 members: not shown" in page  # 4 members

    for i in range(2):  # 6 at discovery now
        factory.api(factory.person(f"Joiner more {i}")).post(f"/api/v1/communities/{slug}/join")
    for i in range(5):  # added by the manager, never signed in: information
        newcomer = factory.person(f"Newcomer {i}")
        assert api.put(f"/api/v1/communities/{slug}/members/{newcomer.id}").status_code == 204
    section = _health(browser, slug).split('id="members-by-stage"')[1].split('id="winback"')[0]
    assert re.search(r"Discovering</th><td>6</td>", section)
    assert re.search(r"Just arrived</th><td>5</td>", section)
    assert re.search(r"Contributing</th><td>0</td>", section)

    # one more at information makes discovery... still shown; two people moving on would be small
    mover = factory.person("Mover")
    mover_api = factory.api(mover)
    mover_api.post(f"/api/v1/communities/{slug}/join")
    mover_api.post("/api/v1/posts", json={"kind": "status", "body": "hello", "community": slug})
    section = _health(browser, slug).split('id="members-by-stage"')[1].split('id="winback"')[0]
    assert re.search(r"Contributing</th><td>1</td>", section) is None  # one person: hidden
    assert '<span class="muted">—</span>' in section
    assert "Mover" not in section


def test_only_managers_see_the_health_page_and_write_to_dormant_members(factory: Factory) -> None:
    owner, _api, slug = _community(factory)
    member = factory.person("Mia Member")
    factory.api(member).post(f"/api/v1/communities/{slug}/join")
    member_browser = factory.browser(member)
    assert member_browser.get(f"/communities/{slug}/health").status_code == 403
    token = csrf_from(member_browser.get("/").text)
    refused = member_browser.post(
        f"/communities/{slug}/health/winback", data={"message": "Hi", "days": "30", "csrf_token": token}
    )
    assert refused.status_code == 403
    assert factory.browser(owner).get(f"/communities/{slug}/health").status_code == 200


def _winback_types(factory: Factory, person: User) -> int:
    items = factory.api(person).get("/api/v1/notifications").json()["items"]
    return sum(1 for n in items if n["type"] == "community_winback")


def test_win_back_reaches_inactive_members_once_a_month_and_names_nobody(factory: Factory) -> None:
    owner, _api, slug = _community(factory)
    sleepers = [factory.person(f"Sleeper {i}") for i in range(3)]
    active, unwilling = factory.person("Active Anna"), factory.person("Quiet Quentin")
    for person in [*sleepers, active, unwilling]:
        factory.api(person).post(f"/api/v1/communities/{slug}/join")
    turned_off = factory.api(unwilling).put(
        "/api/v1/notifications/preferences", json={"community_winback": "off"}
    )
    assert turned_off.status_code == 200
    with factory.database.session() as db:  # everyone joined two months ago
        db.execute(update(Membership).values(joined_at=utcnow() - timedelta(days=60)))
    factory.api(active).post(
        "/api/v1/posts", json={"kind": "status", "body": "still here", "community": slug}
    )

    browser = factory.browser(owner)
    page = _health(browser, slug, days="30")
    assert "4 members have not posted, commented, reacted or answered an event here for 30 days." in page
    assert all(p.display_name not in page for p in sleepers)  # a count, never names
    response = browser.post(
        f"/communities/{slug}/health/winback",
        data={
            "message": "We miss you: this week, a talk on pandas.",
            "days": "30",
            "csrf_token": csrf_from(page),
        },
        follow_redirects=False,
    )
    assert response.status_code == 303
    assert "Your message went to 4 members." in browser.get(response.headers["location"]).text
    for person in sleepers:
        assert _winback_types(factory, person) == 1
    assert _winback_types(factory, active) == 0 and _winback_types(factory, owner) == 0
    assert _winback_types(factory, unwilling) == 0  # turned these messages off
    line = factory.api(sleepers[0]).get("/api/v1/notifications").json()["items"][0]
    assert line["text"] == "Olga Owner misses you in Data club: “We miss you: this week, a talk on pandas.”"
    assert line["actor"]["display_name"] == "Olga Owner" and line["read"] is False

    # the same members are not written to again within 30 days
    page = _health(browser, slug, days="30")
    assert "0 of them can be written to now" in page
    again = browser.post(
        f"/communities/{slug}/health/winback",
        data={"message": "Again!", "days": "30", "csrf_token": csrf_from(page)},
    )
    assert again.status_code == 422 and "Nobody to write to" in again.text
    assert "Again!" in again.text  # what was typed stays
    for person in sleepers:
        assert _winback_types(factory, person) == 1

    # a member who went quiet since can be written to; an empty message is refused
    late = factory.person("Late Leo")
    factory.api(late).post(f"/api/v1/communities/{slug}/join")
    with factory.database.session() as db:
        db.execute(
            update(Membership)
            .where(Membership.user_id == late.id)
            .values(joined_at=utcnow() - timedelta(days=45))
        )
    empty = browser.post(
        f"/communities/{slug}/health/winback",
        data={"message": " ", "days": "30", "csrf_token": csrf_from(page)},
    )
    assert empty.status_code == 422 and "Write a few words to the members." in empty.text
    sent = browser.post(
        f"/communities/{slug}/health/winback",
        data={"message": "Welcome back", "days": "30", "csrf_token": csrf_from(page)},
        follow_redirects=False,
    )
    assert sent.status_code == 303 and sent.headers["location"].endswith("sent=1#winback")
    assert _winback_types(factory, late) == 1


def test_the_health_page_in_french(factory: Factory) -> None:
    owner = factory.person("Chloé Petit", locale="fr")
    api = factory.api(owner)
    slug = api.post("/api/v1/communities", json={"name": "Randonnée", "visibility": "public"}).json()["slug"]
    api.post("/api/v1/posts", json={"kind": "question", "body": "Où marcher ?", "community": slug})
    page = factory.browser(owner).get(f"/communities/{slug}/health").text
    assert "L'activité, semaine par semaine" in page and "Questions restées sans réponse" in page
    assert "Moins de 5 membres : non affiché" in page
    assert english_leftovers(page) == []
