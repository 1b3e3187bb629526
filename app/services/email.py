"""Outgoing email: the message (text and HTML, one-click unsubscribe headers) and one SMTP connection.

Sending tells apart what proves that a message was not accepted (the server refused the sender, the
recipient or the data: `Refused`, worth a retry) from what leaves it unknown (the connection broke
while the data was being handed over: `Uncertain`, never retried, so that nobody gets it twice).
Bodies are never logged.
"""

from __future__ import annotations

import contextlib
import smtplib
import ssl
from datetime import datetime
from email.headerregistry import Address
from email.message import EmailMessage
from email.policy import SMTP, SMTPUTF8
from email.utils import format_datetime, make_msgid, parseaddr
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape

from app.settings import Settings

# The templates sit with the other templates; they receive every string already translated.
TEMPLATES_DIR = Path(__file__).resolve().parent.parent / "web" / "templates" / "email"

SMTP_POLICY = SMTP  # headers folded at 78 characters, non-ASCII in RFC 2047 encoded words
# Raw UTF-8 headers (RFC 6532) are kept on one line (up to RFC 5322's 998 characters) rather than
# folded right after their name; the parts' own encodings keep body lines short.
SMTPUTF8_POLICY = SMTPUTF8.clone(max_line_length=998)

_env = Environment(
    loader=FileSystemLoader(TEMPLATES_DIR),
    autoescape=select_autoescape(enabled_extensions=("html",), default_for_string=False),
    trim_blocks=True,
    lstrip_blocks=True,
    keep_trailing_newline=True,
)


class Unreachable(Exception):
    """The SMTP server could not be reached or refused us (connection, TLS, authentication)."""


class Refused(Exception):
    """The server answered that it will not take this message (4xx/5xx): it was not accepted."""


class Uncertain(Exception):
    """The connection broke while the message was handed over: it may or may not have been accepted."""


def render(template: str, context: dict[str, Any]) -> str:
    """Render an email template (HTML templates are autoescaped)."""
    return _env.get_template(template).render(context)


def build_message(
    *,
    settings: Settings,
    to_address: str,
    to_name: str,
    subject: str,
    text: str,
    html: str,
    locale: str,
    unsubscribe_url: str,
    date: datetime,
) -> EmailMessage:
    """A multipart (text + HTML) email with the one-click unsubscribe headers of RFC 8058."""
    from_address = parseaddr(settings.smtp_from)[1]
    domain = from_address.rpartition("@")[2] or "proxima.invalid"
    message = EmailMessage()
    message["Subject"] = subject
    message["From"] = settings.smtp_from
    local, _at, to_domain = to_address.rpartition("@")
    message["To"] = Address(display_name=to_name, username=local, domain=to_domain)
    message["Date"] = format_datetime(date)
    message["Message-ID"] = make_msgid("proxima", domain=domain)
    message["Auto-Submitted"] = "auto-generated"  # RFC 3834: out-of-office replies stay quiet
    message["List-Unsubscribe"] = f"<{unsubscribe_url}>"
    message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    message.set_content(text)
    message.add_alternative(html, subtype="html")
    message["Content-Language"] = locale  # after the parts: making them moves Content-* headers down
    return message


class Mailer:
    """One SMTP connection for a whole run, opened on first use and reopened when it was dropped."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._connection: smtplib.SMTP | None = None
        self._fresh = False  # opened for the next message: no need to check it is still there

    def open(self) -> None:
        """Make sure a working connection is there; raises Unreachable when none can be had."""
        if self._connection is not None and not self._fresh:
            try:
                code, _reply = self._connection.noop()
                if code == 250:
                    return
            except (smtplib.SMTPException, OSError):
                pass
            self._drop()
        if self._connection is not None:
            return
        s = self.settings
        try:
            connection: smtplib.SMTP
            if s.smtp_ssl:
                context = ssl.create_default_context()
                connection = smtplib.SMTP_SSL(
                    s.smtp_host, s.smtp_port, timeout=s.smtp_timeout, context=context
                )
            else:
                connection = smtplib.SMTP(s.smtp_host, s.smtp_port, timeout=s.smtp_timeout)
            connection.ehlo()
            if s.smtp_starttls and not s.smtp_ssl:
                connection.starttls(context=ssl.create_default_context())
                connection.ehlo()
            if s.smtp_username:
                connection.login(s.smtp_username, s.smtp_password or "")
        except (smtplib.SMTPException, OSError) as exc:
            raise Unreachable(f"{s.smtp_host}:{s.smtp_port}: {_describe(exc)}") from exc
        self._connection = connection
        self._fresh = True

    def send(self, message: EmailMessage) -> None:
        """Hand one message to the server; returns once the server accepted it (250 after DATA)."""
        self.open()
        connection = self._connection
        assert connection is not None
        self._fresh = False
        sender = parseaddr(self.settings.smtp_from)[1]
        recipient = message["To"].addresses[0].addr_spec
        options: list[str] = []
        if (sender + recipient).isascii():
            payload = message.as_bytes(policy=SMTP_POLICY)
        elif connection.has_extn("smtputf8"):  # an internationalised address (RFC 6531)
            options = ["SMTPUTF8", "BODY=8BITMIME"]
            payload = message.as_bytes(policy=SMTPUTF8_POLICY)
        else:
            raise Refused("the server does not take non-ASCII addresses (no SMTPUTF8)")
        stage = "MAIL"
        try:
            code, reply = connection.mail(sender, options)
            if code != 250:
                self._reset()
                raise Refused(f"MAIL {code} {_text(reply)}")
            stage = "RCPT"
            code, reply = connection.rcpt(recipient)
            if code not in (250, 251):
                self._reset()
                raise Refused(f"RCPT {code} {_text(reply)}")
            stage = "DATA"
            connection.data(payload)
        except smtplib.SMTPResponseException as exc:  # the server's own answer: not accepted
            self._reset()
            raise Refused(f"{stage} {exc.smtp_code} {_text(exc.smtp_error)}") from exc
        except (smtplib.SMTPException, OSError) as exc:
            self._drop()
            if stage == "DATA":
                raise Uncertain(f"DATA: {_describe(exc)}") from exc
            raise Refused(f"{stage}: {_describe(exc)}") from exc

    def close(self) -> None:
        """Say goodbye to the server."""
        if self._connection is not None:
            with contextlib.suppress(smtplib.SMTPException, OSError):
                self._connection.quit()
        self._connection = None

    def _reset(self) -> None:
        try:
            if self._connection is not None:
                self._connection.rset()
        except (smtplib.SMTPException, OSError):
            self._drop()

    def _drop(self) -> None:
        if self._connection is not None:
            with contextlib.suppress(OSError):
                self._connection.close()
        self._connection = None


def _text(reply: bytes | str) -> str:
    return (reply.decode(errors="replace") if isinstance(reply, bytes) else reply)[:300]


def _describe(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}"[:300]
