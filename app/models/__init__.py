"""Every table, imported so that alembic and the metadata see them all."""

from app.models.activity import ActivityEvent, AuditEntry
from app.models.auth import ApiToken, LoginAttempt, WebSession
from app.models.base import Base
from app.models.communities import Community, MemberRole, Membership, MemberStatus, TagFollow, Visibility
from app.models.engagement import EngagementState, NudgeEvent, Stage, StageTransition
from app.models.notifications import (
    Channel,
    EmailDelivery,
    Notification,
    NotificationActor,
    NotificationPreference,
    NotificationType,
    WatchLevel,
)
from app.models.posts import (
    Comment,
    Event,
    Mention,
    PollOption,
    PollVote,
    Post,
    PostKind,
    PostTag,
    Reaction,
    ReactionKind,
    Report,
    Rsvp,
    RsvpStatus,
)
from app.models.users import Follow, Photo, Role, Tag, User, UserRole, UserTag

__all__ = [
    "ActivityEvent",
    "ApiToken",
    "AuditEntry",
    "Base",
    "Channel",
    "Comment",
    "Community",
    "EmailDelivery",
    "EngagementState",
    "Event",
    "Follow",
    "LoginAttempt",
    "MemberRole",
    "MemberStatus",
    "Membership",
    "Mention",
    "Notification",
    "NotificationActor",
    "NotificationPreference",
    "NotificationType",
    "NudgeEvent",
    "Photo",
    "PollOption",
    "PollVote",
    "Post",
    "PostKind",
    "PostTag",
    "Reaction",
    "ReactionKind",
    "Report",
    "Role",
    "Rsvp",
    "RsvpStatus",
    "Stage",
    "StageTransition",
    "Tag",
    "TagFollow",
    "User",
    "UserRole",
    "UserTag",
    "Visibility",
    "WatchLevel",
    "WebSession",
]
