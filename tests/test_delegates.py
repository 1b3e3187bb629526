"""Executives' delegates: naming them, posting on an executive's behalf, the label everywhere, approval."""

from __future__ import annotations

from fastapi.testclient import TestClient

from app.models import User
from tests.factories import Factory, csrf_from


def _post(api: TestClient, **body: object) -> dict:
    response = api.post("/api/v1/posts", json={"kind": "status", **body})
    assert response.status_code == 201, response.text
    return response.json()


def _executive_and_delegate(
    factory: Factory, *, approval: bool = False
) -> tuple[User, User, TestClient, TestClient]:
    boss = factory.person("Sophie Bernard", roles=("executive",))
    assistant = factory.person("Léa Garcia", department="Communication")
    boss_api, assistant_api = factory.api(boss), factory.api(assistant)
    assert boss_api.put(f"/api/v1/users/me/delegates/{assistant.id}").status_code == 204
    if approval:
        assert boss_api.put("/api/v1/users/me/delegation", json={"mode": "approval"}).status_code == 204
    return boss, assistant, boss_api, assistant_api


# ---- naming delegates -----------------------------------------------------------------------------


def test_an_executive_names_and_removes_delegates_idempotently(factory: Factory) -> None:
    boss, assistant, boss_api, assistant_api = _executive_and_delegate(factory)
    assert boss_api.put(f"/api/v1/users/me/delegates/{assistant.id}").status_code == 204  # again: no change
    mine = boss_api.get("/api/v1/users/me/delegates").json()
    assert [p["display_name"] for p in mine["delegates"]] == ["Léa Garcia"] and mine["mode"] == "direct"
    served = assistant_api.get("/api/v1/users/me/delegates").json()
    assert [p["id"] for p in served["executives"]] == [boss.id] and served["delegates"] == []
    assert boss_api.delete(f"/api/v1/users/me/delegates/{assistant.id}").status_code == 204
    assert boss_api.delete(f"/api/v1/users/me/delegates/{assistant.id}").status_code == 204
    assert boss_api.get("/api/v1/users/me/delegates").json()["delegates"] == []
    refused = assistant_api.post(
        "/api/v1/posts", json={"kind": "status", "body": "x", "on_behalf_of": boss.id}
    )
    assert refused.status_code == 403


def test_only_executives_name_delegates_and_only_known_active_people(factory: Factory) -> None:
    employee = factory.api(factory.person("Employee"))
    colleague = factory.person("Colleague")
    assert employee.put(f"/api/v1/users/me/delegates/{colleague.id}").status_code == 403
    assert employee.delete(f"/api/v1/users/me/delegates/{colleague.id}").status_code == 403
    assert employee.put("/api/v1/users/me/delegation", json={"mode": "approval"}).status_code == 403
    boss = factory.person("Boss", roles=("executive",))
    boss_api = factory.api(boss)
    assert boss_api.put("/api/v1/users/me/delegates/999999").status_code == 404
    gone = factory.person("Gone")
    admin = factory.api(factory.person("Admin", roles=("admin",)))
    assert admin.patch(f"/api/v1/users/{gone.id}", json={"is_active": False}).status_code == 200
    assert boss_api.put(f"/api/v1/users/me/delegates/{gone.id}").status_code == 404
    assert boss_api.put(f"/api/v1/users/me/delegates/{boss.id}").status_code == 422
    bad_mode = boss_api.put("/api/v1/users/me/delegation", json={"mode": "sometimes"})
    assert bad_mode.status_code == 422 and bad_mode.headers["content-type"].startswith(
        "application/problem+json"
    )


# ---- posting on behalf -----------------------------------------------------------------------------


