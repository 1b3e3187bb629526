"""The engagement pages: "My journey" (one's own stage, figures and nudges), adoption for HR,
and a community's health for its managers."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, fields
from datetime import datetime, timedelta
from typing import Annotated, Any

from fastapi import Form, Request
from fastapi.responses import Response

from app.deps import DB, AppSettings, CurrentUser, WriteDB
from app.i18n import _, format_date, format_number, ngettext
from app.models import EngagementState, Stage, User
from app.models.base import utcnow
from app.services import adoption as dashboard
from app.services import communities, engagement, lifecycle, nudges, snapshots
from app.services.errors import Forbidden, Invalid, NotFound
from app.web import charts
from app.web.htmx import redirect, render
from app.web.pages import form_again, page_router

router = page_router()

STAGE_ORDER = [s.value for s in Stage]
ADOPTION_GROUPINGS = ("department", "site", "role", "seniority")


@dataclass(frozen=True)
class StageWords:
    """How a stage is told to a person: a friendly title, what it means and what helps next, its rule."""

    title: str
    text: str
    rule: str


def stage_words(rules: engagement.Rules) -> dict[str, StageWords]:
    """Every stage in the reader's language, with the rule that places a person there."""
    return {
        Stage.information: StageWords(
            _("Just arrived"),
            _(
                "Your account is ready but you have not come in yet. Signing in is all it takes: look "
                "around, see who is here and what colleagues share."
            ),
            _("The account exists and the person has never signed in."),
        ),
        Stage.discovery: StageWords(
            _("Discovering"),
            _(
                "You have come in and are finding your way. What helps next: a photo and a few expertise "
                "tags so that colleagues find you, and following a few colleagues or communities so that "
                "your feed speaks about your work."
            ),
            _("Has signed in, and no later stage holds."),
        ),
        Stage.participation: StageWords(
            _("Taking part"),
            _(
                "You read, follow colleagues and communities, and react. What helps next: say what you "
                "are working on, or answer a question in your field — the colleagues who can help you "
                "will know."
            ),
            _(
                "In the last %(days)d days: at least one follow or community join and at least one "
                "reaction or event reply; or reading on %(read)d different days."
            )
            % {"days": rules.window_days, "read": rules.read_days},
        ),
        Stage.contribution: StageWords(
            _("Contributing"),
            _(
                "You post, comment and answer: colleagues benefit from what you know. What helps next: "
                "answer questions tagged with your expertise, recognise the colleagues whose help "
                "mattered, and animate a community on a subject you care about."
            ),
            _(
                "In the last %(days)d days: posts, at least %(posts)d; or comments and answers, "
                "at least %(comments)d."
            )
            % {
                "days": rules.window_days,
                "posts": rules.contribution_posts,
                "comments": rules.contribution_comments,
            },
        ),
        Stage.promotion: StageWords(
            _("Bringing others in"),
            _(
                "You contribute and you bring colleagues along: you animate, recognise and help. Thank "
                "you! What helps next: keep your communities alive and invite the colleagues who would "
                "benefit from them."
            ),
            _(
                "The contribution rule holds and, in the last %(days)d days, at least %(signals)d of: "
                "manages a community where colleagues posted; praised a colleague; an answer was "
                "accepted; colleagues of at least %(departments)d departments reacted to their posts."
            )
            % {
                "days": rules.promotion_window_days,
                "signals": rules.promotion_signals,
                "departments": rules.like_departments,
            },
        ),
        Stage.disappointment: StageWords(
            _("Taking a step back"),
            _(
                "You were active, then drifted away. It happens, and it often says more about the "
                "platform than about you. What helps next: see what changed since your last visit, tell "
                "us what went wrong, or talk with a colleague who can help."
            ),
            _(
                "Had reached participation or beyond, and has not signed in for %(days)d days, or left "
                "every community they had joined. Any new activity moves them to the stage it shows."
            )
            % {"days": rules.disappointment_days},
        ),
    }


@dataclass(frozen=True)
class Row:
    """One line of a table of figures: what it is (with the window it covers) and its value."""

    key: str
    label: str
    value: str


def _yes_no(value: bool) -> str:
    return _("yes") if value else _("no")


def _when(value: datetime | None) -> str:
    return format_date(value) if value is not None else _("never")


