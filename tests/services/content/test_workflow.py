"""The post status flow: which moves a person may make, submission into approval rounds, what blocks
scheduling (SOP checklists, times, approval cover), expiry of approvals, and the audit trail."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine, select

from app.db import read_session, write_session
from app.models import ApprovalFlow, ApprovalRequest, AuditLog, Brand, Comment, Post
from app.models.enums import ApprovalRequestStatus, PostStatus
from app.services.approvals import decisions as approval_decisions
from app.services.content import PostDraft, VariantDraft, composer, workflow
from app.services.core import Actor, PermissionDenied, ValidationError
from app.services.org import users

EDITOR = "farah.aziz@kopi.example"
APPROVER = "rachel.ng@kopi.example"
LEAD = "mei.lim@kopi.example"
SOON = datetime.now(UTC).replace(microsecond=0) + timedelta(days=3)


def actor(engine: Engine, email: str) -> Actor:
    with read_session(engine) as s:
        a = users.load_actor(s, email)
    assert a is not None
    return a


def new_post(engine: Engine, *, when: datetime = SOON, status: str = "draft") -> int:
    d = PostDraft(
        title="Kopitiam breakfast set",
        post_type="text",
        variants=(
            VariantDraft(
                channel="warisan-facebook", copy="Breakfast set RM9.90 from 7am!", scheduled_at=when
            ),
        ),
    )
    with write_session(engine) as s:
        return composer.create_post(s, actor(engine, EDITOR), "warisan", d, status=status).post_id


def status(engine: Engine, post_id: int) -> PostStatus:
    with read_session(engine) as s:
        return s.get(Post, post_id).status


def approve_all(engine: Engine, post_id: int) -> None:
    with read_session(engine) as s:
        rid = s.scalars(
            select(ApprovalRequest.id)
            .where(ApprovalRequest.post_id == post_id)
            .order_by(ApprovalRequest.round.desc())
        ).first()
    for email in (APPROVER, LEAD):
        with write_session(engine) as s:
            approval_decisions.decide(s, actor(engine, email), rid, "approve")


def test_draft_to_scheduled_through_approval(demo_db: Engine) -> None:
    pid = new_post(demo_db)
    with write_session(demo_db) as s:
        submitted = workflow.submit(s, actor(demo_db, EDITOR), pid)
    assert submitted.status == "in_review" and "Standard two-step" in submitted.note
    with read_session(demo_db) as s:
        req = s.scalars(select(ApprovalRequest).where(ApprovalRequest.post_id == pid)).one()
    assert req.round == 1 and req.expires_at == SOON  # the last (here only) time it was given
    approve_all(demo_db, pid)
    assert status(demo_db, pid) == PostStatus.APPROVED
    with write_session(demo_db) as s:
        workflow.schedule(s, actor(demo_db, EDITOR), pid)
    assert status(demo_db, pid) == PostStatus.SCHEDULED
    with read_session(demo_db) as s:
        moves = s.scalars(
            select(AuditLog)
            .where(
                AuditLog.object_type == "post", AuditLog.object_id == str(pid), AuditLog.action == "status"
            )
            .order_by(AuditLog.id)
        ).all()
    # in review → approved is the approval decisions' move, logged on the approval request
    assert [(m.before["status"], m.after["status"]) for m in moves] == [
        ("draft", "in_review"),
        ("approved", "scheduled"),
    ]


def test_moves_outside_the_flow_are_refused_with_the_allowed_ones(demo_db: Engine) -> None:
    pid = new_post(demo_db, status="idea")
    with (
        write_session(demo_db) as s,
        pytest.raises(ValidationError, match="is idea: it can move to draft, archived"),
    ):
        workflow.submit(s, actor(demo_db, EDITOR), pid)
    with write_session(demo_db) as s, pytest.raises(ValidationError, match="not to scheduled"):
        workflow.schedule(s, actor(demo_db, EDITOR), pid)


def test_a_viewer_cannot_move_posts(demo_db: Engine) -> None:
    pid = new_post(demo_db)
    with write_session(demo_db) as s, pytest.raises(PermissionDenied):
        workflow.submit(s, actor(demo_db, "jon.lee@kopi.example"), pid)


def test_a_brand_without_a_flow_approves_on_submission(demo_db: Engine) -> None:
    with write_session(demo_db) as s:
        brand_id = s.scalars(select(Brand.id).where(Brand.slug == "warisan")).one()
        for flow in s.scalars(select(ApprovalFlow).where(ApprovalFlow.brand_id == brand_id)):
            flow.active = False
    pid = new_post(demo_db)
    with write_session(demo_db) as s:
        result = workflow.submit(s, actor(demo_db, EDITOR), pid)
    assert result.status == "approved" and "no approval flow" in result.note


def test_scheduling_is_blocked_while_a_required_checklist_is_open(demo_db: Engine) -> None:
    d = PostDraft(
        title="Serum launch",
        post_type="image",
        variants=(
            VariantDraft(channel="lumi-facebook", copy="Meet the new barrier serum.", scheduled_at=SOON),
        ),
    )
    with write_session(demo_db) as s:
        pid = composer.create_post(s, actor(demo_db, LEAD), "lumi", d).post_id
        post = s.get(Post, pid)
        post.status = PostStatus.APPROVED  # skip the four-stage flow: this test is about the checklist
    with read_session(demo_db) as s:
        blockers = workflow.schedule_blockers(s, s.get(Post, pid))
    assert any("Content approval" in b and "not been started" in b for b in blockers), blockers
    with write_session(demo_db) as s, pytest.raises(ValidationError, match="cannot schedule 'Serum launch'"):
        workflow.schedule(s, actor(demo_db, LEAD), pid)


def test_scheduling_needs_times_in_the_future(demo_db: Engine) -> None:
    pid = new_post(demo_db)
    with write_session(demo_db) as s:
        workflow.submit(s, actor(demo_db, EDITOR), pid)
    approve_all(demo_db, pid)
    with write_session(demo_db) as s:
        s.get(Post, pid).variants[0].scheduled_at = datetime.now(UTC) - timedelta(minutes=5)
    with read_session(demo_db) as s:
        blockers = workflow.schedule_blockers(s, s.get(Post, pid))
    assert any("has passed" in b for b in blockers)


def test_an_unused_approval_expires_back_to_draft(demo_db: Engine) -> None:
    pid = new_post(demo_db)
    with write_session(demo_db) as s:
        workflow.submit(s, actor(demo_db, EDITOR), pid)
    approve_all(demo_db, pid)
    later = SOON + timedelta(hours=1)
    with write_session(demo_db) as s:
        expired = workflow.expire_approvals(s, Actor.system("job:expire_approvals"), now=later)
    assert pid in [e.post_id for e in expired]  # with the demo's own approvals that lapse by then
    assert status(demo_db, pid) == PostStatus.DRAFT
    with read_session(demo_db) as s:
        req = s.scalars(select(ApprovalRequest).where(ApprovalRequest.post_id == pid)).one()
        note = s.scalars(select(Comment).where(Comment.object_type == "post", Comment.object_id == pid)).one()
    assert req.status == ApprovalRequestStatus.EXPIRED and "approval expired" in note.body


def test_archive_and_restore(demo_db: Engine) -> None:
    pid = new_post(demo_db)
    with write_session(demo_db) as s:
        workflow.move(s, actor(demo_db, EDITOR), pid, "archived")
    assert status(demo_db, pid) == PostStatus.ARCHIVED
    with write_session(demo_db) as s:
        workflow.move(s, actor(demo_db, EDITOR), pid, "draft")
    assert status(demo_db, pid) == PostStatus.DRAFT


def test_withdrawing_cancels_the_pending_round(demo_db: Engine) -> None:
    pid = new_post(demo_db)
    with write_session(demo_db) as s:
        workflow.submit(s, actor(demo_db, EDITOR), pid)
        workflow.move(s, actor(demo_db, EDITOR), pid, "draft", "client asked to wait")
    with read_session(demo_db) as s:
        req = s.scalars(select(ApprovalRequest).where(ApprovalRequest.post_id == pid)).one()
    assert req.status == ApprovalRequestStatus.CANCELLED and status(demo_db, pid) == PostStatus.DRAFT
