"""Working a checklist: starting runs on every kind of object, who may tick which step (owner role,
manager override, viewers refused), required steps never skipped, automatic steps never ticked by hand,
completion when every required step is done, re-checking, cancelling, and the audit rows."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sopkit import (
    CM,
    EDITOR,
    LEAD,
    VIEWER,
    WARISAN_APPROVER,
    actor,
    attach,
    brand_id,
    make_asset,
    make_post,
    make_template,
    release_connections,  # noqa: F401 (an autouse fixture)
)
from sqlalchemy import Engine, select

from app.db import read_session, write_session
from app.models import Asset, AuditLog, Campaign, Incident, SopRun, SopStep, SopStepResult
from app.models.enums import Role, SopObjectType, SopRunStatus, StepStatus
from app.services.core import NotFound, PermissionDenied, ValidationError
from app.services.sops import StepInput
from app.services.sops import details as sop_details
from app.services.sops import runs as sop_runs

STEPS = [
    StepInput("Write copy", "", Role.EDITOR, None, True, 24),
    StepInput("Alt text on every image", "", Role.EDITOR, "variants_have_alt_text", True, 24),
    StepInput("Manager review", "", Role.MANAGER, None, True, 72),
    StepInput("Nice to have", "", None, None, False, None),
]


def step_ids(engine: Engine, run_id: int) -> dict[str, int]:
    with read_session(engine) as s:
        rows = s.execute(
            select(SopStep.title, SopStep.id)
            .join(SopStepResult, SopStepResult.step_id == SopStep.id)
            .where(SopStepResult.run_id == run_id)
        ).all()
    return dict(rows)


def results(engine: Engine, run_id: int) -> dict[str, SopStepResult]:
    with read_session(engine) as s:
        rows = s.execute(
            select(SopStep.title, SopStepResult)
            .join(SopStepResult, SopStepResult.step_id == SopStep.id)
            .where(SopStepResult.run_id == run_id)
        ).all()
    return dict(rows)


def run_state(engine: Engine, run_id: int) -> SopRun:
    with read_session(engine) as s:
        run = s.get(SopRun, run_id)
        assert run is not None
        return run


def tick(engine: Engine, email: str, run_id: int, title: str, status: str = "done", note: str = "") -> SopRun:
    with write_session(engine) as s:
        return sop_runs.complete_step(
            s, actor(engine, email), run_id, step_ids(engine, run_id)[title], status, note
        )


@pytest.fixture
def post_run(demo_db: Engine) -> tuple[Engine, int, int]:
    """(engine, run id, post id): the STEPS checklist started on a warisan post with one image lacking alt text."""
    slug = make_template(demo_db, STEPS)
    post = make_post(demo_db, "warisan", ["Hello", "Hi"])
    attach(demo_db, post.variant_ids[0], make_asset(demo_db, "warisan", "cup.jpg"))
    with write_session(demo_db) as s:
        run = sop_runs.start_run(s, actor(demo_db, EDITOR), slug, "post", post.id)
        return demo_db, run.id, post.id


def test_start_creates_a_result_per_step_with_due_times_and_evaluates_checks(post_run) -> None:  # type: ignore[no-untyped-def]
    engine, run_id, _ = post_run
    run = run_state(engine, run_id)
    assert run.status == SopRunStatus.OPEN and run.due_at == run.started_at + timedelta(hours=72)
    found = results(engine, run_id)
    assert set(found) == {s.title for s in STEPS}
    assert found["Write copy"].status == StepStatus.PENDING
    alt = found["Alt text on every image"]
    assert alt.status == StepStatus.FAILED and alt.auto_result.startswith("0 of 1 variants have alt text")
    with read_session(engine) as s:
        detail = sop_details.run_detail(s, actor(engine, EDITOR), run_id)
        [row] = s.scalars(
            select(AuditLog).where(AuditLog.object_type == "sop_run", AuditLog.action == "start")
        )
    due = detail.steps.set_index("title")["due"]
    assert due["Write copy"] == run.started_at + timedelta(hours=24)
    assert due["Nice to have"] == run.due_at, "a step without an offset is due with the run"
    assert row.actor == EDITOR and "Post: SOP test post" in row.object_label


def test_owner_role_manager_override_and_viewer_refused(post_run) -> None:  # type: ignore[no-untyped-def]
    engine, run_id, _ = post_run
    with pytest.raises(PermissionDenied, match="manager role"):
        tick(engine, EDITOR, run_id, "Manager review")
    with pytest.raises(PermissionDenied, match="editor role"):
        tick(engine, CM, run_id, "Write copy")
    with pytest.raises(PermissionDenied):
        tick(engine, VIEWER, run_id, "Nice to have")
    tick(engine, EDITOR, run_id, "Write copy", note="Done.")
    tick(engine, CM, run_id, "Nice to have")  # no owner role: anyone who works checklists
    tick(engine, LEAD, run_id, "Manager review")
    found = results(engine, run_id)
    assert found["Write copy"].status == StepStatus.DONE and found["Write copy"].note == "Done."
    assert found["Write copy"].done_by_id == actor(engine, EDITOR).user_id and found["Write copy"].done_at
    # The manager may also tick a step owned by editors.
    with write_session(engine) as s:
        sop_runs.complete_step(s, actor(engine, LEAD), run_id, step_ids(engine, run_id)["Write copy"], "done")


def test_brand_only_approver_may_not_touch_another_brands_run(post_run) -> None:  # type: ignore[no-untyped-def]
    engine, run_id, _ = post_run
    other = make_post(engine, "senja")
    slug = make_template(engine, [StepInput("Approver check", "", Role.APPROVER)], name="Approver list")
    with write_session(engine) as s:
        senja_run = sop_runs.start_run(s, actor(engine, LEAD), slug, "post", other.id).id
    with pytest.raises(NotFound):
        tick(engine, WARISAN_APPROVER, senja_run, "Approver check")
    tick(engine, WARISAN_APPROVER, run_id, "Nice to have")


def test_required_steps_cannot_be_skipped_and_automatic_steps_cannot_be_ticked(post_run) -> None:  # type: ignore[no-untyped-def]
    engine, run_id, _ = post_run
    with pytest.raises(ValidationError, match="required and cannot be skipped"):
        tick(engine, EDITOR, run_id, "Write copy", "skipped")
    with pytest.raises(ValidationError, match="automatic check"):
        tick(engine, LEAD, run_id, "Alt text on every image")
    with pytest.raises(ValidationError, match="say what failed"):
        tick(engine, EDITOR, run_id, "Write copy", "failed")
    with pytest.raises(ValidationError, match="done, skipped or failed"):
        tick(engine, EDITOR, run_id, "Write copy", "pending")
    tick(engine, EDITOR, run_id, "Nice to have", "skipped")
    tick(engine, EDITOR, run_id, "Write copy", "failed", note="Price is wrong")
    assert results(engine, run_id)["Nice to have"].status == StepStatus.SKIPPED
    assert results(engine, run_id)["Write copy"].status == StepStatus.FAILED


def test_run_completes_when_every_required_step_is_done_and_checks_pass(post_run) -> None:  # type: ignore[no-untyped-def]
    engine, run_id, _ = post_run
    tick(engine, EDITOR, run_id, "Write copy")
    tick(engine, LEAD, run_id, "Manager review")
    assert run_state(engine, run_id).status == SopRunStatus.OPEN, "the alt-text check still fails"
    # Fix the image's alt text, then re-check: the automatic step passes and the run completes.
    with write_session(engine) as s:
        for a in s.scalars(select(Asset).where(Asset.filename == "cup.jpg")):
            a.alt_text = "A cup of kopi on a marble table"
    with write_session(engine) as s:
        checks = sop_runs.evaluate_checks(s, run_id, actor(engine, EDITOR))
    assert [(c.title, c.passed) for c in checks] == [("Alt text on every image", True)]
    run = run_state(engine, run_id)
    assert run.status == SopRunStatus.COMPLETE and run.completed_at is not None
    assert results(engine, run_id)["Nice to have"].status == StepStatus.PENDING, (
        "optional steps may stay open"
    )
    with write_session(engine) as s, pytest.raises(ValidationError, match="complete"):
        sop_runs.complete_step(s, actor(engine, EDITOR), run_id, step_ids(engine, run_id)["Nice to have"])
    with read_session(engine) as s:
        actions = s.scalars(
            select(AuditLog.action).where(AuditLog.object_type.in_(["sop_run", "sop_step_result"]))
        ).all()
        history = sop_details.completion_history(s, actor(engine, EDITOR), [brand_id(engine, "warisan")])
    assert actions.count("tick") == 2 and "check" in actions and "complete" in actions
    row = history.set_index("id").loc[run_id]
    assert row["completed by"] == "Mei Lim" and row["started by"] == "Farah Aziz"
    # The picture loses its alt text again: re-checking reopens the run.
    with write_session(engine) as s:
        for a in s.scalars(select(Asset).where(Asset.filename == "cup.jpg")):
            a.alt_text = ""
    with write_session(engine) as s:
        sop_runs.evaluate_checks(s, run_id)
    assert run_state(engine, run_id).status == SopRunStatus.OPEN
    with read_session(engine) as s:
        reopen = s.scalars(select(AuditLog).where(AuditLog.action == "reopen")).one()
    assert reopen.actor == "system:sop-checks"


def test_second_open_run_refused_and_cancel_rules(post_run) -> None:  # type: ignore[no-untyped-def]
    engine, run_id, post_id = post_run
    with write_session(engine) as s, pytest.raises(ValidationError, match="already open"):
        sop_runs.start_run(s, actor(engine, LEAD), "test-checklist", "post", post_id)
    with write_session(engine) as s, pytest.raises(PermissionDenied, match="cancel"):
        sop_runs.cancel_run(s, actor(engine, CM), run_id)
    with write_session(engine) as s:
        sop_runs.cancel_run(s, actor(engine, EDITOR), run_id, "wrong template")  # she started it
    with write_session(engine) as s, pytest.raises(ValidationError, match="only open"):
        sop_runs.cancel_run(s, actor(engine, LEAD), run_id)
    with write_session(engine) as s, pytest.raises(ValidationError, match="cancelled"):
        sop_runs.evaluate_checks(s, run_id)
    with write_session(engine) as s:
        assert sop_runs.start_run(s, actor(engine, LEAD), "test-checklist", "post", post_id).id != run_id


def test_viewer_and_wrong_object_types_refused(demo_db: Engine) -> None:
    post = make_post(demo_db, "warisan")
    with write_session(demo_db) as s, pytest.raises(PermissionDenied):
        sop_runs.start_run(s, actor(demo_db, VIEWER), "content-approval", "post", post.id)
    with (
        write_session(demo_db) as s,
        pytest.raises(ValidationError, match="checklist for a post, not a campaign"),
    ):
        sop_runs.start_run(s, actor(demo_db, EDITOR), "content-approval", "campaign", 1)
    with write_session(demo_db) as s, pytest.raises(NotFound):
        sop_runs.start_run(s, actor(demo_db, EDITOR), "content-approval", "post", 999_999)
    # The warisan-only approver cannot see lumi's posts at all.
    lumi_post = make_post(demo_db, "lumi")
    with write_session(demo_db) as s, pytest.raises(NotFound):
        sop_runs.start_run(s, actor(demo_db, WARISAN_APPROVER), "content-approval", "post", lumi_post.id)


def test_runs_on_reports_incidents_campaigns_and_brands(demo_db: Engine) -> None:
    editor, lead = actor(demo_db, EDITOR), actor(demo_db, LEAD)
    with write_session(demo_db) as s, pytest.raises(ValidationError, match="needs the brand"):
        sop_runs.start_run(s, editor, "monthly-reporting", "report", 203001)
    with write_session(demo_db) as s, pytest.raises(ValidationError, match="yyyymm"):
        sop_runs.start_run(s, editor, "monthly-reporting", "report", 203013, brand="senja")
    with write_session(demo_db) as s:
        report = sop_runs.start_run(s, editor, "monthly-reporting", "report", 203001, brand="senja")
        assert report.brand_id == brand_id(demo_db, "senja") and len(report.results) == 5
        incident = s.scalars(select(Incident)).first()
        crisis = sop_runs.start_run(s, lead, "crisis-response", SopObjectType.INCIDENT, incident.id)
        assert crisis.brand_id == incident.brand_id
    warisan = brand_id(demo_db, "warisan")
    with write_session(demo_db) as s, pytest.raises(ValidationError, match="already open on Brand: Warisan"):
        sop_runs.start_run(s, lead, "community-response", "brand", warisan)  # the demo's own run
    with write_session(demo_db) as s:
        demo_run = s.scalars(
            select(SopRun.id).where(
                SopRun.object_type == SopObjectType.BRAND,
                SopRun.object_id == warisan,
                SopRun.status == SopRunStatus.OPEN,
            )
        ).one()
        sop_runs.cancel_run(s, lead, demo_run)
        brand_run = sop_runs.start_run(s, lead, "community-response", "brand", warisan)
        assert brand_run.object_id == brand_run.brand_id == warisan
    launch = make_template(
        demo_db,
        [StepInput("Every post has a brief", auto_check="brief_attached"), StepInput("Kick-off call")],
        name="Campaign launch",
        applies_to="campaign",
    )
    with read_session(demo_db) as s:
        campaign = s.scalars(select(Campaign).where(Campaign.slug == "nasi-lemak-week")).one()
    with write_session(demo_db) as s:
        run = sop_runs.start_run(s, editor, launch, "campaign", campaign.id)
    with read_session(demo_db) as s:
        detail = sop_details.run_detail(s, editor, run.id)
    assert detail.object == "Campaign: " + campaign.name
    found = detail.steps.set_index("title").loc["Every post has a brief", "found"]
    assert "posts of the campaign pass" in found or "posts fail" in found


def test_run_detail_says_what_the_reader_may_tick(post_run) -> None:  # type: ignore[no-untyped-def]
    engine, run_id, _ = post_run
    with read_session(engine) as s:
        as_editor = sop_details.run_detail(s, actor(engine, EDITOR), run_id)
        as_lead = sop_details.run_detail(s, actor(engine, LEAD), run_id)
    may = as_editor.steps.set_index("title")["you may tick"].to_dict()
    assert may == {
        "Write copy": True,
        "Alt text on every image": False,
        "Manager review": False,
        "Nice to have": True,
    }
    ids = step_ids(engine, run_id)
    assert "manager role" in as_editor.refusals[ids["Manager review"]]
    assert "Re-check" in as_editor.refusals[ids["Alt text on every image"]]
    assert as_editor.may_cancel and as_lead.may_cancel
    assert set(as_lead.refusals) == {ids["Alt text on every image"]}
