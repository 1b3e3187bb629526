"""The jinja2 environment: translations, locale formatting, CSRF token, static URLs."""

from __future__ import annotations

import hashlib
from functools import cache
from pathlib import Path
from typing import Any

from fastapi import Request
from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup

from app import i18n
from app.deps import CSRF_FIELD, csrf_token
from app.models.base import utcnow

WEB_DIR = Path(__file__).parent
STATIC_DIR = WEB_DIR / "static"


@cache
def static_version(path: str) -> str:
    """A short content hash, so a changed asset gets a new URL and old ones can be cached for long."""
    try:
        return hashlib.sha256((STATIC_DIR / path).read_bytes()).hexdigest()[:10]
    except OSError:
        return "0"


def static_url(path: str) -> str:
    """The cache-busting URL of a static asset."""
    return f"/static/{path}?v={static_version(path)}"


def csrf_input(request: Request) -> Markup:
    """The hidden CSRF field every form carries."""
    return Markup('<input type="hidden" name="{}" value="{}">').format(CSRF_FIELD, csrf_token(request))


def initials(name: str) -> str:
    """Up to two initials for an avatar without a photo."""
    parts = [p for p in name.replace("-", " ").split() if p]
    return "".join(p[0] for p in parts[:2]).upper() or "?"


def role_label(role: str) -> str:
    """A role's name in the current language."""
    labels = {
        "employee": i18n.gettext("Employee"),
        "community_manager": i18n.gettext("Community manager"),
        "executive": i18n.gettext("Executive"),
        "hr": i18n.gettext("HR"),
        "admin": i18n.gettext("Administrator"),
    }
    return labels.get(role, role)


def visibility_label(visibility: str) -> str:
    """A community visibility's name in the current language."""
    labels = {
        "public": i18n.gettext("Public"),
        "private": i18n.gettext("Private"),
        "secret": i18n.gettext("Secret"),
    }
    return labels.get(visibility, visibility)


def build_environment() -> Environment:
    """The environment shared by every page."""
    env = Environment(
        loader=FileSystemLoader(WEB_DIR / "templates"),
        autoescape=select_autoescape(["html", "xml"]),
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.install_gettext_callables(i18n.gettext, i18n.ngettext, newstyle=True)  # type: ignore[attr-defined]
    env.globals.update(
        static_url=static_url,
        csrf_input=csrf_input,
        csrf_token=csrf_token,
        current_locale=i18n.current_locale,
        locale_names=i18n.LOCALE_NAMES,
        language_name=i18n.language_name,
        role_label=role_label,
        visibility_label=visibility_label,
        now=utcnow,
    )
    env.filters.update(
        date=i18n.format_date,
        datetime=i18n.format_datetime,
        number=i18n.format_number,
        ago=lambda value: i18n.format_ago(value, utcnow()),
        initials=initials,
    )
    return env


ENV = build_environment()


def render_template(name: str, context: dict[str, Any], block: str | None = None) -> str:
    """Render a whole template, or only one of its blocks (an htmx fragment)."""
    template = ENV.get_template(name)
    # the macros, bound to this request's context, so that a lone block can use them too
    context = {**context, "ui": ENV.get_template("_macros.html").make_module(context)}
    if block is None:
        return template.render(context)
    ctx = template.new_context(context)
    return "".join(template.blocks[block](ctx))
