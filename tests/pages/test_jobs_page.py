"""The Jobs & connections page and the red health banner (AppTest on the demo workspace): the page shows
each connection and each scheduled job with its state; "Check now" records what the platform said; the
banner appears on every page for an admin when a connection is broken or a job is late, and never for an
editor or a manager (they cannot fix it)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from pagekit import assert_page_ok, new_app, signed_in
from sqlalchemy import Engine, delete, func, select
from streamlit.testing.v1 import AppTest

from app.db import read_session, write_session
from app.models import Channel, ConnectorAccount, JobRun
from app.models.enums import HealthStatus, JobStatus
from app.services import ops
from app.services.core import Actor
from app.services.ops import timings
from app.services.org import channels, users
from app.ui.shell import health_banner

ADMIN, EDITOR, MANAGER = "admin@jobs.test", "editor@jobs.test", "manager@jobs.test"
PAGE = "pages/admin/jobs.py"


@pytest.fixture
def db(demo_db: Engine, use_db) -> Engine:  # type: ignore[no-untyped-def]
    use_db(demo_db)
    system = Actor.system("test:setup")
    with write_session(demo_db) as s:
        for email, role in ((ADMIN, "admin"), (EDITOR, "editor"), (MANAGER, "manager")):
            users.add_user(s, system, email=email, role=role, name=email.split("@")[0])
    health_banner.clear()
    yield demo_db
    health_banner.clear()


def _as(email: str) -> AppTest:
    at = signed_in(new_app(), email)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _frame(at: AppTest, column: str):  # type: ignore[no-untyped-def]
    return next(d.value for d in at.dataframe if column in d.value.columns)


def _banner(at: AppTest) -> list[str]:
    return [e.value for e in at.error if "need attention" in e.value or "succeeded on time" in e.value]


def _break(db: Engine, slug_part: str, message: str) -> str:
    with write_session(db) as s:
        channel, account = s.execute(
            select(Channel, ConnectorAccount)
            .join(ConnectorAccount, ConnectorAccount.channel_id == Channel.id)
            .where(Channel.slug.contains(slug_part), Channel.active.is_(True))
            .order_by(Channel.id)
        ).first()
        account.status, account.last_error = HealthStatus.BROKEN, message
        account.last_error_at = datetime.now(UTC)
        return channel.slug


def test_the_page_shows_connections_and_jobs(db: Engine) -> None:
    with write_session(db) as s:  # the runner did sync_inbox two minutes ago
        at = datetime.now(UTC) - timedelta(minutes=2)
        s.add(
            JobRun(
                job_name="sync_inbox",
                started_at=at,
                finished_at=at + timedelta(seconds=4),
                status=JobStatus.OK,
                counts={"added": 3},
            )
        )
    at = _as(ADMIN)
    at.switch_page(PAGE).run()
    assert_page_ok(at, "Jobs & connections")
    connections = _frame(at, "rate limit left")
    assert len(connections) > 10 and "senja-mastodon" in set(connections["channel"])
    jobs = _frame(at, "next run").set_index("job")
    assert {"publish_due", "sync_inbox", "import_metrics", "expire_approvals", "sheets_sync"} <= set(
        jobs.index
    )
    assert jobs.loc["sync_inbox", "state"] == ["ok"] and jobs.loc["sync_inbox", "every"] == "5 min"
    assert jobs.loc["sync_inbox", "next run"] - jobs.loc["sync_inbox", "last run"] == timedelta(minutes=5)
    assert jobs.loc["sync_inbox", "counts"] == "added: 3" and jobs.loc["sync_inbox", "duration (s)"] == 4
    assert jobs.loc["sync_inbox", "runs 24h"] > 0
    assert jobs.loc["sheets_sync", "state"] == ["never run"], "the demo connects no Google Sheet"
    assert at.get("vega_lite_chart"), "the runs-per-day chart"
    # Every minute, as the runner does (the session's demo was built minutes before this test runs).
    assert jobs.loc["publish_due", "runs 24h"] > 20 * 60, "the demo's history, on the runner's cadence"
    # The demo's job history runs up to when it was built, on the runner's cadences: at that moment
    # nothing is late (the test session built it minutes ago, so ask as of then).
    with read_session(db) as s:
        built = s.scalar(select(func.max(JobRun.started_at)).where(JobRun.host == "ops-1"))
        admin = users.load_actor(s, ADMIN)
        then = ops.job_health(s, admin, timings(), now=built + timedelta(minutes=1))
    assert "late" not in set(then["state"]), then[["job", "state"]]


def test_banner_for_a_broken_connection_and_a_late_job_shown_to_admins_only(db: Engine) -> None:
    slug = _break(db, "lumi", "The access token you provided was revoked")
    with write_session(db) as s:  # expire_approvals last succeeded two hours ago: past its 45 minutes
        at = datetime.now(UTC) - timedelta(hours=2)
        s.execute(delete(JobRun).where(JobRun.job_name == "expire_approvals", JobRun.started_at > at))
        s.add(JobRun(job_name="expire_approvals", started_at=at, finished_at=at, status=JobStatus.OK))

    admin = _as(ADMIN)
    (banner,) = _banner(admin)
    assert (
        slug in banner.replace("\\", "")
        and "revoked" in banner
        and "expire_approvals" in banner.replace("\\", "")
    )
    admin.switch_page("pages/plan/calendar.py").run()
    assert len(_banner(admin)) == 1, "on every page"

    for email in (EDITOR, MANAGER):
        other = _as(email)
        assert _banner(other) == [], email
    manager = _as(MANAGER)
    manager.switch_page(PAGE).run()
    assert_page_ok(manager, "Jobs & connections")  # managers read the page; the banner is for fixers
    assert "late" in {s for (s,) in _frame(manager, "next run")["state"]}


def test_check_now_records_what_the_platform_said(db: Engine) -> None:
    with write_session(db) as s:  # the demo's channels are posted by hand: connect one to Mastodon
        channels.create_channel(
            s,
            Actor.system("test:setup"),
            brand="lumi",
            platform="mastodon",
            handle="@lumi",
            base_url="http://127.0.0.1:9",
            credential_env="SOCIALOPS_JOBS_TEST_LUMI_TOKEN",
        )
    at = _as(ADMIN)
    at.switch_page(PAGE).run()
    choice = at.selectbox(key="check_channel")
    slug = next(o for o in choice.options if "mastodon" in o)
    choice.set_value(slug).run()
    at.button(key="check_one").click().run()
    assert_page_ok(at, "Jobs & connections")
    # Its credential is not on this machine: the check says which variable is missing.
    assert any(slug in e.value.replace("\\", "") and "not set" in e.value for e in at.error)
    with read_session(db) as s:
        account = s.scalars(
            select(ConnectorAccount)
            .join(Channel, Channel.id == ConnectorAccount.channel_id)
            .where(Channel.slug == slug)
        ).one()
    assert account.status == HealthStatus.BROKEN and "not set" in account.last_error
    at.run()
    assert any(slug in b.replace("\\", "") for b in _banner(at)), (
        "the banner shows it at once (cache cleared)"
    )


def test_a_broken_schedule_setting_is_named_and_the_page_still_shows(
    db: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SOCIALOPS_JOB_SYNC_INBOX", "every five minutes")
    at = _as(ADMIN)
    at.switch_page(PAGE).run()
    assert not at.exception
    assert any("SOCIALOPS_JOB_SYNC_INBOX" in e.value.replace("\\", "") for e in at.error)
    assert _frame(at, "next run").set_index("job").loc["sync_inbox", "every"] == "5 min"
