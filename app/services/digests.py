"""Notification emails: at once, or daily and weekly digests of what a person has not seen — each sent once.

Who gets what: for each active person, the lines they may still see (`notifications.visible_clause`),
unread and not yet emailed, of the types whose channel is `email` (told at once), `daily` or
`weekly`. Periods are read in `settings.timezone` from `as_of`: the daily period of day D starts at
D `digest_hour`:00 (8:00 by default), the weekly period of ISO week W on its Monday at that hour. A
person gets a digest on the first run of a period when something they have not seen is older than
the period's start; what came after waits for the next period, so digests go out at a predictable
time. Emails "at once" carry everything pending of that person, one email per run.

Sent once: each email is first claimed — an `EmailDelivery` row, unique on (person, kind, period),
committed — then handed to the SMTP server, then marked sent with its notifications `emailed_at`.
A rerun finds the claim and skips it, so nobody gets an email twice, even if a run crashed. The
price: a run that stops between the claim and the server's acceptance loses that one email (its
notifications stay unseen-and-unemailed and come in the next period's digest); such rows stay
`claimed` and every later run reports them. A refusal by the server (4xx/5xx on MAIL, RCPT or DATA)
marks the row `failed`; the next run in the same period takes it back with a conditional UPDATE
that one run alone can win, and sends it then. An email "at once" is claimed per notification and
per version of it (a grouped line that grows is a new version).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta
from email.message import EmailMessage
from zoneinfo import ZoneInfo

from itsdangerous import BadSignature, Signer
from sqlalchemy import ColumnElement, and_, case, func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.db import Database
from app.i18n import _, current_locale, format_datetime, ngettext, use_locale
from app.models import (
    Channel,
    Community,
    EmailDelivery,
    Membership,
    MemberStatus,
    Notification,
    NotificationPreference,
    NotificationType,
    User,
)
from app.models.base import utcnow
from app.services import email, notifications
from app.services.engagement import N_
from app.services.errors import NotFound
from app.settings import Settings

T = NotificationType

# What each type means to the person choosing, in the order of the preferences page and of digests.
TYPE_LABELS: dict[str, str] = {
    T.mention: N_("Mentions of me"),
    T.comment: N_("Comments on my posts"),
    T.reply: N_("Replies to my comments"),
    T.answer: N_("Answers to my questions"),
    T.answer_accepted: N_("My answers accepted"),
    T.praise: N_("Praise for me"),
    T.like: N_("Reactions to my posts"),
    T.event: N_("Events I go to: changes and reminders"),
    T.join_request: N_("Requests to join communities I manage"),
    T.join_decision: N_("Answers to my requests to join"),
    T.community_post: N_("New posts in communities I watch"),
    T.community_winback: N_("Communities that miss me"),
    T.mentoring: N_("Reverse mentoring"),
    T.ambassador_invitation: N_("Invitations to become an ambassador"),
    T.delegate_draft: N_("Drafts my delegates prepare for me"),
    T.campaign: N_("Messages from HR and communications"),
    T.feedback: N_("My feedback to HR"),
}
CHANNEL_LABELS: dict[str, str] = {
    Channel.app: N_("In the app"),
    Channel.email: N_("Email at once"),
    Channel.daily: N_("Daily digest"),
    Channel.weekly: N_("Weekly digest"),
    Channel.off: N_("Off"),
}
WATCH_LABELS: dict[str, str] = {
    "all": N_("Every post"),
    "mentions": N_("Mentions and replies"),
    "muted": N_("Nothing (muted)"),
}


def type_labels() -> list[tuple[str, str]]:
    """Every notification type with its label in the current language, in the order people read them."""
    order = [*TYPE_LABELS, *(t for t in notifications.DEFAULT_CHANNELS if t not in TYPE_LABELS)]
    return [(str(t), _(TYPE_LABELS[t]) if t in TYPE_LABELS else str(t)) for t in order]


KINDS: dict[str, str] = {"immediate": Channel.email, "daily": Channel.daily, "weekly": Channel.weekly}
MAX_LINES = 50  # lines in one email; the rest is counted and waits in the app
UNCONFIRMED_DAYS = 7  # how far back a run reports claims that were never confirmed sent


# ---- periods --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Periods:
    """The daily and weekly periods an instant falls in, and when each started."""

    daily: str
    daily_start: datetime
    weekly: str
    weekly_start: datetime


def periods_at(as_of: datetime, settings: Settings) -> Periods:
    """The day (2026-11-24) and ISO week (2026-W48) of an instant, each starting at the digest hour."""
    zone = ZoneInfo(settings.timezone)
    day = (as_of.astimezone(zone) - timedelta(hours=settings.digest_hour)).date()
    monday = day - timedelta(days=day.weekday())
    year, week, _weekday = day.isocalendar()

    def start(d: object) -> datetime:
        return datetime.combine(d, time(settings.digest_hour), tzinfo=zone).astimezone(UTC)  # type: ignore[arg-type]

    return Periods(day.isoformat(), start(day), f"{year}-W{week:02d}", start(monday))


# ---- what a person has not seen -------------------------------------------------------------------


@dataclass(frozen=True)
class Line:
    """One notification as it goes into an email."""

    id: int
    version: datetime  # its created_at, which moves when a grouped line grows
    type: str
    actor: str
    actor_count: int
    params: dict[str, object]

    @property
    def key(self) -> str:
        """The period of an email "at once" about this version of the line."""
        return f"{self.id}@{self.version.astimezone(UTC):%Y%m%dT%H%M%S.%f}"


def _channel() -> ColumnElement[str]:
    """Each notification's channel for its person: their choice, else the type's default."""
    default = case(
        {str(t): str(c) for t, c in notifications.DEFAULT_CHANNELS.items()},
        value=Notification.type,
        else_=Channel.app.value,
    )
    return func.coalesce(NotificationPreference.channel, default)


def _pending(channel: str, upto: datetime) -> list[ColumnElement[bool]]:
    return [
        Notification.read_at.is_(None),
        Notification.emailed_at.is_(None),
        Notification.created_at <= upto,
        _channel() == channel,
    ]


def _with_preference(stmt):  # type: ignore[no-untyped-def]
    return stmt.outerjoin(
        NotificationPreference,
        and_(
            NotificationPreference.user_id == Notification.user_id,
            NotificationPreference.type == Notification.type,
        ),
    )


def _candidates(db: Session, *, channel: str, before: datetime, upto: datetime) -> list[int]:
    """People who may have something for this channel older than `before` (visibility checked later)."""
    stmt = _with_preference(
        select(Notification.user_id).distinct().join(User, User.id == Notification.user_id)
    ).where(User.is_active.is_(True), Notification.created_at < before, *_pending(channel, upto))
    return sorted(db.scalars(stmt).all())


def lines_for(db: Session, *, user_id: int, channel: str, upto: datetime) -> list[Line]:
    """What this person may still see, has not read and was not emailed, for one channel; newest first."""
    actor = User.__table__.alias("actor")
    stmt = (
        _with_preference(select(Notification, actor.c.display_name))
        .outerjoin(actor, actor.c.id == Notification.actor_id)
        .where(notifications.visible_clause(user_id), *_pending(channel, upto))
        .order_by(Notification.created_at.desc(), Notification.id.desc())
    )
    return [
        Line(n.id, n.created_at, n.type, name or "", n.actor_count, dict(n.params or {}))
        for n, name in db.execute(stmt).all()
    ]


# ---- the email ------------------------------------------------------------------------------------


def absolute(settings: Settings, path: str) -> str:
    """A link that works from a mailbox."""
    if path.startswith(("http://", "https://")):
        return path
    return settings.base_url.rstrip("/") + "/" + path.lstrip("/")


def unsubscribe_signer(settings: Settings) -> Signer:
    """Signs the person named in unsubscribe links."""
    return Signer(settings.secret_key, salt="proxima.unsubscribe")


def unsubscribe_token(settings: Settings, user_id: int) -> str:
    """The token of a person's one-click unsubscribe link (it does not expire)."""
    return unsubscribe_signer(settings).sign(str(user_id)).decode()


