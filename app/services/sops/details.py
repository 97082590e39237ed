"""SOP reads for working checklists: one run with its steps (and which ones the reader may tick), the
completion history with who and when, brand requirements, and what a new run can be started on."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

import pandas as pd
from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from app.models import (
    Brand,
    Brief,
    Campaign,
    Incident,
    Post,
    SopRequirement,
    SopRun,
    SopStep,
    SopStepResult,
    SopTemplate,
    SopTemplateVersion,
    User,
)
from app.models.enums import BriefStatus, PostStatus, SopObjectType, SopRunStatus
from app.services.core import Actor, Perm, clock, require_brands, utc_bounds, visible_row
from app.services.org import current_workspace
from app.services.sops.checks import CHECKS
from app.services.sops.runs import may_cancel, object_label, report_month_label, tick_refusal

DETAIL_COLUMNS = [
    "step_id",
    "step",
    "title",
    "status",
    "found",
    "owner role",
    "required",
    "due",
    "done by",
    "done at",
    "note",
    "automatic check",
    "you may tick",
]
HISTORY_COLUMNS = [
    "id",
    "template",
    "version",
    "brand",
    "object",
    "started",
    "started by",
    "completed",
    "completed by",
    "hours taken",
]
REQUIREMENT_COLUMNS = ["id", "brand", "checklist", "post type", "campaign", "applies to", "active"]
# Posts a checklist is still useful on: not yet out of the door.
_WORKABLE_POSTS = (
    PostStatus.IDEA,
    PostStatus.DRAFT,
    PostStatus.IN_REVIEW,
    PostStatus.APPROVED,
    PostStatus.SCHEDULED,
    PostStatus.FAILED,
)


@dataclass(frozen=True, eq=False)
class RunDetail:
    id: int
    template: str
    template_slug: str
    version: int
    brand_id: int
    brand: str
    object: str
    status: SopRunStatus
    started: datetime
    started_by: str
    due: datetime | None
    completed: datetime | None
    may_cancel: bool
    steps: pd.DataFrame  # DETAIL_COLUMNS
    # step id → why the reader may not tick it by hand (steps they may tick are absent).
    refusals: dict[int, str] = field(default_factory=dict)


def _person(name: str | None, email: str | None) -> str:
    return (name or "").strip() or (email or "")


def _people(session: Session, ids: set[int | None]) -> dict[int, str]:
    wanted = sorted(i for i in ids if i is not None)
    if not wanted:
        return {}
    rows = session.execute(select(User.id, User.name, User.email).where(User.id.in_(wanted)))
    return {uid: _person(name, email) for uid, name, email in rows}


def _done_by(people: dict[int, str], result: SopStepResult, step: SopStep) -> str:
    if result.done_by_id is not None:
        return people.get(result.done_by_id, "")
    # Automatic steps are set by the hub itself, with no person behind them.
    return "the hub" if step.auto_check and result.done_at else ""


def run_detail(session: Session, actor: Actor, run_id: int) -> RunDetail:
    """One run with every step: status, owner role, due time, who ticked it, what a check found."""
    run = visible_row(session, actor, SopRun, run_id, "checklist run", Perm.SOP_RUN)
    version = session.get(SopTemplateVersion, run.template_version_id)
    assert version is not None
    template = session.get(SopTemplate, version.template_id)
    brand = session.get(Brand, run.brand_id)
    assert template is not None and brand is not None
    rows = session.execute(
        select(SopStepResult, SopStep)
        .join(SopStep, SopStep.id == SopStepResult.step_id)
        .where(SopStepResult.run_id == run.id)
        .order_by(SopStep.position)
    ).all()
    people = _people(session, {r.done_by_id for r, _ in rows} | {run.started_by_id})
    refusals: dict[int, str] = {}
    data = []
    for result, step in rows:
        refusal = tick_refusal(actor, run.brand_id, step.owner_role, step.auto_check)
        if refusal:
            refusals[step.id] = refusal
        due = run.started_at + timedelta(hours=step.due_offset_hours) if step.due_offset_hours else run.due_at
        check = CHECKS[step.auto_check].label if step.auto_check in CHECKS else (step.auto_check or "")
        data.append(
            (
                step.id,
                step.position,
                step.title,
                result.status.value,
                result.auto_result or "",
                step.owner_role.label if step.owner_role else "anyone",
                step.required,
                due,
                _done_by(people, result, step),
                result.done_at,
                result.note,
                check,
                refusal is None,
            )
        )
    return RunDetail(
        id=run.id,
        template=template.name,
        template_slug=template.slug,
        version=version.number,
        brand_id=brand.id,
        brand=brand.name,
        object=object_label(session, run.object_type, run.object_id),
        status=run.status,
        started=run.started_at,
        started_by=people.get(run.started_by_id or -1, ""),
        due=run.due_at,
        completed=run.completed_at,
        may_cancel=run.status == SopRunStatus.OPEN and may_cancel(actor, run),
        steps=pd.DataFrame(data, columns=DETAIL_COLUMNS),
        refusals=refusals,
    )


def completion_history(
    session: Session,
    actor: Actor,
    brand_ids: Sequence[int],
    start: date | None = None,
    end: date | None = None,
    limit: int = 1000,
) -> pd.DataFrame:
    """Runs completed in the period (by completion time), newest first. "completed by" is whoever made
    the last tick, as completion follows from it."""
    brand_ids = require_brands(actor, Perm.SOP_RUN, brand_ids)
    if not brand_ids:
        return pd.DataFrame(columns=HISTORY_COLUMNS)
    r = SopRun
    stmt = (
        select(r, SopTemplate.name, SopTemplateVersion.number, Brand.name)
        .join(SopTemplateVersion, SopTemplateVersion.id == r.template_version_id)
        .join(SopTemplate, SopTemplate.id == SopTemplateVersion.template_id)
        .join(Brand, Brand.id == r.brand_id)
        .where(r.brand_id.in_(brand_ids), r.status == SopRunStatus.COMPLETE, r.completed_at.is_not(None))
        .order_by(r.completed_at.desc())
        .limit(limit)
    )
    if start is not None and end is not None:
        lo, hi = utc_bounds(start, end)
        stmt = stmt.where(r.completed_at >= lo, r.completed_at < hi)
    rows = session.execute(stmt).all()
    run_ids = [run.id for run, *_ in rows]
    last_by: dict[int, tuple[datetime, int]] = {}
    if run_ids:
        for rid, at, uid in session.execute(
            select(SopStepResult.run_id, SopStepResult.done_at, SopStepResult.done_by_id).where(
                SopStepResult.run_id.in_(run_ids),
                SopStepResult.done_by_id.is_not(None),
                SopStepResult.done_at.is_not(None),
            )
        ):
            if rid not in last_by or at > last_by[rid][0]:
                last_by[rid] = (at, uid)
    people = _people(session, {run.started_by_id for run, *_ in rows} | {u for _, u in last_by.values()})
    data = []
    for run, template, number, brand in rows:
        by = last_by.get(run.id)
        hours = (run.completed_at - run.started_at).total_seconds() / 3600
        data.append(
            (
                run.id,
                template,
                number,
                brand,
                object_label(session, run.object_type, run.object_id),
                run.started_at,
                people.get(run.started_by_id or -1, ""),
                run.completed_at,
                people.get(by[1], "") if by else "",
                round(hours, 1),
            )
        )
    return pd.DataFrame(data, columns=HISTORY_COLUMNS)


def completions_per_week(history: pd.DataFrame) -> pd.DataFrame:
    """Completed runs per ISO week (starting Monday) and template, from `completion_history`."""
    if history.empty:
        return pd.DataFrame(columns=["week", "template", "completed"])
    completed = pd.to_datetime(history["completed"], utc=True).dt.tz_convert(None)
    week = completed.dt.normalize() - pd.to_timedelta(completed.dt.day_of_week, unit="D")
    out = history.assign(week=week).groupby(["week", "template"]).size().reset_index(name="completed")
    return out.sort_values(["week", "template"]).reset_index(drop=True)


def list_requirements(session: Session, actor: Actor, brand_ids: Sequence[int]) -> pd.DataFrame:
    """The checklists each brand requires of its posts, and which posts they apply to."""
    brand_ids = require_brands(actor, Perm.SOP_RUN, brand_ids)
    if not brand_ids:
        return pd.DataFrame(columns=REQUIREMENT_COLUMNS)
    q = SopRequirement
    rows = session.execute(
        select(q.id, Brand.name, SopTemplate.name, q.post_type, Campaign.name, SopTemplate.active)
        .join(Brand, Brand.id == q.brand_id)
        .join(SopTemplate, SopTemplate.id == q.template_id)
        .outerjoin(Campaign, Campaign.id == q.campaign_id)
        .where(q.brand_id.in_(brand_ids))
        .order_by(Brand.name, SopTemplate.name, q.id)
    ).all()
    data = []
    for rid, brand, template, post_type, campaign, active in rows:
        scope = [f"{post_type.value} posts"] if post_type else []
        scope += [f"posts of {campaign}"] if campaign else []
        applies = " and ".join(scope) or "every post"
        data.append(
            (rid, brand, template, post_type.value if post_type else "", campaign or "", applies, active)
        )
    return pd.DataFrame(data, columns=REQUIREMENT_COLUMNS)


def startable_templates(
    session: Session, actor: Actor, brand_id: int, kind: SopObjectType | str
) -> dict[str, str]:
    """slug → name of the active templates that can run on this kind of object of the brand."""
    require_brands(actor, Perm.SOP_RUN, [brand_id])
    ws = current_workspace(session)
    rows = session.execute(
        select(SopTemplate.slug, SopTemplate.name)
        .where(
            SopTemplate.workspace_id == ws.id,
            SopTemplate.active.is_(True),
            SopTemplate.applies_to == SopObjectType(kind),
            or_(SopTemplate.brand_id.is_(None), SopTemplate.brand_id == brand_id),
        )
        .order_by(SopTemplate.name)
    ).all()
    return dict(rows)


def run_targets(
    session: Session, actor: Actor, brand_id: int, kind: SopObjectType | str, limit: int = 300
) -> dict[int, str]:
    """id → label of the brand's objects of this kind a checklist can be started on (for a report,
    the last twelve months as yyyymm)."""
    require_brands(actor, Perm.SOP_RUN, [brand_id])
    kind = SopObjectType(kind)
    if kind == SopObjectType.REPORT:
        today = clock.today()
        months = [(today.year * 12 + today.month - 1 - k) for k in range(12)]
        ids = [(m // 12) * 100 + m % 12 + 1 for m in months]
        return {i: f"Report {report_month_label(i)}" for i in ids}
    if kind == SopObjectType.BRAND:
        name = session.scalar(select(Brand.name).where(Brand.id == brand_id))
        return {brand_id: f"{name} (the brand itself)"}
    if kind == SopObjectType.POST:
        posts = session.execute(
            select(Post.id, Post.title, Post.status)
            .where(Post.brand_id == brand_id, Post.status.in_(_WORKABLE_POSTS))
            .order_by(Post.updated_at.desc(), Post.id.desc())
            .limit(limit)
        ).all()
        return {pid: f"{title} ({status.label.lower()})" for pid, title, status in posts}
    if kind == SopObjectType.CAMPAIGN:
        # Archived campaigns take no new checklist or requirement (their old runs stay where they are).
        stmt = select(Campaign.id, Campaign.name).where(
            Campaign.brand_id == brand_id, Campaign.archived_at.is_(None)
        )
        stmt = stmt.order_by(Campaign.start_date.desc())
    elif kind == SopObjectType.BRIEF:
        stmt = select(Brief.id, Brief.title).where(
            Brief.brand_id == brand_id, Brief.status.in_((BriefStatus.DRAFT, BriefStatus.ACTIVE))
        )
        stmt = stmt.order_by(Brief.created_at.desc())
    else:
        stmt = select(Incident.id, Incident.title).where(Incident.brand_id == brand_id)
        stmt = stmt.order_by(Incident.opened_at.desc())
    return {oid: label for oid, label in session.execute(stmt.limit(limit))}
