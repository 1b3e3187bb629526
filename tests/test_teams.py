"""A line manager's team through HTTP: the funnel only for a team of the threshold or more, with
complementary cells hidden; never a member's stage; the trend; suggested actions; managers' nudges."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from fastapi.testclient import TestClient
from sqlalchemy import select, update

from app.models import NudgeEvent, User
from app.services import nudges
from app.services.nudges import definition, in_holdout
from tests.factories import Factory

STAGES = ["information", "discovery", "participation", "contribution", "promotion", "disappointment"]


def _manager(factory: Factory, email: str = "boss@example.com", **fields: object) -> User:
    return factory.person("Bea Boss", email=email, **fields)  # type: ignore[arg-type]


def _team(factory: Factory, boss: User, *, signed_in: int, not_in: int, prefix: str = "Report") -> list[User]:
    """Reports of the boss: `signed_in` of them come in (discovery), the others never do."""
    people = []
    for n in range(signed_in + not_in):
        person = factory.person(f"{prefix} {n}", manager_email=boss.email)
        if n < signed_in:
            factory.api(person)  # a token counts as signing in: discovery
        people.append(person)
    return people


def _team_api(factory: Factory, boss: User) -> dict:
    response = factory.api(boss).get("/api/v1/teams/me")
    assert response.status_code == 200, response.text
    return response.json()


def test_a_team_of_four_shows_nothing(factory: Factory) -> None:
    boss = _manager(factory)
    _team(factory, boss, signed_in=2, not_in=2)
    assert _team_api(factory, boss) == {"size": 4, "threshold": 5, "suppressed": True}
    page = factory.browser(boss).get("/team")
    assert page.status_code == 200
    html = page.text
    assert "Your team has fewer than 5 people: its figures are not shown" in html
    assert "adoption-table" not in html and "trend-chart" not in html
    # the members are listed, with a link to their profile and never a stage beside them
    for n in range(4):
        assert f"Report {n}" in html
    members = html[html.index('class="team-members"') :]
    members = members[: members.index("</ul>")]
    assert "/people/report" in members
    for word in ("Discovering", "Just arrived", "stage-"):
        assert word not in members


def test_a_team_of_six_shows_its_figures_with_complementary_cells_hidden(factory: Factory) -> None:
    boss = _manager(factory)
    _team(factory, boss, signed_in=3, not_in=3)
    body = _team_api(factory, boss)
    assert body["size"] == 6 and body["suppressed"] is False
    # 3 and 3: both under the threshold, hidden; the empty stages are shown as 0
    assert body["stages"] == {
        "information": None,
        "discovery": None,
        "participation": 0,
        "contribution": 0,
        "promotion": 0,
        "disappointment": 0,
    }
    html = factory.browser(boss).get("/team").text
    table = html[html.index('class="table adoption-table"') :]
    table = table[: table.index("</table>")]
    assert table.count("hidden-count") == 2
    assert re.search(r"Taking part</th><td>0</td>", table)


def test_a_team_of_ten_split_five_and_five_shows_both(factory: Factory) -> None:
    boss = _manager(factory)
    _team(factory, boss, signed_in=5, not_in=5)
    body = _team_api(factory, boss)
    assert body["stages"]["information"] == 5 and body["stages"]["discovery"] == 5
    html = factory.browser(boss).get("/team").text
    assert re.search(r"Discovering</th><td>5</td><td>50 %</td>", html)


def test_a_cell_that_subtraction_would_reveal_hides_its_complement(factory: Factory) -> None:
    """7 people, 5 at discovery and 2 not come in: showing 5 would tell the 2 (7 - 5)."""
    boss = _manager(factory)
    _team(factory, boss, signed_in=5, not_in=2)
    stages = _team_api(factory, boss)["stages"]
    assert stages["information"] is None
    assert stages["discovery"] is None  # the complementary cell
    assert sum(v for v in stages.values() if v is not None) == 0


def test_everyone_at_one_stage_is_not_told(factory: Factory) -> None:
    """Six people who all came in: "6 at discovery" would tell each one's stage."""
    boss = _manager(factory)
    _team(factory, boss, signed_in=6, not_in=0)
    stages = _team_api(factory, boss)["stages"]
    assert stages["discovery"] is None
    assert list(stages.values()).count(None) == 2


