"""The posts of a period ranked by what they earned: each published variant's latest metric snapshot, best
or weakest first, for the Overview, the dashboards, reports and the explanation of an unusual day."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta

import pandas as pd
from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session

from app.models import Channel, Post, PostMetricSnapshot, PostVariant
from app.services.core import Actor, Perm, clock, require_brands, utc_bounds


def top_posts(
    session: Session,
    actor: Actor,
    brand_ids: Sequence[int],
    start: date,
    end: date,
    limit: int = 5,
    *,
    bottom: bool = False,
    channel_ids: Sequence[int] = (),
    platforms: Sequence[str] = (),
    campaign_ids: Sequence[int] = (),
    pillar_ids: Sequence[int] = (),
) -> pd.DataFrame:
    """The period's published variants ranked by engagements (latest snapshot of each), best first, or
    with `bottom` the weakest first; optionally only some channels, platforms, campaigns or pillars."""
    brand_ids = require_brands(actor, Perm.VIEW, brand_ids)
    lo, hi = utc_bounds(start, end)
    if bottom:  # a post out for less than two days has not had its chance yet
        hi = min(hi, clock.now() - timedelta(days=2))
    s = PostMetricSnapshot
    latest = (
        select(s.variant_id, func.max(s.captured_at).label("at"))
        .join(PostVariant, PostVariant.id == s.variant_id)
        .where(
            PostVariant.brand_id.in_(brand_ids), PostVariant.published_at >= lo, PostVariant.published_at < hi
        )
        .group_by(s.variant_id)
        .subquery()
    )
    stmt = (
        select(
            Post.title,
            Channel.platform,
            PostVariant.published_at,
            s.impressions,
            s.engagements,
            PostVariant.permalink,
        )
        .join(latest, and_(latest.c.variant_id == s.variant_id, latest.c.at == s.captured_at))
        .join(PostVariant, PostVariant.id == s.variant_id)
        .join(Post, Post.id == PostVariant.post_id)
        .join(Channel, Channel.id == PostVariant.channel_id)
        .order_by((s.engagements.asc() if bottom else s.engagements.desc()).nulls_last(), PostVariant.id)
        .limit(limit)
    )
    if channel_ids:
        stmt = stmt.where(PostVariant.channel_id.in_(channel_ids))
    if platforms:
        stmt = stmt.where(Channel.platform.in_(platforms))
    if campaign_ids:
        stmt = stmt.where(Post.campaign_id.in_(campaign_ids))
    if pillar_ids:
        stmt = stmt.where(Post.pillar_id.in_(pillar_ids))
    rows = [
        (title, plat.value, at, imp, eng, (eng / imp) if imp else None, link)
        for title, plat, at, imp, eng, link in session.execute(stmt)
    ]
    return pd.DataFrame(
        rows,
        columns=["post", "platform", "published", "impressions", "engagements", "engagement_rate", "link"],
    )
