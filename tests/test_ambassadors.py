"""Ambassadors: suggestions from public contributions only, HR-only pages, invitations that only
the person's acceptance turns into a badge and a seat in the ambassadors' community, declining,
stepping down, ending; the ambassadors' and takers' nudges; the give/receive ledger."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from fastapi.testclient import TestClient
from sqlalchemy import select, update

from app.models import NudgeEvent, User
from app.services.nudges import definition, in_holdout
from tests.factories import Factory, csrf_from

# ---- helpers -------------------------------------------------------------------------------------


def _person(factory: Factory, *, shown: str | None = None, **fields: object) -> User:
    """A person who is not in the holdout of this nudge (so that it can be offered to them)."""
    for _ in range(200):
        person = factory.person(**fields)  # type: ignore[arg-type]
        if shown is None or not in_holdout(person.id, definition(shown)):
            return person
    raise AssertionError("no such person in 200 tries")


def _offered(api: TestClient, rounds: int = 15) -> dict[str, dict]:
    """Every nudge this person is offered, putting aside each card seen to see the next ones."""
    seen: dict[str, dict] = {}
    for _ in range(rounds):
        offered = api.get("/api/v1/engagement/me").json()["nudges"]
        if not offered:
            break
        for n in offered:
            seen.setdefault(n["key"], n)
            api.post(f"/api/v1/engagement/nudges/{n['key']}/snooze")
    return seen


def _events(factory: Factory, user_id: int, key: str) -> list[str]:
    with factory.database.session(write=False) as db:
        return list(
            db.scalars(
                select(NudgeEvent.event)
                .where(NudgeEvent.user_id == user_id, NudgeEvent.nudge_key == key)
                .order_by(NudgeEvent.id)
            )
        )


def _community(api: TestClient, name: str, visibility: str, *members: User) -> str:
    slug = api.post("/api/v1/communities", json={"name": name, "visibility": visibility}).json()["slug"]
    for member in members:
        assert api.put(f"/api/v1/communities/{slug}/members/{member.id}").status_code == 204
    return slug


def _give(factory: Factory, giver: User, asker: User, praised: User, community: str | None = None) -> None:
    """The giver answers the asker's question (accepted) and praises a colleague, there."""
    where = {"community": community} if community else {}
    asking = factory.api(asker)
    question = asking.post(
        "/api/v1/posts", json={"kind": "question", "body": "How do I book a room?", **where}
    )
    assert question.status_code == 201, question.text
    qid = question.json()["id"]
    giving = factory.api(giver)
    answer = giving.post(f"/api/v1/posts/{qid}/comments", json={"body": "Use the rooms page."})
    assert answer.status_code == 201, answer.text
    answer = answer.json()
    assert asking.post(f"/api/v1/posts/{qid}/comments/{answer['id']}/accept").status_code == 204
    praise = giving.post(
        "/api/v1/posts",
        json={"kind": "praise", "body": "Thanks for the help!", "praised_user_id": praised.id, **where},
    )
    assert praise.status_code == 201, praise.text


def _suggested(api: TestClient) -> dict[str, dict]:
    response = api.get("/api/v1/ambassadors/suggestions")
    assert response.status_code == 200, response.text
    return {item["user"]["display_name"]: item for item in response.json()["items"]}


def _post_form(client: TestClient, page: str, url: str, **data: str) -> object:
    token = csrf_from(client.get(page).text)
    return client.post(url, data={"csrf_token": token, **data}, follow_redirects=False)


# ---- suggestions ---------------------------------------------------------------------------------


