"""The demo company: the documented logins work, the organisation holds together, and it never changes."""

from __future__ import annotations

import hashlib
import importlib.util
import re
from collections import Counter
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.orm import Session, aliased

from app import demo
from app.cli import upgrade_database
from app.db import Database
from app.models import (
    AuditEntry,
    Comment,
    Community,
    Event,
    Follow,
    Membership,
    Mention,
    PollOption,
    PollVote,
    Post,
    PostTag,
    Reaction,
    Rsvp,
    Tag,
    TagFollow,
    User,
    UserRole,
    UserTag,
)
from app.services import auth, markdown, posts
from app.services.text import fold, normalize_tag
from app.services.visibility import post_readable
from app.settings import Settings

EXPECTED_ROLES = {
    "admin@proxima.example": {"employee", "admin"},
    "camille.martin@proxima.example": {"employee"},
    "oliver.smith@proxima.example": {"employee"},
    "helene.rousseau@proxima.example": {"employee", "hr"},
    "sophie.bernard@proxima.example": {"employee", "executive"},
    "julien.moreau@proxima.example": {"employee"},
    "lea.garcia@proxima.example": {"employee", "community_manager"},
}


def _settings(path: Path) -> Settings:
    return Settings(env="test", database_url=f"sqlite:///{path}", argon2_time_cost=1, argon2_memory_cost=1024)


def _load(path: Path, size: str = "small") -> tuple[Settings, Database, str]:
    settings = _settings(path)
    upgrade_database(settings)
    database = Database(settings)
    with database.session() as db:
        summary = demo.load(db, settings=settings, size=size)
    return settings, database, summary


@pytest.fixture(scope="module")
def loaded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Settings, Database, str]]:
    """A fresh database holding the small demo company."""
    settings, database, summary = _load(tmp_path_factory.mktemp("demo") / "demo.db")
    yield settings, database, summary
    database.dispose()


def _snapshot(db: Session) -> list[tuple[Any, ...]]:
    """Everything a visitor would see of each person, in id order."""
    manager = aliased(User)
    tags: dict[int, list[str]] = {}
    for user_id, name in db.execute(
        select(UserTag.user_id, Tag.name)
        .join(Tag, Tag.id == UserTag.tag_id)
        .order_by(UserTag.user_id, UserTag.position)
    ):
        tags.setdefault(user_id, []).append(name)
    follows = Counter(db.scalars(select(Follow.follower_id)))
    rows = db.execute(
        select(User.id, User.email, User.handle, User.display_name, manager.email, User.department, User.site)
        .add_columns(User.job_title, User.locale, User.bio, User.created_at, User.last_seen_at)
        .outerjoin(manager, manager.id == User.manager_id)
        .order_by(User.id)
    )
    return [(*row[1:], tuple(tags.get(row.id, [])), follows[row.id]) for row in rows]


def test_the_small_company_has_about_300_people(loaded: tuple[Settings, Database, str]) -> None:
    _, database, summary = loaded
    with database.session(write=False) as db:
        people = db.scalar(select(func.count()).select_from(User))
        departments = db.scalar(select(func.count(func.distinct(User.department))))
        sites = set(db.scalars(select(User.site).distinct()))
        audited = db.scalar(select(func.count()).where(AuditEntry.action == "demo_loaded"))
    assert people is not None
    assert 280 <= people <= 320
    assert departments == 6
    assert sites == {"Paris", "Lyon", "London"}
    assert audited == 1
    assert summary.startswith("loaded the small demo company: 300 people, 6 departments, 3 sites")
    assert "camille.martin@proxima.example / proxima-demo" in summary