def figure_rows(f: engagement.Figures, rules: engagement.Rules, words: dict[str, StageWords]) -> list[Row]:
    """Every figure the engine holds about a person, labelled with the window it covers."""
    window = {"days": rules.window_days}
    promo = {"days": rules.promotion_window_days}
    labels: dict[str, tuple[str, str]] = {
        "signed_in": (_("Has signed in at least once"), _yes_no(f.signed_in)),
        "first_seen_at": (_("First visit"), _when(f.first_seen_at)),
        "last_seen_at": (_("Latest visit"), _when(f.last_seen_at)),
        "follows_joins": (
            _("Colleagues, communities or tags followed or joined in the last %(days)d days") % window,
            format_number(f.follows_joins),
        ),
        "likes_rsvps": (
            _("Reactions and event replies in the last %(days)d days") % window,
            format_number(f.likes_rsvps),
        ),
        "read_days": (
            _("Different days you came to read in the last %(days)d days") % window,
            format_number(f.read_days),
        ),
        "posts": (_("Posts in the last %(days)d days") % window, format_number(f.posts)),
        "comments": (_("Comments and answers in the last %(days)d days") % window, format_number(f.comments)),
        "praise_given": (
            _("Colleagues you praised in the last %(days)d days") % promo,
            format_number(f.praise_given),
        ),
        "answers_accepted": (
            _("Answers of yours accepted in the last %(days)d days") % promo,
            format_number(f.answers_accepted),
        ),
        "like_departments": (
            _("Departments of the colleagues who reacted to your posts in the last %(days)d days") % promo,
            format_number(f.like_departments),
        ),
        "animates_community": (
            _("Manages a community where colleagues posted in the last %(days)d days") % promo,
            _yes_no(f.animates_community),
        ),
        "memberships": (_("Communities you are a member of today"), format_number(f.memberships)),
        "joined_ever": (_("Communities joined since you arrived"), format_number(f.joined_ever)),
        "stage": (_("Current stage"), words[f.stage].title if f.stage in words else "—"),
        "peak": (_("Furthest stage reached"), words[f.peak].title if f.peak in words else f.peak),
        "peak_at": (_("Furthest stage reached on"), _when(f.peak_at)),
    }
    return [Row(field.name, *labels[field.name]) for field in fields(f) if field.name in labels]


def rule_rows(rules: engagement.Rules) -> list[Row]:
    """The thresholds and windows in force (defaults in docs/engagement.md, overridable by settings)."""
    days = _("%(num)d days")
    labels = {
        "window_days": (_("Window for participation and contribution"), days % {"num": rules.window_days}),
        "promotion_window_days": (
            _("Window for the promotion signals"),
            days % {"num": rules.promotion_window_days},
        ),
        "read_days": (_("Reading days for participation"), format_number(rules.read_days)),
        "contribution_posts": (_("Posts for contribution"), format_number(rules.contribution_posts)),
        "contribution_comments": (
            _("Comments or answers for contribution"),
            format_number(rules.contribution_comments),
        ),
        "promotion_signals": (
            _("Ways of bringing others in needed for promotion"),
            format_number(rules.promotion_signals),
        ),
        "like_departments": (
            _("Departments reacting to one's posts that count as a promotion signal"),
            format_number(rules.like_departments),
        ),
        "disappointment_days": (
            _("Days without a visit before disappointment"),
            days % {"num": rules.disappointment_days},
        ),
    }
    return [Row(field.name, *labels[field.name]) for field in fields(rules) if field.name in labels]


def _state_rows(state: EngagementState | None) -> list[Row]:
    rows = [
        Row("nudges_enabled", _("Suggestions turned on"), _yes_no(state.nudges_enabled if state else True))
    ]
    if state is not None and state.stage == Stage.disappointment.value and state.depth:
        rows.append(
            Row("depth", _("Depth of the disappointment (1 mild, 3 deep)"), format_number(state.depth))
        )
    return rows


@router.get("/me/journey")
def journey(request: Request, db: WriteDB, settings: AppSettings, user: CurrentUser) -> Response:
    """My journey: my stage and why, my history, every figure the engine holds and why each nudge is shown."""
    rules = engagement.current_rules()
    words = stage_words(rules)
    now = utcnow()
    state = engagement.state_of(db, user_id=user.id)
    figures = engagement.figures(db, user_id=user.id, rules=rules, as_of=now)
    stage = state.stage if state else Stage.information.value
    shown_now = engagement.evaluate(figures, rules)
    history = [
        {
            "origin": words[t.from_stage].title if t.from_stage in words else None,
            "target": words[t.to_stage].title if t.to_stage in words else t.to_stage,
            "at": t.at,
            "reason": engagement.reason_text(t.reason, t.reason_params),
        }
        for t in engagement.history_of(db, user_id=user.id)
    ]
    return render(
        request,
        "engagement/journey.html",
        {
            "stage": stage,
            "words": words,
            "order": STAGE_ORDER,
            "state": state,
            "reason": engagement.reason_text(state.reason, state.reason_params) if state else "",
            "history": history,
            "figures": figure_rows(figures, rules, words) + _state_rows(state),
            "rules": rule_rows(rules),
            "now_stage": shown_now.stage,
            "now_reason": engagement.reason_text(shown_now.reason, shown_now.params),
            "signals": [_(engagement.SIGNAL_LABELS[s]) for s in engagement.promotion_signals(figures, rules)],
            "nudges": nudges.offer(db, viewer=user, now=now),
            "nudges_enabled": state.nudges_enabled if state else True,
            "threshold": settings.group_threshold,
            "saved": request.query_params.get("nudges"),
        },
    )


