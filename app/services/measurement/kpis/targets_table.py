"""The metrics dictionary, the platform fields that feed it, and KPI targets set against the actual
value of their period computed from the channel daily metrics."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

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
from app.models import MetricSourceMapping as Mapping
from app.models.enums import Aggregation, Direction, MetricUnit, Sentiment
from app.services.core import Actor, Perm, PermissionDenied, clock, require_brands, utc_bounds
from app.services.measurement.kpis.target_rows import counted_metrics, target_rows
from app.services.measurement.metrics.formulas import metric_value

DICTIONARY_COLUMNS = [
    "key",
    "name",
    "unit",
    "formula",
    "objective",
    "leading/lagging",
    "aggregation",
    "higher is better",
    "description",
]
MAPPING_COLUMNS = ["metric", "platform", "source field", "valid from", "valid to", "deprecated", "note"]
TARGET_COLUMNS = [
    "brand",
    "channel",
    "metric",
    "key",
    "unit",
    "period",
    "from",
    "to",
    "target",
    "actual",
    "% of target",
    "on target",
    "period elapsed",
]
# Only "a / b" over base metrics is evaluated: a parser, never eval(), so a dictionary edit cannot run code.
_SQL_AGG = {Aggregation.SUM: func.sum, Aggregation.AVERAGE: func.avg, Aggregation.MAX: func.max}


def _require_view(actor: Actor) -> None:
    # The dictionary is shared by every brand: anyone who may view some brand may read it.
    if not actor.can_anywhere(Perm.VIEW):
        raise PermissionDenied(f"{actor.email} may not {Perm.VIEW.label}")


def metric_dictionary(session: Session, actor: Actor) -> pd.DataFrame:
    """Every metric the hub knows: base metrics first, then derived ones, by name."""
    _require_view(actor)
    d = MetricDefinition
    rows = session.execute(
        select(
            d.key,
            d.name,
            d.unit,
            d.formula,
            d.objective,
            d.indicator,
            d.aggregation,
            d.higher_is_better,
            d.description,
        ).order_by(d.formula.is_not(None), d.name)
    ).all()
    data = [
        (key, name, unit.value, formula or "", obj.value if obj else "", ind.value, agg.value, hib, desc)
        for key, name, unit, formula, obj, ind, agg, hib, desc in rows
    ]
    return pd.DataFrame(data, columns=DICTIONARY_COLUMNS)


def source_mappings(session: Session, actor: Actor, metric_key: str | None = None) -> pd.DataFrame:
    """Which platform field feeds which metric, and since/until when (renamed fields keep both rows)."""
    _require_view(actor)
    stmt = select(
        Mapping.metric_key,
        Mapping.platform,
        Mapping.source_field,
        Mapping.valid_from,
        Mapping.valid_to,
        Mapping.deprecated,
        Mapping.note,
    ).order_by(Mapping.metric_key, Mapping.platform, Mapping.valid_from.is_not(None), Mapping.valid_from)
    if metric_key:
        stmt = stmt.where(Mapping.metric_key == metric_key)
    data = [(k, p.value, f, vf, vt, dep, note) for k, p, f, vf, vt, dep, note in session.execute(stmt)]
    return pd.DataFrame(data, columns=MAPPING_COLUMNS)


def _actuals(
    session: Session,
    brand_id: int,
    channel_id: int | None,
    start: date,
    end: date,
    aggregations: dict[str, Aggregation],
) -> dict[str, float | None]:
    """Each base metric over [start, end] by its own aggregation (sum, or the last day's value)."""
    m = ChannelDailyMetric
    where = [m.brand_id == brand_id, m.date >= start, m.date <= end]
    if channel_id is not None:
        where.append(m.channel_id == channel_id)
    keys = list(CHANNEL_BASE_METRICS)
    n, *row = session.execute(
        select(
            func.count(),
            *[_SQL_AGG.get(aggregations.get(k, Aggregation.SUM), func.sum)(getattr(m, k)) for k in keys],
        ).where(*where)
    ).one()
    if not n:
        return {}
    values = {k: (float(v) if v is not None else None) for k, v in zip(keys, row, strict=True)}
    last_keys = [k for k in keys if aggregations.get(k) == Aggregation.LAST]
    if last_keys:
        last_day = select(func.max(m.date)).where(*where).scalar_subquery()
        last = session.execute(
            select(*[func.sum(getattr(m, k)) for k in last_keys]).where(*where, m.date == last_day)
        ).one()
        values.update(
            {k: (float(v) if v is not None else None) for k, v in zip(last_keys, last, strict=True)}
        )
    return values


def _inbox_actuals(session: Session, brand_id: int, start: date, end: date) -> dict[str, float | None]:
    """The community metrics of the dictionary, from the brand's inbound messages of the period."""
    lo, hi = utc_bounds(start, end)
    m = InboxMessage
    avg_seconds, total, negative = session.execute(
        select(
            func.avg(m.first_response_seconds),
            func.count(),
            func.sum(case((m.sentiment == Sentiment.NEGATIVE, 1), else_=0)),
        ).where(
            m.brand_id == brand_id, m.received_at >= lo, m.received_at < hi, m.direction == Direction.INBOUND
        )
    ).one()
    return {
        "first_response_seconds": float(avg_seconds) if avg_seconds is not None else None,
        "negative_share": float(negative or 0) / total if total else None,
    }


def kpi_targets(
    session: Session, actor: Actor, brand_ids: Sequence[int], start: date, end: date
) -> pd.DataFrame:
    """Targets whose period overlaps [start, end], each with the actual of its own period so far, the share
    of the target reached and whether it is met (for a lower-is-better metric, staying under it)."""
    brand_ids = require_brands(actor, Perm.VIEW, brand_ids)
    if not brand_ids:
        return pd.DataFrame(columns=TARGET_COLUMNS)
    t, d = KpiTarget, MetricDefinition
    rows = session.execute(
        target_rows(brand_ids)
        .where(t.period_start <= end, t.period_end >= start)
        .order_by(Brand.name, t.period_start, d.name)
    ).all()
    if not rows:
        return pd.DataFrame(columns=TARGET_COLUMNS)
    aggregations = dict(
        session.execute(select(d.key, d.aggregation).where(d.key.in_(CHANNEL_BASE_METRICS))).all()
    )
    counted = counted_metrics(session)
    # One set of indexed range queries per brand/channel/period, shared by that scope's targets.
    cache: dict[tuple[int, int | None, date, date], dict[str, float | None]] = {}
    data = []
    for r in rows:
        today = clock.today(r.timezone)  # the market's day: at 00:30 in Singapore, UTC is still yesterday
        scope = (r.brand_id, r.channel_id, r.period_start, r.period_end)
        if scope not in cache:
            values = _actuals(session, r.brand_id, r.channel_id, r.period_start, r.period_end, aggregations)
            if not values and r.period_start <= today:
                values = dict.fromkeys(counted, 0.0)  # begun, nothing counted yet (see counted_metrics)
            if r.channel_id is None:  # the inbox is per brand, not per channel
                values |= _inbox_actuals(session, r.brand_id, r.period_start, r.period_end)
            cache[scope] = values
        actual = metric_value(r.key, r.formula, cache[scope])
        goal = float(r.target_value)
        if r.unit == MetricUnit.PERCENT and goal > 1:
            goal /= 100  # a percent target typed as 4.5 means 4.5%, as actual ratios are fractions
        days = (r.period_end - r.period_start).days + 1
        met = None if actual is None else (actual >= goal if r.higher_is_better else actual <= goal)
        data.append(
            (
                r.brand,
                f"{r.platform.label} {r.channel}" if r.channel_id else "all channels",
                r.name,
                r.key,
                r.unit.value,
                r.period_kind.value,
                r.period_start,
                r.period_end,
                goal,
                actual,
                actual / goal if actual is not None and goal else None,
                met,
                min(max((today - r.period_start).days + 1, 0), days) / days,
            )
        )
    return pd.DataFrame(data, columns=TARGET_COLUMNS)


def metric_actual(session: Session, brand_id: int, metric_key: str, start: date, end: date) -> float | None:
    """One dictionary metric for a whole brand over [start, end], measured as its targets are (each base
    metric by its own aggregation, the inbox's metrics from its messages). None: the dictionary has no
    such metric, or nothing was counted."""
    d = MetricDefinition
    row = session.execute(select(d.key, d.formula).where(d.key == metric_key)).first()
    if row is None:
        return None
    aggregations = dict(
        session.execute(select(d.key, d.aggregation).where(d.key.in_(CHANNEL_BASE_METRICS))).all()
    )
    values = _actuals(session, brand_id, None, start, end, aggregations)
    values |= _inbox_actuals(session, brand_id, start, end)
    return metric_value(row.key, row.formula, values)
