"""The database layer: no lost update and no "database is locked" under concurrent writers."""

from __future__ import annotations

import threading

from fastapi.testclient import TestClient
from sqlalchemy import select

from app.models import User
from tests.factories import Factory

THREADS = 8


def test_concurrent_read_modify_write_loses_nothing(factory: Factory) -> None:
    target = factory.person("Counter", job_title="0")
    per_thread = 40
    errors: list[BaseException] = []

    def work() -> None:
        try:
            for _ in range(per_thread):
                with factory.database.session() as db:
                    user = db.get(User, target.id, with_for_update=True)  # row lock on PostgreSQL
                    assert user is not None
                    user.job_title = str(int(user.job_title or "0") + 1)  # read, then write what was read
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=work) for _ in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    with factory.database.session(write=False) as db:
        assert db.scalar(select(User.job_title).where(User.id == target.id)) == str(THREADS * per_thread)


def test_concurrent_http_writers_all_succeed(factory: Factory) -> None:
    people = [factory.person(f"Writer {n}") for n in range(THREADS)]
    target = factory.person("Popular")
    statuses: list[int] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def work(n: int) -> None:
        try:
            run(n)
        except BaseException as exc:
            errors.append(exc)

    def run(n: int) -> None:
        client: TestClient = factory.api(people[n])
        for i in range(10):
            responses = [
                client.put(f"/api/v1/users/{target.id}/follow"),
                client.patch(
                    "/api/v1/users/me", json={"tags": [f"tag{n}", f"shared{i % 3}"], "bio": f"bio {i}"}
                ),
                client.delete(f"/api/v1/users/{target.id}/follow"),
                client.put(f"/api/v1/users/{target.id}/follow"),
            ]
            with lock:
                statuses.extend(r.status_code for r in responses)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert sorted(set(statuses)) == [200, 204]
    assert len(statuses) == THREADS * 10 * 4
    followers = factory.api(target).get("/api/v1/users", params={"q": "writer"}).json()["items"]
    assert len(followers) == THREADS
    with factory.database.session(write=False) as db:
        from app.models import Follow

        assert len(db.scalars(select(Follow).where(Follow.followee_id == target.id)).all()) == THREADS


def test_a_database_that_is_away_answers_503_with_retry_after() -> None:
    from app.db import Database
    from app.main import create_app
    from app.settings import Settings

    settings = Settings(
        env="test", database_url="postgresql+psycopg://nobody@127.0.0.1:1/none?connect_timeout=2"
    )
    app = create_app(settings, Database(settings))
    client = TestClient(app, raise_server_exceptions=False)
    api = client.get("/api/v1/users/me", headers={"Authorization": "Bearer pxm_whatever"})
    assert api.status_code == 503
    assert api.headers["retry-after"] == "5"
    assert api.headers["content-type"].startswith("application/problem+json")
    assert client.get("/healthz").status_code == 503
