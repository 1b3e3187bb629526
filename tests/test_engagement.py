"""The engagement engine: one person through all six stages, the sweep, privacy, and adoption figures."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import event, func, select

from app.models import StageTransition
from tests.factories import PASSWORD, Factory


def _me(api: TestClient) -> dict:
    response = api.get("/api/v1/engagement/me")
    assert response.status_code == 200, response.text
    return response.json()


def _sweep(factory: Factory, as_of: datetime, tmp_path: Path) -> str:
    env = {**os.environ, "PROXIMA_DATABASE_URL": factory.settings.database_url, "PROXIMA_ENV": "test"}
    done = subprocess.run(
        [sys.executable, "-m", "app", "engagement", "sweep", "--as-of", as_of.isoformat()],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        cwd=tmp_path,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_one_person_through_all_six_stages_and_back(factory: Factory, tmp_path: Path) -> None:
    admin = factory.api(factory.person("Ada Admin", roles=("admin",)))
    created = admin.post(
        "/api/v1/users",
        json={"email": "nina@example.com", "display_name": "Nina Nouvelle", "password": PASSWORD},
    )
    nina_id = created.json()["id"]
    colleague, asker = (
        factory.person("Colleague", department="Sales"),
        factory.person("Asker", department="Finance"),
    )

    # information: the account exists, nobody has signed in yet (seen through the sweep's figures)
    out = _sweep(factory, datetime.now(UTC), tmp_path)
    assert "information" in out

    # discovery: a token is a sign-in
    nina = TestClient(factory.app)
    token = nina.post("/api/v1/auth/token", json={"email": "nina@example.com", "password": PASSWORD}).json()
    nina.headers["Authorization"] = f"Bearer {token['access_token']}"
    me = _me(nina)
    assert me["stage"] == "discovery" and me["reason"] == "Has signed in"
    assert me["nudges"], "someone at discovery is always offered a nudge"
    assert me["history"][-1] == {**me["history"][-1], "from": None, "to": "information"}

    # participation: follows someone and reacts
    post = factory.api(colleague).post("/api/v1/posts", json={"kind": "status", "body": "Hello team"}).json()
    nina.put(f"/api/v1/users/{colleague.id}/follow")
    assert _me(nina)["stage"] == "discovery"
    nina.put(f"/api/v1/posts/{post['id']}/like")
    me = _me(nina)
    assert me["stage"] == "participation" and "reacted" in me["reason"]

    # contribution: a first post
    nina.post("/api/v1/posts", json={"kind": "status", "body": "My first post"})
    me = _me(nina)
    assert me["stage"] == "contribution" and me["reason"] == "Posts in the last 30 days: 1"

    # promotion: contributes, and brings others in (praise + an accepted answer)
    nina.post("/api/v1/posts", json={"kind": "praise", "body": "Thanks!", "praised_user_id": colleague.id})
    assert _me(nina)["stage"] == "contribution"
    question = factory.api(asker).post("/api/v1/posts", json={"kind": "question", "body": "How?"}).json()
    answer = nina.post(f"/api/v1/posts/{question['id']}/comments", json={"body": "Like this"}).json()
    factory.api(asker).post(f"/api/v1/posts/{question['id']}/comments/{answer['id']}/accept")
    me = _me(nina)
    assert me["stage"] == "promotion"
    assert "recognised colleagues" in me["reason"] and "accepted" in me["reason"]

    # disappointment: no visit for 30 days, applied by the sweep
    _sweep(factory, datetime.now(UTC) + timedelta(days=31), tmp_path)
    me = _me(nina)
    assert me["stage"] == "disappointment" and me["reason"] == "No visit for 30 days"
    assert any(n["key"].startswith("disappointment.") for n in me["nudges"])

    # back: a new sign-in with activity moves them to the stage their activity shows
    nina.post("/api/v1/posts", json={"kind": "status", "body": "Back!"})
    me = _me(nina)
    assert me["stage"] == "promotion"
    assert all(h["reason"] for h in me["history"])
    with factory.database.session(write=False) as db:  # in the order they happened (the sweep ran "later")
        stages = db.scalars(
            select(StageTransition.to_stage)
            .where(StageTransition.user_id == nina_id)
            .order_by(StageTransition.id)
        ).all()
    assert stages == [
        "information",
        "discovery",
        "participation",
        "contribution",
        "promotion",
        "disappointment",
        "promotion",
    ]


def test_leaving_every_community_is_a_disappointment(factory: Factory) -> None:
    person, owner = factory.person(), factory.person()
    api = factory.api(person)
    slug = (
        factory.api(owner)
        .post("/api/v1/communities", json={"name": "Runners", "visibility": "public"})
        .json()["slug"]
    )
    api.post(f"/api/v1/communities/{slug}/join")
    post = (
        factory.api(owner)
        .post("/api/v1/posts", json={"kind": "status", "body": "Run!", "community": slug})
        .json()
    )
    api.put(f"/api/v1/posts/{post['id']}/like")
    assert _me(api)["stage"] == "participation"
    api.post(f"/api/v1/communities/{slug}/leave")
    me = _me(api)
    assert me["stage"] == "disappointment" and me["reason"] == "Left every community they had joined"


def test_a_stage_is_shown_to_that_person_alone(factory: Factory) -> None:
    person, other = factory.person(), factory.person(roles=("hr", "admin"))
    api = factory.api(other)
    profile = api.get(f"/api/v1/users/{person.id}").json()
    assert "stage" not in profile
    assert "stage" not in api.get("/api/v1/users", params={"q": person.display_name}).text


def test_dismissed_nudges_stay_away(factory: Factory) -> None:
    api = factory.api(factory.person())
    first = _me(api)["nudges"][0]
    assert api.post(f"/api/v1/engagement/nudges/{first['id']}/dismiss").status_code == 204
    assert first["key"] not in [n["key"] for n in _me(api)["nudges"]]
    assert api.post("/api/v1/engagement/nudges/999999/dismiss").status_code == 404
    other = factory.api(factory.person())
    assert other.post(f"/api/v1/engagement/nudges/{first['id']}/dismiss").status_code == 404
    assert api.put("/api/v1/engagement/nudges/settings", json={"enabled": False}).status_code == 204
    assert _me(api)["nudges"] == []


def test_adoption_by_population_suppresses_small_groups(factory: Factory) -> None:
    hr = factory.api(factory.person("Hélène", roles=("hr",), department="HR"))
    for n in range(5):
        factory.api(factory.person(f"Sales {n}", department="Sales"))  # signing in: discovery
    for n in range(5):
        factory.person(f"Sales newcomer {n}", department="Sales")  # never signed in: information
    for n in range(6):
        factory.api(factory.person(f"Ops {n}", department="Operations"))
    factory.person("Lonely", department="Legal")
    body = hr.get("/api/v1/analytics/adoption", params={"by": "department"}).json()
    assert body["threshold"] == 5
    groups = {g["key"]: g for g in body["groups"]}
    assert groups["Legal"] == {"key": "Legal", "suppressed": True}
    assert groups["HR"] == {"key": "HR", "suppressed": True}
    assert groups["Sales"]["members"] == 10
    # 5 of Sales at information and the company's 6 would give Legal's lonely newcomer away: hidden
    assert groups["Sales"]["stages"] == {
        "information": None,
        "discovery": None,
        "participation": 0,
        "contribution": 0,
        "promotion": 0,
        "disappointment": 0,
    }
    # everyone of Operations at one stage would tell each person's stage: hidden too
    assert groups["Operations"]["stages"]["discovery"] is None
    by_role = {
        g["key"]: g for g in hr.get("/api/v1/analytics/adoption", params={"by": "role"}).json()["groups"]
    }
    assert by_role["employee"]["members"] == 18 and by_role["hr"] == {"key": "hr", "suppressed": True}
    assert (
        by_role["employee"]["stages"]["information"] == 6 and by_role["employee"]["stages"]["discovery"] == 12
    )
    assert factory.api(factory.person()).get("/api/v1/analytics/adoption").status_code == 403
    assert hr.get("/api/v1/analytics/adoption", params={"by": "shoe_size"}).status_code == 422


def test_an_event_adds_at_most_three_statements(factory: Factory) -> None:
    person, colleague = factory.person(), factory.person()
    api = factory.api(person)
    post = factory.api(colleague).post("/api/v1/posts", json={"kind": "status", "body": "x"}).json()
    api.put(f"/api/v1/users/{colleague.id}/follow")

    from app.services import activity

    with factory.database.session() as db:
        seen: list[str] = []

        def count(conn: object, cursor: object, statement: str, *args: object) -> None:
            seen.append(statement)

        event.listen(factory.database.engine, "before_cursor_execute", count)
        try:
            # a like moves the person to participation: read, update, transition (+ the event itself)
            activity.record(db, user_id=person.id, kind="like", subject_type="post", subject_id=post["id"])
            db.flush()
        finally:
            event.remove(factory.database.engine, "before_cursor_execute", count)
        engine_statements = [
            s
            for s in seen
            if not s.lstrip().upper().startswith(("INSERT INTO ACTIVITY_EVENTS", "BEGIN", "COMMIT"))
        ]
        assert len(engine_statements) <= 3, engine_statements
        assert (
            db.scalar(
                select(func.count())
                .select_from(StageTransition)
                .where(StageTransition.user_id == person.id, StageTransition.to_stage == "participation")
            )
            == 1
        )


def test_a_sharp_fall_of_activity_is_a_disappointment(factory: Factory, tmp_path: Path) -> None:
    person, colleague = factory.person(), factory.person()
    api = factory.api(person)
    api.post("/api/v1/posts", json={"kind": "status", "body": "Busy month"})
    assert _me(api)["stage"] == "contribution"
    # 40 days later they still come by (a visit today) but have done nothing else for a month
    later = datetime.now(UTC) + timedelta(days=40)
    from app.services import auth

    with factory.database.session() as db:
        auth.record_presence(db, user_id=person.id, now=later)
    _sweep(factory, later, tmp_path)
    me = _me(api)
    assert me["stage"] == "disappointment" and me["reason"].startswith("Activity fell sharply")
    assert colleague


def test_requests_in_flight_when_presence_falls_due_record_one_visit(factory: Factory) -> None:
    """A busy client has many requests in flight when its presence falls due: each finds it due
    (they read the person before any of them wrote), but one writes and the others change nothing."""
    from app.models import ActivityEvent, User
    from app.services import auth

    person = factory.person()
    api = factory.api(person)
    assert api.get("/api/v1/feed").status_code == 200
    tomorrow = datetime.now(UTC) + timedelta(days=1)

    def visits() -> int:
        with factory.database.session(write=False) as db:
            return (
                db.scalar(
                    select(func.count())
                    .select_from(ActivityEvent)
                    .where(ActivityEvent.user_id == person.id, ActivityEvent.kind == "visit_day")
                )
                or 0
            )

    before = visits()
    with factory.database.session(write=False) as db:
        stale = db.get(User, person.id)
        assert stale is not None and auth.presence_due(stale, tomorrow)
    answers = []
    for _ in range(3):  # each as its own request would, with what it read before the others wrote
        with factory.database.session() as db:
            answers.append(auth.record_presence_if_due(db, user_id=person.id, now=tomorrow))
    assert answers == [True, False, False]
    assert visits() == before + 1
    with factory.database.session(write=False) as db:
        seen = db.scalar(select(User.last_seen_at).where(User.id == person.id))
    assert seen == tomorrow
    # five minutes on, the next request writes again, without a second visit of the day
    with factory.database.session() as db:
        assert auth.record_presence_if_due(db, user_id=person.id, now=tomorrow + timedelta(minutes=5))
    assert visits() == before + 1
