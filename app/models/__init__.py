"""Every table, imported so that alembic and the metadata see them all."""

from app.models.activity import ActivityEvent, AuditEntry
from app.models.auth import ApiToken, LoginAttempt, WebSession
from app.models.base import Base
from app.models.users import Follow, Photo, Role, Tag, User, UserRole, UserTag

__all__ = [
    "ActivityEvent",
    "ApiToken",
    "AuditEntry",
    "Base",
    "Follow",
    "LoginAttempt",
    "Photo",
    "Role",
    "Tag",
    "User",
    "UserRole",
    "UserTag",
    "WebSession",
]
