"""The post status flow: idea → draft → in review → approved → scheduled → publishing → published /
failed, plus archived. Every move is checked (permission, what must be true first) and audit-logged;
scheduling is refused while anything blocks it (SOP checklists, expired approval or asset rights,
times in the past, platform rule errors)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import ApprovalFlow, ApprovalRequest, Brand, Channel, Comment, Post, variant_assets
from app.models.enums import ApprovalRequestStatus, PostStatus
from app.services.content.assets.media import asset_blockers, media_for_variant
from app.services.core import Actor, NotFound, Perm, ValidationError, audit, clock, conflict_on_stale, require
from app.services.platforms import check_variant, errors
from app.services.sops import blockers_for_post

P = PostStatus
# Moves a person may ask for. Approval decisions (in review → approved) and the publish job
# (scheduled → publishing → published/failed) move posts through their own services.
MANUAL_MOVES: dict[PostStatus, frozenset[PostStatus]] = {
    P.IDEA: frozenset({P.DRAFT, P.ARCHIVED}),
    P.DRAFT: frozenset({P.IDEA, P.IN_REVIEW, P.ARCHIVED}),
    P.IN_REVIEW: frozenset({P.DRAFT, P.ARCHIVED}),
    P.APPROVED: frozenset({P.SCHEDULED, P.DRAFT, P.ARCHIVED}),
    P.SCHEDULED: frozenset({P.APPROVED, P.ARCHIVED}),
    P.FAILED: frozenset({P.SCHEDULED, P.DRAFT, P.ARCHIVED}),
    P.PUBLISHED: frozenset({P.ARCHIVED}),
    P.ARCHIVED: frozenset({P.DRAFT}),
    P.PUBLISHING: frozenset(),
}
# Variants that have gone out keep their own status whatever the post does.
_SETTLED = (P.PUBLISHING, P.PUBLISHED)


@dataclass(frozen=True)
class MoveResult:
    post_id: int
    title: str
    status: str
    note: str = ""


def _load(session: Session, actor: Actor, post_id: int) -> Post:
    post = session.get(Post, post_id)
    visible = actor.visible_brand_ids()
    if post is None or (visible is not None and post.brand_id not in visible):
        raise NotFound(f"no post {post_id}")
    return post


def _set_status(post: Post, status: PostStatus) -> None:
    post.status = status
    for v in post.variants:
        if v.status not in _SETTLED:
            v.status = status


def _record(session: Session, actor: Actor, post: Post, before: PostStatus, note: str = "") -> None:
    audit.record(
        session,
        actor,
        "status",
        "post",
        post.id,
        label=post.title,
        brand_id=post.brand_id,
        before={"status": before.value},
        after={"status": post.status.value, **({"note": note} if note else {})},
    )


def _check_move(post: Post, to: PostStatus) -> None:
    if to not in MANUAL_MOVES[post.status]:
        allowed = (
            ", ".join(s.label.lower() for s in PostStatus if s in MANUAL_MOVES[post.status])
            or "nothing (the system moves it)"
        )
        raise ValidationError(
            f"{post.title!r} is {post.status.label.lower()}: it can move to {allowed}, not to {to.label.lower()}",
            field="status",
        )


def _flow_for(session: Session, post: Post) -> ApprovalFlow | None:
    """The campaign's own active flow if it has one, else the brand's."""
    flows = session.scalars(
        select(ApprovalFlow).where(ApprovalFlow.brand_id == post.brand_id, ApprovalFlow.active.is_(True))
    ).all()
    for flow in flows:
        if post.campaign_id is not None and flow.campaign_id == post.campaign_id:
            return flow
    return next((f for f in flows if f.campaign_id is None), None)


def _last_time(post: Post) -> datetime | None:
    """The approval covers the times it was given: it lapses once the last of them has passed unpublished."""
    times = [v.scheduled_at for v in post.variants if v.scheduled_at is not None]
    return max(times) if times else None


def _latest_request(session: Session, post: Post) -> ApprovalRequest | None:
    return session.scalars(
        select(ApprovalRequest)
        .where(ApprovalRequest.post_id == post.id)
        .order_by(ApprovalRequest.round.desc())
    ).first()


def _open_request(session: Session, actor: Actor, post: Post) -> str:
    """Start the next approval round; a brand with no flow approves on submission (and says so)."""
    flow = _flow_for(session, post)
    last = _latest_request(session, post)
    if flow is None or not flow.stages:
        _set_status(post, P.APPROVED)
        return "approved on submission: the brand has no approval flow"
    now = clock.now()
    session.add(
        ApprovalRequest(
            post_id=post.id,
            flow_id=flow.id,
            round=(last.round + 1) if last else 1,
            current_position=1,
            submitted_by_id=actor.user_id,
            submitted_at=now,
            stage_entered_at=now,
            expires_at=_last_time(post),
        )
    )
    _set_status(post, P.IN_REVIEW)
    return f"submitted to {flow.name!r} ({len(flow.stages)} stages)"


def _content_problems(session: Session, post: Post) -> list[str]:
    out: list[str] = []
    if not post.variants:
        out.append("it has no channel variants yet")
    for v in post.variants:
        ch = session.get(Channel, v.channel_id)
        for issue in errors(
            check_variant(ch.platform, v.copy, media_for_variant(session, v.id), post.link_url)
        ):
            out.append(issue.message)
    return out


@conflict_on_stale
def submit(session: Session, actor: Actor, post_id: int) -> MoveResult:
    """Draft → in review (a new approval round). The content must pass every platform's rules."""
    post = _load(session, actor, post_id)
    require(actor, Perm.CONTENT_EDIT, post.brand_id)
    _check_move(post, P.IN_REVIEW)
    problems = _content_problems(session, post)
    if problems:
        raise ValidationError(f"cannot submit {post.title!r}: " + "; ".join(problems))
    before = post.status
    note = _open_request(session, actor, post)
    session.flush()
    _record(session, actor, post, before, note)
    return MoveResult(post.id, post.title, post.status.value, note)


