"""Recording what people do (for the engagement engine) and what admins do (the audit log)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from app.models import ActivityEvent, AuditEntry
from app.models.base import utcnow


def record(
    db: Session,
    *,
    user_id: int,
    kind: str,
    subject_type: str | None = None,
    subject_id: int | None = None,
    at: datetime | None = None,
) -> None:
    """Record one activity event in the current transaction; the person's stage follows it."""
    from app.services import engagement  # the engine reads events; importing it here avoids a cycle

    at = at or utcnow()
    db.add(
        ActivityEvent(
            user_id=user_id, kind=kind, subject_type=subject_type, subject_id=subject_id, created_at=at
        )
    )
    engagement.on_event(db, user_id=user_id, kind=kind, at=at)


def audit(
    db: Session, *, actor_id: int | None, action: str, target_id: int | None = None, **detail: Any
) -> None:
    """Record an administrative action in the current transaction."""
    db.add(AuditEntry(actor_id=actor_id, action=action, target_id=target_id, detail=detail))
