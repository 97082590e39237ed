"""Setting KPI targets: a target value for one metric of the dictionary, for a brand (or one of its
channels) and one week, month, quarter or year. Managers (KPI edit) only; every change is audited and
a stale save is refused rather than overwriting someone else's. Their progress and forecast to period
end live in `kpi_progress` (also reached here as `target_progress`)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import Brand, Channel, KpiTarget, MetricDefinition
from app.models.enums import PeriodKind
from app.services.core import (
    Actor,
    Conflict,
    NotFound,
    Perm,
    PermissionDenied,
    ValidationError,
    audit,
    require,
    validation,
)
from app.services.measurement.kpis.progress import PROGRESS_COLUMNS, target_progress
from app.services.org import find_brand, visible_brands_clause

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


_PERIOD_CODE = re.compile(r"^(\d{4})(?:-(?:Q([1-4])|(\d{2})|W(\d{2})))?$")


def parse_period_code(text: str) -> tuple[PeriodKind, date]:
    """'2027-Q1' → (quarter, 2027-01-01); '2027-03' a month, '2027-W05' an ISO week, '2027' a year."""
    m = _PERIOD_CODE.match((text or "").strip().upper())
    problem = "must look like 2027-Q1, 2027-03 (a month), 2027-W05 (an ISO week) or 2027"
    if m:
        year, quarter, month, week = m.groups()
        try:
            if quarter:
                return PeriodKind.QUARTER, date(int(year), 3 * int(quarter) - 2, 1)
            if month:
                return PeriodKind.MONTH, date(int(year), int(month), 1)
            if week:
                return PeriodKind.WEEK, date.fromisocalendar(int(year), int(week), 1)
            return PeriodKind.YEAR, date(int(year), 1, 1)
        except ValueError:
            problem = "names no such month or week"
    raise ValidationError(f"period {text!r} {problem}", field="period", value=text)


def period_code(kind: PeriodKind | str, start: date) -> str:
    """The period as people write it: 2027-Q1, 2027-03, 2027-W05 or 2027."""
    kind = PeriodKind(kind)
    if kind == PeriodKind.QUARTER:
        return f"{start.year}-Q{(start.month - 1) // 3 + 1}"
    if kind == PeriodKind.MONTH:
        return f"{start:%Y-%m}"
    if kind == PeriodKind.WEEK:
        year, week, _day = start.isocalendar()
        return f"{year}-W{week:02d}"
    return str(start.year)


@dataclass(frozen=True)
class TargetInfo:
    metric_key: str
    metric_name: str
    brand_slug: str
    channel: str
    period: str
    period_kind: str
    period_start: date
    period_end: date
    target_value: Decimal
    note: str
    id: int
    version: int


def list_targets(session: Session, actor: Actor, brand: str | int | None = None) -> list[TargetInfo]:
    """The targets of one brand or of every brand the actor sees, by brand, period and metric."""
    if not actor.can_anywhere(Perm.VIEW):
        raise PermissionDenied(f"{actor.email} may not {Perm.VIEW.label}")
    t = KpiTarget
    stmt = (
        select(t, Brand.slug, MetricDefinition.name, Channel.slug)
        .join(Brand, Brand.id == t.brand_id)
        .join(MetricDefinition, MetricDefinition.key == t.metric_key)
        .outerjoin(Channel, Channel.id == t.channel_id)
        .where(visible_brands_clause(actor))
        .order_by(Brand.slug, t.period_start, t.period_end, t.metric_key, Channel.slug.nulls_first())
    )
    if brand is not None:
        stmt = stmt.where(t.brand_id == find_brand(session, actor, brand).id)
    return [
        TargetInfo(
            metric_key=row.metric_key,
            metric_name=metric_name,
            brand_slug=brand_slug,
            channel=channel or "",
            period=period_code(row.period_kind, row.period_start),
            period_kind=row.period_kind.value,
            period_start=row.period_start,
            period_end=row.period_end,
            target_value=row.target_value,
            note=row.note or "",
            id=row.id,
            version=row.version,
        )
        for row, brand_slug, metric_name, channel in session.execute(stmt)
    ]


def _value(value: Any) -> Decimal:
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise ValidationError(f"target {value!r} is not a number", field="target_value") from None
    if not number.is_finite() or abs(number) >= _LIMIT:
        raise ValidationError(f"target {value!r} is not a usable number", field="target_value")
    return number.quantize(Decimal("0.0001"))


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
    b = find_brand(session, actor, brand)
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
    changed = audit.update(
        session, actor, target, clean, object_type="kpi_target", label=_label, brand_id=target.brand_id
    )
    if changed:
        # The database's unique key lets two targets without a channel clash, so look. A refusal is rolled
        # back with the caller's transaction (the sheet sync: the row's savepoint), entry included.
        _check_unique(session, target)
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


__all__ = [
    "PROGRESS_COLUMNS",
    "TargetInfo",
    "create_target",
    "delete_target",
    "get_target",
    "list_targets",
    "parse_period_code",
    "period_code",
    "period_end",
    "target_progress",
    "update_target",
]
