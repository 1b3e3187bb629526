"""Reverse mentoring through HTTP: volunteering and asking, the pairs Proxima proposes (and why),
both sides accepting, sessions and their feedback seen by the pair only, and HR's aggregates."""

from __future__ import annotations

import re
from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy import select, update

from app.models import MentoringPair, MentoringSession, User
from app.models.base import utcnow
from tests.factories import Factory, csrf_from
from tests.test_i18n import _catalog, _visible_text


def english_leftovers(page: str) -> list[str]:
    """The catalog's English strings still visible on a page served in French."""
    english = {m for m, s in _catalog().items() if s and s != m and len(m) > 3}
    text = _visible_text(page)
    return sorted(
        m for m in english if "%" not in m and "{" not in m and re.search(rf"\b{re.escape(m)}\b", text)
    )


def _person(
    factory: Factory, name: str, tags: list[str] | None = None, **fields: str
) -> tuple[User, TestClient]:
    person = factory.person(name, **fields)
    if tags:
        factory.api(person).patch("/api/v1/users/me", json={"tags": tags})
    return person, factory.browser(person)


def _post(browser: TestClient, url: str, data: dict[str, object] | None = None) -> object:
    token = csrf_from(browser.get("/mentoring").text)
    return browser.post(url, data={**(data or {}), "csrf_token": token}, follow_redirects=False)


def _offer(browser: TestClient, topics: list[str], sessions: int = 1) -> None:
    response = _post(browser, "/mentoring/offer", {"topics": topics, "sessions_per_month": str(sessions)})
    assert response.status_code == 303, response.text  # type: ignore[attr-defined]


def _ask(browser: TestClient, topics: str, sessions: int = 1) -> None:
    response = _post(browser, "/mentoring/ask", {"topics": topics, "sessions_per_month": str(sessions)})
    assert response.status_code == 303, response.text  # type: ignore[attr-defined]


def _section(html: str, start: str, end: str) -> str:
    return html[html.index(start) : html.index(end)]


def _pair_id(factory: Factory, mentor: User, mentee: User) -> int:
    with factory.database.session() as db:
        pair_id = db.scalar(
            select(MentoringPair.id).where(
                MentoringPair.mentor_id == mentor.id, MentoringPair.mentee_id == mentee.id
            )
        )
    assert pair_id is not None
    return pair_id


def _active_pair(factory: Factory) -> tuple[User, TestClient, User, TestClient, int]:
    ana, ana_b = _person(factory, "Ana Lopez", ["python"], site="Lyon")
    claire, claire_b = _person(factory, "Claire Dubois", site="Lyon")
    _offer(ana_b, ["python"])
    _ask(claire_b, "Python")
    pair_id = _pair_id(factory, ana, claire)
    _post(ana_b, f"/mentoring/pairs/{pair_id}/accept")
    _post(claire_b, f"/mentoring/pairs/{pair_id}/accept")
    return ana, ana_b, claire, claire_b, pair_id


