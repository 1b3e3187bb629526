"""The engagement pages through HTTP: "My journey", adoption for HR, a community's health for its
managers, and the community lifecycle they show."""

from __future__ import annotations

import re
from dataclasses import fields
from datetime import timedelta

from sqlalchemy import update

from app.models import Comment, Community, Post
from app.models.base import utcnow
from app.services import engagement, lifecycle
from app.web.engagement import figure_rows, rule_rows, stage_words
from tests.factories import Factory, csrf_from
from tests.test_i18n import _catalog, _visible_text


def _participating(factory: Factory, name: str = "Paula Part", **fields: str) -> tuple:
    """A person who follows a colleague and liked their post: at participation."""
    person, colleague = factory.person(name, **fields), factory.person("Colin Colleague")
    post = factory.api(colleague).post("/api/v1/posts", json={"kind": "status", "body": "Hello"}).json()
    api = factory.api(person)
    api.put(f"/api/v1/users/{colleague.id}/follow")
    api.put(f"/api/v1/posts/{post['id']}/like")
    assert api.get("/api/v1/engagement/me").json()["stage"] == "participation"
    return person, colleague


def test_my_journey_shows_stage_reason_history_figures_and_rules(factory: Factory) -> None:
    person, _colleague = _participating(factory)
    page = factory.browser(person).get("/me/journey")
    assert page.status_code == 200
    html = page.text
    assert '<h1 id="journey-title">Taking part</h1>' in html
    assert "Follows colleagues or communities and reacted in the last 30 days" in html  # the reason
    assert 'aria-current="step"' in html
    # the history, newest first, with localised dates
    history = html[html.index("My history") : html.index("Everything the engine holds")]
    assert history.index("Discovering → Taking part") < history.index("Just arrived → Discovering")
    assert "Account created" in history and re.search(r"\w{3} \d{1,2}, \d{4}", history)
    # every figure, labelled with its window
    assert re.search(
        r"Colleagues, communities or tags followed or joined in the last 30 days</th><td>1</td>", html
    )
    assert re.search(r"Reactions and event replies in the last 30 days</th><td>1</td>", html)
    for field in fields(engagement.Figures):
        if field.name != "user_id":
            assert f'data-figure="{field.name}"' in html, field.name
    for field in fields(engagement.Rules):
        assert f'data-rule="{field.name}"' in html, field.name
    assert "Managers, HR and administrators see only aggregates" in html
    assert "of at least 5 people" in html
    # the nudges offered, with their "what's in it for me" line and why
    assert "Why you see it" in html
    assert 'href="/me/journey"' in html  # the account menu links here


def test_every_figure_and_threshold_has_a_label() -> None:
    rules = engagement.Rules()
    words = stage_words(rules)
    assert set(words) == {s for s in engagement.RANK}
    rows = figure_rows(engagement.Figures(user_id=1, stage="discovery"), rules, words)
    assert {r.key for r in rows} == {f.name for f in fields(engagement.Figures)} - {"user_id"}
    assert {r.key for r in rule_rows(rules)} == {f.name for f in fields(engagement.Rules)}
    assert all(r.label and r.value for r in rows)


def test_turning_nudges_off_and_on(factory: Factory) -> None:
    person = factory.person()
    browser = factory.browser(person)
    page = browser.get("/me/journey").text
    assert "Turn suggestions off" in page and 'class="nudge-item"' in page  # discovery: always one
    response = browser.post(
        "/me/journey/nudges", data={"enabled": "0", "csrf_token": csrf_from(page)}, follow_redirects=False
    )
    assert response.status_code == 303 and response.headers["location"].startswith("/me/journey")
    page = browser.get(response.headers["location"]).text
    assert "Suggestions are turned off" in page and 'class="nudge-item"' not in page
    assert factory.api(person).get("/api/v1/engagement/me").json()["nudges"] == []
    # without the CSRF field the form is refused
    assert browser.post("/me/journey/nudges", data={"enabled": "1"}).status_code == 403
    browser.post("/me/journey/nudges", data={"enabled": "1", "csrf_token": csrf_from(page)})
    assert factory.api(person).get("/api/v1/engagement/me").json()["nudges"]