def unsubscribe_url(settings: Settings, user_id: int) -> str:
    """The one-click unsubscribe link of a person."""
    return absolute(settings, f"/unsubscribe/{unsubscribe_token(settings, user_id)}")


def compose(settings: Settings, *, user: User, kind: str, lines: list[Line], at: datetime) -> EmailMessage:
    """The email of `lines` for this person, in their language (their choice, else the default)."""
    locale = user.locale or settings.default_locale
    previous = current_locale()
    use_locale(locale)
    try:
        return _compose(settings, user=user, kind=kind, lines=lines, at=at, locale=current_locale())
    finally:
        use_locale(previous)


def _compose(
    settings: Settings, *, user: User, kind: str, lines: list[Line], at: datetime, locale: str
) -> EmailMessage:
    n = len(lines)
    shown = lines[:MAX_LINES]
    texts = {
        line.id: notifications.render_text(line.type, line.actor, line.actor_count, line.params)
        for line in shown
    }
    if kind == "daily":
        subject = ngettext(
            "Proxima: {n} thing you have not seen", "Proxima: {n} things you have not seen", n
        ).format(n=n)
        intro = _("Here is what happened on Proxima that you have not seen yet.")
        reason = _("You get this daily digest because of your notification settings.")
    elif kind == "weekly":
        subject = ngettext(
            "Proxima, your week: {n} thing you have not seen",
            "Proxima, your week: {n} things you have not seen",
            n,
        ).format(n=n)
        intro = _("Here is your week on Proxima: what you have not seen yet.")
        reason = _("You get this weekly digest because of your notification settings.")
    else:
        first = texts[shown[0].id]
        subject = (
            _("Proxima: {text}").format(text=first if len(first) <= 120 else first[:119] + "…")
            if n == 1
            else ngettext("Proxima: {n} new notification", "Proxima: {n} new notifications", n).format(n=n)
        )
        intro = _("This just happened on Proxima.")
        reason = _("You get this email because you asked to be told at once.")
    groups = []
    for type_, label in type_labels():
        of_type = [line for line in shown if line.type == type_]
        if of_type:
            groups.append(
                {
                    "label": label,
                    "lines": [
                        {
                            "text": texts[line.id],
                            # through the notifications page: following the link reads the line
                            "url": absolute(settings, f"/notifications/{line.id}/open"),
                            "when": format_datetime(line.version, "short", tz=settings.timezone),
                        }
                        for line in of_type
                    ],
                }
            )
    unsubscribe = unsubscribe_url(settings, user.id)
    more = n - len(shown)
    context = {
        "lang": locale,
        "subject": subject,
        "greeting": _("Hello {name},").format(name=user.display_name),
        "intro": intro,
        "groups": groups,
        "more": ngettext(
            "And {n} more in your notifications.", "And {n} more in your notifications.", more
        ).format(n=more)
        if more
        else "",
        "open_label": _("Open my notifications"),
        "notifications_url": absolute(settings, "/notifications"),
        "reason": reason,
        "preferences_label": _("Choose what you get by email"),
        "preferences_url": absolute(settings, "/settings/notifications"),
        "unsubscribe_label": _("Unsubscribe from all Proxima emails"),
        "unsubscribe_url": unsubscribe,
    }
    return email.build_message(
        settings=settings,
        to_address=user.email,
        to_name=user.display_name,
        subject=subject,
        text=email.render("notifications.txt", context),
        html=email.render("notifications.html", context),
        locale=locale,
        unsubscribe_url=unsubscribe,
        date=at,
    )


