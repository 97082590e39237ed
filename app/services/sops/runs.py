"""Working a checklist: starting a run on a post, campaign, brief, incident, brand or monthly report,
ticking its manual steps (by the step's owner role, or a manager), evaluating its automatic steps,
and completing or cancelling it. Every change is audited."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import select
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
)
from app.models.enums import Role, SopObjectType, SopRunStatus, StepStatus
from app.services.core import (
    Actor,
    NotFound,
    Perm,
    PermissionDenied,
    ValidationError,
    audit,
    clock,
    require,
    validation,
)
from app.services.org import find_brand
from app.services.sops.checks import evaluate
from app.services.sops.templates import current_version, get_template

# Whoever runs a brand may tick any step, whatever role the step names.
OVERRIDE_ROLES = frozenset({Role.MANAGER, Role.ADMIN})
TICK_STATUSES = (StepStatus.DONE, StepStatus.SKIPPED, StepStatus.FAILED)
CHECKER = Actor.system("system:sop-checks")
_TABLES: dict[SopObjectType, type[Post] | type[Campaign] | type[Brief] | type[Incident]] = {
    SopObjectType.POST: Post,
    SopObjectType.CAMPAIGN: Campaign,
    SopObjectType.BRIEF: Brief,
    SopObjectType.INCIDENT: Incident,
}


@dataclass(frozen=True)
class StepCheck:
    step_id: int
    title: str
    passed: bool
    text: str


def tick_refusal(actor: Actor, brand_id: int, owner_role: Role | None, auto_check: str | None) -> str | None:
    """Why `actor` may not tick this step by hand, or None when they may (pages show it as help text)."""
    if auto_check:
        return "The hub checks this step itself: press Re-check."
    if not actor.can(Perm.SOP_RUN, brand_id):
        return f"Your role ({actor.describe_role(brand_id)}) may not work checklists on this brand."
    role = actor.role_on(brand_id)
    if owner_role is None or role == owner_role or role in OVERRIDE_ROLES:
        return None
    return f"This step is for the {owner_role.label.lower()} role (or a manager); you are {actor.describe_role(brand_id)}."


def report_month_label(object_id: int) -> str:
    return f"{object_id // 100:04d}-{object_id % 100:02d}"


def object_label(session: Session, kind: SopObjectType, object_id: int) -> str:
    """'Post: Ramadan teaser', 'Report: 2026-10': what a run is attached to, in words."""
    if kind == SopObjectType.REPORT:
        return f"Report: {report_month_label(object_id)}"
    table = Brand if kind == SopObjectType.BRAND else _TABLES[kind]
    obj = session.get(table, object_id)
    name = getattr(obj, "title", None) or getattr(obj, "name", None) or f"#{object_id}"
    return f"{kind.value.capitalize()}: {name}"


def _object_brand(
    session: Session, actor: Actor, kind: SopObjectType, object_id: int, brand: str | int | None
) -> Brand:
    """The brand a run on this object belongs to; NotFound when the actor cannot see the object."""
    if kind == SopObjectType.REPORT:
        # Reports have no table: the object is the reported month (yyyymm) of a brand.
        if not (190001 <= object_id <= 299912 and 1 <= object_id % 100 <= 12):
            raise ValidationError(
                f"a report is named by its month as yyyymm, not {object_id}", field="object"
            )
        if brand is None:
            raise ValidationError("a report checklist needs the brand it reports on", field="brand")
        return find_brand(session, actor, brand)
    if kind == SopObjectType.BRAND:
        return find_brand(session, actor, object_id)
    obj = session.get(_TABLES[kind], object_id)
    visible = actor.visible_brand_ids()
    if obj is None or (visible is not None and obj.brand_id not in visible):
        raise NotFound(f"no {kind.value} {object_id}")
    row = session.get(Brand, obj.brand_id)
    assert row is not None
    return row


def _get_run(session: Session, actor: Actor, run_id: int) -> SopRun:
    run = session.get(SopRun, run_id)
    visible = actor.visible_brand_ids()
    if run is None or (visible is not None and run.brand_id not in visible):
        raise NotFound(f"no checklist run {run_id}")
    return run


def _run_label(session: Session, run: SopRun) -> str:
    name = session.scalar(
        select(SopTemplate.name)
        .join(SopTemplateVersion, SopTemplateVersion.template_id == SopTemplate.id)
        .where(SopTemplateVersion.id == run.template_version_id)
    )
    return f"{name} on {object_label(session, run.object_type, run.object_id)}"


def run_steps(session: Session, run: SopRun) -> list[tuple[SopStepResult, SopStep]]:
    """The run's results with their steps, in step order."""
    rows = session.execute(
        select(SopStepResult, SopStep)
        .join(SopStep, SopStep.id == SopStepResult.step_id)
        .where(SopStepResult.run_id == run.id)
        .order_by(SopStep.position)
    )
    return [(result, step) for result, step in rows]