def test_proxima_proposes_the_best_mentor_with_its_reasons_and_both_must_accept(factory: Factory) -> None:
    ana, ana_b = _person(factory, "Ana Lopez", ["python", "excel"], site="Lyon", department="Engineering")
    _bob, bob_b = _person(factory, "Bob Martin", ["python"], site="Paris", department="Sales")
    claire, claire_b = _person(factory, "Claire Dubois", site="Lyon", department="Finance")
    _offer(ana_b, ["python"], sessions=1)
    _offer(bob_b, ["python"], sessions=1)
    _ask(claire_b, "Python, SAP")

    page = claire_b.get("/mentoring").text
    proposals = _section(page, 'id="proposals"', 'id="pairs"')
    # Ana and Claire share a topic and a site: Ana wins over Bob (same topic, another site)
    assert "Ana Lopez would mentor you" in proposals and "Bob Martin" not in proposals
    assert "Shared topics: python" in proposals and "Both in Lyon: you can meet in person" in proposals
    assert "Why this pair? Score 18" in proposals  # 10 topic + 5 site + 1 session a month + 2 as asked
    assert "Bob Martin" not in bob_b.get("/mentoring").text.split('id="proposals"')[1].split('id="pairs"')[0]
    assert "You would mentor Claire Dubois" in ana_b.get("/mentoring").text

    # both are told, by a "mentoring" notification
    for person, other in ((ana, "Claire Dubois"), (claire, "Ana Lopez")):
        items = factory.api(person).get("/api/v1/notifications").json()["items"]
        assert "mentoring" in [n["type"] for n in items]
        assert f"Proxima proposes a reverse-mentoring pair with {other} on python" in [
            n["text"] for n in items
        ]

    pair_id = _pair_id(factory, ana, claire)
    _post(claire_b, f"/mentoring/pairs/{pair_id}/accept")
    page = claire_b.get("/mentoring").text
    assert "Waiting for Ana Lopez." in page
    assert "No pair yet" in page  # not a pair until both accept
    assert "Claire Dubois accepted" in ana_b.get("/mentoring").text

    _post(ana_b, f"/mentoring/pairs/{pair_id}/accept")
    pairs = _section(claire_b.get("/mentoring").text, 'id="pairs"', 'id="offer"')
    assert "Ana Lopez mentors you" in pairs and "Plan a session" in pairs
    assert "You mentor Claire Dubois" in ana_b.get("/mentoring").text


def test_a_mentor_takes_no_more_pairs_than_sessions_offered_and_no_topic_no_proposal(
    factory: Factory,
) -> None:
    _ana, ana_b = _person(factory, "Ana Lopez", ["python"], site="Lyon")
    _bob, bob_b = _person(factory, "Bob Martin", ["python"], site="Paris")
    _claire, claire_b = _person(factory, "Claire Dubois", site="Lyon")
    _david, david_b = _person(factory, "David Petit", site="Lyon")
    _eve, eve_b = _person(factory, "Eve Roux", site="Lyon")
    _offer(ana_b, ["python"], sessions=1)
    _offer(bob_b, ["python"], sessions=1)
    _ask(claire_b, "python")
    _ask(david_b, "python")
    _ask(eve_b, "knitting")
    assert "Ana Lopez would mentor you" in claire_b.get("/mentoring").text
    # Ana gives one session a month: David goes to Bob, although Ana is on his site
    assert "Bob Martin would mentor you" in david_b.get("/mentoring").text
    eve_page = eve_b.get("/mentoring").text
    assert "No proposal waiting." in eve_page and "would mentor you" not in eve_page


def test_a_declined_proposal_is_not_made_again(factory: Factory) -> None:
    ana, ana_b = _person(factory, "Ana Lopez", ["python"], site="Lyon")
    _bob, bob_b = _person(factory, "Bob Martin", ["python"], site="Paris")
    claire, claire_b = _person(factory, "Claire Dubois", site="Lyon")
    _offer(ana_b, ["python"])
    _ask(claire_b, "python")
    assert "Ana Lopez would mentor you" in claire_b.get("/mentoring").text
    _post(claire_b, f"/mentoring/pairs/{_pair_id(factory, ana, claire)}/decline")
    _post(claire_b, "/mentoring/match")
    assert "Ana Lopez would mentor you" not in claire_b.get("/mentoring").text
    _offer(bob_b, ["python"])  # a new mentor volunteers: Proxima proposes him
    assert "Bob Martin would mentor you" in claire_b.get("/mentoring").text


