"""Setting KPI targets: a target value for one metric of the dictionary, for a brand (or one of its
channels) and one week, month, quarter or year. Managers (KPI edit) only; every change is audited and
a stale save is refused rather than overwriting someone else's. Progress: each current target's actual
so far and its forecast to the period's end (`target_progress`), for the dashboards and reports."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

import pandas as pd
from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from app.models import (
    CHANNEL_BASE_METRICS,
    Brand,
    Channel,
    ChannelDailyMetric,
    InboxMessage,
    KpiTarget,
    MetricDefinition,
)
from app.models.enums import Aggregation, Direction, MetricUnit, PeriodKind, Sentiment
from app.services import audit, validation
from app.services.errors import Conflict, NotFound, ValidationError
from app.services.periods import utc_bounds
from app.services.permissions import Actor, Perm, require, require_brands

# Numeric(18, 4): at most 14 digits before the point.
_LIMIT = Decimal(10) ** 14


def period_end(kind: PeriodKind | str, start: date) -> date:
    """The last day of the period that starts on `start`; the start must be where such a period begins."""
    kind = validation.choice(PeriodKind, kind, "period")
    if kind == PeriodKind.WEEK:
        if start.weekday() != 0:
            raise ValidationError(
                f"a week starts on a Monday; {start:%a %d %b %Y} is not one", field="period_start"
            )
        return start + timedelta(days=6)
    if kind == PeriodKind.YEAR:
        if (start.month, start.day) != (1, 1):
            raise ValidationError(f"a year starts on 1 January, not {start:%d %b}", field="period_start")
        return date(start.year, 12, 31)
    months = 1 if kind == PeriodKind.MONTH else 3
    if start.day != 1 or (months == 3 and start.month % 3 != 1):
        what = "the first day of a month" if months == 1 else "1 January, April, July or October"
        raise ValidationError(f"a {kind.value} starts on {what}, not {start:%d %b %Y}", field="period_start")
    year, month = divmod(start.month - 1 + months, 12)
    return date(start.year + year, month + 1, 1) - timedelta(days=1)


def _value(value: Any) -> Decimal:
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise ValidationError(f"target {value!r} is not a number", field="target_value") from None
    if not number.is_finite() or abs(number) >= _LIMIT:
        raise ValidationError(f"target {value!r} is not a usable number", field="target_value")
    return number.quantize(Decimal("0.0001"))


def _brand(session: Session, actor: Actor, brand: str | int) -> Brand:
    row = session.get(Brand, brand) if isinstance(brand, int) else None
    if row is None and isinstance(brand, str):
        from app.services.brands import get_brand

        return get_brand(session, actor, brand)
    visible = actor.visible_brand_ids()
    if row is None or (visible is not None and row.id not in visible):
        raise NotFound(f"no brand {brand}")
    return row


def _check_refs(session: Session, brand: Brand, metric_key: str, channel_id: int | None) -> None:
    if session.scalar(select(MetricDefinition.id).where(MetricDefinition.key == metric_key)) is None:
        raise ValidationError(f"metric {metric_key!r} is not in the metrics dictionary", field="metric_key")
    if channel_id is not None:
        channel = session.get(Channel, channel_id)
        if channel is None or channel.brand_id != brand.id:
            raise ValidationError(
                f"channel {channel_id} is not a channel of {brand.name}", field="channel_id"
            )


def _check_unique(session: Session, target: KpiTarget) -> None:
    t = KpiTarget
    clash = session.scalar(
        select(t.id).where(
            t.brand_id == target.brand_id,
            t.channel_id.is_(None) if target.channel_id is None else t.channel_id == target.channel_id,
            t.metric_key == target.metric_key,
            t.period_kind == target.period_kind,
            t.period_start == target.period_start,
            t.id != (target.id or -1),
        )
    )
    if clash is not None:
        raise ValidationError(
            f"there is a target for {target.metric_key} in the {target.period_kind.value} from "
            f"{target.period_start:%d %b %Y} already (target {clash})",
            field="period_start",
        )


def _label(target: KpiTarget) -> str:
    return f"{target.metric_key} {target.period_kind.value} from {target.period_start.isoformat()}"


def create_target(
    session: Session,
    actor: Actor,
    brand: str | int,
    *,
    metric_key: str,
    period_kind: PeriodKind | str,
    period_start: date,
    target_value: Any,
    channel_id: int | None = None,
    note: str = "",
) -> KpiTarget:
    b = _brand(session, actor, brand)
    require(actor, Perm.KPI_EDIT, b.id, b.slug)
    kind = validation.choice(PeriodKind, period_kind, "period")
    _check_refs(session, b, metric_key, channel_id)
    target = KpiTarget(
        brand_id=b.id,
        channel_id=channel_id,
        metric_key=metric_key,
        period_kind=kind,
        period_start=period_start,
        period_end=period_end(kind, period_start),
        target_value=_value(target_value),
        note=validation.no_nul(note, "note").strip(),
    )
    _check_unique(session, target)
    session.add(target)
    session.flush()
    audit.record(
        session,
        actor,
        "create",
        "kpi_target",
        target.id,
        label=_label(target),
        brand_id=b.id,
        after=audit.snapshot(target),
    )
    return target


_EDITABLE = ("metric_key", "channel_id", "period_kind", "period_start", "target_value", "note")


def get_target(session: Session, actor: Actor, target_id: int) -> KpiTarget:
    target = session.get(KpiTarget, target_id)
    visible = actor.visible_brand_ids()
    if target is None or (visible is not None and target.brand_id not in visible):
        raise NotFound(f"no KPI target {target_id}")
    return target


def update_target(
    session: Session, actor: Actor, target_id: int, *, expected_version: int | None = None, **changes: Any
) -> KpiTarget:
    """Change a target's metric, channel, period or value; the period's end follows its start."""
    target = get_target(session, actor, target_id)
    brand = session.get(Brand, target.brand_id)
    require(actor, Perm.KPI_EDIT, target.brand_id, brand.slug if brand else None)
    if expected_version is not None and target.version != expected_version:
        raise Conflict("this target was changed by someone else meanwhile; reload to see their change")
    unknown = set(changes) - set(_EDITABLE)
    if unknown:
        raise ValidationError(f"KPI target field {', '.join(sorted(unknown))} cannot be changed here")
    clean: dict[str, Any] = dict(changes)
    if "period_kind" in clean:
        clean["period_kind"] = validation.choice(PeriodKind, clean["period_kind"], "period")
    if "target_value" in clean:
        clean["target_value"] = _value(clean["target_value"])
    if "note" in clean:
        clean["note"] = validation.no_nul(clean["note"], "note").strip()
    if "metric_key" in clean or "channel_id" in clean:
        assert brand is not None
        _check_refs(
            session,
            brand,
            clean.get("metric_key", target.metric_key),
            clean.get("channel_id", target.channel_id),
        )
    kind = clean.get("period_kind", target.period_kind)
    start = clean.get("period_start", target.period_start)
    clean["period_end"] = period_end(kind, start)
    before, after = audit.apply_changes(target, clean)
    if after:
        _check_unique(session, target)
        session.flush()
        audit.record(
            session,
            actor,
            "update",
            "kpi_target",
            target.id,
            label=_label(target),
            brand_id=target.brand_id,
            before=before,
            after=after,
        )
    return target


def delete_target(session: Session, actor: Actor, target_id: int) -> None:
    target = get_target(session, actor, target_id)
    require(actor, Perm.KPI_EDIT, target.brand_id)
    audit.record(
        session,
        actor,
        "delete",
        "kpi_target",
        target.id,
        label=_label(target),
        brand_id=target.brand_id,
        before=audit.snapshot(target),
    )
    session.delete(target)
    session.flush()


# --- Progress and forecast to period end -------------------------------------------------------------

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
_RATIO_FORMULA = re.compile(r"^\s*([a-z_]+)\s*/\s*([a-z_]+)\s*$")


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


def _evaluate(key: str, formula: str | None, values: dict[str, float | None]) -> float | None:
    if not formula:
        return values.get(key)
    match = _RATIO_FORMULA.match(formula)
    if not match:
        return None
    num, den = (values.get(k) for k in match.groups())
    return num / den if num is not None and den else None


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
        select(
            t.brand_id,
            t.channel_id,
            Brand.name.label("brand"),
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
        .join(d, d.key == t.metric_key)
        .outerjoin(Channel, Channel.id == t.channel_id)
        .where(
            t.brand_id.in_(brand_ids),
            t.period_start <= on_day,
            t.period_end >= on_day,
            t.period_kind.in_(kind_values),
        )
        .order_by(Brand.name, t.period_kind, d.name)
    ).all()
    if not rows:
        return pd.DataFrame(columns=PROGRESS_COLUMNS)
    ids = sorted({r.brand_id for r in rows})
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
        for k, v in _scope_values(last, r.brand_id, r.channel_id).items():
            if r.aggregation == Aggregation.LAST or k == "followers":
                values[k] = v
        if r.channel_id is None:
            values |= inbox.get(r.brand_id, {})
        actual = _evaluate(r.key, r.formula, values)
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
