"""The demo opens healthy, and stays so under the jobs runner: right after it is seeded the admins' red
banner has nothing to say, the runner's first syncs and publishing find nothing to fail on (the demo has
no platform accounts, so its channels are posted by hand), and its past trouble (a Mastodon outage in
the inbox sync, a renamed export column) is there to read in the job history on Jobs & connections. A
real failure on the same workspace still raises the banner."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import Engine, func, select

from app.db import read_session, write_session
from app.models import Channel, ConnectorAccount, JobRun
from app.models.enums import HealthStatus, JobStatus, Role
from app.services import ops
from app.services.core import Actor
from app.services.ops import timings
from jobs import publish_due, sync_inbox

ADMIN = Actor(email="admin@health.test", workspace_role=Role.ADMIN)


def _just_seeded(engine: Engine):  # type: ignore[no-untyped-def]
    """The moment the demo was built: its job history ends there."""
    with read_session(engine) as s:
        return s.scalar(select(func.max(JobRun.finished_at))) + timedelta(seconds=30)


def test_a_freshly_seeded_demo_raises_no_banner(demo_db: Engine) -> None:
    now = _just_seeded(demo_db)
    with read_session(demo_db) as s:
        problems = ops.problems_for_banner(s, ADMIN, timings(), now=now)
        statuses = set(s.scalars(select(ConnectorAccount.status)))
    assert problems == [], [f"{p.subject}: {p.detail}" for p in problems]
    assert statuses == {HealthStatus.OK}


def test_its_past_failures_are_history_on_jobs_and_connections(demo_db: Engine) -> None:
    now = _just_seeded(demo_db)
    with read_session(demo_db) as s:
        brand_ids = list(s.scalars(select(Channel.brand_id).distinct()))
        connections = ops.connector_health(s, ADMIN, brand_ids).set_index("channel")
        failed_runs = s.execute(
            select(JobRun.job_name, JobRun.error, JobRun.started_at).where(JobRun.status == JobStatus.FAILED)
        ).all()
    # Nothing in the demo points at a platform it has no account on: every channel is posted by hand.
    assert set(connections["connector"]) == {"manual"} and set(connections["status"]) == {"ok"}
    assert {name for name, _, _ in failed_runs} == {"sync_inbox", "import_metrics"}
    assert all(started < now - timedelta(hours=12) for _, _, started in failed_runs)


def test_the_runner_s_first_jobs_leave_the_demo_healthy(demo_db: Engine, use_db) -> None:  # type: ignore[no-untyped-def]
    use_db(demo_db)
    assert publish_due.main([]) == 0
    assert sync_inbox.main([]) == 0
    with read_session(demo_db) as s:
        problems = ops.problems_for_banner(s, ADMIN, timings())
        statuses = set(s.scalars(select(ConnectorAccount.status)))
    assert [p for p in problems if p.kind == "connection"] == []
    assert statuses == {HealthStatus.OK}


def test_a_real_failure_on_the_demo_still_raises_the_banner(demo_db: Engine) -> None:
    now = _just_seeded(demo_db)
    with write_session(demo_db) as s:
        account = s.scalars(
            select(ConnectorAccount)
            .join(Channel, Channel.id == ConnectorAccount.channel_id)
            .where(Channel.slug == "senja-mastodon")
        ).one()
        account.status, account.last_error = HealthStatus.BROKEN, "The access token was revoked"
        account.last_error_at = now
    with read_session(demo_db) as s:
        problems = ops.problems_for_banner(s, ADMIN, timings(), now=now)
        # And the runner staying off makes publishing late, as it should.
        late = ops.problems_for_banner(s, ADMIN, timings(), now=now + timedelta(hours=3))
    assert [(p.subject, p.detail) for p in problems] == [
        ("senja-mastodon", "broken: The access token was revoked")
    ]
    assert "publish_due" in {p.subject for p in late if p.kind == "job"}
