"""The Overview page's numbers: headline KPIs for a period against the previous one, the daily trend
per platform and what is coming up (the best posts of the period: metrics.post_ranking). Every query is an indexed range
scan on (brand, date) aggregated in SQL; nothing loads a whole table."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta

import pandas as pd
from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session
from sqlalchemy.sql.expression import ScalarSelect

from app.models import Channel, ChannelDailyMetric, InboxMessage, PostVariant
from app.models.enums import Direction, PostStatus, Sentiment
from app.services.core import Actor, Kpi, Perm, clock, previous_range, require_brands, utc_bounds


def last_followers(start: date, end: date) -> ScalarSelect[int]:
    """The channel's (correlated with Channel) last followers count in [start, end]."""
    m = ChannelDailyMetric
    return (
        select(m.followers)
        .where(m.channel_id == Channel.id, m.date >= start, m.date <= end, m.followers.is_not(None))
        .order_by(m.date.desc())
        .limit(1)
        .scalar_subquery()
    )


def _metric_totals(session: Session, brand_ids: Sequence[int], start: date, end: date) -> dict[str, float]:
    m = ChannelDailyMetric
    row = session.execute(
        select(
            func.sum(m.impressions),
            func.sum(m.engagements),
            func.sum(m.clicks),
            func.sum(m.follower_growth),
            func.sum(m.reach),
        ).where(m.brand_id.in_(brand_ids), m.date >= start, m.date <= end)
    ).one()
    # Each channel's own last count in the period (one index seek per channel): a channel whose export
    # already holds today must not hide the channels that report a day later, nor a day without the figure.
    per_channel = select(last_followers(start, end).label("followers")).where(Channel.brand_id.in_(brand_ids))
    followers = session.execute(select(func.sum(per_channel.subquery().c.followers))).scalar()
    keys = ("impressions", "engagements", "clicks", "follower_growth", "reach")
    totals = {k: float(v) if v is not None else None for k, v in zip(keys, row, strict=True)}
    totals["followers"] = float(followers) if followers is not None else None
    return totals  # type: ignore[return-value]


def _published_count(session: Session, brand_ids: Sequence[int], start: date, end: date) -> int:
    lo, hi = utc_bounds(start, end)
    v = PostVariant
    return int(
        session.scalar(
            select(func.count()).where(
                v.brand_id.in_(brand_ids),
                # Wrapped so SQLite ranges over (brand, published_at) instead of scanning every published
                # variant through the status index: 5 s → ms for 1,000 brands.
                func.coalesce(v.status, v.status) == PostStatus.PUBLISHED,
                v.published_at >= lo,
                v.published_at < hi,
            )
        )
        or 0
    )


def _inbox_stats(
    session: Session, brand_ids: Sequence[int], start: date, end: date
) -> dict[str, float | None]:
    lo, hi = utc_bounds(start, end)
    msg = InboxMessage
    base = and_(
        msg.brand_id.in_(brand_ids),
        msg.received_at >= lo,
        msg.received_at < hi,
        msg.direction == Direction.INBOUND,
    )
    total = session.scalar(select(func.count()).where(base)) or 0
    negative = session.scalar(select(func.count()).where(base, msg.sentiment == Sentiment.NEGATIVE)) or 0
    seconds = session.scalars(
        select(msg.first_response_seconds).where(base, msg.first_response_seconds.is_not(None))
    ).all()
    median = float(pd.Series(seconds).median()) / 60 if seconds else None
    return {
        "messages": float(total),
        "negative_share": (negative / total) if total else None,
        "median_first_response_min": median,
    }


def headline_kpis(
    session: Session, actor: Actor, brand_ids: Sequence[int], start: date, end: date
) -> list[Kpi]:
    brand_ids = require_brands(actor, Perm.VIEW, brand_ids)
    if not brand_ids:
        return []
    prev_start, prev_end = previous_range(start, end)
    now, before = (
        _metric_totals(session, brand_ids, start, end),
        _metric_totals(session, brand_ids, prev_start, prev_end),
    )

    def rate(t: dict[str, float | None]) -> float | None:
        imp, eng = t.get("impressions"), t.get("engagements")
        return eng / imp if imp and eng is not None else None

    inbox_now = _inbox_stats(session, brand_ids, start, end)
    inbox_before = _inbox_stats(session, brand_ids, prev_start, prev_end)
    return [
        Kpi("followers", "Followers", now["followers"], before["followers"], help="At the end of the period"),
        Kpi("impressions", "Impressions", now["impressions"], before["impressions"]),
        Kpi("engagements", "Engagements", now["engagements"], before["engagements"]),
        Kpi(
            "engagement_rate",
            "Engagement rate",
            rate(now),
            rate(before),
            "percent",
            "Engagements ÷ impressions",
        ),
        Kpi("clicks", "Link clicks", now["clicks"], before["clicks"]),
        Kpi(
            "published",
            "Posts published",
            float(_published_count(session, brand_ids, start, end)),
            float(_published_count(session, brand_ids, prev_start, prev_end)),
        ),
        Kpi("messages", "Inbox messages", inbox_now["messages"], inbox_before["messages"]),
        Kpi(
            "first_response",
            "Median first response",
            inbox_now["median_first_response_min"],
            inbox_before["median_first_response_min"],
            "minutes",
            "Lower is better",
        ),
    ]


def daily_by_platform(
    session: Session, actor: Actor, brand_ids: Sequence[int], start: date, end: date
) -> pd.DataFrame:
    """date, platform, impressions, engagements, engagement_rate: one row per day and platform."""
    brand_ids = require_brands(actor, Perm.VIEW, brand_ids)
    m = ChannelDailyMetric
    stmt = (
        select(m.date, Channel.platform, func.sum(m.impressions), func.sum(m.engagements))
        .join(Channel, Channel.id == m.channel_id)
        .where(m.brand_id.in_(brand_ids), m.date >= start, m.date <= end)
        .group_by(m.date, Channel.platform)
        .order_by(m.date)
    )
    df = pd.DataFrame(
        [(d, p.value, imp or 0, eng or 0) for d, p, imp, eng in session.execute(stmt)],
        columns=["date", "platform", "impressions", "engagements"],
    )
    df["date"] = pd.to_datetime(df["date"])
    df["engagement_rate"] = (df["engagements"] / df["impressions"].where(df["impressions"] > 0)).astype(float)
    return df


def upcoming(session: Session, actor: Actor, brand_ids: Sequence[int], days: int = 7) -> pd.DataFrame:
    """Variants due in the next `days`, counted by day and status (what the team must still finish)."""
    brand_ids = require_brands(actor, Perm.VIEW, brand_ids)
    now = clock.now()
    v = PostVariant
    stmt = select(v.scheduled_at, v.status).where(
        v.brand_id.in_(brand_ids),
        v.scheduled_at >= now,
        v.scheduled_at < now + timedelta(days=days),
        v.status.not_in([PostStatus.ARCHIVED]),
    )
    df = pd.DataFrame([(at.date(), st.value) for at, st in session.execute(stmt)], columns=["day", "status"])
    if df.empty:
        return pd.DataFrame(columns=["day", "status", "variants"])
    return df.groupby(["day", "status"]).size().reset_index(name="variants")