def test_a_delegate_posts_for_the_executive_who_is_the_author(factory: Factory) -> None:
    boss, assistant, boss_api, assistant_api = _executive_and_delegate(factory)
    post = _post(
        assistant_api, body="Our results this quarter #strategy", on_behalf_of=boss.id, is_leadership=True
    )
    assert post["author"]["id"] == boss.id and post["author"]["display_name"] == "Sophie Bernard"
    assert post["posted_by"] == {"id": assistant.id, "display_name": "Léa Garcia", "handle": assistant.handle}
    assert post["is_leadership"] is True and post["draft"] is False
    reader = factory.api(factory.person("Reader"))
    seen = reader.get(f"/api/v1/posts/{post['id']}").json()
    assert seen["author"]["id"] == boss.id and seen["posted_by"]["id"] == assistant.id
    own = _post(assistant_api, body="my own status")
    assert own["author"]["id"] == assistant.id and own["posted_by"] is None
    mine = _post(boss_api, body="I write myself")
    assert mine["posted_by"] is None


def test_posting_for_someone_else_is_refused(factory: Factory) -> None:
    boss, assistant, _boss_api, _assistant_api = _executive_and_delegate(factory)
    stranger = factory.api(factory.person("Stranger"))
    refused = stranger.post("/api/v1/posts", json={"kind": "status", "body": "x", "on_behalf_of": boss.id})
    assert refused.status_code == 403
    # a delegate of someone who is not (or no longer) an executive
    manager = factory.person("Manager", roles=("executive",))
    manager_api = factory.api(manager)
    helper = factory.person("Helper")
    assert manager_api.put(f"/api/v1/users/me/delegates/{helper.id}").status_code == 204
    admin = factory.api(factory.person("Admin", roles=("admin",)))
    assert admin.patch(f"/api/v1/users/{manager.id}", json={"roles": []}).status_code == 200
    helper_api = factory.api(helper)
    body = {"kind": "status", "body": "x", "on_behalf_of": manager.id}
    assert helper_api.post("/api/v1/posts", json=body).status_code == 403
    assert helper_api.post("/api/v1/posts", json={**body, "on_behalf_of": 999999}).status_code == 403
    # a delegate cannot make their own post a leadership post
    own = factory.api(assistant).post(
        "/api/v1/posts", json={"kind": "status", "body": "x", "is_leadership": True}
    )
    assert own.status_code == 403


def test_both_may_edit_or_delete_a_delegated_post_and_others_may_not(factory: Factory) -> None:
    boss, assistant, boss_api, assistant_api = _executive_and_delegate(factory)
    post = _post(assistant_api, body="first words", on_behalf_of=boss.id)
    edited = assistant_api.patch(f"/api/v1/posts/{post['id']}", json={"body": "better words"})
    assert edited.status_code == 200 and "better words" in edited.json()["body_html"]
    again = boss_api.patch(f"/api/v1/posts/{post['id']}", json={"body": "my words"})
    assert again.status_code == 200 and again.json()["edited_at"]
    other = factory.api(factory.person("Other"))
    assert other.patch(f"/api/v1/posts/{post['id']}", json={"body": "x"}).status_code == 403
    assert other.delete(f"/api/v1/posts/{post['id']}").status_code == 403
    assert assistant_api.delete(f"/api/v1/posts/{post['id']}").status_code == 204
    assert boss_api.get(f"/api/v1/posts/{post['id']}").status_code == 404
    second = _post(assistant_api, body="second", on_behalf_of=boss.id)
    assert boss_api.delete(f"/api/v1/posts/{second['id']}").status_code == 204
    # a withdrawn delegate no longer manages what they posted
    third = _post(assistant_api, body="third", on_behalf_of=boss.id)
    assert boss_api.delete(f"/api/v1/users/me/delegates/{assistant.id}").status_code == 204
    assert assistant_api.patch(f"/api/v1/posts/{third['id']}", json={"body": "x"}).status_code == 403


