"""Managing the SOP library: creating templates, revising them (every revision is a new version; runs
keep the version they started with), retiring them, and the brand requirements that gate posts."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import Brand, Campaign, SopRequirement, SopStep, SopTemplate, SopTemplateVersion
from app.models.enums import PostType, Role, SopObjectType
from app.services.core import Actor, NotFound, Perm, ValidationError, audit, require, validation
from app.services.org import current_workspace, find_brand
from app.services.sops.checks import CHECKS

MAX_STEPS = 60


@dataclass(frozen=True)
class StepInput:
    """One step as a person writes it; `owner_role` None means anyone who may work checklists."""

    title: str
    instructions: str = ""
    owner_role: Role | None = None
    auto_check: str | None = None
    required: bool = True
    due_offset_hours: int | None = None


def _blank(value: Any) -> bool:
    """Empty cells of a form or a data editor: None, "", NaN."""
    return value is None or (isinstance(value, float) and value != value) or str(value).strip() == ""


def clean_step(raw: StepInput | Mapping[str, Any], applies_to: SopObjectType, number: int) -> StepInput:
    """A validated step; errors name the step by its number, as the person sees it."""
    data = asdict(raw) if isinstance(raw, StepInput) else dict(raw)
    where = f"step {number}"
    title = validation.required_text(data.get("title"), f"{where}: title")
    role = data.get("owner_role")
    owner = None if _blank(role) else validation.choice(Role, role, f"{where}: owner role")
    check = None if _blank(data.get("auto_check")) else str(data["auto_check"]).strip()
    if check is not None:
        if check not in CHECKS:
            known = ", ".join(CHECKS)
            raise ValidationError(
                f"{where}: {check!r} is not an automatic check (known: {known})",
                field="auto_check",
                value=check,
            )
        if applies_to not in CHECKS[check].applies_to:
            raise ValidationError(
                f"{where}: the check {check!r} cannot be evaluated on a {applies_to.value}",
                field="auto_check",
                value=check,
            )
    due = data.get("due_offset_hours")
    if _blank(due):
        hours = None
    else:
        try:
            hours = int(float(due))
        except (TypeError, ValueError):
            raise ValidationError(f"{where}: due after (h) must be a number of hours", field="due") from None
        if hours < 0 or hours > 24 * 365:
            raise ValidationError(f"{where}: due after (h) must be between 0 and 8760", field="due")
    required = data.get("required", True)
    return StepInput(
        title=title,
        instructions=str(data.get("instructions") or "").strip(),
        owner_role=owner,
        auto_check=check,
        required=True if required is None else bool(required),
        due_offset_hours=hours,
    )


def clean_steps(steps: Iterable[StepInput | Mapping[str, Any]], applies_to: SopObjectType) -> list[StepInput]:
    cleaned = [clean_step(s, applies_to, n) for n, s in enumerate(steps, start=1)]
    if not cleaned:
        raise ValidationError("a checklist needs at least one step", field="steps")
    if len(cleaned) > MAX_STEPS:
        raise ValidationError(f"a checklist has at most {MAX_STEPS} steps", field="steps")
    return cleaned


def _step_json(step: StepInput) -> dict[str, Any]:
    return audit.jsonable(asdict(step))


def _version_steps(version: SopTemplateVersion) -> list[StepInput]:
    return [
        StepInput(s.title, s.instructions, s.owner_role, s.auto_check, s.required, s.due_offset_hours)
        for s in version.steps
    ]


def get_template(session: Session, actor: Actor, slug: str) -> SopTemplate:
    """The template with this slug, if it is workspace-wide or of a brand `actor` may see."""
    ws = current_workspace(session)
    template = session.scalars(
        select(SopTemplate).where(SopTemplate.workspace_id == ws.id, SopTemplate.slug == (slug or "").strip())
    ).first()
    visible = actor.visible_brand_ids()
    if template is None or (
        template.brand_id is not None and visible is not None and template.brand_id not in visible
    ):
        raise NotFound(f"no SOP template {slug!r}")
    return template


def current_version(session: Session, template: SopTemplate) -> SopTemplateVersion:
    version = session.scalars(
        select(SopTemplateVersion).where(
            SopTemplateVersion.template_id == template.id,
            SopTemplateVersion.number == template.current_version,
        )
    ).one_or_none()
    if version is None:
        raise NotFound(f"SOP template {template.slug!r} has no version {template.current_version}")
    return version


def _require_manage(session: Session, actor: Actor, template: SopTemplate) -> None:
    """Workspace templates need the right workspace-wide; a brand's template, on that brand."""
    label = (
        session.scalar(select(Brand.slug).where(Brand.id == template.brand_id)) if template.brand_id else None
    )
    require(actor, Perm.SOP_MANAGE, template.brand_id, brand_label=label)