@router.post("/me/journey/nudges")
def set_nudges(
    request: Request, db: DB, user: CurrentUser, enabled: Annotated[str, Form()] = "1"
) -> Response:
    """Turn one's nudges off (enabled=0) or back on (enabled=1), then back to "My journey"."""
    on = enabled == "1"
    engagement.set_nudges_enabled(db, user=user, enabled=on)
    return redirect(request, f"/me/journey?nudges={'on' if on else 'off'}#nudges")


def _bar(stages: dict[str, int | None], members: int) -> list[dict[str, Any]]:
    """The segments of a stacked bar: each stage's share of the group, left to right, in percent;
    the hidden counts together make one last grey segment (their sum is no secret: the group's
    size minus the shown counts)."""
    segments: list[dict[str, Any]] = []
    x = 0.0
    for stage in STAGE_ORDER:
        count = stages.get(stage, 0)
        if not count or not members:
            continue
        width = 100.0 * count / members
        segments.append({"stage": stage, "count": count, "x": round(x, 3), "width": round(width, 3)})
        x += width
    rest = members - sum(v for v in stages.values() if v is not None)
    if rest > 0 and members:
        segments.append({"stage": "hidden", "count": rest, "x": round(x, 3), "width": round(100.0 - x, 3)})
    return segments


@router.get("/admin/adoption")
def adoption(
    request: Request,
    db: DB,
    settings: AppSettings,
    viewer: CurrentUser,
    by: str = "department",
    series: str = "overall",
) -> Response:
    """The adoption dashboard (HR and admins): the funnel overall and by population, weekly
    snapshots, newcomers' cohorts, nudge uplift and feedback themes; every figure suppressed."""
    dashboard.require_reader(viewer)
    threshold = settings.group_threshold
    by = by if by in ADOPTION_GROUPINGS else "department"
    release = dashboard.release(db, threshold=threshold)
    dimension, _sep, key = series.partition(":")
    if dimension not in ADOPTION_GROUPINGS or key not in {r.key for r in release.tables[dimension].rows}:
        dimension, key = "overall", ""
    weeks = dashboard.trend(db, threshold=threshold, dimension=dimension, key=key)
    groups = release.tables[by].rows
    return render(
        request,
        "engagement/adoption.html",
        {
            "by": by,
            "groupings": ADOPTION_GROUPINGS,
            "release": release,
            "overall_bars": charts.bars(release.overall) if release.shown else [],
            "groups": [
                {
                    "key": g.key,
                    "members": g.members,
                    "stages": g.cells,
                    "bar": _bar(g.cells, g.members) if g.cells is not None else [],
                }
                for g in groups
            ],
            "shown": sum(g.members for g in groups if g.cells is not None),
            "hidden": sum(1 for g in groups if g.cells is None),
            "withheld": release.tables[by].withheld,
            "series": f"{dimension}:{key}" if key else "overall",
            "series_label": key,
            "series_dimension": dimension,
            "populations": [(d, [r.key for r in release.tables[d].rows]) for d in ADOPTION_GROUPINGS],
            "weeks": weeks,
            "chart": charts.lines([(w.week, w.cells) for w in weeks]) if weeks else None,
            "cohorts": dashboard.cohorts(db, threshold=threshold),
            "uplift": dashboard.uplift(db, threshold=threshold),
            "themes": dashboard.themes(db, threshold=threshold),
            "bands": {band: _(label) for band, _days, label in snapshots.SENIORITY_BANDS},
            "csv_tables": dashboard.CSV_TABLES,
            "threshold": threshold,
            "order": STAGE_ORDER,
            "words": stage_words(engagement.current_rules()),
        },
        block="results",
    )


