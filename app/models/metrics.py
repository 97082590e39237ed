"""Metrics: the metrics dictionary with platform source mappings, channel daily metrics, post metric
snapshots, competitors, tracked links, conversions and touchpoints, experiments.

Daily channel metrics are stored wide (one row per channel and day, one column per base metric): at
agency scale that is 3.65 M rows instead of ~40 M in a long table, and every dashboard query reads
one row per channel-day. Derived metrics (engagement rate...) are formulas in the dictionary.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    Float,
    ForeignKey,
    Index,
    Numeric,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, CreatedAtMixin, StrEnumType, VersionedMixin, utcnow
from app.models.enums import (
    Aggregation,
    ExperimentStatus,
    Indicator,
    MetricUnit,
    ObjectiveKind,
    Platform,
    TouchpointKind,
)

# The base metrics every channel-day and post snapshot can carry; formulas are written over these.
CHANNEL_BASE_METRICS: tuple[str, ...] = (
    "followers",
    "follower_growth",
    "impressions",
    "reach",
    "engagements",
    "likes",
    "comments",
    "shares",
    "saves",
    "clicks",
    "video_views",
    "posts_published",
    "mentions",
)
POST_BASE_METRICS: tuple[str, ...] = (
    "impressions",
    "reach",
    "engagements",
    "likes",
    "comments",
    "shares",
    "saves",
    "clicks",
    "video_views",
)


class MetricDefinition(CreatedAtMixin, VersionedMixin, Base):
    """One entry of the metrics dictionary. A base metric has no formula; a derived one has a formula
    over base metric keys, e.g. `engagements / impressions`."""

    __tablename__ = "metric_definitions"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    description: Mapped[str] = mapped_column(Text, default="")
    unit: Mapped[MetricUnit] = mapped_column(StrEnumType(MetricUnit), default=MetricUnit.COUNT)
    formula: Mapped[str | None] = mapped_column(String(500))
    objective: Mapped[ObjectiveKind | None] = mapped_column(StrEnumType(ObjectiveKind))
    indicator: Mapped[Indicator] = mapped_column(StrEnumType(Indicator), default=Indicator.LEADING)
    aggregation: Mapped[Aggregation] = mapped_column(StrEnumType(Aggregation), default=Aggregation.SUM)
    higher_is_better: Mapped[bool] = mapped_column(Boolean, default=True)


class MetricSourceMapping(CreatedAtMixin, Base):
    """Which platform field feeds a metric, and when: renamed and deprecated fields keep their dates
    (e.g. Instagram `impressions` until Graph API v22, `views` after)."""

    __tablename__ = "metric_source_mappings"
    __table_args__ = (UniqueConstraint("metric_key", "platform", "source_field"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    metric_key: Mapped[str] = mapped_column(
        ForeignKey("metric_definitions.key", ondelete="CASCADE", onupdate="CASCADE")
    )
    platform: Mapped[Platform] = mapped_column(StrEnumType(Platform))
    source_field: Mapped[str] = mapped_column(String(120))
    valid_from: Mapped[date | None] = mapped_column(Date)
    valid_to: Mapped[date | None] = mapped_column(Date)
    deprecated: Mapped[bool] = mapped_column(Boolean, default=False)
    note: Mapped[str] = mapped_column(Text, default="")


class ChannelBaseMetrics:
    """The columns of CHANNEL_BASE_METRICS, shared by the daily rows and their week/month rollups so the
    two cannot drift apart when a base metric is added (a test checks the tuple against these)."""

    followers: Mapped[int | None] = mapped_column(BigInteger)
    follower_growth: Mapped[int | None] = mapped_column(BigInteger)
    impressions: Mapped[int | None] = mapped_column(BigInteger)
    reach: Mapped[int | None] = mapped_column(BigInteger)
    engagements: Mapped[int | None] = mapped_column(BigInteger)
    likes: Mapped[int | None] = mapped_column(BigInteger)
    comments: Mapped[int | None] = mapped_column(BigInteger)
    shares: Mapped[int | None] = mapped_column(BigInteger)
    saves: Mapped[int | None] = mapped_column(BigInteger)
    clicks: Mapped[int | None] = mapped_column(BigInteger)
    video_views: Mapped[int | None] = mapped_column(BigInteger)
    posts_published: Mapped[int | None] = mapped_column(BigInteger)
    # Posts by others that name the brand on this channel's platform: the basis of share of voice.
    mentions: Mapped[int | None] = mapped_column(BigInteger)


class ChannelDailyMetric(ChannelBaseMetrics, Base):
    __tablename__ = "channel_daily_metrics"
    __table_args__ = (Index("ix_channel_daily_metrics_brand_date", "brand_id", "date"),)

    channel_id: Mapped[int] = mapped_column(ForeignKey("channels.id", ondelete="CASCADE"), primary_key=True)
    date: Mapped[date] = mapped_column(Date, primary_key=True)
    brand_id: Mapped[int] = mapped_column(ForeignKey("brands.id", ondelete="CASCADE"))
    # Where the row came from: "demo", "api", or the export format it was imported from.
    source: Mapped[str] = mapped_column(String(40), default="api")
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class PostMetricSnapshot(Base):
    """A variant's counters as read at one moment; the latest snapshot is the current value."""

    __tablename__ = "post_metric_snapshots"
    __table_args__ = (
        UniqueConstraint("variant_id", "captured_at"),
        Index("ix_post_metric_snapshots_brand_captured", "brand_id", "captured_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    variant_id: Mapped[int] = mapped_column(ForeignKey("post_variants.id", ondelete="CASCADE"))
    brand_id: Mapped[int] = mapped_column(ForeignKey("brands.id", ondelete="CASCADE"))
    captured_at: Mapped[datetime]
    impressions: Mapped[int | None] = mapped_column(BigInteger)
    reach: Mapped[int | None] = mapped_column(BigInteger)
    engagements: Mapped[int | None] = mapped_column(BigInteger)
    likes: Mapped[int | None] = mapped_column(BigInteger)
    comments: Mapped[int | None] = mapped_column(BigInteger)
    shares: Mapped[int | None] = mapped_column(BigInteger)
    saves: Mapped[int | None] = mapped_column(BigInteger)
    clicks: Mapped[int | None] = mapped_column(BigInteger)
    video_views: Mapped[int | None] = mapped_column(BigInteger)
    source: Mapped[str] = mapped_column(String(40), default="api")


class Competitor(CreatedAtMixin, VersionedMixin, Base):
    __tablename__ = "competitors"
    __table_args__ = (UniqueConstraint("brand_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    brand_id: Mapped[int] = mapped_column(ForeignKey("brands.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(200))
    website: Mapped[str] = mapped_column(String(500), default="")
    # {platform: handle}
    handles: Mapped[dict] = mapped_column(JSON, default=dict)
    notes: Mapped[str] = mapped_column(Text, default="")


class CompetitorMetric(Base):
    __tablename__ = "competitor_metrics"

    competitor_id: Mapped[int] = mapped_column(
        ForeignKey("competitors.id", ondelete="CASCADE"), primary_key=True
    )
    platform: Mapped[Platform] = mapped_column(StrEnumType(Platform), primary_key=True)
    date: Mapped[date] = mapped_column(Date, primary_key=True)
    followers: Mapped[int | None] = mapped_column(BigInteger)
    posts: Mapped[int | None] = mapped_column(BigInteger)
    engagements: Mapped[int | None] = mapped_column(BigInteger)
    # Mentions of the competitor in the period: the basis of share of voice.
    mentions: Mapped[int | None] = mapped_column(BigInteger)
    source: Mapped[str] = mapped_column(String(40), default="import")


class TrackedLink(CreatedAtMixin, Base):
    """A link with governed UTM parameters, so clicks and conversions can be traced to a post."""

    __tablename__ = "tracked_links"
    __table_args__ = (Index("ix_tracked_links_brand", "brand_id", "utm_campaign"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    brand_id: Mapped[int] = mapped_column(ForeignKey("brands.id", ondelete="CASCADE"))
    campaign_id: Mapped[int | None] = mapped_column(ForeignKey("campaigns.id", ondelete="SET NULL"))
    variant_id: Mapped[int | None] = mapped_column(ForeignKey("post_variants.id", ondelete="SET NULL"))
    base_url: Mapped[str] = mapped_column(String(2000))
    utm_source: Mapped[str] = mapped_column(String(120))
    utm_medium: Mapped[str] = mapped_column(String(120))
    utm_campaign: Mapped[str] = mapped_column(String(120))
    utm_content: Mapped[str | None] = mapped_column(String(200))
    utm_term: Mapped[str | None] = mapped_column(String(200))
    full_url: Mapped[str] = mapped_column(String(3000))


class Conversion(CreatedAtMixin, Base):
    """A conversion reported by analytics or a CRM (GA4 export, CRM export), with its value."""

    __tablename__ = "conversions"
    __table_args__ = (
        UniqueConstraint("brand_id", "source", "external_id"),
        Index("ix_conversions_brand_time", "brand_id", "occurred_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    brand_id: Mapped[int] = mapped_column(ForeignKey("brands.id", ondelete="CASCADE"))
    external_id: Mapped[str] = mapped_column(String(200))
    source: Mapped[str] = mapped_column(String(40))
    kind: Mapped[str] = mapped_column(String(60))
    occurred_at: Mapped[datetime]
    value: Mapped[Decimal | None] = mapped_column(Numeric(14, 2))
    currency: Mapped[str | None] = mapped_column(String(3))
    tracked_link_id: Mapped[int | None] = mapped_column(ForeignKey("tracked_links.id", ondelete="SET NULL"))
    utm_source: Mapped[str | None] = mapped_column(String(120))
    utm_medium: Mapped[str | None] = mapped_column(String(120))
    utm_campaign: Mapped[str | None] = mapped_column(String(120))
    utm_content: Mapped[str | None] = mapped_column(String(200))


class Touchpoint(Base):
    """One step on a path to conversion (impression, click, visit) that attribution weighs."""

    __tablename__ = "touchpoints"
    __table_args__ = (
        Index("ix_touchpoints_conversion", "conversion_id"),
        Index("ix_touchpoints_brand_time", "brand_id", "occurred_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    brand_id: Mapped[int] = mapped_column(ForeignKey("brands.id", ondelete="CASCADE"))
    conversion_id: Mapped[int | None] = mapped_column(ForeignKey("conversions.id", ondelete="CASCADE"))
    channel_id: Mapped[int | None] = mapped_column(ForeignKey("channels.id", ondelete="SET NULL"))
    variant_id: Mapped[int | None] = mapped_column(ForeignKey("post_variants.id", ondelete="SET NULL"))
    tracked_link_id: Mapped[int | None] = mapped_column(ForeignKey("tracked_links.id", ondelete="SET NULL"))
    kind: Mapped[TouchpointKind] = mapped_column(StrEnumType(TouchpointKind))
    occurred_at: Mapped[datetime]
    visitor_key: Mapped[str | None] = mapped_column(String(120))


class Experiment(CreatedAtMixin, VersionedMixin, Base):
    """An A/B test between posts (arms) on one metric, with its hypothesis and conclusion."""

    __tablename__ = "experiments"

    id: Mapped[int] = mapped_column(primary_key=True)
    brand_id: Mapped[int] = mapped_column(ForeignKey("brands.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    hypothesis: Mapped[str] = mapped_column(Text, default="")
    metric_key: Mapped[str] = mapped_column(ForeignKey("metric_definitions.key", onupdate="CASCADE"))
    status: Mapped[ExperimentStatus] = mapped_column(
        StrEnumType(ExperimentStatus), default=ExperimentStatus.DRAFT
    )
    start_date: Mapped[date | None] = mapped_column(Date)
    end_date: Mapped[date | None] = mapped_column(Date)
    # [{"name": "A", "post_id": 12}, ...]
    arms: Mapped[list] = mapped_column(JSON, default=list)
    conclusion: Mapped[str] = mapped_column(Text, default="")
    p_value: Mapped[float | None] = mapped_column(Float)


class MetricRollup(ChannelBaseMetrics, Base):
    """A channel's base metrics over one ISO week (Monday first) or one calendar month, each by its
    dictionary aggregation (sums; the last day's value for followers). Kept by `app.services.rollups`
    from the daily rows; derived KPIs are evaluated over these at read time (ratio of the sums)."""

    __tablename__ = "metric_rollups"
    __table_args__ = (Index("ix_metric_rollups_brand_grain_period", "brand_id", "grain", "period_start"),)

    channel_id: Mapped[int] = mapped_column(ForeignKey("channels.id", ondelete="CASCADE"), primary_key=True)
    # "week" or "month" (PeriodKind values)
    grain: Mapped[str] = mapped_column(String(8), primary_key=True)
    period_start: Mapped[date] = mapped_column(Date, primary_key=True)
    brand_id: Mapped[int] = mapped_column(ForeignKey("brands.id", ondelete="CASCADE"))
    period_end: Mapped[date] = mapped_column(Date)
    days: Mapped[int] = mapped_column(default=0)  # days of the period with a daily row
    last_day: Mapped[date] = mapped_column(Date)  # the latest of those days
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class RollupDirtyDay(Base):
    """A channel-day whose daily row was inserted, changed or deleted since the rollups last saw it.
    Written by database triggers on channel_daily_metrics (migration 0005), so every writer (platform
    sync, imports, sheets, hand-written SQL) is caught; `version` lets the refresh clear only the marks
    it has processed. No foreign keys: the day of a deleted channel must still be cleared."""

    __tablename__ = "rollup_dirty_days"

    channel_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    date: Mapped[date] = mapped_column(Date, primary_key=True)
    brand_id: Mapped[int]
    version: Mapped[int] = mapped_column(default=1)