def may_manage_template(session: Session, actor: Actor, slug: str) -> bool:
    """Whether `actor` may revise or retire this template (pages grey out what they may not do)."""
    template = get_template(session, actor, slug)
    return actor.can(Perm.SOP_MANAGE, template.brand_id)


def _unique_slug(session: Session, workspace_id: int, name: str) -> str:
    base = validation.slugify(name)[:100] or "checklist"
    taken = set(
        session.scalars(
            select(SopTemplate.slug).where(
                SopTemplate.workspace_id == workspace_id, SopTemplate.slug.like(f"{base}%")
            )
        )
    )
    slug, n = base, 2
    while slug in taken:
        slug, n = f"{base}-{n}", n + 1
    return slug


def _add_version(
    session: Session, actor: Actor, template: SopTemplate, number: int, steps: list[StepInput], notes: str
) -> SopTemplateVersion:
    version = SopTemplateVersion(template=template, number=number, notes=notes, created_by_id=actor.user_id)
    version.steps = [
        SopStep(
            position=pos,
            title=s.title,
            instructions=s.instructions,
            owner_role=s.owner_role,
            auto_check=s.auto_check,
            required=s.required,
            due_offset_hours=s.due_offset_hours,
        )
        for pos, s in enumerate(steps, start=1)
    ]
    session.add(version)
    return version


def create_template(
    session: Session,
    actor: Actor,
    *,
    name: str,
    applies_to: SopObjectType | str,
    steps: Iterable[StepInput | Mapping[str, Any]],
    brand: str | int | None = None,
    description: str = "",
) -> SopTemplate:
    """A new template with its version 1; `brand` None makes it available to every brand."""
    ws = current_workspace(session)
    brand_row = find_brand(session, actor, brand) if brand is not None else None
    require(
        actor, Perm.SOP_MANAGE, brand_row.id if brand_row else None, brand_row.slug if brand_row else None
    )
    name = validation.required_text(name, "name")
    kind = validation.choice(SopObjectType, applies_to, "applies to")
    cleaned = clean_steps(steps, kind)
    template = SopTemplate(
        workspace_id=ws.id,
        brand_id=brand_row.id if brand_row else None,
        slug=_unique_slug(session, ws.id, name),
        name=name,
        description=(description or "").strip(),
        applies_to=kind,
        current_version=1,
        active=True,
    )
    session.add(template)
    _add_version(session, actor, template, 1, cleaned, "First version.")
    session.flush()
    audit.record(
        session,
        actor,
        "create",
        "sop_template",
        template.id,
        label=name,
        brand_id=template.brand_id,
        after={**audit.snapshot(template), "steps": [_step_json(s) for s in cleaned]},
    )
    return template


def revise_template(
    session: Session,
    actor: Actor,
    slug: str,
    steps: Iterable[StepInput | Mapping[str, Any]],
    notes: str,
) -> SopTemplateVersion:
    """A new version (number + 1) with these steps, which new runs will use; open runs keep theirs."""
    template = get_template(session, actor, slug)
    _require_manage(session, actor, template)
    notes = validation.required_text(notes, "notes (what changed and why)", max_len=2000)
    cleaned = clean_steps(steps, template.applies_to)
    previous = current_version(session, template)
    old = _version_steps(previous)
    if cleaned == old:
        raise ValidationError(
            f"the steps are the same as version {previous.number}: change something first", field="steps"
        )
    number = template.current_version + 1
    version = _add_version(session, actor, template, number, cleaned, notes)
    template.current_version = number
    session.flush()
    audit.record(
        session,
        actor,
        "revise",
        "sop_template",
        template.id,
        label=template.name,
        brand_id=template.brand_id,
        before={"version": previous.number, "steps": [_step_json(s) for s in old]},
        after={"version": number, "notes": notes, "steps": [_step_json(s) for s in cleaned]},
    )
    return version


