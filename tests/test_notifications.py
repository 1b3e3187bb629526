"""Notifications: each type through HTTP, grouping, watch levels, visibility, the bell and the page."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from fastapi.testclient import TestClient

from app.models import User
from app.services import notifications
from tests.factories import Factory, csrf_from


def _post(api: TestClient, **body: object) -> dict:
    response = api.post("/api/v1/posts", json={"kind": "status", **body})
    assert response.status_code == 201, response.text
    return response.json()


def _items(api: TestClient, **params: object) -> list[dict]:
    response = api.get("/api/v1/notifications", params=params)
    assert response.status_code == 200, response.text
    return response.json()["items"]


def _unread(api: TestClient) -> int:
    return api.get("/api/v1/notifications").json()["unread_count"]


def _soon(days: int = 3) -> str:
    return (datetime.now(UTC) + timedelta(days=days)).isoformat()


def _community(api: TestClient, name: str, visibility: str = "public") -> str:
    response = api.post(
        "/api/v1/communities", json={"name": name, "description": "", "visibility": visibility}
    )
    assert response.status_code == 201, response.text
    return response.json()["slug"]


def test_a_mention_notifies_with_the_contract_shape_and_links_to_the_post(factory: Factory) -> None:
    lea = factory.person("Léa Roux")
    lea_api = factory.api(lea)
    author = factory.person("Hugo Blanc")
    post = _post(factory.api(author), body=f"Can @{lea.handle} have a look at the budget?")
    items = _items(lea_api)
    assert len(items) == 1
    item = items[0]
    assert set(item) >= {"id", "type", "actor", "text", "url", "read", "created_at"}
    assert item["type"] == "mention" and item["read"] is False
    assert item["actor"]["display_name"] == "Hugo Blanc"
    assert item["text"] == f"Hugo Blanc mentioned you in “Can @{lea.handle} have a look at the budget?”"
    assert item["url"] == f"/posts/{post['id']}"
    assert _unread(lea_api) == 1
    # the author is not told of their own post; mentioning oneself tells nobody
    assert _items(factory.api(author)) == []


def test_editing_a_post_tells_only_the_newly_mentioned(factory: Factory) -> None:
    lea, noe = factory.person("Léa"), factory.person("Noé")
    author_api = factory.api(factory.person("Hugo"))
    post = _post(author_api, body=f"Hello @{lea.handle}")
    factory.api(lea).post("/api/v1/notifications/read", json={"all": True})
    response = author_api.patch(
        f"/api/v1/posts/{post['id']}", json={"body": f"Hello @{lea.handle} and @{noe.handle}"}
    )
    assert response.status_code == 200
    assert _unread(factory.api(lea)) == 0  # already told, and read: not told again
    assert [i["type"] for i in _items(factory.api(noe))] == ["mention"]


def test_comments_on_one_post_are_one_line_that_grows(factory: Factory) -> None:
    author = factory.person("Camille")
    author_api = factory.api(author)
    post = _post(author_api, body="Who is coming to the digital day?")
    for name in ("Léa", "Noé", "Inès"):
        api = factory.api(factory.person(name))
        assert api.post(f"/api/v1/posts/{post['id']}/comments", json={"body": "Me!"}).status_code == 201
    items = _items(author_api)
    assert len(items) == 1
    assert items[0]["type"] == "comment"
    assert items[0]["text"] == "Inès and 2 others commented on your post “Who is coming to the digital day?”"
    assert items[0]["url"].startswith(f"/posts/{post['id']}#comment-")
    # once read, the next comment starts the line afresh
    author_api.post("/api/v1/notifications/read", json={"ids": [items[0]["id"]]})
    factory.api(factory.person("Yanis")).post(f"/api/v1/posts/{post['id']}/comments", json={"body": "Me too"})
    items = _items(author_api)
    assert len(items) == 1 and items[0]["read"] is False
    assert items[0]["text"] == "Yanis commented on your post “Who is coming to the digital day?”"


def test_the_same_person_commenting_twice_counts_once(factory: Factory) -> None:
    author_api = factory.api(factory.person("Camille"))
    post = _post(author_api, body="Ideas?")
    lea_api = factory.api(factory.person("Léa"))
    for body in ("One", "Two"):
        lea_api.post(f"/api/v1/posts/{post['id']}/comments", json={"body": body})
    assert _items(author_api)[0]["text"] == "Léa commented on your post “Ideas?”"


def test_a_reply_tells_the_comment_author_and_the_post_author(factory: Factory) -> None:
    author_api = factory.api(factory.person("Camille"))
    post = _post(author_api, body="Lunch?")
    lea = factory.person("Léa")
    lea_api = factory.api(lea)
    comment = lea_api.post(f"/api/v1/posts/{post['id']}/comments", json={"body": "Yes"}).json()
    author_api.post("/api/v1/notifications/read", json={"all": True})
    noe_api = factory.api(factory.person("Noé"))
    response = noe_api.post(
        f"/api/v1/posts/{post['id']}/comments", json={"body": "Count me in", "parent_id": comment["id"]}
    )
    assert response.status_code == 201, response.text
    assert [(i["type"], i["text"]) for i in _items(lea_api)] == [
        ("reply", "Noé replied to your comment on “Lunch?”")
    ]
    assert [i["type"] for i in _items(author_api, unread=True)] == ["comment"]


def test_likes_are_grouped_and_a_change_of_reaction_is_not_a_new_like(factory: Factory) -> None:
    author_api = factory.api(factory.person("Camille"))
    post = _post(author_api, body="We shipped it")
    apis = [factory.api(factory.person(name)) for name in ("Léa", "Noé", "Inès", "Yanis", "Zoé")]
    for api in apis:
        assert api.put(f"/api/v1/posts/{post['id']}/like").status_code == 204
    apis[0].put(f"/api/v1/posts/{post['id']}/like")  # idempotent
    items = _items(author_api)
    assert len(items) == 1 and items[0]["type"] == "like"
    assert items[0]["text"] == "Zoé and 4 others reacted to your post “We shipped it”"
    assert items[0]["actor"]["display_name"] == "Zoé"


def test_a_question_answer_and_its_acceptance(factory: Factory) -> None:
    asker_api = factory.api(factory.person("Camille"))
    question = _post(asker_api, kind="question", title="How do I book a room?", body="Which tool?")
    lea = factory.person("Léa")
    lea_api = factory.api(lea)
    answer = lea_api.post(
        f"/api/v1/posts/{question['id']}/comments", json={"body": "Use the intranet"}
    ).json()
    assert [(i["type"], i["text"]) for i in _items(asker_api)] == [
        ("answer", "Léa answered your question “How do I book a room?”")
    ]
    response = asker_api.post(f"/api/v1/posts/{question['id']}/comments/{answer['id']}/accept")
    assert response.status_code == 204
    assert [(i["type"], i["text"]) for i in _items(lea_api)] == [
        ("answer_accepted", "Camille accepted your answer to “How do I book a room?”")
    ]
    asker_api.post(f"/api/v1/posts/{question['id']}/comments/{answer['id']}/accept")  # again: no second line
    assert len(_items(lea_api)) == 1 and _unread(lea_api) == 1


def test_praise_tells_the_colleague_once_even_when_also_mentioned(factory: Factory) -> None:
    lea = factory.person("Léa")
    api = factory.api(factory.person("Camille"))
    _post(api, kind="praise", body=f"Thank you @{lea.handle} for the onboarding!", praised_user_id=lea.id)
    items = _items(factory.api(lea))
    assert [i["type"] for i in items] == ["praise"]
    assert items[0]["text"].startswith("Camille praised you:")


def test_join_request_tells_the_managers_and_the_decision_tells_the_requester(factory: Factory) -> None:
    manager = factory.person("Camille")
    manager_api = factory.api(manager)
    slug = _community(manager_api, "Finance club", "private")
    asker = factory.person("Léa")
    asker_api = factory.api(asker)
    assert asker_api.post(f"/api/v1/communities/{slug}/join", json={}).json()["status"] == "pending"
    factory.api(factory.person("Noé")).post(f"/api/v1/communities/{slug}/join", json={})
    items = _items(manager_api)
    assert [(i["type"], i["text"]) for i in items] == [
        ("join_request", "Noé and 1 other asked to join Finance club")
    ]
    assert items[0]["url"] == f"/communities/{slug}/members"
    assert manager_api.post(f"/api/v1/communities/{slug}/requests/{asker.id}/approve").status_code == 204
    assert [(i["type"], i["text"]) for i in _items(asker_api)] == [
        ("join_decision", "Your request to join Finance club was approved")
    ]


def test_a_rejected_request_is_told_too(factory: Factory) -> None:
    manager_api = factory.api(factory.person("Camille"))
    slug = _community(manager_api, "Board", "private")
    asker = factory.person("Léa")
    asker_api = factory.api(asker)
    asker_api.post(f"/api/v1/communities/{slug}/join", json={})
    assert manager_api.post(f"/api/v1/communities/{slug}/requests/{asker.id}/reject").status_code == 204
    assert [i["text"] for i in _items(asker_api)] == ["Your request to join Board was declined"]


def test_a_mention_inside_a_secret_community_notifies_only_members(factory: Factory) -> None:
    owner_api = factory.api(factory.person("Camille"))
    slug = _community(owner_api, "Project Falcon", "secret")
    outsider, member = factory.person("Léa"), factory.person("Noé")
    owner_api.put(f"/api/v1/communities/{slug}/members/{member.id}")
    _post(owner_api, community=slug, body=f"@{outsider.handle} and @{member.handle}: kick-off at 10")
    assert _items(factory.api(outsider)) == [] and _unread(factory.api(outsider)) == 0
    assert [i["type"] for i in _items(factory.api(member))] == ["mention"]


def test_a_line_disappears_when_its_post_becomes_unreadable(factory: Factory) -> None:
    owner_api = factory.api(factory.person("Camille"))
    slug = _community(owner_api, "Falcon", "secret")
    member = factory.person("Noé")
    owner_api.put(f"/api/v1/communities/{slug}/members/{member.id}")
    _post(owner_api, community=slug, body=f"@{member.handle} welcome")
    member_api = factory.api(member)
    assert _unread(member_api) == 1
    owner_api.delete(f"/api/v1/communities/{slug}/members/{member.id}")
    assert _items(member_api) == [] and _unread(member_api) == 0
    page = factory.browser(member).get("/notifications")
    assert "welcome" not in page.text and "Falcon" not in page.text


def test_a_removed_post_leaves_the_notifications(factory: Factory) -> None:
    admin = factory.person("Admin", roles=("admin",))
    lea = factory.person("Léa")
    post = _post(factory.api(factory.person("Hugo")), body=f"Spam for @{lea.handle}")
    assert _unread(factory.api(lea)) == 1
    response = factory.api(admin).post(f"/api/v1/posts/{post['id']}/remove", json={"reason": "Spam"})
    assert response.status_code == 204
    assert _items(factory.api(lea)) == []


def test_watch_levels_every_post_mentions_only_and_muted(factory: Factory) -> None:
    owner_api = factory.api(factory.person("Camille"))
    slug = _community(owner_api, "Green team")
    watcher, quiet, muted = factory.person("Léa"), factory.person("Noé"), factory.person("Inès")
    for person, level in ((watcher, "all"), (quiet, None), (muted, "muted")):
        api = factory.api(person)
        assert api.post(f"/api/v1/communities/{slug}/join", json={}).status_code == 200
        if level:
            response = api.put(f"/api/v1/communities/{slug}/watch", json={"level": level})
            assert response.status_code == 200 and response.json() == {"level": level}
    _post(owner_api, community=slug, body="Car-pooling starts Monday")
    _post(owner_api, community=slug, body=f"Bike day too, @{muted.handle} @{quiet.handle}")
    watcher_items = _items(factory.api(watcher))
    assert [(i["type"], i["text"]) for i in watcher_items] == [
        ("community_post", "Camille and 1 other posted in Green team")
    ] or [(i["type"]) for i in watcher_items] == ["community_post"]
    assert [i["type"] for i in _items(factory.api(quiet))] == ["mention"]
    assert _items(factory.api(muted)) == []
    bad = factory.api(watcher).put(f"/api/v1/communities/{slug}/watch", json={"level": "loud"})
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "watch"


def test_the_watch_level_is_chosen_on_the_community_page(factory: Factory) -> None:
    owner_api = factory.api(factory.person("Camille"))
    slug = _community(owner_api, "Green team")
    lea = factory.person("Léa")
    browser = factory.browser(lea)
    factory.api(lea).post(f"/api/v1/communities/{slug}/join", json={})
    page = browser.get(f"/communities/{slug}")
    assert 'name="level"' in page.text and "Mentions and replies" in page.text
    response = browser.post(
        f"/communities/{slug}/watch",
        data={"level": "all", "csrf_token": csrf_from(page.text)},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    assert "every new post" in response.headers["HX-Trigger"]
    assert '<option value="all" selected' in response.text


def test_event_changes_reminders_and_a_freed_seat(factory: Factory) -> None:
    organiser_api = factory.api(factory.person("Camille"))
    event = _post(
        organiser_api,
        kind="event",
        title="Digital day",
        body="Come!",
        event={"starts_at": _soon(days=3), "location": "Hall A", "capacity": 1},
    )
    going, waiting = factory.person("Léa"), factory.person("Noé")
    going_api, waiting_api = factory.api(going), factory.api(waiting)
    assert going_api.put(f"/api/v1/posts/{event['id']}/rsvp").json()["status"] == "going"
    assert waiting_api.put(f"/api/v1/posts/{event['id']}/rsvp").json()["status"] == "waitlist"
    response = organiser_api.patch(
        f"/api/v1/posts/{event['id']}",
        json={"event": {"starts_at": _soon(days=4), "location": "Hall B", "capacity": 1}},
    )
    assert response.status_code == 200, response.text
    assert [i["text"] for i in _items(going_api)] == ["“Digital day” changed: date and time, place"]
    # the person going withdraws: the first waiting is going, and told
    assert going_api.delete(f"/api/v1/posts/{event['id']}/rsvp").status_code in (200, 204)
    texts = [i["text"] for i in _items(waiting_api)]
    assert "A place opened up: you are now going to “Digital day”" in texts
    # the reminder goes out once, a day ahead
    with factory.database.session() as db:
        assert notifications.remind_events(db, as_of=datetime.now(UTC) + timedelta(days=3, hours=2)) == 1
        assert notifications.remind_events(db, as_of=datetime.now(UTC) + timedelta(days=3, hours=3)) == 0
    assert any(
        t.startswith("Reminder: “Digital day” starts") for t in (i["text"] for i in _items(waiting_api))
    )


def test_more_seats_move_the_waiting_list_up(factory: Factory) -> None:
    organiser_api = factory.api(factory.person("Camille"))
    event = _post(
        organiser_api,
        kind="event",
        title="Workshop",
        body="Hands-on",
        event={"starts_at": _soon(), "location": "Room 2", "capacity": 1},
    )
    first, second = factory.api(factory.person("Léa")), factory.api(factory.person("Noé"))
    first.put(f"/api/v1/posts/{event['id']}/rsvp")
    second.put(f"/api/v1/posts/{event['id']}/rsvp")
    response = organiser_api.patch(
        f"/api/v1/posts/{event['id']}",
        json={"event": {"starts_at": event["event"]["starts_at"], "location": "Room 2", "capacity": 2}},
    )
    assert response.status_code == 200, response.text
    assert response.json()["event"]["going"] == 2
    assert [i["text"] for i in _items(second)] == ["A place opened up: you are now going to “Workshop”"]
    assert [i["text"] for i in _items(first)] == ["“Workshop” changed: number of seats"]


def test_only_the_author_changes_an_event_and_bad_input_is_refused(factory: Factory) -> None:
    organiser_api = factory.api(factory.person("Camille"))
    event = _post(
        organiser_api,
        kind="event",
        title="Meetup",
        body="x",
        event={"starts_at": _soon(), "location": "Lyon"},
    )
    other = factory.api(factory.person("Léa"))
    payload = {"event": {"starts_at": _soon(), "location": "Paris"}}
    assert other.patch(f"/api/v1/posts/{event['id']}", json=payload).status_code == 403
    bad = organiser_api.patch(
        f"/api/v1/posts/{event['id']}", json={"event": {"starts_at": _soon(), "location": " "}}
    )
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "event.location"


def test_marking_read_one_or_all_and_others_ids_are_ignored(factory: Factory) -> None:
    lea = factory.person("Léa")
    lea_api = factory.api(lea)
    author_api = factory.api(factory.person("Hugo"))
    _post(author_api, body=f"@{lea.handle} one")
    _post(author_api, body=f"@{lea.handle} two")
    items = _items(lea_api)
    assert len(items) == 2 and _unread(lea_api) == 2
    intruder_api = factory.api(factory.person("Noé"))
    assert intruder_api.post("/api/v1/notifications/read", json={"ids": [items[0]["id"]]}).status_code == 204
    assert _unread(lea_api) == 2
    assert lea_api.post("/api/v1/notifications/read", json={"ids": [items[0]["id"]]}).status_code == 204
    assert _unread(lea_api) == 1
    assert [i["id"] for i in _items(lea_api, unread=True)] == [items[1]["id"]]
    assert lea_api.post("/api/v1/notifications/read", json={"all": True}).status_code == 204
    assert _unread(lea_api) == 0
    empty = lea_api.post("/api/v1/notifications/read", json={})
    assert empty.status_code == 422
    assert lea_api.post("/api/v1/notifications/read", json={"ids": "x"}).status_code == 422


def test_the_list_is_paginated_with_a_cursor(factory: Factory) -> None:
    lea = factory.person("Léa")
    author_api = factory.api(factory.person("Hugo"))
    ids = [_post(author_api, body=f"@{lea.handle} note {n}")["id"] for n in range(5)]
    lea_api = factory.api(lea)
    first = lea_api.get("/api/v1/notifications", params={"limit": 2}).json()
    second = lea_api.get("/api/v1/notifications", params={"limit": 2, "cursor": first["next_cursor"]}).json()
    third = lea_api.get("/api/v1/notifications", params={"limit": 2, "cursor": second["next_cursor"]}).json()
    urls = [i["url"] for page in (first, second, third) for i in page["items"]]
    assert urls == [f"/posts/{i}" for i in reversed(ids)]
    assert third["next_cursor"] is None
    assert lea_api.get("/api/v1/notifications", params={"cursor": "nonsense"}).status_code == 422
    assert factory.browser().get("/api/v1/notifications").status_code == 401


def test_the_bell_and_the_page_in_english_and_french(factory: Factory) -> None:
    lea = factory.person("Léa", locale="fr")
    _post(factory.api(factory.person("Hugo")), body=f"Merci @{lea.handle} !")
    browser = factory.browser(lea)
    home = browser.get("/")
    assert 'id="bell"' in home.text and 'hx-get="/notifications/bell"' in home.text
    bell = browser.get("/notifications/bell")
    assert 'class="bell-count"' in bell.text and ">1<" in bell.text
    page = browser.get("/notifications")
    assert page.status_code == 200
    assert "Hugo vous a mentionné" in page.text
    # opening the line reads it and lands on the post
    link = page.text.split('class="notif-text" href="')[1].split('"')[0]
    response = browser.get(link, follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"].startswith("/posts/")
    assert 'class="bell-count"' not in browser.get("/notifications/bell").text
    english = factory.browser(factory.person("Noé"))
    assert "Nothing yet." in english.get("/notifications").text


def test_mark_all_read_from_the_page_with_and_without_javascript(factory: Factory) -> None:
    lea = factory.person("Léa")
    _post(factory.api(factory.person("Hugo")), body=f"@{lea.handle} hi")
    browser = factory.browser(lea)
    page = browser.get("/notifications")
    token = csrf_from(page.text)
    response = browser.post(
        "/notifications/read", data={"all": "true", "csrf_token": token}, headers={"HX-Request": "true"}
    )
    assert response.status_code == 200 and 'id="notification-list"' in response.text
    assert 'hx-swap-oob="true"' in response.text and "bell-count" not in response.text
    _post(factory.api(factory.person("Noé")), body=f"@{lea.handle} again")
    response = browser.post(
        "/notifications/read", data={"all": "true", "csrf_token": token}, follow_redirects=False
    )
    assert response.status_code == 303
    assert _unread(factory.api(lea)) == 0
    assert browser.post("/notifications/read", data={"all": "true"}).status_code == 403  # no CSRF token


def test_someone_elses_notification_cannot_be_opened(factory: Factory) -> None:
    lea = factory.person("Léa")
    _post(factory.api(factory.person("Hugo")), body=f"@{lea.handle} private note")
    item = _items(factory.api(lea))[0]
    response = factory.browser(factory.person("Noé")).get(
        f"/notifications/{item['id']}/open", follow_redirects=False
    )
    assert response.status_code == 404


def test_a_type_turned_off_creates_no_line(factory: Factory) -> None:
    lea = factory.person("Léa")
    with factory.database.session() as db:
        person = db.get(User, lea.id)
        assert person is not None
        notifications.set_preferences(db, user=person, channels={"mention": "off"})
    _post(factory.api(factory.person("Hugo")), body=f"@{lea.handle} hello")
    assert _items(factory.api(lea)) == []


def test_an_hr_colleague_handed_a_feedback_item_is_told_and_the_author_hears_of_status(
    factory: Factory,
) -> None:
    hr, colleague = factory.person("Hélène", roles=("hr",)), factory.person("Hugo", roles=("hr",))
    author = factory.person("Léa")
    author_api = factory.api(author)
    item = author_api.post(
        "/api/v1/feedback", json={"category": "tools", "body": "The VPN drops every hour", "anonymous": False}
    ).json()
    response = factory.api(hr).patch(
        f"/api/v1/feedback/{item['id']}", json={"status": "in_review", "assignee_id": colleague.id}
    )
    assert response.status_code == 200, response.text
    told = _items(factory.api(colleague))
    assert [(i["type"], i["text"]) for i in told] == [
        ("feedback", "Hélène handed you the feedback “The VPN drops every hour”")
    ]
    assert told[0]["url"] == f"/feedback/inbox/{item['id']}"
    assert [i["text"] for i in _items(author_api)] == [
        "Your feedback “The VPN drops every hour” is now: in review"
    ]


def test_a_delegate_moves_the_event_they_posted_for_an_executive(factory: Factory) -> None:
    boss = factory.person("Sophie", roles=("executive",))
    assistant = factory.person("Léa")
    assert factory.api(boss).put(f"/api/v1/users/me/delegates/{assistant.id}").status_code == 204
    assistant_api = factory.api(assistant)
    event = _post(
        assistant_api,
        kind="event",
        title="Town hall",
        body="Questions welcome",
        event={"starts_at": _soon(), "location": "Auditorium"},
        on_behalf_of=boss.id,
    )
    attendee_api = factory.api(factory.person("Noé"))
    attendee_api.put(f"/api/v1/posts/{event['id']}/rsvp")
    moved = assistant_api.patch(
        f"/api/v1/posts/{event['id']}", json={"event": {"starts_at": _soon(days=5), "location": "Auditorium"}}
    )
    assert moved.status_code == 200, moved.text
    assert [i["text"] for i in _items(attendee_api)] == ["“Town hall” changed: date and time"]
    stranger = factory.api(factory.person("Inès"))
    refused = stranger.patch(
        f"/api/v1/posts/{event['id']}", json={"event": {"starts_at": _soon(days=6), "location": "Hall"}}
    )
    assert refused.status_code == 403
