"""Test data for the calendar, feed preview, best-time and UTM tests: a brand of its own (own market and
time zone) with channels, posts, variants, snapshots and assets written straight through the ORM, so
each test knows exactly what is there."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy.orm import Session

from app.models import (
    Asset,
    Brand,
    Campaign,
    Channel,
    ContentPillar,
    Market,
    Post,
    PostMetricSnapshot,
    PostVariant,
    User,
    variant_assets,
)
from app.models.enums import AssetKind, Platform, PostStatus, Role
from app.services.core import Actor, clock
from app.services.org import current_workspace


def make_brand(
    s: Session,
    slug: str = "calbrand",
    tz: str = "Asia/Singapore",
    platforms: tuple[str, ...] = ("instagram", "x"),
) -> tuple[Brand, dict[str, Channel]]:
    ws = current_workspace(s)
    market = Market(
        workspace_id=ws.id,
        code=f"m-{slug}",
        name=f"Market of {slug}",
        country_code="SG",
        languages=["en"],
        timezone=tz,
        currency="SGD",
    )
    s.add(market)
    s.flush()
    brand = Brand(workspace_id=ws.id, slug=slug, name=f"Brand {slug}", market_id=market.id)
    s.add(brand)
    s.flush()
    channels = {}
    for p in platforms:
        ch = Channel(
            brand_id=brand.id,
            platform=Platform(p),
            handle=f"@{slug}_{p}",
            slug=f"{slug}-{p}",
            display_name=f"{slug} on {p}",
        )
        s.add(ch)
        channels[p] = ch
    s.flush()
    return brand, channels


def add_campaign(s: Session, brand: Brand, name: str, utm: str | None = None) -> Campaign:
    c = Campaign(
        brand_id=brand.id,
        slug=name.lower().replace(" ", "-"),
        name=name,
        start_date=date(2026, 1, 1),
        end_date=date(2031, 12, 31),
        utm_campaign=utm,
    )
    s.add(c)
    s.flush()
    return c


def add_pillar(s: Session, brand: Brand, name: str) -> ContentPillar:
    p = ContentPillar(brand_id=brand.id, name=name)
    s.add(p)
    s.flush()
    return p


def add_variant(
    s: Session,
    brand: Brand,
    channel: Channel,
    *,
    title: str = "A post",
    when: datetime | None,
    status: PostStatus | str = PostStatus.SCHEDULED,
    copy: str = "Hello there",
    published_at: datetime | None = None,
    campaign: Campaign | None = None,
    pillar: ContentPillar | None = None,
    owner: User | None = None,
    post: Post | None = None,
) -> PostVariant:
    status = PostStatus(status)
    if post is None:
        post = Post(
            brand_id=brand.id,
            title=title,
            master_copy=copy,
            status=status,
            campaign_id=campaign.id if campaign else None,
            pillar_id=pillar.id if pillar else None,
            owner_id=owner.id if owner else None,
        )
        s.add(post)
        s.flush()
    v = PostVariant(
        post_id=post.id,
        channel_id=channel.id,
        brand_id=brand.id,
        copy=copy,
        status=status,
        scheduled_at=when,
        published_at=published_at,
    )
    s.add(v)
    s.flush()
    return v


def add_snapshot(s: Session, v: PostVariant, impressions: int, engagements: int, at: datetime) -> None:
    s.add(
        PostMetricSnapshot(
            variant_id=v.id,
            brand_id=v.brand_id,
            captured_at=at,
            impressions=impressions,
            engagements=engagements,
        )
    )
    s.flush()


def add_asset(
    s: Session,
    brand: Brand,
    v: PostVariant,
    *,
    storage_path: str,
    kind: AssetKind = AssetKind.IMAGE,
    extra: dict | None = None,
    position: int = 0,
    alt: str | None = None,
) -> Asset:
    a = Asset(
        brand_id=brand.id,
        filename=storage_path.rsplit("/", 1)[-1],
        storage_path=storage_path,
        content_hash=f"{storage_path}-{position}-{v.id}",
        mime_type="image/png" if kind == AssetKind.IMAGE else "video/mp4",
        kind=kind,
        size_bytes=10,
        alt_text="an asset",
        extra=extra or {},
    )
    s.add(a)
    s.flush()
    s.execute(variant_assets.insert().values(variant_id=v.id, asset_id=a.id, position=position, alt_text=alt))
    return a


def actor_on(brand: Brand, role: Role | str, email: str = "someone@cal.test") -> Actor:
    """A person with a role on this brand only (no workspace role)."""
    return Actor(email=email, name=email, brand_roles={brand.id: Role(role)})


def future(days: int = 3, hour: int = 10) -> datetime:
    """A whole hour some days ahead (UTC), far enough for the composer's minimum lead time."""
    return (clock.now() + timedelta(days=days)).replace(hour=hour, minute=0, second=0, microsecond=0)
