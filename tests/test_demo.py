"""The demo company: the documented logins work, the organisation holds together, and it never changes."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, aliased

from app import demo
from app.cli import upgrade_database
from app.db import Database
from app.models import AuditEntry, Follow, Tag, User, UserRole, UserTag
from app.services import auth
from app.services.text import fold, normalize_tag
from app.settings import Settings

EXPECTED_ROLES = {
    "admin@proxima.example": {"employee", "admin"},
    "camille.martin@proxima.example": {"employee"},
    "oliver.smith@proxima.example": {"employee"},
    "helene.rousseau@proxima.example": {"employee", "hr"},
    "sophie.bernard@proxima.example": {"employee", "executive"},
    "julien.moreau@proxima.example": {"employee"},
    "lea.garcia@proxima.example": {"employee", "community_manager"},
}


def _settings(path: Path) -> Settings:
    return Settings(env="test", database_url=f"sqlite:///{path}", argon2_time_cost=1, argon2_memory_cost=1024)


def _load(path: Path, size: str = "small") -> tuple[Settings, Database, str]:
    settings = _settings(path)
    upgrade_database(settings)
    database = Database(settings)
    with database.session() as db:
        summary = demo.load(db, settings=settings, size=size)
    return settings, database, summary


@pytest.fixture(scope="module")
def loaded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Settings, Database, str]]:
    """A fresh database holding the small demo company."""
    settings, database, summary = _load(tmp_path_factory.mktemp("demo") / "demo.db")
    yield settings, database, summary
    database.dispose()


def _snapshot(db: Session) -> list[tuple[Any, ...]]:
    """Everything a visitor would see of each person, in id order."""
    manager = aliased(User)
    tags: dict[int, list[str]] = {}
    for user_id, name in db.execute(
        select(UserTag.user_id, Tag.name)
        .join(Tag, Tag.id == UserTag.tag_id)
        .order_by(UserTag.user_id, UserTag.position)
    ):
        tags.setdefault(user_id, []).append(name)
    follows = Counter(db.scalars(select(Follow.follower_id)))
    rows = db.execute(
        select(User.id, User.email, User.handle, User.display_name, manager.email, User.department, User.site)
        .add_columns(User.job_title, User.locale, User.bio, User.created_at, User.last_seen_at)
        .outerjoin(manager, manager.id == User.manager_id)
        .order_by(User.id)
    )
    return [(*row[1:], tuple(tags.get(row.id, [])), follows[row.id]) for row in rows]


def test_the_small_company_has_about_300_people(loaded: tuple[Settings, Database, str]) -> None:
    _, database, summary = loaded
    with database.session(write=False) as db:
        people = db.scalar(select(func.count()).select_from(User))
        departments = db.scalar(select(func.count(func.distinct(User.department))))
        sites = set(db.scalars(select(User.site).distinct()))
        audited = db.scalar(select(func.count()).where(AuditEntry.action == "demo_loaded"))
    assert people is not None
    assert 280 <= people <= 320
    assert departments == 6
    assert sites == {"Paris", "Lyon", "London"}
    assert audited == 1
    assert summary.startswith("loaded the small demo company: 300 people, 6 departments, 3 sites")
    assert "camille.martin@proxima.example / proxima-demo" in summary


def test_the_documented_logins_exist_with_their_roles(loaded: tuple[Settings, Database, str]) -> None:
    _, database, _ = loaded
    assert {email for email, _ in demo.DEMO_LOGINS} == set(EXPECTED_ROLES)
    with database.session(write=False) as db:
        for email, roles in EXPECTED_ROLES.items():
            user = db.scalar(select(User).where(User.email == email))
            assert user is not None, email
            assert set(user.roles) == roles, email
        camille = db.scalar(select(User).where(User.email == "camille.martin@proxima.example"))
        oliver = db.scalar(select(User).where(User.email == "oliver.smith@proxima.example"))
        sophie = db.scalar(select(User).where(User.email == "sophie.bernard@proxima.example"))
        helene = db.scalar(select(User).where(User.email == "helene.rousseau@proxima.example"))
        assert camille is not None
        assert oliver is not None
        assert sophie is not None
        assert helene is not None
        assert (camille.department, camille.site, camille.locale) == ("Engineering", "Lyon", "fr")
        assert (oliver.department, oliver.site, oliver.locale) == ("Sales", "London", "en")
        assert (helene.department, helene.site) == ("Human Resources", "Paris")
        assert sophie.manager_id is None
        assert sophie.site == "Paris"
        for email, _ in demo.DEMO_LOGINS:
            follows = db.scalar(
                select(func.count())
                .select_from(Follow)
                .join(User, User.id == Follow.follower_id)
                .where(User.email == email)
            )
            assert (follows or 0) >= 3, email


def test_the_organisation_chart_holds_together(loaded: tuple[Settings, Database, str]) -> None:
    _, database, _ = loaded
    with database.session(write=False) as db:
        managers = {uid: boss for uid, boss in db.execute(select(User.id, User.manager_id))}
        julien = db.scalar(select(User.id).where(User.email == "julien.moreau@proxima.example"))
        camille_manager = db.scalar(
            select(User.manager_id).where(User.email == "camille.martin@proxima.example")
        )
        executives = set(db.scalars(select(UserRole.user_id).where(UserRole.role == "executive")))
    assert [uid for uid, boss in managers.items() if boss is None] == [1]  # only the CEO
    for uid, boss in managers.items():
        assert boss is None or boss in managers
        assert boss != uid
        seen = {uid}
        while boss is not None:  # no cycles: every chain ends at the CEO
            assert boss not in seen
            seen.add(boss)
            boss = managers[boss]
    reports = Counter(boss for boss in managers.values() if boss is not None)
    assert reports[julien] >= 5
    assert camille_manager == julien
    assert len(executives) == 7
    line_managers = {
        boss for boss in reports if all(reports[uid] == 0 for uid, b in managers.items() if b == boss)
    }
    assert line_managers
    assert all(4 <= reports[boss] <= 12 for boss in line_managers)


def test_profiles_tags_and_timestamps_look_real(loaded: tuple[Settings, Database, str]) -> None:
    _, database, _ = loaded
    with database.session(write=False) as db:
        people = list(db.scalars(select(User)))
        tags = list(db.scalars(select(Tag)))
        tagged = db.scalar(select(func.count(func.distinct(UserTag.user_id))))
    emails = [p.email for p in people]
    assert len(set(emails)) == len(emails) == len({p.handle for p in people})
    assert all(e.endswith("@proxima.example") and e.isascii() and e == e.lower() for e in emails)
    assert any(not p.display_name.isascii() for p in people)  # accents kept in names
    assert all(p.search_name == fold(p.display_name) for p in people)
    assert all(t.name == normalize_tag(t.name) and t.key == fold(t.name) for t in tags)
    assert 0.55 < (tagged or 0) / len(people) < 0.85
    never = [p for p in people if p.first_seen_at is None]
    assert 0.05 < len(never) / len(people) < 0.25
    for person in people:
        assert person.created_at.tzinfo is not None
        assert person.created_at < demo.REFERENCE
        if person.first_seen_at is not None:
            assert person.last_seen_at is not None
            assert person.created_at < person.first_seen_at <= person.last_seen_at <= demo.REFERENCE


def test_the_demo_password_signs_camille_in(loaded: tuple[Settings, Database, str]) -> None:
    settings, database, _ = loaded
    with database.session() as db:
        result = auth.sign_in(
            db,
            settings=settings,
            email="camille.martin@proxima.example",
            password=demo.DEMO_PASSWORD,
            address="t",
        )
    assert result.user is not None


def test_loading_twice_gives_the_same_people(tmp_path: Path, loaded: tuple[Settings, Database, str]) -> None:
    _, first, _ = loaded
    _, second, _ = _load(tmp_path / "again.db")
    try:
        with first.session(write=False) as a, second.session(write=False) as b:
            assert _snapshot(a) == _snapshot(b)
    finally:
        second.dispose()


@pytest.mark.parametrize("size", ["small", "medium"])
def test_every_size_seats_the_documented_logins(size: str) -> None:
    company = demo.build_company(size)
    by_email = {u["email"]: u for u in company.users}
    assert abs(len(company.users) - demo.SIZES[size]) <= demo.SIZES[size] // 20
    assert all(email in by_email for email, _ in demo.DEMO_LOGINS)
    julien = by_email["julien.moreau@proxima.example"]
    assert sum(1 for u in company.users if u["manager_id"] == julien["id"]) >= 5
    assert all(u["manager_id"] is None or u["manager_id"] < u["id"] for u in company.users)  # managers first
    assert company == demo.build_company(size)
