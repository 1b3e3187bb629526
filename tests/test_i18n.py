"""English and French: negotiation, the person's own choice, and no English left on French pages."""

from __future__ import annotations

import html
import re

import pytest
from babel.messages.pofile import read_po

from app.i18n import TRANSLATIONS_DIR, negotiate
from tests.factories import Factory, csrf_from

PAGES = [
    "/",
    "/people",
    "/people/experts?q=sap",
    "/me/edit",
    "/settings",
    "/admin/people",
    "/admin/people/new",
    "/admin/import",
    "/admin/audit",
    "/tags/sap",
]


def _catalog() -> dict[str, str]:
    with (TRANSLATIONS_DIR / "fr" / "LC_MESSAGES" / "messages.po").open("rb") as fh:
        catalog = read_po(fh, locale="fr")
    pairs: dict[str, str] = {}
    for message in catalog:
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        for msgid, msgstr in zip(ids, strings, strict=False):
            pairs[msgid] = msgstr
    return pairs


def _visible_text(page: str) -> str:
    attrs = re.findall(r'(?:placeholder|aria-label|title|data-confirm)="([^"]*)"', page)
    body = re.sub(r"<[^>]+>", " ", page)
    return html.unescape(body + " " + " ".join(attrs))


def test_every_message_is_translated_into_french() -> None:
    missing = [msgid for msgid, msgstr in _catalog().items() if not msgstr]
    assert missing == []


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("fr-FR,fr;q=0.9,en;q=0.8", "fr"),
        ("en-GB,en;q=0.9", "en"),
        ("de-DE,fr;q=0.5", "fr"),
        ("de", None),
        ("", None),
        ("fr;q=0, en;q=0.2", "en"),
        ("garbage;;q=x", None),
    ],
)
def test_accept_language_negotiation(header: str, expected: str | None) -> None:
    assert negotiate(header) == expected


def test_login_page_follows_accept_language(factory: Factory) -> None:
    french = factory.browser(**{"Accept-Language": "fr-FR,fr;q=0.9"}).get("/login")
    assert '<html lang="fr">' in french.text and "Se connecter" in french.text
    english = factory.browser(**{"Accept-Language": "en-US"}).get("/login")
    assert '<html lang="en">' in english.text and "Sign in" in english.text
    default = factory.browser(**{"Accept-Language": "de"}).get("/login")
    assert '<html lang="en">' in default.text


def test_the_persons_choice_wins_over_the_browser(factory: Factory) -> None:
    camille = factory.person("Camille Martin", locale="fr")
    client = factory.browser(camille, **{"Accept-Language": "en-US"})
    assert '<html lang="fr">' in client.get("/").text
    token = csrf_from(client.get("/").text)
    client.post("/language", data={"locale": "en", "next": "/", "csrf_token": token})
    assert '<html lang="en">' in client.get("/").text
    # the choice is kept on the profile, so another browser gets it too
    other = factory.browser(camille, **{"Accept-Language": "fr"})
    assert '<html lang="en">' in other.get("/").text


def test_api_errors_speak_the_callers_language(factory: Factory) -> None:
    camille = factory.person("Camille Martin", locale="fr")
    api = factory.api(camille)
    response = api.patch("/api/v1/users/me", json={"bio": "x" * 3000})
    assert response.json()["errors"][0]["message"] == "2000 caractères au maximum."


def test_french_pages_have_no_english_ui_string(factory: Factory) -> None:
    admin = factory.person("Hélène Rousseau", roles=("admin",), locale="fr", department="Ressources humaines")
    sandrine = factory.person("Sandrine Lefèvre", department="Finances", site="Lyon")
    factory.api(sandrine).patch("/api/v1/users/me", json={"tags": ["sap"]})
    client = factory.browser(admin)
    english = {msgid for msgid, msgstr in _catalog().items() if msgstr and msgstr != msgid and len(msgid) > 3}
    pages = [*PAGES, f"/people/{sandrine.handle}", f"/admin/people/{sandrine.id}", "/nowhere"]
    for url in pages:
        page = client.get(url)
        assert '<html lang="fr">' in page.text, url
        text = _visible_text(page.text)
        leftovers = sorted(
            m for m in english if "%" not in m and "{" not in m and re.search(rf"\b{re.escape(m)}\b", text)
        )
        assert leftovers == [], f"{url}: {leftovers}"


def test_dates_and_numbers_are_localised(factory: Factory) -> None:
    admin = factory.person("Hélène Rousseau", roles=("admin",), locale="fr")
    page = factory.browser(admin).get("/admin/audit").text
    assert re.search(r"\d{2}/\d{2}/\d{4}", page)  # French short dates: 24/11/2026
