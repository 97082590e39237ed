"""`python -m benchmarks [--scale small|agency]`: build (or reuse) the data set, run every benchmark,
and write benchmarks/RESULTS.md — each figure with the naive baseline measured in the same run, the
ratio, the machine and the scale. SQLite, the embedded store; figures on PostgreSQL come from running
a benchmark module with --database-url."""

from __future__ import annotations

import argparse
import os
import platform
import sqlite3
import sys
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import func, select

from app.db import get_engine, read_session
from app.models import Brand
from benchmarks import (
    calendar_query,
    demo_build,
    health_banner,
    load_test,
    overview_page,
    post_import,
    publish_drain,
    sheets_sync,
)
from benchmarks.results import RECORDED, Figure

HERE = Path(__file__).resolve().parent
OUT = HERE / "out"
SCALES = {"small": (50, 365), "agency": (1000, 730)}


def _memory_gib() -> str:
    try:
        with open("/proc/meminfo") as info:
            kb = next(int(line.split()[1]) for line in info if line.startswith("MemTotal"))
        return f"{kb / 1024 / 1024:.0f} GiB"
    except (OSError, StopIteration):
        return "?"


def machine() -> str:
    return (
        f"{platform.machine()}, {os.cpu_count()} cores, {_memory_gib()} RAM, {platform.platform()}; "
        f"Python {platform.python_version()}, SQLite {sqlite3.sqlite_version}"
    )


def _brands_in(url: str) -> int:
    try:
        with read_session(get_engine(url)) as s:
            return int(s.scalar(select(func.count()).select_from(Brand)) or 0)
    except Exception:
        return 0


def _fmt(value: float | None, unit: str) -> str:
    if value is None:
        return "—"
    return f"{value:,.1f} {unit}" if unit == "ms" else f"{value:,.0f} {unit}"


def write_results(path: Path, scale: str, figures: list[Figure], started: datetime) -> None:
    lines = [
        "# Benchmark results",
        "",
        f"Written by `python -m benchmarks --scale {scale}` on {started:%Y-%m-%d %H:%M} UTC "
        f"({(datetime.now(UTC) - started).total_seconds():.0f} s).",
        f"Machine: {machine()}.",
        "Each figure is measured against a naive baseline in the same run; ratio = how many times better "
        "ours is (rows/s: higher is better; ms and requests: lower is better). "
        "Store: SQLite (the embedded default).",
        "",
        "| benchmark | case | ours | naive baseline | ratio |",
        "| --- | --- | --- | --- | --- |",
    ]
    for f in figures:
        ratio = "—" if f.ratio is None else f"{f.ratio:,.1f}×"
        base = "—" if f.baseline is None else f"{_fmt(f.baseline, f.unit)} ({f.baseline_label})"
        lines.append(
            f"| {f.benchmark} | {f.case} | {_fmt(f.ours, f.unit)} ({f.ours_label}) | {base} | {ratio} |"
        )
    # The load test runs on its own (two stores, two minutes): keep the section it wrote last.
    kept = load_test.current_section(path)
    if kept:
        lines += ["", kept]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__.split("\n")[0])
    parser.add_argument(
        "--scale",
        choices=SCALES,
        default="small",
        help="small (50 brands × 365 days) or agency (1,000 brands × 730 days, about 1 GB and a few minutes)",
    )
    parser.add_argument("--rebuild", action="store_true", help="build the data set again even if it exists")
    parser.add_argument("--out", default=str(HERE / "RESULTS.md"))
    args = parser.parse_args(argv)
    started = datetime.now(UTC)
    brands, days = SCALES[args.scale]
    OUT.mkdir(parents=True, exist_ok=True)
    url = f"sqlite:///{OUT / f'agency-{brands}x{days}.sqlite'}"

    print(f"== agency data set: {brands} brands × {days} days", flush=True)
    if args.rebuild or _brands_in(url) != brands:
        demo_build.main(["--brands", str(brands), "--days", str(days), "--database-url", url, "--reset"])
    else:
        print(f"  reusing {url} (--rebuild builds it again)")
        demo_build.baseline(get_engine(url), 10)
    print("\n== post import", flush=True)
    post_import.main(["--rows", "10000"])
    print("\n== calendar query", flush=True)
    calendar_query.main(["--database-url", url])
    print("\n== publish drain (local Mastodon server, started and stopped here)", flush=True)
    publish_drain.main([])
    print("\n== Google Sheets sync (local Sheets-compatible server)", flush=True)
    sheets_sync.main(["--rows", "5000"])
    print("\n== health banner (a year of job runs)", flush=True)
    health_banner.main([])
    print("\n== rollups (one new day vs a full rebuild) and analytics export import", flush=True)
    from benchmarks import metrics_import, rollups

    rollups.main(["--database-url", url])
    metrics_import.main([])
    print("\n== overview page (AppTest script time, cold and warm, vs reading the whole table)", flush=True)
    overview_page.main(["--database-url", url])

    write_results(Path(args.out), args.scale, list(RECORDED), started)
    print(f"\nresults written to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
