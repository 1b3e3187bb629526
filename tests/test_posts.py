"""Posts of every kind, comments, reactions, answers, events, polls, praise, leadership, feeds."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient

from app.services.pagination import encode_cursor
from tests.factories import Factory, csrf_from


def _post(api: TestClient, **body: object) -> dict:
    response = api.post("/api/v1/posts", json={"kind": "status", **body})
    assert response.status_code == 201, response.text
    return response.json()


def _soon(days: int = 3) -> str:
    return (datetime.now(UTC) + timedelta(days=days)).isoformat()


def test_a_status_has_the_contract_shape_and_links_mentions_and_tags(factory: Factory) -> None:
    camille = factory.person("Camille Martin", email="camille.martin@example.com")
    api = factory.api(factory.person("Dominique Petit"))
    post = _post(api, body="Thanks @camille.martin for the #Data review! `@nobody #notatag`", tags=[" RSE "])
    assert {
        "id",
        "kind",
        "author",
        "body_html",
        "community",
        "tags",
        "like_count",
        "comment_count",
        "created_at",
    } <= set(post)
    assert post["author"]["display_name"] == "Dominique Petit" and post["community"] is None
    assert sorted(post["tags"]) == ["data", "rse"]
    assert f'href="/people/{camille.handle}"' in post["body_html"]
    assert 'href="/tags/data"' in post["body_html"]
    assert "<code>@nobody #notatag</code>" in post["body_html"]
    assert post["like_count"] == 0 and post["comment_count"] == 0


def test_markdown_is_sanitised(factory: Factory) -> None:
    api = factory.api(factory.person())
    post = _post(
        api,
        kind="article",
        title="<b>T</b>",
        body="# Hi\n\n<script>alert(1)</script> [x](javascript:alert(1)) <img src=x onerror=alert(1)> **ok**",
    )
    html = post["body_html"]
    assert "<script" not in html and 'href="javascript:' not in html and "<img" not in html
    assert "&lt;script&gt;" in html  # shown as text, inert
    assert "<strong>ok</strong>" in html and "<h1>Hi</h1>" in html
    page = factory.browser(factory.person()).get(f"/posts/{post['id']}").text
    assert "<b>T</b>" not in page and "&lt;b&gt;T&lt;/b&gt;" in page


def test_validation_errors_are_per_field(factory: Factory) -> None:
    api = factory.api(factory.person())
    cases = [
        ({"kind": "status", "body": ""}, {"body"}),
        ({"kind": "status", "body": "x" * 1001}, {"body"}),
        ({"kind": "article", "body": "text"}, {"title"}),
        ({"kind": "event", "title": "Digital day"}, {"event"}),
        ({"kind": "praise", "body": "Bravo"}, {"praised_user_id"}),
        ({"kind": "poll", "body": "Which?", "options": ["only one"]}, {"poll_options"}),
        ({"kind": "nonsense", "body": "x"}, {"kind"}),
    ]
    for body, fields in cases:
        response = api.post("/api/v1/posts", json=body)
        assert response.status_code == 422, body
        assert {e["field"] for e in response.json()["errors"]} == fields, body


def test_author_edits_with_a_mark_and_deletes(factory: Factory) -> None:
    author, other = factory.person(), factory.person()
    api = factory.api(author)
    post = _post(api, body="first #one")
    edited = api.patch(f"/api/v1/posts/{post['id']}", json={"body": "second #two"}).json()
    assert edited["edited_at"] and edited["tags"] == ["two"] and "second" in edited["body_html"]
    assert factory.api(other).patch(f"/api/v1/posts/{post['id']}", json={"body": "x"}).status_code == 403
    assert factory.api(other).delete(f"/api/v1/posts/{post['id']}").status_code == 403
    assert api.delete(f"/api/v1/posts/{post['id']}").status_code == 204
    assert api.get(f"/api/v1/posts/{post['id']}").status_code == 404
    page = factory.browser(author).get(f"/posts/{_post(api, body='again')['id']}").text
    assert "edited" not in page


def test_likes_are_idempotent_and_reactions_one_per_person(factory: Factory) -> None:
    author, fan, other = factory.person(), factory.person(), factory.person()
    post = _post(factory.api(author), body="Hello")
    fan_api = factory.api(fan)
    for _ in range(3):
        assert fan_api.put(f"/api/v1/posts/{post['id']}/like").status_code == 204
    assert fan_api.get(f"/api/v1/posts/{post['id']}").json()["like_count"] == 1
    factory.api(other).put(f"/api/v1/posts/{post['id']}/reaction", json={"kind": "celebrate"})
    changed = fan_api.put(f"/api/v1/posts/{post['id']}/reaction", json={"kind": "insightful"}).json()
    assert changed["like_count"] == 0 and changed["reaction_counts"] == {"celebrate": 1, "insightful": 1}
    assert changed["my_reaction"] == "insightful"
    for _ in range(2):
        assert fan_api.delete(f"/api/v1/posts/{post['id']}/like").status_code == 204
    assert fan_api.get(f"/api/v1/posts/{post['id']}").json()["reaction_counts"] == {"celebrate": 1}
    assert fan_api.put(f"/api/v1/posts/{post['id']}/reaction", json={"kind": "angry"}).status_code == 422


def test_reactions_update_in_place_with_htmx(factory: Factory) -> None:
    author, fan = factory.person(), factory.person()
    post = _post(factory.api(author), body="Hello")
    browser = factory.browser(fan)
    token = csrf_from(browser.get("/").text)
    fragment = browser.post(
        f"/posts/{post['id']}/react",
        data={"kind": "celebrate"},
        headers={"HX-Request": "true", "X-CSRF-Token": token},
    )
    assert fragment.status_code == 200 and "<html" not in fragment.text
    assert (
        f'id="reactions-{post["id"]}"' in fragment.text
        and "🎉" in fragment.text
        and 'aria-pressed="true"' in fragment.text
    )
    plain = browser.post(f"/posts/{post['id']}/unreact", data={"csrf_token": token}, follow_redirects=False)
    assert plain.status_code == 303


def test_comments_replies_and_accepted_answers(factory: Factory) -> None:
    asker, helper, other = factory.person("Asker"), factory.person("Helper"), factory.person("Other")
    question = _post(factory.api(asker), kind="question", body="How do I book a room?", tags=["salles"])
    answer = (
        factory.api(helper)
        .post(f"/api/v1/posts/{question['id']}/comments", json={"body": "Use the app"})
        .json()
    )
    reply = (
        factory.api(other)
        .post(f"/api/v1/posts/{question['id']}/comments", json={"body": "Thanks", "parent_id": answer["id"]})
        .json()
    )
    deeper = (
        factory.api(asker)
        .post(f"/api/v1/posts/{question['id']}/comments", json={"body": "Same", "parent_id": reply["id"]})
        .json()
    )
    assert deeper["parent_id"] == answer["id"]  # one level of replies
    listed = factory.api(other).get(f"/api/v1/posts/{question['id']}/comments").json()["items"]
    assert [c["id"] for c in listed] == [answer["id"]] and len(listed[0]["replies"]) == 2
    viewer = factory.api(other)
    unanswered = viewer.get("/api/v1/tags/salles").json()
    assert unanswered["posts"] == 1
    assert (
        factory.api(helper).post(f"/api/v1/posts/{question['id']}/comments/{answer['id']}/accept").status_code
        == 403
    )
    assert (
        factory.api(asker).post(f"/api/v1/posts/{question['id']}/comments/{answer['id']}/accept").status_code
        == 204
    )
    post = viewer.get(f"/api/v1/posts/{question['id']}").json()
    assert post["accepted_comment_id"] == answer["id"] and post["comment_count"] == 3
    assert post["answer_count"] == 1  # the two replies are not answers
    page = factory.browser(other).get(f"/posts/{question['id']}").text
    assert "Accepted answer" in page
    assert "1 answer<" in page and "3 answers" not in page  # the thread's heading and the card


def test_a_question_counts_its_answers_not_the_replies_under_them(factory: Factory) -> None:
    asker, helper, other = factory.person(), factory.person(), factory.person()
    question = (
        factory.api(asker)
        .post(
            "/api/v1/posts",
            json={"kind": "question", "title": "Where is the printer?", "body": "On floor 3?"},
        )
        .json()
    )
    url = f"/api/v1/posts/{question['id']}/comments"
    first = factory.api(helper).post(url, json={"body": "Room 301"}).json()
    factory.api(asker).post(url, json={"body": "Thanks!", "parent_id": first["id"]})
    factory.api(other).post(url, json={"body": "Or the one near the lifts"})

    def counts() -> tuple[int, int]:
        body = factory.api(other).get(f"/api/v1/posts/{question['id']}").json()
        return body["answer_count"], body["comment_count"]

    assert counts() == (2, 3)
    page = factory.browser(other).get(f"/posts/{question['id']}").text
    assert page.count("2 answers") == 2 and "3 answers" not in page  # the card and the thread's heading
    # the author deletes their answer: it and the reply under it leave both counts
    assert factory.api(helper).delete(f"{url}/{first['id']}").status_code == 204
    assert counts() == (1, 1)
    french = factory.browser(factory.person(locale="fr")).get(f"/posts/{question['id']}").text
    assert "1 réponse" in french


def test_comment_form_without_javascript_and_with_htmx(factory: Factory) -> None:
    author, commenter = factory.person(), factory.person()
    post = _post(factory.api(author), body="Hello")
    browser = factory.browser(commenter)
    token = csrf_from(browser.get(f"/posts/{post['id']}").text)
    empty = browser.post(f"/posts/{post['id']}/comments", data={"body": " ", "csrf_token": token})
    assert empty.status_code == 422 and 'id="body-error"' in empty.text
    plain = browser.post(
        f"/posts/{post['id']}/comments", data={"body": "Plain", "csrf_token": token}, follow_redirects=False
    )
    assert plain.status_code == 303
    fragment = browser.post(
        f"/posts/{post['id']}/comments",
        data={"body": "Live"},
        headers={"HX-Request": "true", "X-CSRF-Token": token},
    )
    assert (
        fragment.status_code == 200
        and "<html" not in fragment.text
        and "Live" in fragment.text
        and "Plain" in fragment.text
    )


def test_events_rsvp_with_a_waiting_list_and_an_ics(factory: Factory) -> None:
    host, a, b, c = (
        factory.person("Host"),
        factory.person("Ann"),
        factory.person("Bob"),
        factory.person("Cyd"),
    )
    event = _post(
        factory.api(host),
        kind="event",
        title="Reverse mentoring session",
        body="Learn Teams with our juniors",
        event={"starts_at": _soon(), "location": "Lyon, salle Confluence", "capacity": 2},
    )
    assert event["event"]["capacity"] == 2
    assert factory.api(a).put(f"/api/v1/posts/{event['id']}/rsvp").json() == {"status": "going"}
    assert factory.api(a).put(f"/api/v1/posts/{event['id']}/rsvp").json() == {"status": "going"}
    assert factory.api(b).put(f"/api/v1/posts/{event['id']}/rsvp").json() == {"status": "going"}
    assert factory.api(c).put(f"/api/v1/posts/{event['id']}/rsvp").json() == {"status": "waitlist"}
    seen = factory.api(c).get(f"/api/v1/posts/{event['id']}").json()["event"]
    assert (seen["going"], seen["waitlist"], seen["my_rsvp"]) == (2, 1, "waitlist")
    factory.api(a).delete(f"/api/v1/posts/{event['id']}/rsvp")
    assert factory.api(c).get(f"/api/v1/posts/{event['id']}").json()["event"]["my_rsvp"] == "going"
    ics = factory.api(b).get(f"/api/v1/posts/{event['id']}/event.ics")
    assert ics.headers["content-type"].startswith("text/calendar")
    assert "BEGIN:VEVENT" in ics.text and "SUMMARY:Reverse mentoring session" in ics.text
    assert "LOCATION:Lyon\\, salle Confluence" in ics.text
    bad = factory.api(host).post(
        "/api/v1/posts",
        json={
            "kind": "event",
            "title": "x",
            "event": {"starts_at": _soon(), "ends_at": _soon(1), "location": "here"},
        },
    )
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "event.ends_at"


def test_polls_one_vote_and_results_after_voting(factory: Factory) -> None:
    author, voter = factory.person(), factory.person()
    poll = _post(
        factory.api(author), kind="poll", body="Which day for the digital day?", options=["Monday", "Friday"]
    )
    api = factory.api(voter)
    before = api.get(f"/api/v1/posts/{poll['id']}").json()["poll"]
    assert before["total"] is None and all(o["votes"] is None for o in before["options"])
    friday = before["options"][1]["id"]
    after = api.post(f"/api/v1/posts/{poll['id']}/vote", json={"option_id": friday}).json()["poll"]
    again = api.post(
        f"/api/v1/posts/{poll['id']}/vote", json={"option_id": before["options"][0]["id"]}
    ).json()["poll"]
    assert after == again and after["voted_for"] == friday and after["total"] == 1
    assert [o["votes"] for o in after["options"]] == [0, 1]


def test_praise_shows_on_the_praised_colleagues_profile(factory: Factory) -> None:
    giver, star = factory.person("Giver"), factory.person("Star Person")
    api = factory.api(giver)
    praise = _post(api, kind="praise", body="Thanks for the migration!", praised_user_id=star.id)
    assert praise["praised_user"]["display_name"] == "Star Person"
    assert (
        api.post(
            "/api/v1/posts", json={"kind": "praise", "body": "me", "praised_user_id": giver.id}
        ).status_code
        == 422
    )
    profile = factory.browser(factory.person()).get(f"/people/{star.handle}").text
    assert "Thanks for the migration!" in profile and "recognises" in profile


def test_leadership_posts_reach_everyone_and_only_executives_make_them(factory: Factory) -> None:
    ceo, employee, reader = (
        factory.person("Sophie Ceo", roles=("executive",)),
        factory.person(),
        factory.person(),
    )
    assert (
        factory.api(employee)
        .post("/api/v1/posts", json={"kind": "status", "body": "x", "is_leadership": True})
        .status_code
        == 403
    )
    post = _post(factory.api(ceo), body="What matters today: our customers.", is_leadership=True)
    feed = factory.api(reader).get("/api/v1/feed").json()["items"]
    assert [p["id"] for p in feed] == [post["id"]] and feed[0]["is_leadership"]
    assert "post-leadership" in factory.browser(reader).get("/").text


def test_home_feed_sources_order_and_pagination(factory: Factory) -> None:
    viewer, followed, stranger = (
        factory.person("Viewer"),
        factory.person("Followed"),
        factory.person("Stranger"),
    )
    v_api = factory.api(viewer)
    v_api.put(f"/api/v1/users/{followed.id}/follow")
    v_api.put("/api/v1/tags/covoiturage/follow")
    f_api, s_api = factory.api(followed), factory.api(stranger)
    mine = [_post(f_api, body=f"followed {n}")["id"] for n in range(5)]
    _post(s_api, body="not for you")
    tagged = _post(s_api, body="Lyon → Paris #covoiturage")["id"]
    own = _post(v_api, body="my own")["id"]
    seen: list[int] = []
    cursor = None
    while True:
        body = v_api.get("/api/v1/feed", params={"limit": 3, **({"cursor": cursor} if cursor else {})}).json()
        seen += [p["id"] for p in body["items"]]
        cursor = body["next_cursor"]
        if not cursor:
            break
    assert seen == [own, tagged, *reversed(mine)]
    assert v_api.get("/api/v1/feed", params={"cursor": "nope"}).status_code == 422


def test_new_posts_indicator(factory: Factory) -> None:
    viewer, followed = factory.person(), factory.person()
    factory.api(viewer).put(f"/api/v1/users/{followed.id}/follow")
    browser = factory.browser(viewer)
    since = datetime.now(UTC).isoformat()
    assert "new post" not in browser.get("/feed/new", params={"since": since}).text
    _post(factory.api(followed), body="fresh")
    assert "1 new post" in browser.get("/feed/new", params={"since": since}).text


def test_composer_posts_with_htmx_and_without(factory: Factory) -> None:
    author = factory.person()
    browser = factory.browser(author)
    token = csrf_from(browser.get("/").text)
    bad = browser.post(
        "/posts",
        data={"kind": "article", "body": "no title", "csrf_token": token},
        headers={"HX-Request": "true"},
    )
    assert bad.status_code == 422 and 'id="title-error"' in bad.text and "no title" in bad.text
    good = browser.post(
        "/posts",
        data={"kind": "status", "body": "Hello #world", "csrf_token": token},
        headers={"HX-Request": "true"},
    )
    assert (
        good.status_code == 200
        and 'hx-swap-oob="afterbegin:#feed-items"' in good.text
        and "Hello" in good.text
    )
    event = browser.post(
        "/posts",
        data={
            "kind": "event",
            "title": "Digital day",
            "body": "Come!",
            "starts_at": "2030-06-03T14:00",
            "location": "Paris",
            "capacity": "20",
            "csrf_token": token,
        },
        follow_redirects=False,
    )
    assert event.status_code == 303
    feed = factory.api(author).get("/api/v1/feed").json()["items"]
    assert feed[0]["event"]["starts_at"].startswith("2030-06-03T12:00")  # 14:00 in Paris, summer time
    assert "Hello" in browser.get("/").text


def test_tag_follow_and_trending(factory: Factory) -> None:
    author, viewer = factory.person(), factory.person()
    for n in range(3):
        _post(factory.api(author), body=f"#rse idea {n}")
    _post(factory.api(author), body="#sport once")
    trending = factory.api(viewer).get("/api/v1/trending").json()
    assert trending[0] == {"name": "rse", "posts": 3}
    browser = factory.browser(viewer)
    token = csrf_from(browser.get("/tags/rse").text)
    swapped = browser.post(
        "/tags/rse/follow", data={"follow": "1"}, headers={"HX-Request": "true", "X-CSRF-Token": token}
    )
    assert "Following this tag" in swapped.text
    assert factory.api(viewer).get("/api/v1/tags/rse").json()["following"] is True


def test_articles_carry_uploaded_images_and_only_ours(factory: Factory) -> None:
    from io import BytesIO

    from PIL import Image

    buf = BytesIO()
    Image.new("RGB", (2400, 1200), (20, 120, 200)).save(buf, format="PNG")
    author = factory.person()
    api = factory.api(author)
    uploaded = api.post("/api/v1/images", files={"file": ("wide.png", buf.getvalue(), "image/png")})
    assert uploaded.status_code == 201
    image = uploaded.json()
    assert (image["width"], image["height"]) == (1600, 800) and image["url"].startswith("/media/images/")
    post = _post(
        api,
        kind="article",
        title="Our new site",
        body=f"Look:\n\n{image['markdown']}\n\n![x](https://tracker.example/p.gif)",
    )
    assert f'<img src="{image["url"]}"' in post["body_html"] and "tracker.example" not in post["body_html"]
    served = factory.browser(factory.person()).get(image["url"])
    assert served.status_code == 200 and served.headers["content-type"] == "image/jpeg"
    # changing one's profile photo never deletes an article's image
    photo = BytesIO()
    Image.new("RGB", (100, 100)).save(photo, format="PNG")
    api.put("/api/v1/users/me/photo", files={"photo": ("me.png", photo.getvalue(), "image/png")})
    assert factory.browser(author).get(image["url"]).status_code == 200
    browser = factory.browser(author)
    token = csrf_from(browser.get("/").text)
    composed = browser.post(
        "/posts",
        data={"kind": "article", "title": "With a picture", "body": "Text", "csrf_token": token},
        files={"image": ("pic.png", buf.getvalue(), "image/png")},
        follow_redirects=False,
    )
    assert composed.status_code == 303
    assert "/media/images/" in api.get("/api/v1/feed").json()["items"][0]["body_html"]
    bad = browser.post(
        "/posts",
        data={"kind": "article", "title": "T", "body": "x", "csrf_token": token},
        files={"image": ("x.png", b"not an image", "image/png")},
    )
    assert bad.status_code == 422 and 'id="image-error"' in bad.text


FORGED_POSITIONS = [
    ["2026-11-01T09:00:00", 5],  # a time without its zone
    ["2026-11-01T09:00:00+00:00", "five"],
    ["2026-11-01T09:00:00+00:00", [5]],
    ["2026-11-01", True],
    [["a name"], 5],
    [5, 5],
    [None, None],
]


@pytest.mark.parametrize("position", FORGED_POSITIONS)
def test_a_forged_feed_cursor_is_an_input_error(factory: Factory, position: list[object]) -> None:
    viewer = factory.person("Viewer")
    _post(factory.api(viewer), body="mine")
    cursor = encode_cursor(position)
    answer = factory.api(viewer).get("/api/v1/feed", params={"cursor": cursor})
    assert answer.status_code == 422
    assert answer.headers["content-type"].startswith("application/problem+json")
    page = factory.browser(viewer).get("/feed", params={"cursor": cursor}, headers={"HX-Request": "true"})
    assert page.status_code == 422


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/users",
        "/api/v1/communities",
        "/api/v1/notifications",
        "/api/v1/feedback/mine",
        "/api/v1/feedback/board",
        "/api/v1/users/{me}/posts",
        "/api/v1/tags/rse/posts",
    ],
)
def test_no_list_answers_500_to_a_forged_cursor(factory: Factory, path: str) -> None:
    viewer = factory.person("Viewer")
    api = factory.api(viewer)
    _post(api, body="about #rse")
    for position in FORGED_POSITIONS:
        answer = api.get(path.format(me=viewer.id), params={"cursor": encode_cursor(position)})
        assert answer.status_code in (200, 422), (position, answer.text)
        if answer.status_code == 422:
            assert answer.json()["errors"][0]["field"] == "cursor"
    # a position of the wrong shape for every list: a list where the id belongs
    wrong = api.get(path.format(me=viewer.id), params={"cursor": encode_cursor(["2026-11-01", [5]])})
    assert wrong.status_code == 422
