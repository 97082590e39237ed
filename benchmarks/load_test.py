"""Concurrent editors and job runners on one store, for a bounded time, on 127.0.0.1 only: how long
writes take (p50/p95/p99) and proof that none fails with "database is locked" and none is lost.

    python -m benchmarks.load_test [--store sqlite|postgresql|both] [--editors 10] [--jobs 2] [--seconds 60]

With no options: 10 editors and 2 job runners for 60 s on each store in turn (a fresh SQLite file with
the demo workspace, then a fresh PostgreSQL database with it, dropped afterwards), the ledger checked,
and the figures written to the load-test section of benchmarks/RESULTS.md. `--database-url` runs once
against an existing database instead.

An "editor" is a separate process (as app sessions on separate server replicas are) calling the very
service functions the Compose and Calendar pages call when a person presses Save or drags a post, with
the same read-then-save pattern and expected versions (benchmarks.load_workers); it does not drive
Streamlit widgets, whose script runs would measure the page, not the write. At the end every editor's
ledger is held against the database: each post it created exists exactly once, no two saves succeeded
from the same version of a post, each shared post holds the copy of its last save, and no save wrote
back variants that had changed since the editor loaded them.
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import os
import platform
import re
import statistics
import sys
import time
import types
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from queue import Empty

from sqlalchemy import create_engine, func, select, text

from benchmarks.load_workers import WorkerReport, editor, job_runner
from benchmarks.results import Figure, record

HERE = Path(__file__).resolve().parent
OUT = HERE / "out"
RESULTS = HERE / "RESULTS.md"
PG_ADMIN_URL = os.environ.get(
    "SOCIALOPS_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)
START, END = "<!-- load-test:start -->", "<!-- load-test:end -->"


@dataclass
class LoadResult:
    store: str
    editors: int
    jobs: int
    seconds: float
    saves: int  # editor writes committed
    job_writes: int  # job runs and imports committed
    p50_ms: float  # editor save latency
    p95_ms: float
    p99_ms: float
    max_ms: float
    job_p50_ms: float
    job_p95_ms: float
    locked: int
    conflicts: int
    refused: int
    lost: int  # ledger entries the database does not hold (see lost_detail)
    lost_detail: list[str] = field(default_factory=list)
    locked_in: list[str] = field(default_factory=list)
    p50_by_kind: dict[str, float] = field(default_factory=dict)
    other_errors: list[str] = field(default_factory=list)
    load_before: tuple[float, float, float] = (0.0, 0.0, 0.0)
    load_after: tuple[float, float, float] = (0.0, 0.0, 0.0)

    @property
    def ok(self) -> bool:
        return self.locked == 0 and self.lost == 0 and not self.other_errors


def _pct(values: list[float], q: float) -> float:
    return values[min(len(values) - 1, int(q * len(values)))] if values else 0.0


def _check_ledgers(url: str, reports: list[WorkerReport]) -> list[str]:
    """What the workers believe they saved, against the database."""
    from app.db import get_engine, read_session
    from app.models import Post

    lost: list[str] = []
    created = [t for r in reports for t in r.created]
    if len(created) != len(set(created)):
        lost.append("a worker created two posts with one title (ledger error)")
    stored: dict[str, int] = {}
    with read_session(get_engine(url)) as s:
        for i in range(0, len(created), 500):
            chunk = created[i : i + 500]
            stored.update(
                s.execute(
                    select(Post.title, func.count()).where(Post.title.in_(chunk)).group_by(Post.title)
                ).all()
            )
        missing = [t for t in created if stored.get(t, 0) == 0]
        doubled = [t for t, n in stored.items() if n > 1]
        if missing:
            lost.append(f"{len(missing)} created posts missing, e.g. {missing[:3]}")
        if doubled:
            lost.append(f"{len(doubled)} created posts stored twice, e.g. {doubled[:3]}")
        edits = [e for r in reports for e in r.edits]
        by_post: dict[int, list] = {}
        for e in edits:
            by_post.setdefault(e.post_id, []).append(e)
        for pid, saves in by_post.items():
            versions = [e.from_version for e in saves]
            if len(versions) != len(set(versions)):
                lost.append(f"post {pid}: two saves succeeded from one version (a lost update)")
            last = max(saves, key=lambda e: e.from_version)
            held = s.scalar(select(Post.master_copy).where(Post.id == pid))
            if held != last.master_copy:
                lost.append(f"post {pid}: holds {held!r}, its last save wrote {last.master_copy!r}")
    overwrites = sum(r.unseen_overwrites for r in reports)
    if overwrites:
        lost.append(
            f"{overwrites} saves wrote back variants (times, copy) changed by someone else since they "
            "were loaded, without a conflict"
        )
    return lost


def _start_with_a_plain_main(procs: list) -> None:
    """Start spawned workers without re-running the caller's __main__ in each of them. A spawned child
    imports the parent's main module; inside pytest, after an AppTest has run, that can be
    streamlit_app.py, whose first-start setup then races to migrate the default store in every worker
    ("database is locked", exit code 1). The workers need nothing from __main__."""
    saved = sys.modules["__main__"]
    sys.modules["__main__"] = types.ModuleType("__main__")
    try:
        for p in procs:
            p.start()
    finally:
        sys.modules["__main__"] = saved


def _collect(queue: mp.Queue, procs: list, deadline: float) -> list[WorkerReport]:
    """Every worker's report; a worker that died without one, or one still busy at the deadline, is named
    with its exit code instead of leaving the caller waiting on an empty queue."""
    reports: list[WorkerReport] = []
    while len(reports) < len(procs):
        try:
            reports.append(queue.get(timeout=1.0))
            continue
        except Empty:
            pass
        dead = [p for p in procs if not p.is_alive() and p.exitcode != 0]
        if dead:
            raise RuntimeError(
                "load worker(s) died without a report: "
                + ", ".join(f"{p.name} (exit code {p.exitcode})" for p in dead)
            )
        if time.monotonic() > deadline:
            busy = [p.name for p in procs if p.is_alive()]
            raise TimeoutError(f"load workers still busy at the deadline: {busy}; {len(reports)} reported")
    return reports


def run_load(url: str, *, editors: int, jobs: int, seconds: float) -> LoadResult:
    """Run the workers against `url` (already migrated, with the demo workspace) and check the ledgers."""
    from app.db import dispose_engine, get_engine

    dispose_engine(url)  # no pooled connection of this process takes part
    load_before = os.getloadavg()
    ctx = mp.get_context("spawn")  # fresh interpreters, as separate app processes would be
    queue: mp.Queue = ctx.Queue()
    procs = [
        ctx.Process(target=editor, args=(url, f"editor{i}", seconds, i, queue), name=f"editor{i}")
        for i in range(editors)
    ]
    procs += [
        ctx.Process(target=job_runner, args=(url, f"jobs{i}", seconds, queue), name=f"jobs{i}")
        for i in range(jobs)
    ]
    _start_with_a_plain_main(procs)
    try:
        reports = _collect(queue, procs, deadline=time.monotonic() + seconds + 180)
    finally:
        for p in procs:
            p.join(timeout=30)
            if p.is_alive():
                p.kill()
    load_after = os.getloadavg()
    saves = sorted(x for r in reports if r.kind == "editor" for x in r.latencies_ms)
    job_writes = sorted(x for r in reports if r.kind == "job" for x in r.latencies_ms)
    lost = _check_ledgers(url, reports)
    return LoadResult(
        store=get_engine(url).dialect.name,
        editors=editors,
        jobs=jobs,
        seconds=seconds,
        saves=len(saves),
        job_writes=len(job_writes),
        p50_ms=statistics.median(saves) if saves else 0.0,
        p95_ms=_pct(saves, 0.95),
        p99_ms=_pct(saves, 0.99),
        max_ms=saves[-1] if saves else 0.0,
        job_p50_ms=statistics.median(job_writes) if job_writes else 0.0,
        job_p95_ms=_pct(job_writes, 0.95),
        locked=sum(r.locked for r in reports),
        conflicts=sum(r.conflicts for r in reports),
        refused=sum(r.refused for r in reports),
        lost=len(lost),
        lost_detail=lost,
        locked_in=[f"{r.name} {w}" for r in reports for w in r.locked_in],
        p50_by_kind={
            kind: statistics.median(x for r in reports for x in r.by_kind.get(kind, []))
            for kind in sorted({k for r in reports for k in r.by_kind})
        },
        other_errors=[e for r in reports for e in r.other_errors],
        load_before=load_before,
        load_after=load_after,
    )


# --- the stores -----------------------------------------------------------------------------------


def _sqlite_url() -> str:
    OUT.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{OUT / f'load-{datetime.now():%Y%m%d-%H%M%S}.sqlite'}"


def _pg_database() -> tuple[str, str]:
    name = f"soh_load_{os.getpid()}_{int(time.time())}"
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    finally:
        admin.dispose()
    return PG_ADMIN_URL.rsplit("/", 1)[0] + "/" + name, name


def _drop_pg(name: str) -> None:
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(
                text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :n"), {"n": name}
            )
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
    finally:
        admin.dispose()


def _prepare(url: str) -> None:
    from app.db import dispose_engine, get_engine
    from app.demo import seed_first_start
    from app.services.org import prepare_database

    prepare_database(get_engine(url), seed_demo=seed_first_start)
    dispose_engine(url)


# --- reporting ------------------------------------------------------------------------------------


def _print(r: LoadResult) -> None:
    print(
        f"  {r.saves:,} editor saves ({r.saves / r.seconds:,.0f}/s): p50 {r.p50_ms:.1f} ms, "
        f"p95 {r.p95_ms:.1f} ms, p99 {r.p99_ms:.1f} ms, max {r.max_ms:.1f} ms"
    )
    print(f"  {r.job_writes:,} job writes: p50 {r.job_p50_ms:.1f} ms, p95 {r.job_p95_ms:.1f} ms")
    print("  p50 per operation: " + ", ".join(f"{k} {v:.1f} ms" for k, v in r.p50_by_kind.items()))
    print(
        f"  'database is locked': {r.locked}; lost writes: {r.lost}; refused as conflicts: {r.conflicts}; "
        f"refused by rules: {r.refused}; other errors: {len(r.other_errors)}"
    )
    print(f"  load average before {_load(r.load_before)}, after {_load(r.load_after)}")
    for line in r.lost_detail[:5] + r.locked_in[:10] + r.other_errors[:5]:
        print(f"    {line}")


def _load(avg: tuple[float, float, float]) -> str:
    return " / ".join(f"{x:.1f}" for x in avg)


def _record(r: LoadResult) -> None:
    case = f"{r.editors} editors + {r.jobs} jobs, {r.seconds:.0f} s ({r.store})"
    for label, value in (("p50", r.p50_ms), ("p95", r.p95_ms), ("p99", r.p99_ms)):
        record(Figure("load test", f"editor save {label}, {case}", value, None, "ms"))


def _machine() -> str:
    try:  # the same words as the other benchmarks' header
        from benchmarks.__main__ import machine

        return machine()
    except Exception:  # a benchmark module being edited must not lose a finished run's figures
        return f"{platform.machine()}, {os.cpu_count()} cores, {platform.platform()}"


def section(results: list[LoadResult], started: datetime) -> str:
    lines = [
        START,
        "## Load test",
        "",
        f"Written by `python -m benchmarks.load_test` on {started:%Y-%m-%d %H:%M} UTC. Machine: {_machine()}.",
        "Editors are separate processes saving through the services the Compose and Calendar pages call "
        "(new posts, edits of 12 shared drafts from what they loaded, calendar moves with the version "
        "shown); job runners alternate approval expiry and 20-post imports. Latency is of committed "
        "writes. Lost = what a worker believes it saved that the database does not hold. The load "
        "average (1/5/15 min) is the machine's, other work included.",
        "",
        "| store | editors + jobs, time | editor saves | p50 | p95 | p99 | max | job writes (p50 / p95) "
        "| locked | lost | conflicts refused | load before → after |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for r in results:
        lines.append(
            f"| {r.store} | {r.editors} + {r.jobs}, {r.seconds:.0f} s | {r.saves:,} | {r.p50_ms:.1f} ms "
            f"| {r.p95_ms:.1f} ms | {r.p99_ms:.1f} ms | {r.max_ms:.0f} ms | {r.job_writes:,} "
            f"({r.job_p50_ms:.0f} / {r.job_p95_ms:.0f} ms) | {r.locked} | {r.lost} | {r.conflicts:,} "
            f"| {_load(r.load_before)} → {_load(r.load_after)} |"
        )
    lines.append("")
    for r in results:
        per_op = ", ".join(f"{k} {v:.1f} ms" for k, v in r.p50_by_kind.items())
        lines.append(f"- {r.store}: p50 per operation: {per_op or '—'}")
    lines.append(END)
    return "\n".join(lines)


def current_section(path: Path) -> str:
    """The load-test section RESULTS.md holds now ('' if none), for a writer of the rest of the file
    to carry over (the load test runs on its own: two stores, two minutes)."""
    old = path.read_text(encoding="utf-8") if path.exists() else ""
    found = re.search(re.escape(START) + ".*?" + re.escape(END), old, re.S)
    return found.group(0) if found else ""


def write_section(path: Path, body: str) -> None:
    """Replace the load-test section of RESULTS.md (or add it at the end), keeping everything else."""
    old = path.read_text(encoding="utf-8") if path.exists() else "# Benchmark results\n"
    pattern = re.compile(re.escape(START) + ".*?" + re.escape(END), re.S)
    new = pattern.sub(lambda _m: body, old) if pattern.search(old) else old.rstrip("\n") + "\n\n" + body
    path.write_text(new.rstrip("\n") + "\n", encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.load_test", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--store", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--editors", type=int, default=10)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument(
        "--database-url", help="run once against this database (migrated and seeded if empty)"
    )
    parser.add_argument(
        "--results", default=str(RESULTS), help="where the section is written ('' for nowhere)"
    )
    args = parser.parse_args(argv)
    started = datetime.now(UTC)
    stores = ["sqlite", "postgresql"] if args.store == "both" else [args.store]
    if args.database_url:
        stores = ["given"]
    results: list[LoadResult] = []
    for store in stores:
        pg_name = None
        if store == "given":
            url = args.database_url
        elif store == "sqlite":
            url = _sqlite_url()
        else:
            url, pg_name = _pg_database()
        try:
            print(f"== {store}: preparing the demo workspace", flush=True)
            _prepare(url)
            print(
                f"   {args.editors} editors and {args.jobs} job runners for {args.seconds:.0f} s", flush=True
            )
            r = run_load(url, editors=args.editors, jobs=args.jobs, seconds=args.seconds)
        finally:
            if pg_name:
                from app.db import dispose_engine

                dispose_engine(url)
                _drop_pg(pg_name)
        _print(r)
        _record(r)
        results.append(r)
    if args.results:
        write_section(Path(args.results), section(results, started))
        print(f"figures written to {args.results}")
    return 0 if all(r.ok for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
