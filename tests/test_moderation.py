"""Moderation: reporting posts and comments, the queue, dismissing and removing, through HTTP."""

from __future__ import annotations

from dataclasses import dataclass

from fastapi.testclient import TestClient

from app.models import User
from tests.factories import Factory, csrf_from


@dataclass
class Club:
    """A community with its manager, a member who reports, and an author who posts."""

    slug: str
    manager: User
    member: User
    author: User
    manager_api: TestClient
    member_api: TestClient
    author_api: TestClient


def _club(factory: Factory, name: str = "Cyclists", visibility: str = "public") -> Club:
    manager, member, author = factory.person(f"{name} Manager"), factory.person(), factory.person()
    manager_api, member_api, author_api = factory.api(manager), factory.api(member), factory.api(author)
    created = manager_api.post("/api/v1/communities", json={"name": name, "visibility": visibility})
    assert created.status_code == 201, created.text
    slug = created.json()["slug"]
    for person, api in ((member, member_api), (author, author_api)):
        if visibility == "public":
            assert api.post(f"/api/v1/communities/{slug}/join").status_code == 200
        else:
            assert manager_api.put(f"/api/v1/communities/{slug}/members/{person.id}").status_code == 204
    return Club(slug, manager, member, author, manager_api, member_api, author_api)


def _post(api: TestClient, body: str, community: str | None = None) -> int:
    payload = {"kind": "status", "body": body} | ({"community": community} if community else {})
    response = api.post("/api/v1/posts", json=payload)
    assert response.status_code == 201, response.text
    return int(response.json()["id"])


def _report(api: TestClient, post_id: int, reason: str = "Off-topic and rude", **extra: int) -> int:
    response = api.post(f"/api/v1/posts/{post_id}/report", json={"reason": reason, **extra})
    assert response.status_code == 201, response.text
    assert response.json()["status"] == "open"
    return int(response.json()["id"])


def _queue(api: TestClient) -> list[dict]:  # type: ignore[type-arg]
    response = api.get("/api/v1/moderation/reports")
    assert response.status_code == 200, response.text
    return list(response.json()["items"])


def _ids(api: TestClient, url: str) -> list[int]:
    response = api.get(url)
    assert response.status_code == 200, response.text
    return [item["id"] for item in response.json()["items"]]


def test_a_report_reaches_the_communitys_managers_and_nobody_else(factory: Factory) -> None:
    club = _club(factory)
    other = _club(factory, "Gardeners")
    employee = factory.api(factory.person("Plain Employee"))
    post_id = _post(club.author_api, "Buy my bike, best price", club.slug)

    report_id = _report(club.member_api, post_id, "Selling things is off-topic here")

    [entry] = _queue(club.manager_api)
    assert entry["id"] == report_id and entry["status"] == "open" and entry["count"] == 1
    assert entry["post"]["id"] == post_id and "Buy my bike" in entry["post"]["body_html"]
    assert entry["post"]["community"]["slug"] == club.slug
    assert entry["author"]["id"] == club.author.id and entry["comment"] is None
    assert entry["reports"][0]["reason"] == "Selling things is off-topic here"
    assert entry["reports"][0]["reporter"]["id"] == club.member.id  # moderators see who reported
    assert _queue(other.manager_api) == []
    assert _queue(employee) == []
    assert _queue(club.author_api) == []


def test_an_admin_sees_reports_about_company_wide_posts(factory: Factory) -> None:
    club = _club(factory)
    admin = factory.api(factory.person("Ada Admin", roles=("admin",)))
    company_wide = _post(club.author_api, "Free croissants for everyone")
    in_club = _post(club.author_api, "Club ride on Sunday", club.slug)
    _report(club.member_api, company_wide, "Spam")
    _report(club.member_api, in_club, "Spam")

    assert [e["post"]["id"] for e in _queue(admin)] == [company_wide]
    assert [e["post"]["id"] for e in _queue(club.manager_api)] == [in_club]


def test_reporting_twice_makes_one_report_and_reports_are_grouped(factory: Factory) -> None:
    club = _club(factory)
    second = factory.person("Second Reporter")
    second_api = factory.api(second)
    assert second_api.post(f"/api/v1/communities/{club.slug}/join").status_code == 200
    post_id = _post(club.author_api, "Something questionable", club.slug)

    first = _report(club.member_api, post_id, "Rude")
    assert _report(club.member_api, post_id, "Still rude") == first
    _report(second_api, post_id, "Misleading")

    [entry] = _queue(club.manager_api)
    assert entry["id"] == first and entry["count"] == 2
    assert [r["reason"] for r in entry["reports"]] == ["Rude", "Misleading"]


