"""Setting up approval flows: per brand (optionally one campaign), an ordered list of stages, each
naming a role or people and whether any one or all of them must approve. Managers and admins set
them up; a used flow is never rewritten (a change makes a new one), so the history stays true."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from app.models import ApprovalFlow, ApprovalRequest, ApprovalStage, Campaign, User, approval_stage_approvers
from app.models.enums import ApprovalRule, Role
from app.services.core import Actor, Conflict, NotFound, Perm, ValidationError, audit, require, validation


@dataclass(frozen=True)
class StageInput:
    name: str
    role: str | None = None  # a Role value, or None when people are named
    approvers: tuple[str, ...] = ()  # e-mails
    rule: str = ApprovalRule.ANY.value


@dataclass(frozen=True)
class FlowView:
    id: int
    brand_id: int
    name: str
    campaign_id: int | None
    active: bool
    version: int
    stages: list[StageInput] = field(default_factory=list)


def _stages_of(session: Session, flow: ApprovalFlow) -> list[StageInput]:
    out = []
    for stage in flow.stages:
        emails = tuple(
            session.scalars(
                select(User.email)
                .join(approval_stage_approvers, approval_stage_approvers.c.user_id == User.id)
                .where(approval_stage_approvers.c.stage_id == stage.id)
                .order_by(User.email)
            )
        )
        out.append(StageInput(stage.name, stage.role.value if stage.role else None, emails, stage.rule.value))
    return out


def list_flows(session: Session, actor: Actor, brand_id: int) -> list[FlowView]:
    if not (actor.can(Perm.CONTENT_EDIT, brand_id) or actor.can(Perm.CONTENT_APPROVE, brand_id)):
        require(actor, Perm.FLOWS_MANAGE, brand_id)
    flows = session.scalars(
        select(ApprovalFlow)
        .where(ApprovalFlow.brand_id == brand_id)
        .order_by(ApprovalFlow.active.desc(), ApprovalFlow.id.desc())
    )
    return [
        FlowView(f.id, f.brand_id, f.name, f.campaign_id, f.active, f.version, _stages_of(session, f))
        for f in flows
    ]


def _clean(
    session: Session, stages: Sequence[StageInput]
) -> list[tuple[str, Role | None, list[int], ApprovalRule]]:
    if not stages:
        raise ValidationError("a flow needs at least one stage", field="stages")
    out = []
    for n, s in enumerate(stages, start=1):
        name = validation.required_text(s.name, f"stage {n} name", 120)
        role = validation.choice(Role, s.role, f"stage {n} role") if s.role else None
        rule = validation.choice(ApprovalRule, s.rule or "any", f"stage {n} rule")
        ids = []
        for email in s.approvers:
            user = session.scalars(
                select(User).where(User.email == validation.email(email, f"stage {n} approver"))
            ).first()
            if user is None or not user.active:
                raise ValidationError(
                    f"stage {n} ({name}): no active user {email!r}", field="approvers", value=email
                )
            ids.append(user.id)
        if role is None and not ids:
            raise ValidationError(f"stage {n} ({name}): name a role or at least one person", field="stages")
        if role is not None and ids:
            raise ValidationError(f"stage {n} ({name}): name a role or people, not both", field="stages")
        if role in (Role.VIEWER, Role.EDITOR, Role.COMMUNITY_MANAGER):
            raise ValidationError(
                f"stage {n} ({name}): the {role.label.lower()} role cannot approve; pick approver, manager or admin",
                field="role",
            )
        out.append((name, role, ids, rule))
    return out


def save_flow(
    session: Session,
    actor: Actor,
    *,
    brand_id: int,
    name: str,
    stages: Sequence[StageInput],
    campaign_id: int | None = None,
    flow_id: int | None = None,
    expected_version: int | None = None,
) -> int:
    """Create a flow, or change one. A flow that posts have already gone through is not rewritten:
    the change becomes a new flow and the old one is switched off, so every past decision keeps the
    stage it was made at and posts waiting in the old flow finish there. Returns the flow's id."""
    require(actor, Perm.FLOWS_MANAGE, brand_id)
    name = validation.required_text(name, "flow name")
    if campaign_id is not None:
        camp = session.get(Campaign, campaign_id)
        if camp is None or camp.brand_id != brand_id:
            raise ValidationError(f"campaign {campaign_id} is not one of this brand's", field="campaign")
    cleaned = _clean(session, stages)
    before = None
    flow = None
    if flow_id is not None:
        old = session.get(ApprovalFlow, flow_id)
        if old is None or old.brand_id != brand_id:
            raise NotFound(f"no approval flow {flow_id}")
        if expected_version is not None and old.version != expected_version:
            raise Conflict(f"flow {old.name!r} was changed by someone else meanwhile; reload it")
        before = {
            "flow": old.id,
            "name": old.name,
            "campaign_id": old.campaign_id,
            "stages": [audit.jsonable(s.__dict__) for s in _stages_of(session, old)],
        }
        used = session.scalars(select(ApprovalRequest.id).where(ApprovalRequest.flow_id == old.id)).first()
        if used is None:
            flow = old
            flow.name, flow.campaign_id, flow.active = name, campaign_id, True
            flow.stages.clear()  # never used: no decision points at these stages
            session.flush()
        else:
            old.active = False
    if flow is None:
        flow = ApprovalFlow(brand_id=brand_id, campaign_id=campaign_id, name=name, active=True)
        session.add(flow)
        session.flush()
    for pos, (sname, role, ids, rule) in enumerate(cleaned, start=1):
        stage = ApprovalStage(flow_id=flow.id, position=pos, name=sname, role=role, rule=rule)
        session.add(stage)
        session.flush()
        if ids:
            session.execute(
                insert(approval_stage_approvers), [{"stage_id": stage.id, "user_id": u} for u in ids]
            )
    session.flush()
    session.refresh(flow)
    after = {
        "flow": flow.id,
        "name": name,
        "campaign_id": campaign_id,
        "stages": [audit.jsonable(s.__dict__) for s in stages],
    }
    audit.record(
        session,
        actor,
        "create" if before is None else "update",
        "approval_flow",
        flow.id,
        label=name,
        brand_id=brand_id,
        before=before,
        after=after,
    )
    return flow.id


def set_flow_active(session: Session, actor: Actor, flow_id: int, active: bool) -> None:
    flow = session.get(ApprovalFlow, flow_id)
    if flow is None:
        raise NotFound(f"no approval flow {flow_id}")
    require(actor, Perm.FLOWS_MANAGE, flow.brand_id)
    audit.update(
        session,
        actor,
        flow,
        {"active": bool(active)},
        object_type="approval_flow",
        label=lambda f: f.name,
        brand_id=flow.brand_id,
    )
