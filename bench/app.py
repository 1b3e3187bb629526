"""The benchmark's server: the real application plus two "bare" pages with no database.

- `GET /_bench/bare`: the directory template (`people/directory.html`) with 30 in-memory people;
- `GET /_bench/bare-feed`: the home feed template (`home/feed.html`) with 20 in-memory posts, each a
  real `FeedItem` around a row with exactly the columns of `app.services.posts._feed_select`, and the
  composer's context as `app.web.posts.composer_context` returns it.

Both go through the same middleware and server as the real pages; neither touches the database (no
query, no session lookup), so they are the ceiling of the stack for their template on this machine.
"""

from __future__ import annotations

from collections import namedtuple
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import Response

from app.main import create_app
from app.services import posts
from app.settings import Settings
from app.web.htmx import render

BARE_PATH = "/_bench/bare"
BARE_PEOPLE = 30
BARE_FEED_PATH = "/_bench/bare-feed"
BARE_FEED_ITEMS = 20
DEPARTMENTS = ["Customer Success", "Engineering", "Finance", "Human Resources", "Marketing", "Sales"]
SITES = ["London", "Lyon", "Paris"]
TAGS = ["python", "kubernetes", "data science", "covoiturage", "management", "devops"]

# The columns of one feed row, read from the real statement (building it sends nothing to a database).
FEED_COLUMNS: tuple[str, ...] = tuple(posts._feed_select(0).selected_columns.keys())
FeedRow = namedtuple("FeedRow", FEED_COLUMNS)  # type: ignore[misc]

# 20 posts in about the demo's mix of kinds (status 55%, question 15%, article 10%, event 8%, …)
FEED_KINDS = (
    "status", "question", "status", "article", "status", "praise", "event", "status", "question", "status",
    "poll", "status", "article", "status", "praise", "status", "event", "question", "status", "status",
)  # fmt: skip
_HASHTAG = '<a href="/tags/{0}" class="hashtag" rel="noopener noreferrer nofollow">#{0}</a>'
_MENTION = '<a href="/people/{0}" class="mention" rel="noopener noreferrer nofollow">@{0}</a>'
_BODIES = {  # about the demo's average length of body_html per kind (180-480 characters)
    "status": "<p>Le gestionnaire de mots de passe de l'entreprise est ouvert à tous : fini les post-it ! "
    "Pensez à l'activer avant vendredi. {h0} {h1}</p>",
    "question": "<p>Une facture concerne deux équipes : comment la ventiler dans SAP sans la saisir deux "
    "fois ? Quelqu'un a déjà eu le cas en fin de trimestre ? {h0} {h1}</p>",
    "article": "<p>Quelques gestes simples protègent toute l'entreprise :</p>\n<ol>\n"
    "<li>vérifier l'expéditeur avant de cliquer</li>\n<li>activer la double authentification</li>\n"
    "<li>verrouiller sa session en quittant son poste</li>\n<li>ne jamais réutiliser un mot de passe</li>\n"
    "<li>signaler tout doute au support</li>\n</ol>\n<p>Merci à {m} pour la relecture. {h0}</p>",
    "praise": "<p>Bravo {m} pour la présentation de vendredi : claire, concrète et pleine d'énergie. "
    "{h0}</p>",
    "event": "<p>Atelier reverse mentoring : venez découvrir les outils de l'équipe data. {h0}</p>",
    "poll": "<p>Quel thème pour le prochain digital day ? {h0}</p>",
}
_TITLES = {
    "question": "Ventiler une facture entre deux équipes",
    "article": "Cybersécurité : cinq gestes simples",
    "event": "Reverse mentoring : les outils data",
}
_REACTION_COLUMNS = ("like_count", "celebrate_count", "support_count", "insightful_count", "curious_count")
_NOW = datetime(2026, 11, 1, 9, 0, tzinfo=UTC)


def bare_people(count: int = BARE_PEOPLE) -> list[SimpleNamespace]:
    """In-memory people with the attributes a person card reads."""
    return [
        SimpleNamespace(
            id=1000 + i,
            handle=f"person.{i:02d}",
            display_name=f"Person Number{i:02d}",
            job_title="Software engineer" if i % 3 else None,
            department=DEPARTMENTS[i % len(DEPARTMENTS)],
            site=SITES[i % len(SITES)],
            photo_id=None,
        )
        for i in range(count)
    ]


def bare_viewer() -> SimpleNamespace:
    """The signed-in person the bare pages show in the top bar."""
    return SimpleNamespace(
        id=1,
        display_name="Bench Viewer",
        handle="bench.viewer",
        email="bench.viewer@proxima.example",
        photo_id=None,
        roles=("employee",),
    )


def bare_context() -> dict[str, object]:
    """The directory template's context, built once from plain objects (no database)."""
    people = bare_people()
    return {
        "people": people,
        "next_cursor": None,
        "filters": {"q": "", "tag": "", "department": "", "site": ""},
        "departments": DEPARTMENTS,
        "sites": SITES,
        "tag_map": {p.id: TAGS[: 1 + p.id % 5] for p in people},
        "following_ids": set(),
        "viewer": bare_viewer(),
    }