def test_what_cannot_be_reported(factory: Factory) -> None:
    club = _club(factory)
    post_id = _post(club.author_api, "My own words", club.slug)
    comment = club.member_api.post(f"/api/v1/posts/{post_id}/comments", json={"body": "mine"}).json()

    own = club.author_api.post(f"/api/v1/posts/{post_id}/report", json={"reason": "oops"})
    assert own.status_code == 422
    own_comment = club.member_api.post(
        f"/api/v1/posts/{post_id}/report", json={"reason": "oops", "comment_id": comment["id"]}
    )
    assert own_comment.status_code == 422
    for reason in ("", "   ", "x" * 1001):
        response = club.member_api.post(f"/api/v1/posts/{post_id}/report", json={"reason": reason})
        assert response.status_code == 422, reason
    missing = club.member_api.post(f"/api/v1/posts/{post_id}/report", json={"reason": "x", "comment_id": 999})
    assert missing.status_code == 404
    assert club.member_api.post("/api/v1/posts/999/report", json={"reason": "x"}).status_code == 404
    assert _queue(club.manager_api) == []


def test_removing_hides_the_post_everywhere_but_from_its_author(factory: Factory) -> None:
    club = _club(factory)
    post_id = _post(club.author_api, "Leaked figures #quarterly", club.slug)
    assert club.member_api.get("/api/v1/tags/quarterly").json()["posts"] == 1
    report_id = _report(club.member_api, post_id)

    removed = club.manager_api.post(
        f"/api/v1/moderation/reports/{report_id}/remove", json={"reason": "Confidential figures"}
    )
    assert removed.status_code == 204, removed.text

    for api in (club.member_api, club.manager_api):
        assert api.get(f"/api/v1/posts/{post_id}").status_code == 404
        assert post_id not in _ids(api, "/api/v1/feed")
        assert post_id not in _ids(api, f"/api/v1/communities/{club.slug}/posts")
        assert post_id not in _ids(api, f"/api/v1/users/{club.author.id}/posts")
        assert api.get("/api/v1/tags/quarterly").json()["posts"] == 0
    mine = club.author_api.get(f"/api/v1/posts/{post_id}")
    assert mine.status_code == 200
    assert mine.json()["removed"] is True and mine.json()["removal_reason"] == "Confidential figures"
    assert _queue(club.manager_api) == []
    assert (
        club.manager_api.get("/api/v1/moderation/reports?include_resolved=true").json()["items"][0]["status"]
        == "removed"
    )


def test_dismissing_keeps_the_post_and_closes_its_reports(factory: Factory) -> None:
    club = _club(factory)
    post_id = _post(club.author_api, "A strong opinion", club.slug)
    report_id = _report(club.member_api, post_id)

    assert club.manager_api.post(f"/api/v1/moderation/reports/{report_id}/dismiss").status_code == 204

    assert club.member_api.get(f"/api/v1/posts/{post_id}").json()["removed"] is False
    assert post_id in _ids(club.member_api, f"/api/v1/communities/{club.slug}/posts")
    assert _queue(club.manager_api) == []
    again = club.manager_api.post(f"/api/v1/moderation/reports/{report_id}/dismiss")
    assert again.status_code == 409  # already decided
    assert _report(club.member_api, post_id, "It happened again") != report_id  # a new report opens


def test_removing_a_reported_comment(factory: Factory) -> None:
    club = _club(factory)
    post_id = _post(club.member_api, "Who rides on Sunday?", club.slug)
    kept = club.manager_api.post(f"/api/v1/posts/{post_id}/comments", json={"body": "Me!"}).json()
    rude = club.author_api.post(f"/api/v1/posts/{post_id}/comments", json={"body": "Nobody cares"}).json()
    report_id = _report(club.member_api, post_id, "Unkind", comment_id=rude["id"])

    [entry] = _queue(club.manager_api)
    assert entry["comment"]["id"] == rude["id"] and entry["author"]["id"] == club.author.id
    removed = club.manager_api.post(
        f"/api/v1/moderation/reports/{report_id}/remove", json={"reason": "Be kind"}
    )
    assert removed.status_code == 204, removed.text

    post = club.member_api.get(f"/api/v1/posts/{post_id}").json()
    assert post["comment_count"] == 1 and post["removed"] is False
    assert _ids(club.member_api, f"/api/v1/posts/{post_id}/comments") == [kept["id"]]
    assert _queue(club.manager_api) == []


