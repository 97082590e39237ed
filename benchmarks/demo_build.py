"""How fast the synthetic agency is built, and how that compares with writing through the ORM.

    python -m benchmarks.demo_build --brands 1000 --days 730 [--database-url URL] [--reset]

Builds the agency into a fresh database (default: a new SQLite file under benchmarks/out/), prints the
time, rows per second and rows per table, then times one slice of channel_daily_metrics (the first
--baseline-brands brands × every day) written again through `bulk_insert` and through ORM `add_all`
(each in a transaction that is rolled back) and prints the ratio.
"""

from __future__ import annotations

import argparse
import sys
import time
from datetime import datetime
from pathlib import Path

from sqlalchemy import Engine, delete, inspect, select
from sqlalchemy.orm import Session

from app.bulk_writes import bulk_insert
from app.db import drop_everything, get_engine, upgrade
from app.demo import build_agency
from app.models import Brand, ChannelDailyMetric
from app.services.core import Actor
from benchmarks.results import Figure, record

OUT = Path(__file__).resolve().parent / "out"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.demo_build", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--brands", type=int, default=1000)
    parser.add_argument("--days", type=int, default=730)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--database-url", help="default: a new SQLite file under benchmarks/out/")
    parser.add_argument("--reset", action="store_true", help="drop everything in --database-url first")
    parser.add_argument("--baseline-brands", type=int, default=10, help="brands in the ORM comparison slice")
    args = parser.parse_args(argv)

    url = args.database_url
    if url is None:
        OUT.mkdir(parents=True, exist_ok=True)
        stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
        url = f"sqlite:///{OUT / f'agency-{args.brands}x{args.days}-{stamp}.sqlite'}"
    engine = get_engine(url)
    if args.reset:
        drop_everything(engine)
    upgrade(engine)
    print(f"database: {engine.url.render_as_string(hide_password=True)} ({engine.dialect.name})")

    last = [-1.0]

    def progress(fraction: float, message: str) -> None:
        if fraction - last[0] >= 0.1 or fraction >= 1.0:  # one line per tenth, not per block
            last[0] = fraction
            print(f"  {fraction:6.1%}  {message}", flush=True)

    summary = build_agency(
        engine, actor=Actor.cli(), brands=args.brands, days=args.days, seed=args.seed, progress=progress
    )
    total = sum(summary.counts.values())
    print(
        f"\nbuilt {args.brands} brands x {args.days} days in {summary.seconds:.1f} s: "
        f"{total:,} rows, {total / summary.seconds:,.0f} rows/s"
    )
    record(
        Figure(
            "agency build",
            f"{args.brands} brands x {args.days} days, {total:,} rows ({engine.dialect.name})",
            total / summary.seconds,
            None,
            "rows/s",
            "build_agency",
            "",
        )
    )
    for table, count in sorted(summary.counts.items(), key=lambda kv: -kv[1]):
        print(f"  {table:<26} {count:>12,}")
    baseline(engine, args.baseline_brands)
    return 0


def baseline(engine: Engine, brands: int) -> None:
    """The same rows, written twice: bulk_insert tuples versus ORM objects with add_all + flush."""
    table = ChannelDailyMetric.__table__
    columns = [c.name for c in table.columns]
    with Session(engine) as s:
        brand_ids = s.scalars(select(Brand.id).order_by(Brand.id).limit(brands)).all()
        rows = [tuple(r) for r in s.execute(select(*table.columns).where(table.c.brand_id.in_(brand_ids)))]
    where = table.c.brand_id.in_(brand_ids)
    n = len(rows)

    with engine.connect() as conn:
        trans = conn.begin()
        conn.execute(delete(table).where(where))
        started = time.perf_counter()
        bulk_insert(conn, table.name, columns, rows)
        bulk_s = time.perf_counter() - started
        trans.rollback()

    with Session(engine) as s:
        s.execute(delete(table).where(where))
        attrs = [inspect(ChannelDailyMetric).get_property_by_column(c).key for c in table.columns]
        started = time.perf_counter()
        s.add_all([ChannelDailyMetric(**dict(zip(attrs, r, strict=True))) for r in rows])
        s.flush()
        orm_s = time.perf_counter() - started
        s.rollback()

    print(f"\nchannel_daily_metrics, {brands} brands ({n:,} rows), rolled back after timing:")
    print(f"  bulk_insert      {bulk_s:8.2f} s  {n / bulk_s:>12,.0f} rows/s")
    print(f"  ORM add_all      {orm_s:8.2f} s  {n / orm_s:>12,.0f} rows/s")
    print(f"  bulk is {orm_s / bulk_s:.1f}x faster per row")
    record(
        Figure(
            "bulk writes",
            f"channel_daily_metrics, {n:,} rows ({engine.dialect.name})",
            n / bulk_s,
            n / orm_s,
            "rows/s",
            "bulk_insert",
            "ORM add_all",
        )
    )


if __name__ == "__main__":
    sys.exit(main())
