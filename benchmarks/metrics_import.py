"""Import throughput of a large analytics export: `import_metrics` against `pandas.to_sql` of the same
rows, in the same run, on the same database.

    python -m benchmarks.metrics_import [--rows 100000] [--database-url URL]

The file is a generated GA4 conversions export (description lines, compact dates, money with thousands
separators), the kind of file that reaches 100k rows. Default store: a fresh SQLite file with the demo
workspace under benchmarks/out/. Be fair about the baseline: `to_sql` writes the cells as read (text
dates, "1,234.50" as text), checks nothing, cannot upsert, so a second import of the same file doubles
the rows; the importer parses and checks every cell, compares with what is stored, writes only new or
changed rows, matches tracked links and writes an audit row. Both runs are rolled back.
"""

from __future__ import annotations

import argparse
import io
import random
import sys
import time
from datetime import date, timedelta
from pathlib import Path

import pandas as pd
from sqlalchemy import text
from sqlalchemy.orm import Session

from app.db import drop_everything, get_engine, upgrade
from app.demo import seed_demo_workspace
from app.services.core import Actor
from app.services.measurement import import_metrics
from benchmarks.results import Figure, record

OUT = Path(__file__).resolve().parent / "out"


def ga4_export(rows: int, seed: int = 7) -> bytes:
    rng = random.Random(seed)
    sources = [("instagram", "social"), ("facebook", "social"), ("google", "cpc"), ("(direct)", "(none)")]
    lines = [
        "# ----------------------------------------",
        "# Conversions by transaction",
        "# Start date: 20240101",
        "# ----------------------------------------",
        "Transaction ID,Date,Session source,Session medium,Session campaign,Session manual ad content,"
        "Event name,Purchase revenue,Currency",
    ]
    first = date(2024, 1, 1)
    for i in range(rows):
        src, med = rng.choice(sources)
        day = first + timedelta(days=rng.randrange(700))
        value = rng.randrange(500, 250_000) / 100
        lines.append(
            f'T-{i:07d},{day:%Y%m%d},{src},{med},kopi-o-classics,reel-{rng.randrange(9)},purchase,"{value:,.2f}",MYR'
        )
    return ("\r\n".join(lines) + "\r\n").encode("utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.metrics_import", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--database-url", help="default: a fresh SQLite demo under benchmarks/out/")
    args = parser.parse_args(argv)
    url = args.database_url
    if url is None:
        OUT.mkdir(parents=True, exist_ok=True)
        url = f"sqlite:///{OUT / 'metrics-import.sqlite'}"
    engine = get_engine(url)
    drop_everything(engine)
    upgrade(engine)
    seed_demo_workspace(engine, actor=Actor.system("benchmark:seed"))
    data = ga4_export(args.rows)
    actor = Actor.system("benchmark:metrics-import")
    n = args.rows

    with Session(engine) as s:
        # Warm up (mappers configured, statements compiled) on a small file, as a running app would be.
        import_metrics(s, actor, "warisan", ga4_export(50, seed=1), "warm-up.csv", dry_run=True)
        started = time.perf_counter()
        report = import_metrics(s, actor, "warisan", data, "ga4-large.csv")
        ours = time.perf_counter() - started
        assert report.new == n and not report.problems, report.summary()
        started = time.perf_counter()
        again = import_metrics(s, actor, "warisan", data, "ga4-large.csv")
        second = time.perf_counter() - started
        assert again.unchanged == n and again.new == 0
        s.rollback()

    with engine.connect() as conn:
        trans = conn.begin()
        started = time.perf_counter()
        frame = pd.read_csv(io.BytesIO(data), comment="#", dtype=str)
        frame.to_sql("bench_ga4_to_sql", conn, if_exists="replace", index=False)
        naive = time.perf_counter() - started
        assert conn.execute(text("SELECT COUNT(*) FROM bench_ga4_to_sql")).scalar() == n
        trans.rollback()

    print(f"GA4 export, {n:,} rows ({len(data) / 1e6:.1f} MB), {engine.dialect.name}:")
    print(
        f"  import_metrics        {ours:7.2f} s  {n / ours:>10,.0f} rows/s  (parsed, checked, compared, upserted)"
    )
    print(f"  same file again       {second:7.2f} s  {n / second:>10,.0f} rows/s  (nothing written)")
    print(
        f"  read_csv + to_sql     {naive:7.2f} s  {n / naive:>10,.0f} rows/s  (text as read, no checks, no upsert)"
    )
    print(f"  import_metrics reaches {naive / ours:.2f}x the to_sql rate")
    record(
        Figure(
            "metrics import",
            f"GA4 export, {n:,} conversions ({engine.dialect.name}; to_sql checks nothing and cannot upsert)",
            n / ours,
            n / naive,
            "rows/s",
            "import_metrics",
            "read_csv + to_sql",
        )
    )
    record(
        Figure(
            "metrics import",
            f"the same {n:,}-row file again: nothing to write ({engine.dialect.name})",
            n / second,
            None,
            "rows/s",
            "import_metrics",
            "",
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
