"""The expire-approvals job: lapsed approvals go back to draft and every run leaves a job-run row,
also when it fails."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine, select

from app.db import read_session, write_session
from app.models import ApprovalRequest, JobRun, Post
from app.models.enums import ApprovalRequestStatus, JobStatus, PostStatus
from jobs import expire_approvals
from jobs.recording import run_job


def test_lapsed_approvals_go_back_to_draft_and_the_run_is_recorded(demo_db: Engine, use_db) -> None:  # type: ignore[no-untyped-def]
    use_db(demo_db)
    with write_session(demo_db) as s:
        req = s.scalars(
            select(ApprovalRequest)
            .join(Post, Post.id == ApprovalRequest.post_id)
            .where(
                ApprovalRequest.status == ApprovalRequestStatus.APPROVED, Post.status == PostStatus.APPROVED
            )
        ).first()
        req.expires_at = datetime.now(UTC) - timedelta(minutes=1)
        post_id = req.post_id
    assert run_job("expire_approvals", expire_approvals.work) == 0
    with read_session(demo_db) as s:
        assert s.get(Post, post_id).status == PostStatus.DRAFT
        run = s.scalars(
            select(JobRun)
            .where(JobRun.job_name == "expire_approvals", JobRun.host != "ops-1")  # not the demo's history
            .order_by(JobRun.id.desc())
        ).first()
    assert (
        run is not None
        and run.status == JobStatus.OK
        and run.counts["expired"] >= 1
        and run.finished_at is not None
    )


def test_a_failing_job_is_recorded_with_its_error(demo_db: Engine, use_db) -> None:  # type: ignore[no-untyped-def]
    use_db(demo_db)

    def broken(session, actor):  # type: ignore[no-untyped-def]
        raise RuntimeError("platform said no")

    assert run_job("broken_job", broken) == 1
    with read_session(demo_db) as s:
        run = s.scalars(select(JobRun).where(JobRun.job_name == "broken_job")).one()
    assert run.status == JobStatus.FAILED and "platform said no" in run.error
