"""Reading the rollups for dashboards and reports: base metrics per period and group, exact totals over
any date range (whole months, whole weeks, then the edge days), and KPI columns through the dictionary's
formulas. Indexed range reads aggregated in SQL; nothing loads a whole table. The rollups module's
docstring describes the grains and groups."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta

import numpy as np
import pandas as pd
from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from app.models import Channel, ChannelDailyMetric, MetricDefinition
from app.models.enums import Aggregation
from app.models.metrics import MetricRollup
from app.services.core import Actor, Perm, ValidationError, require_brands
from app.services.measurement.metrics.formulas import FormulaError, evaluate_frame, parse
from app.services.measurement.metrics.rollups import (
    GROUPS,
    METRICS,
    READ_GRAINS,
    aggregate,
    aggregations,
    period_end,
)


def _check_read(actor: Actor, brand_ids: Sequence[int], start: date, end: date, by: str) -> list[int]:
    if end < start:
        raise ValidationError(f"the period ends ({end}) before it starts ({start})", field="end", value=end)
    if by not in GROUPS:
        raise ValidationError(f"group {by!r} is not one of: {', '.join(GROUPS)}", field="by", value=by)
    return require_brands(actor, Perm.VIEW, brand_ids)


def _group_columns(by: str, src: type) -> list:
    if by == "channel":
        return [src.brand_id, src.channel_id, Channel.platform]
    if by == "brand":
        return [src.brand_id]
    if by == "platform":
        return [Channel.platform]
    return []


def _group_names(by: str) -> list[str]:
    return {
        "channel": ["brand_id", "channel_id", "platform"],
        "brand": ["brand_id"],
        "platform": ["platform"],
    }.get(by, [])


def _sql_agg(how: Aggregation, column: object) -> object:
    # Across channels a LAST value (followers) adds up: each channel contributes its own last value.
    return {Aggregation.MAX: func.max, Aggregation.AVERAGE: func.avg}.get(how, func.sum)(column)


def _frame(rows: Sequence, columns: list[str]) -> pd.DataFrame:
    df = pd.DataFrame.from_records(list(rows), columns=columns)
    if "platform" in df:
        df["platform"] = df["platform"].map(lambda p: getattr(p, "value", p))
    for k in METRICS:
        if k in df:
            df[k] = pd.to_numeric(df[k], errors="coerce").astype("float64")
    return df


def rollup_frame(
    session: Session,
    actor: Actor,
    brand_ids: Sequence[int],
    start: date,
    end: date,
    *,
    grain: str = "week",
    by: str = "channel",
    channel_ids: Sequence[int] | None = None,
) -> pd.DataFrame:
    """Base metrics per period whose start lies in [start, end], per group: an indexed range read of
    the rollup table (or of the daily table for grain "day"), aggregated in SQL."""
    if grain not in READ_GRAINS:
        raise ValidationError(f"grain {grain!r} is not one of: {', '.join(READ_GRAINS)}", field="grain")
    brand_ids = _check_read(actor, brand_ids, start, end, by)
    aggs = aggregations(session)
    names = ["period_start", *_group_names(by), *METRICS]
    if not brand_ids:
        return _frame([], names)
    if grain == "day":
        src, period = ChannelDailyMetric, ChannelDailyMetric.date
        where = [src.brand_id.in_(brand_ids), src.date >= start, src.date <= end]
    else:
        src, period = MetricRollup, MetricRollup.period_start
        where = [
            src.brand_id.in_(brand_ids),
            src.grain == grain,
            src.period_start >= start,
            src.period_start <= end,
        ]
    if channel_ids is not None:
        where.append(src.channel_id.in_(list(channel_ids)))
    groups = _group_columns(by, src)
    stmt: Select = select(period, *groups, *[_sql_agg(aggs[k], getattr(src, k)) for k in METRICS]).where(
        *where
    )
    if by in ("channel", "platform"):
        stmt = stmt.join(Channel, Channel.id == src.channel_id)
    stmt = stmt.group_by(period, *groups).order_by(period, *groups)
    df = _frame(session.execute(stmt).all(), names)
    df["period_start"] = pd.to_datetime(df["period_start"])
    return df


def _pieces(start: date, end: date) -> tuple[list[date], list[date], list[tuple[date, date]]]:
    """[start, end] as whole months, then whole weeks, then single days: the fewest rows to read."""
    months: list[date] = []
    weeks: list[date] = []
    days: list[date] = []
    cur = start
    while cur <= end:
        if cur.day == 1 and period_end("month", cur) <= end:
            months.append(cur)
            cur = period_end("month", cur) + timedelta(days=1)
        elif cur.weekday() == 0 and cur + timedelta(days=6) <= end:
            weeks.append(cur)
            cur += timedelta(days=7)
        else:
            days.append(cur)
            cur += timedelta(days=1)
    ranges: list[tuple[date, date]] = []
    for d in days:
        if ranges and ranges[-1][1] + timedelta(days=1) == d:
            ranges[-1] = (ranges[-1][0], d)
        else:
            ranges.append((d, d))
    return months, weeks, ranges


def period_totals(
    session: Session,
    actor: Actor,
    brand_ids: Sequence[int],
    start: date,
    end: date,
    *,
    by: str = "brand",
    channel_ids: Sequence[int] | None = None,
) -> pd.DataFrame:
    """Base metrics over exactly [start, end] per group (one row each), read from the month and week
    rollups inside the range and the daily rows at its edges, then combined per channel (a LAST metric
    takes the value of the latest piece) and per group."""
    brand_ids = _check_read(actor, brand_ids, start, end, by)
    names = [*_group_names(by), *METRICS]
    if not brand_ids:
        return _frame([], names)
    aggs = aggregations(session)
    months, weeks, ranges = _pieces(start, end)
    r, d = MetricRollup, ChannelDailyMetric
    per_channel = [r.channel_id, r.brand_id, r.last_day, *[getattr(r, k) for k in METRICS]]
    parts = []
    for grain, starts in (("month", months), ("week", weeks)):
        if starts:
            stmt = select(*per_channel).where(
                r.brand_id.in_(brand_ids), r.grain == grain, r.period_start.in_(starts)
            )
            if channel_ids is not None:
                stmt = stmt.where(r.channel_id.in_(list(channel_ids)))
            parts += session.execute(stmt).all()
    for lo, hi in ranges:
        stmt = select(d.channel_id, d.brand_id, d.date, *[getattr(d, k) for k in METRICS]).where(
            d.brand_id.in_(brand_ids), d.date >= lo, d.date <= hi
        )
        if channel_ids is not None:
            stmt = stmt.where(d.channel_id.in_(list(channel_ids)))
        parts += session.execute(stmt).all()
    df = _frame(parts, ["channel_id", "brand_id", "date", *METRICS])
    if df.empty:
        return _frame([], names)
    df["date"] = pd.to_datetime(df["date"])
    per = aggregate(df, ["channel_id"], aggs)
    if by in ("channel", "platform"):
        # .all(): dict() of a Result itself takes it for a mapping (it has keys()) and fails.
        platforms = dict(
            session.execute(
                select(Channel.id, Channel.platform).where(Channel.id.in_(per["channel_id"].tolist()))
            ).all()
        )
        per["platform"] = per["channel_id"].map(lambda c: platforms[c].value)
    keys = _group_names(by)
    if by == "channel":
        return per[names].reset_index(drop=True)
    how = {
        k: ("max" if aggs[k] == Aggregation.MAX else "mean" if aggs[k] == Aggregation.AVERAGE else "sum")
        for k in METRICS
    }
    if not keys:
        row = {k: per[k].agg(how[k]) if per[k].notna().any() else np.nan for k in METRICS}
        return pd.DataFrame([row], columns=names)
    out = per.groupby(keys).agg(how)
    for k in METRICS:  # a group whose channels never reported a metric stays blank, not 0
        out[k] = out[k].where(per.groupby(keys)[k].count() > 0)
    return out.reset_index()[names]


def with_kpis(frame: pd.DataFrame, session: Session) -> pd.DataFrame:
    """`frame` plus one column per derived metric of the dictionary whose formula reads only base
    metrics, evaluated row by row over the frame's (already aggregated) base columns: a ratio of sums,
    never an average of daily ratios. Division by zero gives a blank (NaN)."""

    out = frame.copy()
    for key, formula in session.execute(
        select(MetricDefinition.key, MetricDefinition.formula).where(MetricDefinition.formula.is_not(None))
    ):
        try:
            expr = parse(formula, allowed=METRICS)
        except FormulaError:
            continue  # a formula over non-base names is the dictionary's problem, shown there
        out[key] = evaluate_frame(expr, out)
    return out
