"""The `proxima` console script: database, demo company, accounts, directory import, server."""

from __future__ import annotations

import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer
from alembic import command
from alembic.config import Config
from sqlalchemy import func, select

from app.db import Database
from app.i18n import use_locale
from app.models import User
from app.services import directory, engagement, snapshots, users
from app.services.errors import DomainError
from app.settings import Settings, get_settings

cli = typer.Typer(help="Proxima, the enterprise social network with adoption built in.", no_args_is_help=True)
db_cli = typer.Typer(help="The database schema.", no_args_is_help=True)
demo_cli = typer.Typer(help="The demo company.", no_args_is_help=True)
users_cli = typer.Typer(help="Accounts and the company directory.", no_args_is_help=True)
engagement_cli = typer.Typer(help="The engagement engine.", no_args_is_help=True)
notifications_cli = typer.Typer(help="Notification emails and digests.", no_args_is_help=True)
cli.add_typer(db_cli, name="db")
cli.add_typer(demo_cli, name="demo")
cli.add_typer(users_cli, name="users")
cli.add_typer(engagement_cli, name="engagement")
cli.add_typer(notifications_cli, name="notifications")
campaigns_cli = typer.Typer(help="HR and communications campaigns.", no_args_is_help=True)
mentoring_cli = typer.Typer(help="The reverse mentoring programme.", no_args_is_help=True)
cli.add_typer(campaigns_cli, name="campaigns")
cli.add_typer(mentoring_cli, name="mentoring")

ROOT = Path(__file__).resolve().parent.parent


def alembic_config(settings: Settings) -> Config:
    """The alembic configuration, pointed at the configured database."""
    config = Config(str(ROOT / "alembic.ini"))
    config.set_main_option("script_location", str(ROOT / "migrations"))
    config.attributes["configure_logging"] = False
    return config


def upgrade_database(settings: Settings, revision: str = "head") -> None:
    """Bring the schema to `revision` (head by default)."""
    database = Database(settings)
    try:
        with database.engine.begin() as connection:
            config = alembic_config(settings)
            config.attributes["connection"] = connection
            command.upgrade(config, revision)
    finally:
        database.dispose()


# the instant a command acts as of (`parse_instant` reads it)
AsOf = Annotated[
    str | None, typer.Option("--as-of", help="ISO 8601 instant, e.g. 2026-12-01T09:00:00Z (default: now)")
]


@db_cli.command("upgrade")
def db_upgrade(revision: Annotated[str, typer.Argument(help="target revision")] = "head") -> None:
    """Apply the migrations up to the latest schema."""
    upgrade_database(get_settings(), revision)
    typer.echo(f"database at {revision}")


@db_cli.command("downgrade")
def db_downgrade(revision: Annotated[str, typer.Argument(help="target revision, e.g. -1 or base")]) -> None:
    """Undo migrations down to a revision."""
    settings = get_settings()
    database = Database(settings)
    try:
        with database.engine.begin() as connection:
            config = alembic_config(settings)
            config.attributes["connection"] = connection
            command.downgrade(config, revision)
    finally:
        database.dispose()
    typer.echo(f"database at {revision}")


@demo_cli.command("load")
def demo_load(
    size: Annotated[
        str, typer.Option(help="small (~300 people), medium (~5,000) or large (~50,000)")
    ] = "small",
    if_empty: Annotated[
        bool, typer.Option("--if-empty", help="do nothing when people already exist")
    ] = False,
) -> None:
    """Load the demo company (deterministic: the same people every time)."""
    from app import demo

    if size not in demo.SIZES:
        typer.echo(f"unknown size {size!r}; choose small, medium or large", err=True)
        raise typer.Exit(2)
    settings = get_settings()
    # one connection: the load's journal mode (demo.rollback_journal) is set on the connection the
    # load then uses
    database = Database(settings.model_copy(update={"db_pool_size": 1, "db_max_overflow": 0}))
    try:
        with demo.rollback_journal(database.engine), database.session() as db:
            if db.scalar(select(func.count()).select_from(User)):
                if if_empty:
                    typer.echo("people already exist; demo not loaded")
                    return
                typer.echo(
                    "the database already holds people; the demo loads into an empty database", err=True
                )
                raise typer.Exit(1)
            summary = demo.load(db, settings=settings, size=size)
            # everyone's stage from the demo's activity: in the past (demo.sweep_moments), then now, so
            # that the journeys have a history and those who dropped out since are seen to; then the
            # weekly adoption snapshots of the last twelve weeks, read from those journeys
            for moment in demo.sweep_moments(size):
                engagement.sweep(db, as_of=moment)
            engagement.sweep(db)
            demo.adoption_history(db)
        if database.engine.dialect.name == "postgresql":
            with database.engine.connect() as connection:  # fresh planner statistics after a bulk load
                connection.exec_driver_sql("ANALYZE")
                connection.commit()
    finally:
        database.dispose()
    typer.echo(summary)


