"""Search: posts by relevance with safe highlights, people, communities; never what the viewer may not see."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text

from app.db import Database
from tests.factories import Factory


def _community(api: TestClient, name: str, visibility: str = "public") -> str:
    response = api.post("/api/v1/communities", json={"name": name, "visibility": visibility})
    assert response.status_code == 201, response.text
    return str(response.json()["slug"])


def _post(api: TestClient, body: str, *, community: str | None = None, **fields: Any) -> int:
    response = api.post(
        "/api/v1/posts", json={"kind": "status", "body": body, "community": community, **fields}
    )
    assert response.status_code == 201, response.text
    return int(response.json()["id"])


def _search(api: TestClient, q: str, **params: str) -> dict[str, Any]:
    response = api.get("/api/v1/search", params={"q": q, **params})
    assert response.status_code == 200, response.text
    return dict(response.json())


def _post_ids(api: TestClient, q: str, **params: str) -> list[int]:
    return [p["id"] for p in _search(api, q, **params)["posts"]]


def test_finds_posts_by_word_accent_insensitively_and_by_prefix(factory: Factory) -> None:
    api = factory.api(factory.person("Alice Martin"))
    carpool = _post(api, "L'équipe organise le covoiturage du jeudi")
    _post(api, "Rien à voir : la cantine ferme à 14 h")
    assert _post_ids(api, "covoiturage") == [carpool]
    assert _post_ids(api, "equipe") == [carpool]  # accents do not matter, either way
    assert _post_ids(api, "ÉQUIPE Jeudi") == [carpool]
    assert _post_ids(api, "covoit") == [carpool]  # the start of a word is enough
    assert _post_ids(api, "covoiturage vélo") == []  # every word must match
    found = _search(api, "covoit")["posts"][0]
    assert found["author"]["display_name"] == "Alice Martin"
    assert "<mark>covoiturage</mark>" in found["snippet"]


def test_title_matches_rank_first(factory: Factory) -> None:
    api = factory.api(factory.person("Alice Martin"))
    in_title = _post(
        api, "Les chiffres de l'année, service par service.", kind="article", title="Budget 2027"
    )
    in_body = _post(api, "Qui a vu le budget de la fête ?")
    assert _post_ids(api, "budget") == [in_title, in_body]


def test_snippets_escape_what_people_wrote_and_mark_what_matched(factory: Factory) -> None:
    alice = factory.person("Alice Martin")
    api = factory.api(alice)
    _post(api, 'Tom & Jerry <script>alert("pwned")</script> parlent de covoiturage <b>gras</b>')
    snippet = _search(api, "covoiturage")["posts"][0]["snippet"]
    assert "<mark>covoiturage</mark>" in snippet
    assert "<script>" not in snippet and "<b>" not in snippet
    assert "&amp;" in snippet
    page = factory.browser(alice).get("/search", params={"q": "covoiturage"}).text
    assert "<mark>covoiturage</mark>" in page
    assert "<script>alert" not in page and "<b>gras" not in page
    # what was typed comes back escaped too
    page = factory.browser(alice).get("/search", params={"q": "<img src=x onerror=alert(1)> zzz"}).text
    assert "<img src=x" not in page and "&lt;img src=x" in page


def _world(factory: Factory) -> dict[str, Any]:
    owner = factory.person("Olivia Owner")
    outsider, member, pending = (
        factory.person("Oscar Outsider"),
        factory.person("Mia Member"),
        factory.person("Pia Pending"),
    )
    o_api = factory.api(owner)
    slugs = {v: _community(o_api, f"Licorne {v}", v) for v in ("public", "private", "secret")}
    posts = {v: _post(o_api, f"Projet licorne confidentiel ({v})", community=s) for v, s in slugs.items()}
    posts["company"] = _post(o_api, "Projet licorne pour toute l'entreprise")
    for slug in (slugs["private"], slugs["secret"]):
        assert o_api.put(f"/api/v1/communities/{slug}/members/{member.id}").status_code == 204
    p_api = factory.api(pending)
    assert p_api.post(f"/api/v1/communities/{slugs['private']}/join").json() == {"status": "pending"}
    return {
        "slugs": slugs,
        "posts": posts,
        "outsider": (outsider, factory.api(outsider)),
        "member": (member, factory.api(member)),
        "pending": (pending, p_api),
    }


@pytest.mark.parametrize("viewer", ["outsider", "pending", "member"])
def test_posts_of_private_and_secret_communities_only_for_their_members(
    factory: Factory, viewer: str
) -> None:
    world = _world(factory)
    person, api = world[viewer]
    posts, slugs = world["posts"], world["slugs"]
    expected = {posts["company"], posts["public"]}
    if viewer == "member":
        expected |= {posts["private"], posts["secret"]}
    assert set(_post_ids(api, "licorne")) == expected
    assert set(_post_ids(api, "confidentiel secret")) == ({posts["secret"]} if viewer == "member" else set())
    # filtering by the community's slug reveals nothing either
    assert _post_ids(api, "licorne", community=slugs["secret"]) == (
        [posts["secret"]] if viewer == "member" else []
    )
    # communities: a secret one exists only for its members
    listed = {c["slug"] for c in _search(api, "licorne")["communities"]}
    assert listed == ({*slugs.values()} if viewer == "member" else {slugs["public"], slugs["private"]})
    # the page says the same
    page = factory.browser(person).get("/search", params={"q": "licorne"}).text
    assert ("confidentiel (secret)" in page) == (viewer == "member")
    assert ("confidentiel (private)" in page) == (viewer == "member")
    assert "confidentiel (public)" in page
    assert (f"/communities/{slugs['secret']}" in page) == (viewer == "member")


def test_removed_posts_never_show(factory: Factory) -> None:
    owner, author = factory.person("Olivia Owner"), factory.person("Arthur Author")
    o_api, a_api = factory.api(owner), factory.api(author)
    slug = _community(o_api, "Atelier vélo")
    assert a_api.post(f"/api/v1/communities/{slug}/join").status_code == 200
    kept = _post(a_api, "Réparation de vélo jeudi", community=slug)
    removed = _post(a_api, "Vente de vélo volé, pas cher", community=slug)
    assert o_api.post(f"/api/v1/posts/{removed}/remove", json={"reason": "Hors charte"}).status_code == 204
    for api in (o_api, a_api):
        assert _post_ids(api, "vélo") == [kept]
        assert _post_ids(api, "vole") == []


def test_the_index_follows_edits_and_deletions(factory: Factory, database: Database) -> None:
    api = factory.api(factory.person("Alice Martin"))
    post_id = _post(api, "Pique-nique vendredi au parc")
    assert api.patch(f"/api/v1/posts/{post_id}", json={"body": "Barbecue samedi au parc"}).status_code == 200
    assert _post_ids(api, "pique") == []
    assert _post_ids(api, "barbecue") == [post_id]
    assert api.delete(f"/api/v1/posts/{post_id}").status_code == 204
    assert _post_ids(api, "parc") == []
    # emptying the table (as the suite does between tests) leaves the index consistent
    _post(api, "Encore un pique-nique")
    with database.engine.begin() as conn:
        if conn.dialect.name == "sqlite":
            conn.execute(text("DELETE FROM posts"))
            conn.execute(text("INSERT INTO posts_fts(posts_fts, rank) VALUES ('integrity-check', 1)"))
            assert (
                conn.execute(text("SELECT count(*) FROM posts_fts WHERE posts_fts MATCH 'pique'")).scalar()
                == 0
            )


def test_post_filters(factory: Factory) -> None:
    alice, bob = factory.person("Alice Martin"), factory.person("Bob Durand")
    a_api, b_api = factory.api(alice), factory.api(bob)
    slug = _community(a_api, "Jardin partagé")
    assert b_api.post(f"/api/v1/communities/{slug}/join").status_code == 200
    status = _post(a_api, "Les tomates du jardin sont mûres")
    question = _post(b_api, "Qui arrose les tomates ce week-end ?", kind="question", community=slug)
    assert set(_post_ids(a_api, "tomates")) == {status, question}
    assert _post_ids(a_api, "tomates", kind="question") == [question]
    assert _post_ids(a_api, "tomates", kind="status") == [status]
    assert _post_ids(a_api, "tomates", community=slug) == [question]
    assert _post_ids(a_api, "tomates", author=bob.handle) == [question]
    assert _post_ids(a_api, "tomates", author=f"@{alice.handle}") == [status]
    assert _post_ids(a_api, "tomates", author=str(alice.id)) == [status]
    today = datetime.now(UTC).date()
    day = timedelta(days=1)
    assert len(_post_ids(a_api, "tomates", since=str(today), until=str(today))) == 2
    assert _post_ids(a_api, "tomates", since=str(today + day)) == []
    assert _post_ids(a_api, "tomates", until=str(today - day)) == []
    # post filters leave people and communities out; kind may also pick a section
    filtered = _search(a_api, "jardin", kind="question")
    assert filtered["people"] == [] and filtered["communities"] == []
    only = _search(a_api, "jardin", kind="communities")
    assert only["posts"] == [] and [c["slug"] for c in only["communities"]] == [slug]
    # filters that make no sense are refused, not crashed on
    assert a_api.get("/api/v1/search", params={"q": "x", "author": "nobody-here"}).status_code == 422
    assert a_api.get("/api/v1/search", params={"q": "x", "kind": "nonsense"}).status_code == 422
    assert a_api.get("/api/v1/search", params={"q": "x", "since": "yesterday"}).status_code == 422
    for since, until in (("0001-01-01", "9999-12-31"), ("9999-12-31", "0001-01-01")):
        assert (
            a_api.get("/api/v1/search", params={"q": "x", "since": since, "until": until}).status_code == 200
        )
    # and the page shows them again with a message
    page = factory.browser(alice).get(
        "/search", params={"q": "tomates", "author": "nobody-here", "since": "not a date"}
    )
    assert page.status_code == 200
    assert "Nobody here by that name." in page.text and "A date like 2026-11-24." in page.text
    page = factory.browser(alice).get(
        "/search", params={"q": "tomates", "kind": "question", "community": slug}
    )
    assert "Qui arrose" in page.text and "Les tomates du jardin" not in page.text


def test_people_by_name_and_by_expertise(factory: Factory) -> None:
    camille = factory.person("Camille Lefèvre")
    sam = factory.person("Sam Dupont")
    factory.person("Zoé Autre")
    assert (
        factory.api(sam).patch("/api/v1/users/me", json={"tags": ["Lefebvre method", "SAP"]}).status_code
        == 200
    )
    api = factory.api(camille)
    assert [p["id"] for p in _search(api, "lefevre")["people"]] == [camille.id]
    assert [p["id"] for p in _search(api, "camil")["people"]] == [camille.id]
    assert [p["id"] for p in _search(api, "sap")["people"]] == [sam.id]
    page = factory.browser(camille).get("/search", params={"q": "sap"}).text
    assert "Sam Dupont" in page and "Zoé Autre" not in page


def test_communities_by_name_a_secret_one_only_for_members(factory: Factory) -> None:
    owner, other = factory.person("Olivia Owner"), factory.person("Oscar Outsider")
    o_api, x_api = factory.api(owner), factory.api(other)
    public = _community(o_api, "Course à pied")
    secret = _community(o_api, "Course secrète", "secret")
    assert {c["slug"] for c in _search(o_api, "course")["communities"]} == {public, secret}
    assert {c["slug"] for c in _search(x_api, "course")["communities"]} == {public}
    assert [c["slug"] for c in _search(x_api, "secrete")["communities"]] == []


@pytest.mark.parametrize(
    "q",
    [
        "",
        "   ",
        "!!! ??? ...",
        '"',
        "*",
        "NEAR(",
        ")",
        "'; drop table posts; --",
        '"covoiturage" OR title:x NEAR(a b) ^c -d',
        "a" * 500,
        " ".join(["mot"] * 100),
        "%",
        "_",
        "covoit\x00urage",
        "\x02\x03",
        "🚲 ☕",
    ],
)
def test_nasty_queries_answer_never_crash(factory: Factory, q: str) -> None:
    alice = factory.person("Alice Martin")
    api = factory.api(alice)
    _post(api, "Le covoiturage du jeudi, départ 8 h")
    _community(api, "Covoiturage")
    response = api.get("/api/v1/search", params={"q": q})
    assert response.status_code == 200, response.text
    assert factory.browser(alice).get("/search", params={"q": q}).status_code == 200


@pytest.mark.parametrize("q", ["", "   ", "!!!", '"*()'])
def test_an_empty_query_finds_nothing(factory: Factory, q: str) -> None:
    alice = factory.person("Alice Martin")
    api = factory.api(alice)
    _post(api, "Le covoiturage du jeudi")
    _community(api, "Covoiturage")
    assert _search(api, q) == {"posts": [], "people": [], "communities": []}
    page = factory.browser(alice).get("/search", params={"q": q}).text
    assert "What are you looking for?" in page


def test_the_page_updates_live_and_speaks_french(factory: Factory) -> None:
    alice = factory.person("Alice Martin", locale="fr")
    api = factory.api(alice)
    _post(api, "Le covoiturage du jeudi")
    browser = factory.browser(alice)
    page = browser.get("/search", params={"q": "covoiturage"})
    assert page.status_code == 200
    assert '<form class="filters card search-form"' in page.text and 'hx-get="/search"' in page.text
    assert "Publications" in page.text and "Écrit par" in page.text and "Written by" not in page.text
    fragment = browser.get("/search", params={"q": "covoiturage"}, headers={"HX-Request": "true"})
    assert fragment.text.lstrip().startswith('<section id="results"')
    assert "<html" not in fragment.text and "<mark>covoiturage</mark>" in fragment.text
    empty = browser.get("/search", params={"q": "introuvable"}).text
    assert "Rien ne correspond à « introuvable »." in empty
