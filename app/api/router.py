"""All API routers under /api/v1."""

from fastapi import APIRouter

from app.api import auth, users

api_router = APIRouter()
api_router.include_router(auth.router)
api_router.include_router(users.router)
