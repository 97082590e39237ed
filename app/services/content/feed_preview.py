"""The feed preview of one channel: its next approved or scheduled variants in the order they will go
out, with copy and the first picture, so a team can judge how the feed will look before it does."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import Asset, Brand, Channel, Post, PostVariant, variant_assets
from app.models.enums import AssetKind, Platform, PostStatus
from app.services.content.assets.media import assets_root, resolve_asset_path
from app.services.core import Actor, NotFound, Perm, ValidationError, clock, require

# Platforms whose profile is a picture grid (three across); the others read as a timeline.
GRID_PLATFORMS = frozenset({Platform.INSTAGRAM, Platform.TIKTOK})
UPCOMING = (PostStatus.APPROVED, PostStatus.SCHEDULED)
MAX_ITEMS = 60


@dataclass(frozen=True)
class FeedItem:
    variant_id: int
    post_id: int
    title: str
    copy: str
    status: str
    scheduled_at: datetime  # aware UTC
    local_time: datetime  # the same moment in the brand's market time zone
    platform: str
    # The first attached picture's thumbnail (or the picture itself), resolved inside the assets folder;
    # None when there is none, its stored path is unsafe, or the file is missing.
    thumbnail: Path | None
    alt_text: str


def is_grid(platform: Platform | str) -> bool:
    return Platform(platform) in GRID_PLATFORMS


def _picture(asset: Asset, root: Path) -> Path | None:
    """A stored thumbnail first (videos have one too); an image's own file when it has none."""
    candidates = [(asset.extra or {}).get("thumbnail")]
    if asset.kind == AssetKind.IMAGE:
        candidates.append(asset.storage_path)
    for stored in candidates:
        path = resolve_asset_path(stored, root) if isinstance(stored, str) else None
        if path is not None and path.is_file():
            return path
    return None


def feed_preview(
    session: Session, actor: Actor, channel_id: int, n: int = 9, *, now: datetime | None = None
) -> list[FeedItem]:
    """The channel's next `n` approved or scheduled variants (due after `now`), earliest first."""
    if not 1 <= n <= MAX_ITEMS:
        raise ValidationError(f"a feed preview shows 1 to {MAX_ITEMS} posts", field="n", value=n)
    channel = session.get(Channel, channel_id)
    visible = actor.visible_brand_ids()
    if channel is None or (visible is not None and channel.brand_id not in visible):
        raise NotFound(f"no channel {channel_id}")
    require(actor, Perm.VIEW, channel.brand_id)
    zone_name = session.get(Brand, channel.brand_id).market.timezone
    now = now or clock.now()
    v = PostVariant
    # The (channel_id, scheduled_at) index serves both the filter and the order.
    rows = session.execute(
        select(v.id, v.post_id, v.copy, v.status, v.scheduled_at, Post.title)
        .join(Post, Post.id == v.post_id)
        .where(v.channel_id == channel_id, v.scheduled_at >= now, v.status.in_(UPCOMING))
        .order_by(v.scheduled_at, v.id)
        .limit(n)
    ).all()
    if not rows:
        return []
    firsts: dict[int, tuple[Asset, str | None]] = {}
    for vid, asset, alt in session.execute(
        select(variant_assets.c.variant_id, Asset, variant_assets.c.alt_text)
        .join(Asset, Asset.id == variant_assets.c.asset_id)
        .where(variant_assets.c.variant_id.in_([r[0] for r in rows]))
        .order_by(variant_assets.c.variant_id, variant_assets.c.position)
    ):
        firsts.setdefault(vid, (asset, alt))
    zone, root = ZoneInfo(zone_name), assets_root()
    items = []
    for vid, pid, copy, status, when, title in rows:
        asset, alt = firsts.get(vid, (None, None))
        items.append(
            FeedItem(
                variant_id=vid,
                post_id=pid,
                title=title,
                copy=copy,
                status=status.value,
                scheduled_at=when,
                local_time=when.astimezone(zone),
                platform=channel.platform.value,
                thumbnail=_picture(asset, root) if asset is not None else None,
                alt_text=(alt or (asset.alt_text if asset is not None else "") or "").strip(),
            )
        )
    return items
