"""Why a viewer cannot decide on a post waiting for approval, in words they can act on: it is theirs
(approvals need another person), they are not one of the stage's people, an earlier stage has not
finished, or it is already decided. The same rules `decisions.decide` enforces, read without writing."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import ApprovalDecision, ApprovalRequest, ApprovalStage, Brand, Post, User
from app.models.enums import ApprovalRequestStatus, PostStatus
from app.services.approvals.decisions import may_decide, named_approvers
from app.services.core import Actor, NotFound, Perm


class BlockKind(StrEnum):
    NO_PERMISSION = "no_permission"  # their role on the brand does not approve content
    SELF = "self"  # they submitted or wrote it: no self-approval
    NOT_THEIR_STAGE = "not_their_stage"  # the current stage is someone else's
    EARLIER_STAGE = "earlier_stage"  # theirs is a later stage; the one before is not done
    ALREADY_DECIDED = "already_decided"  # the request, or their part of this stage, is decided


@dataclass(frozen=True)
class Block:
    request_id: int
    post: str
    stage: str
    kind: BlockKind
    reason: str


def _names(session: Session, user_ids: set[int]) -> str:
    if not user_ids:
        return ""
    rows = session.execute(select(User.name, User.email).where(User.id.in_(user_ids))).all()
    return ", ".join(sorted((n or "").strip() or e for n, e in rows))


def _block(
    session: Session, actor: Actor, req: ApprovalRequest, post: Post, brand: Brand | None
) -> tuple[BlockKind, str] | None:
    if not actor.can(Perm.CONTENT_APPROVE, post.brand_id):
        where = f" on {brand.name}" if brand else ""
        return (
            BlockKind.NO_PERMISSION,
            f"your role{where} ({actor.describe_role(post.brand_id)}) does not approve content",
        )
    if req.status != ApprovalRequestStatus.PENDING or post.status != PostStatus.IN_REVIEW:
        return BlockKind.ALREADY_DECIDED, f"it is already decided (the post is {post.status.label.lower()})"
    if actor.user_id is not None and actor.user_id in (req.submitted_by_id, post.created_by_id):
        return BlockKind.SELF, "you submitted it; approvals need another person"
    stages = session.scalars(
        select(ApprovalStage).where(ApprovalStage.flow_id == req.flow_id).order_by(ApprovalStage.position)
    ).all()
    current = next((s for s in stages if s.position == req.current_position), None)
    if current is None:
        return BlockKind.NOT_THEIR_STAGE, f"its approval flow has no stage {req.current_position}"
    decided = session.scalars(
        select(ApprovalDecision.id).where(
            ApprovalDecision.request_id == req.id,
            ApprovalDecision.stage_id == current.id,
            ApprovalDecision.decided_by_id == actor.user_id,
        )
    ).first()
    if decided is not None:
        return (
            BlockKind.ALREADY_DECIDED,
            f"you already decided at stage {current.name!r}; it waits on the others",
        )
    if may_decide(session, actor, current, post.brand_id):
        return None
    later = next(
        (s for s in stages if s.position > current.position and may_decide(session, actor, s, post.brand_id)),
        None,
    )
    if later is not None:
        return (
            BlockKind.EARLIER_STAGE,
            f"the stage before yours is not done: it is at {current.name!r}, yours is {later.name!r}",
        )
    named = named_approvers(session, current.id)
    if named:
        return BlockKind.NOT_THEIR_STAGE, f"stage {current.name!r} is decided by {_names(session, named)}"
    who = f"{current.role.label.lower()}s and above" if current.role else "nobody yet"
    return BlockKind.NOT_THEIR_STAGE, f"you are not an approver of stage {current.name!r} ({who} decide it)"


def decision_block_reason(session: Session, actor: Actor, request_id: int) -> Block | None:
    """None when `actor` may decide on the request now; otherwise what stops them, and why."""
    req = session.get(ApprovalRequest, request_id)
    post = session.get(Post, req.post_id) if req else None
    visible = actor.visible_brand_ids()
    if req is None or post is None or (visible is not None and post.brand_id not in visible):
        raise NotFound(f"no approval request {request_id}")
    found = _block(session, actor, req, post, session.get(Brand, post.brand_id))
    if found is None:
        return None
    stage = session.scalars(
        select(ApprovalStage.name).where(
            ApprovalStage.flow_id == req.flow_id, ApprovalStage.position == req.current_position
        )
    ).first()
    return Block(req.id, post.title, stage or "", found[0], found[1])


def blocked(session: Session, actor: Actor, brand_ids: Sequence[int]) -> list[Block]:
    """The pending requests of these brands (those the actor may see) that the actor cannot decide,
    each with its reason, oldest first. Someone who neither approves nor edits there sees none."""
    visible = actor.visible_brand_ids()
    wanted = [
        b
        for b in brand_ids
        if (visible is None or b in visible)
        and (actor.can(Perm.CONTENT_APPROVE, b) or actor.can(Perm.CONTENT_EDIT, b))
    ]
    if not wanted:
        return []
    ids = session.scalars(
        select(ApprovalRequest.id)
        .join(Post, Post.id == ApprovalRequest.post_id)
        .where(ApprovalRequest.status == ApprovalRequestStatus.PENDING, Post.brand_id.in_(wanted))
        .order_by(ApprovalRequest.stage_entered_at, ApprovalRequest.id)
    ).all()
    return [b for b in (decision_block_reason(session, actor, i) for i in ids) if b is not None]
