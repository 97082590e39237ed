"""The one select of KPI targets joined to their metric definition, brand and channel, which the targets
table (`metrics.kpi_targets`) and progress with forecasts (`kpi_progress.target_progress`) both read, so
the two pages cannot disagree about which targets exist or what they are called."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from app.models import CHANNEL_BASE_METRICS, Brand, Channel, KpiTarget, Market, MetricDefinition
from app.models.enums import Aggregation


def target_rows(brand_ids: Sequence[int]) -> Select:
    """Targets of `brand_ids` with the columns both readers need; callers add their period filter and
    order. A brand-wide target has no channel (its channel columns are NULL). `timezone` is the brand's
    market zone: a target's day is the market's, whatever the hour in UTC."""
    t, d = KpiTarget, MetricDefinition
    return (
        select(
            t.brand_id,
            t.channel_id,
            Brand.name.label("brand"),
            Market.timezone,
            func.coalesce(Channel.display_name, Channel.handle).label("channel"),
            Channel.platform,
            d.key,
            d.name,
            d.unit,
            d.formula,
            d.higher_is_better,
            d.aggregation,
            t.period_kind,
            t.period_start,
            t.period_end,
            t.target_value,
        )
        .join(Brand, Brand.id == t.brand_id)
        .join(Market, Market.id == Brand.market_id)
        .join(d, d.key == t.metric_key)
        .outerjoin(Channel, Channel.id == t.channel_id)
        .where(t.brand_id.in_(brand_ids))
    )


def counted_metrics(session: Session) -> tuple[str, ...]:
    """The base metrics the dictionary sums over a period (all but followers and other last-value
    ones). A period that has begun but holds no daily row yet has counted zero of each so far, not an
    unknown amount: on its first day, before that day's figures arrive, its actual is 0."""
    d = MetricDefinition
    how = dict(session.execute(select(d.key, d.aggregation).where(d.key.in_(CHANNEL_BASE_METRICS))).all())
    return tuple(
        k for k in CHANNEL_BASE_METRICS if k != "followers" and how.get(k, Aggregation.SUM) == Aggregation.SUM
    )
