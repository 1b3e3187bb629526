"""Live updates: what changed, told to the open pages once the transaction that changed it commits.

Services call `publish_after_commit(db, channel, event)`; nothing is published when the transaction
rolls back. The messages go to `app.services.broker`, which delivers them to the Server-Sent
Events streams of every server process (in-process, or through Redis or PostgreSQL).

Channels: `user:{id}` (that person's notifications), `feed` (a post was shared; the data says
where, never what), `post:{id}` (a comment on that post)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import event
from sqlalchemy.orm import Session

_KEY = "proxima.live"


def publish_after_commit(db: Session, channel: str, name: str, data: dict[str, Any] | None = None) -> None:
    """Queue one event on a channel; it is published if and when the session commits."""
    pending: list[tuple[str, str, dict[str, Any]]] = db.info.setdefault(_KEY, [])
    message = (channel, name, data or {})
    if message not in pending:
        pending.append(message)


@event.listens_for(Session, "after_commit")
def _publish(session: Session) -> None:
    pending = session.info.pop(_KEY, None)
    if not pending:
        return
    from app.services import broker  # the broker imports settings and clients; only when needed

    for channel, name, data in pending:
        broker.publish(channel, name, data)


@event.listens_for(Session, "after_rollback")
def _forget(session: Session) -> None:
    session.info.pop(_KEY, None)