@router.get("/admin/adoption.csv")
def adoption_csv(db: DB, settings: AppSettings, viewer: CurrentUser, table: str = "funnel") -> Response:
    """One table of the adoption dashboard as CSV, with the page's suppression (HR and admins)."""
    dashboard.require_reader(viewer)
    if table not in dashboard.CSV_TABLES:
        raise NotFound(_("No such table."))
    out = io.StringIO()
    csv.writer(out).writerows(dashboard.csv_rows(db, table=table, threshold=settings.group_threshold))
    return Response(
        out.getvalue(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="adoption-{table}.csv"'},
    )


def _weekly_chart(weeks: list[lifecycle.Week]) -> dict[str, Any]:
    """Stacked bars (posts, answers, comments) for the weeks, in a 0-100 high box, 10 units per week."""
    top = max([w.total for w in weeks] + [1])
    bars = []
    for i, week in enumerate(weeks):
        y = 100.0
        parts = []
        for series, count in (("posts", week.posts), ("answers", week.answers), ("comments", week.comments)):
            height = 100.0 * count / top
            y -= height
            if count:
                parts.append({"series": series, "count": count, "y": round(y, 3), "height": round(height, 3)})
        bars.append({"x": i * 10 + 1.5, "week": week, "parts": parts})
    return {"bars": bars, "top": top, "width": 10 * len(weeks)}


def _duration(value: timedelta | None) -> str:
    """A delay as people say it: minutes, hours, or days."""
    if value is None:
        return "—"
    minutes = int(value.total_seconds() // 60)
    if minutes < 60:
        return ngettext("%(num)d minute", "%(num)d minutes", minutes) % {"num": minutes}
    hours = minutes // 60
    if hours < 48:
        return ngettext("%(num)d hour", "%(num)d hours", hours) % {"num": hours}
    days = hours // 24
    return ngettext("%(num)d day", "%(num)d days", days) % {"num": days}


def _health_context(
    db: DB, settings: Any, viewer: User, slug: str, days: int = 60, **extra: Any
) -> dict[str, Any]:
    view = communities.community_view(db, viewer=viewer, slug=slug)
    if not view.is_manager:
        raise Forbidden(_("Only the managers of this community see its health."))
    community = view.community
    days = days if days in lifecycle.WINBACK_DAYS else 60
    weeks = lifecycle.weekly_activity(db, community=community)
    questions = lifecycle.questions(db, community=community)
    return {
        "community": community,
        "member_count": view.member_count,
        "health": lifecycle.community_lifecycle(db, community=community),
        "lifecycle_rules": lifecycle.RULES,
        "weeks": weeks,
        "chart": _weekly_chart(weeks),
        "questions": questions,
        "median_first_answer": _duration(questions.median_first_answer),
        "stages": lifecycle.members_by_stage(db, community=community, threshold=settings.group_threshold),
        "order": STAGE_ORDER,
        "words": stage_words(engagement.current_rules()),
        "threshold": settings.group_threshold,
        "dormancy": lifecycle.dormancy(db, community=community, days=days),
        "winback_days": lifecycle.WINBACK_DAYS,
        "cooldown_days": lifecycle.WINBACK_COOLDOWN_DAYS,
        "values": {"message": "", "days": days},
        "errors": {},
        **extra,
    }


@router.get("/communities/{slug}/health")
def community_health(
    request: Request,
    db: DB,
    settings: AppSettings,
    viewer: CurrentUser,
    slug: str,
    days: int = 60,
    sent: str = "",
) -> Response:
    """A community's health for its managers: its lifecycle and why, activity week by week, questions
    and how fast they are answered, members by stage (aggregated), and a word to dormant members."""
    context = _health_context(db, settings, viewer, slug, days, sent=int(sent) if sent.isdigit() else None)
    return render(request, "engagement/health.html", context, block="health")


@router.post("/communities/{slug}/health/winback")
def community_winback(
    request: Request,
    db: DB,
    settings: AppSettings,
    viewer: CurrentUser,
    slug: str,
    message: Annotated[str, Form()] = "",
    days: Annotated[str, Form()] = "60",
) -> Response:
    """A manager writes to the members inactive for some days (their names stay hidden; once a month
    at most per member)."""
    chosen = int(days) if days.isdigit() else 0
    view = communities.community_view(db, viewer=viewer, slug=slug)
    try:
        winback = lifecycle.send_winback(
            db, actor=viewer, community=view.community, message=message, days=chosen
        )
    except Invalid as exc:
        db.rollback()
        context = _health_context(db, settings, viewer, slug, chosen)
        context["values"] = {"message": message, "days": chosen}
        return form_again(request, "engagement/health.html", context, exc)
    return redirect(
        request, f"/communities/{slug}/health?days={chosen}&sent={winback.recipient_count}#winback"
    )
