"""Progress of KPI targets: each target running on a day with its actual so far, the share of its period
gone and the forecast to the period's end at the pace of the last four weeks, with a status in words
(on track, at risk, behind; met or missed once over). Plain data for the dashboards and reports, read
with a few grouped, indexed queries for any number of brands."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta

import pandas as pd
from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from app.models import (
    CHANNEL_BASE_METRICS,
    Brand,
    ChannelDailyMetric,
    InboxMessage,
    KpiTarget,
    MetricDefinition,
)
from app.models.enums import Aggregation, Direction, MetricUnit, PeriodKind, Sentiment
from app.services.core import Actor, Perm, require_brands, utc_bounds, validation
from app.services.measurement.kpis.target_rows import counted_metrics, target_rows
from app.services.measurement.metrics.formulas import metric_value

PROGRESS_COLUMNS = [
    "brand",
    "brand_id",
    "channel",
    "metric",
    "key",
    "unit",
    "higher_is_better",
    "period",
    "from",
    "to",
    "target",
    "actual",
    "% of target",
    "period elapsed",
    "forecast",
    "forecast % of target",
    "status",
]
PACE_DAYS = 28  # four whole weeks, so the pace holds every weekday equally
AT_RISK = 0.9  # a forecast between 90% and 100% of the target is "at risk", under it "behind"


def _sums(
    session: Session, brand_ids: Sequence[int], start: date, end: date, last: bool = False
) -> dict[tuple[int, int], dict[str, float | None]]:
    """(brand, channel) → each base metric summed over [start, end] (with `last`: on the last day with
    data instead). One grouped, indexed query for all brands."""
    m = ChannelDailyMetric
    where = [m.brand_id.in_(brand_ids), m.date >= start, m.date <= end]
    if last:
        where.append(m.date == select(func.max(m.date)).where(*where).scalar_subquery())
    rows = session.execute(
        select(m.brand_id, m.channel_id, *[func.sum(getattr(m, k)) for k in CHANNEL_BASE_METRICS])
        .where(*where)
        .group_by(m.brand_id, m.channel_id)
    ).all()
    return {
        (b, c): {
            k: float(v) if v is not None else None for k, v in zip(CHANNEL_BASE_METRICS, vals, strict=True)
        }
        for b, c, *vals in rows
    }


def _inbox(
    session: Session, brand_ids: Sequence[int], start: date, end: date
) -> dict[int, dict[str, float | None]]:
    lo, hi = utc_bounds(start, end)
    m = InboxMessage
    rows = session.execute(
        select(
            m.brand_id,
            func.avg(m.first_response_seconds),
            func.count(),
            func.sum(case((m.sentiment == Sentiment.NEGATIVE, 1), else_=0)),
        )
        .where(
            m.brand_id.in_(brand_ids),
            m.received_at >= lo,
            m.received_at < hi,
            m.direction == Direction.INBOUND,
        )
        .group_by(m.brand_id)
    ).all()
    return {
        b: {
            "first_response_seconds": float(avg) if avg is not None else None,
            "negative_share": float(neg or 0) / n if n else None,
        }
        for b, avg, n, neg in rows
    }


def _scope_values(
    by_channel: dict[tuple[int, int], dict[str, float | None]], brand_id: int, channel_id: int | None
) -> dict[str, float | None]:
    out: dict[str, float | None] = {}
    for (b, c), values in by_channel.items():
        if b != brand_id or (channel_id is not None and c != channel_id):
            continue
        for k, v in values.items():
            if v is not None:
                out[k] = (out.get(k) or 0.0) + v
    return out


def _has_rows(
    by_channel: dict[tuple[int, int], dict[str, float | None]], brand_id: int, channel_id: int | None
) -> bool:
    return any(b == brand_id and channel_id in (None, c) for b, c in by_channel)


def _status(share: float | None, higher_is_better: bool, over: bool) -> str:
    if share is None:
        return "no data"
    good = share >= 1 if higher_is_better else share <= 1
    if over:
        return "met" if good else "missed"
    if good:
        return "on track"
    near = share >= AT_RISK if higher_is_better else share <= 2 - AT_RISK
    return "at risk" if near else "behind"


def target_progress(
    session: Session,
    actor: Actor,
    brand_ids: Sequence[int],
    on_day: date,
    *,
    kinds: Sequence[PeriodKind | str] = (PeriodKind.MONTH, PeriodKind.QUARTER),
) -> pd.DataFrame:
    """The targets whose period holds `on_day`, with the actual so far, the share of the period gone,
    and the forecast to the period's end at the pace of the last 28 days (sums: actual + daily pace ×
    days left; followers: the last value + daily growth × days left; rates and response times: the
    value so far). `status` is on track / at risk (forecast within 10% short) / behind, or met / missed
    once the period is over. Plain data for pages and reports; a few grouped queries for any number
    of brands."""
    brand_ids = require_brands(actor, Perm.VIEW, brand_ids)
    if not brand_ids:
        return pd.DataFrame(columns=PROGRESS_COLUMNS)
    t, d = KpiTarget, MetricDefinition
    kind_values = [validation.choice(PeriodKind, k, "period") for k in kinds]
    rows = session.execute(
        target_rows(brand_ids)
        .where(t.period_start <= on_day, t.period_end >= on_day, t.period_kind.in_(kind_values))
        .order_by(Brand.name, t.period_kind, d.name)
    ).all()
    if not rows:
        return pd.DataFrame(columns=PROGRESS_COLUMNS)
    ids = sorted({r.brand_id for r in rows})
    counted = counted_metrics(session)
    pace = _sums(session, ids, on_day - timedelta(days=PACE_DAYS), on_day - timedelta(days=1))
    periods: dict[tuple[date, date], tuple] = {}
    data = []
    for r in rows:
        key = (r.period_start, r.period_end)
        so_far_end = min(r.period_end, on_day)
        if key not in periods:
            periods[key] = (
                _sums(session, ids, r.period_start, so_far_end),
                _sums(session, ids, r.period_start, so_far_end, last=True),
                _inbox(session, ids, r.period_start, so_far_end),
            )
        sums, last, inbox = periods[key]
        values = _scope_values(sums, r.brand_id, r.channel_id)
        if not _has_rows(sums, r.brand_id, r.channel_id) and r.aggregation != Aggregation.LAST:
            values = dict.fromkeys(counted, 0.0)  # begun, nothing counted yet (see counted_metrics)
        for k, v in _scope_values(last, r.brand_id, r.channel_id).items():
            if r.aggregation == Aggregation.LAST or k == "followers":
                values[k] = v
        if r.channel_id is None:
            values |= inbox.get(r.brand_id, {})
        actual = metric_value(r.key, r.formula, values)
        goal = float(r.target_value)
        if r.unit == MetricUnit.PERCENT and goal > 1:
            goal /= 100
        days = (r.period_end - r.period_start).days + 1
        left = max((r.period_end - so_far_end).days, 0)
        rate = _scope_values(pace, r.brand_id, r.channel_id)
        forecast = actual
        if actual is not None and left and not r.formula:
            if r.key == "followers":
                forecast = actual + (rate.get("follower_growth") or 0.0) / PACE_DAYS * left
            elif r.aggregation == Aggregation.SUM and r.key in rate:
                forecast = actual + (rate.get(r.key) or 0.0) / PACE_DAYS * left
        share = actual / goal if actual is not None and goal else None
        forecast_share = forecast / goal if forecast is not None and goal else None
        data.append(
            (
                r.brand,
                r.brand_id,
                f"{r.platform.label} {r.channel}" if r.channel_id else "all channels",
                r.name,
                r.key,
                r.unit.value,
                bool(r.higher_is_better),
                r.period_kind.value,
                r.period_start,
                r.period_end,
                goal,
                actual,
                share,
                min(max((on_day - r.period_start).days + 1, 0), days) / days,
                forecast,
                forecast_share,
                _status(forecast_share, bool(r.higher_is_better), on_day >= r.period_end),
            )
        )
    return pd.DataFrame(data, columns=PROGRESS_COLUMNS)
