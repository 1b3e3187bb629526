"""All page routers."""

from fastapi import APIRouter

from app.web import admin, auth, communities, home, me, moderation, people, posts, search

web_router = APIRouter()
for module in (auth, home, people, posts, communities, moderation, search, me, admin):
    web_router.include_router(module.router)
