"""`python -m jobs.runner [--once] [--list] [--only NAME ...]`: runs every job of the ops schedule
(`app.services.ops.JOBS`) on its cadence (the `schedule` package), each run recorded; a job that raises
is logged and the others carry on.

Each job runs in its own worker thread, one run of a job at a time, so an hour-long metrics import never
holds back publishing. The first run of each job is due one cadence after its last recorded run (at
once if it never ran), so restarting the runner neither skips nor repeats work. SIGTERM or SIGINT stops
it after the running jobs finish; a second signal exits at once. Run one runner per deployment.
"""

from __future__ import annotations

import argparse
import importlib
import logging
import os
import signal
import sys
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import datetime
from types import FrameType, ModuleType

import schedule
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.config import ConfigError
from app.db import read_session, write_session
from app.models import JobRun
from app.services.core import Actor, clock
from app.services.ops import JOBS, JobSpec, JobTiming, every_label, spec_named, timings
from jobs.recording import record_interrupted, run_job

log = logging.getLogger("socialops.jobs.runner")


def _entry(spec: JobSpec, module: ModuleType) -> Callable[[], int]:
    # A job with its own command line (main) runs as `python -m` would run it, without arguments; a job
    # that only has `work` is wrapped in run_job here.
    if callable(getattr(module, "main", None)):
        return lambda: module.main([])
    if callable(getattr(module, "work", None)):
        return lambda: run_job(spec.name, module.work)
    raise ConfigError(f"{spec.module} defines neither main(argv) nor work(session, actor)")


def run_one(spec: JobSpec) -> int:
    """Run one job now and return its exit code. Never raises: a job that cannot even be imported is
    recorded as a failed run with the import error, and an error outside the job's own work (the
    database unreachable, say) is logged."""
    try:
        entry = _entry(spec, importlib.import_module(spec.module))
    except Exception as exc:
        log.exception("job %s could not be loaded", spec.name)
        failure = exc

        def broken(session: Session, actor: Actor) -> dict[str, int]:
            raise failure

        try:
            return run_job(spec.name, broken)
        except Exception:
            log.exception("job %s: its failure could not be recorded", spec.name)
            return 1
    try:
        return int(entry() or 0)
    except (Exception, SystemExit) as exc:
        log.exception("job %s stopped outside its recorded work: %s", spec.name, exc)
        return 1


def last_starts(names: Sequence[str]) -> dict[str, datetime]:
    """When each job last started, from the job-run rows (any runner, any host); {} when the store cannot
    be read (then every job is due, and each run says what is wrong)."""
    try:
        with read_session() as session:
            # One indexed lookup per job: a GROUP BY would scan a year of runs.
            found = {
                n: session.scalar(select(func.max(JobRun.started_at)).where(JobRun.job_name == n))
                for n in names
            }
    except Exception as exc:
        log.warning("job history unreadable (%s: %s): every job counts as due", type(exc).__name__, exc)
        return {}
    return {n: at for n, at in found.items() if at is not None}


def settle_interrupted(names: Sequence[str]) -> list[int]:
    """At start, record as interrupted the runs a killed runner left "running" (its jobs' next runs would
    too, but a job that runs once a day would show "running" until then). Never raises: a store that
    cannot be reached now is reported by the jobs themselves."""
    try:
        with write_session() as session:
            return record_interrupted(session, names, Actor.system("job:runner"))
    except Exception as exc:
        log.warning("could not look for interrupted runs (%s: %s)", type(exc).__name__, exc)
        return []


def due_at(timing: JobTiming, last: datetime | None, now: datetime) -> datetime:
    return now if last is None or timing.every is None else max(now, last + timing.every)


