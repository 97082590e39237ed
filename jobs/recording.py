"""Running one job and keeping its record: a job-run row with start, end, status, counts and the error,
written whatever happens, so the health page can tell a job that failed from one that never ran. A run
whose process was killed is recorded as interrupted by the job's next run (or the runner's start). Also
the shared shape of the jobs that sync every connected channel on its own (per_channel_work)."""

from __future__ import annotations

import argparse
import logging
import os
import socket
import sys
import traceback
from collections import Counter
from collections.abc import Callable, Sequence
from functools import partial
from typing import Protocol, TypeVar

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from app.config import ConfigError
from app.db import get_engine, read_session, write_session
from app.faults import maybe_crash
from app.models import JobRun
from app.models.enums import JobStatus
from app.services import ops
from app.services.core import Actor, ServiceError, clock
from app.services.ops import JOBS, JobTiming, default_timings, timings
from app.services.org import get_brand

log = logging.getLogger("socialops.jobs")


def _timings(names: Sequence[str]) -> list[JobTiming]:
    # The schedule decides how long a run may take before it counts as interrupted; a broken schedule
    # falls back on the built-in cadences rather than stopping the job.
    specs = [s for s in JOBS if s.name in names]
    try:
        return timings(specs)
    except ConfigError:
        return default_timings(specs)


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
            started_at=clock.now(),
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
            run.status, run.finished_at = JobStatus.FAILED, clock.now()
            run.error = f"{type(exc).__name__}: {exc}\n{traceback.format_exc(limit=5)}"[:4000]
        print(f"{name}: failed: {exc}", file=sys.stderr)
        return 1
    with write_session() as session:
        run = session.get(JobRun, run_id)
        run.status, run.finished_at, run.counts = JobStatus.OK, clock.now(), counts
    print(f"{name}: ok {counts}")
    return 0


class ChannelOutcome(Protocol):
    """What a per-channel sync reports for one channel (inbox_sync, metrics_sync)."""

    channel: str
    error: str | None
    on_connection: bool  # the platform's error, kept on the channel's connection

    @property
    def ok(self) -> bool: ...

    @property
    def skipped(self) -> bool | str | None: ...  # truthy: the platform has no API for it; not asked


Outcome = TypeVar("Outcome", bound=ChannelOutcome)


def per_channel_work(
    actor: Actor,
    brand: str | None,
    sync: Callable[[Engine, Actor, list[int] | None], Sequence[Outcome]],
    tally: Callable[[Outcome], dict[str, int]],
    failure: type[ServiceError],
    kept: tuple[str, str],
) -> dict[str, int]:
    """The shape of a job that syncs every connected channel (of one brand, by slug) on its own: each
    channel's outcome folded into the run's counts (channels, ok / skipped / failed, and what `tally`
    says it brought), raising `failure` only when storing failed on our side. `kept` names the count
    that tells what the other channels still stored: (key, words), e.g. ("added", "message(s) added").

    The job's own session stays unused: each channel commits on its own, and touching that session
    would hold SQLite's write lock while they wait for it."""
    engine = get_engine()
    with read_session(engine) as s:
        brand_ids = [get_brand(s, actor, brand).id] if brand else None
    results = sync(engine, actor, brand_ids)
    counts: Counter[str] = Counter(channels=len(results))
    for r in results:
        counts["skipped" if r.skipped else "ok" if r.ok else "failed"] += 1
        counts.update(tally(r))
    # A platform's refusal is kept on its connection (the health page and the admin banner show it) and
    # counted here; only a failure on our side (storing) fails the run, since the job itself is at fault.
    ours = [r for r in results if not r.ok and not r.on_connection]
    if ours:
        key, words = kept
        raise failure(
            f"{len(ours)} of {len(results)} channel(s) could not be stored "
            f"({counts[key]} {words} from the others): " + "; ".join(f"{r.channel}: {r.error}" for r in ours)
        )
    return dict(counts)


def per_channel_main(name: str, doc: str, work: Callable[..., dict[str, int]], argv: list[str] | None) -> int:
    """`python -m jobs.<name> [--brand SLUG]` for a per-channel job: parse, then run_job."""
    parser = argparse.ArgumentParser(prog=f"python -m jobs.{name}", description=doc.split("\n")[0])
    parser.add_argument("--brand", help="only this brand's channels (slug)")
    args = parser.parse_args(argv)
    return run_job(name, partial(work, brand=args.brand))
