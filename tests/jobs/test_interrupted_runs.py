"""Runs whose process died mid-job: a real job process killed with SIGKILL leaves its run "running"; the
health read models (job health, recent runs, the admin's banner) and the Jobs & connections page show it as
interrupted and count it as a failure; the job's next run, or the runner as it starts, records it as
interrupted with the reason and an audit row. A run on another host is judged by its age only."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine, select

from app.db import read_session, write_session
from app.models import AuditLog, JobRun
from app.models.enums import JobStatus, Role
from app.services import ops
from app.services.core import Actor, PermissionDenied
from app.services.ops import JobSpec, JobTiming, job_runs
from app.services.org import users
from app.ui.shell import health_banner
from jobs import runner
from jobs.recording import run_job
from tests.pages.pagekit import new_app, signed_in

REPO = Path(__file__).resolve().parents[2]
ADMIN = Actor(email="admin@ops.test", workspace_role=Role.ADMIN)
MANAGER = Actor(email="manager@ops.test", workspace_role=Role.MANAGER)
JOB = "nap"
TIMINGS = [JobTiming(JOB, timedelta(minutes=5), timedelta(minutes=20))]


def _runs(db: Engine, name: str = JOB) -> list[JobRun]:
    with read_session(db) as s:
        return list(s.scalars(select(JobRun).where(JobRun.job_name == name).order_by(JobRun.id)))


def killed_mid_job(db: Engine, name: str = JOB) -> int:
    """A real process runs the job through run_job and is SIGKILLed while the work goes on; returns its pid."""
    code = (
        "import time\n"
        "from jobs.recording import run_job\n"
        "def work(session, actor):\n"
        "    print('working', flush=True)\n"
        "    time.sleep(120)\n"
        "    return {}\n"
        f"run_job({name!r}, work)\n"
    )
    env = {**os.environ, "DATABASE_URL": db.url.render_as_string(hide_password=False)}
    proc = subprocess.Popen(
        [sys.executable, "-c", code],
        cwd=REPO,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()  # bounded: the child sleeps 120 s at most after saying so
        assert line.strip() == "working", proc.stderr.read() if proc.stderr else line
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait(timeout=30)
    return proc.pid


def gone_pid() -> int:
    """The id of a process that has exited (and been reaped)."""
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait(timeout=30)
    return proc.pid


def test_a_job_killed_mid_run_is_shown_interrupted_and_its_next_run_records_it(
    empty_db: Engine, use_db
) -> None:  # type: ignore[no-untyped-def]
    db = empty_db
    use_db(db)  # the next run, in this process, finds the store as a job does
    pid = killed_mid_job(db)

    [left] = _runs(db)
    assert (left.status, left.pid, left.host) == (JobStatus.RUNNING, pid, socket.gethostname())
    with read_session(db) as s:
        health = ops.job_health(s, ADMIN, TIMINGS).set_index("job")
        runs = ops.recent_job_runs(s, ADMIN, timings=TIMINGS)
        problems = ops.problems_for_banner(s, ADMIN, TIMINGS)
    assert health.loc[JOB, "state"] == "interrupted" and health.loc[JOB, "last status"] == "interrupted"
    assert health.loc[JOB, "failures 24h"] == 1 and str(pid) in health.loc[JOB, "last error"]
    assert list(runs["status"]) == ["interrupted"]
    [problem] = [p for p in problems if p.subject == JOB]
    assert problem.kind == "job" and "interrupted" in problem.detail and str(pid) in problem.detail
    assert _runs(db)[0].status == JobStatus.RUNNING, "reading the health changes nothing"

    assert run_job(JOB, lambda session, actor: {"done": 1}) == 0

    killed, next_run = _runs(db)
    assert (
        killed.status == JobStatus.INTERRUPTED
        and f"({pid} on {socket.gethostname()}) is gone" in killed.error
    )
    assert next_run.status == JobStatus.OK and next_run.pid == os.getpid()
    with read_session(db) as s:
        [entry] = s.scalars(select(AuditLog).where(AuditLog.action == "job_run.interrupted")).all()
        health = ops.job_health(s, ADMIN, TIMINGS).set_index("job")
        problems = ops.problems_for_banner(s, ADMIN, TIMINGS)
    assert (entry.actor, entry.object_id, entry.after["status"]) == (
        f"job:{JOB}",
        str(killed.id),
        "interrupted",
    )
    assert health.loc[JOB, "state"] == "ok" and health.loc[JOB, "failures 24h"] == 1, "still counted"
    assert [p for p in problems if p.subject == JOB] == []

    assert run_job(JOB, lambda session, actor: {"done": 1}) == 0
    with read_session(db) as s:
        assert len(s.scalars(select(AuditLog).where(AuditLog.action == "job_run.interrupted")).all()) == 1


def test_a_live_run_stays_running_and_one_elsewhere_is_judged_by_its_age(empty_db: Engine) -> None:
    now = datetime.now(UTC)
    here = socket.gethostname()
    with write_session(empty_db) as s:
        for name, host, pid, ago in (
            ("live_here", here, os.getpid(), timedelta(minutes=2)),  # this very process: alive
            ("recent_elsewhere", "runner-2.internal", 4242, timedelta(minutes=10)),
            ("old_elsewhere", "runner-2.internal", 4242, job_runs.RUN_TOO_LONG + timedelta(minutes=1)),
            ("old_no_pid", "", None, job_runs.RUN_TOO_LONG + timedelta(minutes=1)),  # a row from before pids
        ):
            s.add(JobRun(job_name=name, started_at=now - ago, status=JobStatus.RUNNING, host=host, pid=pid))
    timings = [
        JobTiming(n, timedelta(minutes=5), timedelta(minutes=20))
        for n in ("live_here", "recent_elsewhere", "old_elsewhere", "old_no_pid")
    ]
    with read_session(empty_db) as s:
        health = ops.job_health(s, ADMIN, timings, now=now).set_index("job")
    assert health.loc["live_here", "state"] == "running"
    assert health.loc["recent_elsewhere", "state"] == "running", "a process elsewhere cannot be looked at"
    # Older than any run may take: dead, wherever it ran (and late too, which the state says first).
    assert health.loc["old_elsewhere", "last status"] == "interrupted"
    assert "longer than a run may take (6 h)" in health.loc["old_elsewhere", "last error"]
    assert health.loc["old_no_pid", "last status"] == "interrupted"

    # A job that legitimately runs long (configured daily, late after two days) is given that long.
    daily = [JobTiming("old_elsewhere", timedelta(days=1), timedelta(days=2, hours=1))]
    with read_session(empty_db) as s:
        health = ops.job_health(s, ADMIN, daily, now=now).set_index("job")
    assert health.loc["old_elsewhere", "state"] == "running"

    with write_session(empty_db) as s, pytest.raises(PermissionDenied):  # reading health is not fixing it
        ops.mark_interrupted(s, MANAGER, [t.name for t in timings], timings, now=now)
    with write_session(empty_db) as s:
        marked = ops.mark_interrupted(s, ADMIN, [t.name for t in timings], timings, now=now)
    with read_session(empty_db) as s:
        statuses = dict(s.execute(select(JobRun.job_name, JobRun.status)).all())
    assert len(marked) == 2
    assert statuses == {
        "live_here": JobStatus.RUNNING,
        "recent_elsewhere": JobStatus.RUNNING,
        "old_elsewhere": JobStatus.INTERRUPTED,
        "old_no_pid": JobStatus.INTERRUPTED,
    }


def test_the_runner_records_interrupted_runs_as_it_starts_even_of_a_job_not_due(
    empty_db: Engine, use_db, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    use_db(empty_db)
    name = f"hourly_{tmp_path.name.replace('-', '_').lower()[-20:]}"
    (tmp_path / f"{name}.py").write_text(
        "def work(session, actor):\n    return {'done': 1}\n", encoding="utf-8"
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    spec = JobSpec(name, name, "test job", timedelta(hours=1), timedelta(minutes=30))
    pid = gone_pid()
    with write_session(empty_db) as s:  # killed a minute ago: the job is not due for another hour
        s.add(
            JobRun(
                job_name=name,
                started_at=datetime.now(UTC) - timedelta(minutes=1),
                status=JobStatus.RUNNING,
                host=socket.gethostname(),
                pid=pid,
            )
        )

    assert runner.main(["--once"], jobs=[spec]) == 0

    [run] = _runs(empty_db, name)
    assert run.status == JobStatus.INTERRUPTED and str(pid) in run.error, "recorded, and the job not run"
    with read_session(empty_db) as s:
        actors = s.scalars(select(AuditLog.actor).where(AuditLog.action == "job_run.interrupted")).all()
    assert actors == ["job:runner"]


def test_the_jobs_page_says_interrupted(demo_db: Engine, use_db) -> None:  # type: ignore[no-untyped-def]
    use_db(demo_db)
    email = "admin@interrupted.test"
    now = datetime.now(UTC)
    with write_session(demo_db) as s:
        users.add_user(s, Actor.system("test:setup"), email=email, role="admin", name="admin")
        # On time (whenever the demo was built), then a run whose runner was killed mid-import.
        s.add(
            JobRun(
                job_name="import_metrics",
                started_at=now - timedelta(minutes=5),
                finished_at=now - timedelta(minutes=4),
                status=JobStatus.OK,
                host=socket.gethostname(),
            )
        )
        s.add(
            JobRun(
                job_name="import_metrics",
                started_at=now - timedelta(minutes=1),
                status=JobStatus.RUNNING,
                host=socket.gethostname(),
                pid=gone_pid(),
            )
        )
    health_banner.clear()
    try:
        at = signed_in(new_app(), email)
        at.run()
        at.switch_page("pages/admin/jobs.py").run()
        assert not at.exception, [e.value for e in at.exception]
        jobs = next(
            d.value for d in at.dataframe if "state" in d.value.columns and "every" in d.value.columns
        )
        row = jobs.set_index("job").loc["import_metrics"]
        assert row["state"] == "interrupted" and row["last status"] == "interrupted"
        assert row["failures 24h"] >= 1
        errors = [e.value for e in at.error]
        shown = [e.replace("\\", "") for e in errors]  # names are Markdown-escaped on the page
        assert any(e.startswith("Interrupted: import_metrics:") for e in shown), errors
        # The banner an admin sees on every page names it too.
        assert any("import_metrics" in e and "was interrupted" in e for e in shown if "Jobs:" in e), errors
    finally:
        health_banner.clear()
