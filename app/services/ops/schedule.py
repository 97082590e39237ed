"""The job catalogue and its schedule: every scheduled job (its module, what it does, its default
cadence and grace), and each one's cadence and lateness threshold as configured now, read through the
settings table (`[jobs] <job>` / `SOCIALOPS_JOB_<JOB>`). The runner schedules from it; the health
banner and the Jobs page read the same timings for "next run" and lateness.

A job's module is named as a string (`python -m <module>`): the services never import the jobs."""

from __future__ import annotations

import importlib.util
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from app.config import ConfigError, parse_value, read_settings, setting
from app.services.ops.job_health import JobTiming

EVERY = "job_every"
LATE_AFTER = "job_late_after"


@dataclass(frozen=True)
class JobSpec:
    name: str
    module: str  # importable with `python -m <module>`; it defines work(session, actor) or main(argv)
    summary: str
    every: timedelta  # default cadence; `[jobs] <name> = "5m"` or SOCIALOPS_JOB_<NAME>=5m overrides it
    # Slack on top of two cadences before the job counts as late: one missed run is tolerated, a slow
    # run is not flagged while it is still within its usual duration.
    grace: timedelta


JOBS: tuple[JobSpec, ...] = (
    JobSpec(
        "publish_due",
        "jobs.publish_due",
        "publish approved, scheduled variants whose time has come",
        timedelta(minutes=1),
        timedelta(minutes=5),
    ),
    JobSpec(
        "sync_inbox",
        "jobs.sync_inbox",
        "fetch new comments, mentions and messages into the inbox",
        timedelta(minutes=5),
        timedelta(minutes=10),
    ),
    JobSpec(
        "import_metrics",
        "jobs.import_metrics",
        "read post and channel metrics from the platforms",
        timedelta(hours=1),
        timedelta(minutes=30),
    ),
    JobSpec(
        "expire_approvals",
        "jobs.expire_approvals",
        "send lapsed approvals back to draft",
        timedelta(minutes=15),
        timedelta(minutes=15),
    ),
    JobSpec(
        "sheets_sync",
        "jobs.sheets_sync",
        "two-way sync of the connected Google Sheets",
        timedelta(minutes=15),
        timedelta(minutes=15),
    ),
    JobSpec(
        "refresh_rollups",
        "jobs.refresh_rollups",
        "refresh the pre-aggregated dashboard tables",
        timedelta(hours=1),
        timedelta(minutes=30),
    ),
    JobSpec(
        "send_reports",
        "jobs.send_reports",
        "produce and deliver the scheduled reports (each period once)",
        timedelta(hours=1),
        timedelta(hours=1),
    ),
)


def parse_every(value: Any, where: str) -> timedelta | None:
    """ "30s", "5m", "1h", "1d" → a timedelta; "off" → None (the job is not scheduled). `where` names the
    setting in the error (`[jobs] sync_inbox`, `SOCIALOPS_JOB_SYNC_INBOX`)."""
    return parse_value(setting(EVERY).parser, value, where)


def timings(jobs: Sequence[JobSpec] = JOBS, secrets: Mapping[str, Any] | None = None) -> list[JobTiming]:
    """Each job's cadence and lateness threshold as configured now (environment first, then secrets;
    `secrets` stands in for the secrets file in tests)."""
    settings = read_settings(secrets)
    out = []
    for spec in jobs:
        every: timedelta | None = spec.every
        if (found := settings.lookup(EVERY, spec.name)) is not None:
            every = found.value
        late_after = None
        if every is not None:
            late_after = 2 * every + spec.grace
            if (found := settings.lookup(LATE_AFTER, spec.name)) is not None:
                late_after = found.value or late_after  # "off" keeps the default threshold
        out.append(
            JobTiming(
                name=spec.name,
                every=every,
                late_after=late_after,
                installed=installed(spec),
                summary=spec.summary,
            )
        )
    return out


def default_timings(jobs: Sequence[JobSpec] = JOBS) -> list[JobTiming]:
    """The built-in cadences, ignoring config (for a page to fall back on when the config is broken)."""
    return [JobTiming(s.name, s.every, 2 * s.every + s.grace, installed(s), s.summary) for s in jobs]


def installed(spec: JobSpec) -> bool:
    """False for a job whose module is not part of this installation (yet): it is listed, not run."""
    try:
        return importlib.util.find_spec(spec.module) is not None
    except (ImportError, ValueError):
        return False


def spec_named(name: str, jobs: Sequence[JobSpec] = JOBS) -> JobSpec:
    for spec in jobs:
        if spec.name == name:
            return spec
    raise ConfigError(f"no job named {name!r}; the jobs are: {', '.join(s.name for s in jobs)}")
