"""Community: the unified inbox (messages grouped in threads), reply templates, routing rules,
response-time (SLA) policies and tags."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, CreatedAtMixin, StrEnumType, VersionedMixin
from app.models.enums import Direction, InboxStatus, MessageKind, Priority, Sentiment, TagScope


class Tag(CreatedAtMixin, Base):
    __tablename__ = "tags"
    __table_args__ = (UniqueConstraint("workspace_id", "scope", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    scope: Mapped[TagScope] = mapped_column(StrEnumType(TagScope))
    name: Mapped[str] = mapped_column(String(80))
    color: Mapped[str] = mapped_column(String(7), default="#BAB0AC")


message_tags = Table(
    "message_tags",
    Base.metadata,
    Column("message_id", ForeignKey("inbox_messages.id", ondelete="CASCADE"), primary_key=True),
    Column("tag_id", ForeignKey("tags.id", ondelete="CASCADE"), primary_key=True),
)


class InboxMessage(CreatedAtMixin, VersionedMixin, Base):
    """A comment, mention, direct message or review, in or out. Messages of one conversation share
    `thread_key`; triage fields (status, priority, assignee, first response) live on the message that
    opened the thread and are what the inbox works on."""

    __tablename__ = "inbox_messages"
    __table_args__ = (
        UniqueConstraint("channel_id", "external_id"),
        Index("ix_inbox_messages_brand_received", "brand_id", "received_at"),
        Index("ix_inbox_messages_brand_status", "brand_id", "status"),
        Index("ix_inbox_messages_thread", "thread_key"),
        Index("ix_inbox_messages_incident", "incident_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    brand_id: Mapped[int] = mapped_column(ForeignKey("brands.id", ondelete="CASCADE"))
    channel_id: Mapped[int] = mapped_column(ForeignKey("channels.id", ondelete="CASCADE"))
    external_id: Mapped[str] = mapped_column(String(200))
    thread_key: Mapped[str] = mapped_column(String(200))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("inbox_messages.id", ondelete="SET NULL"))
    variant_id: Mapped[int | None] = mapped_column(ForeignKey("post_variants.id", ondelete="SET NULL"))
    kind: Mapped[MessageKind] = mapped_column(StrEnumType(MessageKind))
    direction: Mapped[Direction] = mapped_column(StrEnumType(Direction), default=Direction.INBOUND)
    author_handle: Mapped[str] = mapped_column(String(200))
    author_name: Mapped[str] = mapped_column(String(200), default="")
    body: Mapped[str] = mapped_column(Text)
    language: Mapped[str | None] = mapped_column(String(8))
    sentiment: Mapped[Sentiment | None] = mapped_column(StrEnumType(Sentiment))
    sentiment_score: Mapped[float | None] = mapped_column(Float)
    priority: Mapped[Priority] = mapped_column(StrEnumType(Priority), default=Priority.NORMAL)
    status: Mapped[InboxStatus] = mapped_column(StrEnumType(InboxStatus), default=InboxStatus.NEW)
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    received_at: Mapped[datetime]
    first_response_at: Mapped[datetime | None]
    first_response_seconds: Mapped[int | None] = mapped_column(Integer)
    resolved_at: Mapped[datetime | None]
    sla_due_at: Mapped[datetime | None]
    escalated: Mapped[bool] = mapped_column(Boolean, default=False)
    incident_id: Mapped[int | None] = mapped_column(ForeignKey("incidents.id", ondelete="SET NULL"))


class ReplyTemplate(CreatedAtMixin, VersionedMixin, Base):
    __tablename__ = "reply_templates"

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    brand_id: Mapped[int | None] = mapped_column(ForeignKey("brands.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(200))
    language: Mapped[str] = mapped_column(String(8), default="en")
    body: Mapped[str] = mapped_column(Text)
    use_for: Mapped[str] = mapped_column(String(200), default="")


class RoutingRule(CreatedAtMixin, VersionedMixin, Base):
    """If an incoming message matches `conditions` (keywords, sentiment, platform, language, kind),
    assign it, set its priority, tag it or escalate it. Rules run in `position` order."""

    __tablename__ = "routing_rules"

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    brand_id: Mapped[int | None] = mapped_column(ForeignKey("brands.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(200))
    position: Mapped[int] = mapped_column(Integer, default=100)
    conditions: Mapped[dict] = mapped_column(JSON, default=dict)
    assign_to_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    set_priority: Mapped[Priority | None] = mapped_column(StrEnumType(Priority))
    add_tag_id: Mapped[int | None] = mapped_column(ForeignKey("tags.id", ondelete="SET NULL"))
    escalate: Mapped[bool] = mapped_column(Boolean, default=False)
    stop_processing: Mapped[bool] = mapped_column(Boolean, default=False)
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class SlaPolicy(CreatedAtMixin, VersionedMixin, Base):
    """Response-time targets by priority; brand_id None is the workspace default."""

    __tablename__ = "sla_policies"
    __table_args__ = (UniqueConstraint("workspace_id", "brand_id", "priority"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    brand_id: Mapped[int | None] = mapped_column(ForeignKey("brands.id", ondelete="CASCADE"))
    priority: Mapped[Priority] = mapped_column(StrEnumType(Priority))
    first_response_minutes: Mapped[int]
    resolution_minutes: Mapped[int | None]
    business_hours_only: Mapped[bool] = mapped_column(Boolean, default=False)
