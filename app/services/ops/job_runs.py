"""Job runs whose process died: a run recorded as running that cannot still be going (its process on this
host is gone, or it is older than any run may take) is interrupted; the health read models show it so,
and a job's next run (or the runner's start) records it, with the reason and an audit row."""

from __future__ import annotations

import socket
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta

from sqlalchemy import literal_column, select, update
from sqlalchemy.orm import Session

from app.models import JobRun
from app.models.enums import JobStatus
from app.services.core import Actor, Perm, audit, clock, process_alive, require

# Outcomes that count as a failure of the job: it failed, or its process died before it could finish.
FAILURES = (JobStatus.FAILED, JobStatus.INTERRUPTED)
# A run still recorded as running after this long is taken for dead even when its process cannot be
# looked at (it ran on another host): no job here legitimately runs for hours.
RUN_TOO_LONG = timedelta(hours=6)


def _hours(span: timedelta) -> str:
    return f"{span.total_seconds() / 3600:g} h"


def why_interrupted(
    host: str, pid: int | None, started: datetime, bound: timedelta, now: datetime
) -> str | None:
    """Why a run recorded as running cannot still be going, or None when it may be. Its process is looked
    for only on this host (a process id means nothing on another one); elsewhere only its age tells."""
    if pid is not None and host == socket.gethostname() and not process_alive(pid):
        return f"interrupted: its process ({pid} on {host}) is gone; it neither finished nor failed"
    if now - started > bound:
        return (
            f"interrupted: recorded as running since {started:%d %b %H:%M} UTC, longer than a run may take"
            f" ({_hours(bound)}); its runner on {host or 'an unknown host'} must have stopped"
        )
    return None


def dead_runs(
    session: Session, names: Sequence[str], bounds: Mapping[str, timedelta], now: datetime
) -> dict[str, list[tuple[int, datetime, str]]]:
    """Per job: (run id, started, reason) of its runs recorded as running that cannot be (why_interrupted;
    `bounds` per job, RUN_TOO_LONG for the others), oldest first."""
    j = JobRun
    # The status as a literal, as the partial index ix_job_runs_running spells it, so both stores use it
    # (a handful of rows) instead of reading a job's whole history.
    query = select(j.id, j.job_name, j.started_at, j.host, j.pid).where(
        literal_column("job_runs.status") == literal_column("'running'"), j.job_name.in_(list(names))
    )
    out: dict[str, list[tuple[int, datetime, str]]] = {}
    for run_id, name, started, host, pid in session.execute(query.order_by(j.id)):
        if why := why_interrupted(host, pid, started, bounds.get(name, RUN_TOO_LONG), now):
            out.setdefault(name, []).append((run_id, started, why))
    return out


def mark_interrupted(
    session: Session,
    actor: Actor,
    names: Sequence[str],
    bounds: Mapping[str, timedelta],
    now: datetime | None = None,
) -> list[int]:
    """Record as interrupted each run of these jobs that is still marked running but cannot be, with the
    reason as its error and an audit row; returns their ids. A job's next run and the runner, as it
    starts, call this (through ops.mark_interrupted), so a killed run does not stay "running" forever."""
    require(actor, Perm.CONNECTIONS_MANAGE)
    now = now or clock.now()
    marked = []
    for name, runs in dead_runs(session, names, bounds, now).items():
        for run_id, started, why in runs:
            # Only if still running: another runner starting at the same moment may have marked it first.
            done = session.execute(
                update(JobRun)
                .where(JobRun.id == run_id, JobRun.status == JobStatus.RUNNING)
                .values(status=JobStatus.INTERRUPTED, error=why)
                .execution_options(synchronize_session=False)
            )
            if done.rowcount:
                audit.record(
                    session,
                    actor,
                    "job_run.interrupted",
                    "job_run",
                    run_id,
                    label=f"{name} started {started:%Y-%m-%d %H:%M:%S} UTC",
                    before={"status": JobStatus.RUNNING.value},
                    after={"status": JobStatus.INTERRUPTED.value, "reason": why},
                )
                marked.append(run_id)
    return marked
