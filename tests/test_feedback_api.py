"""Employee feedback through the API: sending, the HR inbox, replies, statuses, notifications, the board."""

from __future__ import annotations

import io
from typing import Any

from fastapi.testclient import TestClient
from PIL import Image
from sqlalchemy import select

from app.db import Database
from app.models import Notification, User
from app.services.notifications import render_text
from tests.factories import Factory


def _send(
    api: TestClient, body: str = "The coffee machine on floor 3 is broken", **extra: Any
) -> dict[str, Any]:
    payload = {"category": "work_conditions", "body": body, "anonymous": False} | extra
    response = api.post("/api/v1/feedback", json=payload)
    assert response.status_code == 201, response.text
    return dict(response.json())


def _errors(response: Any) -> dict[str, str]:
    assert response.status_code == 422, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    return {e["field"]: e["message"] for e in response.json()["errors"]}


def _notes_of(database: Database, user: User) -> list[Notification]:
    with database.session(write=False) as db:
        rows = list(db.scalars(select(Notification).where(Notification.user_id == user.id)))
        db.expunge_all()
    return rows


def _jpeg_with_exif() -> bytes:
    image = Image.new("RGB", (40, 30), "red")
    exif = Image.Exif()
    exif[0x013B] = "Camille Martin"  # Artist
    exif[0x010F] = "PhoneMaker"  # Make
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif)
    return out.getvalue()


def test_named_feedback_reaches_hr_and_its_author_follows_it(factory: Factory, database: Database) -> None:
    camille = factory.person("Camille Martin", department="Sales", site="Lyon")
    hr = factory.person("Hélène Rousseau", roles=("hr",))
    camille_api, hr_api = factory.api(camille), factory.api(hr)

    created = _send(camille_api, "Our laptops take ten minutes to boot", category="tools")
    assert created["status"] == "received" and created["anonymous"] is False

    [item] = hr_api.get("/api/v1/feedback").json()["items"]
    assert item["id"] == created["id"] and item["author"]["display_name"] == "Camille Martin"
    assert item["category"] == "tools" and item["department"] == "Sales"

    changed = hr_api.patch(f"/api/v1/feedback/{created['id']}", json={"status": "in_review"})
    assert changed.status_code == 200 and changed.json()["status"] == "in_review"
    reply = hr_api.post(f"/api/v1/feedback/{created['id']}/replies", json={"body": "New laptops in March."})
    assert reply.status_code == 201 and reply.json()["author"] == "Hélène Rousseau"

    [mine] = camille_api.get("/api/v1/feedback/mine").json()["items"]
    assert mine["status"] == "answered"  # a first answer from HR marks it answered
    assert [r["body"] for r in mine["replies"]] == ["New laptops in March."]
    assert mine["notes"] == []

    lines = {n.group_key: n for n in _notes_of(database, camille)}
    status_line = lines[f"feedback:status:{created['id']}"]
    assert status_line.type == "feedback" and status_line.url == f"/feedback/mine/{created['id']}"
    assert render_text("feedback", "", 0, status_line.params).startswith("Your feedback “Our laptops")
    reply_line = lines[f"feedback:reply:{created['id']}"]
    assert render_text("feedback", "", 0, reply_line.params).startswith("HR replied to your feedback")


def test_the_inbox_and_other_peoples_items_are_404_to_non_hr(factory: Factory) -> None:
    author, colleague = factory.person("Author"), factory.person("Curious Colleague")
    admin = factory.person("Ada Admin", roles=("admin",))
    item = _send(factory.api(author))
    for api in (factory.api(colleague), factory.api(admin)):
        assert api.get("/api/v1/feedback").status_code == 404
        assert api.get(f"/api/v1/feedback/{item['id']}").status_code == 404
        assert api.post(f"/api/v1/feedback/{item['id']}/replies", json={"body": "hi"}).status_code == 404
        assert api.patch(f"/api/v1/feedback/{item['id']}", json={"status": "done"}).status_code == 404
        assert api.post(f"/api/v1/feedback/{item['id']}/notes", json={"body": "x"}).status_code == 404
    assert factory.api(author).get(f"/api/v1/feedback/{item['id']}").status_code == 200
    # the author may see the item but not act as HR on it
    assert (
        factory.api(author).patch(f"/api/v1/feedback/{item['id']}", json={"status": "done"}).status_code
        == 403
    )
    assert TestClient(factory.app).get("/api/v1/feedback").status_code == 401