def test_only_the_places_moderators_decide(factory: Factory) -> None:
    club = _club(factory)
    secret = _club(factory, "Board room", visibility="secret")
    admin = factory.api(factory.person("Ada Admin", roles=("admin",)))
    public_report = _report(club.member_api, _post(club.author_api, "Public words", club.slug))
    secret_report = _report(secret.member_api, _post(secret.author_api, "Secret words", secret.slug))

    for api in (club.member_api, club.author_api, admin):  # may see the post, may not decide
        assert api.post(f"/api/v1/moderation/reports/{public_report}/dismiss").status_code == 403
        removal = api.post(f"/api/v1/moderation/reports/{public_report}/remove", json={"reason": "x"})
        assert removal.status_code == 403
    for api in (club.member_api, club.manager_api, admin):  # may not even know of it
        assert api.post(f"/api/v1/moderation/reports/{secret_report}/dismiss").status_code == 404
        removal = api.post(f"/api/v1/moderation/reports/{secret_report}/remove", json={"reason": "x"})
        assert removal.status_code == 404
    assert club.manager_api.post("/api/v1/moderation/reports/9999/dismiss").status_code == 404
    assert (
        club.manager_api.post(f"/api/v1/moderation/reports/{public_report}/remove", json={}).status_code
        == 422
    )
    empty = club.manager_api.post(f"/api/v1/moderation/reports/{public_report}/remove", json={"reason": " "})
    assert empty.status_code == 422
    assert len(_queue(club.manager_api)) == 1 and len(_queue(secret.manager_api)) == 1


def test_a_reported_manager_does_not_learn_who_reported_them(factory: Factory) -> None:
    club = _club(factory)
    co_manager = factory.person("Co Manager")
    co_api = factory.api(co_manager)
    assert co_api.post(f"/api/v1/communities/{club.slug}/join").status_code == 200
    assert club.manager_api.put(f"/api/v1/communities/{club.slug}/managers/{co_manager.id}").status_code in (
        200,
        204,
    )
    report_id = _report(club.member_api, _post(club.manager_api, "Manager's post", club.slug))

    assert _queue(club.manager_api) == []
    assert club.manager_api.post(f"/api/v1/moderation/reports/{report_id}/dismiss").status_code == 404
    assert [e["id"] for e in _queue(co_api)] == [report_id]


# ---- pages -------------------------------------------------------------------------------------


def test_the_report_page_sends_a_report_and_goes_back_to_the_post(factory: Factory) -> None:
    club = _club(factory)
    post_id = _post(club.author_api, "Questionable", club.slug)
    browser = factory.browser(club.member)

    page = browser.get(f"/posts/{post_id}/report")
    assert page.status_code == 200 and "Questionable" in page.text and 'name="reason"' in page.text
    token = csrf_from(page.text)

    empty = browser.post(f"/posts/{post_id}/report", data={"csrf_token": token, "reason": "  "})
    assert empty.status_code == 422
    assert 'id="reason-error"' in empty.text and "Tell the moderators what is wrong." in empty.text
    assert _queue(club.manager_api) == []

    no_token = browser.post(f"/posts/{post_id}/report", data={"reason": "Rude"}, follow_redirects=False)
    assert no_token.status_code == 403
    assert _queue(club.manager_api) == []

    sent = browser.post(
        f"/posts/{post_id}/report", data={"csrf_token": token, "reason": "Rude"}, follow_redirects=False
    )
    assert sent.status_code == 303 and sent.headers["location"] == f"/posts/{post_id}?reported=1"
    assert [e["reports"][0]["reason"] for e in _queue(club.manager_api)] == ["Rude"]


def test_the_report_page_for_a_comment_and_for_ones_own_post(factory: Factory) -> None:
    club = _club(factory)
    post_id = _post(club.author_api, "A post", club.slug)
    comment = club.author_api.post(
        f"/api/v1/posts/{post_id}/comments", json={"body": "A snide remark"}
    ).json()
    browser = factory.browser(club.member)

    page = browser.get(f"/posts/{post_id}/report?comment={comment['id']}")
    assert page.status_code == 200 and "A snide remark" in page.text and "Report a comment" in page.text
    sent = browser.post(
        f"/posts/{post_id}/report",
        data={"csrf_token": csrf_from(page.text), "reason": "Snide", "comment": str(comment["id"])},
        follow_redirects=False,
    )
    assert sent.status_code == 303
    assert _queue(club.manager_api)[0]["comment"]["id"] == comment["id"]

    own = factory.browser(club.author).get(f"/posts/{post_id}/report")
    assert own.status_code == 200 and "You cannot report your own post." in own.text
    assert 'name="reason"' not in own.text
    assert browser.get(f"/posts/{post_id}/report?comment=999").status_code == 404


