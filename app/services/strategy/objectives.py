"""Objectives: a brand's business goals, each of one kind (awareness, engagement, conversion, retention),
measured by a KPI of the metrics dictionary against a target over a period. Listing, creating, editing
and archiving them; managers and admins write (strategy edit), every change is audited."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import Brand, MetricDefinition, Objective
from app.models.enums import ObjectiveKind
from app.services.core import Actor, ValidationError, audit, check_version, conflict_on_stale, validation
from app.services.strategy import common

OBJECT_TYPE = "objective"
EDITABLE = ("name", "kind", "description", "kpi_metric", "target_value", "period_start", "period_end")
# The column's name (and ObjectiveInfo's) is accepted for the KPI too.
ALIASES = {"kpi_metric_key": "kpi_metric"}


@dataclass(frozen=True)
class ObjectiveInfo:
    id: int
    brand_slug: str
    brand_name: str
    name: str
    kind: str
    kind_label: str
    description: str
    kpi_metric_key: str | None
    kpi_metric_name: str | None
    target_value: Decimal | None
    period_start: date | None
    period_end: date | None
    archived: bool
    version: int


def _info(o: Objective, brand: Brand, metric_name: str | None) -> ObjectiveInfo:
    return ObjectiveInfo(
        id=o.id,
        brand_slug=brand.slug,
        brand_name=brand.name,
        name=o.name,
        kind=o.kind.value,
        kind_label=o.kind.value.capitalize(),
        description=o.description or "",
        kpi_metric_key=o.kpi_metric_key,
        kpi_metric_name=metric_name,
        target_value=o.target_value,
        period_start=o.period_start,
        period_end=o.period_end,
        archived=o.archived_at is not None,
        version=o.version,
    )


def list_objectives(
    session: Session, actor: Actor, brand: Brand | str | int | None = None, include_archived: bool = False
) -> list[ObjectiveInfo]:
    """The objectives of one brand or of every brand the actor sees, by brand, period and name."""
    order = (Objective.period_start, Objective.name, Objective.id)
    rows = common.list_rows(session, actor, Objective, brand, include_archived, *order)
    return _infos(session, rows)


def get_objective(session: Session, actor: Actor, objective_id: int) -> ObjectiveInfo:
    common.require_view(actor)
    return _read(session, common.load(session, actor, Objective, objective_id, "objective"))


def _infos(session: Session, rows: list[tuple[Objective, Brand]]) -> list[ObjectiveInfo]:
    """The rows' infos, with the names of their KPIs from the metrics dictionary."""
    keys = {o.kpi_metric_key for o, _b in rows if o.kpi_metric_key}
    d = MetricDefinition
    names = dict(session.execute(select(d.key, d.name).where(d.key.in_(keys))).all()) if keys else {}
    return [_info(o, b, names.get(o.kpi_metric_key or "")) for o, b in rows]


def _read(session: Session, o: Objective) -> ObjectiveInfo:
    return _infos(session, [(o, common.brand_of(session, o))])[0]


def metric_key(session: Session, value: str | None, field: str = "kpi_metric") -> str | None:
    """The key of a metric of the dictionary (given by key or by name), or None."""
    text = (value or "").strip()
    if not text:
        return None
    d = MetricDefinition
    key = session.scalar(select(d.key).where(d.key == text.lower())) or session.scalar(
        select(d.key).where(d.name == text)
    )
    if key is None:
        raise ValidationError(
            f"{field}: metric {text!r} is not in the metrics dictionary", field=field, value=text
        )
    return key


def _clean(session: Session, brand: Brand, values: dict[str, Any], row_id: int | None) -> dict[str, Any]:
    clean: dict[str, Any] = {}
    for key, value in values.items():
        if key == "name":
            name = validation.required_text(value, "name")
            if common.name_taken(session, Objective, brand.id, name, row_id):
                raise ValidationError(
                    f"{brand.name} already has an objective named {name!r}", field="name", value=name
                )
            clean["name"] = name
        elif key == "kind":
            clean["kind"] = validation.choice(ObjectiveKind, value, "kind")
        elif key == "description":
            clean["description"] = common.text(value, "description")
        elif key == "kpi_metric":
            clean["kpi_metric_key"] = metric_key(session, value)
        elif key == "target_value":
            clean["target_value"] = common.amount(value, "target_value", places=4, digits=18)
        elif key in ("period_start", "period_end"):
            clean[key] = common.day(value, key)
    return clean


def create_objective(
    session: Session,
    actor: Actor,
    *,
    brand: Brand | str | int,
    name: str,
    kind: ObjectiveKind | str,
    description: str = "",
    kpi_metric: str | None = None,
    target_value: Any = None,
    period_start: date | str | None = None,
    period_end: date | str | None = None,
) -> ObjectiveInfo:
    b = common.brand_for_write(session, actor, brand)
    values = {
        "name": name,
        "kind": kind,
        "description": description,
        "kpi_metric": kpi_metric,
        "target_value": target_value,
        "period_start": period_start,
        "period_end": period_end,
    }
    clean = _clean(session, b, values, None)
    common.date_range(clean["period_start"], clean["period_end"], "period_end")
    objective = Objective(brand_id=b.id, **clean)
    common.record_create(session, actor, objective, object_type=OBJECT_TYPE, label=objective.name)
    return _read(session, objective)


@conflict_on_stale
def update_objective(
    session: Session, actor: Actor, objective_id: int, *, version: int, **changes: Any
) -> ObjectiveInfo:
    """Change any of EDITABLE (`kpi_metric`, or `kpi_metric_key`, by key or name; None or "" clears it)."""
    objective, brand = common.load_for_write(session, actor, Objective, objective_id, "objective")
    check_version(objective, version, f"objective {objective.name!r}")
    changes = {ALIASES.get(k, k): v for k, v in changes.items()}
    common.unknown_fields(changes, EDITABLE, "objective")
    clean = _clean(session, brand, changes, objective.id)
    common.date_range(
        clean.get("period_start", objective.period_start),
        clean.get("period_end", objective.period_end),
        "period_end",
    )
    audit.update(
        session, actor, objective, clean, object_type=OBJECT_TYPE, label=lambda o: o.name, brand_id=brand.id
    )
    return _read(session, objective)


def archive_objective(
    session: Session, actor: Actor, objective_id: int, *, archived: bool = True
) -> ObjectiveInfo:
    """Archive (gone from pickers; campaigns keep it) or restore with archived=False."""
    objective, _brand = common.load_for_write(session, actor, Objective, objective_id, "objective")
    common.set_archived(session, actor, objective, archived, object_type=OBJECT_TYPE, label=objective.name)
    return _read(session, objective)
