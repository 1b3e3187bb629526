"""Notification emails against a real SMTP server (aiosmtpd): digests in each person's language, sent once."""

from __future__ import annotations

import re
import socket
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from email import message_from_string
from email.message import EmailMessage
from email.policy import default as default_policy
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from aiosmtpd.controller import Controller
from fastapi.testclient import TestClient
from sqlalchemy import select
from typer.testing import CliRunner

import app.cli
from app.db import Database
from app.models import EmailDelivery, User
from app.services import digests, email
from app.settings import Settings
from tests.factories import Factory

BASE = "https://proxima.example.com"
PARIS = ZoneInfo("Europe/Paris")


class Inbox:
    """An SMTP handler keeping what it accepted; it can refuse the next recipients for a while."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self.refuse_next = 0
        self.port = 0

    async def handle_RCPT(  # aiosmtpd's hook names
        self, server: Any, session: Any, envelope: Any, address: str, rcpt_options: list[str]
    ) -> str:
        if self.refuse_next:
            self.refuse_next -= 1
            return "451 4.3.0 Try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        # an SMTPUTF8 message carries raw UTF-8 headers: read it as text
        message = message_from_string(envelope.content.decode("utf-8"), policy=default_policy)
        assert isinstance(message, EmailMessage)
        self.messages.append(message)
        return "250 Message accepted"

    def to(self, person: User) -> list[EmailMessage]:
        """The messages addressed to one person."""
        return [m for m in self.messages if m["To"].addresses[0].addr_spec == person.email]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def inbox() -> Iterator[Inbox]:
    handler = Inbox()
    controller = Controller(handler, hostname="127.0.0.1", port=_free_port(), enable_SMTPUTF8=True)
    controller.start()
    handler.port = controller.port
    yield handler
    controller.stop()


@pytest.fixture
def mail_settings(settings: Settings, inbox: Inbox) -> Settings:
    return settings.model_copy(
        update={
            "smtp_host": "127.0.0.1",
            "smtp_port": inbox.port,
            "smtp_timeout": 5.0,
            "base_url": BASE,
            "smtp_from": "Proxima <proxima@example.com>",
        }
    )


def _local(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=PARIS)


def _tomorrow_at(hour: int, minute: int = 0) -> datetime:
    today = datetime.now(PARIS).date()
    return _local(today + timedelta(days=1), hour, minute)


def _send(database: Database, settings: Settings, as_of: datetime) -> digests.DigestReport:
    return digests.send_digests(database, settings=settings, as_of=as_of)


def _mention(author: TestClient, *people: User, text: str) -> int:
    handles = " ".join(f"@{p.handle}" for p in people)
    response = author.post("/api/v1/posts", json={"kind": "status", "body": f"{text} {handles}"})
    assert response.status_code == 201, response.text
    return int(response.json()["id"])


def _links(message: EmailMessage) -> list[str]:
    text = message.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    return re.findall(r"https?://\S+", text)


def _parts(message: EmailMessage) -> tuple[str, str]:
    text = message.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    html = message.get_body(("html",)).get_content()  # type: ignore[union-attr]
    return text, html


def _deliveries(database: Database) -> list[tuple[int, str, str, str]]:
    with database.session(write=False) as db:
        rows = db.scalars(select(EmailDelivery).order_by(EmailDelivery.id)).all()
        return [(r.user_id, r.kind, r.period, r.status) for r in rows]


def test_daily_digest_speaks_each_persons_language_with_working_links(
    factory: Factory, database: Database, inbox: Inbox, mail_settings: Settings
) -> None:
    amelie = factory.person("Amélie Durand", locale="fr")
    ben = factory.person("Ben Carter", locale="en")
    lea = factory.person("Léa Petit")
    lea_api = factory.api(lea)
    _mention(lea_api, amelie, ben, text="Budget review on Thursday")
    _mention(lea_api, amelie, text="Coffee machine fixed")
    # Amélie reads one of them in the app: it stays out of her digest
    amelie_browser = factory.browser(amelie)
    items = factory.api(amelie).get("/api/v1/notifications").json()["items"]
    [coffee] = [n["id"] for n in items if "Coffee" in n["text"]]
    assert amelie_browser.get(f"/notifications/{coffee}/open").status_code == 200
    # a mention in a secret community Amélie has since left: she may no longer see it
    slug = lea_api.post(
        "/api/v1/communities", json={"name": "Board room", "description": "x", "visibility": "secret"}
    ).json()["slug"]
    assert lea_api.put(f"/api/v1/communities/{slug}/members/{amelie.id}").status_code == 204
    secret = lea_api.post(
        "/api/v1/posts",
        json={"kind": "status", "body": f"Merger talks @{amelie.handle}", "community": slug},
    )
    assert secret.status_code == 201
    assert lea_api.delete(f"/api/v1/communities/{slug}/members/{amelie.id}").status_code == 204

    report = _send(database, mail_settings, _tomorrow_at(9))

    assert report.sent["daily"] == 2 and report.failed == 0
    [french] = inbox.to(amelie)
    [english] = inbox.to(ben)
    assert french["Subject"] == "Proxima : 1 chose que vous n'avez pas vue"
    assert english["Subject"] == "Proxima: 1 thing you have not seen"
    assert french["Content-Language"] == "fr" and english["Content-Language"] == "en"
    text, html = _parts(french)
    assert "Bonjour Amélie Durand," in text
    assert "Léa Petit vous a mentionné dans « Budget review on Thursday" in text
    assert "Coffee machine" not in text and "Merger" not in text and "Merger" not in html
    assert '<html lang="fr">' in html and "Léa Petit vous a mentionné" in html
    english_text, _html = _parts(english)
    assert "Léa Petit mentioned you in “Budget review on Thursday" in english_text
    for message in (french, english):
        assert message["Message-ID"] and message["Date"]
        assert message["From"] == "Proxima <proxima@example.com>"
        assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        assert re.fullmatch(rf"<{BASE}/unsubscribe/[\w.-]+>", message["List-Unsubscribe"].strip())
    # every link is absolute and opens for the person; following a line reads it
    links = _links(french)
    assert links and all(link.startswith(BASE + "/") for link in links)
    for link in links:
        path = link.removeprefix(BASE)
        if path.startswith("/unsubscribe/"):
            assert TestClient(factory.app).get(path).status_code == 200
        else:
            assert amelie_browser.get(path).status_code == 200, path
    [line] = [link for link in links if "/notifications/" in link and link.endswith("/open")]
    landed = amelie_browser.get(line.removeprefix(BASE), follow_redirects=False)
    assert landed.status_code == 303 and landed.headers["location"].startswith("/posts/")
    assert factory.api(amelie).get("/api/v1/notifications?unread=true").json()["unread_count"] == 0


def test_a_second_run_sends_nothing_new(
    factory: Factory, database: Database, inbox: Inbox, mail_settings: Settings
) -> None:
    amelie = factory.person("Amélie Durand", locale="fr")
    ben = factory.api(factory.person("Ben Carter"))
    _mention(ben, amelie, text="Hello")

    first = _send(database, mail_settings, _tomorrow_at(9))
    again = _send(database, mail_settings, _tomorrow_at(9))
    assert sum(first.sent.values()) == 1 and sum(again.sent.values()) == 0
    _mention(ben, amelie, text="Another thing")
    later_that_day = _send(database, mail_settings, _tomorrow_at(18))
    assert sum(later_that_day.sent.values()) == 0 and later_that_day.skipped == 1  # today's went out
    next_day = _send(database, mail_settings, _tomorrow_at(9) + timedelta(days=1))

    assert sum(next_day.sent.values()) == 1
    first_mail, second_mail = inbox.to(amelie)
    assert "Hello" in _parts(first_mail)[0] and "Another thing" not in _parts(first_mail)[0]
    assert "Another thing" in _parts(second_mail)[0] and "Hello" not in _parts(second_mail)[0]
    day = datetime.now(PARIS).date() + timedelta(days=1)
    assert _deliveries(database) == [
        (amelie.id, "daily", day.isoformat(), "sent"),
        (amelie.id, "daily", (day + timedelta(days=1)).isoformat(), "sent"),
    ]


@pytest.mark.parametrize("after_acceptance", [False, True])
def test_a_run_that_crashes_halfway_never_sends_anyone_two_digests(
    factory: Factory,
    database: Database,
    inbox: Inbox,
    mail_settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
    after_acceptance: bool,
) -> None:
    people = [factory.person(f"Person {n}") for n in range(4)]
    _mention(factory.api(factory.person("Author")), *people, text="All hands")
    real_send = email.Mailer.send
    calls = 0

    def crashing_send(self: email.Mailer, message: EmailMessage) -> None:
        nonlocal calls
        calls += 1
        if calls == 3 and not after_acceptance:
            raise KeyboardInterrupt  # the process is killed before the server has the message
        real_send(self, message)
        if calls == 3:
            raise KeyboardInterrupt  # killed after the server took it, before it was marked sent

    monkeypatch.setattr(email.Mailer, "send", crashing_send)
    with pytest.raises(KeyboardInterrupt):
        _send(database, mail_settings, _tomorrow_at(9))
    assert len(inbox.messages) == (3 if after_acceptance else 2)
    monkeypatch.setattr(email.Mailer, "send", real_send)

    rerun = _send(database, mail_settings, _tomorrow_at(9, 15))

    received = [len(inbox.to(p)) for p in people]
    # the third person's digest was claimed by the crashed run: never sent twice, so lost if the
    # server did not have it yet; everyone else got exactly one
    assert received == [1, 1, 1 if after_acceptance else 0, 1]
    assert rerun.sent["daily"] == 1 and rerun.skipped == 1  # the others were marked emailed
    assert [(u.email, u.kind) for u in rerun.unconfirmed] == [(people[2].email, "daily")]
    statuses = {user_id: status for user_id, _kind, _period, status in _deliveries(database)}
    assert statuses == {
        people[0].id: "sent",
        people[1].id: "sent",
        people[2].id: "claimed",
        people[3].id: "sent",
    }
    # what the crashed digest carried was never marked emailed: it comes in the next period's digest
    _send(database, mail_settings, _tomorrow_at(9) + timedelta(days=1))
    assert [len(inbox.to(p)) for p in people] == [1, 1, 2 if after_acceptance else 1, 1]


def test_server_down_leaves_everything_for_the_next_run(
    factory: Factory,
    database: Database,
    inbox: Inbox,
    mail_settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    amelie = factory.person("Amélie Durand", locale="fr")
    ben = factory.person("Ben Carter")
    _mention(factory.api(factory.person("Author")), amelie, ben, text="Quarterly results")
    down = mail_settings.model_copy(update={"smtp_port": _free_port()})
    runner = CliRunner()
    as_of = _tomorrow_at(9).isoformat()

    monkeypatch.setattr(app.cli, "get_settings", lambda: down)
    failed = runner.invoke(app.cli.cli, ["notifications", "send-digests", "--as-of", as_of])
    assert failed.exit_code == 1, failed.output
    assert "0 sent" in failed.output and "unreachable" in failed.output
    assert _deliveries(database) == []

    monkeypatch.setattr(app.cli, "get_settings", lambda: mail_settings)
    ok = runner.invoke(app.cli.cli, ["notifications", "send-digests", "--as-of", as_of])
    assert ok.exit_code == 0, ok.output
    assert "emails: 2 sent (immediate 0, daily 2, weekly 0; 2 notifications)" in ok.output
    again = runner.invoke(app.cli.cli, ["notifications", "send-digests", "--as-of", as_of])
    assert again.exit_code == 0 and "0 sent" in again.output
    assert len(inbox.to(amelie)) == 1 and len(inbox.to(ben)) == 1


def test_a_refused_email_is_retried_by_the_next_run_and_sent_once(
    factory: Factory, database: Database, inbox: Inbox, mail_settings: Settings
) -> None:
    amelie = factory.person("Amélie Durand")
    ben = factory.person("Ben Carter")
    _mention(factory.api(factory.person("Author")), amelie, ben, text="Offsite")
    inbox.refuse_next = 1  # the first recipient is refused with 451

    first = _send(database, mail_settings, _tomorrow_at(9))
    assert first.failed == 1 and first.sent["daily"] == 1
    [failed] = [row for row in _deliveries(database) if row[3] == "failed"]
    assert failed[0] == amelie.id
    with database.session(write=False) as db:
        error = db.scalar(select(EmailDelivery.error).where(EmailDelivery.user_id == amelie.id))
    assert error is not None and "451" in error

    second = _send(database, mail_settings, _tomorrow_at(9, 15))
    third = _send(database, mail_settings, _tomorrow_at(9, 30))
    assert second.sent["daily"] == 1 and sum(third.sent.values()) == 0
    assert len(inbox.to(amelie)) == 1 and len(inbox.to(ben)) == 1
    assert {row[3] for row in _deliveries(database)} == {"sent"}


def test_a_weekly_digest_goes_out_on_the_first_run_of_each_week(
    factory: Factory, database: Database, inbox: Inbox, mail_settings: Settings
) -> None:
    willa = factory.person("Willa Weekly")
    response = factory.api(willa).put("/api/v1/notifications/preferences", json={"mention": "weekly"})
    assert response.status_code == 200
    author = factory.api(factory.person("Author"))
    _mention(author, willa, text="First")
    this_week = digests.periods_at(datetime.now(UTC), mail_settings).weekly_start
    monday = (this_week.astimezone(PARIS) + timedelta(days=7)).date()  # when the next week starts

    _send(database, mail_settings, _local(monday - timedelta(days=1), 9))  # Sunday: no digest
    _send(database, mail_settings, _local(monday, 7, 59))  # before 8:00: still last week's period
    assert inbox.to(willa) == []
    _send(database, mail_settings, _local(monday, 9))
    assert [m["Subject"] for m in inbox.to(willa)] == ["Proxima, your week: 1 thing you have not seen"]

    _mention(author, willa, text="Second")
    for day in range(1, 7):  # the rest of the week: this week's digest went out
        _send(database, mail_settings, _local(monday + timedelta(days=day), 9))
    assert len(inbox.to(willa)) == 1
    _send(database, mail_settings, _local(monday + timedelta(days=7), 8, 5))  # the next Monday
    assert len(inbox.to(willa)) == 2
    assert "Second" in _parts(inbox.to(willa)[1])[0]
    weeks = [monday.isocalendar(), (monday + timedelta(days=7)).isocalendar()]
    assert _deliveries(database) == [
        (willa.id, "weekly", f"{year}-W{week:02d}", "sent") for year, week, _day in weeks
    ]


def test_periods_follow_the_local_digest_hour() -> None:
    settings = Settings(env="test", timezone="Europe/Paris", digest_hour=8)
    # Monday 30 March 2026 (the day after the clocks moved forward), 07:59 and 08:00 in Paris
    before = digests.periods_at(datetime(2026, 3, 30, 5, 59, tzinfo=UTC), settings)
    after = digests.periods_at(datetime(2026, 3, 30, 6, 0, tzinfo=UTC), settings)
    assert (before.daily, before.weekly) == ("2026-03-29", "2026-W13")
    assert (after.daily, after.weekly) == ("2026-03-30", "2026-W14")
    assert after.daily_start == after.weekly_start == datetime(2026, 3, 30, 6, 0, tzinfo=UTC)
    assert before.daily_start == datetime(2026, 3, 29, 6, 0, tzinfo=UTC)  # 8:00 summer time


def test_emails_at_once_gather_what_is_pending_into_one_email_per_run(
    factory: Factory, database: Database, inbox: Inbox, mail_settings: Settings
) -> None:
    amelie = factory.person("Amélie Durand")
    factory.api(amelie).put("/api/v1/notifications/preferences", json={"mention": "email"})
    author = factory.api(factory.person("Léa Petit"))
    _mention(author, amelie, text="Launch plan")
    _mention(author, amelie, text="Retro notes")
    now = datetime.now(UTC)

    first = _send(database, mail_settings, now)
    [both] = inbox.to(amelie)
    assert both["Subject"] == "Proxima: 2 new notifications"
    assert first.sent["immediate"] == 1 and first.notifications == 2
    assert sum(_send(database, mail_settings, now).sent.values()) == 0

    _mention(author, amelie, text="Lunch <i>today</i>")
    _send(database, mail_settings, datetime.now(UTC))
    assert len(inbox.to(amelie)) == 2
    latest = inbox.to(amelie)[-1]
    assert latest["Subject"].startswith("Proxima: Léa Petit mentioned you in “Lunch <i>today</i>")
    text, html = _parts(latest)
    assert "Lunch <i>today</i>" in text  # plain text stays as typed
    assert "<i>" not in html and "Lunch &lt;i&gt;today&lt;/i&gt;" in html  # HTML is escaped
    # nothing of it waits for a digest
    assert sum(_send(database, mail_settings, _tomorrow_at(9)).sent.values()) == 0
