"""All page routers."""

from fastapi import APIRouter

from app.web import (
    admin,
    ambassadors,
    auth,
    campaigns,
    communities,
    engagement,
    feedback,
    home,
    leadership,
    live,
    me,
    mentoring,
    moderation,
    notification_settings,
    notifications,
    nudges,
    people,
    posts,
    search,
    teams,
)

web_router = APIRouter()
for module in (
    auth,
    home,
    leadership,
    people,
    posts,
    communities,
    moderation,
    search,
    me,
    admin,
    engagement,
    teams,
    ambassadors,
    mentoring,
    campaigns,
    nudges,
    notifications,
    notification_settings,
    live,
    feedback,
):
    web_router.include_router(module.router)