def test_the_documented_logins_exist_with_their_roles(loaded: tuple[Settings, Database, str]) -> None:
    _, database, _ = loaded
    assert {email for email, _ in demo.DEMO_LOGINS} == set(EXPECTED_ROLES)
    with database.session(write=False) as db:
        for email, roles in EXPECTED_ROLES.items():
            user = db.scalar(select(User).where(User.email == email))
            assert user is not None, email
            assert set(user.roles) == roles, email
        camille = db.scalar(select(User).where(User.email == "camille.martin@proxima.example"))
        oliver = db.scalar(select(User).where(User.email == "oliver.smith@proxima.example"))
        sophie = db.scalar(select(User).where(User.email == "sophie.bernard@proxima.example"))
        helene = db.scalar(select(User).where(User.email == "helene.rousseau@proxima.example"))
        assert camille is not None
        assert oliver is not None
        assert sophie is not None
        assert helene is not None
        assert (camille.department, camille.site, camille.locale) == ("Engineering", "Lyon", "fr")
        assert (oliver.department, oliver.site, oliver.locale) == ("Sales", "London", "en")
        assert (helene.department, helene.site) == ("Human Resources", "Paris")
        assert sophie.manager_id is None
        assert sophie.site == "Paris"
        for email, _ in demo.DEMO_LOGINS:
            follows = db.scalar(
                select(func.count())
                .select_from(Follow)
                .join(User, User.id == Follow.follower_id)
                .where(User.email == email)
            )
            assert (follows or 0) >= 3, email


def test_the_organisation_chart_holds_together(loaded: tuple[Settings, Database, str]) -> None:
    _, database, _ = loaded
    with database.session(write=False) as db:
        managers = {uid: boss for uid, boss in db.execute(select(User.id, User.manager_id))}
        julien = db.scalar(select(User.id).where(User.email == "julien.moreau@proxima.example"))
        camille_manager = db.scalar(
            select(User.manager_id).where(User.email == "camille.martin@proxima.example")
        )
        executives = set(db.scalars(select(UserRole.user_id).where(UserRole.role == "executive")))
    assert [uid for uid, boss in managers.items() if boss is None] == [1]  # only the CEO
    for uid, boss in managers.items():
        assert boss is None or boss in managers
        assert boss != uid
        seen = {uid}
        while boss is not None:  # no cycles: every chain ends at the CEO
            assert boss not in seen
            seen.add(boss)
            boss = managers[boss]
    reports = Counter(boss for boss in managers.values() if boss is not None)
    assert reports[julien] >= 5
    assert camille_manager == julien
    assert len(executives) == 7
    line_managers = {
        boss for boss in reports if all(reports[uid] == 0 for uid, b in managers.items() if b == boss)
    }
    assert line_managers
    assert all(4 <= reports[boss] <= 12 for boss in line_managers)


def test_profiles_tags_and_timestamps_look_real(loaded: tuple[Settings, Database, str]) -> None:
    _, database, _ = loaded
    with database.session(write=False) as db:
        people = list(db.scalars(select(User)))
        tags = list(db.scalars(select(Tag)))
        tagged = db.scalar(select(func.count(func.distinct(UserTag.user_id))))
    emails = [p.email for p in people]
    assert len(set(emails)) == len(emails) == len({p.handle for p in people})
    assert all(e.endswith("@proxima.example") and e.isascii() and e == e.lower() for e in emails)
    assert any(not p.display_name.isascii() for p in people)  # accents kept in names
    assert all(p.search_name == fold(p.display_name) for p in people)
    assert all(t.name == normalize_tag(t.name) and t.key == fold(t.name) for t in tags)
    assert 0.55 < (tagged or 0) / len(people) < 0.85
    never = [p for p in people if p.first_seen_at is None]
    assert 0.05 < len(never) / len(people) < 0.25
    for person in people:
        assert person.created_at.tzinfo is not None
        assert person.created_at < demo.REFERENCE
        if person.first_seen_at is not None:
            assert person.last_seen_at is not None
            assert person.created_at < person.first_seen_at <= person.last_seen_at <= demo.REFERENCE


def test_the_demo_password_signs_camille_in(loaded: tuple[Settings, Database, str]) -> None:
    settings, database, _ = loaded
    with database.session() as db:
        result = auth.sign_in(
            db,
            settings=settings,
            email="camille.martin@proxima.example",
            password=demo.DEMO_PASSWORD,
            address="t",
        )
    assert result.user is not None