def test_suggestions_count_only_public_contributions(factory: Factory) -> None:
    hr = factory.person("Hélène HR", roles=("hr",))
    asker, praised = factory.person("Asker"), factory.person("Praised")
    public_giver = factory.person("Paula Public")
    private_giver = factory.person("Prisca Private")
    secret_giver = factory.person("Sacha Secret")
    _give(factory, public_giver, asker, praised)
    owner = factory.person("Owner")
    private = _community(factory.api(owner), "Closed room", "private", asker, praised, private_giver)
    secret = _community(factory.api(owner), "Hidden room", "secret", asker, praised, secret_giver)
    _give(factory, private_giver, asker, praised, community=private)
    _give(factory, secret_giver, asker, praised, community=secret)

    suggested = _suggested(factory.api(hr))
    assert "Paula Public" in suggested
    assert "Prisca Private" not in suggested and "Sacha Secret" not in suggested
    paula = suggested["Paula Public"]
    assert paula["user"] == {
        "id": public_giver.id,
        "display_name": "Paula Public",
        "handle": public_giver.handle,
    }
    assert paula["status"] == "suggested" and paula["can_invite"] is True
    assert "1 answer accepted by the colleague who asked, in the last 90 days" in paula["reasons"]
    assert "Praised a colleague publicly in the last 90 days" in paula["reasons"]

    # one public way of giving is not enough: a second one in a secret community does not count
    half = factory.person("Hugo Half")
    assert factory.api(owner).put(f"/api/v1/communities/{secret}/members/{half.id}").status_code == 204
    _give(factory, half, asker, praised, community=secret)
    factory.api(half).post(
        "/api/v1/posts", json={"kind": "praise", "body": "Bravo", "praised_user_id": praised.id}
    )
    assert "Hugo Half" not in _suggested(factory.api(hr))

    page = factory.browser(hr).get("/admin/ambassadors")
    assert page.status_code == 200
    assert "Paula Public" in page.text and "Sacha Secret" not in page.text and "Hidden room" not in page.text


def test_animating_a_public_community_and_likes_from_several_departments_count(factory: Factory) -> None:
    hr = factory.person("Hélène HR", roles=("hr",))
    animator = factory.person("Anna Animator", department="Sales")
    members = [factory.person(f"Member {d}", department=d) for d in ("Finance", "Legal", "Support")]
    slug = _community(factory.api(animator), "Cycling to work", "public")
    post = (
        factory.api(animator).post("/api/v1/posts", json={"kind": "status", "body": "Ride on Friday"}).json()
    )
    for member in members:
        factory.api(member).post(f"/api/v1/communities/{slug}/join")
        factory.api(member).put(f"/api/v1/posts/{post['id']}/like")
    factory.api(members[0]).post(
        "/api/v1/posts", json={"kind": "status", "body": "I'm in", "community": slug}
    )

    reasons = _suggested(factory.api(hr))["Anna Animator"]["reasons"]
    assert "Animates Cycling to work, a public community where colleagues post" in reasons
    assert "Posts appreciated by colleagues of 3 departments in the last 90 days" in reasons


def test_suggestions_and_the_hr_page_are_for_hr_only(factory: Factory) -> None:
    employee = factory.person("Eve Employee")
    admin = factory.person("Adam Admin", roles=("admin",))
    for person in (employee, admin):
        assert factory.api(person).get("/api/v1/ambassadors/suggestions").status_code == 403
        assert factory.api(person).get("/api/v1/ambassadors/invitations").status_code == 403
        refused = factory.api(person).post("/api/v1/ambassadors/invitations", json={"user_id": employee.id})
        assert refused.status_code == 403
        assert factory.browser(person).get("/admin/ambassadors").status_code == 403
    assert (
        factory.api(employee)
        .get("/api/v1/ambassadors/suggestions")
        .headers["content-type"]
        .startswith("application/problem+json")
    )
    hr = factory.person("Hélène HR", roles=("hr",))
    assert factory.api(hr).get("/api/v1/ambassadors/suggestions").json() == {"items": []}
    menu = factory.browser(hr).get("/").text
    assert 'href="/admin/ambassadors"' in menu
    assert 'href="/admin/ambassadors"' not in factory.browser(employee).get("/").text


# ---- invitations ---------------------------------------------------------------------------------


def _invite_on_the_page(factory: Factory, hr: User, person: User, note: str = "") -> None:
    response = _post_form(
        factory.browser(hr),
        "/admin/ambassadors",
        "/admin/ambassadors/invite",
        user_id=str(person.id),
        note=note,
    )
    assert response.status_code == 303, response.text  # type: ignore[attr-defined]