def test_anonymous_feedback_the_author_reads_hrs_reply_and_hr_never_learns_who(
    factory: Factory, database: Database
) -> None:
    author = factory.person("Zoé Anonyme", department="Legal", site="Nantes")
    hr = factory.person("Hélène Rousseau", roles=("hr",))
    author_api, hr_api = factory.api(author), factory.api(hr)

    created = _send(author_api, "My manager shouts in meetings", category="management", anonymous=True)
    assert created["anonymous"] is True

    item = hr_api.get(f"/api/v1/feedback/{created['id']}").json()
    assert item["author"] is None and item["anonymous"] is True
    assert item["department"] is None and item["site"] is None  # Legal and Nantes are under 5 people
    assert set(item) >= {"created_on"} and "created_at" not in item

    assert hr_api.post(f"/api/v1/feedback/{created['id']}/replies", json={"body": "Thank you, we will act."})
    hr_api.patch(f"/api/v1/feedback/{created['id']}", json={"status": "done"})
    author_api.post(f"/api/v1/feedback/{created['id']}/replies", json={"body": "It got better, thanks"})

    [mine] = author_api.get("/api/v1/feedback/mine").json()["items"]
    assert mine["id"] == created["id"] and mine["status"] == "done"
    assert [(r["from_hr"], r["body"]) for r in mine["replies"]] == [
        (True, "Thank you, we will act."),
        (False, "It got better, thanks"),
    ]
    seen_by_hr = hr_api.get(f"/api/v1/feedback/{created['id']}").json()
    assert seen_by_hr["replies"][1] == {
        "from_hr": False,
        "author": None,
        "body": "It got better, thanks",
        "created_on": seen_by_hr["created_on"],
    }

    # the author heard of both changes, through lines that name neither the item nor its words
    lines = _notes_of(database, author)
    assert len(lines) == 2
    for line in lines:
        assert line.type == "feedback" and line.url == "/feedback/mine" and line.actor_id is None
        assert str(created["id"]) not in line.group_key and "title" not in line.params
    texts = sorted(render_text("feedback", "", 0, line.params) for line in lines)
    assert texts == [
        "HR replied to one of your anonymous feedback items",
        "One of your anonymous feedback items is now: done",
    ]
    # another employee cannot read it
    assert factory.api(factory.person("Other")).get(f"/api/v1/feedback/{created['id']}").status_code == 404


def test_an_anonymous_authors_department_shows_only_for_a_large_enough_group(factory: Factory) -> None:
    hr_api = factory.api(factory.person("HR Person", roles=("hr",)))
    sales = [factory.person(f"Seller {n}", department="Sales", site="Lyon") for n in range(5)]
    factory.person("Lone Parisian Seller", department="Sales", site="Paris")
    for n in range(4):
        factory.person(f"Parisian {n}", department="IT", site="Paris")
    # Sales (6) and Lyon (5) are large enough, and so are Sales in Lyon (5)
    in_lyon = _send(factory.api(sales[0]), "Parking is full", anonymous=True)
    # Paris has 5 people, Sales 6, but Sales in Paris is one person: the site is left out
    paris = factory.person("Paris Seller Two", department="Sales", site="Paris")
    in_paris = _send(factory.api(paris), "Parking is full too", anonymous=True)
    hidden = _send(factory.api(sales[1]), "Do not say where I am", anonymous=True, share_group=False)

    seen = {i["id"]: i for i in hr_api.get("/api/v1/feedback").json()["items"]}
    assert (seen[in_lyon["id"]]["department"], seen[in_lyon["id"]]["site"]) == ("Sales", "Lyon")
    assert (seen[in_paris["id"]]["department"], seen[in_paris["id"]]["site"]) == ("Sales", None)
    assert (seen[hidden["id"]]["department"], seen[hidden["id"]]["site"]) == (None, None)


def test_bad_input_is_refused_beside_its_field_and_nothing_is_written(factory: Factory) -> None:
    api = factory.api(factory.person("Camille"))
    assert _errors(
        api.post("/api/v1/feedback", json={"category": "tools", "body": "   ", "anonymous": False})
    ) == {"body": "Write your feedback."}
    too_long = api.post(
        "/api/v1/feedback", json={"category": "tools", "body": "x" * 5001, "anonymous": False}
    )
    assert _errors(too_long) == {"body": "At most 5,000 characters."}
    unknown = api.post("/api/v1/feedback", json={"category": "weather", "body": "Rain", "anonymous": False})
    assert _errors(unknown) == {"category": "Choose one of the offered categories."}
    both = _errors(api.post("/api/v1/feedback", json={"category": "", "body": "", "anonymous": False}))
    assert set(both) == {"category", "body"}
    assert "anonymous" in _errors(
        api.post("/api/v1/feedback", json={"category": "tools", "body": "x", "anonymous": "no"})
    )
    assert api.get("/api/v1/feedback/mine").json()["items"] == []


