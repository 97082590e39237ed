"""The KPI targets worksheet: one row per target of the brand, with the actual of its period and the share
reached (computed, read-only). Targets are set through app.services.kpi_targets (KPI edit permission,
audit, period rules) exactly as anywhere else."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select

from app.models import Channel, KpiTarget
from app.services.core import ValidationError
from app.services.measurement import targets as kpi_targets
from app.services.measurement import targets_table as metrics
from app.sheets.schema import WorksheetSchema
from app.sheets.sources.base import Record, Source, SyncContext

FIELDS = frozenset(
    {
        "id",
        "metric",
        "channel",
        "period_kind",
        "period_start",
        "period_end",
        "target_value",
        "note",
        "actual",
        "share",
    }
)
_TO_SERVICE = {
    "metric": "metric_key",
    "channel": "channel_id",
    "period_kind": "period_kind",
    "period_start": "period_start",
    "target_value": "target_value",
    "note": "note",
}


class KpiTargetSource(Source):
    name = "kpi_targets"
    fields = FIELDS
    writable = True

    def check(self, schema: WorksheetSchema) -> str | None:
        editable = {c.field for c in schema.columns if not c.read_only}
        if editable - set(_TO_SERVICE):
            return f"{', '.join(sorted(editable - set(_TO_SERVICE)))} cannot be edited on KPI targets"
        return None

    def load(self, ctx: SyncContext, keys: list[str] | None = None) -> dict[str, Record]:
        t = KpiTarget
        stmt = select(t).where(t.brand_id == ctx.brand.id)
        if ctx.start is not None and ctx.end is not None:
            stmt = stmt.where(t.period_start <= ctx.end, t.period_end >= ctx.start)
        if keys is not None:
            stmt = stmt.where(t.id.in_([int(k) for k in keys if k.isdigit()]))
        targets = ctx.session.scalars(stmt.order_by(t.period_start, t.metric_key, t.id)).all()
        computed = (
            _computed(ctx, targets) if any(c.field in ("actual", "share") for c in ctx.schema.columns) else {}
        )
        out: dict[str, Record] = {}
        for target in targets:
            actual, share = computed.get(target.id, (None, None))
            values = {
                "id": target.id,
                "metric": target.metric_key,
                "channel": target.channel_id,
                "period_kind": target.period_kind.value,
                "period_start": target.period_start,
                "period_end": target.period_end,
                "target_value": target.target_value,
                "note": target.note,
                "actual": actual,
                "share": share,
            }
            label = f"{target.metric_key} from {target.period_start:%d %b %Y}"
            out[str(target.id)] = Record(str(target.id), str(target.version), values, label=label)
        return out

    def update(self, ctx: SyncContext, record: Record, changes: dict[str, Any]) -> None:
        clean = {_TO_SERVICE[k]: v for k, v in changes.items() if k in _TO_SERVICE}
        if "note" in clean:
            clean["note"] = clean["note"] or ""
        for required in ("metric_key", "period_kind", "period_start", "target_value"):
            if required in clean and clean[required] is None:
                raise ValidationError(f"{required.replace('_', ' ')} cannot be emptied")
        kpi_targets.update_target(
            ctx.session, ctx.actor, int(record.key), expected_version=int(record.version), **clean
        )

    def create(self, ctx: SyncContext, values: dict[str, Any]) -> str:
        target = kpi_targets.create_target(
            ctx.session,
            ctx.actor,
            ctx.brand.id,
            metric_key=values.get("metric") or "",
            period_kind=values.get("period_kind") or "",
            period_start=values.get("period_start") or date.min,
            target_value=values.get("target_value"),
            channel_id=values.get("channel"),
            note=values.get("note") or "",
        )
        return str(target.id)


def _computed(ctx: SyncContext, targets: list[KpiTarget]) -> dict[int, tuple[Decimal | None, Decimal | None]]:
    """Each target's actual and share reached, from the KPIs page's own calculation (matched by metric,
    period and channel, which identify a target within a brand)."""
    if not targets:
        return {}
    start = min(t.period_start for t in targets)
    end = max(t.period_end for t in targets)
    frame = metrics.kpi_targets(ctx.session, ctx.actor, [ctx.brand.id], start, end)
    labels = {
        cid: f"{platform.label} {name}"
        for cid, platform, name in ctx.session.execute(
            select(Channel.id, Channel.platform, func.coalesce(Channel.display_name, Channel.handle)).where(
                Channel.brand_id == ctx.brand.id
            )
        )
    }
    found = {
        (r["key"], r["period"], r["from"], r["channel"]): (r["actual"], r["% of target"])
        for _, r in frame.iterrows()
    }
    out = {}
    for t in targets:
        label = labels.get(t.channel_id, "") if t.channel_id is not None else "all channels"
        actual, share = found.get((t.metric_key, t.period_kind.value, t.period_start, label), (None, None))
        out[t.id] = (_dec(actual), _dec(share * 100 if share is not None and share == share else None))
    return out


def _dec(value: Any) -> Decimal | None:
    if value is None or value != value:  # NaN from the frame means "no data"
        return None
    return Decimal(repr(float(value)))
