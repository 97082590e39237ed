"""Approvals: the queue of posts waiting on a stage (who it waits on, for how long), the brands'
approval flows with their ordered stages, and deciding (approve or reject) at the current stage."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

import pandas as pd
from sqlalchemy import and_, select
from sqlalchemy.orm import Session, aliased

from app.models import (
    ApprovalDecision,
    ApprovalFlow,
    ApprovalRequest,
    ApprovalStage,
    Brand,
    Campaign,
    Comment,
    Membership,
    Post,
    User,
    approval_stage_approvers,
)
from app.models.enums import ApprovalRequestStatus, ApprovalRule, Decision, PostStatus, Role
from app.services import audit
from app.services.errors import NotFound, PermissionDenied, ValidationError
from app.services.permissions import Actor, Perm, require

QUEUE_COLUMNS = [
    "post",
    "brand",
    "flow",
    "round",
    "stage",
    "waits on",
    "waiting since",
    "hours waiting",
    "submitted by",
    "expires",
]
FLOW_COLUMNS = ["flow", "brand", "campaign", "active", "step", "stage", "who decides", "rule"]


def _allowed(actor: Actor, brand_ids: Sequence[int]) -> list[int]:
    """Approvers see what waits on them, editors see where their posts are: either permission will do."""
    wanted = list(brand_ids)
    either = set(actor.brands_with(Perm.CONTENT_APPROVE, wanted)) | set(
        actor.brands_with(Perm.CONTENT_EDIT, wanted)
    )
    allowed = [b for b in wanted if b in either]
    if wanted and not allowed:
        raise PermissionDenied(
            f"{actor.email} may not {Perm.CONTENT_APPROVE.label} or {Perm.CONTENT_EDIT.label} on the selected brand(s)"
        )
    return allowed


def _person(name: str | None, email: str | None) -> str:
    return (name or "").strip() or (email or "")


def _named_approvers(session: Session, stage_ids: list[int]) -> dict[int, list[tuple[int, str]]]:
    """stage id → [(user id, display name)] for stages that name their approvers."""
    out: dict[int, list[tuple[int, str]]] = {}
    if not stage_ids:
        return out
    a = approval_stage_approvers
    for stage_id, user_id, name, email in session.execute(
        select(a.c.stage_id, User.id, User.name, User.email)
        .join(User, User.id == a.c.user_id)
        .where(a.c.stage_id.in_(stage_ids))
        .order_by(a.c.stage_id, User.name)
    ):
        out.setdefault(stage_id, []).append((user_id, _person(name, email)))
    return out


def _who(role_label: str | None, named: list[tuple[int, str]], rule: ApprovalRule) -> str:
    if named:
        people = ", ".join(n for _, n in named)
        if len(named) == 1:
            return people
        return f"{people} ({'all of them' if rule == ApprovalRule.ALL else 'any one'})"
    if role_label:
        return f"any {role_label.lower()}" if rule == ApprovalRule.ANY else f"every {role_label.lower()}"
    return "nobody assigned"


def approval_queue(session: Session, actor: Actor, brand_ids: Sequence[int]) -> pd.DataFrame:
    """Pending requests, longest-waiting first, each at its current stage."""
    brand_ids = _allowed(actor, brand_ids)
    if not brand_ids:
        return pd.DataFrame(columns=QUEUE_COLUMNS)
    r = ApprovalRequest
    submitter = aliased(User)
    stmt = (
        select(
            r.id,
            Post.title,
            Brand.name,
            ApprovalFlow.name,
            r.round,
            ApprovalStage.id,
            ApprovalStage.name,
            ApprovalStage.role,
            ApprovalStage.rule,
            r.stage_entered_at,
            submitter.name,
            submitter.email,
            r.expires_at,
        )
        .join(Post, Post.id == r.post_id)
        .join(Brand, Brand.id == Post.brand_id)
        .join(ApprovalFlow, ApprovalFlow.id == r.flow_id)
        .outerjoin(
            ApprovalStage,
            and_(ApprovalStage.flow_id == r.flow_id, ApprovalStage.position == r.current_position),
        )
        .outerjoin(submitter, submitter.id == r.submitted_by_id)
        .where(r.status == ApprovalRequestStatus.PENDING, Post.brand_id.in_(brand_ids))
        .order_by(r.stage_entered_at)
    )
    rows = session.execute(stmt).all()
    if not rows:
        return pd.DataFrame(columns=QUEUE_COLUMNS)
    stage_ids = sorted({row[5] for row in rows if row[5] is not None})
    named = _named_approvers(session, stage_ids)
    # With "all must approve", the people who already approved this round no longer hold it up.
    approved: set[tuple[int, int, int]] = set(
        session.execute(
            select(
                ApprovalDecision.request_id, ApprovalDecision.stage_id, ApprovalDecision.decided_by_id
            ).where(
                ApprovalDecision.request_id.in_([row[0] for row in rows]),
                ApprovalDecision.decision == Decision.APPROVE,
            )
        ).all()
    )
    now = datetime.now(UTC)
    data = []
    for req_id, title, brand, flow, rnd, stage_id, stage, role, rule, since, s_name, s_email, expires in rows:
        people = [(uid, n) for uid, n in named.get(stage_id, []) if (req_id, stage_id, uid) not in approved]
        data.append(
            (
                title,
                brand,
                flow,
                rnd,
                stage or "(stage missing)",
                _who(role.label if role else None, people, rule or ApprovalRule.ANY),
                since,
                round((now - since).total_seconds() / 3600, 1),
                _person(s_name, s_email),
                expires,
            )
        )
    return pd.DataFrame(data, columns=QUEUE_COLUMNS)


def approval_flows(session: Session, actor: Actor, brand_ids: Sequence[int]) -> pd.DataFrame:
    """One row per stage of each flow of the brands, in stage order."""
    brand_ids = _allowed(actor, brand_ids)
    if not brand_ids:
        return pd.DataFrame(columns=FLOW_COLUMNS)
    s = ApprovalStage
    rows = session.execute(
        select(
            ApprovalFlow.name,
            Brand.name,
            Campaign.name,
            ApprovalFlow.active,
            s.id,
            s.position,
            s.name,
            s.role,
            s.rule,
        )
        .join(Brand, Brand.id == ApprovalFlow.brand_id)
        .join(s, s.flow_id == ApprovalFlow.id)
        .outerjoin(Campaign, Campaign.id == ApprovalFlow.campaign_id)
        .where(ApprovalFlow.brand_id.in_(brand_ids))
        .order_by(Brand.name, ApprovalFlow.name, s.position)
    ).all()
    named = _named_approvers(session, [row[4] for row in rows])
    data = [
        (
            flow,
            brand,
            camp or "",
            active,
            pos,
            stage,
            _who(role.label if role else None, named.get(sid, []), rule),
            rule.value,
        )
        for flow, brand, camp, active, sid, pos, stage, role, rule in rows
    ]
    return pd.DataFrame(data, columns=FLOW_COLUMNS)


# --- deciding -----------------------------------------------------------------------------------

# Who outranks whom at a role-based stage: a manager may decide an approver stage, not the reverse.
_APPROVAL_RANK = {Role.APPROVER: 1, Role.MANAGER: 2, Role.ADMIN: 3}


@dataclass(frozen=True)
class DecisionResult:
    request_id: int
    post_title: str
    outcome: str  # "next stage", "approved", "rejected", "recorded" (an all-must-approve stage still waits)
    stage: str


@dataclass(frozen=True)
class Decidable:
    request_id: int
    label: str


def _named(session: Session, stage_id: int) -> set[int]:
    return set(
        session.scalars(
            select(approval_stage_approvers.c.user_id).where(approval_stage_approvers.c.stage_id == stage_id)
        )
    )


def _stage_members(session: Session, stage: ApprovalStage, brand_id: int) -> set[int]:
    """The users who must approve at an all-must-approve stage: its named approvers, or everyone whose
    role on the brand is the stage's role (a membership on the brand overrides a workspace role)."""
    named = _named(session, stage.id)
    if named or stage.role is None:
        return named
    brand_role = {
        uid: role
        for uid, role in session.execute(
            select(Membership.user_id, Membership.role).where(Membership.brand_id == brand_id)
        )
    }
    members = set()
    for uid, ws_role in session.execute(select(User.id, User.role).where(User.active.is_(True))):
        if brand_role.get(uid, ws_role) == stage.role:
            members.add(uid)
    return members