def test_delegated_posts_are_labelled_everywhere_they_appear(factory: Factory) -> None:
    boss, assistant, _boss_api, assistant_api = _executive_and_delegate(factory)
    owner = factory.api(boss)
    slug = owner.post("/api/v1/communities", json={"name": "Strategy room", "visibility": "public"}).json()[
        "slug"
    ]
    assistant_api.post(f"/api/v1/communities/{slug}/join")
    post = _post(
        assistant_api,
        body="Our plan for the year #roadmap2027 zeppelinword",
        on_behalf_of=boss.id,
        community=slug,
    )
    reader = factory.person("Reader")
    factory.api(reader).put(f"/api/v1/users/{boss.id}/follow")
    browser = factory.browser(reader)
    label = f'Posted by <a href="/people/{assistant.handle}">Léa Garcia</a> for Sophie Bernard'
    pages = {
        "feed": "/",
        "post": f"/posts/{post['id']}",
        "profile": f"/people/{boss.handle}",
        "community": f"/communities/{slug}",
        "tag": "/tags/roadmap2027",
        "search": "/search?q=zeppelinword",
    }
    for name, url in pages.items():
        page = browser.get(url)
        assert page.status_code == 200, (name, page.status_code)
        assert label in page.text, name
    french = factory.browser(reader, **{"Accept-Language": "fr"})
    french.post(
        "/language", data={"locale": "fr", "csrf_token": csrf_from(french.get("/").text), "next": "/"}
    )
    assert "Publié par" in french.get(f"/posts/{post['id']}").text
    assert "Sophie Bernard" in french.get(f"/posts/{post['id']}").text
    # and in the API everywhere a post is returned
    api = factory.api(reader)
    for url in ("/api/v1/feed", f"/api/v1/communities/{slug}/posts", f"/api/v1/users/{boss.id}/posts"):
        items = api.get(url).json()["items"]
        assert items and items[0]["posted_by"]["id"] == assistant.id, url
    hits = api.get("/api/v1/search", params={"q": "zeppelinword"}).json()["posts"]
    assert hits[0]["posted_by"]["display_name"] == "Léa Garcia"


def test_the_composer_lets_a_delegate_post_as_the_executive(factory: Factory) -> None:
    boss, assistant, _boss_api, _assistant_api = _executive_and_delegate(factory)
    browser = factory.browser(assistant)
    choice = browser.get("/leadership/post-as", headers={"HX-Request": "true"})
    assert "Post as" in choice.text and f'value="{boss.id}"' in choice.text
    nobody = factory.browser(factory.person("Nobody")).get(
        "/leadership/post-as", headers={"HX-Request": "true"}
    )
    assert nobody.status_code == 200 and "Post as" not in nobody.text
    token = csrf_from(browser.get("/").text)
    sent = browser.post(
        "/posts",
        data={"kind": "status", "body": "Team, thank you", "on_behalf_of": str(boss.id), "csrf_token": token},
        follow_redirects=False,
    )
    assert sent.status_code == 303
    feed = factory.api(boss).get("/api/v1/feed").json()["items"]
    assert feed[0]["author"]["id"] == boss.id and feed[0]["posted_by"]["id"] == assistant.id
    # a leadership post by a delegate on their own is refused beside the field, nothing written
    wrong = browser.post(
        "/posts",
        data={"kind": "status", "body": "mine", "is_leadership": "1", "csrf_token": token},
        headers={"HX-Request": "true"},
    )
    assert wrong.status_code == 422 and "Only executives" in wrong.text
    assert len(factory.api(assistant).get(f"/api/v1/users/{assistant.id}/posts").json()["items"]) == 0


# ---- approval ---------------------------------------------------------------------------------------


