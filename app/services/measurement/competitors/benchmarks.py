"""Competitor benchmarks: each competitor's audience, output and engagement per platform in a period,
its share of voice against the brand's own mentions, and weekly follower series."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

import pandas as pd
from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session

from app.models import Brand, Channel, ChannelDailyMetric, Competitor, CompetitorMetric, InboxMessage
from app.models.enums import Direction, MessageKind
from app.services.core import Actor, Perm, require_brands, time_bucket, utc_bounds

OVERVIEW_COLUMNS = [
    "competitor",
    "brand",
    "platform",
    "latest followers",
    "growth in period",
    "posts",
    "engagements",
    "engagement per post",
    "mentions",
    "share of voice",
]


def _brand_mentions(
    session: Session, brand_ids: Sequence[int], start: date, end: date
) -> dict[tuple[int, str], int]:
    """(brand, platform) → inbound mentions of the brand itself in the period."""
    lo, hi = utc_bounds(start, end)
    m = InboxMessage
    rows = session.execute(
        select(m.brand_id, Channel.platform, func.count())
        .select_from(m)
        .join(Channel, Channel.id == m.channel_id)
        .where(
            m.brand_id.in_(brand_ids),
            m.received_at >= lo,
            m.received_at < hi,
            m.direction == Direction.INBOUND,
            m.kind == MessageKind.MENTION,
        )
        .group_by(m.brand_id, Channel.platform)
    ).all()
    return {(b, p.value): int(n) for b, p, n in rows}


def competitor_overview(
    session: Session, actor: Actor, brand_ids: Sequence[int], start: date, end: date
) -> pd.DataFrame:
    """One row per competitor and platform with data in the period. Share of voice on a platform is the
    competitor's mentions over all mentions there: every tracked competitor's plus the brand's own."""
    brand_ids = require_brands(actor, Perm.VIEW, brand_ids)
    if not brand_ids:
        return pd.DataFrame(columns=OVERVIEW_COLUMNS)
    cm, c = CompetitorMetric, Competitor
    in_period = [c.brand_id.in_(brand_ids), cm.date >= start, cm.date <= end]
    span = (
        select(
            cm.competitor_id,
            cm.platform,
            func.min(cm.date).label("first"),
            func.max(cm.date).label("last"),
            func.sum(cm.posts).label("posts"),
            func.sum(cm.engagements).label("engagements"),
            func.sum(cm.mentions).label("mentions"),
        )
        .join(c, c.id == cm.competitor_id)
        .where(*in_period)
        .group_by(cm.competitor_id, cm.platform)
        .subquery("span")
    )
    first, last = CompetitorMetric.__table__.alias("first_day"), CompetitorMetric.__table__.alias("last_day")
    rows = session.execute(
        select(
            c.name,
            c.brand_id,
            Brand.name,
            span.c.platform,
            last.c.followers,
            first.c.followers,
            span.c.posts,
            span.c.engagements,
            span.c.mentions,
        )
        .select_from(span)
        .join(c, c.id == span.c.competitor_id)
        .join(Brand, Brand.id == c.brand_id)
        .join(
            first,
            and_(
                first.c.competitor_id == span.c.competitor_id,
                first.c.platform == span.c.platform,
                first.c.date == span.c.first,
            ),
        )
        .join(
            last,
            and_(
                last.c.competitor_id == span.c.competitor_id,
                last.c.platform == span.c.platform,
                last.c.date == span.c.last,
            ),
        )
        .order_by(Brand.name, c.name, span.c.platform)
    ).all()
    if not rows:
        return pd.DataFrame(columns=OVERVIEW_COLUMNS)

    def num(v: object) -> float | None:
        return float(v) if v is not None else None  # type: ignore[arg-type]

    df = pd.DataFrame(
        [
            (name, bid, brand, str(plat), num(f_last), num(f_first), num(posts), num(eng), num(ment))
            for name, bid, brand, plat, f_last, f_first, posts, eng, ment in rows
        ],
        columns=[
            "competitor",
            "brand_id",
            "brand",
            "platform",
            "latest followers",
            "first",
            "posts",
            "engagements",
            "mentions",
        ],
    )
    df["growth in period"] = df["latest followers"] - df["first"]
    df["engagement per post"] = df["engagements"] / df["posts"].where(df["posts"] > 0)
    own = _brand_mentions(session, brand_ids, start, end)
    pool = df.groupby(["brand_id", "platform"])["mentions"].transform("sum") + [
        own.get((b, p), 0) for b, p in zip(df["brand_id"], df["platform"], strict=True)
    ]
    df["share of voice"] = df["mentions"] / pool.where(pool > 0)
    return df[OVERVIEW_COLUMNS]