def test_sending_the_same_text_twice_makes_one_item(factory: Factory) -> None:
    api = factory.api(factory.person("Double Clicker"))
    first = _send(api, "Please fix the heating", anonymous=True)
    again = _send(api, "  Please fix   the heating ", anonymous=True)
    assert again["id"] == first["id"]
    other = _send(api, "Please fix the lights", anonymous=True)
    assert other["id"] != first["id"]
    assert len(api.get("/api/v1/feedback/mine").json()["items"]) == 2


def test_declining_needs_a_reason_the_author_reads(factory: Factory) -> None:
    author = factory.person("Author")
    hr_api = factory.api(factory.person("HR", roles=("hr",)))
    item = _send(factory.api(author), "Free lunch every day", category="idea")
    assert _errors(hr_api.patch(f"/api/v1/feedback/{item['id']}", json={"status": "declined"})) == {
        "reason": "Say why it is declined: its author reads it."
    }
    assert "status" in _errors(hr_api.patch(f"/api/v1/feedback/{item['id']}", json={"status": "lost"}))
    hr_api.patch(f"/api/v1/feedback/{item['id']}", json={"status": "declined", "reason": "Not in the budget"})
    [mine] = factory.api(author).get("/api/v1/feedback/mine").json()["items"]
    assert (mine["status"], mine["decline_reason"]) == ("declined", "Not in the budget")


def test_inbox_filters_assignment_and_internal_notes(factory: Factory) -> None:
    hr, colleague = factory.person("Hélène", roles=("hr",)), factory.person("Hugo HR", roles=("hr",))
    hr_api = factory.api(hr)
    author = factory.person("Author")
    api = factory.api(author)
    tools = _send(api, "Slow VPN", category="tools")
    training = _send(api, "More Excel training", category="training", anonymous=True)
    hr_api.patch(
        f"/api/v1/feedback/{training['id']}", json={"status": "in_review", "assignee_id": colleague.id}
    )

    def ids(query: str) -> set[int]:
        response = hr_api.get(f"/api/v1/feedback{query}")
        assert response.status_code == 200, response.text
        return {i["id"] for i in response.json()["items"]}

    assert ids("?category=tools") == {tools["id"]}
    assert ids("?status=in_review") == {training["id"]}
    assert ids(f"?assignee={colleague.id}") == {training["id"]}
    assert ids("?assignee=none") == {tools["id"]}
    assert ids("?since=2000-01-01&until=2000-01-02") == set()
    assert len(ids("?since=2000-01-01")) == 2
    assert "status" in _errors(hr_api.get("/api/v1/feedback?status=lost"))
    assert "assignee_id" in _errors(
        hr_api.patch(f"/api/v1/feedback/{tools['id']}", json={"assignee_id": author.id})
    )

    note = hr_api.post(f"/api/v1/feedback/{training['id']}/notes", json={"body": "Ask the training team"})
    assert note.status_code == 201
    assert [n["body"] for n in hr_api.get(f"/api/v1/feedback/{training['id']}").json()["notes"]] == [
        "Ask the training team"
    ]
    assert (
        factory.api(colleague).get(f"/api/v1/feedback/{training['id']}").json()["assignee"]["id"]
        == colleague.id
    )
    [mine_training] = [
        i for i in api.get("/api/v1/feedback/mine").json()["items"] if i["id"] == training["id"]
    ]
    assert mine_training["notes"] == [] and mine_training["assignee"] is None


def test_merging_a_duplicate_keeps_its_author_informed(factory: Factory, database: Database) -> None:
    hr_api = factory.api(factory.person("HR", roles=("hr",)))
    first_author, second_author = factory.person("First"), factory.person("Second")
    kept = _send(factory.api(first_author), "The car park barrier is broken")
    duplicate = _send(factory.api(second_author), "Barrier at the car park broken again", anonymous=True)

    merged = hr_api.post(f"/api/v1/feedback/{duplicate['id']}/merge", json={"into": kept["id"]})
    assert merged.status_code == 200 and merged.json()["merged_into"] == kept["id"]
    assert {i["id"] for i in hr_api.get("/api/v1/feedback").json()["items"]} == {kept["id"]}
    assert hr_api.get(f"/api/v1/feedback/{kept['id']}").json()["merged"] == [duplicate["id"]]
    assert "into" in _errors(hr_api.post(f"/api/v1/feedback/{kept['id']}/merge", json={"into": kept["id"]}))

    hr_api.patch(f"/api/v1/feedback/{kept['id']}", json={"status": "done"})
    [mine] = factory.api(second_author).get("/api/v1/feedback/mine").json()["items"]
    assert mine["id"] == duplicate["id"] and mine["status"] == "done" and mine["merged_into"] == kept["id"]
    texts = {render_text("feedback", "", 0, n.params) for n in _notes_of(database, second_author)}
    assert "One of your anonymous feedback items is now: done" in texts