def test_offering_to_mentor_takes_ones_own_expertise_tags_only(factory: Factory) -> None:
    _ana, ana_b = _person(factory, "Ana Lopez", ["python"])
    response = _post(ana_b, "/mentoring/offer", {"topics": ["cooking"], "sessions_per_month": "2"})
    assert response.status_code == 422  # type: ignore[attr-defined]
    assert "Choose among your expertise tags." in response.text  # type: ignore[attr-defined]
    response = _post(ana_b, "/mentoring/offer", {"topics": ["python"], "sessions_per_month": "9"})
    assert response.status_code == 422 and "Between 1 and 4 sessions a month." in response.text  # type: ignore[attr-defined]
    assert "You are a mentor" not in ana_b.get("/mentoring").text  # nothing was saved
    _newcomer, newcomer_b = _person(factory, "No Tags")
    assert "Add a few to your profile first." in newcomer_b.get("/mentoring").text


def test_sessions_and_feedback_belong_to_the_pair(factory: Factory) -> None:
    ana, ana_b, _claire, claire_b, pair_id = _active_pair(factory)
    _outsider, outsider_b = _person(factory, "Olivia Outsider")
    when = (utcnow() + timedelta(days=3)).strftime("%Y-%m-%dT%H:%M")
    response = _post(
        claire_b,
        f"/mentoring/pairs/{pair_id}/sessions",
        {"starts_at": when, "duration_minutes": "60", "location": "Café du 3e", "agenda": "Pandas basics"},
    )
    assert response.status_code == 303  # type: ignore[attr-defined]
    page = ana_b.get("/mentoring").text
    assert "Café du 3e" in page and "Pandas basics" in page
    session_id = int(re.search(r'id="session-(\d+)"', page).group(1))  # type: ignore[union-attr]
    ana_types = [n["type"] for n in factory.api(ana).get("/api/v1/notifications").json()["items"]]
    assert ana_types.count("mentoring") >= 3  # proposed, accepted, session planned

    ics = claire_b.get(f"/mentoring/sessions/{session_id}/session.ics")
    assert ics.status_code == 200 and ics.headers["content-type"].startswith("text/calendar")
    assert "SUMMARY:Reverse mentoring with Ana Lopez" in ics.text and "LOCATION:Café du 3e" in ics.text
    assert outsider_b.get(f"/mentoring/sessions/{session_id}/session.ics").status_code == 404

    # no feedback before the session took place
    early = _post(claire_b, f"/mentoring/sessions/{session_id}/feedback", {"rating": "5"})
    assert early.status_code == 422 and "Feedback comes after the session." in early.text  # type: ignore[attr-defined]

    with factory.database.session() as db:
        db.execute(
            update(MentoringSession)
            .where(MentoringSession.id == session_id)
            .values(starts_at=utcnow() - timedelta(hours=2), ends_at=utcnow() - timedelta(hours=1))
        )
    bad = _post(claire_b, f"/mentoring/sessions/{session_id}/feedback", {"rating": "7"})
    assert bad.status_code == 422 and "A rating from 1 to 5." in bad.text  # type: ignore[attr-defined]
    for browser, rating, comment in ((claire_b, "5", "Clear and patient"), (ana_b, "4", "Great questions")):
        ok = _post(
            browser, f"/mentoring/sessions/{session_id}/feedback", {"rating": rating, "comment": comment}
        )
        assert ok.status_code == 303  # type: ignore[attr-defined]
    for browser in (ana_b, claire_b):
        page = browser.get("/mentoring").text
        assert "Clear and patient" in page and "Great questions" in page
        assert "5 out of 5" in page and "4 out of 5" in page

    # nobody else reads it, nor may act on the pair
    assert "Clear and patient" not in outsider_b.get("/mentoring").text
    hr_page = factory.browser(factory.person("Helen HR", roles=("hr",))).get("/admin/mentoring").text
    assert "Clear and patient" not in hr_page and "Ana Lopez" not in hr_page
    for url in (
        f"/mentoring/sessions/{session_id}/feedback",
        f"/mentoring/pairs/{pair_id}/end",
        f"/mentoring/pairs/{pair_id}/sessions",
    ):
        assert _post(outsider_b, url, {"rating": "1", "starts_at": when, "location": "x"}).status_code == 404  # type: ignore[attr-defined]