def test_an_accepted_invitation_brings_the_badge_and_the_community(factory: Factory) -> None:
    hr = factory.person("Hélène HR", roles=("hr",))
    asker, praised = factory.person("Asker"), factory.person("Praised")
    paula = factory.person("Paula Public")
    _give(factory, paula, asker, praised)
    colleague = factory.browser(factory.person("Colin Colleague"))
    assert "badge-ambassador" not in colleague.get(f"/people/{paula.handle}").text

    _invite_on_the_page(factory, hr, paula, note="You help so many people!")
    hr_page = factory.browser(hr).get("/admin/ambassadors").text
    assert "Invited on" in hr_page
    assert _suggested(factory.api(hr))["Paula Public"]["status"] == "invited"
    # an invitation alone changes nothing for others to see
    assert "badge-ambassador" not in colleague.get(f"/people/{paula.handle}").text

    api = factory.api(paula)
    notes = [
        n for n in api.get("/api/v1/notifications").json()["items"] if n["type"] == "ambassador_invitation"
    ]
    assert len(notes) == 1 and notes[0]["text"] == "Hélène HR invites you to become a Proxima ambassador"
    assert notes[0]["url"] == "/me/ambassador" and notes[0]["actor"]["display_name"] == "Hélène HR"
    mine = api.get("/api/v1/ambassadors/me").json()
    assert mine["ambassador"] is False and mine["invitation"]["note"] == "You help so many people!"
    assert (
        "1 answer accepted by the colleague who asked, in the last 90 days" in mine["invitation"]["reasons"]
    )

    browser = factory.browser(paula)
    page = browser.get("/me/ambassador")
    assert "Hélène HR invites you to become a Proxima ambassador" in page.text
    assert "You help so many people!" in page.text
    invitation = mine["invitation"]["id"]
    accepted = _post_form(browser, "/me/ambassador", f"/me/ambassador/invitations/{invitation}/accept")
    assert accepted.status_code == 303  # type: ignore[attr-defined]
    assert "Welcome among the ambassadors" in browser.get("/me/ambassador?done=accepted").text

    profile = colleague.get(f"/people/{paula.handle}").text
    assert 'class="badge badge-ambassador"' in profile and ">Ambassador<" in profile
    me = api.get("/api/v1/ambassadors/me").json()
    assert me["ambassador"] is True and me["invitation"] is None
    community = api.get(f"/api/v1/communities/{me['community']}").json()
    assert community["visibility"] == "private" and community["my_status"] == "member"
    assert community["my_role"] == "member"
    run_by_hr = factory.api(hr).get(f"/api/v1/communities/{me['community']}").json()
    assert run_by_hr["my_role"] == "manager"
    # an outsider sees the community exists (private) but not its posts
    assert factory.api(asker).get(f"/api/v1/communities/{me['community']}").json()["my_status"] is None
    # the ambassador is listed, and no longer suggested
    listed = factory.api(asker).get("/api/v1/ambassadors").json()["items"]
    assert [a["user"]["id"] for a in listed] == [paula.id]
    assert "Paula Public" not in _suggested(factory.api(hr))
    assert "Paula Public" in factory.browser(asker).get("/ambassadors").text
    # answering twice is refused
    again = api.post(f"/api/v1/ambassadors/invitations/{invitation}/accept")
    assert again.status_code == 409


def test_a_declined_invitation_changes_nothing_and_is_respected(factory: Factory) -> None:
    hr = factory.person("Hélène HR", roles=("hr",))
    asker, praised = factory.person("Asker"), factory.person("Praised")
    dora = factory.person("Dora Decline")
    _give(factory, dora, asker, praised)
    invited = factory.api(hr).post("/api/v1/ambassadors/invitations", json={"user_id": dora.id})
    assert invited.status_code == 201, invited.text
    assert invited.json()["status"] == "pending" and invited.json()["invited_by"]["id"] == hr.id

    browser = factory.browser(dora)
    declined = _post_form(
        browser, "/me/ambassador", f"/me/ambassador/invitations/{invited.json()['id']}/decline"
    )
    assert declined.status_code == 303  # type: ignore[attr-defined]
    assert "Nothing changes for you" in browser.get("/me/ambassador?done=declined").text
    api = factory.api(dora)
    assert api.get("/api/v1/ambassadors/me").json() == {
        "ambassador": False,
        "since": None,
        "community": None,
        "invitation": None,
    }
    assert "badge-ambassador" not in factory.browser(asker).get(f"/people/{dora.handle}").text
    kinds = [n["type"] for n in api.get("/api/v1/notifications").json()["items"]]
    assert "ambassador_invitation" not in kinds  # the invitation's line went with the answer
    assert factory.api(asker).get("/api/v1/ambassadors").json()["items"] == []
    # HR sees the refusal, without an invite button, and may not ask again at once
    suggestion = _suggested(factory.api(hr))["Dora Decline"]
    assert suggestion["status"] == "declined" and suggestion["can_invite"] is False
    assert (
        factory.api(hr).post("/api/v1/ambassadors/invitations", json={"user_id": dora.id}).status_code == 409
    )


