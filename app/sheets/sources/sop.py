"""The SOP checklist worksheet: one row per step of the brand's open checklist runs (and the runs started
in the period). A sheet ticks steps through the same service as the SOPs page, so it cannot skip a
required step, tick an automatic check, or tick a step meant for another role."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, or_, select

from app.models import SopRun, SopStep, SopStepResult, SopTemplate, SopTemplateVersion, User
from app.models.enums import SopRunStatus, StepStatus
from app.services.core import ValidationError
from app.services.sops import runs as sop_runs
from app.sheets.schema import WorksheetSchema
from app.sheets.sources.base import Record, Source, SyncContext

FIELDS = frozenset(
    {
        "id",
        "run",
        "checklist",
        "object",
        "position",
        "step",
        "owner_role",
        "required",
        "automatic",
        "status",
        "note",
        "done_by",
        "done_at",
        "run_status",
    }
)
EDITABLE = frozenset({"status", "note"})


class SopStepSource(Source):
    name = "sop_steps"
    fields = FIELDS
    writable = True

    def check(self, schema: WorksheetSchema) -> str | None:
        if schema.allow_add:
            return "checklist steps come from templates: set rows.add to false"
        editable = {c.field for c in schema.columns if not c.read_only}
        if editable - EDITABLE:
            return f"only status and note can be edited, not {', '.join(sorted(editable - EDITABLE))}"
        return None

    def load(self, ctx: SyncContext, keys: list[str] | None = None) -> dict[str, Record]:
        r, run, step = SopStepResult, SopRun, SopStep
        stmt = (
            select(
                r.id,
                r.version,
                run.id,
                SopTemplate.name,
                run.object_type,
                run.object_id,
                step.position,
                step.title,
                step.owner_role,
                step.required,
                step.auto_check,
                r.status,
                r.note,
                func.coalesce(func.nullif(User.name, ""), User.email),
                r.done_at,
                run.status,
                step.id,
            )
            .join(run, run.id == r.run_id)
            .join(step, step.id == r.step_id)
            .join(SopTemplateVersion, SopTemplateVersion.id == run.template_version_id)
            .join(SopTemplate, SopTemplate.id == SopTemplateVersion.template_id)
            .outerjoin(User, User.id == r.done_by_id)
            .where(run.brand_id == ctx.brand.id)
        )
        span = ctx.utc_range
        if span is not None:
            lo, hi = span
            stmt = stmt.where(
                or_(run.status == SopRunStatus.OPEN, (run.started_at >= lo) & (run.started_at < hi))
            )
        if keys is not None:
            stmt = stmt.where(r.id.in_([int(k) for k in keys if k.isdigit()]))
        labels: dict[tuple[Any, int], str] = {}
        out: dict[str, Record] = {}
        for row in ctx.session.execute(stmt.order_by(run.id, step.position)):
            (
                rid,
                ver,
                run_id,
                name,
                kind,
                obj,
                pos,
                title,
                role,
                req,
                auto,
                status,
                note,
                who,
                at,
                rstat,
                sid,
            ) = row
            if (kind, obj) not in labels:
                labels[(kind, obj)] = sop_runs.object_label(ctx.session, kind, obj)
            values = {
                "id": rid,
                "run": run_id,
                "checklist": name,
                "object": labels[(kind, obj)],
                "position": pos,
                "step": title,
                "owner_role": role.value if role else "",
                "required": req,
                "automatic": auto is not None,
                "status": status.value,
                "note": note,
                "done_by": who or ("the hub" if auto and at else None),
                "done_at": at,
                "run_status": rstat.value,
            }
            out[str(rid)] = Record(
                str(rid), str(ver), values, label=f"{title} ({name})", ref={"run_id": run_id, "step_id": sid}
            )
        return out

    def update(self, ctx: SyncContext, record: Record, changes: dict[str, Any]) -> None:
        status = changes.get("status", record.values["status"]) or StepStatus.PENDING.value
        note = changes["note"] if "note" in changes else record.values["note"]
        if status == StepStatus.PENDING.value:
            raise ValidationError(
                f"{record.label}: a step is ticked done, skipped or failed; it cannot go back to pending "
                "(restart the checklist in the app)"
            )
        sop_runs.complete_step(
            ctx.session, ctx.actor, record.ref["run_id"], record.ref["step_id"], status, note or ""
        )
