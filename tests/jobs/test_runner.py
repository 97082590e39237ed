"""The job runner: `--once` runs the jobs that are due and records each run, a job that raises (or cannot
even be imported) is recorded as failed while the others still run, cadences come from config, and a
running runner stops cleanly on SIGTERM (a real process, bounded in time)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select

from app.db import read_session
from app.models import JobRun
from app.models.enums import JobStatus
from app.services.ops import JobSpec, installed, parse_every, spec_named, timings
from jobs import runner

REPO = Path(__file__).resolve().parents[2]
MINUTE, GRACE = timedelta(minutes=1), timedelta(minutes=5)


@pytest.fixture
def fake_jobs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> list[JobSpec]:
    """Three job modules: one that raises, one whose import fails, one that works."""
    tag = tmp_path.name.replace("-", "_").lower()[-20:]
    sources = {
        f"boom_{tag}": "def work(session, actor):\n    raise RuntimeError('platform said no')\n",
        f"badimport_{tag}": "raise ImportError('a dependency is missing')\n",
        f"fine_{tag}": "def work(session, actor):\n    return {'done': 1}\n",
    }
    for name, source in sources.items():
        (tmp_path / f"{name}.py").write_text(source, encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    return [JobSpec(name, name, "test job", MINUTE, GRACE) for name in sources]


def _runs(engine: Engine, name: str) -> list[JobRun]:
    with read_session(engine) as s:
        return list(s.scalars(select(JobRun).where(JobRun.job_name == name).order_by(JobRun.id)))


def test_once_runs_due_jobs_and_a_raising_job_does_not_stop_the_others(
    empty_db: Engine, use_db, fake_jobs: list[JobSpec]
) -> None:  # type: ignore[no-untyped-def]
    use_db(empty_db)
    boom, badimport, fine = fake_jobs
    assert runner.main(["--once"], jobs=fake_jobs) == 1, "a failed job makes the exit code say so"

    (b,) = _runs(empty_db, boom.name)
    assert b.status == JobStatus.FAILED and "platform said no" in b.error and b.finished_at
    (i,) = _runs(empty_db, badimport.name)
    assert i.status == JobStatus.FAILED and "a dependency is missing" in i.error
    (f,) = _runs(empty_db, fine.name)
    assert f.status == JobStatus.OK and f.counts == {"done": 1}

    # Everything just ran and runs every minute: a second pass finds nothing due.
    assert runner.main(["--once"], jobs=fake_jobs) == 0
    assert [len(_runs(empty_db, s.name)) for s in fake_jobs] == [1, 1, 1]


def test_a_job_switched_off_in_config_is_not_run(
    empty_db: Engine, use_db, fake_jobs: list[JobSpec], monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    use_db(empty_db)
    boom, badimport, fine = fake_jobs
    monkeypatch.setenv(f"SOCIALOPS_JOB_{boom.name.upper()}", "off")
    monkeypatch.setenv(f"SOCIALOPS_JOB_{badimport.name.upper()}", "off")
    assert runner.main(["--once"], jobs=fake_jobs) == 0
    assert (len(_runs(empty_db, boom.name)), len(_runs(empty_db, fine.name))) == (0, 1)


def test_cadences_come_from_the_environment_then_secrets(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOCIALOPS_JOB_SYNC_INBOX", "2m")
    secrets = {"jobs": {"sync_inbox": "10m", "import_metrics": "3h", "sheets_sync": "off"}}
    by_name = {t.name: t for t in timings(secrets=secrets)}
    assert by_name["sync_inbox"].every == timedelta(minutes=2), "the environment wins"
    assert by_name["import_metrics"].every == timedelta(hours=3)
    assert by_name["import_metrics"].late_after == timedelta(hours=6, minutes=30)
    assert by_name["sheets_sync"].every is None and by_name["sheets_sync"].late_after is None
    assert by_name["publish_due"].every == timedelta(minutes=1), "the default"
    with pytest.raises(Exception, match=r"\[jobs\] publish_due = '5'.*unit"):
        timings(secrets={"jobs": {"publish_due": "5"}})
    assert parse_every("90s", "x") == timedelta(seconds=90)


def test_list_prints_the_schedule(empty_db: Engine, use_db, capsys: pytest.CaptureFixture[str]) -> None:  # type: ignore[no-untyped-def]
    use_db(empty_db)
    assert runner.main(["--list"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert [line.split()[0] for line in lines] == [
        "publish_due",
        "sync_inbox",
        "import_metrics",
        "expire_approvals",
        "sheets_sync",
        "refresh_rollups",
        "send_reports",
    ]
    sync = next(line for line in lines if line.startswith("sync_inbox"))
    assert "5 min" in sync and "scheduled" in sync
    # A job whose module this installation lacks is listed as such, not run.
    rollups = next(line for line in lines if line.startswith("refresh_rollups"))
    assert ("not installed" in rollups) == (not installed(spec_named("refresh_rollups")))


def test_sigterm_stops_a_running_runner(demo_db: Engine) -> None:
    url = demo_db.url.render_as_string(hide_password=False)
    env = {**os.environ, "DATABASE_URL": url, "SOCIALOPS_JOB_EXPIRE_APPROVALS": "1s", "PYTHONUNBUFFERED": "1"}
    with read_session(demo_db) as s:
        before = s.scalar(
            select(func.count()).select_from(JobRun).where(JobRun.job_name == "expire_approvals")
        )
    proc = subprocess.Popen(
        [sys.executable, "-m", "jobs.runner", "--only", "expire_approvals"],
        cwd=REPO,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 60
        runs = 0
        while time.monotonic() < deadline and proc.poll() is None:
            with read_session(demo_db) as s:
                runs = (
                    s.scalar(
                        select(func.count()).select_from(JobRun).where(JobRun.job_name == "expire_approvals")
                    )
                    - before
                )
            if runs >= 2:
                break
            time.sleep(0.3)
        assert runs >= 2, f"the runner ran the job every second: {runs} run(s)"
        os.kill(proc.pid, signal.SIGTERM)
        _, err = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait(timeout=10)
    assert proc.returncode == 0, err.decode()[-2000:]
    assert b"SIGTERM received" in err and b"stopped" in err
    with read_session(demo_db) as s:
        statuses = set(s.scalars(select(JobRun.status).where(JobRun.job_name == "expire_approvals")))
    assert statuses == {JobStatus.OK}, "no run was left half-done"