def test_no_reports_no_team(factory: Factory) -> None:
    loner = factory.person("Lone Wolf")
    assert factory.api(loner).get("/api/v1/teams/me").status_code == 404
    browser = factory.browser(loner)
    assert browser.get("/team").status_code == 404
    assert 'href="/team"' not in browser.get("/me/journey").text
    boss = _manager(factory)
    _team(factory, boss, signed_in=1, not_in=0)
    assert 'href="/team"' in factory.browser(boss).get("/me/journey").text


def test_the_team_counts_active_direct_reports_only(factory: Factory) -> None:
    boss = _manager(factory)
    reports = _team(factory, boss, signed_in=0, not_in=5)
    grandchild = factory.person("Grand Child", manager_email=reports[0].email)
    assert _team_api(factory, boss)["size"] == 5
    with factory.database.session() as db:
        db.execute(update(User).where(User.id == reports[1].id).values(is_active=False))
    assert _team_api(factory, boss)["size"] == 4
    assert grandchild.display_name not in factory.browser(boss).get("/team").text


def test_the_trend_counts_todays_team_and_hides_a_week_a_newcomer_would_tell(factory: Factory) -> None:
    boss = _manager(factory)
    team = _team(factory, boss, signed_in=5, not_in=5)
    newcomer = factory.person("New Comer", manager_email=boss.email)
    weeks_ago = datetime.now(UTC) - timedelta(weeks=4)
    with factory.database.session() as db:
        ids = [p.id for p in team]
        db.execute(update(User).where(User.id.in_(ids)).values(created_at=weeks_ago))
        # their stage changes happened back then too (the engine wrote them now, in the test)
        from app.models import StageTransition

        db.execute(update(StageTransition).where(StageTransition.user_id.in_(ids)).values(at=weeks_ago))
        db.execute(update(User).where(User.id.in_(ids[:5])).values(first_seen_at=weeks_ago))
    body = _team_api(factory, boss)
    trend = body["trend"]
    assert len(trend) == 12
    # this week: 11 people (6 never came in, 5 discovering): both counts shown
    assert trend[-1]["stages"]["information"] == 6 and trend[-1]["stages"]["discovery"] == 5
    # earlier weeks had the ten without the newcomer: one person short, so not shown
    assert trend[-2]["stages"] is None
    # before they all arrived, fewer than five: nothing
    assert trend[0]["stages"] is None
    html = factory.browser(boss).get("/team").text
    assert "trend-chart" in html and "<title>" in html
    assert newcomer.display_name in html  # listed as a member, welcomed as a newcomer


def _event(api: TestClient, title: str, *, days: int, tags: list[str], community: str | None = None) -> dict:
    body: dict = {
        "kind": "event",
        "title": title,
        "body": "Come along",
        "tags": tags,
        "event": {"starts_at": (datetime.now(UTC) + timedelta(days=days)).isoformat(), "location": "Paris"},
    }
    if community:
        body["community"] = community
    response = api.post("/api/v1/posts", json=body)
    assert response.status_code == 201, response.text
    return response.json()