def test_invitations_refuse_what_makes_no_sense(factory: Factory) -> None:
    hr = factory.person("Hélène HR", roles=("hr",))
    person, other = factory.person("Pat"), factory.person("Other")
    api = factory.api(hr)
    assert api.post("/api/v1/ambassadors/invitations", json={"user_id": hr.id}).status_code == 422
    assert api.post("/api/v1/ambassadors/invitations", json={"user_id": 999999}).status_code == 404
    bad = api.post("/api/v1/ambassadors/invitations", json={"user_id": "x"})
    assert bad.status_code == 422 and bad.json()["errors"]
    long_note = api.post("/api/v1/ambassadors/invitations", json={"user_id": person.id, "note": "x" * 1001})
    assert long_note.status_code == 422
    first = api.post("/api/v1/ambassadors/invitations", json={"user_id": person.id})
    assert first.status_code == 201
    assert api.post("/api/v1/ambassadors/invitations", json={"user_id": person.id}).status_code == 409
    invitation = first.json()["id"]
    # only the invited person answers; for anyone else the invitation does not exist
    assert factory.api(other).post(f"/api/v1/ambassadors/invitations/{invitation}/accept").status_code == 404
    assert factory.api(hr).post(f"/api/v1/ambassadors/invitations/{invitation}/decline").status_code == 404
    assert factory.api(person).post(f"/api/v1/ambassadors/invitations/{invitation}/accept").status_code == 200
    assert api.post("/api/v1/ambassadors/invitations", json={"user_id": person.id}).status_code == 409
    # a note too long on the page: the page again, with the message beside that colleague
    _give(factory, other, factory.person("Asker"), factory.person("Praised"))
    response = _post_form(
        factory.browser(hr),
        "/admin/ambassadors",
        "/admin/ambassadors/invite",
        user_id=str(other.id),
        note="y" * 1001,
    )
    assert response.status_code == 422  # type: ignore[attr-defined]
    assert "At most 1000 characters." in response.text  # type: ignore[attr-defined]


def test_stepping_down_and_ending_remove_the_badge_and_the_seat(factory: Factory) -> None:
    hr = factory.person("Hélène HR", roles=("hr",))
    sam, tom = factory.person("Sam Stepdown"), factory.person("Tom Ended")
    for person in (sam, tom):
        invitation = (
            factory.api(hr).post("/api/v1/ambassadors/invitations", json={"user_id": person.id}).json()
        )
        assert (
            factory.api(person).post(f"/api/v1/ambassadors/invitations/{invitation['id']}/accept").status_code
            == 200
        )
    slug = factory.api(sam).get("/api/v1/ambassadors/me").json()["community"]

    browser = factory.browser(sam)
    response = _post_form(browser, "/me/ambassador", "/me/ambassador/step-down")
    assert response.status_code == 303  # type: ignore[attr-defined]
    assert "You stepped down" in browser.get("/me/ambassador?done=stepped_down").text
    assert factory.api(sam).get(f"/api/v1/communities/{slug}").json()["my_status"] is None
    assert "badge-ambassador" not in factory.browser(tom).get(f"/people/{sam.handle}").text

    # only HR ends someone else's ambassadorship
    assert factory.api(sam).delete(f"/api/v1/ambassadors/{tom.id}").status_code == 403
    ended = _post_form(factory.browser(hr), "/admin/ambassadors", f"/admin/ambassadors/{tom.id}/end")
    assert ended.status_code == 303  # type: ignore[attr-defined]
    assert factory.api(tom).get("/api/v1/ambassadors/me").json()["ambassador"] is False
    assert factory.api(tom).get(f"/api/v1/communities/{slug}").json()["my_status"] is None
    assert factory.api(hr).get("/api/v1/ambassadors").json()["items"] == []
    assert factory.api(hr).delete(f"/api/v1/ambassadors/{tom.id}").status_code == 404
    # HR still runs the community; a former ambassador may be invited again, and comes back
    assert factory.api(hr).get(f"/api/v1/communities/{slug}").json()["my_role"] == "manager"
    again = factory.api(hr).post("/api/v1/ambassadors/invitations", json={"user_id": sam.id}).json()
    assert factory.api(sam).post(f"/api/v1/ambassadors/invitations/{again['id']}/accept").json() == {
        "ambassador": True,
        "community": slug,
    }


# ---- the ambassadors' nudges ---------------------------------------------------------------------


def _make_ambassador(factory: Factory, hr: User, person: User) -> None:
    invitation = factory.api(hr).post("/api/v1/ambassadors/invitations", json={"user_id": person.id}).json()
    assert (
        factory.api(person).post(f"/api/v1/ambassadors/invitations/{invitation['id']}/accept").status_code
        == 200
    )


