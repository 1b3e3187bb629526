"""All page routers."""

from fastapi import APIRouter

from app.web import admin, auth, home, me, people

web_router = APIRouter()
for module in (auth, home, people, me, admin):
    web_router.include_router(module.router)
