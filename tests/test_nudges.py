"""WIIFM nudges: the catalogue, the numbers they show, holdout, dismissal, snooze, clicks,
completions, the measurement page, the home cards and French."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from io import BytesIO

import pytest
from babel.messages.pofile import read_po
from fastapi.testclient import TestClient
from PIL import Image
from sqlalchemy import event, select
from sqlalchemy.orm import joinedload

from app.i18n import TRANSLATIONS_DIR
from app.models import NudgeEvent, User
from app.services import nudges
from app.services.nudges import CATALOGUE, Population, definition, in_holdout
from tests.factories import Factory, csrf_from

SIX = {"information", "discovery", "participation", "contribution", "promotion", "disappointment"}


def _me(api: TestClient) -> dict:
    response = api.get("/api/v1/engagement/me")
    assert response.status_code == 200, response.text
    return response.json()


def _find(api: TestClient, key: str, rounds: int = 12) -> dict:
    """The nudge with this key, putting aside (by key) whatever is ranked before it."""
    for _ in range(rounds):
        offered = _me(api)["nudges"]
        for n in offered:
            if n["key"] == key:
                return n
        assert offered, f"{key} was never offered"
        for n in offered:
            api.post(f"/api/v1/engagement/nudges/{n['key']}/snooze")
    raise AssertionError(f"{key} was never offered")


def _events(factory: Factory, user_id: int, key: str | None = None) -> list[tuple[str, str]]:
    with factory.database.session(write=False) as db:
        stmt = select(NudgeEvent.nudge_key, NudgeEvent.event).where(NudgeEvent.user_id == user_id)
        if key:
            stmt = stmt.where(NudgeEvent.nudge_key == key)
        return [(k, e) for k, e in db.execute(stmt.order_by(NudgeEvent.id))]


def _person(
    factory: Factory, *, held_out_from: str | None = None, shown: str | None = None, **fields: object
):
    """A person who is (or is not) in the holdout of a nudge."""
    for _ in range(200):
        person = factory.person(**fields)  # type: ignore[arg-type]
        if held_out_from and in_holdout(person.id, definition(held_out_from)):
            return person
        if shown and not in_holdout(person.id, definition(shown)):
            return person
        if not held_out_from and not shown:
            return person
    raise AssertionError("no such person in 200 tries")


def _png() -> bytes:
    buf = BytesIO()
    Image.new("RGB", (80, 80), (30, 90, 160)).save(buf, format="PNG")
    return buf.getvalue()


# ---- the catalogue -------------------------------------------------------------------------------


def _french() -> dict[object, object]:
    with (TRANSLATIONS_DIR / "fr" / "LC_MESSAGES" / "messages.po").open("rb") as fh:
        return {m.id: m.string for m in read_po(fh, locale="fr") if m.id}


def test_the_catalogue_has_25_nudges_or_more_across_all_six_stages() -> None:
    assert len(CATALOGUE) >= 25
    assert len({d.key for d in CATALOGUE}) == len(CATALOGUE)
    assert set().union(*(d.stages for d in CATALOGUE)) == SIX
    for stage in SIX:
        assert sum(stage in d.stages for d in CATALOGUE) >= 3 or stage == "information", stage
    assert any(d.population.manager for d in CATALOGUE)
    assert any(d.population.roles for d in CATALOGUE)
    assert any(d.population.min_days or d.population.max_days for d in CATALOGUE)
    for d in CATALOGUE:
        assert 0 < d.holdout < 1 and d.cooldown_days >= 1, d.key
        assert d.action_url.startswith(("/", "{url}")) and d.fallback_url.startswith("/"), d.key


def test_every_line_of_the_catalogue_is_in_french_with_the_same_placeholders() -> None:
    french = _french()
    for d in CATALOGUE:
        for message in (d.title, d.wiifm, d.fallback):
            if message is None:
                continue
            translated = french.get(message)
            assert translated, f"{d.key}: no French for {message!r}"
            english = message if isinstance(message, tuple) else (message,)
            strings = translated if isinstance(translated, tuple) else (translated,)
            allowed = set().union(*(re.findall(r"\{(\w+)\}", m) for m in english))
            for text in strings:
                assert set(re.findall(r"\{(\w+)\}", text)) <= allowed, (d.key, text)


def test_populations_admit_by_department_site_role_seniority_and_team(factory: Factory) -> None:
    person = factory.person(department="Sales", site="Lyon", roles=("executive",))
    with factory.database.session() as db:
        viewer = db.get(User, person.id)
        assert viewer is not None
        c = nudges._context(db, viewer, datetime.now(UTC), 5)
        assert Population(departments=frozenset({"Sales"}), sites=frozenset({"Lyon"})).admits(c)
        assert not Population(departments=frozenset({"Finance"})).admits(c)
        assert Population(roles=frozenset({"executive"}), max_days=90).admits(c)
        assert not Population(min_days=365).admits(c)
        assert not Population(manager=True).admits(c) and Population(manager=False).admits(c)


# ---- what a person is offered --------------------------------------------------------------------


def test_a_newcomer_is_welcomed_and_gets_the_first_steps(factory: Factory) -> None:
    author = factory.person("Aline Author", department="Engineering")
    factory.api(author).post("/api/v1/posts", json={"kind": "status", "body": "Deploy done"})
    newcomer = factory.person("Noé Newcomer", department="Engineering")
    api = factory.api(newcomer)
    offered = _me(api)["nudges"]
    assert 1 <= len(offered) <= 3
    assert all(set(n) == {"id", "key", "title", "wiifm", "action_url"} for n in offered)
    keys = [n["key"] for n in offered]
    assert keys[0] == "information.welcome"
    assert offered[0]["wiifm"].startswith("Colleagues of Engineering shared a post in the last 30 days")
    assert all(k == "information.welcome" or k.startswith("discovery.") for k in keys)
    # the checklist card on the home page, with its progress
    aside = factory.browser(newcomer).get("/home/aside", headers={"HX-Request": "true"}).text
    assert "Your first steps" in aside and "0 of 5 done." in aside and "Welcome to Proxima" in aside


def test_the_welcome_is_for_the_first_hour_only(factory: Factory) -> None:
    person = factory.person(department="Engineering")
    factory.api(person)
    with factory.database.session() as db:
        viewer = db.get(User, person.id)
        assert viewer is not None
        assert "information.welcome" in [n.key for n in nudges.offer(db, viewer=viewer, limit=40)]
        later = datetime.now(UTC) + timedelta(hours=2)
        assert "information.welcome" not in [
            n.key for n in nudges.offer(db, viewer=viewer, limit=40, now=later)
        ]


def test_the_wiifm_line_names_the_numbers_from_the_data(factory: Factory) -> None:
    expert = _person(factory, shown="contribution.answer_expertise", department="Finance")
    asker = factory.person("Asker", department="Sales")
    api = factory.api(expert)
    api.patch("/api/v1/users/me", json={"tags": ["sap", "excel", "lean"]})
    api.post("/api/v1/posts", json={"kind": "status", "body": "Closing the books"})  # contribution
    asking = factory.api(asker)
    for n in range(3):
        asking.post("/api/v1/posts", json={"kind": "question", "body": f"SAP question {n}", "tags": ["sap"]})
    asking.post("/api/v1/posts", json={"kind": "question", "body": "Excel?", "tags": ["excel"]})
    found = _find(api, "contribution.answer_expertise")
    assert found["wiifm"] == "3 unanswered questions are tagged with your expertise #sap."
    assert found["title"] == "Answer a question on #sap" and found["action_url"] == "/tags/sap"


def test_colleagues_of_ones_site_in_a_community(factory: Factory) -> None:
    owner = factory.person("Owner", site="Lyon")
    slug = (
        factory.api(owner)
        .post("/api/v1/communities", json={"name": "Covoiturage Lyon", "visibility": "public"})
        .json()["slug"]
    )
    for n in range(2):
        factory.api(factory.person(f"Driver {n}", site="Lyon")).post(f"/api/v1/communities/{slug}/join")
    factory.api(factory.person("Far", site="Paris")).post(f"/api/v1/communities/{slug}/join")
    person = _person(factory, shown="participation.site_community", site="Lyon")
    found = _find(factory.api(person), "participation.site_community")
    assert found["wiifm"] == "3 colleagues of your site, Lyon, are in Covoiturage Lyon."
    assert found["title"] == "Join Covoiturage Lyon" and found["action_url"] == f"/communities/{slug}"


def test_a_post_that_travelled_across_departments(factory: Factory) -> None:
    author = _person(factory, shown="contribution.reach", department="Engineering")
    api = factory.api(author)
    post = api.post("/api/v1/posts", json={"kind": "status", "body": "New build pipeline"}).json()
    for department in ("Sales", "Finance", "HR"):
        colleague = factory.api(factory.person(department=department))
        if department == "HR":
            colleague.post(f"/api/v1/posts/{post['id']}/comments", json={"body": "Nice"})
        else:
            colleague.put(f"/api/v1/posts/{post['id']}/like")
    found = _find(api, "contribution.reach")
    assert "from people in 3 departments" in found["wiifm"]


def test_events_with_free_seats_at_ones_site(factory: Factory) -> None:
    organiser = factory.api(factory.person("Organiser", site="Lyon"))
    soon = datetime.now(UTC) + timedelta(days=2)
    for title, days in (("Digital day", 2), ("Lean workshop", 4), ("Later", 12)):
        organiser.post(
            "/api/v1/posts",
            json={
                "kind": "event",
                "title": title,
                "body": "Come",
                "event": {
                    "starts_at": (soon + timedelta(days=days - 2)).isoformat(),
                    "location": "Lyon, Confluence",
                },
            },
        )
    person = _person(factory, shown="discovery.events_site", site="Lyon")
    found = _find(factory.api(person), "discovery.events_site")
    assert found["wiifm"].startswith(
        "2 events at Lyon in the next 7 days have free seats, starting with “Digital day” on "
    )


def test_managers_see_team_counts_only_for_a_team_of_five_or_more(factory: Factory) -> None:
    boss = _person(factory, shown="information.invite_team", email="boss@example.com", department="Ops")
    small = factory.person("Small boss", email="small@example.com")
    for n in range(11):
        report = factory.person(f"Report {n}", manager_email="boss@example.com")
        if n < 5:
            factory.api(report)  # signs in
    split = factory.person("Split boss", email="split@example.com")
    for n in range(6):
        report = factory.person(f"Split report {n}", manager_email="split@example.com")
        if n < 3:
            factory.api(report)
    for n in range(4):
        factory.person(f"Small report {n}", manager_email="small@example.com")
    found = _find(factory.api(boss), "information.invite_team")
    assert (
        found["wiifm"]
        == "6 people of your team of 11 have not come in yet: tell them what they would find here."
    )
    assert "Report" not in found["wiifm"]
    with factory.database.session() as db:
        for manager in (small, split):  # a team under 5, or a split into counts under 5: nothing
            viewer = db.get(User, manager.id)
            assert viewer is not None
            offered = nudges.offer(db, viewer=viewer, limit=40, threshold=5)
            assert "information.invite_team" not in [n.key for n in offered]


# ---- holdout, dismissal, snooze ------------------------------------------------------------------


def test_holdout_is_deterministic_and_logged(factory: Factory) -> None:
    photo = definition("discovery.photo")
    share = sum(in_holdout(user_id, photo) for user_id in range(1, 10_001)) / 10_000
    assert 0.09 < share < 0.11
    held = _person(factory, held_out_from="discovery.photo")
    assert in_holdout(held.id, definition("discovery.photo")) == in_holdout(
        held.id, definition("discovery.photo")
    )
    api = factory.api(held)
    for _ in range(2):
        assert "discovery.photo" not in [n["key"] for n in _me(api)["nudges"]]
    assert _events(factory, held.id, "discovery.photo") == [("discovery.photo", "holdout")]  # once a day
    shown = _person(factory, shown="discovery.photo")
    assert "discovery.photo" in [n["key"] for n in _me(factory.api(shown))["nudges"]]
    assert _events(factory, shown.id, "discovery.photo") == [("discovery.photo", "delivered")]


@pytest.mark.parametrize(("action", "days"), [("dismiss", 14), ("snooze", 3)])
def test_a_nudge_put_aside_comes_back_after_its_time(factory: Factory, action: str, days: int) -> None:
    person = _person(factory, shown="discovery.photo")
    factory.api(person)
    t0 = datetime.now(UTC)

    def keys(db: object, at: datetime) -> list[str]:
        viewer = db.get(User, person.id)  # type: ignore[attr-defined]
        return [n.key for n in nudges.offer(db, viewer=viewer, limit=40, now=at)]  # type: ignore[arg-type]

    with factory.database.session() as db:
        assert "discovery.photo" in keys(db, t0)
        getattr(nudges, action)(db, viewer=db.get(User, person.id), nudge="discovery.photo", now=t0)
        assert "discovery.photo" not in keys(db, t0 + timedelta(minutes=1))
        assert "discovery.photo" not in keys(db, t0 + timedelta(days=days) - timedelta(hours=1))
        assert "discovery.photo" in keys(db, t0 + timedelta(days=days, hours=1))


# ---- clicks and completions ----------------------------------------------------------------------


def test_a_click_is_logged_and_leads_only_to_a_local_path(factory: Factory) -> None:
    person = factory.person(department="Engineering")
    browser = factory.browser(person)
    nudge = _me(browser)["nudges"][0]
    response = browser.get(f"/nudges/{nudge['id']}/go", follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == nudge["action_url"]
    assert response.headers["location"].startswith("/") and not response.headers["location"].startswith("//")
    assert (nudge["key"], "clicked") in _events(factory, person.id)
    assert browser.get("/nudges/999999/go", follow_redirects=False).status_code == 404
    assert browser.get("/nudges/https:%2F%2Fevil.example/go", follow_redirects=False).status_code == 404
    other = factory.browser(factory.person())
    assert other.get(f"/nudges/{nudge['id']}/go", follow_redirects=False).status_code == 404
    with factory.database.session(write=False) as db:  # a held-out or clicked event is no delivery
        clicked = db.scalar(select(NudgeEvent.id).where(NudgeEvent.event == "clicked"))
    assert browser.get(f"/nudges/{clicked}/go", follow_redirects=False).status_code == 404


def test_completion_is_logged_once_when_the_action_is_done(factory: Factory) -> None:
    shown = _person(factory, shown="discovery.photo")
    held = _person(factory, held_out_from="discovery.photo")
    for person in (shown, held):
        api = factory.api(person)
        _me(api)
        response = api.put("/api/v1/users/me/photo", files={"photo": ("me.png", _png(), "image/png")})
        assert response.status_code == 200, response.text
        _me(api)
        _me(api)
    assert _events(factory, shown.id, "discovery.photo") == [
        ("discovery.photo", "delivered"),
        ("discovery.photo", "completed"),
    ]
    assert _events(factory, held.id, "discovery.photo") == [
        ("discovery.photo", "holdout"),
        ("discovery.photo", "completed"),
    ]


def test_an_action_done_after_the_nudge_completes_it(factory: Factory) -> None:
    owner = factory.person("Owner", site="Lyon")
    slug = (
        factory.api(owner)
        .post("/api/v1/communities", json={"name": "Covoiturage Lyon", "visibility": "public"})
        .json()["slug"]
    )
    factory.api(factory.person(site="Lyon")).post(f"/api/v1/communities/{slug}/join")
    person = _person(factory, shown="participation.site_community", site="Lyon")
    api = factory.api(person)
    _find(api, "participation.site_community")
    api.post(f"/api/v1/communities/{slug}/join")
    keys = [n["key"] for n in _me(api)["nudges"]]
    assert "participation.site_community" not in keys
    assert ("participation.site_community", "completed") in _events(factory, person.id)


# ---- measuring -----------------------------------------------------------------------------------


def test_newcombe_interval_matches_the_published_example() -> None:
    # Newcombe (1998), example (a): 56/70 vs 48/80 → 0.2000, 95% CI 0.0524 to 0.3339
    d, low, high = nudges.newcombe(56, 70, 48, 80)
    assert round(d, 4) == 0.2 and round(low, 4) == 0.0524 and round(high, 4) == 0.3339


def _log(factory: Factory, key: str, shown: int, shown_done: int, held: int, held_done: int) -> None:
    people = [factory.person() for _ in range(shown + held)]
    now = datetime.now(UTC)
    with factory.database.session() as db:
        for index, person in enumerate(people):
            exposed = "delivered" if index < shown else "holdout"
            done = index < shown_done or shown <= index < shown + held_done
            db.add(NudgeEvent(user_id=person.id, nudge_key=key, event=exposed, at=now))
            if done:
                db.add(NudgeEvent(user_id=person.id, nudge_key=key, event="completed", at=now))
            if index == 0:
                db.add(NudgeEvent(user_id=person.id, nudge_key=key, event="clicked", at=now))


def test_the_measurement_page_compares_shown_and_held_out(factory: Factory) -> None:
    _log(factory, "discovery.photo", shown=20, shown_done=8, held=6, held_done=1)
    _log(factory, "discovery.tags", shown=9, shown_done=3, held=3, held_done=1)
    hr = factory.browser(factory.person("Hélène", roles=("hr",)))
    page = hr.get("/admin/nudges")
    assert page.status_code == 200
    row = re.search(r'<tr id="measure-discovery.photo">(.*?)</tr>', page.text, re.S)
    assert row is not None
    cells = re.sub(r"<[^>]+>", " ", row.group(1))
    assert "20" in cells and "40.0%" in cells and "16.7%" in cells and "+23.3" in cells
    assert '<svg class="nudge-bar"' in row.group(1) and 'width="40.0"' in row.group(1)
    tags_row = re.search(r'<tr id="measure-discovery.tags">(.*?)</tr>', page.text, re.S)
    assert (
        tags_row is not None and "Too few people yet" in tags_row.group(1) and "33.3" not in tags_row.group(1)
    )
    assert "style=" not in page.text
    assert factory.browser(factory.person()).get("/admin/nudges").status_code == 403
    assert (
        factory.browser(factory.person(roles=("admin",))).get("/admin/nudges?period=all").status_code == 200
    )


def test_measure_counts_people_once_and_suppresses_small_groups(factory: Factory) -> None:
    _log(factory, "discovery.photo", shown=20, shown_done=8, held=6, held_done=1)
    with factory.database.session(write=False) as db:
        measures = {m.key: m for m in nudges.measure(db, threshold=5)}
        later = {m.key: m for m in nudges.measure(db, datetime.now(UTC) + timedelta(days=1), threshold=5)}
    photo = measures["discovery.photo"]
    assert (photo.shown, photo.shown_completed, photo.held_out, photo.held_out_completed) == (20, 8, 6, 1)
    assert photo.clicks == 1 and photo.uplift is not None and photo.low is not None and photo.high is not None
    assert photo.low < photo.uplift < photo.high and abs(photo.uplift - (0.4 - 1 / 6)) < 1e-9
    assert measures["discovery.tags"].suppressed and measures["discovery.tags"].shown is None
    assert later["discovery.photo"].suppressed


# ---- the home cards ------------------------------------------------------------------------------


def test_home_aside_cards_dismiss_with_htmx_and_without_javascript(factory: Factory) -> None:
    person = factory.person(department="Engineering")
    browser = factory.browser(person)
    token = csrf_from(browser.get("/").text)
    aside = browser.get("/home/aside", headers={"HX-Request": "true"}).text
    ids = re.findall(r'<(?:section|li) class="[^"]*\bnudge\b[^"]*" id="nudge-(\d+)"', aside)
    assert 1 <= len(ids) <= 3
    assert f'href="/nudges/{ids[0]}/go"' in aside and "Not now" in aside and "Turn nudges off" in aside
    assert f'hx-post="/nudges/{ids[0]}/dismiss"' in aside and 'hx-target="closest .nudge"' in aside
    gone = browser.post(f"/nudges/{ids[0]}/dismiss", headers={"HX-Request": "true", "X-CSRF-Token": token})
    assert (
        gone.status_code == 200 and gone.text.strip() == "" and "proxima:toast" in gone.headers["HX-Trigger"]
    )
    assert f'id="nudge-{ids[0]}"' not in browser.get("/home/aside", headers={"HX-Request": "true"}).text
    # without JavaScript: a plain form, back to the home page
    plain = browser.post(
        f"/nudges/{ids[1]}/snooze", data={"csrf_token": token, "next": "/"}, follow_redirects=False
    )
    assert plain.status_code == 303 and plain.headers["location"] == "/"
    assert browser.post(f"/nudges/{ids[1]}/snooze", data={"next": "/"}).status_code == 403  # no CSRF token
    assert (
        browser.post(
            f"/nudges/{ids[2]}/dismiss",
            data={"csrf_token": token, "next": "https://evil.example/"},
            follow_redirects=False,
        ).headers["location"]
        == "/"
    )


def test_turning_nudges_off_and_back_on(factory: Factory) -> None:
    person = factory.person()
    browser = factory.browser(person)
    token = csrf_from(browser.get("/").text)
    off = browser.post(
        "/nudges/settings",
        data={"enabled": "0", "next": "/"},
        headers={"HX-Request": "true", "X-CSRF-Token": token},
    )
    assert "Nudges are off." in off.text and "Turn them back on" in off.text
    assert _me(browser)["nudges"] == [] and _me(browser)["nudges_enabled"] is False
    aside = browser.get("/home/aside").text
    assert "Nudges are off." in aside and 'class="card nudge' not in aside
    back = browser.post(
        "/nudges/settings", data={"enabled": "1", "csrf_token": token, "next": "/"}, follow_redirects=False
    )
    assert back.status_code == 303 and _me(browser)["nudges"]
    page = browser.get("/nudges")
    assert page.status_code == 200 and "Turn nudges off" in page.text and "/admin/nudges" not in page.text


def test_a_nudge_in_french(factory: Factory) -> None:
    camille = factory.person("Camille Martin", locale="fr", department="Ingénierie")
    factory.api(factory.person("Aline", department="Ingénierie")).post(
        "/api/v1/posts", json={"kind": "status", "body": "Bonjour"}
    )
    offered = _me(factory.api(camille))["nudges"]
    welcome = offered[0]
    assert welcome["key"] == "information.welcome" and welcome["title"] == "Bienvenue sur Proxima"
    assert welcome["wiifm"].startswith("Vos collègues du service Ingénierie ont partagé 1 publication ces 30")
    aside = factory.browser(camille).get("/home/aside").text
    assert '<html lang="fr">' in aside and "Vos premiers pas" in aside and "Pas maintenant" in aside
    assert "Not now" not in aside and "Your first steps" not in aside


# ---- cost ----------------------------------------------------------------------------------------


@pytest.fixture
def statements(factory: Factory) -> Iterator[list[str]]:
    seen: list[str] = []

    def count(conn: object, cursor: object, statement: str, *args: object) -> None:
        if not statement.lstrip().upper().startswith(("BEGIN", "COMMIT", "ROLLBACK", "PRAGMA", "SAVEPOINT")):
            seen.append(statement)

    event.listen(factory.database.engine, "before_cursor_execute", count)
    yield seen
    event.remove(factory.database.engine, "before_cursor_execute", count)


def test_offering_to_a_discovery_person_takes_a_few_statements(
    factory: Factory, statements: list[str]
) -> None:
    colleague = factory.person(department="Engineering", site="Lyon")
    factory.api(colleague).post("/api/v1/posts", json={"kind": "status", "body": "Hello"})
    person = factory.person(department="Engineering", site="Lyon")
    factory.api(person)
    with factory.database.session() as db:
        # as a request loads them: with their roles
        viewer = db.scalars(
            select(User).options(joinedload(User.role_rows)).where(User.id == person.id)
        ).first()
        assert viewer is not None
        statements.clear()
        first = nudges.offer(db, viewer=viewer)
        first_count, first_statements = len(statements), list(statements)
        statements.clear()
        again = nudges.offer(db, viewer=viewer, now=datetime.now(UTC) + timedelta(hours=2))
        later_count = len(statements)
    assert first and again
    # the person and their stage, their nudge history, one per eligibility rule tried (one more when a
    # nudge leading to the same place as another is passed over), one insert
    assert first_count <= 8, "\n---\n".join(s[:150] for s in first_statements)
    assert later_count <= 9