def _evaluate(session: Session, run: SopRun) -> tuple[list[StepCheck], dict[str, str]]:
    """Evaluate the run's automatic steps and store what they found; returns the checks and the steps
    whose outcome changed (title → "passed"/"failed"), for the audit row."""
    now = clock.now()
    checks: list[StepCheck] = []
    changed: dict[str, str] = {}
    for result, step in run_steps(session, run):
        if not step.auto_check:
            continue
        outcome = evaluate(session, step.auto_check, run.object_type, run.object_id)
        status = StepStatus.DONE if outcome.passed else StepStatus.FAILED
        if result.status != status or result.auto_result != outcome.text:
            if result.status != status:
                changed[step.title] = "passed" if outcome.passed else "failed"
            result.status, result.auto_result = status, outcome.text
            result.done_at, result.done_by_id = now, None
        checks.append(StepCheck(step.id, step.title, outcome.passed, outcome.text))
    return checks, changed


def _settle(session: Session, actor: Actor, run: SopRun) -> None:
    """Complete the run when every required step is done; reopen a complete run a check now fails."""
    finished = all(r.status == StepStatus.DONE for r, s in run_steps(session, run) if s.required)
    if run.status == SopRunStatus.OPEN and finished:
        run.status, run.completed_at = SopRunStatus.COMPLETE, clock.now()
        action = "complete"
    elif run.status == SopRunStatus.COMPLETE and not finished:
        run.status, run.completed_at = SopRunStatus.OPEN, None
        action = "reopen"
    else:
        return
    session.flush()
    before = SopRunStatus.OPEN if action == "complete" else SopRunStatus.COMPLETE
    audit.record(
        session,
        actor,
        action,
        "sop_run",
        run.id,
        label=_run_label(session, run),
        brand_id=run.brand_id,
        before={"status": before.value},
        after={"status": run.status.value, "completed_at": audit.jsonable(run.completed_at)},
    )


def start_run(
    session: Session,
    actor: Actor,
    template_slug: str,
    object_type: SopObjectType | str,
    object_id: int,
    *,
    brand: str | int | None = None,
) -> SopRun:
    """A run of the template's current version on one object. A report (object_id = yyyymm) needs
    `brand`; for other objects the brand is the object's own."""
    template = get_template(session, actor, template_slug)
    kind = validation.choice(SopObjectType, object_type, "object type")
    brand_row = _object_brand(session, actor, kind, int(object_id), brand)
    label = object_label(session, kind, int(object_id))
    require(actor, Perm.SOP_RUN, brand_row.id, brand_row.slug)
    if not template.active:
        raise ValidationError(f"{template.name!r} is inactive: no new runs")
    if template.applies_to != kind:
        raise ValidationError(
            f"{template.name!r} is a checklist for a {template.applies_to.value}, not a {kind.value}"
        )
    if template.brand_id is not None and template.brand_id != brand_row.id:
        raise ValidationError(f"{template.name!r} belongs to another brand")
    already = session.scalar(
        select(SopRun.id)
        .join(SopTemplateVersion, SopTemplateVersion.id == SopRun.template_version_id)
        .where(
            SopTemplateVersion.template_id == template.id,
            SopRun.object_type == kind,
            SopRun.object_id == int(object_id),
            SopRun.status == SopRunStatus.OPEN,
        )
    )
    if already is not None:
        raise ValidationError(f"{template.name!r} is already open on {label} (run {already})")
    version = current_version(session, template)
    now = clock.now()
    offsets = [s.due_offset_hours for s in version.steps if s.due_offset_hours is not None]
    run = SopRun(
        template_version_id=version.id,
        brand_id=brand_row.id,
        object_type=kind,
        object_id=int(object_id),
        status=SopRunStatus.OPEN,
        started_by_id=actor.user_id,
        started_at=now,
        due_at=now + timedelta(hours=max(offsets)) if offsets else None,
    )
    run.results = [SopStepResult(step_id=s.id, status=StepStatus.PENDING) for s in version.steps]
    session.add(run)
    session.flush()
    audit.record(
        session,
        actor,
        "start",
        "sop_run",
        run.id,
        label=f"{template.name} v{version.number} on {label}",
        brand_id=brand_row.id,
        after=audit.snapshot(run),
    )
    _evaluate(session, run)
    session.flush()
    _settle(session, actor, run)
    return run


