"""Deciding at an approval stage: approve or reject a post at its current stage, with the rules that
make approvals trustworthy (only the stage's people, on their own brands, never on their own post;
all-must-approve stages wait for everyone; a rejection needs a reason and sends the post back)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import and_, select
from sqlalchemy.orm import Session

from app.models import (
    ApprovalDecision,
    ApprovalRequest,
    ApprovalStage,
    Brand,
    Comment,
    Membership,
    Post,
    User,
    approval_stage_approvers,
)
from app.models.enums import ApprovalRequestStatus, ApprovalRule, Decision, PostStatus, Role
from app.services.core import (
    Actor,
    NotFound,
    Perm,
    PermissionDenied,
    ValidationError,
    audit,
    clock,
    conflict_on_stale,
    require,
)

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


def named_approvers(session: Session, stage_id: int) -> set[int]:
    return set(
        session.scalars(
            select(approval_stage_approvers.c.user_id).where(approval_stage_approvers.c.stage_id == stage_id)
        )
    )


def stage_members(session: Session, stage: ApprovalStage, brand_id: int) -> set[int]:
    """The users who must approve at an all-must-approve stage: its named approvers, or everyone whose
    role on the brand is the stage's role (a membership on the brand overrides a workspace role)."""
    named = named_approvers(session, stage.id)
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


def may_decide(session: Session, actor: Actor, stage: ApprovalStage, brand_id: int) -> bool:
    named = named_approvers(session, stage.id)
    if named:
        return actor.user_id in named
    role = actor.role_on(brand_id)
    if stage.role is None or role is None:
        return False
    return _APPROVAL_RANK.get(role, 0) >= _APPROVAL_RANK.get(stage.role, 99)


@conflict_on_stale
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
    if not may_decide(session, actor, stage, post.brand_id):
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

    now = clock.now()
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
        waiting = stage_members(session, stage, post.brand_id) - approvals_here
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
        if (req.id, stage.id) in decided or not may_decide(session, actor, stage, post.brand_id):
            continue
        out.append(Decidable(req.id, f"{post.title} · {stage.name}"))
    return out


@dataclass(frozen=True)
class BulkOutcome:
    request_id: int
    ok: bool
    message: str


def decide_many(
    session: Session, actor: Actor, request_ids: Sequence[int], decision: Decision | str, comment: str = ""
) -> list[BulkOutcome]:
    """The same decision on several posts. Each stands alone: one that is refused (not yours to decide,
    already moved on) is reported and rolled back on its own, the others go through."""
    out = []
    for rid in dict.fromkeys(request_ids):  # each request once, in the order given
        try:
            with session.begin_nested():
                result = decide(session, actor, rid, decision, comment)
            out.append(BulkOutcome(rid, True, f"{result.post_title}: {result.outcome}"))
        except (NotFound, PermissionDenied, ValidationError) as exc:
            out.append(BulkOutcome(rid, False, str(exc)))
    return out
