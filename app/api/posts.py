"""Posts, comments, reactions, answers, events, polls, the feed and hashtags."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, File, Query, Request, Response, UploadFile
from pydantic import BaseModel, Field

from app.api.campaigns import CampaignCard, campaign_cards
from app.api.schemas import Page, PersonRef, Strict
from app.deps import DB, AppSettings, CurrentUser
from app.models import Post, User
from app.services import communities, events, photos, posts, tags
from app.services.errors import NotFound
from app.services.posts import FeedItem
from app.services.visibility import get_visible_community, get_visible_post

router = APIRouter(tags=["posts"])


class EventIn(Strict):
    """When and where an event takes place (ISO 8601 with a time zone)."""

    starts_at: datetime = Field(strict=False)
    ends_at: datetime | None = Field(default=None, strict=False)
    location: str
    capacity: int | None = None
    online_url: str | None = None


class PostCreate(Strict):
    """A new post; `community` is a slug (none: company-wide, on one's profile)."""

    kind: str
    body: str = ""
    title: str | None = None
    community: str | None = None
    tags: list[str] = Field(default_factory=list)
    event: EventIn | None = None
    praised_user_id: int | None = None
    options: list[str] = Field(default_factory=list, description="poll options")
    is_leadership: bool = False
    on_behalf_of: int | None = Field(
        default=None, description="an executive who named the caller as delegate: they become the author"
    )


class PostUpdate(Strict):
    """The author's changes; only the fields sent change. An event's `event` moves it (attendees are told)."""

    body: str | None = None
    title: str | None = None
    tags: list[str] | None = None
    event: EventIn | None = None


class EventRead(BaseModel):
    """An event's details and seats."""

    starts_at: datetime
    ends_at: datetime | None
    location: str
    online_url: str | None
    capacity: int | None
    going: int
    waitlist: int
    my_rsvp: str | None


class PollOptionRead(BaseModel):
    """A poll option; votes are shown once the caller has voted."""

    id: int
    label: str
    votes: int | None


class PollRead(BaseModel):
    """A poll; results after voting."""

    options: list[PollOptionRead]
    total: int | None
    voted_for: int | None


class CommunityRef(BaseModel):
    """The community a post lives in."""

    slug: str
    name: str
    visibility: str


class PostRead(BaseModel):
    """A post as the caller may see it."""

    id: int
    kind: str
    author: PersonRef
    posted_by: PersonRef | None = Field(description="the delegate who posted it for the author, if any")
    draft: bool = Field(description="a delegate's draft waiting for the author's approval")
    title: str | None
    body_html: str
    community: str | None
    community_info: CommunityRef | None
    tags: list[str]
    like_count: int
    comment_count: int = Field(description="every comment shown, replies included")
    answer_count: int = Field(description="the comments that are not replies (a question's answers)")
    reaction_counts: dict[str, int]
    my_reaction: str | None
    is_leadership: bool
    praised_user: PersonRef | None
    accepted_comment_id: int | None
    pinned: bool
    created_at: datetime
    edited_at: datetime | None
    removed: bool
    removal_reason: str | None
    event: EventRead | None
    poll: PollRead | None


class CommentCreate(Strict):
    """A comment, or a reply to a comment."""

    body: str
    parent_id: int | None = None


class CommentRead(BaseModel):
    """A comment."""

    id: int
    post_id: int
    parent_id: int | None
    author: PersonRef
    body_html: str
    created_at: datetime
    accepted: bool = False
    replies: list[CommentRead] = Field(default_factory=list)


class ReactionIn(Strict):
    """Which reaction."""

    kind: str = "like"


class VoteIn(Strict):
    """A vote in a poll."""

    option_id: int


class RemoveIn(Strict):
    """Why a moderator removes something (shown to its author)."""

    reason: str


class RsvpRead(BaseModel):
    """Where the caller stands for an event."""

    status: str | None


class TagRead(BaseModel):
    """A hashtag: its people, its readable posts, and whether the caller follows it."""

    name: str
    people: int
    posts: int
    following: bool


def read_item(item: FeedItem, viewer_id: int) -> PostRead:
    """The API shape of a post."""
    event = item.event
    poll = item.poll
    voted = poll is not None and poll["voted_for"] is not None
    return PostRead(
        id=item.id,
        kind=item.kind,
        author=PersonRef(id=item.author_id, display_name=item.author_name, handle=item.author_handle),
        posted_by=PersonRef(
            id=item.posted_by_id, display_name=item.posted_by_name, handle=item.posted_by_handle
        )
        if item.posted_by_id and item.posted_by_name
        else None,
        draft=item.is_draft,
        title=item.title,
        body_html=item.body_html,
        community=item.community_slug,
        community_info=CommunityRef(
            slug=item.community_slug, name=item.community_name, visibility=item.community_visibility
        )
        if item.community_slug
        else None,
        tags=item.tags,
        like_count=item.like_count,
        comment_count=item.comment_count,
        answer_count=item.answer_count,
        reaction_counts=item.reactions,
        my_reaction=item.my_reaction,
        is_leadership=item.is_leadership,
        praised_user=PersonRef(id=0, display_name=item.praised_name, handle=item.praised_handle)
        if item.praised_handle
        else None,
        accepted_comment_id=item.accepted_comment_id,
        pinned=item.pinned_at is not None,
        created_at=item.created_at,
        edited_at=item.edited_at,
        removed=item.removed_at is not None,
        removal_reason=item.removal_reason if item.author_id == viewer_id else None,
        event=EventRead(
            starts_at=event["starts_at"],
            ends_at=event["ends_at"],
            location=event["location"],
            online_url=event["online_url"],
            capacity=event["capacity"],
            going=event["going"],
            waitlist=event["waitlist"],
            my_rsvp=event["mine"],
        )
        if event
        else None,
        poll=PollRead(
            options=[
                PollOptionRead(id=o["id"], label=o["label"], votes=o["votes"] if voted else None)
                for o in poll["options"]
            ],
            total=poll["total"] if voted else None,
            voted_for=poll["voted_for"],
        )
        if poll
        else None,
    )


def _post_page(page: Any, viewer: User) -> Page[PostRead]:
    return Page[PostRead](items=[read_item(i, viewer.id) for i in page.items], next_cursor=page.next_cursor)


def _read(db: DB, viewer: User, post: Post) -> PostRead:
    return read_item(posts.feed_item(db, viewer=viewer, post=post), viewer.id)


@router.post("/posts", status_code=201, response_model=PostRead)
def create_post(body: PostCreate, db: DB, actor: CurrentUser) -> PostRead:
    """Share a post (status, article, question, event, praise or poll)."""
    data = posts.PostData(
        kind=body.kind,
        body=body.body,
        title=body.title,
        community=body.community,
        tags=body.tags,
        event=posts.EventData(**body.event.model_dump()) if body.event else None,
        praised_user_id=body.praised_user_id,
        poll_options=body.options,
        is_leadership=body.is_leadership,
        on_behalf_of=body.on_behalf_of,
    )
    return _read(db, actor, posts.create_post(db, actor=actor, data=data))


@router.get("/posts/{post_id}", response_model=PostRead)
def get_post(post_id: int, db: DB, viewer: CurrentUser) -> PostRead:
    """A post; 404 when the caller may not read it."""
    return _read(db, viewer, get_visible_post(db, viewer, post_id))


@router.patch("/posts/{post_id}", response_model=PostRead)
def update_post(post_id: int, body: PostUpdate, db: DB, actor: CurrentUser) -> PostRead:
    """The author (or the delegate who posted it) edits the post."""
    post = get_visible_post(db, actor, post_id)
    changes = body.model_dump(exclude_unset=True, exclude={"event"})
    if changes:
        posts.update_post(db, actor=actor, post=post, changes=changes)
    if body.event is not None:
        events.update_event(db, actor=actor, post=post, data=posts.EventData(**body.event.model_dump()))
    return _read(db, actor, post)


@router.delete("/posts/{post_id}", status_code=204)
def delete_post(post_id: int, db: DB, actor: CurrentUser) -> Response:
    """The author (or the delegate who posted it) deletes the post."""
    posts.delete_post(db, actor=actor, post=get_visible_post(db, actor, post_id))
    return Response(status_code=204)


@router.post("/posts/{post_id}/remove", status_code=204)
def remove_post(post_id: int, body: RemoveIn, db: DB, actor: CurrentUser) -> Response:
    """Moderators remove a post with a reason shown to the author."""
    posts.remove_post(db, actor=actor, post=get_visible_post(db, actor, post_id), reason=body.reason)
    return Response(status_code=204)


@router.put("/posts/{post_id}/pin", status_code=204)
def pin(post_id: int, db: DB, actor: CurrentUser) -> Response:
    """Community managers pin a post (3 at most)."""
    communities.set_pinned(db, actor=actor, post=get_visible_post(db, actor, post_id), pinned=True)
    return Response(status_code=204)


@router.delete("/posts/{post_id}/pin", status_code=204)
def unpin(post_id: int, db: DB, actor: CurrentUser) -> Response:
    """Community managers unpin a post."""
    communities.set_pinned(db, actor=actor, post=get_visible_post(db, actor, post_id), pinned=False)
    return Response(status_code=204)


def _read_comment(view: posts.CommentView, accepted_id: int | None) -> CommentRead:
    c = view.comment
    return CommentRead(
        id=c.id,
        post_id=c.post_id,
        parent_id=c.parent_id,
        author=PersonRef(id=view.author.id, display_name=view.author.display_name, handle=view.author.handle),
        body_html=c.body_html,
        created_at=c.created_at,
        accepted=c.id == accepted_id,
        replies=[_read_comment(r, accepted_id) for r in view.replies],
    )


@router.get("/posts/{post_id}/comments", response_model=Page[CommentRead])
def list_comments(post_id: int, db: DB, viewer: CurrentUser) -> Page[CommentRead]:
    """A post's comments with their replies; the accepted answer first."""
    post = get_visible_post(db, viewer, post_id)
    return Page[CommentRead](
        items=[_read_comment(v, post.accepted_comment_id) for v in posts.comments_of(db, post=post)]
    )


@router.post("/posts/{post_id}/comments", status_code=201, response_model=CommentRead)
def create_comment(post_id: int, body: CommentCreate, db: DB, actor: CurrentUser) -> CommentRead:
    """Comment on a post (an answer, on a question), or reply to a comment."""
    post = get_visible_post(db, actor, post_id)
    comment = posts.add_comment(db, actor=actor, post=post, body=body.body, parent_id=body.parent_id)
    return _read_comment(posts.CommentView(comment, actor), post.accepted_comment_id)


@router.delete("/posts/{post_id}/comments/{comment_id}", status_code=204)
def delete_comment(post_id: int, comment_id: int, db: DB, actor: CurrentUser) -> Response:
    """The author deletes their comment."""
    post = get_visible_post(db, actor, post_id)
    posts.delete_comment(db, actor=actor, post=post, comment=posts.get_comment(db, post, comment_id))
    return Response(status_code=204)


@router.post("/posts/{post_id}/comments/{comment_id}/remove", status_code=204)
def remove_comment(post_id: int, comment_id: int, body: RemoveIn, db: DB, actor: CurrentUser) -> Response:
    """Moderators remove a comment with a reason."""
    post = get_visible_post(db, actor, post_id)
    comment = posts.get_comment(db, post, comment_id)
    posts.remove_comment(db, actor=actor, post=post, comment=comment, reason=body.reason)
    return Response(status_code=204)


@router.post("/posts/{post_id}/comments/{comment_id}/accept", status_code=204)
def accept(post_id: int, comment_id: int, db: DB, actor: CurrentUser) -> Response:
    """The question's author accepts an answer."""
    posts.accept_answer(db, actor=actor, post=get_visible_post(db, actor, post_id), comment_id=comment_id)
    return Response(status_code=204)


@router.put("/posts/{post_id}/like", status_code=204)
def like(post_id: int, db: DB, actor: CurrentUser) -> Response:
    """Like a post (idempotent)."""
    posts.react(db, actor=actor, post=get_visible_post(db, actor, post_id))
    return Response(status_code=204)


@router.delete("/posts/{post_id}/like", status_code=204)
def unlike(post_id: int, db: DB, actor: CurrentUser) -> Response:
    """Take one's like (or other reaction) back (idempotent)."""
    posts.unreact(db, actor=actor, post=get_visible_post(db, actor, post_id))
    return Response(status_code=204)


@router.put("/posts/{post_id}/reaction", response_model=PostRead)
def react(post_id: int, body: ReactionIn, db: DB, actor: CurrentUser) -> PostRead:
    """React with like, celebrate, support, insightful or curious (one reaction per person)."""
    post = get_visible_post(db, actor, post_id)
    posts.react(db, actor=actor, post=post, kind=body.kind)
    return _read(db, actor, post)


@router.delete("/posts/{post_id}/reaction", response_model=PostRead)
def unreact(post_id: int, db: DB, actor: CurrentUser) -> PostRead:
    """Take one's reaction back."""
    post = get_visible_post(db, actor, post_id)
    posts.unreact(db, actor=actor, post=post)
    return _read(db, actor, post)


@router.put("/posts/{post_id}/rsvp", response_model=RsvpRead)
def rsvp(post_id: int, db: DB, actor: CurrentUser) -> RsvpRead:
    """Say you come: `going`, or `waitlist` when the event is full."""
    return RsvpRead(status=events.rsvp(db, actor=actor, post=get_visible_post(db, actor, post_id)))


@router.delete("/posts/{post_id}/rsvp", response_model=RsvpRead)
def cancel_rsvp(post_id: int, db: DB, actor: CurrentUser) -> RsvpRead:
    """Withdraw; the first person waiting gets the seat."""
    events.cancel_rsvp(db, actor=actor, post=get_visible_post(db, actor, post_id))
    return RsvpRead(status=None)


@router.get("/posts/{post_id}/event.ics", response_class=Response)
def event_ics(post_id: int, request: Request, db: DB, viewer: CurrentUser) -> Response:
    """The event as an iCalendar file."""
    post = get_visible_post(db, viewer, post_id)
    return Response(
        events.ics(db, post=post, base_url=str(request.base_url)),
        media_type="text/calendar; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="proxima-event-{post.id}.ics"'},
    )


@router.post("/posts/{post_id}/vote", response_model=PostRead)
def vote(post_id: int, body: VoteIn, db: DB, actor: CurrentUser) -> PostRead:
    """Vote in a poll (once); the results come back."""
    post = get_visible_post(db, actor, post_id)
    events.vote(db, actor=actor, post=post, option_id=body.option_id)
    return _read(db, actor, post)


class ImageRead(BaseModel):
    """An uploaded image and how to put it in an article."""

    id: str
    url: str
    markdown: str
    width: int
    height: int


@router.post("/images", status_code=201, response_model=ImageRead)
def upload_image(
    file: Annotated[UploadFile, File()], db: DB, settings: AppSettings, actor: CurrentUser
) -> ImageRead:
    """Upload an image for an article (JPEG, PNG, WebP or GIF; re-encoded, at most 1600 px wide)."""
    image = photos.store_image(
        db, settings=settings, actor=actor, data=file.file.read(settings.max_upload_bytes + 1)
    )
    url = photos.image_url(image)
    return ImageRead(id=image.id, url=url, markdown=f"![]({url})", width=image.width, height=image.height)


class FeedPage(Page[PostRead]):
    """The home feed; its first page also carries the campaigns addressed to the caller."""

    campaigns: list[CampaignCard] = Field(default_factory=list)


@router.get("/feed", response_model=FeedPage)
def feed(
    db: DB, viewer: CurrentUser, cursor: str | None = None, limit: Annotated[int | None, Query()] = None
) -> FeedPage:
    """The caller's home feed, newest first."""
    page = _post_page(posts.home_feed(db, viewer=viewer, cursor=cursor, limit=limit), viewer)
    cards = [] if cursor else campaign_cards(db, viewer)
    return FeedPage(items=page.items, next_cursor=page.next_cursor, campaigns=cards)


@router.get("/communities/{slug}/posts", response_model=Page[PostRead])
def community_posts(
    slug: str,
    db: DB,
    viewer: CurrentUser,
    kind: str | None = None,
    cursor: str | None = None,
    limit: Annotated[int | None, Query()] = None,
) -> Page[PostRead]:
    """A community's posts (members only, unless it is public)."""
    community = get_visible_community(db, viewer, slug)
    page = posts.community_feed(db, viewer=viewer, community=community, cursor=cursor, limit=limit, kind=kind)
    return _post_page(page, viewer)


@router.get("/users/{user_id}/posts", response_model=Page[PostRead])
def user_posts(
    user_id: int,
    db: DB,
    viewer: CurrentUser,
    cursor: str | None = None,
    limit: Annotated[int | None, Query()] = None,
) -> Page[PostRead]:
    """A person's activity, as the caller may see it."""
    from app.services import users

    person = users.get_user(db, user_id)
    return _post_page(
        posts.profile_feed(db, viewer=viewer, person=person, cursor=cursor, limit=limit), viewer
    )


def _tag(db: DB, name: str) -> Any:
    tag = tags.find_tag(db, name)
    if tag is None:
        raise NotFound("No such tag.")
    return tag


@router.get("/tags/{name}", response_model=TagRead)
def get_tag(name: str, db: DB, viewer: CurrentUser) -> TagRead:
    """A hashtag: how many people carry it, how many posts the caller may read, whether they follow it."""
    from app.services import directory

    tag = _tag(db, name)
    return TagRead(
        name=tag.name,
        people=directory.tag_count(db, tag=tag),
        posts=posts.tag_post_count(db, viewer=viewer, tag=tag),
        following=posts.follows_tag(db, actor=viewer, tag=tag),
    )


@router.get("/tags/{name}/posts", response_model=Page[PostRead])
def tag_posts(
    name: str,
    db: DB,
    viewer: CurrentUser,
    cursor: str | None = None,
    limit: Annotated[int | None, Query()] = None,
) -> Page[PostRead]:
    """The posts with a hashtag that the caller may read."""
    return _post_page(
        posts.tag_feed(db, viewer=viewer, tag=_tag(db, name), cursor=cursor, limit=limit), viewer
    )


@router.put("/tags/{name}/follow", status_code=204)
def follow_tag(name: str, db: DB, actor: CurrentUser) -> Response:
    """Follow a hashtag (idempotent)."""
    posts.follow_tag(db, actor=actor, name=name, follow=True)
    return Response(status_code=204)


@router.delete("/tags/{name}/follow", status_code=204)
def unfollow_tag(name: str, db: DB, actor: CurrentUser) -> Response:
    """Stop following a hashtag (idempotent)."""
    posts.follow_tag(db, actor=actor, name=name, follow=False)
    return Response(status_code=204)


@router.get("/trending", response_model=list[dict[str, Any]])
def trending(db: DB, viewer: CurrentUser, community: str | None = None) -> list[dict[str, Any]]:
    """Hashtags most used this week, company-wide or in one community."""
    where = get_visible_community(db, viewer, community) if community else None
    return [{"name": n, "posts": c} for n, c in posts.trending_tags(db, viewer=viewer, community=where)]