def test_planning_a_session_checks_what_was_typed(factory: Factory) -> None:
    _ana, _ana_b, _claire, claire_b, pair_id = _active_pair(factory)
    past = (utcnow() - timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    response = _post(claire_b, f"/mentoring/pairs/{pair_id}/sessions", {"starts_at": past, "location": ""})
    assert response.status_code == 422  # type: ignore[attr-defined]
    assert "Choose a moment in the future." in response.text  # type: ignore[attr-defined]
    assert "Where do you meet?" in response.text  # type: ignore[attr-defined]
    with factory.database.session() as db:
        assert db.scalar(select(MentoringSession.id)) is None


def test_hr_sees_the_programme_in_aggregate_only_above_the_threshold(factory: Factory) -> None:
    hr = factory.person("Helen HR", roles=("hr",))
    hr_b = factory.browser(hr)
    _ana, _ana_b, _claire, _claire_b, _pid = _active_pair(factory)
    page = hr_b.get("/admin/mentoring").text
    counts = _section(page, 'id="counts-title"', 'id="satisfaction-title"')
    assert "Mentors volunteering" in counts and "fewer than 5" in counts
    assert re.search(r"Mentors volunteering</th><td>\d", counts) is None  # 1 mentor: not shown
    assert "Fewer than 5 feedback ratings so far: not shown." in page
    assert "Ana Lopez" not in page and "Claire Dubois" not in page

    # five more pairs, each with a session held and rated by both sides
    for i in range(5):
        mentor, mentor_b = _person(factory, f"Mentor {i}", [f"topic{i}"])
        mentee, mentee_b = _person(factory, f"Mentee {i}")
        _offer(mentor_b, [f"topic{i}"])
        _ask(mentee_b, f"topic{i}")
        pair_id = _pair_id(factory, mentor, mentee)
        for browser in (mentor_b, mentee_b):
            _post(browser, f"/mentoring/pairs/{pair_id}/accept")
        with factory.database.session() as db:
            db.add(
                MentoringSession(
                    pair_id=pair_id,
                    starts_at=utcnow() - timedelta(days=1),
                    ends_at=utcnow() - timedelta(days=1) + timedelta(hours=1),
                    location="Room",
                )
            )
        session_id = int(re.search(r'id="session-(\d+)"', mentee_b.get("/mentoring").text).group(1))  # type: ignore[union-attr]
        _post(mentee_b, f"/mentoring/sessions/{session_id}/feedback", {"rating": "4"})
        _post(mentor_b, f"/mentoring/sessions/{session_id}/feedback", {"rating": "5" if i < 2 else "4"})
    page = hr_b.get("/admin/mentoring").text
    assert re.search(r"Mentors volunteering</th><td>6</td>", page)
    assert re.search(r"Active pairs</th><td>6</td>", page)
    assert re.search(r"Sessions held</th><td>5</td>", page)
    assert "<strong>4.2</strong> / 5" in page and "10 ratings" in page  # (2×5 + 8×4) / 10
    assert "Great" not in page  # no comment, no single session's rating
    assert factory.browser(factory.person("Eddie Employee")).get("/admin/mentoring").status_code == 403


def test_the_mentoring_pages_in_french(factory: Factory) -> None:
    ana, ana_b = _person(factory, "Anaïs Lopez", ["python"], site="Lyon", locale="fr")
    claire, claire_b = _person(factory, "Claire Dubois", site="Lyon", locale="fr")
    _offer(ana_b, ["python"])
    _ask(claire_b, "python")
    pair_id = _pair_id(factory, ana, claire)
    _post(claire_b, f"/mentoring/pairs/{pair_id}/accept")
    page = ana_b.get("/mentoring").text  # a proposal, with its reasons
    assert '<html lang="fr">' in page and "Vous accompagneriez Claire Dubois" in page
    assert "Tous deux à Lyon : vous pouvez vous voir en personne" in page
    assert english_leftovers(page) == []
    _post(ana_b, f"/mentoring/pairs/{pair_id}/accept")
    page = claire_b.get("/mentoring").text  # a pair, its planning form
    assert "Anaïs Lopez est votre mentor" in page and "Planifier une séance" in page
    assert english_leftovers(page) == []
    hr = factory.browser(factory.person("Hélène RH", roles=("hr",), locale="fr")).get("/admin/mentoring").text
    assert "Programme de mentorat inversé" in hr and "moins de 5" in hr
    assert english_leftovers(hr) == []


def test_the_mentoring_api_from_offer_to_feedback(factory: Factory) -> None:
    ana = factory.person("Ana Lopez", site="Lyon")
    claire = factory.person("Claire Dubois", site="Lyon")
    outsider = factory.api(factory.person("Olivia Outsider"))
    ana_api, claire_api = factory.api(ana), factory.api(claire)
    ana_api.patch("/api/v1/users/me", json={"tags": ["python"]})
    refused = ana_api.put("/api/v1/mentoring/offer", json={"topics": ["cooking"], "sessions_per_month": 1})
    assert refused.status_code == 422 and refused.json()["errors"][0]["field"] == "topics"
    assert ana_api.put("/api/v1/mentoring/offer", json={"topics": ["python"]}).json()["mentor"]["topics"] == [
        "python"
    ]
    me = claire_api.put(
        "/api/v1/mentoring/request", json={"topics": ["Python"], "note": "Pandas, please"}
    ).json()
    [proposal] = me["proposals"]
    assert proposal["partner"]["display_name"] == "Ana Lopez" and proposal["role"] == "mentee"
    assert "Both in Lyon: you can meet in person" in proposal["reasons"]
    pair_id = proposal["id"]
    assert outsider.post(f"/api/v1/mentoring/pairs/{pair_id}/accept").status_code == 404
    for api in (claire_api, ana_api):
        assert api.post(f"/api/v1/mentoring/pairs/{pair_id}/accept").status_code == 204
    assert claire_api.get("/api/v1/mentoring/me").json()["pairs"][0]["status"] == "active"
    starts = (utcnow() + timedelta(days=2)).isoformat()
    session = claire_api.post(
        f"/api/v1/mentoring/pairs/{pair_id}/sessions", json={"starts_at": starts, "location": "Room 2"}
    )
    assert session.status_code == 201, session.text
    session_id = session.json()["id"]
    assert (
        outsider.put(f"/api/v1/mentoring/sessions/{session_id}/feedback", json={"rating": 5}).status_code
        == 404
    )
    early = claire_api.put(f"/api/v1/mentoring/sessions/{session_id}/feedback", json={"rating": 5})
    assert early.status_code == 422
    with factory.database.session() as db:
        db.execute(
            update(MentoringSession)
            .where(MentoringSession.id == session_id)
            .values(starts_at=utcnow() - timedelta(hours=2), ends_at=utcnow() - timedelta(hours=1))
        )
    given = claire_api.put(
        f"/api/v1/mentoring/sessions/{session_id}/feedback", json={"rating": 5, "comment": "Yes"}
    )
    assert given.json() == {"user_id": claire.id, "rating": 5, "comment": "Yes"}
    sessions = ana_api.get("/api/v1/mentoring/me").json()["pairs"][0]["sessions"]
    assert sessions[0]["feedback"] == [{"user_id": claire.id, "rating": 5, "comment": "Yes"}]
    assert outsider.get("/api/v1/mentoring/programme").status_code == 403
    programme = (
        factory.api(factory.person("Helen HR", roles=("hr",))).get("/api/v1/mentoring/programme").json()
    )
    assert {"key": "mentors", "suppressed": True} in programme["counts"]
    assert programme["ratings"] is None and programme["average_rating"] is None