def test_loading_twice_gives_the_same_people(tmp_path: Path, loaded: tuple[Settings, Database, str]) -> None:
    _, first, _ = loaded
    _, second, _ = _load(tmp_path / "again.db")
    try:
        with first.session(write=False) as a, second.session(write=False) as b:
            assert _snapshot(a) == _snapshot(b)
    finally:
        second.dispose()


@pytest.mark.parametrize("size", ["small", "medium"])
def test_every_size_seats_the_documented_logins(size: str) -> None:
    company = demo.build_company(size)
    by_email = {u["email"]: u for u in company.users}
    assert abs(len(company.users) - demo.SIZES[size]) <= demo.SIZES[size] // 20
    assert all(email in by_email for email, _ in demo.DEMO_LOGINS)
    julien = by_email["julien.moreau@proxima.example"]
    assert sum(1 for u in company.users if u["manager_id"] == julien["id"]) >= 5
    assert all(u["manager_id"] is None or u["manager_id"] < u["id"] for u in company.users)  # managers first
    assert company == demo.build_company(size)


# -- the life of the company -------------------------------------------------------------------------------


def _user(db: Session, email: str) -> User:
    user = db.scalar(select(User).where(User.email == email))
    assert user is not None, email
    return user


def test_the_small_company_has_communities_posts_and_comments(loaded: tuple[Settings, Database, str]) -> None:
    _, database, summary = loaded
    with database.session(write=False) as db:
        total = db.scalar(select(func.count()).select_from(Post)) or 0
        kinds = dict(db.execute(select(Post.kind, func.count()).group_by(Post.kind)).all())
        company_wide = db.scalar(select(func.count()).where(Post.community_id.is_(None))) or 0
        comments = db.scalar(select(func.count()).select_from(Comment)) or 0
        replies = db.scalar(select(func.count()).where(Comment.parent_id.is_not(None))) or 0
        reactions = db.scalar(select(func.count()).select_from(Reaction)) or 0
        per_post = Counter(db.scalars(select(Post.reaction_count)))
        visibility = Counter(db.scalars(select(Community.visibility)))
        oldest, newest = db.execute(select(func.min(Post.created_at), func.max(Post.created_at))).one()
        first_half = db.scalar(
            select(func.count()).where(Post.created_at < demo.REFERENCE - timedelta(days=274))
        )
        upcoming = db.scalar(select(func.count()).where(Event.starts_at > demo.REFERENCE)) or 0
        past = db.scalar(select(func.count()).where(Event.starts_at < demo.REFERENCE)) or 0
        tagged = db.scalar(select(func.count(func.distinct(PostTag.post_id)))) or 0
        mentioned = db.scalar(select(func.count()).select_from(Mention)) or 0
        pending = db.scalar(select(func.count()).where(Membership.status == "pending")) or 0
    assert abs(total - demo.POSTS["small"]) <= 50
    for kind, share in demo.KIND_MIX.items():
        assert abs(kinds[kind] / total - share / 100) < 0.04, kind
    assert 0.3 < company_wide / total < 0.4
    assert 1.2 < comments / total < 1.8
    assert 0.03 < replies / comments < 0.3
    assert 2.5 < reactions / total < 3.8
    assert per_post[0] + per_post[1] + per_post[2] > total / 3  # most posts draw few reactions...
    assert max(per_post) >= 40  # ... some many
    assert sum(visibility.values()) == demo.COMMUNITIES["small"]
    assert visibility["private"] >= 4
    assert visibility["secret"] >= 1
    assert demo.REFERENCE - timedelta(days=560) < oldest < newest < demo.REFERENCE
    assert (first_half or 0) < total - (first_half or 0)  # more recent, denser
    assert upcoming >= 5
    assert past > upcoming
    assert tagged > total / 2
    assert mentioned > 100
    assert pending >= 3
    assert f"{demo.COMMUNITIES['small']} communities, {total:,} posts, {comments:,} comments" in summary