def test_nobody_else_sees_a_persons_stage(factory: Factory) -> None:
    person, _colleague = _participating(factory, "Paula Part", department="Sales")
    boss = factory.person("Boss", roles=("hr", "admin"), department="Sales")
    reason = "Follows colleagues or communities and reacted"
    browser = factory.browser(boss)
    for url in (
        f"/people/{person.handle}",
        f"/people/{person.handle}/aside",
        f"/admin/people/{person.id}",
        "/people?q=Paula",
        "/search?q=Paula",
    ):
        page = browser.get(url)
        assert page.status_code == 200, url
        assert reason not in page.text and "Taking part" not in page.text, url
    own = browser.get("/me/journey").text  # one's own journey only
    assert reason not in own and '<h1 id="journey-title">Discovering</h1>' in own
    api = factory.api(boss)
    for url in (f"/api/v1/users/{person.id}", "/api/v1/users?q=Paula", "/api/v1/search?q=Paula"):
        body = api.get(url).text
        assert "participation" not in body and reason not in body and '"stage"' not in body, url
    assert api.get("/api/v1/engagement/me").json()["stage"] == "discovery"  # their own, not Paula's


def test_adoption_page_is_for_hr_and_admins_and_hides_small_groups(factory: Factory) -> None:
    hr = factory.person("Hélène", roles=("hr",), department="HR")
    for n in range(5):
        factory.api(factory.person(f"Sales {n}", department="Sales"))
    for n in range(5):
        factory.person(f"Sales newcomer {n}", department="Sales")
    for n in range(6):
        factory.api(factory.person(f"Ops {n}", department="Operations"))
    factory.person("Lonely", department="Legal")
    assert factory.browser(factory.person("Emma Employee")).get("/admin/adoption").status_code == 403
    page = factory.browser(hr).get("/admin/adoption?by=department")
    assert page.status_code == 200
    html = page.text

    def section(name: str) -> str:
        part = html[html.index(f">{name}</h3>") :]
        return part[: part.index("</section>")]

    sales = section("Sales")
    assert "<svg" in sales and "10 people" in sales
    # Sales' two stages would give Legal's lonely newcomer away by subtraction: both hidden, zeros shown
    assert sales.count('class="hidden-count"') == 2
    assert re.search(r"Taking part</th><td>0</td>", sales)
    assert "Fewer than 5 people: not shown." in section("Legal")
    assert "Lonely" not in html
    assert " style=" not in html  # the CSP forbids inline styles
    by_role = factory.browser(hr).get("/admin/adoption?by=role").text
    assert ">Employee</h3>" in by_role and 'aria-current="page">By role' in by_role
    assert factory.browser(hr).get("/admin/adoption?by=shoe_size").status_code == 200  # falls back
    fragment = factory.browser(hr).get("/admin/adoption?by=site", headers={"HX-Request": "true"}).text
    assert "<html" not in fragment and "adoption-group" in fragment


def _community(factory: Factory, owner_api, name: str, visibility: str = "public") -> str:
    response = owner_api.post("/api/v1/communities", json={"name": name, "visibility": visibility})
    assert response.status_code == 201, response.text
    return response.json()["slug"]


def test_community_health_is_for_its_managers(factory: Factory) -> None:
    owner, member, outsider = factory.person("Owner"), factory.person("Member"), factory.person("Out")
    owner_api = factory.api(owner)
    slug = _community(factory, owner_api, "Runners")
    factory.api(member).post(f"/api/v1/communities/{slug}/join")
    secret = _community(factory, owner_api, "Board room", "secret")

    page = factory.browser(owner).get(f"/communities/{slug}/health")
    assert page.status_code == 200
    assert "Launching" in page.text and "too early to judge" in page.text
    fragment = factory.browser(owner).get(f"/communities/{slug}/health", headers={"HX-Request": "true"})
    assert "<html" not in fragment.text and 'id="community-health"' in fragment.text
    assert factory.browser(member).get(f"/communities/{slug}/health").status_code == 403
    assert factory.browser(outsider).get(f"/communities/{slug}/health").status_code == 403
    assert factory.browser(outsider).get(f"/communities/{secret}/health").status_code == 404
    assert factory.browser(owner).get(f"/communities/{secret}/health").status_code == 200


def _age(factory: Factory, slug: str, *, community_days: int, posts: dict[int, list[int]]) -> None:
    """Move a community's birth and its posts (by id) back in time: post id → days ago of it and
    of each of its comments."""
    now = utcnow()
    with factory.database.session() as db:
        db.execute(
            update(Community)
            .where(Community.slug == slug)
            .values(created_at=now - timedelta(days=community_days))
        )
        for post_id, days in posts.items():
            db.execute(
                update(Post).where(Post.id == post_id).values(created_at=now - timedelta(days=days[0]))
            )
            db.execute(
                update(Comment)
                .where(Comment.post_id == post_id)
                .values(created_at=now - timedelta(days=days[-1]))
            )


