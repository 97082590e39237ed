"""The Overview page's script time in AppTest at agency scale, cold and warm, for one brand and for all
brands, against a naive page that reads the whole metrics table into pandas, in the same run.

    python -m benchmarks.overview_page [--database-url URL] [--runs 3]

Default database: benchmarks/out/agency-1000x730.sqlite (built by `python -m benchmarks --scale agency`).
"Cold" is the first run of a fresh AppTest (a new session opening the app on the Overview, nothing cached
for that scope); "warm" the median of the next runs of the same session (a rerun, as after a widget
change, served from the page's five-minute cache). The page runs as the agency's admin on the
default view (Executive: tiles, targets with forecast, anomalies, changes and actions, top and bottom
posts). The naive page computes the same headline sums with `pd.read_sql` of channel_daily_metrics and
pandas filters, as a dashboard written without the indexed queries would.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

from sqlalchemy import select
from streamlit.testing.v1 import AppTest

from app.db import get_engine, read_session
from app.models import Brand
from benchmarks.results import Figure, record

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
DEFAULT_DB = HERE / "out" / "agency-1000x730.sqlite"
ADMIN = "admin@synthetic.example"
AUTH = {
    "redirect_uri": "http://127.0.0.1:8501/oauth2callback",
    "cookie_secret": "benchmark-cookie-secret",
    "client_id": "socialops",
    "client_secret": "benchmark-secret",
    "server_metadata_url": "http://127.0.0.1:9/.well-known/openid-configuration",
}
NAIVE_PAGE = """
import os
from datetime import date, timedelta

import pandas as pd
import streamlit as st
from sqlalchemy import create_engine

engine = create_engine(os.environ["DATABASE_URL"])
brand = os.environ.get("NAIVE_BRAND_ID")
df = pd.read_sql("SELECT * FROM channel_daily_metrics", engine)  # the whole table
df["date"] = pd.to_datetime(df["date"])
if brand:
    df = df[df["brand_id"] == int(brand)]
end = pd.Timestamp(date.today())
start, prev = end - pd.Timedelta(days=29), end - pd.Timedelta(days=59)
now, before = df[(df["date"] >= start) & (df["date"] <= end)], df[(df["date"] >= prev) & (df["date"] < start)]
st.title("Overview (naive)")
for col, key in zip(st.columns(4), ["impressions", "engagements", "clicks", "follower_growth"]):
    col.metric(key, f"{now[key].sum():,.0f}", f"{now[key].sum() - before[key].sum():+,.0f}")
daily = now.groupby("date")[["impressions", "engagements"]].sum()
st.line_chart(daily)
"""


def _time_app(make: callable, runs: int) -> tuple[float, float]:
    """(cold ms, warm median ms) of a page in AppTest."""
    at = make()
    t = time.perf_counter()
    at.run()
    cold = (time.perf_counter() - t) * 1000
    if at.exception:
        raise RuntimeError(f"the page failed: {[e.value for e in at.exception]}")
    warm = [cold]
    for _ in range(runs):
        t = time.perf_counter()
        at.run()
        warm.append((time.perf_counter() - t) * 1000)
    return cold, statistics.median(warm[1:] or warm)


def _ours(brand_slug: str | None) -> AppTest:
    """A fresh session of the real app; the Overview is the first page of everyone's menu, so the first
    run is a person opening the app on it (sign-in and navigation included: a few ms)."""
    at = AppTest.from_file(str(REPO / "streamlit_app.py"), default_timeout=900)
    at.secrets["auth"] = AUTH
    at.user = {"is_logged_in": True, "email": ADMIN, "name": ADMIN}
    if brand_slug:
        at.query_params["brand"] = brand_slug
    return at


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.overview_page", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--database-url", default=f"sqlite:///{DEFAULT_DB}")
    parser.add_argument("--runs", type=int, default=3, help="warm runs (median shown)")
    args = parser.parse_args(argv)
    os.environ["DATABASE_URL"] = args.database_url
    with read_session(get_engine(args.database_url)) as s:
        brand_id, slug = s.execute(select(Brand.id, Brand.slug).order_by(Brand.id).limit(1)).one()
        other = s.scalars(select(Brand.slug).order_by(Brand.id.desc()).limit(1)).one()
        brands = len(s.scalars(select(Brand.id)).all())
    # The server is already up when someone opens a page: imports, migrations check and engine are paid
    # once here, on another brand, so "cold" below is the page for a scope nothing is cached for.
    _time_app(lambda: _ours(other), 0)
    with tempfile.TemporaryDirectory() as tmp:
        naive_file = Path(tmp) / "naive_overview.py"
        naive_file.write_text(NAIVE_PAGE, encoding="utf-8")
        for label, bslug, bid in (("one brand", slug, brand_id), (f"all {brands:,} brands", None, None)):
            cold, warm = _time_app(lambda bslug=bslug: _ours(bslug), args.runs)
            if bid is None:
                os.environ.pop("NAIVE_BRAND_ID", None)
            else:
                os.environ["NAIVE_BRAND_ID"] = str(bid)
            naive_cold, naive_warm = _time_app(
                lambda: AppTest.from_file(str(naive_file), default_timeout=900), max(1, args.runs - 2)
            )
            for case, ours_ms, naive_ms in (("cold", cold, naive_cold), ("warm", warm, naive_warm)):
                fig = record(
                    Figure(
                        "overview page",
                        f"{label}, last 30 days, {case} (AppTest script time, sqlite)",
                        ours_ms,
                        naive_ms,
                        "ms",
                        "Overview, executive view",
                        "naive page: read_sql of the whole table",
                    )
                )
                print(
                    f"  {label:>18} {case}: ours {ours_ms:,.0f} ms, naive {naive_ms:,.0f} ms "
                    f"({fig.ratio:,.1f}x)",
                    flush=True,
                )
    return 0


if __name__ == "__main__":
    sys.exit(main())
