"""Feedback pages, and the anonymity walk: HR visits every feedback route and never learns the author."""

from __future__ import annotations

import html
import io
import json
import re
from datetime import UTC, datetime, timedelta
from typing import Any

from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from PIL import Image

from app.web import feedback as feedback_pages
from tests.factories import Factory, csrf_from
from tests.test_i18n import _catalog, _visible_text


def _png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (20, 20), "blue").save(out, format="PNG")
    return out.getvalue()


def _send_page(client: TestClient, **fields: Any) -> Any:
    page = client.get("/feedback/new")
    assert page.status_code == 200
    data = {"category": "work_conditions", "body": "Too noisy", "csrf_token": csrf_from(page.text)} | fields
    files = fields.pop("files", None)
    data.pop("files", None)
    return client.post("/feedback/new", data=data, files=files, follow_redirects=False)


def _item_id(response: Any) -> int:
    assert response.status_code == 303, response.text
    return int(re.search(r"/feedback/mine/(\d+)", response.headers["location"]).group(1))  # type: ignore[union-attr]


def _minutes(start: datetime, end: datetime) -> set[str]:
    """Every hh:mm between two instants, as a page or an ISO timestamp could show them (UTC and Paris)."""
    shown = set()
    moment = start.replace(second=0, microsecond=0) - timedelta(minutes=1)
    while moment <= end + timedelta(minutes=1):
        for hours in (0, 1, 2):  # UTC, and Paris in winter or summer
            local = moment + timedelta(hours=hours)
            shown |= {local.strftime("%H:%M"), local.strftime("%-I:%M")}
        moment += timedelta(minutes=1)
    return shown


def _people_in(value: Any) -> list[dict[str, Any]]:
    """Every object in a JSON answer that looks like a person."""
    found = []
    if isinstance(value, dict):
        if "display_name" in value or "handle" in value or "email" in value:
            found.append(value)
        for child in value.values():
            found += _people_in(child)
    elif isinstance(value, list):
        for child in value:
            found += _people_in(child)
    return found


def test_hr_cannot_recover_the_author_of_an_anonymous_item_anywhere(factory: Factory) -> None:
    for n in range(6):  # so that the author's id is not a number every page shows anyway
        factory.person(f"Filler {n}", department="Sales", site="Lyon")
    author = factory.person(
        "Zacharie Quintessence", email="zacharie.q@example.com", department="Cartography", site="Quimper"
    )
    hr = factory.person("Hélène Rousseau", roles=("hr",), department="Human Resources")
    colleague = factory.person("Hugo Dufresne", roles=("hr",))
    author_browser, hr_api = factory.browser(author), factory.api(hr)

    started = datetime.now(UTC)
    item_id = _item_id(
        _send_page(
            author_browser,
            category="management",
            body="Meetings run late every evening",
            anonymous="1",
            share_group="1",
            files={"attachment": ("zacharie-quintessence.png", _png(), "image/png")},
        )
    )
    duplicate_id = _item_id(
        _send_page(author_browser, body="Evening meetings again", anonymous="1", share_group="1")
    )
    named_id = (
        factory.api(factory.person("Named Colleague"))
        .post("/api/v1/feedback", json={"category": "idea", "body": "Plant trees", "anonymous": False})
        .json()["id"]
    )
    mine = author_browser.get(f"/feedback/mine/{item_id}")
    author_browser.post(
        f"/feedback/mine/{item_id}/replies",
        data={"body": "It happened again", "csrf_token": csrf_from(mine.text)},
    )
    hr_api.post(f"/api/v1/feedback/{item_id}/replies", json={"body": "We hear you."})
    hr_api.post(f"/api/v1/feedback/{item_id}/notes", json={"body": "Check the meeting rooms"})
    hr_api.patch(f"/api/v1/feedback/{item_id}", json={"status": "in_review", "assignee_id": colleague.id})
    hr_api.post(f"/api/v1/feedback/{duplicate_id}/merge", json={"into": item_id})
    entry_id = hr_api.post(
        f"/api/v1/feedback/{item_id}/publish", json={"title": "Late meetings", "body": "Meetings end late."}
    ).json()["id"]
    ended = datetime.now(UTC)

    secrets_of_the_author = [
        "Zacharie",
        "Quintessence",
        "zacharie.q",
        author.handle,
        "Cartography",
        "Quimper",
        f"/people/{author.handle}",
    ]
    times = _minutes(started, ended)
    ids = {"item_id": item_id, "entry_id": entry_id, "key": "tools"}

    # every GET route of the feedback API and of the feedback pages, as HR (a new route joins this walk)
    api_paths = [p for p, ops in factory.app.openapi()["paths"].items() if "/feedback" in p and "get" in ops]
    page_paths = [
        r.path for r in feedback_pages.router.routes if isinstance(r, APIRoute) and "GET" in r.methods
    ]
    assert len(api_paths) >= 7 and len(page_paths) >= 9
    urls = []
    for path in api_paths + page_paths:
        for name in re.findall(r"{(\w+)}", path):
            assert name in ids or name == "attachment_id", f"add {name} to this walk: {path}"
        urls.append(path.format(**ids, attachment_id="")) if "attachment_id" not in path else None
    urls += [
        f"/api/v1/feedback/{duplicate_id}",
        f"/feedback/inbox/{duplicate_id}",
        "/api/v1/feedback?include_merged=true",
    ]
    urls += [
        "/feedback/inbox?status=in_review",
        "/feedback/inbox?category=management",
        "/feedback/board?status=in_review",
    ]
    attachment = hr_api.get(f"/api/v1/feedback/{item_id}").json()["attachment"]
    attachment_page_url = re.search(
        r'href="(/feedback/files/[0-9a-f]+)"', factory.browser(hr).get(f"/feedback/inbox/{item_id}").text
    )
    assert attachment and attachment_page_url
    urls += [attachment["url"], attachment_page_url.group(1)]

    hr_browser = factory.browser(hr)
    for url in urls:
        client = hr_api if url.startswith("/api/") else hr_browser
        response = client.get(url)
        expected = 404 if url.startswith("/feedback/mine/") else 200  # the author's own page is theirs alone
        assert response.status_code == expected, (url, response.status_code, response.text[:500])
        if response.headers["content-type"].startswith("image/"):
            content = response.content
            assert b"Zacharie" not in content and b"zacharie" not in content, url
            continue
        text = html.unescape(response.text)
        for secret in secrets_of_the_author:
            assert secret not in text, (url, secret)
        for hhmm in times:
            assert not re.search(rf"(?<![\d:]){re.escape(hhmm)}(?![\d])", text), (url, hhmm)
        if url.startswith("/api/"):
            body = response.json()
            for person in _people_in(body):
                assert person.get("id") != author.id, (url, person)
            serialised = json.dumps(body)
            assert f'"author_id": {author.id}' not in serialised and "author_tag" not in serialised, url
    # and the named item still names its author: the walk would see a name if there were one
    assert hr_api.get(f"/api/v1/feedback/{named_id}").json()["author"]["display_name"] == "Named Colleague"


