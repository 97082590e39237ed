"""The dashboards' tables beyond the headline tiles: a platform manager's view per channel, the
portfolio across brands (ranking and outliers), the cross-platform comparison on normalised metrics,
chart annotations (campaigns, incidents, anomalies), the filter options, and in plain words what
changed and which actions follow. Each table is one or two grouped, indexed queries per period."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.models import Brand, Campaign, Channel, ChannelDailyMetric, ContentPillar, Incident, Market
from app.services.core import Actor, Perm, previous_range, require_brands, utc_bounds
from app.services.measurement.dashboards.overview import last_followers
from app.services.measurement.metrics import rollup_reads
from app.services.measurement.metrics.daily_series import Scope

CHANNEL_COLUMNS = [
    "channel",
    "platform",
    "brand",
    "followers",
    "follower growth",
    "impressions",
    "engagements",
    "engagement rate",
    "clicks",
    "posts",
    "impressions per 1k followers",
    "engagements per post",
    "impressions change",
    "engagements change",
]
PLATFORM_COLUMNS = [
    "platform",
    "channels",
    "followers",
    "impressions per 1k followers a day",
    "engagement rate",
    "click-through rate",
    "engagements per post",
    "follower growth rate",
]
PORTFOLIO_COLUMNS = [
    "rank",
    "brand",
    "market",
    "followers",
    "impressions",
    "engagements",
    "engagement rate",
    "engagements change",
    "engagement rate change",
    "outlier",
]
ANNOTATION_COLUMNS = ["start", "end", "kind", "label"]
OUTLIER_Z = 3.0  # robust z-score of a brand's change against the portfolio's that marks an outlier
OUTLIER_MIN_BRANDS = 5  # with fewer brands there is no "usual" to stand out from


@dataclass(frozen=True)
class FilterOptions:
    """What the dashboard filters can offer for the brands in view: (id, label) pairs."""

    markets: tuple[tuple[int, str], ...]
    channels: tuple[tuple[int, str], ...]
    platforms: tuple[str, ...]
    campaigns: tuple[tuple[int, str, date, date], ...]
    pillars: tuple[tuple[int, str], ...]


def filter_options(session: Session, actor: Actor, brand_ids: Sequence[int]) -> FilterOptions:
    brand_ids = require_brands(actor, Perm.VIEW, brand_ids)
    many = len(brand_ids) > 1
    markets = session.execute(
        select(Market.id, Market.name).where(
            Market.id.in_(select(Brand.market_id).where(Brand.id.in_(brand_ids)))
        )
    ).all()
    channels = session.execute(
        select(Channel.id, Channel.platform, Channel.display_name, Channel.handle, Brand.name)
        .join(Brand, Brand.id == Channel.brand_id)
        .where(Channel.brand_id.in_(brand_ids), Channel.active.is_(True))
        .order_by(Brand.name, Channel.platform)
    ).all()
    # Hundreds of brands make thousands of channels: the channel filter is for one brand's view.
    channel_opts = (
        ()
        if len(channels) > 200
        else tuple(
            (cid, (f"{brand}: " if many else "") + (display or f"{plat.label} {handle}"))
            for cid, plat, display, handle, brand in channels
        )
    )
    campaigns = session.execute(
        select(Campaign.id, Campaign.name, Campaign.start_date, Campaign.end_date)
        .where(Campaign.brand_id.in_(brand_ids), Campaign.archived_at.is_(None))
        .order_by(Campaign.start_date.desc())
        .limit(200)
    ).all()
    pillars = session.execute(
        select(ContentPillar.id, ContentPillar.name)
        .where(ContentPillar.brand_id.in_(brand_ids), ContentPillar.archived_at.is_(None))
        .order_by(ContentPillar.name)
        .limit(200)
    ).all()
    return FilterOptions(
        tuple((i, n) for i, n in markets),
        channel_opts,
        tuple(sorted({c.platform.value for c in channels})),
        tuple((i, n, s, e) for i, n, s, e in campaigns),
        tuple((i, n) for i, n in pillars),
    )


def _per_channel(session: Session, scope: Scope, start: date, end: date) -> pd.DataFrame:
    m = ChannelDailyMetric
    sums = ("follower_growth", "impressions", "engagements", "clicks", "posts_published")
    rows = session.execute(
        select(m.channel_id, *[func.sum(getattr(m, c)) for c in sums])
        .where(*scope.where(), m.date >= start, m.date <= end)
        .group_by(m.channel_id)
    ).all()
    # Each channel's own last count in the period (see overview._metric_totals).
    last = session.execute(
        select(Channel.id, last_followers(start, end)).where(Channel.id.in_([r[0] for r in rows]))
    ).all()
    df = pd.DataFrame(
        [(c, *[float(v) if v is not None else np.nan for v in vals]) for c, *vals in rows],
        columns=["channel_id", *sums],
    )
    followers = dict(last)
    df["followers"] = [float(followers.get(c) or np.nan) for c in df["channel_id"]]
    return df


def _previous(now: pd.DataFrame, before: pd.DataFrame, column: str) -> pd.Series:
    """Each channel's figure in the previous period, NaN where it had none (a new workspace's first
    period has no previous one at all: a bare NaN there broke the Channels view)."""
    if before.empty:
        return pd.Series(np.nan, index=now.index)
    return now["channel_id"].map(before[column])


def _change(now: pd.Series, before: pd.Series) -> pd.Series:
    return (now - before) / before.where(before > 0)


def channel_view(session: Session, actor: Actor, scope: Scope, start: date, end: date) -> pd.DataFrame:
    """A platform manager's table: one row per channel with its period numbers, normalised ones and the
    change against the previous period of the same length."""
    brand_ids = require_brands(actor, Perm.VIEW, scope.brand_ids)
    if not brand_ids:
        return pd.DataFrame(columns=CHANNEL_COLUMNS)
    scope = Scope(tuple(brand_ids), scope.channel_ids, scope.platforms, scope.market_ids)
    now = _per_channel(session, scope, start, end)
    if now.empty:
        return pd.DataFrame(columns=CHANNEL_COLUMNS)
    before = _per_channel(session, scope, *previous_range(start, end)).set_index("channel_id")
    names = {
        cid: (display or f"{plat.label} {handle}", plat.value, brand)
        for cid, plat, display, handle, brand in session.execute(
            select(Channel.id, Channel.platform, Channel.display_name, Channel.handle, Brand.name)
            .join(Brand, Brand.id == Channel.brand_id)
            .where(Channel.id.in_(now["channel_id"].tolist()))
        )
    }
    days = (end - start).days + 1
    out = pd.DataFrame(
        {
            "channel": [names[c][0] for c in now["channel_id"]],
            "platform": [names[c][1] for c in now["channel_id"]],
            "brand": [names[c][2] for c in now["channel_id"]],
            "followers": now["followers"],
            "follower growth": now["follower_growth"],
            "impressions": now["impressions"],
            "engagements": now["engagements"],
            "engagement rate": now["engagements"] / now["impressions"].where(now["impressions"] > 0),
            "clicks": now["clicks"],
            "posts": now["posts_published"],
            "impressions per 1k followers": now["impressions"]
            / days
            / (now["followers"].where(now["followers"] > 0) / 1000),
            "engagements per post": now["engagements"]
            / now["posts_published"].where(now["posts_published"] > 0),
            "impressions change": _change(now["impressions"], _previous(now, before, "impressions")),
            "engagements change": _change(now["engagements"], _previous(now, before, "engagements")),
        }
    )
    return out.sort_values("impressions", ascending=False, na_position="last").reset_index(drop=True)


def platform_comparison(session: Session, actor: Actor, scope: Scope, start: date, end: date) -> pd.DataFrame:
    """Platforms side by side on rates, not raw counts, so a big Facebook page and a small TikTok can be
    compared: impressions per 1,000 followers a day, engagement and click-through rates, engagements
    per post, follower growth as a share of followers."""
    brand_ids = require_brands(actor, Perm.VIEW, scope.brand_ids)
    if not brand_ids:
        return pd.DataFrame(columns=PLATFORM_COLUMNS)
    scope = Scope(tuple(brand_ids), scope.channel_ids, scope.platforms, scope.market_ids)
    # The period only (no previous one) and no channel names: for 1,000 brands this is half the reading.
    channels = _per_channel(session, scope, start, end)
    if channels.empty:
        return pd.DataFrame(columns=PLATFORM_COLUMNS)
    platform_of = dict(
        session.execute(select(Channel.id, Channel.platform).where(Channel.brand_id.in_(brand_ids))).all()
    )
    channels["platform"] = [platform_of[c].value for c in channels["channel_id"]]
    g = channels.groupby("platform").agg(
        channels=("channel_id", "count"),
        followers=("followers", "sum"),
        impressions=("impressions", "sum"),
        engagements=("engagements", "sum"),
        clicks=("clicks", "sum"),
        posts=("posts_published", "sum"),
        growth=("follower_growth", "sum"),
    )
    days = (end - start).days + 1
    out = pd.DataFrame(
        {
            "platform": g.index,
            "channels": g["channels"].to_numpy(),
            "followers": g["followers"].to_numpy(),
            "impressions per 1k followers a day": (
                g["impressions"] / days / (g["followers"].where(g["followers"] > 0) / 1000)
            ).to_numpy(),
            "engagement rate": (g["engagements"] / g["impressions"].where(g["impressions"] > 0)).to_numpy(),
            "click-through rate": (g["clicks"] / g["impressions"].where(g["impressions"] > 0)).to_numpy(),
            "engagements per post": (g["engagements"] / g["posts"].where(g["posts"] > 0)).to_numpy(),
            "follower growth rate": (g["growth"] / g["followers"].where(g["followers"] > 0)).to_numpy(),
        }
    )
    return out.sort_values("engagement rate", ascending=False).reset_index(drop=True)


def _per_brand(
    session: Session, actor: Actor, brand_ids: Sequence[int], start: date, end: date
) -> pd.DataFrame:
    """Per brand over [start, end], read from the weekly and monthly rollups (daily rows only at the
    edges): a quarter for 1,000 brands is ~40k rollup rows instead of ~450k channel-days."""
    totals = rollup_reads.period_totals(session, actor, brand_ids, start, end, by="brand")
    df = totals.set_index("brand_id")[["impressions", "engagements", "followers"]].astype(float)
    df = df[df[["impressions", "engagements"]].notna().any(axis=1)]
    df["engagement rate"] = df["engagements"] / df["impressions"].where(df["impressions"] > 0)
    return df


def _robust_z(values: pd.Series) -> pd.Series:
    med = values.median()
    mad = (values - med).abs().median() * 1.4826
    return (values - med) / mad if mad and mad == mad else values * 0.0


def portfolio(
    session: Session, actor: Actor, brand_ids: Sequence[int], start: date, end: date
) -> pd.DataFrame:
    """Every brand in view ranked by its engagements' change against the previous period; `outlier`
    names a brand whose change (or engagement-rate change) is far from the portfolio's (robust z > 3)."""
    brand_ids = require_brands(actor, Perm.VIEW, brand_ids)
    if not brand_ids:
        return pd.DataFrame(columns=PORTFOLIO_COLUMNS)
    now = _per_brand(session, actor, brand_ids, start, end)
    if now.empty:
        return pd.DataFrame(columns=PORTFOLIO_COLUMNS)
    before = _per_brand(session, actor, brand_ids, *previous_range(start, end)).reindex(now.index)
    names = dict(
        (bid, (name, market))
        for bid, name, market in session.execute(
            select(Brand.id, Brand.name, Market.name)
            .join(Market, Market.id == Brand.market_id)
            .where(Brand.id.in_(now.index.tolist()))
        )
    )
    df = pd.DataFrame(
        {
            "brand": [names[b][0] for b in now.index],
            "market": [names[b][1] for b in now.index],
            "followers": now["followers"].to_numpy(),
            "impressions": now["impressions"].to_numpy(),
            "engagements": now["engagements"].to_numpy(),
            "engagement rate": now["engagement rate"].to_numpy(),
            "engagements change": _change(now["engagements"], before["engagements"]).to_numpy(),
            "engagement rate change": (now["engagement rate"] - before["engagement rate"]).to_numpy(),
        }
    )
    z_growth, z_rate = _robust_z(df["engagements change"]), _robust_z(df["engagement rate change"])
    if len(df) < OUTLIER_MIN_BRANDS:
        z_growth = z_rate = df["engagements change"] * 0.0
    flags = []
    for zg, zr in zip(z_growth, z_rate, strict=True):
        words = []
        if zg == zg and abs(zg) > OUTLIER_Z:
            words.append("engagements " + ("far up" if zg > 0 else "far down"))
        if zr == zr and abs(zr) > OUTLIER_Z:
            words.append("engagement rate " + ("far up" if zr > 0 else "far down"))
        flags.append(", ".join(words))
    df["outlier"] = flags
    df = df.sort_values("engagements change", ascending=False, na_position="last").reset_index(drop=True)
    df.insert(0, "rank", range(1, len(df) + 1))
    return df[PORTFOLIO_COLUMNS]