def test_the_queue_page_dismisses_and_removes(factory: Factory) -> None:
    club = _club(factory)
    kept_id = _post(club.author_api, "Keep <b>me</b> *please*", club.slug)
    gone_id = _post(club.author_api, "Remove me", club.slug)
    kept_report = _report(club.member_api, kept_id, "Not sure about this")
    gone_report = _report(club.member_api, gone_id, "Clearly spam")
    browser = factory.browser(club.manager)

    page = browser.get("/moderation")
    assert page.status_code == 200
    text = page.text
    assert "Not sure about this" in text and "Clearly spam" in text and club.member.display_name in text
    assert "<b>me</b>" not in text  # the body is the sanitised HTML, never the raw text
    assert f'id="report-{kept_report}"' in text and f'id="report-{gone_report}"' in text
    token = csrf_from(text)

    # htmx: the entry is replaced by a confirmation
    dismissed = browser.post(
        f"/moderation/reports/{kept_report}/dismiss", headers={"HX-Request": "true", "X-CSRF-Token": token}
    )
    assert dismissed.status_code == 200 and "Reports dismissed" in dismissed.text
    assert "<html" not in dismissed.text

    # without JavaScript: a mistake shows the queue again with the message beside the field
    empty = browser.post(
        f"/moderation/reports/{gone_report}/remove", data={"csrf_token": token, "reason": ""}
    )
    assert empty.status_code == 422 and f'id="reason-{gone_report}-error"' in empty.text
    fragment = browser.post(
        f"/moderation/reports/{gone_report}/remove",
        data={"reason": ""},
        headers={"HX-Request": "true", "X-CSRF-Token": token},
    )
    assert fragment.status_code == 422 and f'id="reason-{gone_report}-error"' in fragment.text
    assert "<html" not in fragment.text

    no_token = browser.post(f"/moderation/reports/{gone_report}/remove", data={"reason": "Spam"})
    assert no_token.status_code == 403
    removed = browser.post(
        f"/moderation/reports/{gone_report}/remove",
        data={"csrf_token": token, "reason": "Spam"},
        follow_redirects=False,
    )
    assert removed.status_code == 303 and removed.headers["location"] == "/moderation?done=removed"
    after = browser.get("/moderation?done=removed").text
    assert "Removed. Its author sees your reason." in after and "Nothing to review." in after
    assert club.member_api.get(f"/api/v1/posts/{gone_id}").status_code == 404
    assert club.member_api.get(f"/api/v1/posts/{kept_id}").status_code == 200


def test_the_queue_explains_who_moderates_to_everyone_else(factory: Factory) -> None:
    club = _club(factory)
    _report(club.member_api, _post(club.author_api, "Something", club.slug))
    page = factory.browser(club.member).get("/moderation")
    assert page.status_code == 200
    assert "You do not moderate anything." in page.text and "Something" not in page.text
    assert 'href="/moderation"' in page.text  # in the account menu

    french = factory.browser(factory.person("Camille Martin", locale="fr")).get("/moderation")
    assert "File de modération" in french.text and "Vous ne modérez rien." in french.text


def test_removing_a_comment_takes_its_replies_out_of_the_count(factory: Factory) -> None:
    club = _club(factory)
    post_id = _post(club.author_api, "Thread", club.slug)
    parent = club.member_api.post(f"/api/v1/posts/{post_id}/comments", json={"body": "rude"}).json()
    for _ in range(2):
        club.author_api.post(
            f"/api/v1/posts/{post_id}/comments", json={"body": "re", "parent_id": parent["id"]}
        )
    club.author_api.post(f"/api/v1/posts/{post_id}/comments", json={"body": "kept"})
    assert club.manager_api.get(f"/api/v1/posts/{post_id}").json()["comment_count"] == 4
    removed = club.manager_api.post(
        f"/api/v1/posts/{post_id}/comments/{parent['id']}/remove", json={"reason": "Rude"}
    )
    assert removed.status_code == 204
    after = club.member_api.get(f"/api/v1/posts/{post_id}").json()
    assert after["comment_count"] == 1 and after["answer_count"] == 1
    listed = club.member_api.get(f"/api/v1/posts/{post_id}/comments").json()["items"]
    assert [c["body_html"] for c in listed] == ["<p>kept</p>\n"]


def test_removing_directly_settles_the_open_reports_and_a_second_removal_changes_nothing(
    factory: Factory,
) -> None:
    club = _club(factory)
    post_id = _post(club.author_api, "Spam spam", club.slug)
    _report(club.member_api, post_id)
    assert _queue(club.manager_api)
    assert (
        club.manager_api.post(f"/api/v1/posts/{post_id}/remove", json={"reason": "Spam"}).status_code == 204
    )
    assert _queue(club.manager_api) == []
    club.manager_api.post(f"/api/v1/posts/{post_id}/remove", json={"reason": "Other reason"})
    assert club.author_api.get(f"/api/v1/posts/{post_id}").json()["removal_reason"] == "Spam"
    too_long = club.manager_api.post(
        f"/api/v1/posts/{_post(club.author_api, 'x', club.slug)}/remove", json={"reason": "x" * 1001}
    )
    assert too_long.status_code == 422
