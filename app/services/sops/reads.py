"""SOP checklists as read models: templates with their versions and steps (and what changed between
versions), runs with their progress, and the steps that are overdue now. Changes live in sop_templates
and sop_runs; a run's detail, history and requirements in sop_details."""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from datetime import date, timedelta

import pandas as pd
from sqlalchemy import case, func, or_, select
from sqlalchemy.orm import Session

from app.models import (
    Brand,
    Brief,
    Campaign,
    Incident,
    Post,
    SopRun,
    SopStep,
    SopStepResult,
    SopTemplate,
    SopTemplateVersion,
    User,
)
from app.models.enums import SopObjectType, SopRunStatus, StepStatus
from app.services.core import Actor, NotFound, Perm, PermissionDenied, clock, require_brands, utc_bounds
from app.services.org import current_workspace

TEMPLATE_COLUMNS = [
    "template",
    "slug",
    "applies to",
    "brand",
    "current version",
    "versions",
    "steps",
    "active",
]
STEP_COLUMNS = ["step", "title", "instructions", "owner role", "automatic check", "required", "due after (h)"]
RUN_COLUMNS = [
    "id",
    "template",
    "version",
    "brand",
    "object",
    "status",
    "done",
    "total",
    "progress",
    "started",
    "due",
    "overdue",
]
VERSION_COLUMNS = ["version", "created", "by", "notes", "steps", "current"]
CHANGE_COLUMNS = ["change", "step", "title", "what changed"]
OVERDUE_COLUMNS = ["brand", "template", "object", "step", "owner role", "due", "hours overdue"]
# Skipped steps count as dealt with: the checklist is not waiting on them.
_FINISHED_STEPS = (StepStatus.DONE, StepStatus.SKIPPED)
_LABELLED = {
    SopObjectType.POST: (Post, Post.title),
    SopObjectType.CAMPAIGN: (Campaign, Campaign.name),
    SopObjectType.BRIEF: (Brief, Brief.title),
    SopObjectType.INCIDENT: (Incident, Incident.title),
    SopObjectType.BRAND: (Brand, Brand.name),
}


def _template_scope(actor: Actor, brand_ids: Sequence[int]) -> list[int]:
    return require_brands(actor, Perm.SOP_RUN, brand_ids)


def list_templates(session: Session, actor: Actor, brand_ids: Sequence[int]) -> pd.DataFrame:
    """Workspace-wide templates and those of the brands, with how many versions and current steps."""
    brand_ids = _template_scope(actor, brand_ids)
    if not brand_ids:
        return pd.DataFrame(columns=TEMPLATE_COLUMNS)
    ws = current_workspace(session)
    versions = (
        select(SopTemplateVersion.template_id, func.count().label("n"))
        .group_by(SopTemplateVersion.template_id)
        .subquery("versions")
    )
    steps = (
        select(SopTemplateVersion.template_id, SopTemplateVersion.number, func.count(SopStep.id).label("n"))
        .join(SopStep, SopStep.version_id == SopTemplateVersion.id)
        .group_by(SopTemplateVersion.template_id, SopTemplateVersion.number)
        .subquery("steps")
    )
    t = SopTemplate
    rows = session.execute(
        select(t.name, t.slug, t.applies_to, Brand.name, t.current_version, versions.c.n, steps.c.n, t.active)
        .outerjoin(Brand, Brand.id == t.brand_id)
        .outerjoin(versions, versions.c.template_id == t.id)
        .outerjoin(steps, (steps.c.template_id == t.id) & (steps.c.number == t.current_version))
        .where(t.workspace_id == ws.id, or_(t.brand_id.is_(None), t.brand_id.in_(brand_ids)))
        .order_by(t.name)
    ).all()
    data = [
        (name, slug, applies.value, brand or "all brands", cur, int(nv or 0), int(ns or 0), active)
        for name, slug, applies, brand, cur, nv, ns, active in rows
    ]
    return pd.DataFrame(data, columns=TEMPLATE_COLUMNS)


def _visible_template(session: Session, actor: Actor, template_slug: str) -> SopTemplate:
    """A template the actor may read: SOP_RUN somewhere, and on the template's brand if it has one."""
    if not actor.can_anywhere(Perm.SOP_RUN):
        raise PermissionDenied(f"{actor.email} may not {Perm.SOP_RUN.label}")
    ws = current_workspace(session)
    template = session.scalars(
        select(SopTemplate).where(SopTemplate.workspace_id == ws.id, SopTemplate.slug == template_slug)
    ).first()
    visible = actor.visible_brand_ids()
    if template is None or (
        template.brand_id is not None and visible is not None and template.brand_id not in visible
    ):
        raise NotFound(f"no SOP template {template_slug!r}")
    if template.brand_id is not None:
        require_brands(actor, Perm.SOP_RUN, [template.brand_id])
    return template


