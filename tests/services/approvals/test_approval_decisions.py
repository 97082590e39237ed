"""Deciding at an approval stage: only the stage's people, on their own brands, never on their own post;
a rejection needs a reason and sends the post back to draft; the last approval approves the post."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine, select

from app.db import read_session, write_session
from app.models import ApprovalFlow, AuditLog, Brand, Channel, Comment, Post, PostVariant, User
from app.models.content import ApprovalRequest
from app.models.enums import ApprovalRequestStatus, PostStatus
from app.services.approvals import decisions as approval_decisions
from app.services.core import Actor, NotFound, PermissionDenied, ValidationError
from app.services.org import users

EDITOR = "farah.aziz@kopi.example"  # editor (workspace)
WARISAN_APPROVER = "rachel.ng@kopi.example"  # approver on warisan only
LEAD = "mei.lim@kopi.example"  # manager (workspace)
LEGAL = "priya.nair@kopi.example"  # named approver of the legal stage on lumi
LUMI_CLIENT = "grace.teo@kopi.example"  # approver on lumi


def actor(engine: Engine, email: str) -> Actor:
    with read_session(engine) as s:
        a = users.load_actor(s, email)
    assert a is not None, email
    return a


def submit(engine: Engine, brand_slug: str, by: str, title: str = "Launch post") -> int:
    """A post in review with one variant, submitted by `by`, at stage 1 of its brand's flow."""
    with write_session(engine) as s:
        brand = s.scalars(select(Brand).where(Brand.slug == brand_slug)).one()
        author = s.scalars(select(User).where(User.email == by)).one()
        flow = s.scalars(select(ApprovalFlow).where(ApprovalFlow.brand_id == brand.id)).first()
        channel = s.scalars(select(Channel).where(Channel.brand_id == brand.id)).first()
        post = Post(
            brand_id=brand.id,
            title=title,
            master_copy="Hello",
            status=PostStatus.IN_REVIEW,
            owner_id=author.id,
            created_by_id=author.id,
        )
        post.variants.append(
            PostVariant(
                channel_id=channel.id,
                brand_id=brand.id,
                copy="Hello",
                status=PostStatus.IN_REVIEW,
                scheduled_at=datetime.now(UTC) + timedelta(days=3),
            )
        )
        s.add(post)
        s.flush()
        req = ApprovalRequest(
            post_id=post.id, flow_id=flow.id, round=1, current_position=1, submitted_by_id=author.id
        )
        s.add(req)
        s.flush()
        return req.id


def decide(
    engine: Engine, email: str, request_id: int, decision: str, comment: str = ""
) -> approval_decisions.DecisionResult:
    with write_session(engine) as s:
        return approval_decisions.decide(s, actor(engine, email), request_id, decision, comment)


def state(engine: Engine, request_id: int) -> tuple[ApprovalRequestStatus, int, PostStatus, list[PostStatus]]:
    with read_session(engine) as s:
        req = s.get(ApprovalRequest, request_id)
        post = s.get(Post, req.post_id)
        return req.status, req.current_position, post.status, [v.status for v in post.variants]


def test_stage_by_stage_to_approved(demo_db: Engine) -> None:
    rid = submit(demo_db, "warisan", EDITOR)
    first = decide(demo_db, WARISAN_APPROVER, rid, "approve", "Looks right")
    assert (first.outcome, first.stage) == ("next stage", "Content check")
    assert state(demo_db, rid)[:3] == (ApprovalRequestStatus.PENDING, 2, PostStatus.IN_REVIEW)
    last = decide(demo_db, LEAD, rid, "approve")
    assert last.outcome == "approved"
    assert state(demo_db, rid) == (
        ApprovalRequestStatus.APPROVED,
        2,
        PostStatus.APPROVED,
        [PostStatus.APPROVED],
    )
    with read_session(demo_db) as s:
        log = s.scalars(
            select(AuditLog).where(AuditLog.object_type == "approval_request", AuditLog.object_id == str(rid))
        ).all()
    assert [(e.actor, e.action, e.after["outcome"]) for e in log] == [
        (WARISAN_APPROVER, "approve", "next stage"),
        (LEAD, "approve", "approved"),
    ]


def test_approver_on_brand_a_cannot_approve_on_brand_b(demo_db: Engine) -> None:
    rid = submit(demo_db, "lumi", EDITOR)
    with pytest.raises(NotFound):  # she cannot even see Lumi's posts
        decide(demo_db, WARISAN_APPROVER, rid, "approve")
    # With read access to every brand she sees Lumi's post, and still may not approve it.
    with write_session(demo_db) as s:
        users.set_workspace_role(s, Actor.system("test"), WARISAN_APPROVER, "viewer")
    with pytest.raises(PermissionDenied, match=r"\(viewer on brand 'lumi'\) may not approve content"):
        decide(demo_db, WARISAN_APPROVER, rid, "approve")
    assert state(demo_db, rid)[:2] == (ApprovalRequestStatus.PENDING, 1)


