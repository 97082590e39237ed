"""Content: briefs, posts with per-channel variants, approval flows and decisions, assets, comments."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.base import Base, CreatedAtMixin, StrEnumType, VersionedMixin, utcnow
from app.models.enums import (
    ApprovalRequestStatus,
    ApprovalRule,
    AssetKind,
    BriefStatus,
    Decision,
    PostStatus,
    PostType,
    Role,
)


class Brief(CreatedAtMixin, VersionedMixin, Base):
    """The standard content brief; one brief produces one or more posts."""

    __tablename__ = "briefs"

    id: Mapped[int] = mapped_column(primary_key=True)
    brand_id: Mapped[int] = mapped_column(ForeignKey("brands.id", ondelete="CASCADE"), index=True)
    campaign_id: Mapped[int | None] = mapped_column(ForeignKey("campaigns.id", ondelete="SET NULL"))
    pillar_id: Mapped[int | None] = mapped_column(ForeignKey("content_pillars.id", ondelete="SET NULL"))
    title: Mapped[str] = mapped_column(String(200))
    audience: Mapped[str] = mapped_column(Text, default="")
    objective: Mapped[str] = mapped_column(Text, default="")
    key_messages: Mapped[str] = mapped_column(Text, default="")
    technical_specs: Mapped[str] = mapped_column(Text, default="")
    success_metrics: Mapped[str] = mapped_column(Text, default="")
    due_date: Mapped[date | None] = mapped_column(Date)
    status: Mapped[BriefStatus] = mapped_column(StrEnumType(BriefStatus), default=BriefStatus.DRAFT)
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))


class Post(CreatedAtMixin, VersionedMixin, Base):
    """A piece of content with master copy; what goes out per channel lives in its variants."""

    __tablename__ = "posts"
    __table_args__ = (Index("ix_posts_brand_status", "brand_id", "status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    brand_id: Mapped[int] = mapped_column(ForeignKey("brands.id", ondelete="CASCADE"))
    brief_id: Mapped[int | None] = mapped_column(ForeignKey("briefs.id", ondelete="SET NULL"))
    campaign_id: Mapped[int | None] = mapped_column(ForeignKey("campaigns.id", ondelete="SET NULL"))
    pillar_id: Mapped[int | None] = mapped_column(ForeignKey("content_pillars.id", ondelete="SET NULL"))
    title: Mapped[str] = mapped_column(String(200))
    master_copy: Mapped[str] = mapped_column(Text, default="")
    link_url: Mapped[str | None] = mapped_column(String(2000))
    post_type: Mapped[PostType] = mapped_column(StrEnumType(PostType), default=PostType.IMAGE)
    status: Mapped[PostStatus] = mapped_column(StrEnumType(PostStatus), default=PostStatus.DRAFT)
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    # Which bulk import created the post (None: written in the composer), so an import can be traced.
    import_batch: Mapped[str | None] = mapped_column(String(40), index=True)

    variants: Mapped[list[PostVariant]] = relationship(
        back_populates="post", cascade="all, delete-orphan", order_by="PostVariant.id"
    )


variant_assets = Table(
    "variant_assets",
    Base.metadata,
    Column("variant_id", ForeignKey("post_variants.id", ondelete="CASCADE"), primary_key=True),
    Column("asset_id", ForeignKey("assets.id", ondelete="RESTRICT"), primary_key=True),
    Column("position", Integer, nullable=False, default=0),
    Column("alt_text", Text),
)


class PostVariant(CreatedAtMixin, VersionedMixin, Base):
    """The post as it goes out on one channel: adapted copy, its own status, time and external id."""

    __tablename__ = "post_variants"
    __table_args__ = (
        UniqueConstraint("post_id", "channel_id"),
        UniqueConstraint("idempotency_key"),
        Index("ix_post_variants_channel_time", "channel_id", "scheduled_at"),
        Index("ix_post_variants_status_time", "status", "scheduled_at"),
        Index("ix_post_variants_brand_time", "brand_id", "scheduled_at"),
        # "Published in the period" (dashboards, top posts) ranges over published_at, not scheduled_at.
        Index("ix_post_variants_brand_published", "brand_id", "published_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    post_id: Mapped[int] = mapped_column(ForeignKey("posts.id", ondelete="CASCADE"))
    channel_id: Mapped[int] = mapped_column(ForeignKey("channels.id", ondelete="CASCADE"))
    # Copied from the post so calendar and dashboard queries need no join to filter by brand.
    brand_id: Mapped[int] = mapped_column(ForeignKey("brands.id", ondelete="CASCADE"))
    copy: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[PostStatus] = mapped_column(StrEnumType(PostStatus), default=PostStatus.DRAFT)
    scheduled_at: Mapped[datetime | None]
    published_at: Mapped[datetime | None]
    external_id: Mapped[str | None] = mapped_column(String(200))
    permalink: Mapped[str | None] = mapped_column(String(2000))
    # Carried in the publish request so a retry after a crash can find the post instead of duplicating it.
    idempotency_key: Mapped[str | None] = mapped_column(String(64))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    claimed_by: Mapped[str | None] = mapped_column(String(120))
    claimed_at: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(Text)
    # After a transient platform error: the publish job leaves the variant alone until then (backoff).
    next_attempt_at: Mapped[datetime | None]
    # Attempts since it was last scheduled (the retry budget); `attempts` counts every one, ever.
    round_attempts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # A manual channel's variant waiting in the "ready to post" queue for a person since then.
    manual_queued_at: Mapped[datetime | None]

    post: Mapped[Post] = relationship(back_populates="variants")


class ApprovalFlow(CreatedAtMixin, VersionedMixin, Base):
    """An ordered list of approval stages for a brand, or for one campaign of it."""

    __tablename__ = "approval_flows"

    id: Mapped[int] = mapped_column(primary_key=True)
    brand_id: Mapped[int] = mapped_column(ForeignKey("brands.id", ondelete="CASCADE"), index=True)
    campaign_id: Mapped[int | None] = mapped_column(ForeignKey("campaigns.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(200))
    active: Mapped[bool] = mapped_column(Boolean, default=True)

    stages: Mapped[list[ApprovalStage]] = relationship(
        back_populates="flow", cascade="all, delete-orphan", order_by="ApprovalStage.position"
    )


approval_stage_approvers = Table(
    "approval_stage_approvers",
    Base.metadata,
    Column("stage_id", ForeignKey("approval_stages.id", ondelete="CASCADE"), primary_key=True),
    Column("user_id", ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
)


class ApprovalStage(Base):
    """One stage: who may decide (a role, or named users) and whether any one or all must approve."""

    __tablename__ = "approval_stages"
    __table_args__ = (UniqueConstraint("flow_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    flow_id: Mapped[int] = mapped_column(ForeignKey("approval_flows.id", ondelete="CASCADE"))
    position: Mapped[int]
    name: Mapped[str] = mapped_column(String(120))
    role: Mapped[Role | None] = mapped_column(StrEnumType(Role))
    rule: Mapped[ApprovalRule] = mapped_column(StrEnumType(ApprovalRule), default=ApprovalRule.ANY)

    flow: Mapped[ApprovalFlow] = relationship(back_populates="stages")


class ApprovalRequest(CreatedAtMixin, Base):
    """One trip of a post through its flow (a rejection or an edit after approval starts a new round)."""

    __tablename__ = "approval_requests"
    __table_args__ = (
        UniqueConstraint("post_id", "round"),
        Index("ix_approval_requests_status", "status", "submitted_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    post_id: Mapped[int] = mapped_column(ForeignKey("posts.id", ondelete="CASCADE"))
    flow_id: Mapped[int] = mapped_column(ForeignKey("approval_flows.id"))
    round: Mapped[int] = mapped_column(Integer, default=1)
    status: Mapped[ApprovalRequestStatus] = mapped_column(
        StrEnumType(ApprovalRequestStatus), default=ApprovalRequestStatus.PENDING
    )
    current_position: Mapped[int] = mapped_column(Integer, default=1)
    submitted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    submitted_at: Mapped[datetime] = mapped_column(default=utcnow)
    stage_entered_at: Mapped[datetime] = mapped_column(default=utcnow)
    completed_at: Mapped[datetime | None]
    # Approval lapses if the post has not gone out by then (its earliest scheduled time).
    expires_at: Mapped[datetime | None]


class ApprovalDecision(Base):
    __tablename__ = "approval_decisions"
    __table_args__ = (Index("ix_approval_decisions_request", "request_id", "stage_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("approval_requests.id", ondelete="CASCADE"))
    stage_id: Mapped[int] = mapped_column(ForeignKey("approval_stages.id", ondelete="CASCADE"))
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    decision: Mapped[Decision] = mapped_column(StrEnumType(Decision))
    comment: Mapped[str] = mapped_column(Text, default="")
    decided_at: Mapped[datetime] = mapped_column(default=utcnow)


asset_tags = Table(
    "asset_tags",
    Base.metadata,
    Column("asset_id", ForeignKey("assets.id", ondelete="CASCADE"), primary_key=True),
    Column("tag_id", ForeignKey("tags.id", ondelete="CASCADE"), primary_key=True),
)


class Asset(CreatedAtMixin, VersionedMixin, Base):
    """A stored file with its rights: expired assets cannot be scheduled."""

    __tablename__ = "assets"
    __table_args__ = (UniqueConstraint("brand_id", "content_hash"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    brand_id: Mapped[int] = mapped_column(ForeignKey("brands.id", ondelete="CASCADE"))
    filename: Mapped[str] = mapped_column(String(255))
    # Relative to the assets folder under the data directory; never an absolute or user-given path.
    storage_path: Mapped[str] = mapped_column(String(500))
    content_hash: Mapped[str] = mapped_column(String(64))
    mime_type: Mapped[str] = mapped_column(String(120))
    kind: Mapped[AssetKind] = mapped_column(StrEnumType(AssetKind))
    size_bytes: Mapped[int] = mapped_column(BigInteger)
    width: Mapped[int | None]
    height: Mapped[int | None]
    duration_seconds: Mapped[float | None]
    title: Mapped[str] = mapped_column(String(200), default="")
    alt_text: Mapped[str] = mapped_column(Text, default="")
    rights_owner: Mapped[str] = mapped_column(String(200), default="")
    licence: Mapped[str] = mapped_column(String(200), default="")
    ugc_permission: Mapped[bool] = mapped_column(Boolean, default=False)
    rights_expire_at: Mapped[datetime | None]
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    extra: Mapped[dict] = mapped_column(JSON, default=dict)


class Comment(CreatedAtMixin, Base):
    """A note by a person on any object (post, brief, asset, incident...); rejections are shown here."""

    __tablename__ = "comments"
    __table_args__ = (Index("ix_comments_object", "object_type", "object_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    brand_id: Mapped[int | None] = mapped_column(ForeignKey("brands.id", ondelete="CASCADE"))
    object_type: Mapped[str] = mapped_column(String(40))
    object_id: Mapped[int]
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    body: Mapped[str] = mapped_column(Text)