def test_counters_equal_the_rows(loaded: tuple[Settings, Database, str]) -> None:
    _, database, _ = loaded
    with database.session(write=False) as db:
        reactions: dict[int, Counter[str]] = {}
        for post_id, kind, n in db.execute(
            select(Reaction.post_id, Reaction.kind, func.count()).group_by(Reaction.post_id, Reaction.kind)
        ):
            reactions.setdefault(post_id, Counter())[kind] = n
        comments = dict(db.execute(select(Comment.post_id, func.count()).group_by(Comment.post_id)).all())
        answers = dict(
            db.execute(
                select(Comment.post_id, func.count())
                .where(Comment.parent_id.is_(None))
                .group_by(Comment.post_id)
            ).all()
        )
        rows = db.execute(
            select(
                Post.id,
                Post.like_count,
                Post.celebrate_count,
                Post.support_count,
                Post.insightful_count,
                Post.curious_count,
                Post.reaction_count,
                Post.comment_count,
                Post.answer_count,
            )
        ).all()
    assert rows
    for row in rows:
        counted = reactions.get(row.id, Counter())
        assert row.like_count == counted["like"], row.id
        assert row.celebrate_count == counted["celebrate"], row.id
        assert row.support_count == counted["support"], row.id
        assert row.insightful_count == counted["insightful"], row.id
        assert row.curious_count == counted["curious"], row.id
        assert row.reaction_count == sum(counted.values()), row.id
        assert row.comment_count == comments.get(row.id, 0), row.id
        assert row.answer_count == answers.get(row.id, 0), row.id


def test_community_life_is_members_only(loaded: tuple[Settings, Database, str]) -> None:
    _, database, _ = loaded
    with database.session(write=False) as db:
        members = set(
            db.execute(
                select(Membership.community_id, Membership.user_id).where(Membership.status == "member")
            )
        )
        visibility = dict(db.execute(select(Community.id, Community.visibility)).all())
        authored = db.execute(select(Post.community_id, Post.author_id).where(Post.community_id.is_not(None)))
        closed = Post.community_id.in_(select(Community.id).where(Community.visibility != "public"))
        answered = [
            *db.execute(
                select(Post.community_id, Comment.author_id)
                .join(Comment, Comment.post_id == Post.id)
                .where(closed)
            ),
            *db.execute(
                select(Post.community_id, Reaction.user_id)
                .join(Reaction, Reaction.post_id == Post.id)
                .where(closed)
            ),
            *db.execute(
                select(Post.community_id, Rsvp.user_id).join(Rsvp, Rsvp.post_id == Post.id).where(closed)
            ),
            *db.execute(
                select(Post.community_id, PollVote.user_id)
                .join(PollVote, PollVote.post_id == Post.id)
                .where(closed)
            ),
        ]
        pins = Counter(db.scalars(select(Post.community_id).where(Post.pinned_at.is_not(None))))
        managers = Counter(db.scalars(select(Membership.community_id).where(Membership.role == "manager")))
    for community_id, author_id in authored:
        assert (community_id, author_id) in members
    assert answered
    for community_id, user_id in answered:
        assert (community_id, user_id) in members
    assert pins and max(pins.values()) <= 3 and None not in pins
    assert set(managers) == set(visibility)
    assert all(1 <= n <= 3 for n in managers.values())


def test_secret_communities_are_visible_to_their_members_only(loaded: tuple[Settings, Database, str]) -> None:
    _, database, _ = loaded
    with database.session(write=False) as db:
        secret = list(db.scalars(select(Community.id).where(Community.visibility == "secret")))
        assert secret
        people = list(db.scalars(select(User.id).order_by(User.id)))
        for community_id in secret:
            in_it = Post.community_id == community_id
            members = set(
                db.scalars(
                    select(Membership.user_id).where(
                        Membership.community_id == community_id, Membership.status == "member"
                    )
                )
            )
            outsider = next(u for u in people if u not in members)
            insider = min(members)
            total = db.scalar(select(func.count()).where(in_it)) or 0
            assert total > 0
            assert db.scalar(select(func.count()).where(in_it, post_readable(outsider))) == 0
            assert db.scalar(select(func.count()).where(in_it, post_readable(insider))) == total
        camille = _user(db, "camille.martin@proxima.example")
        hers = set(db.scalars(select(Membership.community_id).where(Membership.user_id == camille.id)))
        feed = posts.home_feed(db, viewer=camille, limit=100).items
    assert all(item.community_visibility != "secret" or item.community_id in hers for item in feed)


