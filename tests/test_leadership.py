"""The leadership page: an executive's cadence and the reach of their leadership posts, in aggregate."""

from __future__ import annotations

from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy import func, select, update

from app.models import Post, PostReader
from app.models.base import utcnow
from tests.factories import Factory, csrf_from
from tests.test_query_counts import count_statements


def _post(api: TestClient, **body: object) -> dict:
    response = api.post("/api/v1/posts", json={"kind": "status", **body})
    assert response.status_code == 201, response.text
    return response.json()


def _backdate(factory: Factory, post_id: int, days: int) -> None:
    with factory.database.session() as db:
        db.execute(update(Post).where(Post.id == post_id).values(created_at=utcnow() - timedelta(days=days)))


def _reads(factory: Factory) -> int:
    with factory.database.session() as db:
        return db.scalar(select(func.count()).select_from(PostReader)) or 0


def test_only_executives_see_the_leadership_page(factory: Factory) -> None:
    employee = factory.person("Employee")
    browser = factory.browser(employee)
    assert browser.get("/leadership").status_code == 403
    assert browser.get("/leadership/delegates").status_code == 403
    assert factory.api(employee).get("/api/v1/leadership/me").status_code == 403
    assert 'href="/leadership"' not in browser.get("/").text
    boss = factory.browser(factory.person("Boss", roles=("executive",)))
    page = boss.get("/leadership")
    assert page.status_code == 200 and "Your posting cadence" in page.text
    assert "No leadership post yet." in page.text
    assert 'href="/leadership"' in boss.get("/").text  # in the user menu


def test_the_cadence_counts_posts_per_week_with_leadership_posts_apart(factory: Factory) -> None:
    boss = factory.person("Sophie Bernard", roles=("executive",))
    assistant = factory.person("Léa Garcia")
    api = factory.api(boss)
    api.put(f"/api/v1/users/me/delegates/{assistant.id}")
    _post(api, body="this week, leadership", is_leadership=True)
    _post(factory.api(assistant), body="this week, for her", on_behalf_of=boss.id)
    three_weeks = _post(api, body="three weeks ago", is_leadership=True)
    _backdate(factory, three_weeks["id"], 21)
    too_old = _post(api, body="long ago", is_leadership=True)
    _backdate(factory, too_old["id"], 7 * 13)
    gone = _post(api, body="deleted")
    api.delete(f"/api/v1/posts/{gone['id']}")
    figures = api.get("/api/v1/leadership/me").json()
    weeks = figures["weeks"]
    assert len(weeks) == 12 and weeks[0]["start"] < weeks[-1]["start"]
    assert (weeks[-1]["posts"], weeks[-1]["leadership"]) == (2, 1)
    assert (weeks[-4]["posts"], weeks[-4]["leadership"]) == (1, 1)
    assert sum(w["posts"] for w in weeks) == 3
    page = factory.browser(boss).get("/leadership").text
    assert "3 posts in the last 12 weeks" in page and "2 leadership posts" in page
    assert "you posted in 2 weeks out of 12" in page
    assert "<svg" in page and 'class="cadence-lead"' in page and "<table" in page


def test_reach_counts_readers_departments_and_sites_in_aggregate(factory: Factory) -> None:
    boss = factory.person("Sophie Bernard", roles=("executive",), department="Direction", site="Paris")
    assistant = factory.person("Léa Garcia", department="Communication", site="Paris")
    boss_api = factory.api(boss)
    boss_api.put(f"/api/v1/users/me/delegates/{assistant.id}")
    post = _post(factory.api(assistant), body="Our year ahead", on_behalf_of=boss.id, is_leadership=True)
    sales = [factory.person(f"Sales {i}", department="Sales", site="London") for i in range(6)]
    engineers = [factory.person(f"Engineer {i}", department="Engineering", site="Lyon") for i in range(5)]
    lawyer = factory.person("Lawyer", department="Legal", site="Paris")
    for person in sales:
        browser = factory.browser(person)
        assert browser.get(f"/posts/{post['id']}").status_code == 200
        browser.get(f"/posts/{post['id']}")  # the same day again: one reader still
    for person in engineers:
        assert factory.api(person).put(f"/api/v1/posts/{post['id']}/like").status_code == 204
    lawyer_api = factory.api(lawyer)
    comment = lawyer_api.post(f"/api/v1/posts/{post['id']}/comments", json={"body": "Great news"}).json()
    boss_api.post(
        f"/api/v1/posts/{post['id']}/comments", json={"body": "Thanks!", "parent_id": comment["id"]}
    )
    boss_api.post(f"/api/v1/posts/{post['id']}/comments", json={"body": "More soon"})
    factory.browser(boss).get(f"/posts/{post['id']}")  # the executive and the delegate are not readers
    factory.browser(assistant).get(f"/posts/{post['id']}")
    not_leadership = _post(boss_api, body="an ordinary status")
    factory.browser(sales[0]).get(f"/posts/{not_leadership['id']}")
    assert _reads(factory) == 6  # only leadership posts are recorded, once per person and day

    figures = boss_api.get("/api/v1/leadership/me").json()
    assert figures["threshold"] == 5
    [reach] = figures["posts"]
    assert reach["post_id"] == post["id"] and reach["posted_by"]["id"] == assistant.id
    assert (reach["readers"], reach["departments"], reach["sites"]) == (12, 3, 3)
    assert (reach["reactions"], reach["comments"], reach["replies"]) == (5, 3, 2)
    by_department = {d["key"]: d for d in reach["by_department"]}
    assert by_department["Sales"] == {"key": "Sales", "readers": 6, "suppressed": False}
    assert by_department["Legal"]["suppressed"] is True and by_department["Legal"]["readers"] is None
    # a lone hidden cell would be recovered by subtraction: the next smallest one is hidden too
    assert by_department["Engineering"]["suppressed"] is True

    page = factory.browser(boss).get("/leadership").text
    row = page[page.index(f'id="reach-{post["id"]}"') :]
    row = row[: row.index("</tr>")]
    cells = [c.split(">", 1)[1].split("<", 1)[0] for c in row.split("<td")[1:]]
    assert cells == ["12", "3", "3", "5", "3", "2"]
    assert "posted by Léa Garcia" in row and "Sales: 6" in row and "Lawyer" not in page
    assert "opened the post's page, reacted to it or commented on it" in page


