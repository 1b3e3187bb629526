"""The CSV directory import, from the command line, the API and the admin page."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import func, select

from app.models import User
from tests.factories import Factory, csrf_from

HEADER = "email,display_name,department,site,job_title,manager_email,roles,locale\n"
GOOD = (
    HEADER
    + "sophie.bernard@example.com,Sophie Bernard,Direction,Paris,CEO,,executive,fr\n"
    + "oliver.smith@example.com,Oliver Smith,Sales,London,Account executive,julien.moreau@example.com,,en\n"
    + "julien.moreau@example.com,Julien Moreau,Engineering,Lyon,Manager,sophie.bernard@example.com,"
    + "community_manager;hr,fr\n"
)


def _count(factory: Factory) -> int:
    with factory.database.session(write=False) as db:
        return db.scalar(select(func.count()).select_from(User)) or 0


def _people(factory: Factory) -> dict[str, tuple[str | None, str | None, list[str]]]:
    with factory.database.session(write=False) as db:
        users = db.scalars(select(User)).all()
        by_id = {u.id: u.email for u in users}
        return {u.email: (u.department, by_id.get(u.manager_id), u.roles) for u in users}


def _cli(factory: Factory, *args: str, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PROXIMA_DATABASE_URL": factory.settings.database_url, "PROXIMA_ENV": "test"}
    return subprocess.run(
        [sys.executable, "-m", "app", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        cwd=tmp_path,
    )


def test_import_creates_people_and_resolves_managers_then_is_idempotent(
    factory: Factory, tmp_path: Path
) -> None:
    admin = factory.api(factory.person("Ada Admin", roles=("admin",)))
    files = {"file": ("directory.csv", GOOD.encode(), "text/csv")}
    first = admin.post("/api/v1/users/import", files=files)
    assert first.status_code == 200, first.text
    assert first.json() == {"created": 3, "updated": 0, "unchanged": 0}
    people = _people(factory)
    assert people["oliver.smith@example.com"] == ("Sales", "julien.moreau@example.com", ["employee"])
    assert people["julien.moreau@example.com"][2] == ["employee", "community_manager", "hr"]
    again = admin.post("/api/v1/users/import", files=files)
    assert again.json() == {"created": 0, "updated": 0, "unchanged": 3}
    moved = GOOD.replace("Sales,London", "Sales,Paris")
    third = admin.post("/api/v1/users/import", files={"file": ("d.csv", moved.encode(), "text/csv")})
    assert third.json() == {"created": 0, "updated": 1, "unchanged": 2}


def test_a_bad_row_means_nothing_is_written_and_every_bad_line_is_reported(factory: Factory) -> None:
    admin = factory.api(factory.person("Ada Admin", roles=("admin",)))
    before = _count(factory)
    bad = (
        HEADER
        + "ok.person@example.com,Ok Person,Sales,Paris,,,,fr\n"
        + "not-an-email,Broken,Sales,Paris,,,,\n"
        + "ok.person@example.com,Twice,Sales,Paris,,,,\n"
        + "role@example.com,Role Person,Sales,Paris,,,wizard,\n"
        + "boss@example.com,Boss,Sales,Paris,,ghost@example.com,,de\n"
    )
    response = admin.post("/api/v1/users/import", files={"file": ("d.csv", bad.encode(), "text/csv")})
    assert response.status_code == 422
    lines = {e["line"]: e["message"] for e in response.json()["errors"]}
    assert set(lines) == {3, 4, 5, 6}
    assert "invalid email" in lines[3]
    assert "line 2" in lines[4]
    assert "wizard" in lines[5]
    assert "ghost@example.com" in lines[6] or "locale" in lines[6]
    assert _count(factory) == before


def test_manager_loops_are_refused(factory: Factory) -> None:
    admin = factory.api(factory.person("Ada Admin", roles=("admin",)))
    loop = HEADER + "a@example.com,A,,,,b@example.com,,\n" + "b@example.com,B,,,,a@example.com,,\n"
    response = admin.post("/api/v1/users/import", files={"file": ("d.csv", loop.encode(), "text/csv")})
    assert response.status_code == 422
    assert [e["line"] for e in response.json()["errors"]] == [2, 3]


def test_semicolons_and_windows_encodings_from_spreadsheets(factory: Factory) -> None:
    admin = factory.api(factory.person("Ada Admin", roles=("admin",)))
    text = "email;display_name;department\r\nhelene@example.com;Hélène Rousseau;Ressources humaines\r\n"
    response = admin.post(
        "/api/v1/users/import", files={"file": ("d.csv", text.encode("cp1252"), "text/csv")}
    )
    assert response.status_code == 200, response.text
    assert "Hélène Rousseau" in admin.get("/api/v1/users", params={"q": "helene"}).text


def test_only_admins_import(factory: Factory) -> None:
    employee = factory.api(factory.person())
    response = employee.post("/api/v1/users/import", files={"file": ("d.csv", GOOD.encode(), "text/csv")})
    assert response.status_code == 403


def test_admin_page_upload_reports_lines(factory: Factory) -> None:
    admin = factory.person("Ada Admin", roles=("admin",))
    client = factory.browser(admin)
    token = csrf_from(client.get("/admin/import").text)
    bad = HEADER + "x@example.com,,Sales,,,,,\n"
    response = client.post(
        "/admin/import", data={"csrf_token": token}, files={"file": ("d.csv", bad.encode(), "text/csv")}
    )
    assert response.status_code == 422
    assert (
        "Nothing was imported" in response.text
        and "line 2" in response.text
        and "display_name is empty" in response.text
    )
    ok = client.post(
        "/admin/import", data={"csrf_token": token}, files={"file": ("d.csv", GOOD.encode(), "text/csv")}
    )
    assert ok.status_code == 200 and "3 created" in ok.text
    sample = client.get("/admin/import/sample.csv")
    assert sample.text.startswith(HEADER.strip())


@pytest.mark.usefixtures("database")
def test_cli_import_and_create(factory: Factory, tmp_path: Path) -> None:
    good = tmp_path / "good.csv"
    good.write_text(GOOD, encoding="utf-8")
    result = _cli(factory, "users", "import", str(good), tmp_path=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "created 3" in result.stdout
    assert "unchanged 3" in _cli(factory, "users", "import", str(good), tmp_path=tmp_path).stdout
    bad = tmp_path / "bad.csv"
    bad.write_text(HEADER + "new@example.com,New,,,,,,\nbroken,,,,,,,\n", encoding="utf-8")
    result = _cli(factory, "users", "import", str(bad), tmp_path=tmp_path)
    assert result.returncode != 0
    assert "line 3:" in result.stderr and "nothing was imported" in result.stderr
    assert "new@example.com" not in _people(factory)

    created = _cli(
        factory,
        "users",
        "create",
        "--email",
        "ceo@example.com",
        "--name",
        "Chief",
        "--password",
        "long-enough-pw",
        "--role",
        "executive",
        "--role",
        "admin",
        tmp_path=tmp_path,
    )
    assert created.returncode == 0, created.stderr
    assert _people(factory)["ceo@example.com"][2] == ["employee", "admin", "executive"]
    duplicate = _cli(
        factory, "users", "create", "--email", "CEO@example.com", "--name", "Other", tmp_path=tmp_path
    )
    assert duplicate.returncode != 0 and "already exists" in duplicate.stderr
    assert _count(factory) == 4