def _participating(factory: Factory, person: User) -> TestClient:
    """Signed in, following someone and reacting: at participation (or beyond)."""
    api = factory.api(person)
    author = factory.person("Some Author", department="Elsewhere")
    post = factory.api(author).post("/api/v1/posts", json={"kind": "status", "body": "News"}).json()
    api.put(f"/api/v1/users/{author.id}/follow")
    api.put(f"/api/v1/posts/{post['id']}/like")
    return api


def test_ambassadors_are_asked_to_welcome_a_real_newcomer_of_their_department(factory: Factory) -> None:
    hr = factory.person("Hélène HR", roles=("hr",))
    key = "ambassador.welcome_newcomer"
    ambassador = _person(factory, shown=key, department="Sales")
    plain = _person(factory, shown=key, department="Sales")
    old_timer = factory.person("Olga Oldtimer", department="Sales")
    with factory.database.session() as db:
        db.execute(
            update(User)
            .where(User.id.in_([ambassador.id, plain.id, old_timer.id]))
            .values(created_at=datetime.now(UTC) - timedelta(days=400))
        )
    newcomer = factory.person("Nina Newcomer", department="Sales")
    factory.person("Far Away", department="Finance")
    _make_ambassador(factory, hr, ambassador)
    api = _participating(factory, ambassador)

    offered = _offered(api)
    assert key in offered
    assert offered[key]["title"] == "Welcome Nina Newcomer to Sales"
    assert offered[key]["action_url"] == f"/people/{newcomer.handle}"
    assert "arrived in Sales this month" in offered[key]["wiifm"]
    assert key not in _offered(_participating(factory, plain))

    # following the newcomer is a welcome: the nudge completes
    assert api.put(f"/api/v1/users/{newcomer.id}/follow").status_code == 204
    api.get("/api/v1/engagement/me")
    assert "completed" in _events(factory, ambassador.id, key)


def test_ambassadors_are_asked_to_answer_a_question_they_may_read_in_their_expertise(
    factory: Factory,
) -> None:
    hr = factory.person("Hélène HR", roles=("hr",))
    key = "ambassador.answer_question"
    ambassador = _person(factory, shown=key, department="IT")
    factory.api(ambassador).patch("/api/v1/users/me", json={"tags": ["python"]})
    _make_ambassador(factory, hr, ambassador)
    asker, owner = factory.person("Quentin Question"), factory.person("Owner")
    secret = _community(factory.api(owner), "Hidden room", "secret", asker)
    factory.api(asker).post(
        "/api/v1/posts", json={"kind": "question", "body": "Secret #python question", "community": secret}
    )
    api = _participating(factory, ambassador)
    assert key not in _offered(api)  # the only question is in a secret community they are not in

    question = (
        factory.api(asker)
        .post("/api/v1/posts", json={"kind": "question", "body": "How do I read a CSV? #python"})
        .json()
    )
    with factory.database.session() as db:  # the cards put aside in the first round come back
        db.execute(update(NudgeEvent).where(NudgeEvent.user_id == ambassador.id).values(until=None))
    offered = _offered(api)
    assert offered[key]["title"] == "Answer Quentin Question's question"
    assert offered[key]["action_url"] == f"/posts/{question['id']}"
    assert "asked about #python and nobody has answered yet" in offered[key]["wiifm"]

    api.post(f"/api/v1/posts/{question['id']}/comments", json={"body": "Use the csv module."})
    api.get("/api/v1/engagement/me")
    assert "completed" in _events(factory, ambassador.id, key)


# ---- takers, and the ledger ----------------------------------------------------------------------


def _support_department(factory: Factory, answerers: int, others: int) -> None:
    """People of Support who signed in: some answered a public question and got reactions."""
    asker = factory.person("Outside Asker", department="Elsewhere")
    fan = factory.person("Fan", department="Elsewhere")
    question = (
        factory.api(asker).post("/api/v1/posts", json={"kind": "question", "body": "Who knows?"}).json()
    )
    for i in range(answerers):
        api = factory.api(factory.person(f"Answerer {i}", department="Support"))
        api.post(f"/api/v1/posts/{question['id']}/comments", json={"body": f"I do ({i})"})
        post = api.post("/api/v1/posts", json={"kind": "status", "body": f"Tip {i}"}).json()
        factory.api(fan).put(f"/api/v1/posts/{post['id']}/like")
    for i in range(others):
        factory.api(factory.person(f"Quiet {i}", department="Support"))