def restart_approval(session: Session, actor: Actor, post: Post, reason: str) -> None:
    """Content (or timing) changed after submission: close the current round and start a new one."""
    last = _latest_request(session, post)
    if last is not None and last.status in (ApprovalRequestStatus.PENDING, ApprovalRequestStatus.APPROVED):
        last.status = ApprovalRequestStatus.CANCELLED
        last.completed_at = clock.now()
    before = post.status
    note = _open_request(session, actor, post)
    session.add(
        Comment(
            brand_id=post.brand_id,
            object_type="post",
            object_id=post.id,
            author_id=actor.user_id,
            body=f"Back to approval: {reason}.",
        )
    )
    session.flush()
    _record(session, actor, post, before, f"{reason}; {note}")


def approval_covers(session: Session, post: Post, when: datetime) -> bool:
    """Whether the post's approval still holds for a variant going out at `when`: approved up to the
    time it was approved for (a post approved on submission, with no flow, has no such limit)."""
    last = _latest_request(session, post)
    if last is None:
        return post.status in (P.APPROVED, P.SCHEDULED)
    if last.status != ApprovalRequestStatus.APPROVED:
        return False
    return last.expires_at is None or when <= last.expires_at


def schedule_blockers(session: Session, post: Post, now: datetime | None = None) -> list[str]:
    """Everything that keeps an approved post from being scheduled; empty means it may go."""
    now = now or clock.now()
    out: list[str] = []
    if post.status not in (P.APPROVED, P.FAILED):
        out.append(f"it is {post.status.label.lower()}, not approved")
    out += _content_problems(session, post)
    for v in post.variants:
        if v.status in _SETTLED:
            continue  # already out (a post that failed on one channel goes again on the others only)
        ch = session.get(Channel, v.channel_id)
        if v.scheduled_at is None:
            out.append(f"the {ch.platform.label} variant has no time")
            continue
        if v.scheduled_at <= now:
            out.append(f"the {ch.platform.label} variant's time {v.scheduled_at:%d %b %H:%M} UTC has passed")
        if post.status == P.APPROVED and not approval_covers(session, post, v.scheduled_at):
            out.append(f"the approval does not cover the {ch.platform.label} time; submit it again")
        ids = list(
            session.scalars(select(variant_assets.c.asset_id).where(variant_assets.c.variant_id == v.id))
        )
        out += [f"{ch.platform.label}: {r}" for r in asset_blockers(session, ids, v.scheduled_at)]
    out += blockers_for_post(session, post)
    return out