def template_steps(
    session: Session, actor: Actor, template_slug: str, version: int | None = None
) -> pd.DataFrame:
    """The steps of one version of a template (its current version by default), in order."""
    template = _visible_template(session, actor, template_slug)
    number = version or template.current_version
    s = SopStep
    rows = session.execute(
        select(
            s.position, s.title, s.instructions, s.owner_role, s.auto_check, s.required, s.due_offset_hours
        )
        .join(SopTemplateVersion, SopTemplateVersion.id == s.version_id)
        .where(SopTemplateVersion.template_id == template.id, SopTemplateVersion.number == number)
        .order_by(s.position)
    ).all()
    if not rows and version is not None:
        raise NotFound(f"SOP template {template_slug!r} has no version {version}")
    data = [
        (pos, title, text, role.label if role else "", check or "", req, due)
        for pos, title, text, role, check, req, due in rows
    ]
    return pd.DataFrame(data, columns=STEP_COLUMNS)


def template_versions(session: Session, actor: Actor, template_slug: str) -> pd.DataFrame:
    """Every version of a template, newest first: when, by whom, the notes, how many steps."""
    template = _visible_template(session, actor, template_slug)
    v = SopTemplateVersion
    rows = session.execute(
        select(v.number, v.created_at, User.name, User.email, v.notes, func.count(SopStep.id))
        .outerjoin(User, User.id == v.created_by_id)
        .outerjoin(SopStep, SopStep.version_id == v.id)
        .where(v.template_id == template.id)
        .group_by(v.number, v.created_at, User.name, User.email, v.notes)
        .order_by(v.number.desc())
    ).all()
    data = [
        (n, at, (name or "").strip() or email or "", notes, int(steps), n == template.current_version)
        for n, at, name, email, notes, steps in rows
    ]
    return pd.DataFrame(data, columns=VERSION_COLUMNS)


_COMPARED = ("instructions", "owner role", "automatic check", "required", "due after (h)")


def step_changes(session: Session, actor: Actor, template_slug: str, version: int) -> pd.DataFrame:
    """What `version` changed against the version before it, step by step (matched by title): added,
    removed, changed (naming the fields), moved or the same. Version 1 lists every step as added."""
    new = template_steps(session, actor, template_slug, version)
    old = (
        template_steps(session, actor, template_slug, version - 1)
        if version > 1
        else pd.DataFrame(columns=STEP_COLUMNS)
    )
    before = {row["title"]: row for _, row in old.iterrows()}
    data = []
    for _, row in new.iterrows():
        prev = before.pop(row["title"], None)
        if prev is None:
            data.append(("added", row["step"], row["title"], ""))
            continue
        fields = [col for col in _COMPARED if _differs(prev[col], row[col])]
        if fields:
            data.append(("changed", row["step"], row["title"], ", ".join(fields)))
        elif prev["step"] != row["step"]:
            data.append(("moved", row["step"], row["title"], f"was step {prev['step']}"))
        else:
            data.append(("same", row["step"], row["title"], ""))
    data += [("removed", None, title, f"was step {row['step']}") for title, row in before.items()]
    return pd.DataFrame(data, columns=CHANGE_COLUMNS)


def _differs(a: object, b: object) -> bool:
    # Missing due hours come back as NaN from the frame; NaN != NaN must not read as a change.
    return not (pd.isna(a) and pd.isna(b)) and a != b  # type: ignore[call-overload]


def _object_labels(
    session: Session, refs: Iterable[tuple[SopObjectType, int]]
) -> dict[tuple[SopObjectType, int], str]:
    """'Post: Ramadan teaser'-style labels, one query per object type present."""
    by_type: dict[SopObjectType, set[int]] = {}
    for kind, oid in refs:
        by_type.setdefault(kind, set()).add(oid)
    labels: dict[tuple[SopObjectType, int], str] = {}
    for kind, ids in by_type.items():
        model_and_col = _LABELLED.get(kind)
        names: dict[int, str] = {}
        if model_and_col is not None:
            model, col = model_and_col
            names = dict(session.execute(select(model.id, col).where(model.id.in_(sorted(ids)))).all())
        for oid in ids:
            # Reports have no table: their id is the month, yyyymm.
            name = f"{oid // 100:04d}-{oid % 100:02d}" if kind == SopObjectType.REPORT else f"#{oid}"
            labels[(kind, oid)] = f"{kind.value.capitalize()}: {names.get(oid, name)}"
    return labels


