"""Full-text search across posts, people and communities, showing only what the viewer may see.

Posts are found through the index built by migration 0003: FTS5 ranked by bm25 on SQLite, a
weighted `tsvector` ranked by `ts_rank` on PostgreSQL; both are accent-insensitive. What people
type is never handed to either engine as query syntax: it is cut into words (letters and digits),
each word is quoted, and words of three letters or more match as prefixes ("covoit" finds
"covoiturage", "equipe" finds "équipes"). On SQLite prefixes stand in for stemming; PostgreSQL also
stems, in French and in English. Every word must match.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass, field, fields
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from markupsafe import Markup, escape
from sqlalchemy import ColumnElement, func, literal_column, select, table
from sqlalchemy.dialects.postgresql import TSQUERY, TSVECTOR
from sqlalchemy.orm import Session

from app.i18n import _
from app.models import Community, Post, User
from app.services import communities, directory, posts
from app.services.communities import CommunityCard
from app.services.errors import Invalid
from app.services.posts import FeedItem
from app.services.visibility import post_readable

MAX_QUERY = 200  # characters read from what was typed
MAX_WORDS = 8
PREFIX_MIN = 3  # shorter words match whole words only: "le*" would match half the index
MAX_PEOPLE = 10
MAX_COMMUNITIES = 10
SECTIONS = ("posts", "people", "communities")
KINDS = (*SECTIONS, *posts.KINDS)

_WORD = re.compile(r"[^\W_]+")
# Highlight delimiters chosen by us, around words chosen by the engine; the snippet is escaped as a
# whole before they become <mark> tags, so no user text is ever trusted as HTML.
_OPEN, _CLOSE = "\x02", "\x03"
_MARKERS = re.compile(f"([{_OPEN}{_CLOSE}])")

_FTS = table("posts_fts")
_FTS_NAME: ColumnElement[Any] = literal_column("posts_fts")
_FTS_ROWID: ColumnElement[int] = literal_column("posts_fts.rowid")
_TITLE_WEIGHT, _BODY_WEIGHT = 10.0, 1.0
_SNIPPET_TOKENS = 24

_PG_CONFIGS: tuple[ColumnElement[Any], ...] = (
    literal_column("'proxima_fr'::regconfig"),
    literal_column("'proxima_en'::regconfig"),
)
_PG_VECTOR = literal_column("posts.search_vector", TSVECTOR)
_PG_HEADLINE = f"StartSel={_OPEN}, StopSel={_CLOSE}, MinWords=12, MaxWords=30, ShortWord=2"


@dataclass
class PostHit(FeedItem):
    """A post found by a search, with the passage that matched (words highlighted, HTML-safe)."""

    snippet: Markup = field(default_factory=Markup)


@dataclass
class SearchResults:
    """What a search found, in three sections."""

    posts: list[PostHit] = field(default_factory=list)
    people: list[User] = field(default_factory=list)
    communities: list[CommunityCard] = field(default_factory=list)
    sections: list[str] = field(default_factory=list)  # the sections searched, in order

    def __bool__(self) -> bool:
        return bool(self.posts or self.people or self.communities)


def printable(raw: str) -> str:
    """What was typed without control characters (PostgreSQL refuses NUL in any string)."""
    return "".join(c for c in raw if not unicodedata.category(c).startswith("C"))


def query_words(q: str) -> list[str]:
    """The words of what someone typed, lower-cased, without duplicates; everything else is dropped."""
    text = unicodedata.normalize("NFC", q[:MAX_QUERY]).casefold()
    words: list[str] = []
    for word in _WORD.findall(text):
        if word not in words:
            words.append(word)
    return words[:MAX_WORDS]


def highlight(raw: str) -> Markup:
    """A snippet from the engine as safe HTML: all of it escaped, then our markers made <mark> tags.

    Markers are paired here (a stray one typed by someone cannot open a tag that is never closed)."""
    html: list[str] = []
    is_open = False
    for part in _MARKERS.split(raw):
        if part == _OPEN:
            if not is_open:
                html.append("<mark>")
            is_open = True
        elif part == _CLOSE:
            if is_open:
                html.append("</mark>")
            is_open = False
        else:
            html.append(str(escape(part)))
    if is_open:
        html.append("</mark>")
    return Markup("".join(html))  # noqa: S704 - every piece of text was escaped above


def resolve_author(db: Session, ref: str) -> int | None:
    """The person an author filter names (@handle, handle or id); None when empty; Invalid when unknown."""
    ref = printable(ref).strip().lstrip("@").lower()
    if not ref:
        return None
    by_id = ref.isascii() and ref.isdigit() and len(ref) <= 18
    found = db.scalar(select(User.id).where(User.id == int(ref) if by_id else User.handle == ref))
    if found is None:
        raise Invalid.one("author", _("Nobody here by that name."))
    return found


def search(
    db: Session,
    *,
    viewer: User,
    q: str,
    kind: str | None = None,
    community: str | None = None,
    author_id: int | None = None,
    since: date | None = None,
    until: date | None = None,
    limit: int = 20,
) -> SearchResults:
    """Find posts, people and communities matching the words typed, among what the viewer may see.

    `kind` narrows to one section (`posts`, `people`, `communities`) or to posts of one kind
    (`question`, `event`…). The post filters (`community` slug, `author_id`, `since` and `until`,
    whole days in UTC, both included) leave people and communities out."""
    if kind is not None and kind not in KINDS:
        raise Invalid.one("kind", _("Choose one of: {kinds}.").format(kinds=", ".join(KINDS)))
    words = query_words(q)
    results = SearchResults()
    if not words:
        return results
    post_filters = any(f is not None for f in (community, author_id, since, until))
    if kind is None or kind not in ("people", "communities"):
        post_kind = kind if kind in posts.KINDS else None
        results.sections.append("posts")
        results.posts = _search_posts(
            db,
            viewer=viewer,
            words=words,
            kind=post_kind,
            community=community,
            author_id=author_id,
            since=since,
            until=until,
            limit=max(1, min(limit, 50)),
        )
    if not post_filters and kind in (None, "people"):
        results.sections.append("people")
        results.people = _search_people(db, q=q, words=words)
    if not post_filters and kind in (None, "communities"):
        results.sections.append("communities")
        page = communities.directory(db, viewer=viewer, q=" ".join(words), limit=MAX_COMMUNITIES)
        results.communities = page.items
    return results


def _search_people(db: Session, *, q: str, words: list[str]) -> list[User]:
    """People by name first, then people whose expertise matches, at most 10."""
    found = directory.search_people(db, q=" ".join(words), limit=MAX_PEOPLE).items
    seen = {p.id for p in found}
    for expert in directory.find_experts(db, query=printable(q[:MAX_QUERY]), limit=MAX_PEOPLE):
        if len(found) >= MAX_PEOPLE:
            break
        if expert.user.id not in seen:
            found.append(expert.user)
            seen.add(expert.user.id)
    return found


def _day_start(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)


def _search_posts(
    db: Session,
    *,
    viewer: User,
    words: list[str],
    kind: str | None,
    community: str | None,
    author_id: int | None,
    since: date | None,
    until: date | None,
    limit: int,
) -> list[PostHit]:
    postgres = db.get_bind().dialect.name == "postgresql"
    # Rank on the index alone first: the feed's columns are then read for the page found only.
    stmt = select(Post.id).where(post_readable(viewer.id))
    if postgres:
        tsquery = _tsquery(words)
        stmt = stmt.where(_PG_VECTOR.op("@@")(tsquery)).order_by(func.ts_rank(_PG_VECTOR, tsquery).desc())
    else:
        stmt = (
            stmt.join(_FTS, Post.id == _FTS_ROWID)
            .where(_FTS_NAME.op("MATCH")(_fts5_query(words)))
            .order_by(func.bm25(_FTS_NAME, _TITLE_WEIGHT, _BODY_WEIGHT))
        )
    if kind is not None:
        stmt = stmt.where(Post.kind == kind)
    if community is not None:
        stmt = stmt.where(
            Post.community_id.in_(select(Community.id).where(Community.slug == printable(community)))
        )
    if author_id is not None:
        stmt = stmt.where(Post.author_id == author_id)
    if since is not None:
        stmt = stmt.where(Post.created_at >= _day_start(since))
    if until is not None and until < date.max:
        stmt = stmt.where(Post.created_at < _day_start(until + timedelta(days=1)))
    ids = list(db.scalars(stmt.order_by(Post.created_at.desc(), Post.id.desc()).limit(limit)))
    if not ids:
        return []
    rows = db.execute(posts._feed_select(viewer.id).where(Post.id.in_(ids), post_readable(viewer.id))).all()
    position = {post_id: i for i, post_id in enumerate(ids)}
    items = posts.decorate(db, viewer, sorted(rows, key=lambda row: position[row.id]))
    snippets = _snippets(db, words, ids, postgres=postgres)
    names = [f.name for f in fields(FeedItem)]
    return [
        PostHit(**{n: getattr(item, n) for n in names}, snippet=highlight(snippets.get(item.id, "")))
        for item in items
    ]


def _fts5_query(words: list[str]) -> str:
    """An FTS5 query from plain words: each one quoted (no operator survives), all required."""
    return " ".join(f'"{w}"*' if len(w) >= PREFIX_MIN else f'"{w}"' for w in words)


def _tsquery(words: list[str]) -> Any:
    """A tsquery from plain words: each matches in French or in English, all required."""

    def term(config: Any, word: str) -> Any:
        # the words hold letters and digits only, so ":*" is the only syntax to_tsquery sees
        if len(word) >= PREFIX_MIN:
            return func.to_tsquery(config, word + ":*", type_=TSQUERY)
        return func.plainto_tsquery(config, word, type_=TSQUERY)

    either = [
        functools.reduce(lambda a, b: a.op("||", return_type=TSQUERY)(b), (term(c, w) for c in _PG_CONFIGS))
        for w in words
    ]
    return functools.reduce(lambda a, b: a.op("&&", return_type=TSQUERY)(b), either)


def _snippets(db: Session, words: list[str], ids: list[int], *, postgres: bool) -> dict[int, str]:
    """The best passage of each post's body, with our markers around the matching words."""
    if postgres:
        headline = func.ts_headline(
            _PG_CONFIGS[0], func.coalesce(Post.body, ""), _tsquery(words), _PG_HEADLINE
        )
        rows = db.execute(select(Post.id, headline).where(Post.id.in_(ids)))
    else:
        snippet = func.snippet(_FTS_NAME, 1, _OPEN, _CLOSE, "…", _SNIPPET_TOKENS)
        rows = db.execute(
            select(_FTS_ROWID, snippet)
            .select_from(_FTS)
            .where(_FTS_NAME.op("MATCH")(_fts5_query(words)), _FTS_ROWID.in_(ids))
        )
    return {post_id: text or "" for post_id, text in rows}