@conflict_on_stale
def schedule(session: Session, actor: Actor, post_id: int) -> MoveResult:
    post = _load(session, actor, post_id)
    require(actor, Perm.CONTENT_EDIT, post.brand_id)
    _check_move(post, P.SCHEDULED)
    blockers = schedule_blockers(session, post)
    if blockers:
        raise ValidationError(f"cannot schedule {post.title!r}: " + "; ".join(blockers), field="status")
    before = post.status
    _set_status(post, P.SCHEDULED)
    session.flush()
    brand = session.get(Brand, post.brand_id)
    note = "publishing is paused for this brand" if brand is not None and brand.publishing_paused else ""
    _record(session, actor, post, before, note)
    return MoveResult(post.id, post.title, post.status.value, note)


@conflict_on_stale
def move(session: Session, actor: Actor, post_id: int, to: PostStatus | str, reason: str = "") -> MoveResult:
    """The other manual moves: idea ↔ draft, withdraw from review, unschedule, archive, restore."""
    to = PostStatus(to)
    if to == P.IN_REVIEW:
        return submit(session, actor, post_id)
    if to == P.SCHEDULED:
        return schedule(session, actor, post_id)
    post = _load(session, actor, post_id)
    require(actor, Perm.CONTENT_EDIT, post.brand_id)
    _check_move(post, to)
    before = post.status
    last = _latest_request(session, post)
    if before == P.IN_REVIEW and last is not None and last.status == ApprovalRequestStatus.PENDING:
        last.status, last.completed_at = ApprovalRequestStatus.CANCELLED, clock.now()
    _set_status(post, to)
    session.flush()
    _record(session, actor, post, before, reason)
    return MoveResult(post.id, post.title, post.status.value, reason)


def expire_approvals(session: Session, actor: Actor, now: datetime | None = None) -> list[MoveResult]:
    """Approved or scheduled posts whose approval lapsed (not out by the time it was approved for) go
    back to draft with a note. Run by a job and before the approvals queue is read."""
    now = now or clock.now()
    rows = session.execute(
        select(Post, ApprovalRequest)
        .join(ApprovalRequest, ApprovalRequest.post_id == Post.id)
        .where(
            Post.status.in_([P.APPROVED, P.SCHEDULED]),
            ApprovalRequest.status == ApprovalRequestStatus.APPROVED,
            ApprovalRequest.expires_at.is_not(None),
            ApprovalRequest.expires_at < now,
        )
    ).all()
    out = []
    for post, req in rows:
        if _latest_request(session, post) is not req:
            continue
        if any(v.status in _SETTLED for v in post.variants):
            continue
        req.status = ApprovalRequestStatus.EXPIRED
        before = post.status
        _set_status(post, P.DRAFT)
        note = (
            f"approval expired: it covered {req.expires_at:%d %b %Y %H:%M} UTC and the post had not gone out"
        )
        session.add(Comment(brand_id=post.brand_id, object_type="post", object_id=post.id, body=note + "."))
        session.flush()
        _record(session, actor, post, before, note)
        out.append(MoveResult(post.id, post.title, post.status.value, note))
    return out
