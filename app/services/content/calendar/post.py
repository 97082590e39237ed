"""One post as the calendar opens it from the grid: what it is, where it stands, and every variant with
its copy and times (read-only; the composer edits)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import Brand, Campaign, Channel, ContentPillar, Post, User
from app.services.core import Actor, NotFound, Perm, require

# Variants without any time sort last.
_FAR = datetime.max.replace(tzinfo=UTC)


@dataclass(frozen=True)
class VariantDetail:
    variant_id: int
    channel: str
    platform: str
    status: str
    copy: str
    scheduled_at: datetime | None
    published_at: datetime | None
    permalink: str | None


@dataclass(frozen=True)
class PostDetail:
    post_id: int
    brand_id: int
    title: str
    status: str
    brand: str
    timezone: str
    campaign: str | None
    pillar: str | None
    owner: str | None
    master_copy: str
    link_url: str | None
    variants: tuple[VariantDetail, ...]


def post_detail(session: Session, actor: Actor, post_id: int) -> PostDetail:
    """One post as the calendar opens it: what it is, its status and every variant with copy and times."""
    post = session.get(Post, post_id)
    visible = actor.visible_brand_ids()
    if post is None or (visible is not None and post.brand_id not in visible):
        raise NotFound(f"no post {post_id}")
    require(actor, Perm.VIEW, post.brand_id)
    brand = session.get(Brand, post.brand_id)
    owner = session.get(User, post.owner_id) if post.owner_id else None
    campaign = session.get(Campaign, post.campaign_id) if post.campaign_id else None
    pillar = session.get(ContentPillar, post.pillar_id) if post.pillar_id else None
    chans = {
        c.id: c
        for c in session.scalars(select(Channel).where(Channel.id.in_([v.channel_id for v in post.variants])))
    }
    variants = tuple(
        VariantDetail(
            variant_id=v.id,
            channel=chans[v.channel_id].display_name or chans[v.channel_id].handle,
            platform=chans[v.channel_id].platform.value,
            status=v.status.value,
            copy=v.copy,
            scheduled_at=v.scheduled_at,
            published_at=v.published_at,
            permalink=v.permalink,
        )
        for v in sorted(post.variants, key=lambda v: (v.scheduled_at or v.published_at or _FAR, v.id))
    )
    return PostDetail(
        post_id=post.id,
        brand_id=post.brand_id,
        title=post.title,
        status=post.status.value,
        brand=brand.name,
        timezone=brand.market.timezone,
        campaign=campaign.name if campaign else None,
        pillar=pillar.name if pillar else None,
        owner=(owner.name or owner.email) if owner else None,
        master_copy=post.master_copy,
        link_url=post.link_url,
        variants=variants,
    )


_FAR = datetime.max.replace(tzinfo=UTC)
