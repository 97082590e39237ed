"""How fast the calendar grid's query is at agency scale, against a naive ORM baseline in the same run.

    python -m benchmarks.calendar_query [--database-url URL] [--brand-slug S] [--runs 7]

Without --database-url it builds a smaller synthetic agency first (--brands 200 --days 365 by default)
into a new SQLite file under benchmarks/out/ and says so; for the agency-scale figure, build one with
`python -m app demo --brands 1000 --days 730` and pass its URL. It times `calendar_events` for one
brand's month view (the six-week grid the page asks for) and for every brand for one week, each against
the naive way (load the brand's, or every, variant through the ORM, filter the times in Python, reach
post and channel through the relationships) and prints medians and the ratio.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import Engine, func, select, text
from sqlalchemy.orm import Session

from app.db import get_engine, upgrade
from app.demo import build_agency
from app.models import Brand, Channel, PostVariant
from app.services.content.calendar.grid import calendar_events, time_bounds
from app.services.core import Actor
from app.ui.content.calendar_grid import view_range
from benchmarks.results import Figure, record

OUT = Path(__file__).resolve().parent / "out"
ACTOR = Actor.system("benchmark:calendar")


def _median_ms(fn: Callable[[], int], runs: int) -> tuple[float, int]:
    fn()  # warm-up: caches, statement compilation, file pages
    times, n = [], 0
    for _ in range(runs):
        started = time.perf_counter()
        n = fn()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times), n


def fast(engine: Engine, brand_ids: list[int], start: date, end: date, tz: str) -> int:
    with Session(engine) as s:
        return len(calendar_events(s, ACTOR, brand_ids, start, end, tz=tz, limit=None))


def naive(engine: Engine, brand_ids: list[int] | None, start: date, end: date, tz: str) -> int:
    """Every variant of the brand(s) as ORM objects, the range checked in Python, then what the grid
    shows read through the relationships (one lazy load per post and channel)."""
    lo, hi = time_bounds(start, end, tz)
    with Session(engine) as s:
        stmt = select(PostVariant)
        if brand_ids is not None:
            stmt = stmt.where(PostVariant.brand_id.in_(brand_ids))
        rows = []
        for v in s.scalars(stmt):
            at = v.scheduled_at or v.published_at
            if at is not None and lo <= at < hi:
                channel = s.get(Channel, v.channel_id)
                rows.append((v.id, f"[{channel.platform.label}] {v.post.title}", at, v.status, v.version))
        rows.sort(key=lambda r: (r[2], r[0]))
        return len(rows)


def _plan(engine: Engine, brand_id: int, start: date, end: date, tz: str) -> list[str]:
    """SQLite's plan for the range scan: which index picks the variants."""
    if engine.dialect.name != "sqlite":
        return []
    lo, hi = time_bounds(start, end, tz)
    sql = (
        "EXPLAIN QUERY PLAN SELECT id FROM post_variants WHERE brand_id IN (:b) "
        "AND scheduled_at >= :lo AND scheduled_at < :hi"
    )
    fmt = "%Y-%m-%d %H:%M:%S.%f"
    with engine.connect() as conn:
        rows = conn.execute(text(sql), {"b": brand_id, "lo": lo.strftime(fmt), "hi": hi.strftime(fmt)})
        return [r[-1] for r in rows]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.calendar_query", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--database-url", help="a database holding an agency (default: build a smaller one)")
    parser.add_argument("--brand-slug", help="the brand of the month view (default: the first brand)")
    parser.add_argument("--brands", type=int, default=200, help="brands of the agency built without a URL")
    parser.add_argument("--days", type=int, default=365, help="days of the agency built without a URL")
    parser.add_argument("--runs", type=int, default=7, help="timed runs of the grid query (median shown)")
    parser.add_argument("--naive-runs", type=int, default=3, help="timed runs of the naive baseline")
    args = parser.parse_args(argv)

    url = args.database_url
    if url is None:
        OUT.mkdir(parents=True, exist_ok=True)
        url = f"sqlite:///{OUT / f'calendar-{args.brands}x{args.days}-{datetime.now():%Y%m%d-%H%M%S}.sqlite'}"
        print(
            f"no --database-url: building a {args.brands}-brand, {args.days}-day agency (not the full scale) ..."
        )
        engine = get_engine(url)
        upgrade(engine)
        summary = build_agency(engine, actor=Actor.cli(), brands=args.brands, days=args.days, seed=7)
        print(f"  built in {summary.seconds:.0f} s")
    engine = get_engine(url)
    with Session(engine) as s:
        brands = s.scalar(select(func.count()).select_from(Brand))
        variants = s.scalar(select(func.count()).select_from(PostVariant))
        stmt = select(Brand).order_by(Brand.id).limit(1)
        if args.brand_slug:
            stmt = select(Brand).where(Brand.slug == args.brand_slug)
        brand = s.scalars(stmt).first()
        if brand is None:
            print("no such brand (or an empty database): build one with `python -m app demo --brands N`")
            return 2
        tz = brand.market.timezone
        all_ids = list(s.scalars(select(Brand.id)))
        brand_variants = s.scalar(select(func.count()).where(PostVariant.brand_id == brand.id))
    print(f"database: {engine.url.render_as_string(hide_password=True)} ({engine.dialect.name})")
    print(
        f"  {brands:,} brands, {variants:,} post variants; month view of {brand.slug} ({brand_variants:,} variants)"
    )

    today = datetime.now(UTC).astimezone(ZoneInfo(tz)).date()
    m_start, m_end = view_range("month", today)
    w_start, w_end = view_range("week", today)
    for line in _plan(engine, brand.id, m_start, m_end, tz):
        print(f"  plan: {line}")

    cases = [
        (
            f"one brand, month grid {m_start:%d %b} - {m_end:%d %b %Y}",
            lambda: fast(engine, [brand.id], m_start, m_end, tz),
            lambda: naive(engine, [brand.id], m_start, m_end, tz),
        ),
        (
            f"all {brands:,} brands, week {w_start:%d %b} - {w_end:%d %b %Y}",
            lambda: fast(engine, all_ids, w_start, w_end, tz),
            lambda: naive(engine, None, w_start, w_end, tz),
        ),
    ]
    print(
        f"\nmedians of {args.runs} runs (calendar_events) and {args.naive_runs} runs (naive ORM), after a warm-up:"
    )
    for label, grid, baseline in cases:
        grid_ms, n = _median_ms(grid, args.runs)
        naive_ms, n_naive = _median_ms(baseline, args.naive_runs)
        assert n == n_naive, f"the two ways disagree: {n} vs {n_naive} events"
        print(f"  {label}: {n:,} events")
        print(f"    calendar_events {grid_ms:10.1f} ms")
        print(f"    naive ORM       {naive_ms:10.1f} ms   ({naive_ms / grid_ms:,.1f}x slower)")
        record(
            Figure(
                "calendar query",
                f"{label}: {n:,} events ({engine.dialect.name})",
                grid_ms,
                naive_ms,
                "ms",
                "calendar_events",
                "ORM load + filter in Python",
            )
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
