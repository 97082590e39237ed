"""Strategy: objectives, audience segments, content pillars, campaigns and KPI targets per brand and period."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import (
    JSON,
    Column,
    Date,
    ForeignKey,
    Index,
    Numeric,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, CreatedAtMixin, StrEnumType, UTCDateTime, VersionedMixin
from app.models.enums import CampaignStatus, ObjectiveKind, PeriodKind


class Objective(CreatedAtMixin, VersionedMixin, Base):
    """A business goal of a brand, of one kind, measured by one KPI of the dictionary against a target."""

    __tablename__ = "objectives"

    id: Mapped[int] = mapped_column(primary_key=True)
    brand_id: Mapped[int] = mapped_column(ForeignKey("brands.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[ObjectiveKind] = mapped_column(StrEnumType(ObjectiveKind))
    description: Mapped[str] = mapped_column(Text, default="")
    period_start: Mapped[date | None] = mapped_column(Date)
    period_end: Mapped[date | None] = mapped_column(Date)
    kpi_metric_key: Mapped[str | None] = mapped_column(
        ForeignKey("metric_definitions.key", onupdate="CASCADE")
    )
    target_value: Mapped[Decimal | None] = mapped_column(Numeric(18, 4))
    # Archived: gone from pickers, still named on what already points at it.
    archived_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class AudienceSegment(CreatedAtMixin, VersionedMixin, Base):
    """A group of people a brand speaks to: where they are (markets) and where they read (platforms)."""

    __tablename__ = "audience_segments"
    __table_args__ = (UniqueConstraint("brand_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    brand_id: Mapped[int] = mapped_column(ForeignKey("brands.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(120))
    description: Mapped[str] = mapped_column(Text, default="")
    # Market codes and Platform values.
    markets: Mapped[list[str]] = mapped_column(JSON, default=list, server_default="[]")
    platforms: Mapped[list[str]] = mapped_column(JSON, default=list, server_default="[]")
    archived_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class ContentPillar(CreatedAtMixin, VersionedMixin, Base):
    """A theme the brand posts about, with the share of posts it should get."""

    __tablename__ = "content_pillars"
    __table_args__ = (UniqueConstraint("brand_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    brand_id: Mapped[int] = mapped_column(ForeignKey("brands.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(120))
    description: Mapped[str] = mapped_column(Text, default="")
    color: Mapped[str] = mapped_column(String(7), default="#72B7B2")
    target_share_pct: Mapped[int | None]
    archived_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


# The pillars a campaign works on.
campaign_pillars = Table(
    "campaign_pillars",
    Base.metadata,
    Column("campaign_id", ForeignKey("campaigns.id", ondelete="CASCADE"), primary_key=True),
    Column("pillar_id", ForeignKey("content_pillars.id", ondelete="CASCADE"), primary_key=True),
)


class Campaign(CreatedAtMixin, VersionedMixin, Base):
    __tablename__ = "campaigns"
    __table_args__ = (UniqueConstraint("brand_id", "slug"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    brand_id: Mapped[int] = mapped_column(ForeignKey("brands.id", ondelete="CASCADE"))
    objective_id: Mapped[int | None] = mapped_column(ForeignKey("objectives.id", ondelete="SET NULL"))
    slug: Mapped[str] = mapped_column(String(120))
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[CampaignStatus] = mapped_column(
        StrEnumType(CampaignStatus), default=CampaignStatus.PLANNED
    )
    budget: Mapped[Decimal | None] = mapped_column(Numeric(14, 2))
    currency: Mapped[str | None] = mapped_column(String(3))
    start_date: Mapped[date] = mapped_column(Date)
    end_date: Mapped[date] = mapped_column(Date)
    # The governed utm_campaign value every tracked link of this campaign carries.
    utm_campaign: Mapped[str | None] = mapped_column(String(120))
    # Market codes, and ids of the brand's channels the campaign runs on (empty: all of them).
    markets: Mapped[list[str]] = mapped_column(JSON, default=list, server_default="[]")
    channel_ids: Mapped[list[int]] = mapped_column(JSON, default=list, server_default="[]")
    archived_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class KpiTarget(CreatedAtMixin, VersionedMixin, Base):
    """A target value for one metric, for a brand (optionally one channel) and one period."""

    __tablename__ = "kpi_targets"
    __table_args__ = (
        UniqueConstraint("brand_id", "channel_id", "metric_key", "period_kind", "period_start"),
        Index("ix_kpi_targets_brand_period", "brand_id", "period_start"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    brand_id: Mapped[int] = mapped_column(ForeignKey("brands.id", ondelete="CASCADE"))
    channel_id: Mapped[int | None] = mapped_column(ForeignKey("channels.id", ondelete="CASCADE"))
    metric_key: Mapped[str] = mapped_column(ForeignKey("metric_definitions.key", onupdate="CASCADE"))
    period_kind: Mapped[PeriodKind] = mapped_column(StrEnumType(PeriodKind))
    period_start: Mapped[date] = mapped_column(Date)
    period_end: Mapped[date] = mapped_column(Date)
    target_value: Mapped[Decimal] = mapped_column(Numeric(18, 4))
    note: Mapped[str] = mapped_column(Text, default="")
