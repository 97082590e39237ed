"""Daily KPI series for the dashboards, anomalies and forecasts: the channel daily metrics of some brands
summed per day in SQL (an indexed range scan on brand and date), so a page receives one row per day,
never the table. Derived KPIs (engagement rate) are computed from the daily sums, not averaged."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

import pandas as pd
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.models import Brand, Channel, ChannelDailyMetric

# The KPIs the dashboards watch day by day; "rate" ones are numerator / denominator of daily sums.
SUM_KPIS: tuple[str, ...] = ("impressions", "engagements", "clicks", "follower_growth", "reach", "mentions")
RATES: dict[str, tuple[str, str]] = {"engagement_rate": ("engagements", "impressions")}
KPI_LABELS: dict[str, str] = {
    "impressions": "Impressions",
    "engagements": "Engagements",
    "engagement_rate": "Engagement rate",
    "clicks": "Link clicks",
    "follower_growth": "Follower growth",
    "reach": "Reach",
    "mentions": "Mentions",
    "followers": "Followers",
}
KPI_UNITS: dict[str, str] = {"engagement_rate": "percent"}


@dataclass(frozen=True)
class Scope:
    """What a dashboard looks at: brands, optionally narrowed to some channels, platforms or markets."""

    brand_ids: tuple[int, ...]
    channel_ids: tuple[int, ...] = ()
    platforms: tuple[str, ...] = ()
    market_ids: tuple[int, ...] = ()

    def where(self) -> list:
        m = ChannelDailyMetric
        clauses = [m.brand_id.in_(self.brand_ids)]
        if self.channel_ids:
            clauses.append(m.channel_id.in_(self.channel_ids))
        if self.platforms or self.market_ids:
            channels = select(Channel.id).where(Channel.brand_id.in_(self.brand_ids))
            if self.platforms:
                channels = channels.where(Channel.platform.in_(self.platforms))
            if self.market_ids:
                # A channel's own market when it has one, else its brand's.
                brand_market = select(Brand.market_id).where(Brand.id == Channel.brand_id).scalar_subquery()
                channels = channels.where(func.coalesce(Channel.market_id, brand_market).in_(self.market_ids))
            clauses.append(m.channel_id.in_(channels))
        return clauses


def kpi_value(key: str, row: pd.Series | dict) -> float | None:
    """One KPI from a row (or dict) of base-metric sums; None when it cannot be computed."""
    if key in RATES:
        num, den = RATES[key]
        n, d = row.get(num), row.get(den)
        return float(n) / float(d) if n is not None and d and d == d and n == n else None
    v = row.get(key)
    return None if v is None or v != v else float(v)


def daily_totals(session: Session, scope: Scope, start: date, end: date) -> pd.DataFrame:
    """One row per day in [start, end] (missing days as NaN), columns: the summed base metrics,
    `followers` (summed over channels) and every rate in RATES. Indexed by a daily DatetimeIndex."""
    m = ChannelDailyMetric
    cols = (*SUM_KPIS, "followers")
    rows = session.execute(
        select(m.date, *[func.sum(getattr(m, c)) for c in cols])
        .where(*scope.where(), m.date >= start, m.date <= end)
        .group_by(m.date)
        .order_by(m.date)
    ).all()
    df = pd.DataFrame(
        [(pd.Timestamp(r[0]), *[float(v) if v is not None else float("nan") for v in r[1:]]) for r in rows],
        columns=["date", *cols],
    ).set_index("date")
    df = df.reindex(pd.date_range(start, end, freq="D"))
    df.index.name = "date"
    for key, (num, den) in RATES.items():
        df[key] = df[num] / df[den].where(df[den] > 0)
    return df


def daily_by(session: Session, scope: Scope, days: Sequence[date], by: str = "channel") -> pd.DataFrame:
    """Base-metric sums on the given days per channel (with its label) or per brand: what explains
    an unusual day. Columns: date, key, label, and the SUM_KPIS."""
    if not days:
        return pd.DataFrame(columns=["date", "key", "label", *SUM_KPIS])
    m = ChannelDailyMetric
    if by == "brand":
        joined = select(m.date, m.brand_id, Brand.name).join(Brand, Brand.id == m.brand_id)
    else:
        joined = select(m.date, m.channel_id, Channel.platform, Channel.display_name, Channel.handle).join(
            Channel, Channel.id == m.channel_id
        )
    stmt = (
        joined.add_columns(*[func.sum(getattr(m, c)) for c in SUM_KPIS])
        .where(*scope.where(), m.date.in_(sorted(set(days))))
        .group_by(*joined.selected_columns)
    )
    out = []
    for r in session.execute(stmt):
        if by == "brand":
            d, k, name, *vals = r
        else:
            d, k, plat, display, handle, *vals = r
            name = display or f"{getattr(plat, 'label', plat)} {handle}"
        out.append((pd.Timestamp(d), int(k), name, *[float(v) if v is not None else None for v in vals]))
    return pd.DataFrame(out, columns=["date", "key", "label", *SUM_KPIS])


def same_weekdays_before(day: date, weeks: int) -> list[date]:
    """The same weekday in each of the `weeks` weeks before `day` (its seasonal history)."""
    return [day - timedelta(days=7 * k) for k in range(1, weeks + 1)]