def test_an_author_may_reveal_their_name_later(factory: Factory) -> None:
    author = factory.person("Brave Author", department="Legal")
    hr_api = factory.api(factory.person("HR", roles=("hr",)))
    item = _send(factory.api(author), "I was the one who asked", anonymous=True)
    assert hr_api.get(f"/api/v1/feedback/{item['id']}").json()["author"] is None
    assert (
        factory.api(factory.person("Someone")).post(f"/api/v1/feedback/{item['id']}/reveal").status_code
        == 404
    )
    revealed = factory.api(author).post(f"/api/v1/feedback/{item['id']}/reveal")
    assert revealed.status_code == 200 and revealed.json()["anonymous"] is False
    seen = hr_api.get(f"/api/v1/feedback/{item['id']}").json()
    assert seen["author"]["display_name"] == "Brave Author" and seen["revealed_on"] is not None
    assert len(factory.api(author).get("/api/v1/feedback/mine").json()["items"]) == 1


def test_attachments_are_stripped_and_shown_to_hr_and_the_author_only(factory: Factory) -> None:
    author = factory.person("Photographer")
    author_api, hr_api = factory.api(author), factory.api(factory.person("HR", roles=("hr",)))
    item = _send(author_api, "Look at this broken chair", anonymous=True)
    files = {"file": ("camille-martin-chair.jpg", _jpeg_with_exif(), "image/jpeg")}
    assert author_api.put(f"/api/v1/feedback/{item['id']}/attachment", files=files).status_code == 204

    seen = hr_api.get(f"/api/v1/feedback/{item['id']}").json()
    assert seen["attachment"]["filename"] == "attachment.jpg"  # the file's own name could be a person's
    served = hr_api.get(seen["attachment"]["url"])
    assert served.status_code == 200 and served.headers["x-content-type-options"] == "nosniff"
    assert b"Camille Martin" not in served.content and b"PhoneMaker" not in served.content
    assert not Image.open(io.BytesIO(served.content)).getexif()
    assert author_api.get(seen["attachment"]["url"]).status_code == 200
    assert factory.api(factory.person("Nosy")).get(seen["attachment"]["url"]).status_code == 404

    pdf = {"file": ("report.pdf", b"%PDF-1.4 /Author (Camille Martin)", "application/pdf")}
    refused = author_api.put(f"/api/v1/feedback/{item['id']}/attachment", files=pdf)
    assert "attachment" in _errors(refused)
    named = _send(author_api, "Here is the report")
    unicode_pdf = {"file": ("rapport-łódź-北京.pdf", b"%PDF-1.4 report", "application/pdf")}
    assert author_api.put(f"/api/v1/feedback/{named['id']}/attachment", files=unicode_pdf).status_code == 204
    served_pdf = hr_api.get(f"/api/v1/feedback/{named['id']}/attachment")
    assert served_pdf.status_code == 200 and served_pdf.content == b"%PDF-1.4 report"
    assert served_pdf.headers["content-disposition"].startswith("attachment;")
    assert author_api.put(f"/api/v1/feedback/{named['id']}/attachment", files=pdf).status_code == 204
    text_file = {"file": ("notes.txt", b"hello", "text/plain")}
    assert _errors(author_api.put(f"/api/v1/feedback/{named['id']}/attachment", files=text_file)) == {
        "attachment": "Attach an image (JPEG, PNG, WebP, GIF) or a PDF."
    }