def set_template_active(session: Session, actor: Actor, slug: str, active: bool) -> SopTemplate:
    """Retire a template (no new runs, no longer required of posts) or bring it back."""
    template = get_template(session, actor, slug)
    _require_manage(session, actor, template)
    if template.active == active:
        state = "active" if active else "inactive"
        raise ValidationError(f"{template.name!r} is already {state}")
    audit.update(
        session,
        actor,
        template,
        {"active": active},
        object_type="sop_template",
        label=lambda t: t.name,
        brand_id=template.brand_id,
        action="reactivate" if active else "deactivate",
    )
    return template


def deactivate_template(session: Session, actor: Actor, slug: str) -> SopTemplate:
    return set_template_active(session, actor, slug, False)


def reactivate_template(session: Session, actor: Actor, slug: str) -> SopTemplate:
    return set_template_active(session, actor, slug, True)


def _requirement_label(template: SopTemplate, post_type: PostType | None, campaign: Campaign | None) -> str:
    scope = [f"{post_type.value} posts"] if post_type else []
    scope += [f"posts of campaign {campaign.name!r}"] if campaign else []
    return f"{template.name} for {' and '.join(scope) or 'every post'}"


def set_requirement(
    session: Session,
    actor: Actor,
    brand: str | int,
    template_slug: str,
    post_type: PostType | str | None = None,
    campaign: str | int | None = None,
) -> SopRequirement:
    """The brand requires this post checklist before its posts may be scheduled: for posts of a type,
    of a campaign (both: posts that are both), or every post when neither is given."""
    brand_row = find_brand(session, actor, brand)
    require(actor, Perm.SOP_MANAGE, brand_row.id, brand_row.slug)
    template = get_template(session, actor, template_slug)
    if template.applies_to != SopObjectType.POST:
        raise ValidationError(
            f"{template.name!r} is a {template.applies_to.value} checklist; only post checklists gate posts"
        )
    if template.brand_id is not None and template.brand_id != brand_row.id:
        raise ValidationError(f"{template.name!r} belongs to another brand")
    if not template.active:
        raise ValidationError(f"{template.name!r} is inactive: reactivate it first")
    kind = None if _blank(post_type) else validation.choice(PostType, post_type, "post type")  # type: ignore[arg-type]
    camp = None
    if not _blank(campaign):
        column = Campaign.id if isinstance(campaign, int) else Campaign.slug
        camp = session.scalars(
            select(Campaign).where(Campaign.brand_id == brand_row.id, column == campaign)
        ).first()
        if camp is None:
            raise NotFound(f"no campaign {campaign!r} on brand {brand_row.slug!r}")
    same = session.scalars(
        select(SopRequirement.id).where(
            SopRequirement.brand_id == brand_row.id,
            SopRequirement.template_id == template.id,
            SopRequirement.post_type.is_(None) if kind is None else SopRequirement.post_type == kind,
            SopRequirement.campaign_id.is_(None) if camp is None else SopRequirement.campaign_id == camp.id,
        )
    ).first()
    label = _requirement_label(template, kind, camp)
    if same is not None:
        raise ValidationError(f"{brand_row.name} already requires {label}")
    req = SopRequirement(
        brand_id=brand_row.id, template_id=template.id, post_type=kind, campaign_id=camp.id if camp else None
    )
    session.add(req)
    session.flush()
    audit.record(
        session,
        actor,
        "create",
        "sop_requirement",
        req.id,
        label=label,
        brand_id=brand_row.id,
        after=audit.snapshot(req),
    )
    return req


def remove_requirement(session: Session, actor: Actor, requirement_id: int) -> None:
    req = session.get(SopRequirement, requirement_id)
    visible = actor.visible_brand_ids()
    if req is None or (visible is not None and req.brand_id not in visible):
        raise NotFound(f"no SOP requirement {requirement_id}")
    brand = session.get(Brand, req.brand_id)
    require(actor, Perm.SOP_MANAGE, req.brand_id, brand.slug if brand else None)
    template = session.get(SopTemplate, req.template_id)
    camp = session.get(Campaign, req.campaign_id) if req.campaign_id else None
    label = _requirement_label(template, req.post_type, camp) if template else f"requirement {req.id}"
    before = audit.snapshot(req)
    session.delete(req)
    session.flush()
    audit.record(
        session,
        actor,
        "delete",
        "sop_requirement",
        requirement_id,
        label=label,
        brand_id=req.brand_id,
        before=before,
    )
