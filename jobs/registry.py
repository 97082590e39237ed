"""Every scheduled job: its module, how often it runs (default, or from config) and when it counts as late.
The runner schedules from it; the health page reads the same timings for "next run" and lateness."""

from __future__ import annotations

import importlib.util
import os
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from app.config import ConfigError, load_secrets
from app.services.ops import JobTiming


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

_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
_DURATION = re.compile(r"^\s*(\d+)\s*([smhd])\s*$")
OFF = ("off", "false", "no", "0", "never")


def parse_every(value: Any, setting: str) -> timedelta | None:
    """ "30s", "5m", "1h", "1d" → a timedelta; "off" → None (the job is not scheduled)."""
    text = str(value).strip().lower()
    if text in OFF or value is False:
        return None
    match = _DURATION.match(text)
    if not match or int(match.group(1)) == 0:
        raise ConfigError(f'{setting} = {value!r}: give a number with a unit (30s, 5m, 1h, 1d) or "off"')
    return timedelta(seconds=int(match.group(1)) * _UNITS[match.group(2)])


def _setting(table: Mapping[str, Any], key: str) -> tuple[Any, str] | None:
    env = f"SOCIALOPS_JOB_{key.upper()}"
    if os.environ.get(env):
        return os.environ[env], env
    if key in table:
        return table[key], f"[jobs] {key}"
    return None


def _jobs_table(secrets: Mapping[str, Any] | None) -> Mapping[str, Any]:
    secrets = load_secrets() if secrets is None else secrets
    table = secrets.get("jobs", {})
    if not isinstance(table, Mapping):
        raise ConfigError('[jobs] in secrets.toml must be a table of job = "every" settings')
    return table


def timings(jobs: Sequence[JobSpec] = JOBS, secrets: Mapping[str, Any] | None = None) -> list[JobTiming]:
    """Each job's cadence and lateness threshold as configured now (environment first, then secrets)."""
    table = _jobs_table(secrets)
    out = []
    for spec in jobs:
        every: timedelta | None = spec.every
        if (found := _setting(table, spec.name)) is not None:
            every = parse_every(*found)
        late_after = None
        if every is not None:
            late_after = 2 * every + spec.grace
            if (found := _setting(table, f"{spec.name}_late_after")) is not None:
                late_after = parse_every(*found) or late_after
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