def test_suggested_actions_name_events_and_public_first_posts_only(factory: Factory) -> None:
    boss = _manager(factory)
    team = _team(factory, boss, signed_in=2, not_in=3)
    organiser = factory.api(factory.person("Olga Organiser"))
    _event(organiser, "Welcome breakfast", days=3, tags=["onboarding"])
    _event(organiser, "Later welcome", days=45, tags=["onboarding"])
    secret = organiser.post(
        "/api/v1/communities", json={"name": "Secret club", "description": "x", "visibility": "secret"}
    )
    _event(organiser, "Secret welcome", days=4, tags=["onboarding"], community=secret.json()["slug"])
    factory.api(team[0]).post("/api/v1/posts", json={"kind": "status", "body": "My very first post here"})
    html = factory.browser(boss).get("/team").text
    actions = html[html.index('class="card team-actions"') :]
    actions = actions[: actions.index("</section>")]
    assert "1 event for newcomers this month — invite your team" in actions
    assert "Welcome breakfast" in actions
    assert "Later welcome" not in actions and "Secret welcome" not in actions
    assert "Recognise a first post" in actions and "My very first post here" in actions
    assert team[0].display_name in actions
    for word in ("Discovering", "Just arrived", "stage-", "information"):
        assert word not in actions


def test_a_post_in_a_private_community_is_never_named(factory: Factory) -> None:
    boss = _manager(factory)
    team = _team(factory, boss, signed_in=1, not_in=4)
    member = factory.api(team[0])
    slug = member.post(
        "/api/v1/communities", json={"name": "Quiet room", "description": "x", "visibility": "private"}
    ).json()["slug"]
    member.post("/api/v1/posts", json={"kind": "status", "body": "Hush, private words", "community": slug})
    html = factory.browser(boss).get("/team").text
    assert "Hush, private words" not in html
    # a first *public* post after it is named as a first post
    member.post("/api/v1/posts", json={"kind": "status", "body": "Hello everyone"})
    html = factory.browser(boss).get("/team").text
    assert "Hello everyone" in html and "Hush" not in html


def test_an_hr_manager_cannot_subtract_their_team_from_their_department(factory: Factory) -> None:
    """Sales holds the team of 6 and 2 more people: Sales (shown to HR) minus the team would tell
    those 2. For a manager who reads the HR dashboard the team is withheld; for others it is not."""
    hr_boss = factory.person("Hana HR", email="hana@example.com", roles=("hr",), department="HR")
    plain_boss = factory.person("Paul Plain", email="paul@example.com", department="Ops")
    for n in range(6):
        factory.person(f"Seller {n}", department="Sales", manager_email="hana@example.com")
    for n in range(2):
        factory.person(f"Other seller {n}", department="Sales")
    for n in range(6):
        factory.person(f"Ops {n}", department="Ops", manager_email="paul@example.com")
    for n in range(2):
        factory.person(f"Other ops {n}", department="Ops")
    withheld = _team_api(factory, hr_boss)
    assert withheld["suppressed"] is True and set(withheld["stages"].values()) == {None}
    assert "would let a few colleagues' stages be deduced" in factory.browser(hr_boss).get("/team").text
    shown = _team_api(factory, plain_boss)
    assert shown["suppressed"] is False


def test_french_team_page(factory: Factory) -> None:
    boss = _manager(factory, locale="fr")
    _team(factory, boss, signed_in=5, not_in=5)
    html = factory.browser(boss).get("/team").text
    assert "Mon équipe" in html and "Le parcours de votre équipe" in html
    assert "Sur les 12 dernières semaines" in html


# ---- managers' nudges ----------------------------------------------------------------------------


def _offered(factory: Factory, person: User) -> list[str]:
    with factory.database.session() as db:
        viewer = db.get(User, person.id)
        assert viewer is not None
        return [n.key for n in nudges.offer(db, viewer=viewer, limit=60, threshold=5)]


def _completed(factory: Factory, person: User, key: str) -> bool:
    with factory.database.session(write=False) as db:
        return bool(
            db.scalar(
                select(NudgeEvent.id).where(
                    NudgeEvent.user_id == person.id,
                    NudgeEvent.nudge_key == key,
                    NudgeEvent.event == "completed",
                )
            )
        )


