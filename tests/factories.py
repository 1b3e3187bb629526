"""Test data: people created through the services, signed-in clients for pages and the API."""

from __future__ import annotations

import itertools
import re
from typing import Any

from fastapi import FastAPI
from fastapi.testclient import TestClient

from app.db import Database
from app.models import User
from app.services import users
from app.settings import Settings

PASSWORD = "correct-horse-battery"
_counter = itertools.count(1)


def csrf_from(html: str) -> str:
    """The CSRF token a page carries."""
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match, "no CSRF token on the page"
    return match.group(1)


class Factory:
    """Creates people and clients signed in as them."""

    def __init__(self, database: Database, settings: Settings, app: FastAPI) -> None:
        self.database = database
        self.settings = settings
        self.app = app

    def person(
        self,
        name: str | None = None,
        *,
        email: str | None = None,
        roles: tuple[str, ...] = (),
        password: str | None = PASSWORD,
        **fields: Any,
    ) -> User:
        """A person in the directory (active, with a password unless told otherwise)."""
        n = next(_counter)
        name = name or f"Person {n}"
        email = email or f"{name.lower().replace(' ', '.')}.{n}@example.com"
        with self.database.session() as db:
            user = users.create_user(
                db,
                settings=self.settings,
                actor=None,
                data=users.AccountData(
                    email=email, display_name=name, password=password, roles=list(roles), **fields
                ),
            )
            db.expunge(user)
        return user

    def browser(self, user: User | None = None, password: str = PASSWORD, **headers: str) -> TestClient:
        """A client; signed in through the login form when a person is given."""
        client = TestClient(self.app, headers=headers)
        if user is not None:
            page = client.get("/login")
            response = client.post(
                "/login",
                data={"email": user.email, "password": password, "csrf_token": csrf_from(page.text)},
                follow_redirects=False,
            )
            assert response.status_code == 303, response.text
        return client

    def api(self, user: User, password: str = PASSWORD) -> TestClient:
        """A client carrying a bearer token for this person."""
        client = TestClient(self.app)
        response = client.post("/api/v1/auth/token", json={"email": user.email, "password": password})
        assert response.status_code == 201, response.text
        client.headers["Authorization"] = f"Bearer {response.json()['access_token']}"
        return client
