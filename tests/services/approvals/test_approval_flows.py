"""Setting up approval flows: stages by role or by named people, checked input, and changes that never
rewrite history (a used flow becomes a new one; posts waiting in the old one finish there)."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine, select

from app.db import read_session, write_session
from app.models import ApprovalFlow, ApprovalRequest, AuditLog, Brand
from app.models.enums import ApprovalRequestStatus
from app.services.approvals import StageInput
from app.services.approvals import decisions as approval_decisions
from app.services.approvals import flows as approval_flows
from app.services.core import Actor, PermissionDenied, ValidationError
from app.services.org import users

LEAD = "mei.lim@kopi.example"


def actor(engine: Engine, email: str) -> Actor:
    with read_session(engine) as s:
        a = users.load_actor(s, email)
    assert a is not None
    return a


def brand_id(engine: Engine, slug: str) -> int:
    with read_session(engine) as s:
        return s.scalars(select(Brand.id).where(Brand.slug == slug)).one()


TWO_STAGES = [
    StageInput("Content check", role="approver"),
    StageInput("Client sign-off", approvers=("sari.dewi@kopi.example",), rule="all"),
]


def test_a_manager_sets_up_a_flow_with_roles_and_people(demo_db: Engine) -> None:
    bid = brand_id(demo_db, "senja")
    with write_session(demo_db) as s:
        fid = approval_flows.save_flow(
            s, actor(demo_db, LEAD), brand_id=bid, name="Launch flow", stages=TWO_STAGES
        )
    with read_session(demo_db) as s:
        flows = approval_flows.list_flows(s, actor(demo_db, LEAD), bid)
        entry = s.scalars(select(AuditLog).where(AuditLog.object_type == "approval_flow")).one()
    mine = next(f for f in flows if f.id == fid)
    assert [(st.name, st.role, st.approvers, st.rule) for st in mine.stages] == [
        ("Content check", "approver", (), "any"),
        ("Client sign-off", None, ("sari.dewi@kopi.example",), "all"),
    ]
    assert entry.action == "create" and entry.actor == LEAD


@pytest.mark.parametrize(
    ("stage", "message"),
    [
        (StageInput("Check"), "name a role or at least one person"),
        (StageInput("Check", role="approver", approvers=("mei.lim@kopi.example",)), "not both"),
        (StageInput("Check", role="editor"), "the editor role cannot approve"),
        (StageInput("Check", approvers=("ghost@kopi.example",)), "no active user 'ghost@kopi.example'"),
        (StageInput("", role="manager"), "stage 1 name is required"),
    ],
)
def test_bad_stages_are_refused_naming_the_stage(demo_db: Engine, stage: StageInput, message: str) -> None:
    with write_session(demo_db) as s, pytest.raises(ValidationError, match=message):
        approval_flows.save_flow(
            s, actor(demo_db, LEAD), brand_id=brand_id(demo_db, "senja"), name="X", stages=[stage]
        )


def test_only_managers_and_admins_set_up_flows(demo_db: Engine) -> None:
    with write_session(demo_db) as s, pytest.raises(PermissionDenied, match="may not set up approval flows"):
        approval_flows.save_flow(
            s,
            actor(demo_db, "farah.aziz@kopi.example"),
            brand_id=brand_id(demo_db, "senja"),
            name="Mine",
            stages=TWO_STAGES,
        )


def test_an_unused_flow_is_edited_in_place(demo_db: Engine) -> None:
    bid = brand_id(demo_db, "senja")
    with write_session(demo_db) as s:
        fid = approval_flows.save_flow(
            s, actor(demo_db, LEAD), brand_id=bid, name="Draft flow", stages=TWO_STAGES
        )
    with write_session(demo_db) as s:
        again = approval_flows.save_flow(
            s,
            actor(demo_db, LEAD),
            brand_id=bid,
            name="Draft flow v2",
            stages=[StageInput("Only stage", role="manager")],
            flow_id=fid,
        )
    assert again == fid
    with read_session(demo_db) as s:
        flow = next(f for f in approval_flows.list_flows(s, actor(demo_db, LEAD), bid) if f.id == fid)
    assert flow.name == "Draft flow v2" and [st.name for st in flow.stages] == ["Only stage"]


def test_switching_a_flow_off_is_logged_once(demo_db: Engine) -> None:
    bid = brand_id(demo_db, "senja")
    lead = actor(demo_db, LEAD)
    with write_session(demo_db) as s:
        fid = approval_flows.save_flow(s, lead, brand_id=bid, name="Launch flow", stages=TWO_STAGES)
    with write_session(demo_db) as s:
        approval_flows.set_flow_active(s, lead, fid, False)
        approval_flows.set_flow_active(s, lead, fid, False)  # already off: nothing to log
    with read_session(demo_db) as s:
        [entry] = s.scalars(
            select(AuditLog).where(AuditLog.object_type == "approval_flow", AuditLog.action == "update")
        ).all()
    assert (entry.object_id, entry.object_label, entry.brand_id, entry.actor) == (
        str(fid),
        "Launch flow",
        bid,
        LEAD,
    )
    assert (entry.before, entry.after) == ({"active": True}, {"active": False})


def test_changing_a_used_flow_makes_a_new_one_and_waiting_posts_finish_in_the_old(demo_db: Engine) -> None:
    bid = brand_id(demo_db, "warisan")
    with read_session(demo_db) as s:
        old = s.scalars(
            select(ApprovalFlow).where(ApprovalFlow.brand_id == bid, ApprovalFlow.active.is_(True))
        ).one()
        waiting = s.scalars(
            select(ApprovalRequest).where(
                ApprovalRequest.flow_id == old.id,
                ApprovalRequest.status == ApprovalRequestStatus.PENDING,
                ApprovalRequest.current_position == 1,
            )
        ).first()
    with write_session(demo_db) as s:
        new_id = approval_flows.save_flow(
            s,
            actor(demo_db, LEAD),
            brand_id=bid,
            name="Standard three-step",
            stages=[
                *TWO_STAGES[:1],
                StageInput("Legal", role="manager"),
                StageInput("Final sign-off", role="manager"),
            ],
            flow_id=old.id,
        )
    assert new_id != old.id
    with read_session(demo_db) as s:
        assert s.get(ApprovalFlow, old.id).active is False and s.get(ApprovalFlow, new_id).active is True
    with write_session(demo_db) as s:
        result = approval_decisions.decide(s, actor(demo_db, "rachel.ng@kopi.example"), waiting.id, "approve")
    assert result.outcome == "next stage"  # still in the old two-step flow
