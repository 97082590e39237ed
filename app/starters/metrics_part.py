"""The metrics dictionary part: each metric with the platform field names that feed it, written through
the measurement domain's dictionary service (KPI editors; an audit row per metric and per field)."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import MetricDefinition, MetricSourceMapping
from app.services.core import Actor
from app.services.measurement import dictionary
from app.starters.ledger import Item
from app.starters.packs import Pack


def _day(value: Any) -> str | None:
    if value in (None, ""):
        return None
    return value.isoformat() if isinstance(value, date) else str(value)


def _field(platform: str, name: str, valid_from: Any, valid_to: Any, deprecated: Any, note: Any) -> dict:
    return {
        "platform": str(platform).strip().lower(),
        "field": str(name).strip(),
        "valid_from": _day(valid_from),
        "valid_to": _day(valid_to),
        "deprecated": bool(deprecated),
        "note": " ".join(str(note or "").split()),
    }


def _sorted(fields: list[dict]) -> list[dict]:
    return sorted(fields, key=lambda f: (f["platform"], f["field"]))


def metric_items(pack: Pack) -> list[Item]:
    """The pack's metrics as ledger items (the `source` text is the pack's documentation, not a column)."""
    items = []
    for raw in pack.part("metrics", "metrics"):
        content = {
            "name": str(raw.get("name") or "").strip(),
            "description": " ".join(str(raw.get("description") or "").split()),
            "unit": str(raw.get("unit") or "count"),
            "formula": (str(raw["formula"]).strip() or None) if raw.get("formula") else None,
            "relevance": raw.get("relevance") or None,
            "indicator": str(raw.get("indicator") or "leading"),
            "aggregation": str(raw.get("aggregation") or "sum"),
            "higher_is_better": bool(raw.get("higher_is_better", True)),
            "platform_fields": _sorted(
                [
                    _field(f.get("platform"), f.get("field"), f.get("valid_from"), f.get("valid_to"),
                           f.get("deprecated"), f.get("note"))
                    for f in raw.get("platform_fields") or []
                ]
            ),
        }  # fmt: skip
        items.append(Item(str(raw.get("key") or "").strip(), content, content["name"]))
    return items


def _read(session: Session, metric: MetricDefinition) -> dict[str, Any]:
    fields = session.scalars(
        select(MetricSourceMapping).where(MetricSourceMapping.metric_key == metric.key)
    ).all()
    return {
        "name": metric.name,
        "description": metric.description,
        "unit": metric.unit.value,
        "formula": metric.formula,
        "relevance": metric.objective.value if metric.objective else None,
        "indicator": metric.indicator.value,
        "aggregation": metric.aggregation.value,
        "higher_is_better": bool(metric.higher_is_better),
        "platform_fields": _sorted(
            [
                _field(f.platform.value, f.source_field, f.valid_from, f.valid_to, f.deprecated, f.note)
                for f in fields
            ]
        ),
    }


def _write(session: Session, actor: Actor, item: Item) -> int:
    c = item.content
    metric = dictionary.save_metric(
        session,
        actor,
        dictionary.MetricInput(
            key=item.key, name=c["name"], description=c["description"], unit=c["unit"], formula=c["formula"],
            objective=c["relevance"], indicator=c["indicator"], aggregation=c["aggregation"],
            higher_is_better=c["higher_is_better"],
        ),
    )  # fmt: skip
    wanted = {(f["platform"], f["field"]) for f in c["platform_fields"]}
    for row in session.scalars(
        select(MetricSourceMapping).where(MetricSourceMapping.metric_key == item.key)
    ).all():
        if (row.platform.value, row.source_field) not in wanted:
            dictionary.delete_mapping(session, actor, row.id)
    for f in c["platform_fields"]:
        dictionary.save_mapping(
            session,
            actor,
            dictionary.MappingInput(
                metric_key=item.key, platform=f["platform"], source_field=f["field"],
                valid_from=date.fromisoformat(f["valid_from"]) if f["valid_from"] else None,
                valid_to=date.fromisoformat(f["valid_to"]) if f["valid_to"] else None,
                deprecated=f["deprecated"], note=f["note"],
            ),
        )  # fmt: skip
    return metric.id


class MetricsPart:
    kind = "metric"

    def current(self, session: Session, object_id: int) -> dict[str, Any] | None:
        metric = session.get(MetricDefinition, object_id)
        return _read(session, metric) if metric is not None else None

    def existing(self, session: Session, item: Item) -> tuple[int, dict[str, Any]] | None:
        metric = session.scalars(
            select(MetricDefinition).where(MetricDefinition.key == item.key)
        ).one_or_none()
        return (metric.id, _read(session, metric)) if metric is not None else None

    def create(self, session: Session, actor: Actor, item: Item) -> int:
        return _write(session, actor, item)

    def update(self, session: Session, actor: Actor, item: Item, object_id: int) -> int:
        return _write(session, actor, item)