def _feed_row(i: int, kind: str) -> Any:
    """The row `_feed_select` would return for the i-th post of the page (newest first)."""
    created = _NOW - timedelta(hours=3 * i + 1)
    tags = [TAGS[(i + k) % len(TAGS)] for k in range(1 + i % 3)]
    hashtags = [_HASHTAG.format(t.replace(" ", "-")) for t in tags] + [""]
    counts = [(i * 7 + k * 3) % 6 if k == 0 or (i + k) % 3 == 0 else 0 for k in range(5)]
    in_community = i % 3 != 2
    event = kind == "event"
    values: dict[str, Any] = {
        "id": 200_000 - i,
        "kind": kind,
        "title": _TITLES.get(kind),
        "body_html": _BODIES[kind].format(h0=hashtags[0], h1=hashtags[1], m=_MENTION.format("melanie.colin")),
        "created_at": created,
        "edited_at": created + timedelta(minutes=5) if i % 7 == 3 else None,
        "is_leadership": i == 4,
        **dict(zip(_REACTION_COLUMNS, counts, strict=True)),
        "reaction_count": sum(counts),
        "comment_count": (i * 5) % 7,
        "answer_count": ((i * 5) % 7 + 1) // 2,  # the comments that are not replies
        "community_id": 10 + i % 8 if in_community else None,
        "pinned_at": None,
        "accepted_comment_id": 9_000 + i if kind == "question" and i % 2 else None,
        "removed_at": None,
        "removal_reason": None,
        "author_id": 100 + i,
        "author_name": f"Person Number{i:02d}",
        "author_handle": f"person.{i:02d}",
        "author_photo_id": None,
        "author_job_title": "Software engineer" if i % 4 else None,
        "community_slug": f"community-{i % 8}" if in_community else None,
        "community_name": f"Community {i % 8}" if in_community else None,
        "community_visibility": "public" if in_community else None,
        "praised_name": "Mélanie Colin" if kind == "praise" else None,
        "praised_handle": "melanie.colin" if kind == "praise" else None,
        "posted_by_id": None,
        "posted_by_name": None,
        "posted_by_handle": None,
        "is_draft": False,
        "tag_names": posts.TAG_SEPARATOR.join(tags),
        "my_reaction_kind": "like" if i % 5 == 1 else None,
        "event_starts_at": _NOW + timedelta(days=400 + i) if event else None,  # upcoming: the RSVP form
        "event_ends_at": _NOW + timedelta(days=400 + i, hours=2) if event else None,
        "event_location": "Lyon, salle Confluence" if event else None,
        "event_online_url": "https://meet.proxima.example/data" if event and i % 2 else None,
        "event_capacity": 30 if event else None,
        "event_going": 12 if event else None,
        "event_waiting": 0 if event else None,
        "event_mine": None,
    }
    missing = set(FEED_COLUMNS) - set(values)
    if missing:  # the feed statement grew: the bare row must grow with it
        raise RuntimeError(f"the bare feed row lacks {sorted(missing)}")
    return FeedRow(**{name: values[name] for name in FEED_COLUMNS})


def bare_feed_items(count: int = BARE_FEED_ITEMS) -> list[posts.FeedItem]:
    """20 `FeedItem`s shaped as `posts.decorate` shapes them, with a poll and two events among them."""
    items = []
    for i in range(count):
        row = _feed_row(i, FEED_KINDS[i % len(FEED_KINDS)])
        item = posts.feed_item_of(row)
        if row.kind == "poll":
            options = [
                (1, "Nos clients", 14),
                (2, "L'innovation", 9),
                (3, "La qualité de vie au travail", 21),
            ]
            item.poll = {
                "options": [{"id": o, "label": label, "votes": v} for o, label, v in options],
                "total": sum(v for _o, _label, v in options),
                "voted_for": None,
            }
        items.append(item)
    return items


def bare_feed_context() -> dict[str, object]:
    """The home page's context (`app.web.home.home`), built once from plain objects (no database)."""
    communities = [SimpleNamespace(slug=f"community-{i}", name=f"Community {i}") for i in range(8)]
    return {
        "items": bare_feed_items(),
        "next_cursor": "WyIyMDI2LTEwLTMwVDAzOjAwOjAwKzAwOjAwIiwgMTk5OTgxXQ",
        "composer": {  # what app.web.posts.composer_context returns for the home page
            "values": {"kind": "status"},
            "errors": {},
            "next": "/",
            "fixed_community": None,
            "communities": communities,
            "can_lead": False,
            "post_as": None,
            "saved": False,
            "new_item": None,
        },
        "campaigns": [],
        "since": _NOW.isoformat(),
        "count": 0,
        "viewer": bare_viewer(),
    }


def create_bench_app(settings: Settings | None = None) -> FastAPI:
    """The real Proxima app (settings from the environment by default) plus the two bare pages."""
    app = create_app(settings)
    context = bare_context()
    feed_context = bare_feed_context()

    @app.get(BARE_PATH, include_in_schema=False)
    def bare_page(request: Request) -> Response:
        """The directory template with 30 in-memory people: the cost of the stack and the rendering."""
        return render(request, "people/directory.html", context)

    @app.get(BARE_FEED_PATH, include_in_schema=False)
    def bare_feed_page(request: Request) -> Response:
        """The home feed template with 20 in-memory posts: the ceiling of the home page."""
        return render(request, "home/feed.html", feed_context)

    return app
