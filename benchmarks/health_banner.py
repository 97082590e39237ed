"""What the admin's red banner costs a page run, over a year of job history, against a naive reading.

    python -m benchmarks.health_banner [--days 365] [--failing-days 7] [--runs 15] [--database-url URL]

Builds a migrated SQLite file under benchmarks/out/ (unless --database-url names an empty migrated store)
with every job's runs at its default cadence for `--days` (publish_due every minute: 525,600 rows a
year), publish_due failing for the last `--failing-days` (the worst case: the "last success" lookup
scans back over every failure) and sync_inbox stopped two hours ago. Then it times, as medians:
`ops.problems_for_banner` as it runs on a cache miss, the same behind `st.cache_data` (what nearly
every page run pays), and the naive way (every run of the scheduled jobs into pandas, last success per
job there); and `ops.job_health` (the health page) against the same naive load.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pandas as pd
import streamlit as st
from sqlalchemy import Engine, func, select

from app.db import get_engine, read_session, upgrade
from app.models import JobRun
from app.services import ops
from app.services.core import Actor
from app.services.ops import JOBS
from app.services.ops import timings as job_timings
from benchmarks.results import Figure, record

OUT = Path(__file__).resolve().parent / "out"
ADMIN = Actor.system("benchmark:health")


def _median_ms(fn: Callable[[], object], runs: int) -> float:
    fn()  # warm-up
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def build(engine: Engine, days: int, failing_days: int, now: datetime) -> int:
    """A year (or `days`) of runs of every job at its default cadence; returns the row count."""
    rows = []
    start = now - timedelta(days=days)
    for spec in JOBS:
        every = spec.every
        stop = now - timedelta(hours=2) if spec.name == "sync_inbox" else now
        at = start
        while at < stop:
            failed = spec.name == "publish_due" and at > now - timedelta(days=failing_days)
            rows.append(
                (
                    spec.name,
                    at.replace(tzinfo=None).isoformat(sep=" "),
                    (at + timedelta(seconds=2)).replace(tzinfo=None).isoformat(sep=" "),
                    "failed" if failed else "ok",
                    "{}" if failed else '{"n": 1}',
                    "HTTP 503 Service Unavailable" if failed else None,
                    "bench",
                )
            )
            at += every
    with engine.begin() as conn:
        conn.exec_driver_sql(
            "INSERT INTO job_runs (job_name, started_at, finished_at, status, counts, error, host) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)",
            rows,
        )
    return len(rows)


def naive_last_success(engine: Engine, timings: list[ops.JobTiming], now: datetime) -> list[str]:
    """Every run of the scheduled jobs into a frame; last success and lateness worked out there."""
    with read_session(engine) as s:
        df = pd.DataFrame(
            s.execute(
                select(JobRun.job_name, JobRun.started_at, JobRun.status).where(
                    JobRun.job_name.in_([t.name for t in timings])
                )
            ).all(),
            columns=["job", "started", "status"],
        )
    ok = df[df["status"] == "ok"].groupby("job")["started"].max()
    return [t.name for t in timings if t.late_after and t.name in ok and now - ok[t.name] > t.late_after]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.health_banner", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--failing-days", type=int, default=7)
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--database-url", help="an empty migrated store to fill (default: a new SQLite file)")
    args = parser.parse_args(argv)
    now = datetime.now(UTC)
    if args.database_url:
        url = args.database_url
    else:
        OUT.mkdir(parents=True, exist_ok=True)
        path = OUT / f"job-history-{args.days}d.sqlite"
        path.unlink(missing_ok=True)
        url = f"sqlite:///{path}"
    engine = get_engine(url)
    upgrade(engine)
    with read_session(engine) as s:
        if s.scalar(select(func.count()).select_from(JobRun)):
            print(f"error: {url} already holds job runs; give an empty store", file=sys.stderr)
            return 2
    started = time.perf_counter()
    n = build(engine, args.days, args.failing_days, now)
    print(f"{n:,} job runs over {args.days} days written in {time.perf_counter() - started:.1f} s")
    timings = job_timings(secrets={})

    def ours() -> list[ops.Problem]:
        with read_session(engine) as s:
            return ops.problems_for_banner(s, ADMIN, timings, now=now)

    @st.cache_data(ttl=60, show_spinner=False)
    def cached(key: str) -> list[ops.Problem]:
        return ours()

    def page() -> object:
        with read_session(engine) as s:
            return ops.job_health(s, ADMIN, timings, now=now)

    late = sorted(p.subject for p in ours() if p.kind == "job")
    assert late == sorted(naive_last_success(engine, timings, now)), "ours and the naive way must agree"
    print(f"late jobs: {', '.join(late)}")
    size = f"{n:,} runs, {args.failing_days} d of failures"
    miss = _median_ms(ours, args.runs)
    hit = _median_ms(lambda: cached(url), args.runs)
    naive = _median_ms(lambda: naive_last_success(engine, timings, now), max(3, args.runs // 3))
    health = _median_ms(page, args.runs)
    for f in (
        Figure("health banner", f"banner on a cache miss ({size})", miss, naive, "ms", "ours", "all runs in pandas"),
        Figure("health banner", f"banner per page run, cached ({size})", hit, naive, "ms", "st.cache_data hit", "all runs in pandas"),
        Figure("health banner", f"health page job table ({size})", health, naive, "ms", "ops.job_health", "all runs in pandas"),
    ):  # fmt: skip
        record(f)
        print(
            f"{f.case}: {f.ours:,.2f} ms ({f.ours_label}) vs {f.baseline:,.1f} ms ({f.baseline_label}): {f.ratio:,.0f}×"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