def annotations(
    session: Session,
    actor: Actor,
    brand_ids: Sequence[int],
    start: date,
    end: date,
    *,
    campaign_ids: Sequence[int] = (),
    limit: int = 40,
) -> pd.DataFrame:
    """Campaigns running and incidents opened in [start, end]: what a time series should be read with.
    Anomalies are added by the caller from `anomalies.find_anomalies` (one detector, one truth)."""
    brand_ids = require_brands(actor, Perm.VIEW, brand_ids)
    rows: list[tuple] = []
    if not brand_ids:
        return pd.DataFrame(columns=ANNOTATION_COLUMNS)
    many = len(brand_ids) > 1
    c = Campaign
    stmt = (
        select(c.start_date, c.end_date, c.name, Brand.name)
        .join(Brand, Brand.id == c.brand_id)
        .where(c.brand_id.in_(brand_ids), c.start_date <= end, c.end_date >= start)
        .order_by(c.start_date)
        .limit(limit)
    )
    if campaign_ids:
        stmt = stmt.where(c.id.in_(campaign_ids))
    for s, e, name, brand in session.execute(stmt):
        rows.append((max(s, start), min(e, end), "campaign", f"{brand}: {name}" if many else name))
    lo, hi = utc_bounds(start, end)
    for opened, resolved, title, brand in session.execute(
        select(Incident.opened_at, Incident.resolved_at, Incident.title, Brand.name)
        .join(Brand, Brand.id == Incident.brand_id)
        .where(Incident.brand_id.in_(brand_ids), Incident.opened_at >= lo, Incident.opened_at < hi)
        .order_by(Incident.opened_at)
        .limit(limit)
    ):
        finish = min(resolved.date(), end) if resolved else end
        rows.append((opened.date(), finish, "incident", f"{brand}: {title}" if many else title))
    return pd.DataFrame(rows, columns=ANNOTATION_COLUMNS)