def _may_decide(session: Session, actor: Actor, stage: ApprovalStage, brand_id: int) -> bool:
    named = _named(session, stage.id)
    if named:
        return actor.user_id in named
    role = actor.role_on(brand_id)
    if stage.role is None or role is None:
        return False
    return _APPROVAL_RANK.get(role, 0) >= _APPROVAL_RANK.get(stage.role, 99)


def decide(
    session: Session, actor: Actor, request_id: int, decision: Decision | str, comment: str = ""
) -> DecisionResult:
    """Approve or reject a post at its current stage. A rejection needs a comment and sends the post back
    to draft with the comment on it; the last approval of the last stage approves the post."""
    decision = Decision(decision)
    req = session.get(ApprovalRequest, request_id)
    post = session.get(Post, req.post_id) if req else None
    visible = actor.visible_brand_ids()
    if req is None or post is None or (visible is not None and post.brand_id not in visible):
        raise NotFound(f"no approval request {request_id}")
    brand = session.get(Brand, post.brand_id)
    require(actor, Perm.CONTENT_APPROVE, post.brand_id, brand_label=brand.slug if brand else None)
    if req.status != ApprovalRequestStatus.PENDING or post.status != PostStatus.IN_REVIEW:
        raise ValidationError(
            f"{post.title!r} is not waiting for a decision (it is {post.status.label.lower()})"
        )
    stage = session.scalars(
        select(ApprovalStage).where(
            ApprovalStage.flow_id == req.flow_id, ApprovalStage.position == req.current_position
        )
    ).first()
    if stage is None:
        raise ValidationError(f"the approval flow of {post.title!r} has no stage {req.current_position}")
    if actor.user_id is not None and actor.user_id in (req.submitted_by_id, post.created_by_id):
        raise PermissionDenied(
            f"{actor.email} submitted {post.title!r} and may not decide on it (no self-approval)"
        )
    if not _may_decide(session, actor, stage, post.brand_id):
        raise PermissionDenied(f"{actor.email} is not one of the people who decide at stage {stage.name!r}")
    already = session.scalars(
        select(ApprovalDecision.id).where(
            ApprovalDecision.request_id == req.id,
            ApprovalDecision.stage_id == stage.id,
            ApprovalDecision.decided_by_id == actor.user_id,
        )
    ).first()
    if already is not None:
        raise ValidationError(f"you already decided on {post.title!r} at stage {stage.name!r}")
    comment = (comment or "").strip()
    if decision == Decision.REJECT and not comment:
        raise ValidationError("a rejection needs a comment saying what to change", field="comment")

    now = datetime.now(UTC)
    session.add(
        ApprovalDecision(
            request_id=req.id,
            stage_id=stage.id,
            decided_by_id=actor.user_id,
            decision=decision,
            comment=comment,
            decided_at=now,
        )
    )
    before = {"status": req.status.value, "stage": stage.name, "post_status": post.status.value}
    if decision == Decision.REJECT:
        outcome = "rejected"
        req.status, req.completed_at = ApprovalRequestStatus.REJECTED, now
        _set_post_status(post, PostStatus.DRAFT)
        session.add(
            Comment(
                brand_id=post.brand_id,
                object_type="post",
                object_id=post.id,
                author_id=actor.user_id,
                body=f"Rejected at {stage.name}: {comment}",
            )
        )
    else:
        session.flush()
        approvals_here = set(
            session.scalars(
                select(ApprovalDecision.decided_by_id).where(
                    ApprovalDecision.request_id == req.id,
                    ApprovalDecision.stage_id == stage.id,
                    ApprovalDecision.decision == Decision.APPROVE,
                )
            )
        )
        waiting = _stage_members(session, stage, post.brand_id) - approvals_here
        if stage.rule == ApprovalRule.ALL and waiting:
            outcome = "recorded"
        elif session.scalars(
            select(ApprovalStage.id).where(
                ApprovalStage.flow_id == req.flow_id, ApprovalStage.position == req.current_position + 1
            )
        ).first():
            outcome = "next stage"
            req.current_position += 1
            req.stage_entered_at = now
        else:
            outcome = "approved"
            req.status, req.completed_at = ApprovalRequestStatus.APPROVED, now
            _set_post_status(post, PostStatus.APPROVED)
    session.flush()
    audit.record(
        session,
        actor,
        decision.value,
        "approval_request",
        req.id,
        label=post.title,
        brand_id=post.brand_id,
        before=before,
        after={
            "status": req.status.value,
            "outcome": outcome,
            "post_status": post.status.value,
            "comment": comment,
        },
    )
    return DecisionResult(req.id, post.title, outcome, stage.name)