def test_reach_of_a_small_audience_shows_no_department(factory: Factory) -> None:
    boss = factory.person("Boss", roles=("executive",))
    api = factory.api(boss)
    post = _post(api, body="hello", is_leadership=True)
    for i in range(3):
        factory.browser(factory.person(f"Reader {i}", department="Sales")).get(f"/posts/{post['id']}")
    [reach] = api.get("/api/v1/leadership/me").json()["posts"]
    assert reach["readers"] == 3 and reach["departments"] == 1
    assert all(d["suppressed"] for d in reach["by_department"])


def test_opening_a_leadership_post_again_costs_no_statement(factory: Factory) -> None:
    boss = factory.person("Boss", roles=("executive",))
    api = factory.api(boss)
    leading = _post(api, body="leading", is_leadership=True)
    ordinary = _post(api, body="ordinary")
    browser = factory.browser(factory.person("Reader"))
    browser.get("/")
    with count_statements(factory) as plain:
        browser.get(f"/posts/{ordinary['id']}")
    with count_statements(factory) as first:
        browser.get(f"/posts/{leading['id']}")
    with count_statements(factory) as again:
        browser.get(f"/posts/{leading['id']}")
    assert len(first) == len(plain) + 1 and any("post_reads" in s for s in first)
    assert len(again) == len(plain)


def test_an_executive_manages_delegates_and_the_mode_from_the_page(factory: Factory) -> None:
    boss = factory.person("Sophie Bernard", roles=("executive",))
    assistant = factory.person("Léa Garcia", email="lea.garcia@example.com")
    browser = factory.browser(boss)
    token = csrf_from(browser.get("/leadership/delegates").text)
    unknown = browser.post("/leadership/delegates", data={"person": "Nobody Here", "csrf_token": token})
    assert unknown.status_code == 422 and "Choose a person from the suggestions." in unknown.text
    added = browser.post(
        "/leadership/delegates",
        data={"person": "Léa Garcia <lea.garcia@example.com>", "csrf_token": token},
        follow_redirects=False,
    )
    assert added.status_code == 303
    page = browser.get("/leadership/delegates").text
    assert "Léa Garcia" in page and "My delegates publish directly" in page
    assert [p["id"] for p in factory.api(boss).get("/api/v1/users/me/delegates").json()["delegates"]] == [
        assistant.id
    ]
    bad = browser.post("/leadership/delegates/mode", data={"mode": "maybe", "csrf_token": token})
    assert bad.status_code == 422
    browser.post("/leadership/delegates/mode", data={"mode": "approval", "csrf_token": token})
    assert factory.api(boss).get("/api/v1/users/me/delegates").json()["mode"] == "approval"
    assert "You approve their drafts" in browser.get("/leadership").text
    browser.post(f"/leadership/delegates/{assistant.id}/remove", data={"csrf_token": token})
    assert factory.api(boss).get("/api/v1/users/me/delegates").json()["delegates"] == []


def test_the_leadership_pages_speak_french(factory: Factory) -> None:
    boss = factory.person("Boss", roles=("executive",), locale="fr")
    api = factory.api(boss)
    _post(api, body="bonjour", is_leadership=True)
    browser = factory.browser(boss)
    page = browser.get("/leadership").text
    assert '<html lang="fr">' in page
    for english in ("Your posting cadence", "Reach of your leadership posts", "Your delegates"):
        assert english not in page
    assert "Vos délégués" in page
    assert "Comment leurs publications" in browser.get("/leadership/delegates").text
