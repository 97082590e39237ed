"""Operations: the job schedule, how the jobs and each channel's connection are doing, the admins' red
banner, interrupted job runs, and backups of the whole store."""

from __future__ import annotations

from app.services.ops.backup import backup, restore
from app.services.ops.banner import Problem, banner_audience, problems_for_banner
from app.services.ops.connection_health import connector_health
from app.services.ops.job_health import (
    JobTiming,
    every_label,
    job_health,
    job_summary,
    mark_interrupted,
    recent_job_runs,
    runs_by_day,
)
from app.services.ops.schedule import (
    JOBS,
    JobSpec,
    default_timings,
    installed,
    parse_every,
    spec_named,
    timings,
)

__all__ = [
    "JOBS",
    "JobSpec",
    "JobTiming",
    "Problem",
    "backup",
    "banner_audience",
    "connector_health",
    "default_timings",
    "every_label",
    "installed",
    "job_health",
    "job_summary",
    "mark_interrupted",
    "parse_every",
    "problems_for_banner",
    "recent_job_runs",
    "restore",
    "runs_by_day",
    "spec_named",
    "timings",
]
