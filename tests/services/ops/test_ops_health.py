"""Job lateness and the admin's banner problems: a job is late when it has not succeeded within its
threshold (failing every time counts), a job that never ran is not; broken connections and expired
tokens are shown to those who manage connections on the brand, and jobs only to workspace admins."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine, select

from app.db import read_session, write_session
from app.models import Brand, Channel, ConnectorAccount, JobRun
from app.models.enums import HealthStatus, JobStatus, Role
from app.services import ops
from app.services.core import Actor
from app.services.ops import JobTiming

NOW = datetime.now(UTC)
TIMINGS = [
    JobTiming("alpha", timedelta(minutes=5), timedelta(minutes=20)),
    JobTiming("beta", timedelta(minutes=5), timedelta(minutes=20)),
    JobTiming("gamma", timedelta(minutes=5), timedelta(minutes=20)),
    JobTiming("delta", None, None),
]
ADMIN = Actor(email="admin@ops.test", workspace_role=Role.ADMIN)
MANAGER = Actor(email="manager@ops.test", workspace_role=Role.MANAGER)


def _run(s, name: str, minutes_ago: float, status: JobStatus = JobStatus.OK) -> None:  # type: ignore[no-untyped-def]
    at = NOW - timedelta(minutes=minutes_ago)
    s.add(
        JobRun(
            job_name=name,
            started_at=at,
            finished_at=at + timedelta(seconds=3),
            status=status,
            counts={"n": 1},
        )
    )


@pytest.fixture
def db(empty_db: Engine) -> Engine:
    with write_session(empty_db) as s:
        _run(s, "alpha", 3)  # on time
        _run(s, "beta", 90)  # stopped running
        _run(s, "gamma", 60)  # runs on time but fails every time since an hour ago
        for m in (40, 30, 20, 10, 2):
            _run(s, "gamma", m, JobStatus.FAILED)
        _run(s, "delta", 500)  # switched off: never late
        _run(s, "legacy", 30)  # not in the schedule
    return empty_db


def test_job_health_states(db: Engine) -> None:
    with read_session(db) as s:
        df = ops.job_health(s, ADMIN, TIMINGS, now=NOW).set_index("job")
    assert df.loc["alpha", "state"] == "ok"
    assert df.loc["beta", "state"] == "late"
    assert df.loc["gamma", "state"] == "late" and df.loc["gamma", "failures 24h"] == 5
    assert df.loc["delta", "state"] == "off"
    assert df.loc["legacy", "every"] == "not scheduled"
    assert df.loc["alpha", "next run"] == df.loc["alpha", "last run"] + timedelta(minutes=5)
    assert df.loc["gamma", "last success"] < df.loc["gamma", "last run"]


def test_a_job_that_never_ran_is_listed_but_not_late(empty_db: Engine) -> None:
    with read_session(empty_db) as s:
        df = ops.job_health(s, ADMIN, TIMINGS, now=NOW).set_index("job")
        problems = ops.problems_for_banner(s, ADMIN, TIMINGS, now=NOW)
    assert df.loc["alpha", "state"] == "never run" and problems == []


def test_banner_problems_go_to_those_who_manage_connections(demo_db: Engine) -> None:
    with write_session(demo_db) as s:
        ids = dict(s.execute(select(Brand.slug, Brand.id)).all())

        def account(brand: str) -> ConnectorAccount:
            return s.scalars(
                select(ConnectorAccount)
                .join(Channel, Channel.id == ConnectorAccount.channel_id)
                .where(Channel.brand_id == ids[brand], Channel.active.is_(True))
                .order_by(Channel.id)
            ).first()

        broken = account("lumi")
        broken.status, broken.last_error = HealthStatus.BROKEN, "The access token was revoked"
        expired = account("warisan")
        expired.token_expires_at = NOW - timedelta(hours=1)
        # A hiccup half an hour ago is not worth a banner; senja-mastodon, failing for 26 h, is.
        hiccup = account("senja")
        hiccup.status, hiccup.last_error_at = HealthStatus.DEGRADED, NOW - timedelta(minutes=5)
        hiccup.last_success_at, hiccup.last_error = NOW - timedelta(minutes=30), "HTTP 502"
        failing = s.scalars(
            select(ConnectorAccount)
            .join(Channel, Channel.id == ConnectorAccount.channel_id)
            .where(Channel.slug == "senja-mastodon")
        ).one()
        failing.status, failing.last_error_at = HealthStatus.DEGRADED, NOW - timedelta(minutes=12)
        failing.last_success_at = NOW - timedelta(hours=26)
        failing.last_error = "HTTP 503 Service Unavailable from mastodon.social after 3 retries"
        _run(s, "beta", 90)
    lumi_admin = Actor(email="la@ops.test", brand_roles={ids["lumi"]: Role.ADMIN})
    editor = Actor(email="ed@ops.test", workspace_role=Role.EDITOR)
    with read_session(demo_db) as s:
        for_admin = ops.problems_for_banner(s, ADMIN, TIMINGS, now=NOW)
        for_lumi_admin = ops.problems_for_banner(s, lumi_admin, TIMINGS, now=NOW)
        for_manager = ops.problems_for_banner(s, MANAGER, TIMINGS, now=NOW)
        for_editor = ops.problems_for_banner(s, editor, TIMINGS, now=NOW)
    details = {p.kind + ":" + p.subject: p.detail for p in for_admin}
    assert sorted(p.kind for p in for_admin) == ["connection", "connection", "connection", "job"]
    assert details["connection:senja-mastodon"].startswith("failing, no success since")
    assert "503" in details["connection:senja-mastodon"]
    assert (
        details["job:beta"].startswith("no successful run since") and "expected 5 min" in details["job:beta"]
    )
    assert sum(d.startswith("token expired on") for d in details.values()) == 1
    assert any("The access token was revoked" in p.detail for p in for_admin), "the platform's words"
    assert [(p.kind, p.detail) for p in for_lumi_admin] == [
        ("connection", "broken: The access token was revoked")
    ]
    assert for_manager == [] and for_editor == []