def test_viewer_and_editor_cannot_decide(demo_db: Engine) -> None:
    rid = submit(demo_db, "warisan", LEAD)
    for email in ("jon.lee@kopi.example", "budi.santoso@kopi.example"):
        with pytest.raises(PermissionDenied, match="may not approve content"):
            decide(demo_db, email, rid, "approve")


def test_no_self_approval(demo_db: Engine) -> None:
    rid = submit(demo_db, "warisan", LEAD)
    decide(demo_db, WARISAN_APPROVER, rid, "approve")
    with pytest.raises(PermissionDenied, match="no self-approval"):
        decide(demo_db, LEAD, rid, "approve")
    decide(demo_db, "admin@kopi.example", rid, "approve")  # someone else signs off
    assert state(demo_db, rid)[0] == ApprovalRequestStatus.APPROVED


def test_rejection_needs_a_reason_and_sends_the_post_back_to_draft(demo_db: Engine) -> None:
    rid = submit(demo_db, "warisan", EDITOR)
    with pytest.raises(ValidationError, match="needs a comment"):
        decide(demo_db, WARISAN_APPROVER, rid, "reject", "   ")
    result = decide(demo_db, WARISAN_APPROVER, rid, "reject", "Wrong opening hours in the caption")
    assert result.outcome == "rejected"
    assert state(demo_db, rid) == (ApprovalRequestStatus.REJECTED, 1, PostStatus.DRAFT, [PostStatus.DRAFT])
    with read_session(demo_db) as s:
        post_id = s.get(ApprovalRequest, rid).post_id
        comment = s.scalars(
            select(Comment).where(Comment.object_type == "post", Comment.object_id == post_id)
        ).one()
    assert comment.body == "Rejected at Content check: Wrong opening hours in the caption"
    with pytest.raises(ValidationError, match="not waiting for a decision"):
        decide(demo_db, LEAD, rid, "approve")


def test_named_stage_only_takes_its_people(demo_db: Engine) -> None:
    rid = submit(demo_db, "lumi", EDITOR)
    decide(demo_db, LUMI_CLIENT, rid, "approve")  # subject-matter check (approver role)
    decide(demo_db, LEAD, rid, "approve")  # brand compliance (manager role)
    assert state(demo_db, rid)[1] == 3  # legal review: named reviewer, all must approve
    with pytest.raises(PermissionDenied, match="not one of the people who decide at stage 'Legal review'"):
        decide(demo_db, LUMI_CLIENT, rid, "approve")
    assert decide(demo_db, LEGAL, rid, "approve").outcome == "next stage"
    with pytest.raises(PermissionDenied, match="not one of the people"):
        decide(demo_db, LEGAL, rid, "approve")  # an approver cannot give the manager's final sign-off
    assert decide(demo_db, "admin@kopi.example", rid, "approve").outcome == "approved"


def test_decidable_lists_only_what_waits_on_me(demo_db: Engine) -> None:
    rid = submit(demo_db, "warisan", EDITOR, title="Only Rachel can move this")
    with read_session(demo_db) as s:
        brand_ids = [b.id for b in s.scalars(select(Brand))]
        mine = approval_decisions.decidable(s, actor(demo_db, WARISAN_APPROVER), brand_ids)
        editors = approval_decisions.decidable(s, actor(demo_db, EDITOR), brand_ids)
    assert rid in [d.request_id for d in mine]
    assert all(d.label for d in mine)
    assert editors == []


def test_bulk_decisions_stand_alone(demo_db: Engine) -> None:
    first = submit(demo_db, "warisan", EDITOR, title="Bulk one")
    other = submit(demo_db, "warisan", EDITOR, title="Bulk two")
    own = submit(demo_db, "warisan", LEAD, title="Lead's own")
    with write_session(demo_db) as s:
        results = approval_decisions.decide_many(s, actor(demo_db, LEAD), [first, first, own], "approve")
    # Each request once; the refused one (self-approval) does not undo the other.
    assert [(r.request_id, r.ok) for r in results] == [(first, True), (own, False)]
    assert "no self-approval" in results[1].message
    assert state(demo_db, first)[1] == 2 and state(demo_db, own)[1] == 1
    with write_session(demo_db) as s:
        results = approval_decisions.decide_many(
            s, actor(demo_db, WARISAN_APPROVER), [other, other], "approve"
        )
    assert [(r.request_id, r.ok) for r in results] == [(other, True)]