# ---- claims ---------------------------------------------------------------------------------------


def _claim(database: Database, *, user_id: int, kind: str, periods: list[str]) -> dict[str, int]:
    """Claim the emails of these periods for this person; returns the ones this run won, by period.

    A period already claimed, sent or empty is left alone; a failed one is taken back by one run only."""
    won: dict[str, int] = {}
    now = utcnow()
    with database.session() as db:
        for period in periods:
            row = EmailDelivery(user_id=user_id, kind=kind, period=period, status="claimed", claimed_at=now)
            try:
                with db.begin_nested():
                    db.add(row)
                    db.flush()
                won[period] = row.id
                continue
            except IntegrityError:
                pass
            same = and_(
                EmailDelivery.user_id == user_id, EmailDelivery.kind == kind, EmailDelivery.period == period
            )
            retried = db.execute(
                update(EmailDelivery)
                .where(same, EmailDelivery.status == "failed")
                .values(status="claimed", claimed_at=now, error=None)
                .execution_options(synchronize_session=False)
            )
            if getattr(retried, "rowcount", 0) == 1:
                won[period] = db.scalars(select(EmailDelivery.id).where(same)).one()
    return won


def _settle(database: Database, ids: list[int], *, status: str, error: str | None = None) -> None:
    with database.session() as db:
        db.execute(
            update(EmailDelivery)
            .where(EmailDelivery.id.in_(ids))
            .values(status=status, error=error[:400] if error else None)
            .execution_options(synchronize_session=False)
        )