def test_questions_answers_events_and_polls_hold_together(loaded: tuple[Settings, Database, str]) -> None:
    _, database, _ = loaded
    with database.session(write=False) as db:
        questions = db.scalar(select(func.count()).where(Post.kind == "question")) or 0
        accepted = db.execute(
            select(Post.id, Post.author_id, Comment.post_id, Comment.parent_id, Comment.author_id)
            .join(Comment, Comment.id == Post.accepted_comment_id)
            .where(Post.kind == "question")
        ).all()
        stray = db.scalar(
            select(func.count()).where(Post.kind != "question", Post.accepted_comment_id.is_not(None))
        )
        events = db.execute(select(Event.post_id, Event.capacity)).all()
        going = dict(
            db.execute(
                select(Rsvp.post_id, func.count()).where(Rsvp.status == "going").group_by(Rsvp.post_id)
            ).all()
        )
        waiting = dict(
            db.execute(
                select(Rsvp.post_id, func.count()).where(Rsvp.status == "waitlist").group_by(Rsvp.post_id)
            ).all()
        )
        event_posts = set(db.scalars(select(Post.id).where(Post.kind == "event")))
        options = Counter(db.scalars(select(PollOption.post_id)))
        polls = set(db.scalars(select(Post.id).where(Post.kind == "poll")))
        misplaced_votes = db.scalar(
            select(func.count())
            .select_from(PollVote)
            .join(PollOption, PollOption.id == PollVote.option_id)
            .where(PollOption.post_id != PollVote.post_id)
        )
        votes = db.execute(select(PollVote.post_id, PollVote.user_id)).all()
        praise = db.execute(select(Post.author_id, Post.praised_user_id).where(Post.kind == "praise")).all()
        titled = db.scalar(
            select(func.count()).where(Post.kind.in_(["article", "event"]), Post.title.is_(None))
        )
    assert 0.35 < len(accepted) / questions < 0.65
    for post_id, author_id, comment_post, parent_id, answerer in accepted:
        assert comment_post == post_id
        assert parent_id is None
        assert answerer != author_id
    assert stray == 0
    assert {post_id for post_id, _ in events} == event_posts
    assert any(capacity is not None for _, capacity in events)
    assert any(waiting.get(post_id) for post_id, _ in events)
    for post_id, capacity in events:
        if capacity is not None:
            assert going.get(post_id, 0) <= capacity
            assert not waiting.get(post_id) or going.get(post_id) == capacity
        else:
            assert not waiting.get(post_id)
    assert set(options) == polls
    assert all(2 <= n <= 4 for n in options.values())
    assert misplaced_votes == 0
    assert len(set(votes)) == len(votes) > 0  # one vote per person and poll
    assert praise and all(praised is not None and praised != author for author, praised in praise)
    assert titled == 0


def test_the_demo_logins_belong_and_post(loaded: tuple[Settings, Database, str]) -> None:
    _, database, _ = loaded
    with database.session(write=False) as db:
        for email, _ in demo.DEMO_LOGINS:
            user = _user(db, email)
            communities = db.scalar(
                select(func.count()).where(Membership.user_id == user.id, Membership.status == "member")
            )
            authored = db.scalar(select(func.count()).where(Post.author_id == user.id))
            assert (communities or 0) >= 3, email
            assert (authored or 0) >= 3, email
        lea = _user(db, "lea.garcia@proxima.example")
        managed = db.execute(
            select(Community.visibility, Community.id)
            .join(Membership, Membership.community_id == Community.id)
            .where(Membership.user_id == lea.id, Membership.role == "manager")
        ).all()
        private = [cid for visibility, cid in managed if visibility == "private"]
        pending = db.scalar(
            select(func.count()).where(Membership.community_id.in_(private), Membership.status == "pending")
        )
        cm = set(db.scalars(select(UserRole.user_id).where(UserRole.role == "community_manager")))
        managing = Counter(db.scalars(select(Membership.user_id).where(Membership.role == "manager")))
    assert len(managed) >= 3
    assert private
    assert 2 <= (pending or 0) <= 3
    assert max(managing[u] for u in cm) >= 3  # community managers run several communities


