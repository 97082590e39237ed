"""Approvals as read models: the queue of posts waiting on a stage (who it waits on, for how long)
and the brands' approval flows with their ordered stages. Deciding lives in approval_decisions."""

from __future__ import annotations

from collections.abc import Sequence

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
    Post,
    User,
    approval_stage_approvers,
)
from app.models.enums import ApprovalRequestStatus, ApprovalRule, Decision
from app.services.approvals.decisions import stage_members
from app.services.core import Actor, Perm, PermissionDenied, clock

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
    now = clock.now()
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


REVIEWER_COLUMNS = ["reviewer", "post", "brand", "stage", "waiting since", "hours waiting"]


def reviewer_load(session: Session, actor: Actor, brand_ids: Sequence[int]) -> pd.DataFrame:
    """One row per reviewer and post waiting on them: the people a stage names (or who hold its role
    on the brand), minus those who already approved in an all-must-approve stage."""

    brand_ids = _allowed(actor, brand_ids)
    if not brand_ids:
        return pd.DataFrame(columns=REVIEWER_COLUMNS)
    r = ApprovalRequest
    rows = session.execute(
        select(r.id, Post.title, Post.brand_id, Brand.name, ApprovalStage, r.stage_entered_at)
        .join(Post, Post.id == r.post_id)
        .join(Brand, Brand.id == Post.brand_id)
        .join(
            ApprovalStage,
            and_(ApprovalStage.flow_id == r.flow_id, ApprovalStage.position == r.current_position),
        )
        .where(r.status == ApprovalRequestStatus.PENDING, Post.brand_id.in_(brand_ids))
    ).all()
    done = set(
        session.execute(
            select(
                ApprovalDecision.request_id, ApprovalDecision.stage_id, ApprovalDecision.decided_by_id
            ).where(ApprovalDecision.request_id.in_([row[0] for row in rows] or [-1]))
        ).all()
    )
    names = {uid: _person(n, e) for uid, n, e in session.execute(select(User.id, User.name, User.email))}
    now = clock.now()
    data = []
    for req_id, title, brand_id, brand, stage, since in rows:
        for uid in sorted(stage_members(session, stage, brand_id)):
            if (req_id, stage.id, uid) not in done:
                data.append(
                    (
                        names.get(uid, str(uid)),
                        title,
                        brand,
                        stage.name,
                        since,
                        round((now - since).total_seconds() / 3600, 1),
                    )
                )
    df = pd.DataFrame(data, columns=REVIEWER_COLUMNS)
    return df.sort_values(["hours waiting"], ascending=False, ignore_index=True)
