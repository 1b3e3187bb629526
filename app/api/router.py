"""All API routers under /api/v1."""

from fastapi import APIRouter

from app.api import (
    ambassadors,
    auth,
    campaigns,
    communities,
    delegates,
    engagement,
    feedback,
    live,
    mentoring,
    moderation,
    notification_preferences,
    notifications,
    posts,
    search,
    teams,
    users,
)

api_router = APIRouter()
api_router.include_router(auth.router)
api_router.include_router(users.router)
api_router.include_router(communities.router)
api_router.include_router(posts.router)
api_router.include_router(delegates.router)
api_router.include_router(moderation.router)
api_router.include_router(search.router)
api_router.include_router(engagement.router)
api_router.include_router(teams.router)
api_router.include_router(campaigns.router)
api_router.include_router(mentoring.router)
api_router.include_router(ambassadors.router)
api_router.include_router(notification_preferences.router)
api_router.include_router(notifications.router)
api_router.include_router(feedback.router)
api_router.include_router(live.router)
