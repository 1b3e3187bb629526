"""Employee feedback to HR: categories, items (named or anonymous), replies, HR notes, attachments, and
the public "you said, we did" board with its votes, comments and volunteers.

Anonymity lives in the shape of these tables (docs/feedback.md): an anonymous item has no author
column, only `author_tag`, a keyed one-way digest of the author that their own requests recompute;
nothing here records an instant, only days; item ids are random, so their order tells nothing.
"""

from __future__ import annotations

import enum
from datetime import date

from sqlalchemy import ForeignKey, Index, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base


class FeedbackStatus(enum.StrEnum):
    """Where an item stands; `declined` carries a reason."""

    received = "received"
    in_review = "in_review"
    answered = "answered"
    done = "done"
    declined = "declined"


class FeedbackCategory(Base):
    """What feedback may be about; the seven defaults come with the migration, HR adds and renames."""

    __tablename__ = "feedback_categories"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(40), unique=True)
    # null: the built-in, translated name of a default key (or, for a custom one, the other language's)
    label_en: Mapped[str | None] = mapped_column(String(80))
    label_fr: Mapped[str | None] = mapped_column(String(80))
    position: Mapped[int] = mapped_column(default=0)
    retired: Mapped[bool] = mapped_column(default=False)


class FeedbackItem(Base):
    """One piece of feedback. Named: `author_id`. Anonymous: `author_tag` only (never both)."""

    __tablename__ = "feedback_items"

    # random (services.feedback.new_item_id): sequential ids would tell the order of submissions
    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    category_id: Mapped[int] = mapped_column(ForeignKey("feedback_categories.id"), index=True)
    body: Mapped[str] = mapped_column(Text)  # what the author wrote; never edited by HR
    anonymous: Mapped[bool] = mapped_column(default=False)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    author_tag: Mapped[str | None] = mapped_column(String(64), index=True)
    # keyed digest of (person, day, text): the same text sent twice the same day is one item
    submission_digest: Mapped[str] = mapped_column(String(64), unique=True)
    # an anonymous author's groups, kept only when at least the threshold of people share them
    department: Mapped[str | None] = mapped_column(String(120))
    site: Mapped[str | None] = mapped_column(String(120))
    status: Mapped[str] = mapped_column(String(16), default=FeedbackStatus.received.value)
    decline_reason: Mapped[str | None] = mapped_column(Text)
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    merged_into_id: Mapped[int | None] = mapped_column(
        ForeignKey("feedback_items.id", ondelete="SET NULL"), index=True
    )
    created_on: Mapped[date] = mapped_column(index=True)  # a day, never an instant
    revealed_on: Mapped[date | None]  # the day an anonymous author chose to give their name

    __table_args__ = (Index("ix_feedback_items_status_created_on", "status", "created_on"),)


class FeedbackReply(Base):
    """A message in an item's conversation: from HR (named) or from the author (named only if the item is)."""

    __tablename__ = "feedback_replies"

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("feedback_items.id", ondelete="CASCADE"), index=True)
    from_hr: Mapped[bool] = mapped_column(default=True)
    # HR's replies name who wrote them; an author's reply never does (the item says who, if anyone)
    hr_author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    body: Mapped[str] = mapped_column(Text)
    created_on: Mapped[date]


class FeedbackNote(Base):
    """An HR-internal note on an item; its author never sees it."""

    __tablename__ = "feedback_notes"

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("feedback_items.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    body: Mapped[str] = mapped_column(Text)
    created_on: Mapped[date]


class FeedbackAttachment(Base):
    """The file sent with an item (an image re-encoded without metadata, or a PDF for named items)."""

    __tablename__ = "feedback_attachments"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("feedback_items.id", ondelete="CASCADE"), unique=True)
    content_type: Mapped[str] = mapped_column(String(40))
    filename: Mapped[str] = mapped_column(String(120))
    size: Mapped[int]
    data: Mapped[bytes] = mapped_column(LargeBinary)


class FeedbackBoardEntry(Base):
    """An item HR published on the board: HR's own wording (the original stays as it was) and the outcome."""

    __tablename__ = "feedback_board_entries"

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("feedback_items.id", ondelete="CASCADE"), unique=True)
    title: Mapped[str] = mapped_column(String(160))
    body: Mapped[str] = mapped_column(Text)
    outcome: Mapped[str] = mapped_column(Text, default="")
    is_initiative: Mapped[bool] = mapped_column(default=False)
    published_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    published_on: Mapped[date] = mapped_column(index=True)
    # counts kept by the writes (UPDATE … SET n = n + 1)
    vote_count: Mapped[int] = mapped_column(default=0)
    comment_count: Mapped[int] = mapped_column(default=0)
    volunteer_count: Mapped[int] = mapped_column(default=0)


class FeedbackVote(Base):
    """One person supports a board entry (once)."""

    __tablename__ = "feedback_votes"

    entry_id: Mapped[int] = mapped_column(
        ForeignKey("feedback_board_entries.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)


class FeedbackComment(Base):
    """A colleague's comment on a board entry (named, like any comment)."""

    __tablename__ = "feedback_comments"

    id: Mapped[int] = mapped_column(primary_key=True)
    entry_id: Mapped[int] = mapped_column(
        ForeignKey("feedback_board_entries.id", ondelete="CASCADE"), index=True
    )
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    body: Mapped[str] = mapped_column(Text)
    created_on: Mapped[date]


class FeedbackVolunteer(Base):
    """A colleague who joins an initiative; `public` when they agree to be listed by name."""

    __tablename__ = "feedback_volunteers"

    entry_id: Mapped[int] = mapped_column(
        ForeignKey("feedback_board_entries.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    public: Mapped[bool] = mapped_column(default=True)
    joined_on: Mapped[date]