def test_a_draft_is_invisible_until_the_executive_approves_it(factory: Factory) -> None:
    boss, _assistant, boss_api, assistant_api = _executive_and_delegate(factory, approval=True)
    reader = factory.person("Reader")
    reader_api = factory.api(reader)
    reader_api.put(f"/api/v1/users/{boss.id}/follow")
    draft = _post(
        assistant_api, body="Draft words #draftonly quokkaword", on_behalf_of=boss.id, is_leadership=True
    )
    assert draft["draft"] is True and draft["author"]["id"] == boss.id
    # nobody else sees it: not in the feed, the API, search, the tag page, the profile, nor its counts
    assert reader_api.get(f"/api/v1/posts/{draft['id']}").status_code == 404
    assert reader_api.get("/api/v1/feed").json()["items"] == []
    assert reader_api.get("/api/v1/search", params={"q": "quokkaword"}).json()["posts"] == []
    assert reader_api.get("/api/v1/tags/draftonly").json()["posts"] == 0
    assert reader_api.get("/api/v1/tags/draftonly/posts").json()["items"] == []
    assert "quokkaword" not in factory.browser(reader).get("/tags/draftonly").text
    assert reader_api.get(f"/api/v1/users/{boss.id}/posts").json()["items"] == []
    browser = factory.browser(reader)
    assert "quokkaword" not in browser.get("/").text
    assert "quokkaword" not in browser.get(f"/people/{boss.handle}").text
    assert browser.get(f"/posts/{draft['id']}").status_code == 404
    assert reader_api.put(f"/api/v1/posts/{draft['id']}/like").status_code == 404
    # not even in the executive's own feed or search until approved; they open it by itself
    assert boss_api.get("/api/v1/feed").json()["items"] == []
    assert boss_api.get("/api/v1/search", params={"q": "quokkaword"}).json()["posts"] == []
    assert boss_api.get(f"/api/v1/posts/{draft['id']}").json()["draft"] is True
    assert assistant_api.get(f"/api/v1/posts/{draft['id']}").status_code == 200
    assert boss_api.post(f"/api/v1/posts/{draft['id']}/comments", json={"body": "x"}).status_code == 404
    # the executive is told, and finds it among the drafts to approve
    lines = boss_api.get("/api/v1/notifications").json()["items"]
    assert [n["type"] for n in lines] == ["delegate_draft"] and lines[0]["url"] == "/leadership#drafts"
    assert lines[0]["text"].startswith("Léa Garcia drafted a post for you to approve: “")
    assert [d["post"]["id"] for d in boss_api.get("/api/v1/leadership/drafts").json()] == [draft["id"]]
    page = factory.browser(boss).get("/leadership")
    assert "Drafts to approve" in page.text and "quokkaword" in page.text
    # someone else cannot approve it
    assert assistant_api.post(f"/api/v1/posts/{draft['id']}/approve").status_code == 403
    assert reader_api.post(f"/api/v1/posts/{draft['id']}/approve").status_code == 404
    approved = boss_api.post(f"/api/v1/posts/{draft['id']}/approve")
    assert approved.status_code == 200 and approved.json()["draft"] is False
    assert approved.json()["created_at"] > draft["created_at"]  # published now: new in the feeds
    assert [p["id"] for p in reader_api.get("/api/v1/feed").json()["items"]] == [draft["id"]]
    assert (
        reader_api.get("/api/v1/search", params={"q": "quokkaword"}).json()["posts"][0]["id"] == draft["id"]
    )
    assert reader_api.get("/api/v1/tags/draftonly").json()["posts"] == 1
    assert "quokkaword" in browser.get("/tags/draftonly").text
    assert boss_api.get("/api/v1/leadership/drafts").json() == []
    assert [n["type"] for n in boss_api.get("/api/v1/notifications").json()["items"]] == []
    told = assistant_api.get("/api/v1/notifications").json()["items"]
    assert [n["type"] for n in told] == ["delegate_draft"]
    assert (
        told[0]["text"].startswith("Sophie Bernard approved your draft “")
        and "it is published" in told[0]["text"]
    )


