"""Campaigns through HTTP: HR targets a population and/or stages; exactly that audience sees the card
in its feed (pages and API) and is notified; small stage audiences are refused; scheduled campaigns
start on time; reach and conversion are measured in aggregate."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import insert, select, update

from app.models import Campaign, EngagementState, Notification, User
from app.services import campaigns
from tests.conftest import _empty
from tests.factories import Factory, csrf_from
from tests.test_mentoring import english_leftovers


def _hr(factory: Factory) -> tuple[User, TestClient]:
    hr = factory.person("Helen HR", roles=("hr",), department="HR", site="Paris")
    return hr, factory.api(hr)


def _campaign_types(factory: Factory, person: User) -> list[str]:
    return [n["type"] for n in factory.api(person).get("/api/v1/notifications").json()["items"]]


def test_a_campaign_reaches_its_audience_and_nobody_else(factory: Factory) -> None:
    _hr_person, hr = _hr(factory)
    lyon_sales = [factory.person(f"Sales Lyon {i}", department="Sales", site="Lyon") for i in range(2)]
    paris_marketing = factory.person("Marketing Paris", department="Marketing", site="Paris")
    lyon_marketing = factory.person("Marketing Lyon", department="Marketing", site="Lyon")
    lyon_finance = factory.person("Finance Lyon", department="Finance", site="Lyon")
    response = hr.post(
        "/api/v1/campaigns",
        json={
            "title": "Try the new expense tool",
            "body": "It takes **two minutes**.",
            "audience": {"departments": ["Sales", "Marketing"], "sites": ["Lyon"]},
        },
    )
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["audience_size"] == 3 and isinstance(body["id"], int)
    campaign_id = body["id"]

    for person in [*lyon_sales, lyon_marketing]:  # (Sales OR Marketing) AND Lyon
        page = factory.browser(person).get("/").text
        assert "Try the new expense tool" in page and "<strong>two minutes</strong>" in page
        assert "campaign" in _campaign_types(factory, person)
        feed = factory.api(person).get("/api/v1/feed").json()
        assert [c["title"] for c in feed["campaigns"]] == ["Try the new expense tool"]
    for person in (paris_marketing, lyon_finance):
        browser = factory.browser(person)
        assert "Try the new expense tool" not in browser.get("/").text
        assert "campaign" not in _campaign_types(factory, person)
        assert factory.api(person).get("/api/v1/feed").json()["campaigns"] == []
        assert browser.get(f"/campaigns/{campaign_id}").status_code == 404
        assert browser.get(f"/campaigns/{campaign_id}/open", follow_redirects=False).status_code == 404
        assert factory.api(person).post(f"/api/v1/campaigns/{campaign_id}/dismiss").status_code == 404
    # the audience was fixed when it started: a newcomer to Lyon Sales does not get it
    newcomer = factory.person("Sales Lyon late", department="Sales", site="Lyon")
    assert "Try the new expense tool" not in factory.browser(newcomer).get("/").text


def test_a_campaign_tells_its_audience_as_each_chose(factory: Factory) -> None:
    """The whole audience is told in one statement, by the same rules as one notification: not
    someone who turned campaigns off, not a deactivated account; the line reads in the person's
    language and opens the campaign."""
    _hr_person, hr = _hr(factory)
    keen, quiet, gone = (factory.person(f"Lyon {n}", department="Sales", site="Lyon") for n in "ABC")
    french = factory.person("Lyon D", department="Sales", site="Lyon", locale="fr")
    turned_off = factory.api(quiet).put("/api/v1/notifications/preferences", json={"campaign": "off"})
    assert turned_off.status_code == 200
    with factory.database.session() as db:
        db.execute(update(User).where(User.id == gone.id).values(is_active=False))
    response = hr.post(
        "/api/v1/campaigns",
        json={"title": "Share one tip", "body": "Anything.", "audience": {"sites": ["Lyon"]}},
    )
    assert response.status_code == 201, response.text
    items = factory.api(keen).get("/api/v1/notifications").json()["items"]
    line = next(n for n in items if n["type"] == "campaign")
    assert "Share one tip" in line["text"] and line["actor"] is None
    assert line["url"] == f"/campaigns/{response.json()['id']}/open"
    assert factory.api(keen).get("/api/v1/notifications").json()["unread_count"] >= 1
    assert "campaign" not in _campaign_types(factory, quiet)
    assert "Share one tip" in factory.api(french).get("/api/v1/notifications").json()["items"][0]["text"]
    with factory.database.session() as db:
        told = db.scalars(select(Notification.user_id).where(Notification.type == "campaign")).all()
    assert sorted(told) == sorted([keen.id, french.id])


def test_only_hr_and_admins_run_campaigns(factory: Factory) -> None:
    employee = factory.person("Eddie Employee")
    api = factory.api(employee)
    assert api.post("/api/v1/campaigns", json={"title": "Hi", "body": "x"}).status_code == 403
    assert api.get("/api/v1/campaigns").status_code == 403
    browser = factory.browser(employee)
    assert browser.get("/admin/campaigns").status_code == 403
    assert browser.get("/admin/campaigns/new").status_code == 403
    admin = factory.api(factory.person("Ada Admin", roles=("admin",)))
    assert admin.post("/api/v1/campaigns", json={"title": "Hi", "body": "x"}).status_code == 201


def test_bad_campaigns_are_refused_with_their_fields(factory: Factory) -> None:
    hr_person, hr = _hr(factory)
    owner = factory.api(factory.person("Olga Owner"))
    slug = owner.post("/api/v1/communities", json={"name": "Inner circle", "visibility": "private"}).json()[
        "slug"
    ]
    private_post = owner.post(
        "/api/v1/posts", json={"kind": "status", "body": "members only", "community": slug}
    )
    cases = [
        ({"title": "", "body": "x"}, "title"),
        ({"title": "Hello", "body": ""}, "body"),
        ({"title": "Hello", "body": "x", "audience": {"stages": ["sleeping"]}}, "audience.stages"),
        ({"title": "Hello", "body": "x", "audience": {"departments": ["Nowhere"]}}, "audience"),
        ({"title": "Hello", "body": "x", "post_id": private_post.json()["id"]}, "post_id"),
        ({"title": "Hello", "body": "x", "starts_at": "2026-12-01T09:00:00"}, "starts_at"),
    ]
    for payload, field in cases:
        response = hr.post("/api/v1/campaigns", json=payload)
        assert response.status_code == 422, (payload, response.text)
        assert response.headers["content-type"].startswith("application/problem+json")
        assert field in [e["field"] for e in response.json()["errors"]], (payload, response.json())
    assert hr.post("/api/v1/campaigns", json={"title": 3}).status_code == 422
    assert hr.get("/api/v1/campaigns").json()["items"] == []  # nothing was written
    # the form shows the message beside the field, with what was typed
    browser = factory.browser(hr_person)
    token = csrf_from(browser.get("/admin/campaigns/new").text)
    page = browser.post(
        "/admin/campaigns/new", data={"title": "Kept title", "body": "", "post": "", "csrf_token": token}
    )
    assert page.status_code == 422 and "Write a message, or feature a post." in page.text
    assert 'value="Kept title"' in page.text


def _signed_in(factory: Factory, name: str, **fields: str) -> User:
    person = factory.person(name, **fields)
    factory.api(person)  # a token counts as signing in: the person is at discovery
    return person


def test_a_stage_audience_is_refused_when_its_size_would_tell_stages(factory: Factory) -> None:
    hr_person, hr = _hr(factory)  # signed in: discovery
    for i in range(3):
        _signed_in(factory, f"Sales discovering {i}", department="Sales")
        factory.person(f"Sales new {i}", department="Sales")  # never signed in: information
    for i in range(3):
        _signed_in(factory, f"Ops discovering {i}", department="Ops")
        factory.person(f"Ops new {i}", department="Ops")
    # company-wide: 7 at discovery, 6 at information: both shown on the adoption page
    ok = hr.post(
        "/api/v1/campaigns", json={"title": "Welcome", "body": "x", "audience": {"stages": ["discovery"]}}
    )
    assert ok.status_code == 201, ok.text
    assert ok.json()["audience_size"] == 7
    # within Sales, 3 people at discovery: too few to be shown, so refused
    small = {"title": "Sales", "body": "x", "audience": {"departments": ["Sales"], "stages": ["discovery"]}}
    refused = hr.post("/api/v1/campaigns", json=small)
    assert refused.status_code == 422
    assert refused.json()["errors"][0]["field"] == "audience"
    preview = hr.post("/api/v1/campaigns/audience", json=small["audience"]).json()
    assert preview == {"threshold": 5, "suppressed": True, "audience_size": None}
    # a department filter alone says nothing of stages: its size is shown whatever it is
    assert hr.post("/api/v1/campaigns/audience", json={"departments": ["Sales"]}).json()["audience_size"] == 6
    # the live size in the form says "fewer than 5 people", never the number
    browser = factory.browser(hr_person)
    fragment = browser.get(
        "/admin/campaigns/audience?departments=Sales&stages=discovery", headers={"HX-Request": "true"}
    ).text
    assert "Fewer than 5 people" in fragment and "3 people" not in fragment
    assert "7 people" in browser.get("/admin/campaigns/audience?stages=discovery").text
    # departments and sites together with stages: an intersection no published figure covers
    both = {"departments": ["Sales"], "sites": ["Paris"], "stages": ["information"]}
    assert hr.post("/api/v1/campaigns/audience", json=both).json()["suppressed"] is True


def _start_due(factory: Factory, as_of: datetime, tmp_path: Path) -> str:
    env = {**os.environ, "PROXIMA_DATABASE_URL": factory.settings.database_url, "PROXIMA_ENV": "test"}
    done = subprocess.run(
        [sys.executable, "-m", "app", "campaigns", "start-due", "--as-of", as_of.isoformat()],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        cwd=tmp_path,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_a_scheduled_campaign_starts_on_time(factory: Factory, tmp_path: Path) -> None:
    _hr_person, hr = _hr(factory)
    people = [factory.person(f"Lyon {i}", site="Lyon") for i in range(2)]
    starts = datetime.now(UTC) + timedelta(days=2)
    response = hr.post(
        "/api/v1/campaigns",
        json={
            "title": "Town hall on Friday",
            "body": "Come!",
            "audience": {"sites": ["Lyon"]},
            "starts_at": starts.isoformat(),
        },
    )
    assert response.status_code == 201 and response.json()["status"] == "scheduled"
    campaign_id = response.json()["id"]
    assert response.json()["audience_size"] == 2  # as of now
    for person in people:
        assert "Town hall on Friday" not in factory.browser(person).get("/").text
        assert "campaign" not in _campaign_types(factory, person)
    assert hr.get(f"/api/v1/campaigns/{campaign_id}").json()["status"] == "scheduled"

    # the cron command, as of a moment before and after the start
    assert _start_due(factory, starts - timedelta(minutes=1), tmp_path) == "no campaign due\n"
    late = factory.person("Lyon late", site="Lyon")  # joined before the start: in the audience
    done = _start_due(factory, starts + timedelta(minutes=1), tmp_path)
    assert done == f"campaign {campaign_id} started for 3 people\n"
    for person in [*people, late]:
        assert "Town hall on Friday" in factory.browser(person).get("/").text
        assert "campaign" in _campaign_types(factory, person)
    assert hr.get(f"/api/v1/campaigns/{campaign_id}").json()["audience_size"] == 3


def test_hr_opening_the_list_starts_what_is_due(factory: Factory) -> None:
    hr_person, hr = _hr(factory)
    person = factory.person("Lyon 1", site="Lyon")
    starts = datetime.now(UTC) + timedelta(hours=1)
    campaign_id = hr.post(
        "/api/v1/campaigns",
        json={"title": "Soon", "body": "x", "audience": {"sites": ["Lyon"]}, "starts_at": starts.isoformat()},
    ).json()["id"]
    with factory.database.session() as db:  # an hour went by
        db.execute(
            update(Campaign)
            .where(Campaign.id == campaign_id)
            .values(starts_at=datetime.now(UTC) - timedelta(minutes=1))
        )
    assert "Soon" not in factory.browser(person).get("/").text  # nobody ran the cron
    page = factory.browser(hr_person).get("/admin/campaigns").text
    assert "Soon" in page and "Running" in page
    assert "Soon" in factory.browser(person).get("/").text


def test_reach_clicks_and_conversion_in_aggregate(factory: Factory) -> None:
    hr_person, hr = _hr(factory)
    author = factory.api(factory.person("Author", department="Comms"))
    post = author.post(
        "/api/v1/posts", json={"kind": "article", "title": "Our new intranet", "body": "Read me"}
    )
    post_id = post.json()["id"]
    audience = [factory.person(f"Ops {i}", department="Ops") for i in range(12)]
    outsider = factory.api(factory.person("Outsider", department="Legal"))
    campaign_id = hr.post(
        "/api/v1/campaigns",
        json={"title": "Read this", "body": "", "post_id": post_id, "audience": {"departments": ["Ops"]}},
    ).json()["id"]
    for i, person in enumerate(audience):
        browser = factory.browser(person)
        if i < 6:  # six saw the card; the page tells the server once it is shown
            page = browser.get("/").text
            assert f'hx-post="/campaigns/{campaign_id}/seen"' in page
            assert (
                browser.post(
                    f"/campaigns/{campaign_id}/seen", headers={"X-CSRF-Token": csrf_from(page)}
                ).status_code
                == 204
            )
        if i < 5:  # five opened it: on to the featured post
            opened = browser.get(f"/campaigns/{campaign_id}/open", follow_redirects=False)
            assert opened.status_code == 303 and opened.headers["location"] == f"/posts/{post_id}"
            factory.api(person).put(f"/api/v1/posts/{post_id}/like")  # and liked it
    outsider.put(f"/api/v1/posts/{post_id}/like")  # not in the audience: not counted
    report = hr.get(f"/api/v1/campaigns/{campaign_id}").json()
    assert report["audience_size"] == 12
    assert (report["reached"], report["clicked"], report["converted"]) == (6, 5, 5)
    assert report["converts_on"] == "post"
    # the HR page shows the same figures
    page = factory.browser(hr_person).get("/admin/campaigns").text
    row = page[page.index(f'id="campaign-{campaign_id}"') :]
    row = row[: row.index("</tr>")]
    assert 'data-label="Audience size">12</td>' in row and ">6<" in row and ">5<" in row

    # a seventh reader: 7 reached leaves 5 who did not; an eighth would leave 4, a small group
    for person in audience[6:8]:
        factory.browser(person).get(f"/campaigns/{campaign_id}/open")
    report = hr.get(f"/api/v1/campaigns/{campaign_id}").json()
    assert report["reached"] is None  # 8 reached, 4 not: the 4 would be a small group
    assert report["clicked"] == 7


def test_figures_of_a_small_audience_are_suppressed(factory: Factory) -> None:
    _hr_person, hr = _hr(factory)
    audience = [factory.person(f"Legal {i}", department="Legal") for i in range(3)]
    campaign_id = hr.post(
        "/api/v1/campaigns",
        json={"title": "Hello Legal", "body": "x", "audience": {"departments": ["Legal"]}},
    ).json()["id"]
    factory.browser(audience[0]).get(f"/campaigns/{campaign_id}/open")
    report = hr.get(f"/api/v1/campaigns/{campaign_id}").json()
    assert report["audience_size"] == 3
    assert (report["reached"], report["clicked"], report["converted"]) == (None, None, None)
    assert report["converts_on"] == "stage"


def test_dismissing_a_card_removes_it_from_ones_feed_only(factory: Factory) -> None:
    _hr_person, hr = _hr(factory)
    ann, bea = factory.person("Ann", site="Lyon"), factory.person("Bea", site="Lyon")
    campaign_id = hr.post(
        "/api/v1/campaigns", json={"title": "Coffee morning", "body": "x", "audience": {"sites": ["Lyon"]}}
    ).json()["id"]
    browser = factory.browser(ann)
    page = browser.get("/").text
    response = browser.post(
        f"/campaigns/{campaign_id}/dismiss",
        data={"csrf_token": csrf_from(page)},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200 and response.text == ""
    assert "Coffee morning" not in browser.get("/").text
    assert factory.api(ann).get("/api/v1/feed").json()["campaigns"] == []
    assert "Coffee morning" in factory.browser(bea).get("/").text
    # the message itself stays readable for its audience
    assert "Coffee morning" in browser.get(f"/campaigns/{campaign_id}").text


def test_hr_writes_a_campaign_with_the_form(factory: Factory) -> None:
    hr_person, _hr_api = _hr(factory)
    people = [factory.person(f"Sales {i}", department="Sales") for i in range(2)]
    browser = factory.browser(hr_person)
    form = browser.get("/admin/campaigns/new").text
    assert 'hx-get="/admin/campaigns/audience"' in form and 'name="departments" value="Sales"' in form
    response = browser.post(
        "/admin/campaigns/new",
        data={
            "title": "Meet the sales tools",
            "body": "A demo on Thursday.",
            "departments": ["Sales"],
            "days": "7",
            "csrf_token": csrf_from(form),
        },
        follow_redirects=False,
    )
    assert response.status_code == 303
    page = browser.get(response.headers["location"]).text
    assert "Meet the sales tools" in page and "Running" in page
    for person in people:
        assert "Meet the sales tools" in factory.browser(person).get("/").text


def test_the_campaign_pages_in_french(factory: Factory) -> None:
    hr_person = factory.person("Hélène Rousseau", roles=("hr",), locale="fr")
    reader = factory.person("Camille Martin", site="Lyon", locale="fr")
    factory.api(hr_person).post(
        "/api/v1/campaigns",
        json={"title": "Semaine du numérique", "body": "Venez !", "audience": {"sites": ["Lyon"]}},
    )
    browser = factory.browser(hr_person)
    for url in ("/admin/campaigns", "/admin/campaigns/new", "/admin/campaigns/audience?stages=promotion"):
        page = browser.get(url).text
        assert english_leftovers(page) == [], url
    assert "Moins de 5 personnes" in browser.get("/admin/campaigns/audience?stages=promotion").text
    home = factory.browser(reader).get("/").text
    assert "Un mot des RH et de la communication" in home and "Semaine du numérique" in home
    assert english_leftovers(home) == []


DEPARTMENTS = ["Sales", "Ops", "Legal"]
SITES = ["Lyon", "Paris"]
COMMON = ["information", "discovery", "participation"]  # where most people are
CELLS = [(d, s, stage) for d in DEPARTMENTS for s in SITES for stage in COMMON]
AUDIENCES = st.tuples(
    st.sampled_from(["company", "departments", "sites"]),
    st.sets(st.integers(0, 2), min_size=1),
    st.sets(st.sampled_from([*COMMON, "contribution"]), min_size=1, max_size=3),
)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    counts=st.lists(st.integers(0, 9), min_size=len(CELLS), max_size=len(CELLS)),
    audiences=st.lists(AUDIENCES, min_size=2, max_size=10),
)
def test_stage_audiences_never_release_or_differ_by_a_small_count(
    factory: Factory, counts: list[int], audiences: list[tuple[str, set[int], set[str]]]
) -> None:
    """Whatever the company and the sequence of stage audiences HR tries, every size shown is 0 or at
    least the threshold, and so is the difference between two nested audiences shown."""
    _empty(factory.database)
    people = [cell for cell, n in zip(CELLS, counts, strict=True) for _ in range(n)]
    with factory.database.session() as db:
        for i, (department, site, stage) in enumerate(people):
            uid = db.execute(
                insert(User).values(
                    email=f"p{i}@example.com",
                    handle=f"p{i}",
                    display_name=f"P {i}",
                    search_name=f"p {i}",
                    department=department,
                    site=site,
                )
            ).inserted_primary_key[0]
            if stage != "information" or i % 2:  # information: with or without the engine's row
                db.add(EngagementState(user_id=uid, stage=stage))
    shown: list[tuple[str, frozenset[str], frozenset[str], int]] = []
    with factory.database.session() as db:
        for kind, picks, stages in audiences:
            names = DEPARTMENTS if kind == "departments" else SITES
            groups = frozenset(names[p % len(names)] for p in picks) if kind != "company" else frozenset()
            audience = campaigns.Audience(
                departments=sorted(groups) if kind == "departments" else [],
                sites=sorted(groups) if kind == "sites" else [],
                stages=sorted(stages),
            )
            size = campaigns.measure(db, audience, 5)
            if size.hidden:
                continue
            assert size.value is not None and not 0 < size.value < 5, (audience, size)
            shown.append((kind, groups, frozenset(stages), size.value))
    for kind_a, groups_a, stages_a, a in shown:
        for kind_b, groups_b, stages_b, b in shown:
            if kind_a == kind_b and groups_a <= groups_b and stages_a <= stages_b:
                assert not 0 < b - a < 5, (groups_a, stages_a, a, groups_b, stages_b, b)