def test_hr_edits_the_categories(factory: Factory) -> None:
    hr_api = factory.api(factory.person("HR", roles=("hr",)))
    employee_api = factory.api(factory.person("Employee"))
    keys = [c["key"] for c in employee_api.get("/api/v1/feedback/categories").json()["items"]]
    assert keys == ["work_conditions", "tools", "training", "management", "csr_initiative", "idea", "other"]

    added = hr_api.post("/api/v1/feedback/categories", json={"label_en": "Canteen", "label_fr": "Cantine"})
    assert added.status_code == 201 and added.json()["key"] == "canteen"
    assert employee_api.post("/api/v1/feedback/categories", json={"label_en": "Mine"}).status_code == 404
    renamed = hr_api.patch("/api/v1/feedback/categories/tools", json={"label_en": "Software and hardware"})
    assert renamed.json()["label"] == "Software and hardware"
    hr_api.patch("/api/v1/feedback/categories/other", json={"retired": True})
    keys = [c["key"] for c in employee_api.get("/api/v1/feedback/categories").json()["items"]]
    assert "canteen" in keys and "other" not in keys
    assert "category" in _errors(
        employee_api.post("/api/v1/feedback", json={"category": "other", "body": "x", "anonymous": False})
    )
    _send(employee_api, "Vegetarian options please", category="canteen")


def test_the_board_you_said_we_did(factory: Factory) -> None:
    hr_api = factory.api(factory.person("Hélène", roles=("hr",)))
    author = factory.person("Idea Author")
    voters = [factory.api(factory.person(f"Voter {n}")) for n in range(2)]
    item = _send(
        factory.api(author),
        "We should car-pool from Villeurbanne, I am Idea Author",
        category="csr_initiative",
        anonymous=True,
    )

    published = hr_api.post(
        f"/api/v1/feedback/{item['id']}/publish",
        json={
            "title": "Car-pooling from the east side",
            "body": "Colleagues asked for car-pooling.",
            "outcome": "A car-pooling group starts in May.",
            "initiative": True,
        },
    )
    assert published.status_code == 201, published.text
    entry_id = published.json()["id"]
    # the original stays as it was written
    assert hr_api.get(f"/api/v1/feedback/{item['id']}").json()["body"].startswith("We should car-pool")

    board = voters[0].get("/api/v1/feedback/board").json()["items"]
    assert [(e["title"], e["outcome"], e["item_id"]) for e in board] == [
        ("Car-pooling from the east side", "A car-pooling group starts in May.", None)
    ]
    assert "Idea Author" not in voters[0].get(f"/api/v1/feedback/board/{entry_id}").text

    for _ in range(2):
        assert voters[0].put(f"/api/v1/feedback/board/{entry_id}/vote").status_code == 204
    voters[1].put(f"/api/v1/feedback/board/{entry_id}/vote")
    detail = voters[0].get(f"/api/v1/feedback/board/{entry_id}").json()
    assert detail["vote_count"] == 2 and detail["voted"] is True
    voters[1].delete(f"/api/v1/feedback/board/{entry_id}/vote")
    voters[1].delete(f"/api/v1/feedback/board/{entry_id}/vote")
    assert voters[0].get(f"/api/v1/feedback/board/{entry_id}").json()["vote_count"] == 1

    assert (
        voters[0]
        .post(f"/api/v1/feedback/board/{entry_id}/comments", json={"body": "Count me in"})
        .status_code
        == 201
    )
    assert "body" in _errors(voters[0].post(f"/api/v1/feedback/board/{entry_id}/comments", json={"body": ""}))
    voters[0].put(f"/api/v1/feedback/board/{entry_id}/volunteer", json={"public": True})
    voters[1].put(f"/api/v1/feedback/board/{entry_id}/volunteer", json={"public": False})
    detail = voters[1].get(f"/api/v1/feedback/board/{entry_id}").json()
    assert detail["volunteer_count"] == 2 and [v["display_name"] for v in detail["volunteers"]] == ["Voter 0"]
    assert [c["body"] for c in detail["comments"]] == ["Count me in"] and detail["comment_count"] == 1

    hr_api.patch(f"/api/v1/feedback/{item['id']}", json={"status": "done"})
    assert [e["id"] for e in voters[0].get("/api/v1/feedback/board?status=done").json()["items"]] == [
        entry_id
    ]
    assert voters[0].get("/api/v1/feedback/board?status=declined").json()["items"] == []
    assert voters[0].get("/api/v1/feedback/board?category=tools").json()["items"] == []
    assert len(voters[0].get("/api/v1/feedback/board?initiatives=true").json()["items"]) == 1

    tools_item = _send(factory.api(author), "Slow laptops", category="tools")
    not_initiative = hr_api.post(
        f"/api/v1/feedback/{tools_item['id']}/publish",
        json={"title": "Laptops", "body": "Slow laptops", "initiative": True},
    )
    assert "initiative" in _errors(not_initiative)
    assert (
        voters[0]
        .post(f"/api/v1/feedback/{tools_item['id']}/publish", json={"title": "x", "body": "y"})
        .status_code
        == 404
    )