def list_runs(
    session: Session,
    actor: Actor,
    brand_ids: Sequence[int],
    statuses: Iterable[SopRunStatus | str] | None = (SopRunStatus.OPEN,),
    start: date | None = None,
    end: date | None = None,
    limit: int = 500,
) -> pd.DataFrame:
    """Checklist runs with progress (done or skipped / steps of their version). With a period, only runs
    started in it (the history view); open runs are usually wanted whatever their age."""
    brand_ids = require_brands(actor, Perm.SOP_RUN, brand_ids)
    if not brand_ids:
        return pd.DataFrame(columns=RUN_COLUMNS)
    r = SopRun
    step_counts = (
        select(SopStep.version_id, func.count().label("total"))
        .group_by(SopStep.version_id)
        .subquery("step_counts")
    )
    done = (
        select(
            SopStepResult.run_id,
            func.sum(case((SopStepResult.status.in_(_FINISHED_STEPS), 1), else_=0)).label("done"),
        )
        .join(r, r.id == SopStepResult.run_id)
        .where(r.brand_id.in_(brand_ids))
        .group_by(SopStepResult.run_id)
        .subquery("done")
    )
    stmt = (
        select(
            r.id,
            SopTemplate.name,
            SopTemplateVersion.number,
            Brand.name,
            r.object_type,
            r.object_id,
            r.status,
            func.coalesce(done.c.done, 0),
            func.coalesce(step_counts.c.total, 0),
            r.started_at,
            r.due_at,
        )
        .select_from(r)
        .join(SopTemplateVersion, SopTemplateVersion.id == r.template_version_id)
        .join(SopTemplate, SopTemplate.id == SopTemplateVersion.template_id)
        .join(Brand, Brand.id == r.brand_id)
        .outerjoin(step_counts, step_counts.c.version_id == r.template_version_id)
        .outerjoin(done, done.c.run_id == r.id)
        .where(r.brand_id.in_(brand_ids))
        .order_by(r.due_at.is_(None), r.due_at, r.started_at.desc())
        .limit(limit)
    )
    if statuses:
        stmt = stmt.where(r.status.in_([SopRunStatus(s) for s in statuses]))
    if start is not None and end is not None:
        lo, hi = utc_bounds(start, end)
        stmt = stmt.where(r.started_at >= lo, r.started_at < hi)
    rows = session.execute(stmt).all()
    labels = _object_labels(session, [(row[4], row[5]) for row in rows])
    now = clock.now()
    data = []
    for run_id, name, number, brand, kind, oid, status, n_done, total, started, due in rows:
        n_done, total = int(n_done), int(total)
        overdue = status == SopRunStatus.OPEN and due is not None and due < now
        progress = n_done / total if total else None
        data.append(
            (
                run_id,
                name,
                number,
                brand,
                labels[(kind, oid)],
                status.value,
                n_done,
                total,
                progress,
                started,
                due,
                overdue,
            )
        )
    return pd.DataFrame(data, columns=RUN_COLUMNS)


def overdue_steps(session: Session, actor: Actor, brand_ids: Sequence[int], limit: int = 500) -> pd.DataFrame:
    """Pending steps of open runs whose due time has passed, most overdue first. A step is due
    `due_offset_hours` after its run started; a step without an offset is due with the run."""
    brand_ids = require_brands(actor, Perm.SOP_RUN, brand_ids)
    if not brand_ids:
        return pd.DataFrame(columns=OVERDUE_COLUMNS)
    r = SopRun
    rows = session.execute(
        select(
            Brand.name,
            SopTemplate.name,
            r.object_type,
            r.object_id,
            SopStep.title,
            SopStep.owner_role,
            SopStep.due_offset_hours,
            r.started_at,
            r.due_at,
        )
        .select_from(SopStepResult)
        .join(r, r.id == SopStepResult.run_id)
        .join(SopStep, SopStep.id == SopStepResult.step_id)
        .join(SopTemplateVersion, SopTemplateVersion.id == r.template_version_id)
        .join(SopTemplate, SopTemplate.id == SopTemplateVersion.template_id)
        .join(Brand, Brand.id == r.brand_id)
        .where(
            r.brand_id.in_(brand_ids),
            r.status == SopRunStatus.OPEN,
            SopStepResult.status == StepStatus.PENDING,
        )
    ).all()
    now = clock.now()
    due_rows = []
    for brand, template, kind, oid, step, role, offset, started, run_due in rows:
        # Date arithmetic differs per store; the open runs' pending steps are few, so do it here.
        due = started + timedelta(hours=offset) if offset is not None else run_due
        if due is not None and due < now:
            due_rows.append((brand, template, kind, oid, step, role.label if role else "", due))
    labels = _object_labels(session, [(k, o) for _, _, k, o, *_ in due_rows])
    data = [
        # Rounded up to a tenth: a step overdue by two minutes must not read "0.0 hours overdue".
        (brand, template, labels[(k, o)], step, role, due, math.ceil((now - due).total_seconds() / 360) / 10)
        for brand, template, k, o, step, role, due in due_rows
    ]
    df = pd.DataFrame(data, columns=OVERDUE_COLUMNS)
    return df.sort_values("hours overdue", ascending=False).head(limit).reset_index(drop=True)