def test_non_hr_employees_get_404_on_the_inbox_and_on_other_peoples_items(factory: Factory) -> None:
    author, other = factory.person("Author"), factory.person("Other")
    item_id = _item_id(_send_page(factory.browser(author), body="Please add bike racks"))
    browser = factory.browser(other)
    for url in (
        "/feedback/inbox",
        f"/feedback/inbox/{item_id}",
        f"/feedback/inbox/{item_id}/publish",
        "/feedback/categories",
        f"/feedback/mine/{item_id}",
    ):
        response = browser.get(url)
        assert response.status_code == 404, url
        assert "Page not found" in response.text
    token = csrf_from(browser.get("/feedback/mine").text)
    assert (
        browser.post(
            f"/feedback/inbox/{item_id}/status", data={"status": "done", "csrf_token": token}
        ).status_code
        == 404
    )
    assert (
        browser.post(f"/feedback/mine/{item_id}/replies", data={"body": "x", "csrf_token": token}).status_code
        == 404
    )
    # the HR inbox link shows only to HR
    assert 'href="/feedback/inbox"' not in browser.get("/feedback/mine").text
    assert 'href="/feedback/mine"' in browser.get("/").text


def test_bad_input_shows_the_form_again_with_the_message_beside_the_field(factory: Factory) -> None:
    browser = factory.browser(factory.person("Careless Sender"))
    empty = _send_page(browser, body="   ")
    assert empty.status_code == 422
    assert 'id="body-error"' in empty.text and "Write your feedback." in empty.text
    unknown = _send_page(browser, category="weather", body="Kept text")
    assert (
        unknown.status_code == 422 and 'id="category-error"' in unknown.text and "Kept text" in unknown.text
    )
    long_text = _send_page(browser, body="x" * 5001)
    assert long_text.status_code == 422 and "At most 5,000 characters." in long_text.text
    too_big = _send_page(
        browser, files={"attachment": ("big.png", b"\x89PNG" + b"0" * (6 * 1024 * 1024), "image/png")}
    )
    assert (
        too_big.status_code == 422
        and 'id="attachment-error"' in too_big.text
        and "larger than 5 MB" in too_big.text
    )
    not_allowed = _send_page(browser, files={"attachment": ("page.html", b"<html>hi</html>", "text/html")})
    assert (
        not_allowed.status_code == 422
        and "Attach an image (JPEG, PNG, WebP, GIF) or a PDF." in not_allowed.text
    )
    assert "You have not sent any feedback yet." in browser.get("/feedback/mine").text


def test_a_double_submit_makes_one_item(factory: Factory) -> None:
    browser = factory.browser(factory.person("Double Clicker"))
    first = _item_id(_send_page(browser, body="The lift is broken", anonymous="1"))
    second = _send_page(browser, body="The lift is broken", anonymous="1")
    assert _item_id(second) == first and "again=1" in second.headers["location"]
    assert "You already sent this text today" in browser.get(second.headers["location"]).text
    assert browser.get("/feedback/mine").text.count("/feedback/mine/") == 1


