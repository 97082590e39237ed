"""Running one job and keeping its record: a job-run row with start, end, status, counts and the error,
written whatever happens, so the health page can tell a job that failed from one that never ran."""

from __future__ import annotations

import logging
import socket
import sys
import traceback
from collections.abc import Callable
from datetime import UTC, datetime

from sqlalchemy.orm import Session

from app.db import write_session
from app.faults import maybe_crash
from app.models import JobRun
from app.models.enums import JobStatus
from app.services.permissions import Actor

log = logging.getLogger("socialops.jobs")


def run_job(name: str, work: Callable[[Session, Actor], dict[str, int]]) -> int:
    """Run `work` in one transaction as the actor `job:<name>`; return a process exit code."""
    with write_session() as session:
        run = JobRun(
            job_name=name, started_at=datetime.now(UTC), status=JobStatus.RUNNING, host=socket.gethostname()
        )
        session.add(run)
        session.flush()
        run_id = run.id
    actor = Actor.system(f"job:{name}")
    try:
        with write_session() as session:
            counts = work(session, actor)
            maybe_crash(f"job.{name}.before_commit")  # the work done, not committed (tests only)
        maybe_crash(f"job.{name}.after_commit")  # committed, the run not yet recorded as ok
    except Exception as exc:
        log.exception("job %s failed", name)
        with write_session() as session:
            run = session.get(JobRun, run_id)
            run.status, run.finished_at = JobStatus.FAILED, datetime.now(UTC)
            run.error = f"{type(exc).__name__}: {exc}\n{traceback.format_exc(limit=5)}"[:4000]
        print(f"{name}: failed: {exc}", file=sys.stderr)
        return 1
    with write_session() as session:
        run = session.get(JobRun, run_id)
        run.status, run.finished_at, run.counts = JobStatus.OK, datetime.now(UTC), counts
    print(f"{name}: ok {counts}")
    return 0