def test_sophie_writes_leadership_posts_over_time(loaded: tuple[Settings, Database, str]) -> None:
    _, database, _ = loaded
    with database.session(write=False) as db:
        sophie = _user(db, "sophie.bernard@proxima.example")
        stamps = sorted(
            db.scalars(
                select(Post.created_at).where(Post.author_id == sophie.id, Post.is_leadership.is_(True))
            )
        )
        leaders = set(db.scalars(select(Post.author_id).where(Post.is_leadership.is_(True))))
        executives = set(db.scalars(select(UserRole.user_id).where(UserRole.role == "executive")))
        wide = db.scalar(
            select(func.count()).where(Post.is_leadership.is_(True), Post.community_id.is_not(None))
        )
    assert 8 <= len(stamps) <= 12
    assert stamps[-1] > demo.REFERENCE - timedelta(days=2)
    assert stamps[0] < demo.REFERENCE - timedelta(days=365)
    assert leaders <= executives
    assert wide == 0


def test_camille_has_a_lively_home_feed(loaded: tuple[Settings, Database, str]) -> None:
    _, database, _ = loaded
    with database.session(write=False) as db:
        camille = _user(db, "camille.martin@proxima.example")
        first = posts.home_feed(db, viewer=camille)
        more = posts.home_feed(db, viewer=camille, cursor=first.next_cursor, limit=100)
        followed = db.scalar(select(func.count()).where(TagFollow.user_id == camille.id))
        followees = set(db.scalars(select(Follow.followee_id).where(Follow.follower_id == camille.id)))
    items = [*first.items, *more.items]
    assert len(first.items) == 20
    assert len({item.kind for item in first.items}) >= 3
    assert len({item.kind for item in items}) >= 5
    assert (followed or 0) >= 1
    assert any(item.author_id in followees for item in items)
    assert any(item.community_id is not None for item in items)
    assert any(item.is_leadership for item in items)


def test_body_html_is_what_the_renderer_gives(loaded: tuple[Settings, Database, str]) -> None:
    _, database, _ = loaded
    with database.session(write=False) as db:
        handles = set(db.scalars(select(User.handle)))
        handle_ids = dict(db.execute(select(User.handle, User.id)).all())
        sample = db.execute(
            select(Post.id, Post.kind, Post.body, Post.body_html).where(Post.id % 7 == 0).order_by(Post.id)
        ).all()
        comments = db.execute(
            select(Comment.id, Comment.post_id, Comment.body, Comment.body_html).where(Comment.id % 5 == 0)
        ).all()
        post_mentions: dict[int, set[int]] = {}
        comment_mentions: dict[int, set[int]] = {}
        for post_id, comment_id, user_id in db.execute(
            select(Mention.post_id, Mention.comment_id, Mention.user_id)
        ):
            if comment_id is None:
                post_mentions.setdefault(post_id, set()).add(user_id)
            else:
                comment_mentions.setdefault(comment_id, set()).add(user_id)
        tags: dict[int, set[str]] = {}
        for post_id, key in db.execute(select(PostTag.post_id, Tag.key).join(Tag, Tag.id == PostTag.tag_id)):
            tags.setdefault(post_id, set()).add(key)

    def known(candidates: set[str]) -> set[str]:
        return candidates & handles

    assert len(sample) > 300
    for post_id, kind, body, html in sample:
        rendered = markdown.render(body, known_handles=known, plain=kind in ("status", "praise", "poll"))
        assert html == rendered.html, post_id
        assert post_mentions.get(post_id, set()) == {handle_ids[h] for h in rendered.mentions}, post_id
        assert {fold(normalize_tag(t)) for t in rendered.tags} <= tags.get(post_id, set()), post_id
    for comment_id, _post_id, body, html in comments:
        rendered = markdown.render(body, known_handles=known, plain=True)
        assert html == rendered.html, comment_id
        assert comment_mentions.get(comment_id, set()) == {handle_ids[h] for h in rendered.mentions}
    assert any("<ul>" in html for _, kind, _, html in sample if kind == "article")
    assert any('class="mention"' in html for *_, html in sample)
    assert any('class="hashtag"' in html for *_, html in sample)