def test_takers_are_shown_what_answering_brought_to_people_like_them(factory: Factory) -> None:
    key = "taker.sharing_pays"
    _support_department(factory, answerers=5, others=5)
    taker = _person(factory, shown=key, department="Support")
    api = factory.api(taker)
    for n in range(2):
        api.post("/api/v1/posts", json={"kind": "question", "body": f"Help me with {n}?"})
    ledger = api.get("/api/v1/engagement/me/ledger").json()
    assert ledger["leaning"] == "taker" and ledger["receive"]["questions_asked"] == 2
    assert ledger["benefit"] == {
        "by": "department",
        "group": "Support",
        "reactions": 1.0,
        "followers": 0.0,
        "others_reactions": 0.0,
        "others_followers": 0.0,
    }
    offered = _offered(api)
    assert offered[key]["wiifm"] == (
        "This month, colleagues of Support who answered questions received 1.0 reactions and 0.0 new "
        "followers each on average; those who did not, 0.0 and 0.0."
    )
    page = factory.browser(taker).get("/me/ledger")
    assert "What sharing brought to people like you" in page.text and "colleagues of Support" in page.text


def test_the_benefit_is_not_shown_when_a_group_is_under_the_threshold(factory: Factory) -> None:
    key = "taker.sharing_pays"
    _support_department(factory, answerers=4, others=6)
    taker = _person(factory, shown=key, department="Support")
    api = factory.api(taker)
    api.post("/api/v1/posts", json={"kind": "question", "body": "Help?"})
    ledger = api.get("/api/v1/engagement/me/ledger").json()
    assert ledger["leaning"] == "taker" and ledger["benefit"] is None
    assert key not in _offered(api)
    assert "What sharing brought" not in factory.browser(taker).get("/me/ledger").text


def test_the_ledger_counts_what_one_gives_and_receives(factory: Factory) -> None:
    me = factory.person("Gina Giver")
    veteran = factory.person("Victor Veteran")
    newcomer = factory.person("Nell Newcomer")
    with factory.database.session() as db:
        db.execute(
            update(User)
            .where(User.id.in_([me.id, veteran.id]))
            .values(created_at=datetime.now(UTC) - timedelta(days=400))
        )
    api, vet, new = factory.api(me), factory.api(veteran), factory.api(newcomer)
    q1 = vet.post("/api/v1/posts", json={"kind": "question", "body": "Q1?"}).json()
    q2 = new.post("/api/v1/posts", json={"kind": "question", "body": "Q2?"}).json()
    a1 = api.post(f"/api/v1/posts/{q1['id']}/comments", json={"body": "A1"}).json()
    api.post(f"/api/v1/posts/{q2['id']}/comments", json={"body": "A2"})
    vet.post(f"/api/v1/posts/{q1['id']}/comments/{a1['id']}/accept")
    api.post("/api/v1/posts", json={"kind": "praise", "body": "Thanks", "praised_user_id": veteran.id})
    removed = api.post(
        "/api/v1/posts", json={"kind": "praise", "body": "Oops", "praised_user_id": veteran.id}
    )
    api.delete(f"/api/v1/posts/{removed.json()['id']}")
    api.put(f"/api/v1/posts/{q1['id']}/like")
    mine = api.post("/api/v1/posts", json={"kind": "question", "body": "My question?"}).json()
    vet.post(f"/api/v1/posts/{mine['id']}/comments", json={"body": "An answer"})
    new.post("/api/v1/posts", json={"kind": "praise", "body": "You rock", "praised_user_id": me.id})

    ledger = api.get("/api/v1/engagement/me/ledger").json()
    assert ledger["give"] == {
        "answers_given": 2,
        "answers_accepted": 1,
        "praise_given": 1,
        "newcomers_helped": 1,  # Nell, in her first 30 days; Victor has been here for long
        "communities_animated": 0,
        "likes_given": 1,
    }
    assert ledger["receive"] == {"questions_asked": 1, "answers_received": 1, "praise_received": 1}
    assert ledger["leaning"] == "giver" and ledger["benefit"] is None

    browser = factory.browser(me)
    journey = browser.get("/me/journey").text
    assert 'hx-get="/me/ledger"' in journey and 'href="/me/journey/testimonial"' in journey
    fragment = browser.get("/me/ledger", headers={"HX-Request": "true"}).text
    assert "<html" not in fragment and 'data-ledger="answers_accepted"' in fragment
    assert "You give more than you receive" in fragment
    assert "<html" in browser.get("/me/ledger").text