def _find(api: TestClient, key: str) -> dict:
    """The nudge with this key as the API shows it, snoozing whatever is ranked before it."""
    for _ in range(12):
        offered = api.get("/api/v1/engagement/me").json()["nudges"]
        for n in offered:
            if n["key"] == key:
                return n
        assert offered, f"{key} was never offered"
        for n in offered:
            api.post(f"/api/v1/engagement/nudges/{n['key']}/snooze")
    raise AssertionError(f"{key} was never offered")


def _shown_manager(factory: Factory, key: str) -> User:
    for n in range(200):
        person = factory.person(f"Boss {n}", email=f"boss{n}@example.com")
        if not in_holdout(person.id, definition(key)):
            factory.api(person)  # signs in: nudges are for people who came in
            return person
    raise AssertionError("no manager outside the holdout")


def test_recognise_a_first_post_until_the_manager_reacts(factory: Factory) -> None:
    key = "manager.recognise_first_post"
    boss = _shown_manager(factory, key)
    (report,) = _team(factory, boss, signed_in=1, not_in=0)
    assert key not in _offered(factory, boss)
    # the boss already liked a post: their own first-like nudge does not point at the report's post
    other = factory.api(factory.person("Olga Other")).post(
        "/api/v1/posts", json={"kind": "status", "body": "Hi"}
    )
    factory.api(boss).put(f"/api/v1/posts/{other.json()['id']}/like")
    post = factory.api(report).post("/api/v1/posts", json={"kind": "status", "body": "First!"}).json()
    assert key in _offered(factory, boss)
    mine = _find(factory.api(boss), key)
    assert mine["title"] == f"Recognise {report.display_name}'s first post"
    assert mine["action_url"] == f"/posts/{post['id']}"
    assert "discover" not in mine["wiifm"].lower()
    assert factory.api(boss).put(f"/api/v1/posts/{post['id']}/like").status_code == 204
    _offered(factory, boss)
    assert _completed(factory, boss, key)
    assert key not in _offered(factory, boss)
    # a second post is not a first post
    factory.api(report).post("/api/v1/posts", json={"kind": "status", "body": "Second"})
    assert key not in _offered(factory, boss)


def test_invite_the_team_to_a_newcomers_event_until_someone_goes(factory: Factory) -> None:
    key = "manager.invite_team_event"
    boss = _shown_manager(factory, key)
    (report,) = _team(factory, boss, signed_in=1, not_in=0)
    assert key not in _offered(factory, boss)
    organiser = factory.api(factory.person("Olga Organiser"))
    event = _event(organiser, "Welcome breakfast", days=5, tags=["bienvenue"])
    _event(organiser, "Not for newcomers", days=2, tags=["python"])
    assert key in _offered(factory, boss)
    mine = _find(factory.api(boss), key)
    assert mine["title"] == "Invite your team to Welcome breakfast"
    assert mine["wiifm"].startswith("An event for newcomers this month, Welcome breakfast on ")
    assert not _completed(factory, boss, key)
    assert factory.api(report).put(f"/api/v1/posts/{event['id']}/rsvp").status_code == 200
    _offered(factory, boss)
    assert _completed(factory, boss, key)


def test_welcome_a_newcomer_until_followed_and_not_for_people_without_a_team(factory: Factory) -> None:
    key = "manager.welcome_team_newcomer"
    boss = _shown_manager(factory, key)
    (report,) = _team(factory, boss, signed_in=0, not_in=1)
    assert key in _offered(factory, boss)
    assert factory.api(boss).put(f"/api/v1/users/{report.id}/follow").status_code == 204
    _offered(factory, boss)
    assert _completed(factory, boss, key)
    assert key not in _offered(factory, boss)
    loner = factory.person("Lone Wolf")
    factory.api(loner)
    factory.api(factory.person("Olga Organiser"))
    offered = _offered(factory, loner)
    assert not [k for k in offered if k.startswith("manager.")]