def test_tags_are_shared_with_the_people(loaded: tuple[Settings, Database, str]) -> None:
    _, database, _ = loaded
    with database.session(write=False) as db:
        tags = list(db.scalars(select(Tag)))
        carried = set(db.scalars(select(UserTag.tag_id)))
        on_posts = Counter(db.scalars(select(PostTag.tag_id)))
    keys = [t.key for t in tags]
    assert len(keys) == len(set(keys))
    assert all(t.name == normalize_tag(t.name) and t.key == fold(t.name) for t in tags)
    by_key = {t.key: t.id for t in tags}
    for word in ("covoiturage", "python", "rse", "onboarding", "mentoratinverse", "digitalday"):
        assert on_posts[by_key[word]] > 0, word
    assert carried & set(on_posts)  # expertise tags reused by the posts


def test_the_search_index_finds_demo_posts(loaded: tuple[Settings, Database, str]) -> None:
    _, database, _ = loaded
    migration = next(Path(__file__).parents[1].glob("migrations/versions/*_0003_*.py"))
    spec = importlib.util.spec_from_file_location("migration_0003", migration)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    expected = sorted(" ".join(s.split()) for s in module.SQLITE_UP if "CREATE TRIGGER" in s)
    with database.session(write=False) as db:
        found = list(db.scalars(text("SELECT rowid FROM posts_fts WHERE posts_fts MATCH 'covoiturage'")))
        texts = db.execute(select(Post.title, Post.body).where(Post.id.in_(found[:50]))).all()
        mentioning = db.scalar(select(func.count()).where(Post.body.like("%covoiturage%")))
        indexed = db.scalar(text("SELECT count(*) FROM posts_fts"))
        total = db.scalar(select(func.count()).select_from(Post))
        triggers = sorted(
            " ".join(sql.split())
            for sql in db.scalars(
                text("SELECT sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'posts'")
            )
        )
    assert len(found) >= (mentioning or 0) > 10
    assert all("covoiturage" in fold(f"{title or ''} {body}") for title, body in texts)
    assert indexed == total
    assert triggers == expected


def _content(db: Session) -> list[str]:
    """A digest of every table the content fills, in key order."""
    digests = []
    for model, order in (
        (Community, Community.id),
        (Membership, (Membership.community_id, Membership.user_id)),
        (Post, Post.id),
        (Comment, Comment.id),
        (Reaction, (Reaction.post_id, Reaction.user_id)),
        (PostTag, (PostTag.post_id, PostTag.tag_id)),
        (Mention, Mention.id),
        (Event, Event.post_id),
        (Rsvp, (Rsvp.post_id, Rsvp.user_id)),
        (PollOption, PollOption.id),
        (PollVote, (PollVote.post_id, PollVote.user_id)),
        (TagFollow, (TagFollow.user_id, TagFollow.tag_id)),
        (Tag, Tag.id),
    ):
        columns = list(model.__table__.columns)  # type: ignore[attr-defined]
        ordering = order if isinstance(order, tuple) else (order,)
        digest = hashlib.sha256()
        for row in db.execute(select(*columns).order_by(*ordering)):
            digest.update(repr(tuple(row)).encode())
        digests.append(f"{model.__tablename__}:{digest.hexdigest()}")
    return digests


def test_loading_twice_gives_the_same_content(tmp_path: Path, loaded: tuple[Settings, Database, str]) -> None:
    _, first, _ = loaded
    _, second, _ = _load(tmp_path / "again.db")
    try:
        with first.session(write=False) as a, second.session(write=False) as b:
            assert _content(a) == _content(b)
            assert _snapshot(a) == _snapshot(b)
    finally:
        second.dispose()


