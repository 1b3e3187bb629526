"""HR's adoption dashboard through HTTP: who may read it, the funnel by population with complementary
cells hidden, weekly snapshots, newcomers' cohorts, feedback themes, and CSV files that hide exactly
what the page hides."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app.models import AdoptionSnapshot, User
from app.models.base import utcnow
from app.services import snapshots
from tests.factories import Factory

STAGES = ["information", "discovery", "participation", "contribution", "promotion", "disappointment"]


def _people(
    factory: Factory, department: str, *, signed_in: int, not_in: int, **fields: object
) -> list[User]:
    people = []
    for n in range(signed_in + not_in):
        person = factory.person(f"{department} {n}", department=department, **fields)  # type: ignore[arg-type]
        if n < signed_in:
            factory.api(person)
        people.append(person)
    return people


def _hr(factory: Factory) -> User:
    return factory.person("Hélène HR", roles=("hr",), department="People")


def _csv(browser: object, table: str) -> list[dict[str, str]]:
    response = browser.get(f"/admin/adoption.csv?table={table}")  # type: ignore[attr-defined]
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/csv")
    assert f'filename="adoption-{table}.csv"' in response.headers["content-disposition"]
    return list(csv.DictReader(io.StringIO(response.text)))


def test_only_hr_and_admins_read_the_dashboard(factory: Factory) -> None:
    employee = factory.person("Emma Employee")
    for client in (factory.browser(employee),):
        assert client.get("/admin/adoption").status_code == 403
        assert client.get("/admin/adoption.csv?table=funnel").status_code == 403
    assert factory.api(employee).get("/api/v1/analytics/adoption").status_code == 403
    manager = factory.person("Manny Manager", email="manny@example.com")
    factory.person("Report", manager_email="manny@example.com")
    assert factory.browser(manager).get("/admin/adoption").status_code == 403
    for reader in (_hr(factory), factory.person("Ada Admin", roles=("admin",))):
        browser = factory.browser(reader)
        assert browser.get("/admin/adoption").status_code == 200
        assert browser.get("/admin/adoption.csv?table=shoe_size").status_code == 404
    assert 'href="/admin/adoption"' in factory.browser(_hr(factory)).get("/me/journey").text
    assert 'href="/admin/adoption"' not in factory.browser(employee).get("/me/journey").text


def test_a_small_department_is_hidden_and_cannot_be_recovered_by_subtraction(factory: Factory) -> None:
    hr = _hr(factory)
    _people(factory, "Sales", signed_in=6, not_in=5)
    _people(factory, "Ops", signed_in=5, not_in=6)
    _people(factory, "Legal", signed_in=1, not_in=1)
    body = factory.api(hr).get("/api/v1/analytics/adoption", params={"by": "department"}).json()
    assert body["threshold"] == 5
    groups = {g["key"]: g for g in body["groups"]}
    assert groups["Legal"] == {"key": "Legal", "suppressed": True}
    assert groups["People"] == {"key": "People", "suppressed": True}
    shown = [g for g in groups.values() if "stages" in g]
    assert shown and all(set(g["stages"]) == set(STAGES) for g in shown)
    # the whole company's funnel (the "employee" role is everyone): for each stage where the small
    # departments have someone, the company total minus the shown departments must not be computable
    everyone = next(
        g
        for g in factory.api(hr).get("/api/v1/analytics/adoption", params={"by": "role"}).json()["groups"]
        if g["key"] == "employee"
    )
    for stage in ("information", "discovery"):
        total = everyone["stages"][stage]
        parts = [g["stages"][stage] for g in shown]
        assert total is None or None in parts, stage
    for g in shown:
        for value in g["stages"].values():
            assert value is None or value == 0 or value >= 5


def test_seniority_is_a_population_and_the_page_tabs_show_it(factory: Factory) -> None:
    hr = _hr(factory)
    people = _people(factory, "Sales", signed_in=5, not_in=5)
    with factory.database.session() as db:
        for person in people[:5]:
            db.get(User, person.id).created_at = utcnow() - timedelta(days=500)  # type: ignore[union-attr]
    body = factory.api(hr).get("/api/v1/analytics/adoption", params={"by": "seniority"}).json()
    keys = {g["key"] for g in body["groups"]}
    assert {"under_3_months", "1_to_3_years"} <= keys
    html = factory.browser(hr).get("/admin/adoption?by=seniority").text
    assert 'aria-current="page">By seniority' in html
    assert "Less than 3 months" in html and "1 to 3 years" in html
    assert factory.api(hr).get("/api/v1/analytics/adoption", params={"by": "shoe_size"}).status_code == 422


def test_the_csv_hides_exactly_what_the_page_and_api_hide(factory: Factory) -> None:
    hr = _hr(factory)
    _people(factory, "Sales", signed_in=6, not_in=5)
    _people(factory, "Ops", signed_in=5, not_in=5)
    _people(factory, "Legal", signed_in=1, not_in=2)
    api = factory.api(hr).get("/api/v1/analytics/adoption", params={"by": "department"}).json()
    rows = {r["group"]: r for r in _csv(factory.browser(hr), "department")}
    assert set(rows) == {g["key"] for g in api["groups"]}
    for group in api["groups"]:
        row = rows[group["key"]]
        if group.get("suppressed"):
            assert row["suppressed"] == "yes" and row["members"] == ""
            assert all(row[s] == "" for s in STAGES)
            continue
        assert row["suppressed"] == "no" and row["members"] == str(group["members"])
        for stage in STAGES:
            value = group["stages"][stage]
            assert row[stage] == ("" if value is None else str(value)), (group["key"], stage)
    page = factory.browser(hr).get("/admin/adoption?by=department").text
    assert "Legal" in page and "Fewer than 5 people: not shown." in page
    section = page[page.index('id="adoption-results"') :]
    section = section[: section.index('id="weekly"')]
    hidden_in_csv = sum(1 for r in rows.values() if r["suppressed"] == "no" for s in STAGES if r[s] == "")
    assert section.count('class="hidden-count"') == hidden_in_csv
    funnel = {r["stage"]: r["people"] for r in _csv(factory.browser(hr), "funnel")}
    top = page[page.index('id="funnel"') : page.index('id="populations"')]
    assert top.count('class="hidden-count"') == sum(1 for v in funnel.values() if v == "")


def test_weekly_snapshots_are_taken_once_a_week(factory: Factory) -> None:
    hr = _hr(factory)
    _people(factory, "Sales", signed_in=5, not_in=5)
    with factory.database.session() as db:
        first = snapshots.take(db)
        assert first.taken and first.people == 11
    with factory.database.session() as db:
        again = snapshots.take(db)
        assert not again.taken and again.week == first.week
        count = db.scalar(select(func.count()).select_from(AdoptionSnapshot))
        overall = db.scalars(select(AdoptionSnapshot).where(AdoptionSnapshot.dimension == "overall")).all()
    assert len(overall) == 1 and count and count > 1
    assert overall[0].counts["information"] == 6 and overall[0].counts["discovery"] == 5  # HR never came in
    # a past week, replayed from the transitions: the people did not exist yet
    with factory.database.session() as db:
        past = snapshots.take(db, as_of=utcnow() - timedelta(weeks=3))
        assert past.taken and past.people == 0
        assert snapshots.backfill(db) == 10  # the other missing weeks of the last 12
        assert snapshots.backfill(db) == 0
    html = factory.browser(hr).get("/admin/adoption").text
    weekly = html[html.index('id="weekly"') :]
    weekly = weekly[: weekly.index("</section>")]
    assert "trend-chart" in weekly and "<title>" in weekly
    assert "Not shown: too few people that week" in weekly  # the weeks before they arrived
    rows = _csv(factory.browser(hr), "weekly")
    assert len(rows) == 12
    this_week = rows[-1]
    assert this_week["information"] == "6" and this_week["discovery"] == "5"


def test_one_population_week_by_week(factory: Factory) -> None:
    hr = _hr(factory)
    _people(factory, "Sales", signed_in=5, not_in=5)
    _people(factory, "Ops", signed_in=5, not_in=5)
    with factory.database.session() as db:
        snapshots.take(db)
    html = factory.browser(hr).get("/admin/adoption?series=department:Sales").text
    assert "Week by week: Sales" in html
    assert 'value="department:Sales" selected' in html
    # an unknown population falls back to the whole company
    html = factory.browser(hr).get("/admin/adoption?series=department:Nowhere").text
    assert "Week by week: the whole company" in html


def test_newcomers_cohort_counts_who_reached_participation_in_30_days(factory: Factory) -> None:
    hr = _hr(factory)
    author = factory.person("Ann Author")
    post = factory.api(author).post("/api/v1/posts", json={"kind": "status", "body": "Hello"}).json()
    for n in range(10):
        person = factory.person(f"Newcomer {n}", department="Sales")
        api = factory.api(person)
        if n < 5:  # a follow and a like: participation
            assert api.put(f"/api/v1/users/{author.id}/follow").status_code == 204
            assert api.put(f"/api/v1/posts/{post['id']}/like").status_code == 204
    rows = _csv(factory.browser(hr), "cohorts")
    this_month = rows[0]
    assert this_month["newcomers"] == "12"  # with HR and the author
    # the five, and the author (a post is contribution, beyond participation); HR never came in
    assert this_month["reached_participation_within_30_days"] == "6"
    assert this_month["not_yet"] == "6" and this_month["complete"] == "no"
    html = factory.browser(hr).get("/admin/adoption").text
    cohorts = html[html.index('id="cohorts"') :]
    assert "50 %" in cohorts[: cohorts.index("</section>")]


def test_a_cohort_of_a_few_newcomers_is_not_shown(factory: Factory) -> None:
    hr = _hr(factory)
    factory.person("Solo")
    rows = _csv(factory.browser(hr), "cohorts")
    assert rows[0]["suppressed"] == "yes" and rows[0]["newcomers"] == ""


def test_feedback_themes_count_anonymous_items_alike_and_hide_small_cells(factory: Factory) -> None:
    hr = _hr(factory)
    for n in range(6):
        api = factory.api(factory.person(f"Voice {n}"))
        category = "tools" if n < 5 else "training"
        response = api.post(
            "/api/v1/feedback",
            json={"category": category, "body": f"Suggestion number {n}", "anonymous": n % 2 == 0},
        )
        assert response.status_code == 201, response.text
    rows = _csv(factory.browser(hr), "themes")
    this_month = rows[-1]
    assert this_month["items"] == "6"
    # 5 tools and 1 training: the 1 is hidden, and so is the 5 (6 - 5 would tell it)
    assert this_month["tools"] == "" and this_month["training"] == ""
    html = factory.browser(hr).get("/admin/adoption").text
    themes = html[html.index('id="themes"') :]
    themes = themes[: themes.index("</section>")]
    assert "Voice" not in themes and "Suggestion number" not in themes


@pytest.mark.parametrize("table", ["funnel", "department", "site", "role", "seniority", "weekly", "uplift"])
def test_every_csv_table_downloads(factory: Factory, table: str) -> None:
    hr = _hr(factory)
    _people(factory, "Sales", signed_in=5, not_in=5)
    rows = _csv(factory.browser(hr), table)
    assert isinstance(rows, list)


def test_the_dashboard_in_french(factory: Factory) -> None:
    hr = factory.person("Hélène", roles=("hr",), locale="fr")
    html = factory.browser(hr).get("/admin/adoption").text
    for text in ("Par ancienneté", "Semaine par semaine", "Nouveaux arrivants", "Thèmes des retours"):
        assert text in html
    assert "Moins de 5 personnes : non affiché." in html
