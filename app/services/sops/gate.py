"""The gate between a post and the schedule: which checklists its brand requires of it, and what still
stands in the way. Scheduling code calls `blockers_for_post`; it checks no permission and writes nothing."""

from __future__ import annotations

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from app.models import Post, SopRequirement, SopRun, SopStep, SopStepResult, SopTemplate, SopTemplateVersion
from app.models.enums import SopObjectType, SopRunStatus, StepStatus
from app.services.sops.checks import evaluate


def required_templates(session: Session, post: Post) -> list[SopTemplate]:
    """The active templates the post's brand requires of it: requirements for its post type, for its
    campaign, or for every post (a requirement naming both applies to posts that match both)."""
    r = SopRequirement
    campaign_match = (
        r.campaign_id.is_(None)
        if post.campaign_id is None
        else or_(r.campaign_id.is_(None), r.campaign_id == post.campaign_id)
    )
    return list(
        session.scalars(
            select(SopTemplate)
            .join(r, r.template_id == SopTemplate.id)
            .where(
                r.brand_id == post.brand_id,
                or_(r.post_type.is_(None), r.post_type == post.post_type),
                campaign_match,
                # A retired template can no longer be started, so it cannot be demanded either.
                SopTemplate.active.is_(True),
                SopTemplate.applies_to == SopObjectType.POST,
            )
            .distinct()
            .order_by(SopTemplate.name)
        )
    )


def newest_run(session: Session, template: SopTemplate, post: Post) -> SopRun | None:
    """The latest run of the template (any version) on the post; a cancelled run does not count."""
    return session.scalars(
        select(SopRun)
        .join(SopTemplateVersion, SopTemplateVersion.id == SopRun.template_version_id)
        .where(
            SopTemplateVersion.template_id == template.id,
            SopRun.object_type == SopObjectType.POST,
            SopRun.object_id == post.id,
            SopRun.status != SopRunStatus.CANCELLED,
        )
        .order_by(SopRun.started_at.desc(), SopRun.id.desc())
        .limit(1)
    ).first()


def _blockers_of_run(session: Session, template: SopTemplate, run: SopRun, post: Post) -> list[str]:
    steps = session.execute(
        select(SopStepResult.status, SopStep.title, SopStep.auto_check)
        .join(SopStep, SopStep.id == SopStepResult.step_id)
        .where(SopStepResult.run_id == run.id, SopStep.required.is_(True))
        .order_by(SopStep.position)
    ).all()
    quoted = f"Checklist '{template.name}'"
    # Automatic steps are judged on the post as it is now, not on what they found last time.
    failing: dict[int, str] = {}
    for i, (_, _, check) in enumerate(steps):
        if check and not (outcome := evaluate(session, check, SopObjectType.POST, post.id)).passed:
            failing[i] = outcome.text
    if run.status == SopRunStatus.COMPLETE:
        return [
            f"{quoted} was completed, but '{steps[i][1]}' fails now: {text}" for i, text in failing.items()
        ]
    still_open = [
        title
        for i, (status, title, check) in enumerate(steps)
        if (i in failing if check else status != StepStatus.DONE)
    ]
    if not still_open:
        return [
            f"{quoted} is not complete: its steps pass now but it has not been re-checked "
            "(press Re-check on the SOPs page)"
        ]
    return [
        f"{quoted} is not complete: {len(still_open)} of {len(steps)} steps open ({', '.join(still_open)})"
    ]


def blockers_for_post(session: Session, post: Post) -> list[str]:
    """Why the post may not be scheduled yet, one sentence per problem; an empty list means it may.
    The caller checks permissions."""
    blockers: list[str] = []
    for template in required_templates(session, post):
        run = newest_run(session, template, post)
        if run is None:
            blockers.append(f"Checklist '{template.name}' has not been started for this post")
            continue
        blockers += _blockers_of_run(session, template, run, post)
    return blockers
