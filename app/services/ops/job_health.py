"""The scheduled jobs as read models: what each job (publish, inbox, metrics...) did recently, whether it is
late or its last run was interrupted (job_runs), and the runs per day the Jobs page charts."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

import pandas as pd
from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from app.models import JobRun
from app.models.enums import JobStatus
from app.services.core import Actor, Perm, clock, require, time_bucket
from app.services.ops import job_runs
from app.services.ops.job_runs import FAILURES, RUN_TOO_LONG, dead_runs, why_interrupted

RUN_COLUMNS = ["job", "started", "duration (s)", "status", "counts", "error", "host"]
SUMMARY_COLUMNS = ["job", "last run", "last status", "runs 24h", "failures 24h", "last error"]


def _require_jobs(actor: Actor) -> None:
    # Jobs work across every brand (their counts and errors name any of them), so reading them takes the
    # permission on the workspace, not on one brand.
    require(actor, Perm.CONNECTIONS_VIEW)


def recent_job_runs(
    session: Session, actor: Actor, hours: int = 48, limit: int = 2000, timings: Sequence[JobTiming] = ()
) -> pd.DataFrame:
    """Runs started in the last `hours`, newest first; a run recorded as running whose process is gone
    (or that has run for longer than any run could, see stale_after) is shown as interrupted."""
    _require_jobs(actor)
    since = clock.now() - timedelta(hours=hours)
    j = JobRun
    now = clock.now()
    rows = session.execute(
        select(j.job_name, j.started_at, j.finished_at, j.status, j.counts, j.error, j.host, j.pid)
        .where(j.started_at >= since)
        .order_by(j.started_at.desc(), j.id.desc())
        .limit(limit)
    ).all()
    bounds = run_bounds(timings)
    data = []
    for name, started, finished, status, counts, error, host, pid in rows:
        bound = bounds.get(name, RUN_TOO_LONG)
        if status == JobStatus.RUNNING and (why := why_interrupted(host, pid, started, bound, now)):
            status, error = JobStatus.INTERRUPTED, why
        data.append(
            (
                name,
                started,
                round((finished - started).total_seconds(), 1) if finished else None,
                status.value,
                ", ".join(f"{k}: {v}" for k, v in sorted((counts or {}).items())),
                error or "",
                host,
            )
        )
    return pd.DataFrame(data, columns=RUN_COLUMNS)


def job_summary(session: Session, actor: Actor) -> pd.DataFrame:
    """Per job: when it last ran and how that went, and how many of its runs failed in the last 24 hours."""
    _require_jobs(actor)
    j = JobRun
    day_ago = clock.now() - timedelta(hours=24)
    # The newest start per job is an index-only aggregate on (job_name, started_at).
    latest = select(j.job_name, func.max(j.started_at).label("at")).group_by(j.job_name).subquery("latest")
    last_runs = session.execute(
        select(j.job_name, j.started_at, j.status, j.error)
        .join(latest, (latest.c.job_name == j.job_name) & (latest.c.at == j.started_at))
        .order_by(j.job_name, j.id.desc())
    ).all()
    recent = {
        name: (int(runs), int(failed or 0))
        for name, runs, failed in session.execute(
            select(j.job_name, func.count(), func.sum(case((j.status.in_(FAILURES), 1), else_=0)))
            .where(j.started_at >= day_ago)
            .group_by(j.job_name)
        )
    }
    data, seen = [], set()
    for name, at, status, error in last_runs:
        if name in seen:  # two runs of a job started in the same instant: the newest row wins
            continue
        seen.add(name)
        runs, failed = recent.get(name, (0, 0))
        data.append((name, at, status.value, runs, failed, error or ""))
    return pd.DataFrame(data, columns=SUMMARY_COLUMNS)


@dataclass(frozen=True)
class JobTiming:
    """How often a job is meant to run, as configured (`app.services.ops.schedule.timings` builds these;
    the read models take them as arguments, so a test or a page can pass its own schedule)."""

    name: str
    every: timedelta | None  # None: switched off in config
    late_after: timedelta | None  # no successful run for this long means the job is late
    installed: bool = True  # False: the job's module is not part of this installation
    summary: str = ""


def stale_after(timing: JobTiming | None) -> timedelta:
    """How long a run of this job may be "running" before it counts as interrupted: RUN_TOO_LONG, or the
    job's lateness threshold when that is longer (a run still going by then has not succeeded on time
    either)."""
    if timing is None or timing.late_after is None:
        return RUN_TOO_LONG
    return max(RUN_TOO_LONG, timing.late_after)


def run_bounds(timings: Sequence[JobTiming]) -> dict[str, timedelta]:
    """How long a run of each job may take before it counts as interrupted."""
    return {t.name: stale_after(t) for t in timings}


def mark_interrupted(
    session: Session,
    actor: Actor,
    names: Sequence[str],
    timings: Sequence[JobTiming] = (),
    now: datetime | None = None,
) -> list[int]:
    """Record as interrupted each run of these jobs still marked running that cannot be (job_runs.
    mark_interrupted), each given as long as stale_after allows for its job; returns their ids."""
    return job_runs.mark_interrupted(session, actor, names, run_bounds(timings), now)


JOB_HEALTH_COLUMNS = [
    "job",
    "state",
    "every",
    "last run",
    "duration (s)",
    "last status",
    "counts",
    "next run",
    "last success",
    "runs 24h",
    "failures 24h",
    "last error",
]


def every_label(every: timedelta | None) -> str:
    if every is None:
        return "off"
    secs = int(every.total_seconds())
    for unit, size in (("d", 86400), ("h", 3600), ("min", 60)):
        if secs % size == 0:
            return f"{secs // size} {unit}"
    return f"{secs} s"


def _last_success(session: Session, name: str) -> datetime | None:
    # Newest first on the (job_name, started_at) index: stops at the first good run, so it is cheap for a
    # healthy job and only long for one that has been failing for a long time.
    return session.scalars(
        select(JobRun.started_at)
        .where(JobRun.job_name == name, JobRun.status == JobStatus.OK)
        .order_by(JobRun.started_at.desc())
        .limit(1)
    ).first()


def first_run(session: Session, name: str) -> datetime | None:
    """When the job first ran here (None: never, so it cannot be late yet)."""
    return session.scalar(select(func.min(JobRun.started_at)).where(JobRun.job_name == name))


def lateness(
    session: Session, timing: JobTiming, ran_before: bool, now: datetime
) -> tuple[bool, datetime | None]:
    """(late, last success). A job is late when it has not succeeded within `late_after`: failing every
    time is as bad as not running. A job that never ran is not late (it may not be deployed yet)."""
    if not ran_before or timing.late_after is None or not timing.installed:
        return False, None
    ok_at = _last_success(session, timing.name)
    since = ok_at or first_run(session, timing.name)
    return since is not None and now - since > timing.late_after, ok_at


def job_health(
    session: Session, actor: Actor, timings: Sequence[JobTiming], now: datetime | None = None
) -> pd.DataFrame:
    """One row per job (the configured ones first, then any other job that ran in the last 48 h): its cadence, last
    run, next run, success and failures, and a state: ok, late, interrupted, failing, running, never run,
    off, not installed. A run recorded as running whose process is gone (why_interrupted) shows as
    interrupted and counts as a failure, before the job's next run records it so."""
    _require_jobs(actor)
    now = now or clock.now()
    j = JobRun
    # One small indexed lookup per job on (job_name, started_at): a GROUP BY over the whole table would
    # scan a year of runs (525,600 of publish_due alone) on every page view.
    known = {t.name for t in timings}
    others = set(session.scalars(select(j.job_name).where(j.started_at >= now - timedelta(hours=48)))) - known
    last: dict[str, tuple] = {}
    recent: dict[str, tuple[int, int]] = {}
    day_ago = now - timedelta(hours=24)
    dead = dead_runs(session, [*known, *others], run_bounds(timings), now)
    for name in [*known, *others]:
        row = session.execute(
            select(j.id, j.started_at, j.finished_at, j.status, j.counts, j.error)
            .where(j.job_name == name)
            .order_by(j.started_at.desc(), j.id.desc())
            .limit(1)
        ).first()
        if row is not None:
            run_id, *rest = tuple(row)
            why = {i: reason for i, _, reason in dead.get(name, [])}.get(run_id)
            if why is not None:
                rest[2], rest[4] = JobStatus.INTERRUPTED, why
            last[name] = tuple(rest)
        runs, failed = session.execute(
            select(func.count(), func.sum(case((j.status.in_(FAILURES), 1), else_=0))).where(
                j.job_name == name, j.started_at >= day_ago
            )
        ).one()
        recent[name] = (int(runs), int(failed or 0) + sum(at >= day_ago for _, at, _ in dead.get(name, [])))
    rows = []
    for t in [*timings, *(JobTiming(n, None, None, installed=False) for n in sorted(others))]:
        started, finished, status, counts, error = last.get(t.name, (None, None, None, None, None))
        late, ok_at = lateness(session, t, started is not None, now)
        if not t.installed and t.name in known:
            state = "not installed"
        elif t.every is None:
            state = "off"
        elif started is None:
            state = "never run"
        elif late:
            state = "late"
        elif status == JobStatus.INTERRUPTED:
            state = "interrupted"
        elif status == JobStatus.FAILED:
            state = "failing"
        elif status == JobStatus.RUNNING:
            state = "running"
        else:
            state = "ok"
        runs, failed = recent.get(t.name, (0, 0))
        rows.append(
            (
                t.name,
                state,
                every_label(t.every) if t.name in known else "not scheduled",
                started,
                round((finished - started).total_seconds(), 1) if started and finished else None,
                status.value if status else "",
                ", ".join(f"{k}: {v}" for k, v in sorted((counts or {}).items())),
                started + t.every if started and t.every else None,
                ok_at,
                runs,
                failed,
                error or "",
            )
        )
    return pd.DataFrame(rows, columns=JOB_HEALTH_COLUMNS)


def runs_by_day(session: Session, actor: Actor, days: int = 7) -> pd.DataFrame:
    """day, job, status, runs: every run of the last `days` days, per UTC day (the trend chart)."""
    _require_jobs(actor)
    day = time_bucket(session, JobRun.started_at, "day").label("day")
    rows = session.execute(
        select(day, JobRun.job_name, JobRun.status, func.count())
        .where(JobRun.started_at >= clock.now() - timedelta(days=days))
        .group_by(day, JobRun.job_name, JobRun.status)
        .order_by(day)
    ).all()
    df = pd.DataFrame(
        [(d, name, status.value, int(n)) for d, name, status, n in rows],
        columns=["day", "job", "status", "runs"],
    )
    df["day"] = pd.to_datetime(df["day"])
    return df
