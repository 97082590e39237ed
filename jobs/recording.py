"""Running one job and keeping its record: a job-run row with start, end, status, counts and the error,
written whatever happens, so the health page can tell a job that failed from one that never ran. A run
whose process was killed is recorded as interrupted by the job's next run (or the runner's start)."""

from __future__ import annotations

import logging
import os
import socket
import sys
import traceback
from collections.abc import Callable, Sequence
from datetime import UTC, datetime

from sqlalchemy.orm import Session

from app.config import ConfigError
from app.db import write_session
from app.faults import maybe_crash
from app.models import JobRun
from app.models.enums import JobStatus
from app.services import ops
from app.services.ops import JobTiming
from app.services.permissions import Actor
from jobs import registry

log = logging.getLogger("socialops.jobs")


def _timings(names: Sequence[str]) -> list[JobTiming]:
    # The schedule decides how long a run may take before it counts as interrupted; a broken schedule
    # falls back on the built-in cadences rather than stopping the job.
    specs = [s for s in registry.JOBS if s.name in names]
    try:
        return registry.timings(specs)
    except ConfigError:
        return registry.default_timings(specs)


def record_interrupted(session: Session, names: Sequence[str], actor: Actor) -> list[int]:
    """Record as interrupted the runs of these jobs left "running" by a process that is gone (see
    ops.mark_interrupted); logged, so the runner's log says what it found."""
    marked = ops.mark_interrupted(session, actor, names, _timings(names))
    if marked:
        log.warning("recorded %d run(s) of %s as interrupted: %s", len(marked), ", ".join(names), marked)
    return marked


def run_job(name: str, work: Callable[[Session, Actor], dict[str, int]]) -> int:
    """Run `work` in one transaction as the actor `job:<name>`; return a process exit code."""
    actor = Actor.system(f"job:{name}")
    with write_session() as session:
        record_interrupted(session, [name], actor)
        run = JobRun(
            job_name=name,
            started_at=datetime.now(UTC),
            status=JobStatus.RUNNING,
            host=socket.gethostname(),
            pid=os.getpid(),
        )
        session.add(run)
        session.flush()
        run_id = run.id
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