@users_cli.command("create")
def users_create(
    email: Annotated[str, typer.Option(help="sign-in email")],
    name: Annotated[str, typer.Option(help="display name")],
    password: Annotated[str | None, typer.Option(help="at least 10 characters")] = None,
    role: Annotated[
        list[str] | None, typer.Option(help="community_manager, executive, hr, admin (repeatable)")
    ] = None,
    department: Annotated[str | None, typer.Option()] = None,
    site: Annotated[str | None, typer.Option()] = None,
    job_title: Annotated[str | None, typer.Option()] = None,
    manager_email: Annotated[str | None, typer.Option()] = None,
    locale: Annotated[str | None, typer.Option(help="en or fr")] = None,
) -> None:
    """Create one account; an existing email exits non-zero and changes nothing."""
    settings = get_settings()
    database = Database(settings)
    data = users.AccountData(
        email=email,
        display_name=name,
        password=password,
        roles=role or [],
        department=department,
        site=site,
        job_title=job_title,
        manager_email=manager_email,
        locale=locale,
    )
    try:
        with database.session() as db:
            user = users.create_user(db, settings=settings, actor=None, data=data)
            typer.echo(f"created {user.email} (@{user.handle}, id {user.id}) roles: {', '.join(user.roles)}")
    except DomainError as exc:
        typer.echo(f"error: {exc.detail}", err=True)
        raise typer.Exit(1) from exc
    finally:
        database.dispose()


@users_cli.command("import")
def users_import(
    file: Annotated[Path, typer.Argument(help="CSV: " + ",".join(directory.IMPORT_COLUMNS))],
) -> None:
    """Import the company directory: idempotent on email; any bad row and nothing is written."""
    settings = get_settings()
    try:
        raw = file.read_bytes()
    except OSError as exc:
        typer.echo(f"error: cannot read {file}: {exc.strerror}", err=True)
        raise typer.Exit(2) from exc
    database = Database(settings)
    try:
        with database.session() as db:
            report = directory.import_directory(db, settings=settings, actor=None, raw=raw)
    except directory.ImportRejected as exc:
        for error in exc.line_errors:
            typer.echo(f"line {error.line}: {error.message}", err=True)
        typer.echo("nothing was imported", err=True)
        raise typer.Exit(1) from exc
    except DomainError as exc:
        typer.echo(f"error: {exc.detail}", err=True)
        raise typer.Exit(1) from exc
    finally:
        database.dispose()
    typer.echo(f"created {report.created}, updated {report.updated}, unchanged {report.unchanged}")


@users_cli.command("set-password")
def users_set_password(
    email: Annotated[str, typer.Option()],
    password: Annotated[str, typer.Option(help="at least 10 characters")],
) -> None:
    """Set a person's password (for people imported without one, or locked out)."""
    settings = get_settings()
    database = Database(settings)
    try:
        with database.session() as db:
            user = db.scalar(select(User).where(User.email == email.strip().lower()))
            if user is None:
                typer.echo(f"error: nobody has the email {email}", err=True)
                raise typer.Exit(1)
            users.set_password(db, settings=settings, actor=None, user=user, password=password)
    except DomainError as exc:
        typer.echo(f"error: {exc.detail}", err=True)
        raise typer.Exit(1) from exc
    finally:
        database.dispose()
    typer.echo(f"password set for {email}")


@engagement_cli.command("sweep")
def engagement_sweep(
    as_of: AsOf = None,
) -> None:
    """Apply the time-based stage transitions (disappointment, decay) as of an instant."""
    from datetime import UTC, datetime

    moment = None
    if as_of:
        try:
            moment = datetime.fromisoformat(as_of.replace("Z", "+00:00"))
        except ValueError as exc:
            typer.echo(f"error: --as-of {as_of!r} is not an ISO 8601 instant", err=True)
            raise typer.Exit(2) from exc
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=UTC)
    settings = get_settings()
    database = Database(settings)
    started = time.perf_counter()
    try:
        with database.session() as db:
            report = engagement.sweep(db, as_of=moment)
            snapshot = snapshots.take(db, as_of=moment)  # once a week: the first sweep of a week
    finally:
        database.dispose()
    took = time.perf_counter() - started
    stages = ", ".join(f"{stage} {count}" for stage, count in sorted(report.by_stage.items()))
    typer.echo(f"swept {report.people} people in {took:.2f} s: {report.changed} changed stage ({stages})")
    if snapshot.taken:
        typer.echo(f"adoption snapshot of the week of {snapshot.week} taken")


