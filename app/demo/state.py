"""The in-memory picture of the demo workspace while it is being built: ids handed out so far and the
posts and variants later builders (metrics, inbox, attribution) attach their rows to."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from random import Random

import numpy as np

from app.demo.catalog import BrandSpec, CampaignSpec, ChannelSpec
from app.demo.common import Writer
from app.demo.reference import SopIds
from app.models.enums import CampaignStatus, Platform, PostStatus, PostType


@dataclass
class ChannelRow:
    id: int
    slug: str
    spec: ChannelSpec

    @property
    def platform(self) -> Platform:
        return self.spec.platform


@dataclass
class CampaignRow:
    id: int
    spec: CampaignSpec
    utm: str
    start: date
    end: date
    status: CampaignStatus
    brief_id: int = 0


@dataclass
class BrandRow:
    id: int
    spec: BrandSpec
    channels: list[ChannelRow] = field(default_factory=list)
    pillar_ids: list[int] = field(default_factory=list)
    campaigns: list[CampaignRow] = field(default_factory=list)
    flow_id: int = 0
    stages: list[tuple[int, str]] = field(default_factory=list)  # (stage id, who decides: person key)

    @property
    def slug(self) -> str:
        return self.spec.slug

    def channel(self, platform: Platform) -> ChannelRow | None:
        return next((c for c in self.channels if c.platform == platform), None)


@dataclass
class VariantRow:
    id: int
    channel: ChannelRow
    status: PostStatus
    scheduled_at: datetime | None
    published_at: datetime | None
    # Latest counters (filled by the metrics builder for published variants).
    impressions: int = 0
    engagements: int = 0
    clicks: int = 0


@dataclass
class PostRow:
    id: int
    brand: BrandRow
    status: PostStatus
    post_type: PostType
    title: str
    lang: str
    day: date
    campaign: CampaignRow | None
    created_at: datetime
    variants: list[VariantRow] = field(default_factory=list)

    @property
    def first_time(self) -> datetime | None:
        times = [v.scheduled_at for v in self.variants if v.scheduled_at is not None]
        return min(times) if times else None

    @property
    def last_time(self) -> datetime | None:
        times = [v.scheduled_at for v in self.variants if v.scheduled_at is not None]
        return max(times) if times else None


@dataclass
class DemoState:
    w: Writer
    rng: Random
    np_rng: np.random.Generator
    today: date
    now: datetime
    workspace_id: int = 0
    market_ids: dict[str, int] = field(default_factory=dict)
    brands: dict[str, BrandRow] = field(default_factory=dict)
    people: dict[str, int] = field(default_factory=dict)
    severity: dict[int, int] = field(default_factory=dict)
    sops: SopIds = field(default_factory=SopIds)
    posts: list[PostRow] = field(default_factory=list)
    incident_id: int = 0
    incident_opened: datetime | None = None
    viral_post: PostRow | None = None

    def published(self, brand: str | None = None) -> list[tuple[PostRow, VariantRow]]:
        return [
            (p, v)
            for p in self.posts
            if brand is None or p.brand.slug == brand
            for v in p.variants
            if v.status == PostStatus.PUBLISHED
        ]
