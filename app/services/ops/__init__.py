"""app.services.ops."""

from __future__ import annotations

from app.services.ops import health
from app.services.ops.backup import backup, restore
from app.services.ops.health import JobTiming, Problem, every_label
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
    "default_timings",
    "every_label",
    "health",
    "installed",
    "parse_every",
    "restore",
    "spec_named",
    "timings",
]