def test_the_demo_loads_into_the_test_database(database: Database, settings: Settings) -> None:
    """Also on PostgreSQL (PROXIMA_TEST_DATABASE_URL): COPY, sequences, search, and writes after it."""
    with database.session() as db:
        demo.load(db, settings=settings, size="small")
    with database.session() as db:
        camille = _user(db, "camille.martin@proxima.example")
        community = db.scalar(
            select(Community)
            .join(Membership, Membership.community_id == Community.id)
            .where(Membership.user_id == camille.id, Community.visibility == "public")
            .order_by(Community.id)
        )
        assert community is not None
        post = posts.create_post(
            db,
            actor=camille,
            data=posts.PostData(
                kind="status",
                body="Covoiturage demain depuis Villeurbanne #covoiturage",
                community=community.slug,
            ),
        )
        comment = posts.add_comment(db, actor=camille, post=post, body="Merci !")
        posts.react(db, actor=camille, post=post)
        last_post = db.scalar(select(func.max(Post.id)).where(Post.id != post.id))
        last_comment = db.scalar(select(func.max(Comment.id)).where(Comment.id != comment.id))
        assert post.id > (last_post or 0)
        assert comment.id > (last_comment or 0)
        assert post.like_count == post.reaction_count == 1
        if db.get_bind().dialect.name == "postgresql":
            found = db.scalar(
                text(
                    "SELECT count(*) FROM posts "
                    "WHERE search_vector @@ to_tsquery('proxima_fr', 'covoiturage')"
                )
            )
        else:
            found = db.scalar(text("SELECT count(*) FROM posts_fts WHERE posts_fts MATCH 'covoiturage'"))
        assert (found or 0) > 10
        new_tag = db.scalar(select(Tag).where(Tag.key == "demo-after-load"))
        assert new_tag is None
        posts.follow_tag(db, actor=camille, name="demo-after-load")
        times = [t for (t,) in db.execute(select(Post.created_at).where(Post.id != post.id))]
        assert all(t.tzinfo is not None and t <= demo.REFERENCE for t in times)
        assert re.fullmatch(r"[a-z0-9-]+", community.slug)


def test_the_demo_people_have_notifications_they_may_read(loaded: tuple[Settings, Database, str]) -> None:
    from app.models import Notification
    from app.services import notifications

    _, database, _ = loaded
    with database.session(write=False) as db:
        camille = _user(db, "camille.martin@proxima.example")
        stored = db.scalar(
            select(func.count()).select_from(Notification).where(Notification.user_id == camille.id)
        )
        listed = notifications.list_for(db, viewer=camille, limit=100).items
        assert stored and len(listed) == min(stored, 100)  # every line stored is one she may read
        assert {n.type for n in listed} >= {"like", "comment"}
        # nobody anywhere is told of a post they may not read
        hidden = db.scalar(
            select(func.count())
            .select_from(Notification)
            .join(Post, Post.id == Notification.post_id)
            .join(User, User.id == Notification.user_id)
            .where(~post_readable(Notification.user_id))
        )
        assert hidden == 0
        grouped = db.scalar(select(func.max(Notification.actor_count)))
        assert grouped is not None and grouped > 1


def test_the_load_writes_through_a_rollback_journal_and_leaves_the_write_ahead_log_on(
    tmp_path: Path, settings: Settings
) -> None:
    """One transaction of gigabytes is written once, not to the log and then to the file; the
    server then finds the file as it left it (write-ahead log)."""
    if not settings.database_url.startswith("sqlite"):
        pytest.skip("a SQLite journal")
    path = tmp_path / "journal.db"
    single = settings.model_copy(
        update={"database_url": f"sqlite:///{path}", "db_pool_size": 1, "db_max_overflow": 0}
    )
    database = Database(single)
    try:
        with demo.rollback_journal(database.engine), database.session() as db:
            assert db.scalar(text("PRAGMA journal_mode")) == "delete"
            db.execute(text("CREATE TABLE t (x INTEGER)"))
        with database.session() as db:
            assert db.scalar(text("PRAGMA journal_mode")) == "wal"
    finally:
        database.dispose()