def _set_post_status(post: Post, status: PostStatus) -> None:
    """The post and its variants under review move together."""
    post.status = status
    for variant in post.variants:
        if variant.status == PostStatus.IN_REVIEW:
            variant.status = status


def decidable(session: Session, actor: Actor, brand_ids: Sequence[int]) -> list[Decidable]:
    """The pending requests `actor` may decide right now (their stage, not their own post)."""
    allowed = actor.brands_with(Perm.CONTENT_APPROVE, brand_ids)
    if not allowed:
        return []
    rows = session.execute(
        select(ApprovalRequest, Post, ApprovalStage)
        .join(Post, Post.id == ApprovalRequest.post_id)
        .join(
            ApprovalStage,
            and_(
                ApprovalStage.flow_id == ApprovalRequest.flow_id,
                ApprovalStage.position == ApprovalRequest.current_position,
            ),
        )
        .where(ApprovalRequest.status == ApprovalRequestStatus.PENDING, Post.brand_id.in_(allowed))
        .order_by(ApprovalRequest.stage_entered_at)
    ).all()
    decided = (
        set(
            session.execute(
                select(ApprovalDecision.request_id, ApprovalDecision.stage_id).where(
                    ApprovalDecision.decided_by_id == actor.user_id
                )
            ).all()
        )
        if actor.user_id is not None
        else set()
    )
    out = []
    for req, post, stage in rows:
        if actor.user_id is not None and actor.user_id in (req.submitted_by_id, post.created_by_id):
            continue
        if (req.id, stage.id) in decided or not _may_decide(session, actor, stage, post.brand_id):
            continue
        out.append(Decidable(req.id, f"{post.title} · {stage.name}"))
    return out