def complete_step(
    session: Session,
    actor: Actor,
    run_id: int,
    step_id: int,
    status: StepStatus | str = StepStatus.DONE,
    note: str = "",
) -> SopRun:
    """Tick a manual step done, skipped (optional steps only) or failed (with a note saying why)."""
    run = _get_run(session, actor, run_id)
    brand = session.get(Brand, run.brand_id)
    require(actor, Perm.SOP_RUN, run.brand_id, brand.slug if brand else None)
    new = validation.choice(StepStatus, status, "status")
    if new not in TICK_STATUSES:
        raise ValidationError("a step is ticked done, skipped or failed", field="status", value=new.value)
    if run.status != SopRunStatus.OPEN:
        raise ValidationError(f"this checklist is {run.status.value}: its steps can no longer be ticked")
    pair = next(((r, s) for r, s in run_steps(session, run) if s.id == step_id), None)
    if pair is None:
        raise NotFound(f"step {step_id} is not part of checklist run {run_id}")
    result, step = pair
    refusal = tick_refusal(actor, run.brand_id, step.owner_role, step.auto_check)
    if step.auto_check:
        raise ValidationError(f"{step.title!r} is an automatic check: the hub evaluates it (press Re-check)")
    if refusal:
        raise PermissionDenied(f"{actor.email} may not tick {step.title!r}: {refusal}")
    if new == StepStatus.SKIPPED and step.required:
        raise ValidationError(f"{step.title!r} is required and cannot be skipped")
    note = (note or "").strip()
    if new == StepStatus.FAILED and not note:
        raise ValidationError("say what failed in the note", field="note")
    before = {"status": result.status.value, "note": result.note}
    result.status, result.note = new, note
    result.done_by_id, result.done_at = actor.user_id, clock.now()
    session.flush()
    audit.record(
        session,
        actor,
        "tick",
        "sop_step_result",
        result.id,
        label=f"{step.title} ({_run_label(session, run)})",
        brand_id=run.brand_id,
        before=before,
        after={"status": new.value, "note": note},
    )
    # Automatic steps are looked at again whenever a person ticks one, so completion never rests on
    # a stale check.
    _evaluate(session, run)
    session.flush()
    _settle(session, actor, run)
    return run


def evaluate_checks(session: Session, run_id: int, actor: Actor | None = None) -> list[StepCheck]:
    """Evaluate the run's automatic steps now and store what they found. Jobs call it without an actor;
    a page passes the user, who needs SOP_RUN on the run's brand."""
    who = actor or CHECKER
    run = _get_run(session, who, run_id)
    if actor is not None:
        brand = session.get(Brand, run.brand_id)
        require(actor, Perm.SOP_RUN, run.brand_id, brand.slug if brand else None)
    if run.status == SopRunStatus.CANCELLED:
        raise ValidationError("this checklist was cancelled: nothing to check")
    checks, changed = _evaluate(session, run)
    session.flush()
    if changed:
        audit.record(
            session,
            who,
            "check",
            "sop_run",
            run.id,
            label=_run_label(session, run),
            brand_id=run.brand_id,
            after=changed,
        )
    _settle(session, who, run)
    return checks


def may_cancel(actor: Actor, run: SopRun) -> bool:
    """The person who started it, or someone who manages checklists on the brand."""
    if actor.can(Perm.SOP_MANAGE, run.brand_id):
        return True
    return (
        actor.can(Perm.SOP_RUN, run.brand_id)
        and actor.user_id is not None
        and actor.user_id == run.started_by_id
    )


def cancel_run(session: Session, actor: Actor, run_id: int, reason: str = "") -> SopRun:
    run = _get_run(session, actor, run_id)
    if not may_cancel(actor, run):
        raise PermissionDenied(
            f"{actor.email} ({actor.describe_role(run.brand_id)}) may not cancel a checklist someone else started"
        )
    if run.status != SopRunStatus.OPEN:
        raise ValidationError(f"this checklist is {run.status.value}: only open checklists can be cancelled")
    run.status = SopRunStatus.CANCELLED
    session.flush()
    audit.record(
        session,
        actor,
        "cancel",
        "sop_run",
        run.id,
        label=_run_label(session, run),
        brand_id=run.brand_id,
        before={"status": SopRunStatus.OPEN.value},
        after={"status": run.status.value, "reason": (reason or "").strip()},
    )
    return run