@engagement_cli.command("snapshot")
def engagement_snapshot(
    as_of: AsOf = None,
) -> None:
    """Store the week's adoption figures per population (once per week; stages read as of the instant)."""
    moment = parse_instant(as_of)
    settings = get_settings()
    database = Database(settings)
    try:
        with database.session() as db:
            report = snapshots.take(db, as_of=moment)
    finally:
        database.dispose()
    if report.taken:
        typer.echo(
            f"adoption snapshot of the week of {report.week} taken: "
            f"{report.people} people, {report.rows} groups"
        )
    else:
        typer.echo(f"the week of {report.week} already has its adoption snapshot; nothing changed")


@notifications_cli.command("send-digests")
def notifications_send_digests(
    as_of: AsOf = None,
) -> None:
    """Send what is due: event reminders, emails at once, daily and weekly digests (each at most once)."""
    from datetime import UTC, datetime

    from app.services import digests, notifications

    moment = datetime.now(UTC)
    if as_of:
        try:
            moment = datetime.fromisoformat(as_of.replace("Z", "+00:00"))
        except ValueError as exc:
            typer.echo(f"error: --as-of {as_of!r} is not an ISO 8601 instant", err=True)
            raise typer.Exit(2) from exc
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=UTC)
    settings = get_settings()
    database = Database(settings)
    try:
        with database.session() as db:  # reminders first, so that they can go out in this run
            reminded = notifications.remind_events(db, as_of=moment)
        report = digests.send_digests(database, settings=settings, as_of=moment)
    finally:
        database.dispose()
    for row in report.unconfirmed:
        why = f" ({row.error})" if row.error else ""
        typer.echo(
            f"warning: the {row.kind} email {row.period} to {row.email} was claimed at "
            f"{row.claimed_at:%Y-%m-%d %H:%M:%S} UTC by a run that stopped before it was confirmed "
            f"sent; it may not have arrived and will not be sent again{why}",
            err=True,
        )
    typer.echo(f"event reminders: {reminded}; {report.summary()}")
    if report.server_down:
        raise typer.Exit(1)


def parse_instant(value: str | None) -> datetime | None:
    """An --as-of option: an ISO 8601 instant (UTC when no zone is given), or None for now."""
    if not value:
        return None
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError as exc:
        typer.echo(f"error: --as-of {value!r} is not an ISO 8601 instant", err=True)
        raise typer.Exit(2) from exc
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


@campaigns_cli.command("start-due")
def campaigns_start_due(
    as_of: AsOf = None,
) -> None:
    """Start the scheduled campaigns whose time has come: fix each audience and tell it (cron)."""
    from app.services import campaigns

    moment = parse_instant(as_of)
    settings = get_settings()
    database = Database(settings)
    try:
        with database.session() as db:
            started = campaigns.start_due(db, threshold=settings.group_threshold, as_of=moment)
            lines = [
                f"campaign {c.id} cancelled: {c.cancel_reason}"
                if c.cancelled_at is not None
                else f"campaign {c.id} started for {c.audience_size} people"
                for c in started
            ]
    finally:
        database.dispose()
    for line in lines or ["no campaign due"]:
        typer.echo(line)


@mentoring_cli.command("match")
def mentoring_match() -> None:
    """Propose reverse-mentoring pairs to everyone waiting (each side is told and decides)."""
    from app.services import mentoring

    database = Database(get_settings())
    try:
        with database.session() as db:
            made = mentoring.match(db)
    finally:
        database.dispose()
    typer.echo(f"{len(made)} pair(s) proposed")


@cli.command("serve")
def serve(
    host: Annotated[str, typer.Option()] = "127.0.0.1",
    port: Annotated[int, typer.Option()] = 8000,
    workers: Annotated[int, typer.Option(help="processes; 2 per core is a good start")] = 1,
    proxy_headers: Annotated[bool, typer.Option(help="trust X-Forwarded-* from the reverse proxy")] = False,
    forwarded_allow_ips: Annotated[
        str, typer.Option(help="addresses of the reverse proxies whose X-Forwarded-* are believed")
    ] = "127.0.0.1",
) -> None:
    """Serve Proxima over HTTP."""
    import uvicorn

    uvicorn.run(
        "app.main:create_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        proxy_headers=proxy_headers,
        forwarded_allow_ips=forwarded_allow_ips if proxy_headers else None,
        log_level=get_settings().log_level.lower(),
        access_log=False,
    )


def main() -> None:
    """Entry point of the console script."""
    use_locale("en")
    try:
        cli()
    except KeyboardInterrupt:
        sys.exit(130)