def competitor_series(
    session: Session, actor: Actor, brand_ids: Sequence[int], start: date, end: date
) -> pd.DataFrame:
    """week, competitor, platform, followers: the highest follower count of each week (weeks start Monday)."""
    brand_ids = require_brands(actor, Perm.VIEW, brand_ids)
    empty = pd.DataFrame(columns=["week", "competitor", "platform", "followers"])
    if not brand_ids:
        return empty
    cm, c = CompetitorMetric, Competitor
    week = time_bucket(session, cm.date, "week").label("week")
    rows = session.execute(
        select(week, c.name, cm.platform, func.max(cm.followers))
        .select_from(cm)
        .join(c, c.id == cm.competitor_id)
        .where(c.brand_id.in_(brand_ids), cm.date >= start, cm.date <= end, cm.followers.is_not(None))
        .group_by(week, c.name, cm.platform)
        .order_by(week)
    ).all()
    if not rows:
        return empty
    df = pd.DataFrame(
        [(w, name, str(getattr(p, "value", p)), float(f)) for w, name, p, f in rows],
        columns=["week", "competitor", "platform", "followers"],
    )
    df["week"] = pd.to_datetime(df["week"])
    return df


COMPARE_COLUMNS = [
    "who",
    "brand",
    "platform",
    "latest followers",
    "growth in period",
    "posts",
    "posts per week",
    "engagements",
    "engagement per post",
    "mentions",
]


def brand_vs_competitors(
    session: Session, actor: Actor, brand_ids: Sequence[int], start: date, end: date
) -> pd.DataFrame:
    """The brand's own channels (per platform, from the channel daily metrics) next to each tracked
    competitor on the same platforms: audience, growth, posting rate, engagement per post, mentions.
    `who` is "you" for the brand's own row."""

    theirs = competitor_overview(session, actor, brand_ids, start, end)
    if theirs.empty:
        return pd.DataFrame(columns=COMPARE_COLUMNS)
    m = ChannelDailyMetric
    where = [m.brand_id.in_(brand_ids), m.date >= start, m.date <= end]
    sums = session.execute(
        select(
            m.brand_id,
            Channel.platform,
            func.sum(m.follower_growth),
            func.sum(m.posts_published),
            func.sum(m.engagements),
            func.sum(m.mentions),
        )
        .join(Channel, Channel.id == m.channel_id)
        .where(*where)
        .group_by(m.brand_id, Channel.platform)
    ).all()
    last = dict(
        ((b, p.value), f)
        for b, p, f in session.execute(
            select(m.brand_id, Channel.platform, func.sum(m.followers))
            .join(Channel, Channel.id == m.channel_id)
            .where(*where, m.date == select(func.max(m.date)).where(*where).scalar_subquery())
            .group_by(m.brand_id, Channel.platform)
        )
    )
    names = dict(session.execute(select(Brand.id, Brand.name).where(Brand.id.in_(brand_ids))).all())
    wanted = set(zip(theirs["brand"], theirs["platform"], strict=True))
    weeks = ((end - start).days + 1) / 7

    def num(v: object) -> float | None:
        return float(v) if v is not None else None  # type: ignore[arg-type]

    own = []
    for b, plat, growth, posts, eng, ment in sums:
        if (names[b], plat.value) not in wanted:
            continue  # only platforms where a competitor is benchmarked
        posts_f = num(posts)
        own.append(
            (
                "you",
                names[b],
                plat.value,
                num(last.get((b, plat.value))),
                num(growth),
                posts_f,
                posts_f / weeks if posts_f is not None else None,
                num(eng),
                num(eng) / posts_f if posts_f and eng is not None else None,
                num(ment),
            )
        )
    mine = pd.DataFrame(own, columns=COMPARE_COLUMNS)
    others = theirs.rename(columns={"competitor": "who"}).assign(posts_per_week=theirs["posts"] / weeks)
    others = others.rename(columns={"posts_per_week": "posts per week"})[COMPARE_COLUMNS]
    both = pd.concat([mine, others], ignore_index=True) if not mine.empty else others
    both["_you"] = both["who"] != "you"
    return both.sort_values(["brand", "platform", "_you", "who"]).drop(columns="_you").reset_index(drop=True)