class Runner:
    """The schedule and the worker threads of one runner process."""

    def __init__(self, jobs: Sequence[JobSpec], timings: Sequence[JobTiming]) -> None:
        by_name = {t.name: t for t in timings}
        self.jobs = [
            (s, by_name[s.name]) for s in jobs if by_name[s.name].every and by_name[s.name].installed
        ]
        self.stop = threading.Event()
        self.scheduler = schedule.Scheduler()
        self._pool = ThreadPoolExecutor(max_workers=max(1, len(self.jobs)), thread_name_prefix="job")
        self._running: dict[str, Future[int]] = {}
        self.results: list[tuple[str, int]] = []

    def plan(self, now: datetime) -> None:
        last = last_starts([s.name for s, _ in self.jobs])
        for spec, timing in self.jobs:
            assert timing.every is not None
            job = self.scheduler.every(int(timing.every.total_seconds())).seconds.do(self.submit, spec)
            # schedule counts in naive local time; the first run follows the job's recorded history.
            job.next_run = due_at(timing, last.get(spec.name), now).astimezone().replace(tzinfo=None)
            log.info("%s: %s, first run %s", spec.name, every_label(timing.every), job.next_run)

    def submit(self, spec: JobSpec) -> None:
        running = self._running.get(spec.name)
        if running is not None and not running.done():
            log.warning("%s: the previous run is still going; this one is skipped", spec.name)
            return
        future = self._pool.submit(run_one, spec)
        future.add_done_callback(lambda f, name=spec.name: self.results.append((name, f.result())))
        self._running[spec.name] = future

    def loop(self) -> None:
        while not self.stop.is_set():
            self.scheduler.run_pending()
            idle = self.scheduler.idle_seconds
            self.stop.wait(1.0 if idle is None else min(max(idle, 0.05), 1.0))
        log.info("stopping: waiting for %d running job(s)", sum(not f.done() for f in self._running.values()))
        self._pool.shutdown(wait=True)
        log.info("stopped")

    def once(self, now: datetime) -> int:
        """Run every due job one after the other (in catalogue order) and return 1 if any failed."""
        last = last_starts([s.name for s, _ in self.jobs])
        failed = 0
        for spec, timing in self.jobs:
            if self.stop.is_set():
                break
            if due_at(timing, last.get(spec.name), now) <= now:
                code = run_one(spec)
                self.results.append((spec.name, code))
                failed += code != 0
        self._pool.shutdown(wait=False)
        return 1 if failed else 0


def _on_signal(runner: Runner) -> Callable[[int, FrameType | None], None]:
    def handle(signum: int, frame: FrameType | None) -> None:
        if runner.stop.is_set():
            log.warning("second %s: exiting now", signal.Signals(signum).name)
            # Running transactions roll back; their job-run rows stay "running" until the health page sees
            # the process gone and the next start records them as interrupted.
            os._exit(128 + signum)
        log.info("%s received: finishing the running jobs, starting no new ones", signal.Signals(signum).name)
        runner.stop.set()

    return handle


def print_schedule(jobs: Sequence[JobSpec], timings: Sequence[JobTiming]) -> None:
    last = last_starts([s.name for s in jobs])
    now = clock.now()
    by_name = {t.name: t for t in timings}
    for spec in jobs:
        t = by_name[spec.name]
        if not t.installed:
            state, nxt = "not installed", ""
        elif t.every is None:
            state, nxt = "off", ""
        else:
            state, nxt = "scheduled", f"next {due_at(t, last.get(spec.name), now):%Y-%m-%d %H:%M} UTC"
        late = f"late after {every_label(t.late_after)}" if t.late_after else ""
        print(
            "  ".join(x for x in (spec.name, every_label(t.every), late, state, nxt) if x)
            + f"  # {spec.summary}"
        )


def main(argv: list[str] | None = None, jobs: Sequence[JobSpec] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m jobs.runner", description=__doc__.split("\n")[0])
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--once", action="store_true", help="run every due job once, then exit")
    mode.add_argument("--list", action="store_true", help="print the schedule and exit")
    parser.add_argument("--only", nargs="+", metavar="NAME", help="only these jobs")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    jobs = list(JOBS if jobs is None else jobs)
    try:
        if args.only:
            jobs = [spec_named(n, jobs) for n in args.only]
        configured = timings(jobs)
    except ConfigError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if args.list:
        print_schedule(jobs, configured)
        return 0
    runner = Runner(jobs, configured)
    settle_interrupted([s.name for s in jobs])
    previous = {}
    if threading.current_thread() is threading.main_thread():
        for sig in (signal.SIGTERM, signal.SIGINT):
            previous[sig] = signal.signal(sig, _on_signal(runner))
    try:
        now = clock.now()
        if args.once:
            return runner.once(now)
        runner.plan(now)
        log.info("runner started with %d job(s)", len(runner.jobs))
        runner.loop()
        return 0
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


if __name__ == "__main__":
    sys.exit(main())
