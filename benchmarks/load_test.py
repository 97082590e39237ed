"""Concurrent editors and job runners on one store, for a bounded time, on 127.0.0.1 only: how long
writes take (p50/p95/p99) and proof that none fails with "database is locked" and none is lost.

    python -m benchmarks.load_test [--editors 10] [--jobs 2] [--seconds 60] [--database-url URL]

Each editor is a separate process (as separate app sessions are) writing through the same services the
pages use: new posts, edits of a shared set of posts (conflicts are refused, never lost) and
reschedules. Job runners expire approvals and import small files. Without --database-url a fresh
SQLite file with the demo workspace is used.
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import random
import statistics
import sys
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.exc import OperationalError

OUT = Path(__file__).resolve().parent / "out"
EDITORS = ("farah.aziz@kopi.example", "budi.santoso@kopi.example", "mei.lim@kopi.example")


@dataclass
class WorkerReport:
    name: str
    latencies_ms: list[float] = field(default_factory=list)
    created: list[str] = field(default_factory=list)
    refused: int = 0  # conflicts and rule refusals: expected, reported to the user, nothing lost
    locked: int = 0
    other_errors: list[str] = field(default_factory=list)


def _editor(url: str, name: str, seconds: float, seed: int, queue: mp.Queue) -> None:
    import os

    os.environ["DATABASE_URL"] = url
    from app.db import read_session, write_session
    from app.models import Post, PostVariant
    from app.services import composer, users
    from app.services.composer import PostDraft, VariantDraft
    from app.services.errors import ServiceError
    from app.services.post_detail import load_post

    rng = random.Random(seed)
    report = WorkerReport(name)
    with read_session() as s:
        actor = users.load_actor(s, rng.choice(EDITORS))
        shared = list(s.scalars(select(Post.id).where(Post.status == "draft").order_by(Post.id).limit(12)))
    deadline = time.monotonic() + seconds
    n = 0
    while time.monotonic() < deadline:
        n += 1
        when = datetime.now(UTC).replace(microsecond=0) + timedelta(
            days=rng.randint(2, 20), minutes=5 * rng.randint(0, 200)
        )
        op = rng.random()
        started = time.perf_counter()
        try:
            if op < 0.4:
                title = f"load {name} #{n}"
                d = PostDraft(
                    title=title,
                    post_type="text",
                    variants=(
                        VariantDraft(
                            channel="warisan-facebook", copy=f"Load test {name} {n}", scheduled_at=when
                        ),
                    ),
                )
                with write_session() as s:
                    composer.create_post(s, actor, "warisan", d)
                report.created.append(title)
            elif op < 0.8 and shared:
                pid = rng.choice(shared)
                with read_session() as s:
                    view = load_post(s, actor, pid)
                edited = view.draft.__class__(
                    **{**view.draft.__dict__, "master_copy": f"edited by {name} at {n}"}
                )
                with write_session() as s:
                    composer.update_post(s, actor, pid, edited, view.version)
            else:
                with read_session() as s:
                    vid = s.scalars(
                        select(PostVariant.id)
                        .where(PostVariant.status == "draft", PostVariant.scheduled_at.is_not(None))
                        .limit(1)
                        .offset(rng.randint(0, 30))
                    ).first()
                if vid:
                    with write_session() as s:
                        composer.reschedule_variant(s, actor, vid, when)
            report.latencies_ms.append((time.perf_counter() - started) * 1000)
        except ServiceError:
            report.refused += 1
        except OperationalError as exc:
            if "locked" in str(exc).lower():
                report.locked += 1
            else:
                report.other_errors.append(str(exc)[:200])
        except Exception as exc:
            report.other_errors.append(f"{type(exc).__name__}: {exc}"[:200])
    queue.put(report)


def _job_runner(url: str, name: str, seconds: float, queue: mp.Queue) -> None:
    import os

    os.environ["DATABASE_URL"] = url
    from app.db import write_session
    from app.services.permissions import Actor
    from app.services.post_import import import_posts
    from jobs import expire_approvals
    from jobs.recording import run_job

    report = WorkerReport(name)
    deadline = time.monotonic() + seconds
    n = 0
    while time.monotonic() < deadline:
        n += 1
        started = time.perf_counter()
        try:
            if n % 2:
                run_job("expire_approvals", expire_approvals.work)
            else:
                when = (datetime.now(UTC) + timedelta(days=3)).replace(microsecond=0).isoformat()
                rows = "".join(
                    f"warisan-facebook,{when},{name} import {n}.{i},Imported copy {i}\n" for i in range(20)
                )
                data = ("channel,scheduled_at,title,copy\n" + rows).encode()
                with write_session() as s:
                    import_posts(s, Actor.system(f"job:{name}"), "warisan", data, f"{name}-{n}.csv")
                report.created += [f"{name} import {n}.{i}" for i in range(20)]
            report.latencies_ms.append((time.perf_counter() - started) * 1000)
        except OperationalError as exc:
            if "locked" in str(exc).lower():
                report.locked += 1
            else:
                report.other_errors.append(str(exc)[:200])
        except Exception as exc:
            report.other_errors.append(f"{type(exc).__name__}: {exc}"[:200])
        time.sleep(0.2)
    queue.put(report)


@dataclass(frozen=True)
class LoadResult:
    store: str
    writes: int
    p50_ms: float
    p95_ms: float
    p99_ms: float
    locked: int
    refused: int
    other_errors: list[str]
    lost: int  # created records the workers saw committed but the database does not hold


def run_load(url: str, *, editors: int, jobs: int, seconds: float) -> LoadResult:
    from app.db import get_engine, read_session
    from app.models import Post

    ctx = mp.get_context("spawn")  # fresh interpreters, as separate app processes would be
    queue: mp.Queue = ctx.Queue()
    procs = [ctx.Process(target=_editor, args=(url, f"editor{i}", seconds, i, queue)) for i in range(editors)]
    procs += [ctx.Process(target=_job_runner, args=(url, f"jobs{i}", seconds, queue)) for i in range(jobs)]
    for p in procs:
        p.start()
    reports = [queue.get(timeout=seconds + 120) for _ in procs]
    for p in procs:
        p.join(timeout=30)
        if p.is_alive():
            p.kill()
    latencies = sorted(x for r in reports for x in r.latencies_ms)
    created = {t for r in reports for t in r.created}
    with read_session(get_engine(url)) as s:
        present = set(s.scalars(select(Post.title).where(Post.title.in_(created)))) if created else set()
        assert s.scalar(select(func.count()).select_from(Post)) >= len(present)

    def pct(q: float) -> float:
        return latencies[min(len(latencies) - 1, int(q * len(latencies)))] if latencies else 0.0

    return LoadResult(
        store=get_engine(url).dialect.name,
        writes=len(latencies),
        p50_ms=statistics.median(latencies) if latencies else 0.0,
        p95_ms=pct(0.95),
        p99_ms=pct(0.99),
        locked=sum(r.locked for r in reports),
        refused=sum(r.refused for r in reports),
        other_errors=[e for r in reports for e in r.other_errors],
        lost=len(created - present),
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.load_test", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--editors", type=int, default=10)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--database-url", help="default: a new SQLite file with the demo workspace")
    args = parser.parse_args(argv)
    from app.db import get_engine
    from app.services.setup import prepare_database

    url = args.database_url
    if url is None:
        OUT.mkdir(parents=True, exist_ok=True)
        url = f"sqlite:///{OUT / f'load-{datetime.now():%Y%m%d-%H%M%S}.sqlite'}"
    prepare_database(get_engine(url), demo=True)
    print(
        f"{args.editors} editors and {args.jobs} job runners for {args.seconds:.0f} s on "
        f"{get_engine(url).url.render_as_string(hide_password=True)} ...",
        flush=True,
    )
    r = run_load(url, editors=args.editors, jobs=args.jobs, seconds=args.seconds)
    print(f"  {r.writes:,} writes: p50 {r.p50_ms:.1f} ms, p95 {r.p95_ms:.1f} ms, p99 {r.p99_ms:.1f} ms")
    print(
        f"  'database is locked': {r.locked}; lost writes: {r.lost}; refused as conflicts or by rules: "
        f"{r.refused}; other errors: {len(r.other_errors)}"
    )
    for e in r.other_errors[:5]:
        print(f"    {e}")
    return 0 if r.locked == 0 and r.lost == 0 and not r.other_errors else 1


if __name__ == "__main__":
    sys.exit(main())
