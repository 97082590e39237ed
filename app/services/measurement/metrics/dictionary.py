"""Editing the metrics dictionary: metrics (key, name, unit, formula, objective, leading/lagging) and the
platform fields that feed them, with renamed and deprecated fields kept with their dates; and the
alias lookup the export importers use. Reads for pages are in app.services.metrics.

Who may edit: workspace-level KPI editors (managers and admins on the workspace). The dictionary is
shared by every brand, so a role held on one brand only must not change how every other brand's KPIs
are computed. Every change writes an audit row with the values before and after.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.models import CHANNEL_BASE_METRICS, Experiment, KpiTarget, MetricDefinition
from app.models import MetricSourceMapping as Mapping
from app.models.enums import Aggregation, Indicator, MetricUnit, ObjectiveKind, Platform
from app.services.core import Actor, Conflict, NotFound, Perm, ValidationError, audit, require
from app.services.measurement.metrics.formulas import FormulaError, names, parse

_KEY = re.compile(r"^[a-z][a-z0-9_]{1,63}$")


@dataclass(frozen=True)
class MetricInput:
    key: str
    name: str
    description: str = ""
    unit: str = "count"
    formula: str | None = None
    objective: str | None = None
    indicator: str = "leading"
    aggregation: str = "sum"
    higher_is_better: bool = True


@dataclass(frozen=True)
class MappingInput:
    metric_key: str
    platform: str
    source_field: str
    valid_from: date | None = None
    valid_to: date | None = None
    deprecated: bool = False
    note: str = ""


@dataclass(frozen=True)
class FormulaCheck:
    ok: bool
    message: str
    uses: tuple[str, ...] = ()


def check_formula(text: str | None) -> FormulaCheck:
    """For live feedback in the editor: is this a formula over base metrics, and which does it use."""
    if not (text or "").strip():
        return FormulaCheck(True, "No formula: a base metric or one computed elsewhere (inbox, competitors).")
    try:
        expr = parse(text or "", allowed=CHANNEL_BASE_METRICS)
    except FormulaError as exc:
        return FormulaCheck(False, str(exc))
    uses = tuple(sorted(names(expr)))
    return FormulaCheck(
        True, f"Valid: uses {', '.join(uses) or 'numbers only'}; a zero divisor shows blank.", uses
    )


def _enum(kind: type, value: str | None, field: str, optional: bool = False):  # type: ignore[no-untyped-def]
    if optional and not (value or "").strip():
        return None
    try:
        return kind((value or "").strip().lower())
    except ValueError:
        allowed = ", ".join(v.value for v in kind)
        raise ValidationError(
            f"{field} {value!r} is not one of: {allowed}", field=field, value=value
        ) from None


def _require_edit(actor: Actor) -> None:
    require(actor, Perm.KPI_EDIT)


def _snapshot(m: MetricDefinition) -> dict[str, object]:
    return {
        "name": m.name,
        "description": m.description,
        "unit": m.unit.value,
        "formula": m.formula,
        "objective": m.objective.value if m.objective else None,
        "indicator": m.indicator.value,
        "aggregation": m.aggregation.value,
        "higher_is_better": m.higher_is_better,
    }


def save_metric(
    session: Session, actor: Actor, data: MetricInput, *, expected_version: int | None = None
) -> MetricDefinition:
    """Create the metric, or update it when the key exists (refused with Conflict when someone saved it
    after `expected_version` was read). Base metrics keep no formula and their aggregation: the rollup
    tables store each base metric by its aggregation."""
    _require_edit(actor)
    key = (data.key or "").strip()
    if not _KEY.match(key):
        raise ValidationError(
            f"key {key!r}: 2-64 characters, lower-case letters, digits and _, starting with a letter",
            field="key",
            value=key,
        )
    name = (data.name or "").strip()
    if not name or len(name) > 120:
        raise ValidationError("name: 1-120 characters", field="name", value=name)
    formula = (data.formula or "").strip() or None
    if formula is not None:
        parse(formula, allowed=CHANNEL_BASE_METRICS)  # FormulaError names the unknown metric
    values = {
        "name": name,
        "description": (data.description or "").strip(),
        "unit": _enum(MetricUnit, data.unit, "unit"),
        "formula": formula,
        "objective": _enum(ObjectiveKind, data.objective, "objective", optional=True),
        "indicator": _enum(Indicator, data.indicator, "indicator"),
        "aggregation": _enum(Aggregation, data.aggregation, "aggregation"),
        "higher_is_better": bool(data.higher_is_better),
    }
    metric = session.scalars(select(MetricDefinition).where(MetricDefinition.key == key)).one_or_none()
    if key in CHANNEL_BASE_METRICS:
        if formula is not None:
            raise ValidationError(
                f"{key} is a base metric (a column of the daily numbers): it has no formula",
                field="formula",
                value=formula,
            )
        if metric is not None and values["aggregation"] != metric.aggregation:
            raise ValidationError(
                f"{key} is a base metric: its aggregation ({metric.aggregation.value}) is how the weekly and "
                "monthly rollups store it; change it in the seed data and run `python -m app rollups rebuild`",
                field="aggregation",
                value=data.aggregation,
            )
    if metric is None:
        metric = MetricDefinition(key=key, **values)
        session.add(metric)
        session.flush()
        audit.record(session, actor, "create", "metric_definition", key, label=name, after=_snapshot(metric))
        return metric
    if expected_version is not None and metric.version != expected_version:
        raise Conflict(f"{key} was changed by someone else meanwhile (now version {metric.version}); reload")
    before = _snapshot(metric)
    for field_name, value in values.items():
        setattr(metric, field_name, value)
    after = _snapshot(metric)
    if after != before:
        session.flush()
        audit.record(
            session, actor, "update", "metric_definition", key, label=name, before=before, after=after
        )
    return metric


def delete_metric(session: Session, actor: Actor, key: str) -> None:
    """Remove a derived metric nobody uses (targets and experiments keep theirs)."""
    _require_edit(actor)
    metric = session.scalars(select(MetricDefinition).where(MetricDefinition.key == key)).one_or_none()
    if metric is None:
        raise NotFound(f"no metric {key!r}")
    if key in CHANNEL_BASE_METRICS:
        raise ValidationError(f"{key} is a base metric and cannot be removed", field="key", value=key)
    targets = session.scalar(select(func.count()).select_from(KpiTarget).where(KpiTarget.metric_key == key))
    tests = session.scalar(select(func.count()).select_from(Experiment).where(Experiment.metric_key == key))
    if targets or tests:
        raise ValidationError(
            f"{key} is used by {targets} KPI target(s) and {tests} experiment(s); remove those first",
            field="key",
            value=key,
        )
    before = _snapshot(metric)
    session.delete(metric)
    session.flush()
    audit.record(session, actor, "delete", "metric_definition", key, label=metric.name, before=before)


def _mapping_snapshot(m: Mapping) -> dict[str, object]:
    return {
        "metric_key": m.metric_key,
        "platform": m.platform.value,
        "source_field": m.source_field,
        "valid_from": m.valid_from.isoformat() if m.valid_from else None,
        "valid_to": m.valid_to.isoformat() if m.valid_to else None,
        "deprecated": m.deprecated,
        "note": m.note,
    }


def save_mapping(session: Session, actor: Actor, data: MappingInput) -> Mapping:
    """Add a platform field for a metric, or update the one with the same metric, platform and field
    (e.g. mark Instagram `impressions` deprecated from 2025-04-21 and add `views` from that day)."""
    _require_edit(actor)
    key = (data.metric_key or "").strip()
    if session.scalar(select(MetricDefinition.id).where(MetricDefinition.key == key)) is None:
        raise ValidationError(f"metric {key!r} is not in the dictionary", field="metric_key", value=key)
    platform = _enum(Platform, data.platform, "platform")
    source = (data.source_field or "").strip()
    if not source or len(source) > 120:
        raise ValidationError("source field: 1-120 characters", field="source_field", value=source)
    if data.valid_from and data.valid_to and data.valid_to < data.valid_from:
        raise ValidationError(
            f"valid to ({data.valid_to}) is before valid from ({data.valid_from})", field="valid_to"
        )
    row = session.scalars(
        select(Mapping).where(
            Mapping.metric_key == key, Mapping.platform == platform, Mapping.source_field == source
        )
    ).one_or_none()
    before = _mapping_snapshot(row) if row else None
    if row is None:
        row = Mapping(metric_key=key, platform=platform, source_field=source)
        session.add(row)
    row.valid_from, row.valid_to = data.valid_from, data.valid_to
    row.deprecated, row.note = bool(data.deprecated), (data.note or "").strip()
    session.flush()
    after = _mapping_snapshot(row)
    if after != before:
        label = f"{platform.value} {source} → {key}"
        audit.record(
            session, actor, "update" if before else "create", "metric_source_mapping", row.id, label=label,
            before=before, after=after,
        )  # fmt: skip
    return row


def delete_mapping(session: Session, actor: Actor, mapping_id: int) -> None:
    _require_edit(actor)
    row = session.get(Mapping, mapping_id)
    if row is None:
        raise NotFound(f"no platform field mapping {mapping_id}")
    before = _mapping_snapshot(row)
    session.delete(row)
    session.flush()
    label = f"{row.platform.value} {row.source_field} → {row.metric_key}"
    audit.record(session, actor, "delete", "metric_source_mapping", mapping_id, label=label, before=before)


@dataclass(frozen=True)
class FieldAlias:
    metric_key: str
    source_field: str
    valid_from: date | None
    valid_to: date | None
    deprecated: bool
    note: str


def platform_fields(session: Session, platform: Platform) -> list[FieldAlias]:
    """Every field the dictionary maps for `platform`, current and deprecated (an old export still says
    `Impressions` where a new one says `Views`): what the importers match headers against."""
    rows = session.scalars(select(Mapping).where(Mapping.platform == platform)).all()
    return [
        FieldAlias(r.metric_key, r.source_field, r.valid_from, r.valid_to, r.deprecated, r.note)
        for r in rows
        if r.metric_key in CHANNEL_BASE_METRICS
    ]