def _sent(database: Database, ids: list[int], lines: list[Line]) -> None:
    """Mark the emails sent and their notifications emailed (unless a line grew since)."""
    now = utcnow()
    with database.session() as db:
        db.execute(
            update(EmailDelivery)
            .where(EmailDelivery.id.in_(ids))
            # a digest is one row for all its lines; an email at once has one row per line
            .values(status="sent", sent_at=now, error=None, notification_count=len(lines) // len(ids))
            .execution_options(synchronize_session=False)
        )
        for start in range(0, len(lines), 200):
            chunk = lines[start : start + 200]
            db.execute(
                update(Notification)
                .where(
                    or_(
                        *(
                            and_(Notification.id == ln.id, Notification.created_at == ln.version)
                            for ln in chunk
                        )
                    )
                )
                .values(emailed_at=now)
                .execution_options(synchronize_session=False)
            )


# ---- a run ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Unconfirmed:
    """An email claimed by an earlier run that never learnt whether the server took it."""

    user_id: int
    email: str
    kind: str
    period: str
    claimed_at: datetime
    error: str | None


@dataclass
class DigestReport:
    """What a run did."""

    sent: Counter[str] = field(default_factory=Counter)
    notifications: int = 0
    failed: int = 0
    skipped: int = 0  # already claimed or sent for this period
    empty: int = 0  # claimed, then nothing was left to tell
    uncertain: int = 0  # the connection broke while handing the message over
    deferred: int = 0  # not tried: the server could not be reached
    unreachable: str | None = None
    unconfirmed: list[Unconfirmed] = field(default_factory=list)

    @property
    def server_down(self) -> bool:
        """Nothing could be sent because the SMTP server could not be reached."""
        return self.unreachable is not None and not sum(self.sent.values())

    def summary(self) -> str:
        """One line for the operator."""
        kinds = ", ".join(f"{kind} {self.sent[kind]}" for kind in KINDS)
        text = (
            f"emails: {sum(self.sent.values())} sent ({kinds}; {self.notifications} notifications), "
            f"{self.failed} failed, {self.skipped} skipped (already claimed), {self.empty} empty"
        )
        if self.uncertain:
            text += f", {self.uncertain} uncertain"
        if self.deferred:
            text += f", {self.deferred} deferred"
        if self.unconfirmed:
            text += f"; {len(self.unconfirmed)} claimed earlier but never confirmed sent"
        if self.unreachable:
            text += f"; SMTP server unreachable: {self.unreachable}"
        return text


def unconfirmed(db: Session, *, now: datetime) -> list[Unconfirmed]:
    """Claims of the last days that no run confirmed: a run stopped between claiming and sending."""
    rows = db.execute(
        select(EmailDelivery, User.email)
        .join(User, User.id == EmailDelivery.user_id)
        .where(
            EmailDelivery.status == "claimed",
            EmailDelivery.claimed_at >= now - timedelta(days=UNCONFIRMED_DAYS),
        )
        .order_by(EmailDelivery.claimed_at, EmailDelivery.id)
    ).all()
    return [Unconfirmed(d.user_id, mail, d.kind, d.period, d.claimed_at, d.error) for d, mail in rows]


def send_digests(
    database: Database,
    *,
    settings: Settings,
    as_of: datetime | None = None,
    mailer: email.Mailer | None = None,
) -> DigestReport:
    """Send what is due as of an instant: emails at once, then daily and weekly digests; each once.

    Opens its own short transactions: a claim must be committed before its email leaves."""
    as_of = as_of or utcnow()
    report = DigestReport()
    with database.session(write=False) as db:
        report.unconfirmed = unconfirmed(db, now=utcnow())
    periods = periods_at(as_of, settings)
    plan = [
        ("immediate", None, as_of),
        ("daily", periods.daily, periods.daily_start),
        ("weekly", periods.weekly, periods.weekly_start),
    ]
    mailer = mailer or email.Mailer(settings)
    try:
        for kind, period, before in plan:
            channel = KINDS[kind]
            with database.session(write=False) as db:
                people = _candidates(db, channel=channel, before=before, upto=as_of)
            for user_id in people:
                if report.unreachable is not None:
                    report.deferred += 1
                    continue
                _deliver(
                    database,
                    settings=settings,
                    mailer=mailer,
                    report=report,
                    user_id=user_id,
                    kind=kind,
                    period=period,
                    before=before,
                    as_of=as_of,
                )
    finally:
        mailer.close()
    return report


def _deliver(
    database: Database,
    *,
    settings: Settings,
    mailer: email.Mailer,
    report: DigestReport,
    user_id: int,
    kind: str,
    period: str | None,
    before: datetime,
    as_of: datetime,
) -> None:
    """One person's email of one kind: checked, claimed, assembled, sent, settled."""
    channel = KINDS[kind]
    with database.session(write=False) as db:
        lines = lines_for(db, user_id=user_id, channel=channel, upto=as_of)
    if not any(period is None or line.version < before for line in lines):
        return  # what was pending is no longer visible, or came after the period started
    try:
        mailer.open()  # no claim without a server to hand the email to
    except email.Unreachable as exc:
        report.unreachable = str(exc)
        report.deferred += 1
        return
    if period is None:  # at once: one claim per line, one email for the lines this run won
        won = _claim(database, user_id=user_id, kind=kind, periods=[line.key for line in lines])
        lines = [line for line in lines if line.key in won]
    else:
        won = _claim(database, user_id=user_id, kind=kind, periods=[period])
        if won:  # assembled after the claim: what is still unseen now
            with database.session(write=False) as db:
                lines = lines_for(db, user_id=user_id, channel=channel, upto=as_of)
    ids = list(won.values())
    if not ids:
        report.skipped += 1
        return
    if not lines:
        _settle(database, ids, status="empty")
        report.empty += 1
        return
    try:
        with database.session(write=False) as db:
            user = db.get(User, user_id)
            assert user is not None
            message = compose(settings, user=user, kind=kind, lines=lines, at=utcnow())
    except Exception as exc:  # a bug in one email must not stop everyone else's; it stays retryable
        _settle(database, ids, status="failed", error=f"could not compose: {type(exc).__name__}: {exc}")
        report.failed += 1
        return
    try:
        mailer.send(message)
    except (email.Refused, email.Unreachable) as exc:  # not accepted: the next run may retry
        _settle(database, ids, status="failed", error=str(exc))
        report.failed += 1
        if isinstance(exc, email.Unreachable):
            report.unreachable = str(exc)
        return
    except email.Uncertain as exc:  # maybe accepted: stays claimed, never sent again
        _settle(database, ids, status="claimed", error=f"uncertain: {exc}")
        report.uncertain += 1
        return
    _sent(database, ids, lines)
    report.sent[kind] += 1
    report.notifications += len(lines)


# ---- unsubscribing and preferences ----------------------------------------------------------------


def person_for_unsubscribe(db: Session, *, settings: Settings, token: str) -> User:
    """The person an unsubscribe link names; NotFound for a link that was altered."""
    try:
        user_id = int(unsubscribe_signer(settings).unsign(token).decode())
    except (BadSignature, ValueError, UnicodeDecodeError):
        raise NotFound(_("This unsubscribe link is not valid.")) from None
    user = db.get(User, user_id)
    if user is None:
        raise NotFound(_("This unsubscribe link is not valid."))
    return user


def email_types(db: Session, *, user: User) -> list[str]:
    """The types this person hears of by email (at once or in a digest)."""
    return [t for t, c in notifications.preferences(db, user.id).items() if c in notifications.EMAIL_CHANNELS]


def unsubscribe(db: Session, *, user: User) -> list[str]:
    """Stop every email to this person: the types they heard of by email stay in the app only."""
    types = email_types(db, user=user)
    if types:
        notifications.set_preferences(db, user=user, channels=dict.fromkeys(types, Channel.app.value))
    return types


@dataclass(frozen=True)
class Watched:
    """A community the person belongs to and how closely they follow it."""

    community: Community
    level: str


def watched_communities(db: Session, *, user: User) -> list[Watched]:
    """The person's communities (as a member) with their watch level, by name."""
    rows = db.execute(
        select(Community, Membership.watch)
        .join(Membership, Membership.community_id == Community.id)
        .where(Membership.user_id == user.id, Membership.status == MemberStatus.member.value)
        .order_by(Community.search_name, Community.id)
    ).all()
    return [Watched(c, level) for c, level in rows]