def test_the_executive_rejects_with_a_note_and_the_delegate_sends_it_again(factory: Factory) -> None:
    boss, assistant, boss_api, assistant_api = _executive_and_delegate(factory, approval=True)
    draft = _post(assistant_api, body="rough words", on_behalf_of=boss.id)
    browser = factory.browser(boss)
    token = csrf_from(browser.get("/leadership").text)
    empty = browser.post(f"/leadership/drafts/{draft['id']}/reject", data={"note": " ", "csrf_token": token})
    assert empty.status_code == 422 and "Say what to change" in empty.text
    sent_back = browser.post(
        f"/leadership/drafts/{draft['id']}/reject",
        data={"note": "Less jargon, please", "csrf_token": token},
        follow_redirects=False,
    )
    assert sent_back.status_code == 303
    assert factory.browser(factory.person("Reader")).get(f"/posts/{draft['id']}").status_code == 404
    desk = factory.browser(assistant).get("/leadership/drafts").text
    assert "Less jargon, please" in desk and "Sent back" in desk
    told = assistant_api.get("/api/v1/notifications").json()["items"]
    assert [n["text"] for n in told] == [
        "Sophie Bernard sent your draft “rough words” back: Less jargon, please"
    ]
    assert [d["status"] for d in assistant_api.get("/api/v1/leadership/drafts").json()] == ["rejected"]
    assert boss_api.get("/api/v1/leadership/drafts").json() == []
    assert (
        assistant_api.patch(f"/api/v1/posts/{draft['id']}", json={"body": "plain words"}).status_code == 200
    )
    waiting = boss_api.get("/api/v1/leadership/drafts").json()
    assert [(d["post"]["id"], d["status"], d["note"]) for d in waiting] == [(draft["id"], "pending", None)]
    # the executive edits it before approving
    assert boss_api.patch(f"/api/v1/posts/{draft['id']}", json={"body": "my plain words"}).status_code == 200
    approved = browser.post(
        f"/leadership/drafts/{draft['id']}/approve", data={"csrf_token": token}, follow_redirects=False
    )
    assert approved.status_code == 303
    assert (
        "my plain words" in factory.api(factory.person("Reader 2")).get(f"/api/v1/posts/{draft['id']}").text
    )


def test_a_delegate_may_delete_a_draft(factory: Factory) -> None:
    boss, _assistant, boss_api, assistant_api = _executive_and_delegate(factory, approval=True)
    draft = _post(assistant_api, body="never mind", on_behalf_of=boss.id)
    assert assistant_api.delete(f"/api/v1/posts/{draft['id']}").status_code == 204
    assert boss_api.get("/api/v1/leadership/drafts").json() == []
    assert boss_api.get("/api/v1/notifications").json()["items"] == []


# ---- the audit log ---------------------------------------------------------------------------------


def test_every_delegated_action_is_in_the_audit_log(factory: Factory) -> None:
    boss, assistant, boss_api, assistant_api = _executive_and_delegate(factory)
    direct = _post(assistant_api, body="direct", on_behalf_of=boss.id)
    assistant_api.patch(f"/api/v1/posts/{direct['id']}", json={"body": "direct, edited"})
    assistant_api.delete(f"/api/v1/posts/{direct['id']}")
    boss_api.put("/api/v1/users/me/delegation", json={"mode": "approval"})
    first = _post(assistant_api, body="first draft", on_behalf_of=boss.id)
    second = _post(assistant_api, body="second draft", on_behalf_of=boss.id)
    boss_api.post(f"/api/v1/posts/{first['id']}/approve")
    boss_api.post(f"/api/v1/posts/{second['id']}/reject", json={"note": "not now"})
    boss_api.delete(f"/api/v1/users/me/delegates/{assistant.id}")
    admin = factory.browser(factory.person("Admin", roles=("admin",)))
    page = admin.get("/admin/audit").text
    for action in (
        "delegate_added",
        "delegate_post_published",
        "delegate_post_edited",
        "delegate_post_deleted",
        "delegation_mode_changed",
        "delegate_draft_created",
        "delegate_draft_approved",
        "delegate_draft_rejected",
        "delegate_removed",
    ):
        assert action in page, action
    assert "Léa Garcia" in page and "Sophie Bernard" in page