def test_the_author_follows_status_and_reads_hrs_reply_on_my_feedback(factory: Factory) -> None:
    author = factory.person("Anonymous Author")
    hr = factory.person("Hélène", roles=("hr",))
    author_browser, hr_browser = factory.browser(author), factory.browser(hr)
    item_id = _item_id(_send_page(author_browser, body="The canteen closes too early", anonymous="1"))

    page = hr_browser.get(f"/feedback/inbox/{item_id}")
    token = csrf_from(page.text)
    declined = hr_browser.post(
        f"/feedback/inbox/{item_id}/status", data={"status": "declined", "csrf_token": token}
    )
    assert declined.status_code == 422 and 'id="reason-error"' in declined.text
    replied = hr_browser.post(
        f"/feedback/inbox/{item_id}/replies",
        data={"body": "We extend the hours in June.", "csrf_token": token},
    )
    assert replied.status_code == 200 and "Reply sent" in replied.text
    hr_browser.post(f"/feedback/inbox/{item_id}/notes", data={"note": "Ask the caterer", "csrf_token": token})

    mine = author_browser.get(f"/feedback/mine/{item_id}").text
    assert "We extend the hours in June." in mine and "Hélène" in mine
    assert "Ask the caterer" not in mine
    assert 'aria-current="step"' in mine and "Answered" in mine
    listing = author_browser.get("/feedback/mine").text
    assert "The canteen closes too early" in listing and "Anonymous" in listing


def test_board_support_with_htmx_and_volunteering(factory: Factory) -> None:
    hr_api = factory.api(factory.person("HR", roles=("hr",)))
    item = (
        factory.api(factory.person("Idea"))
        .post(
            "/api/v1/feedback",
            json={"category": "csr_initiative", "body": "Collect old laptops", "anonymous": True},
        )
        .json()
    )
    entry_id = hr_api.post(
        f"/api/v1/feedback/{item['id']}/publish",
        json={"title": "Laptop collection", "body": "Collect laptops for schools", "initiative": True},
    ).json()["id"]
    browser = factory.browser(factory.person("Supporter"))
    board = browser.get("/feedback/board")
    assert "Laptop collection" in board.text and "Initiative" in board.text
    token = csrf_from(board.text)
    fragment = browser.post(
        f"/feedback/board/{entry_id}/vote",
        data={"support": "1", "csrf_token": token},
        headers={"HX-Request": "true"},
    )
    assert fragment.status_code == 200 and "<html" not in fragment.text and "1 supporter" in fragment.text
    browser.post(f"/feedback/board/{entry_id}/volunteer", data={"public": "1", "csrf_token": token})
    page = browser.get(f"/feedback/board/{entry_id}").text
    assert "Supporter" in page and "Leave the initiative" in page
    empty_comment = browser.post(
        f"/feedback/board/{entry_id}/comments", data={"body": "", "csrf_token": token}
    )
    assert empty_comment.status_code == 422 and "Write your comment." in empty_comment.text


def test_feedback_pages_speak_french(factory: Factory) -> None:
    hr = factory.person("Hélène Rousseau", roles=("hr",), locale="fr")
    author = factory.person("Camille Martin", locale="fr")
    api = factory.api(author)
    item = api.post(
        "/api/v1/feedback", json={"category": "idea", "body": "Covoiturage", "anonymous": True}
    ).json()
    hr_api = factory.api(hr)
    hr_api.post(f"/api/v1/feedback/{item['id']}/replies", json={"body": "Merci"})
    entry = hr_api.post(
        f"/api/v1/feedback/{item['id']}/publish",
        json={"title": "Covoiturage", "body": "Covoiturage", "initiative": True},
    ).json()
    english = {msgid for msgid, msgstr in _catalog().items() if msgstr and msgstr != msgid and len(msgid) > 3}
    pages = {
        hr: [
            "/feedback/inbox",
            f"/feedback/inbox/{item['id']}",
            f"/feedback/inbox/{item['id']}/publish",
            "/feedback/categories",
            "/feedback/board",
            f"/feedback/board/{entry['id']}",
        ],
        author: ["/feedback/mine", f"/feedback/mine/{item['id']}", "/feedback/new"],
    }
    for person, urls in pages.items():
        client = factory.browser(person)
        for url in urls:
            page = client.get(url)
            assert page.status_code == 200 and '<html lang="fr">' in page.text, url
            text = _visible_text(page.text)
            leftovers = sorted(
                m
                for m in english
                if "%" not in m and "{" not in m and re.search(rf"\b{re.escape(m)}\b", text)
            )
            assert leftovers == [], f"{url}: {leftovers}"
    assert "Idée" in factory.browser(author).get("/feedback/new").text