def _lifecycle(factory: Factory, slug: str) -> lifecycle.Lifecycle:
    with factory.database.session(write=False) as db:
        community = db.query(Community).filter_by(slug=slug).one()
        return lifecycle.community_lifecycle(db, community=community)


def test_community_lifecycle_stages(factory: Factory) -> None:
    owner, member = factory.person("Owner"), factory.person("Member")
    owner_api, member_api = factory.api(owner), factory.api(member)
    slug = _community(factory, owner_api, "Data")
    member_api.post(f"/api/v1/communities/{slug}/join")

    def post(api, body: str) -> int:
        return api.post("/api/v1/posts", json={"kind": "status", "body": body, "community": slug}).json()[
            "id"
        ]

    assert _lifecycle(factory, slug).stage == "launching"

    # five posts and comments 31 to 60 days ago, none since: declining
    older = [post(owner_api, f"Old {n}") for n in range(4)]
    member_api.post(f"/api/v1/posts/{older[0]}/comments", json={"body": "Nice"})
    _age(factory, slug, community_days=90, posts={i: [45] for i in older})
    health = _lifecycle(factory, slug)
    assert (health.stage, health.posts_last_30, health.posts_prev_30) == ("declining", 0, 5)
    assert "0 posts and comments in the last 30 days, against 5" in health.reason

    # as many in the last 30 days as before: active; two people wrote them
    recent = [post(owner_api, f"New {n}") for n in range(3)]
    member_api.post(f"/api/v1/posts/{recent[0]}/comments", json={"body": "Yes"})
    member_api.post(f"/api/v1/posts/{recent[1]}/comments", json={"body": "Yes"})
    health = _lifecycle(factory, slug)
    assert (health.stage, health.posts_last_30, health.active_members_30) == ("active", 5, 2)

    # a post removed by moderation does not count, nor do the comments on it
    with factory.database.session() as db:
        db.execute(update(Post).where(Post.id == recent[0]).values(removed_at=utcnow()))
    health = _lifecycle(factory, slug)
    assert (health.posts_last_30, health.active_members_30) == (3, 2)

    # nothing for more than 60 days: dormant
    _age(factory, slug, community_days=200, posts={i: [70] for i in older + recent})
    health = _lifecycle(factory, slug)
    assert (health.stage, health.posts_last_30, health.posts_prev_30) == ("dormant", 0, 0)
    assert "No post and no comment in the last 60 days" in health.reason


def test_a_quiet_community_is_not_declining(factory: Factory) -> None:
    owner_api = factory.api(factory.person("Owner"))
    slug = _community(factory, owner_api, "Chess")
    ids = [
        owner_api.post("/api/v1/posts", json={"kind": "status", "body": "Move", "community": slug}).json()[
            "id"
        ]
        for _ in range(3)
    ]
    _age(factory, slug, community_days=120, posts={ids[0]: [40], ids[1]: [50], ids[2]: [55]})
    health = _lifecycle(factory, slug)
    assert (health.stage, health.posts_prev_30) == ("active", 3)  # 3 before is under the minimum of 4


def test_the_journey_page_in_french(factory: Factory) -> None:
    camille, _colleague = _participating(factory, "Camille Martin", locale="fr")
    page = factory.browser(camille).get("/me/journey").text
    assert '<html lang="fr">' in page
    assert "Mon parcours" in page and '<h1 id="journey-title">Participation</h1>' in page
    assert "Suit des collègues ou des communautés et a réagi au cours des 30 derniers jours" in page
    english = {m for m, s in _catalog().items() if s and s != m and len(m) > 3}
    text = _visible_text(page)
    leftovers = sorted(
        m for m in english if "%" not in m and "{" not in m and re.search(rf"\b{re.escape(m)}\b", text)
    )
    assert leftovers == []
    health_owner = factory.person("Chloé", locale="fr")
    slug = _community(factory, factory.api(health_owner), "Randonnée")
    health = factory.browser(health_owner).get(f"/communities/{slug}/health").text
    assert "Lancement" in health and "trop tôt pour juger" in health
    hr = factory.person("Hélène", roles=("hr",), locale="fr")
    assert "Moins de 5 personnes : non affiché." in factory.browser(hr).get("/admin/adoption").text
