"""What one new day costs the rollups: the incremental refresh (only the weeks and months holding the
new channel-days) against a full rebuild of every rollup, in the same run, on the agency data set.

    python -m benchmarks.rollups [--database-url URL]

Default: the agency data set `python -m benchmarks --scale agency` builds (1,000 brands × 5 channels ×
730 days) under benchmarks/out/. One new day is added for every channel, the refresh and then the
rebuild are timed, and everything is rolled back, so the data set is left as it was.
"""

from __future__ import annotations

import argparse
import sys
import time
from datetime import timedelta
from pathlib import Path

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from app.db import get_engine, upgrade
from app.models import ChannelDailyMetric
from app.models.metrics import RollupDirtyDay
from app.services.core import Actor
from app.services.measurement import rollups
from benchmarks.results import Figure, record

OUT = Path(__file__).resolve().parent / "out"
DEFAULT_URL = f"sqlite:///{OUT / 'agency-1000x730.sqlite'}"
M = ChannelDailyMetric


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.rollups", description=__doc__.split("\n")[0])
    parser.add_argument("--database-url", default=DEFAULT_URL)
    args = parser.parse_args(argv)
    engine = get_engine(args.database_url)
    upgrade(engine)  # a data set built before the rollups were added gets their tables (and marks)
    actor = Actor.system("benchmark:rollups")
    with Session(engine) as s:
        if s.scalar(select(func.count()).select_from(RollupDirtyDay)):
            print("  rolling up what is pending first (a data set from before the rollups)", flush=True)
            rollups.refresh(s, actor)
            s.commit()
        day = s.scalar(select(func.max(M.date)))
        channels = s.scalar(select(func.count(func.distinct(M.channel_id))).where(M.date == day))
        daily_rows = s.scalar(select(func.count()).select_from(M))
        # The new day: every channel's last day again, one day later (what the nightly import adds).
        cols = [c.name for c in M.__table__.columns if c.name != "date"]
        col_list = ", ".join(cols)
        s.execute(
            text(
                f"INSERT INTO channel_daily_metrics (date, {col_list}) "
                f"SELECT :new, {col_list} FROM channel_daily_metrics WHERE date = :day"
            ),
            {"new": day + timedelta(days=1), "day": day},
        )
        started = time.perf_counter()
        inc = rollups.refresh(s, actor)
        inc_s = time.perf_counter() - started
        started = time.perf_counter()
        full = rollups.rebuild(s, actor, audit=False)
        full_s = time.perf_counter() - started
        s.rollback()  # the data set stays as it was
    print(f"{channels:,} channels, {daily_rows:,} daily rows; one new day ({day + timedelta(days=1)}):")
    print(
        f"  incremental refresh {inc_s * 1000:10,.0f} ms  ({inc.dirty_days:,} marked days, "
        f"{inc.daily_rows:,} daily rows read, {inc.weeks + inc.months:,} rollup rows rewritten)"
    )
    print(
        f"  full rebuild        {full_s * 1000:10,.0f} ms  ({full.daily_rows:,} daily rows read, "
        f"{full.weeks + full.months:,} rollup rows written)"
    )
    print(f"  the refresh is {full_s / inc_s:.1f}x cheaper")
    record(
        Figure(
            "rollups",
            f"one new day × {channels:,} channels over {daily_rows:,} daily rows ({engine.dialect.name})",
            inc_s * 1000,
            full_s * 1000,
            "ms",
            "refresh of marked days",
            "full rebuild",
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
