"""Browser journey, in Chromium against `streamlit run`: a manager reads Warisan's figures for the last
7 days on the Overview (the headline tiles, and every channel's row of the Channels view), imports the
Facebook page's Meta Business Suite export (three days it replaces, and today, which the store does not
hold yet) on Import & export, checked first (the app says what it would write) and then imported (with
the counts), and the Overview's figures move by exactly what the export replaced and added: the page's
followers are today's and no other channel's figure moves. Then an export with a non-number and an
impossible date is refused cell by cell (row and column named), even when imported anyway, and nothing
lands: the store and the Overview are as before. A screenshot of every step goes to
tests/.artifacts/e2e/."""

from __future__ import annotations

import csv
import io
import time as clock
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from e2ekit import MANAGER, RunningApp
from playwright.sync_api import BrowserContext, Page, expect
from sqlalchemy import Engine, func, select
from streamlit_ui import (
    choose,
    click,
    expect_success,
    metric_value,
    open_page,
    open_tab,
    screenshot,
    sign_in,
    table_rows,
    upload_file,
    visit_from_sidebar,
    wait_idle,
    widget,
)

from app.db import read_session
from app.models import AuditLog, Brand, Channel, ChannelDailyMetric
from app.services.core import Actor
from app.services.measurement import Scope, overview
from app.services.measurement import views as dashboards

pytestmark = pytest.mark.slow

BRAND = "warisan"
BRAND_NAME = "Warisan Kopitiam"
CHANNEL = "warisan-facebook"
CHANNEL_NAME = "Warisan Kopitiam (Facebook)"  # as the Channels view names it
PERIOD = "Last 7 days"
UPLOADER = "Analytics export (CSV or XLSX)"
COUNTS = ("impressions", "engagements", "clicks")  # summed over the period
FIGURES = (*COUNTS, "followers")  # followers: each channel's last count in the period, added up
# Tile label -> the headline KPI it shows (app.services.overview.headline_kpis).
TILES = {
    "Followers": "followers",
    "Impressions": "impressions",
    "Engagements": "engagements",
    "Link clicks": "clicks",
}
# How far the export's counts of the three days it replaces (in file order) are from the stored ones.
BUMPS = (
    {"impressions": 4_321, "engagements": 1_234, "clicks": 150},
    {"impressions": 5_007, "engagements": 1_410, "clicks": 175},
    {"impressions": 3_998, "engagements": 1_099, "clicks": 205},
)
# Today, which the store does not hold yet: the export is downloaded during the day.
TODAY = {"impressions": 6_543, "engagements": 321, "clicks": 42, "reach": 4_210}
READER = Actor.system("test:import-journey")
M = ChannelDailyMetric


def meta_page_overview(rows: list[tuple[str, dict[str, int | str]]]) -> bytes:
    """A Meta Business Suite page overview export (Facebook) as the download writes it: the market's
    day-first dates, quoted thousands, an engagement-rate column (a ratio, not stored) and a Total row."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    columns = {
        "Facebook Page reach": "reach",
        "Views": "impressions",
        "Page followers": "followers",
        "Content interactions": "engagements",
        "Link clicks": "clicks",
    }
    writer.writerow(["Date", *columns, "Engagement rate"])
    totals = dict.fromkeys(("reach", "impressions", "engagements", "clicks"), 0)
    for day, values in rows:
        for key in totals:
            totals[key] += values[key] if isinstance(values[key], int) else 0
        eng, imp = values["engagements"], values["impressions"]
        rate = f"{eng / imp:.1%}" if isinstance(eng, int) and isinstance(imp, int) else ""
        cells = [values[key] for key in columns.values()]
        writer.writerow([day, *(f"{c:,}" if isinstance(c, int) else c for c in cells), rate])
    total_cells = [f"{totals[key]:,}" if key in totals else "" for key in columns.values()]
    writer.writerow(["Total", *total_cells, ""])
    return out.getvalue().encode("utf-8")


def shown(value: float) -> str:
    """A count as the Overview's tiles write it (app.ui.components.kpi_tiles)."""
    if abs(value) >= 1_000_000:
        return f"{value / 1_000_000:,.2f} M"
    if abs(value) >= 10_000:
        return f"{value / 1_000:,.1f} k"
    return f"{value:,.0f}"


def stored_days(engine: Engine, days: list[date]) -> dict[date, dict[str, Any]]:
    """The channel's stored rows of these days (every column the import may touch)."""
    keys = ("impressions", "engagements", "clicks", "reach", "followers", "source", "updated_at")
    with read_session(engine) as s:
        rows = s.execute(
            select(M.date, *(getattr(M, k) for k in keys))
            .join(Channel, Channel.id == M.channel_id)
            .where(Channel.slug == CHANNEL, M.date.in_(days))
        ).all()
    return {r[0]: dict(zip(keys, r[1:], strict=True)) for r in rows}


def service_figures(engine: Engine, start: date, end: date) -> tuple[dict[str, float], dict[str, dict]]:
    """What the Overview's services compute: the headline KPIs, and every channel's row of the Channels
    view (the cross-check of what the page shows)."""
    with read_session(engine) as s:
        brand_id = s.scalars(select(Brand.id).where(Brand.slug == BRAND)).one()
        kpis = {k.key: k.value for k in overview.headline_kpis(s, READER, [brand_id], start, end)}
        channels = dashboards.channel_view(s, READER, Scope((brand_id,)), start, end)
    rows = {r["channel"]: {k: number(r[k]) for k in FIGURES} for r in channels.to_dict("records")}
    return {k: kpis[k] for k in FIGURES}, rows


def number(value: object) -> int | None:
    """A count from a table cell or a frame (None for an empty cell or NaN)."""
    text = str(value).strip()
    return None if text in ("", "nan", "None") else int(float(text))


def audit_count(engine: Engine) -> int:
    with read_session(engine) as s:
        return int(s.scalar(select(func.count()).select_from(AuditLog)) or 0)


def read_overview(page: Page, shots: Path, name: str) -> tuple[dict[str, str], dict[str, dict]]:
    """On the Overview: the headline tiles as written (Executive view), then every channel's counts in
    the Channels view's table (exact numbers); a screenshot of each view."""
    tiles = {label: metric_value(page, label) for label in TILES}
    screenshot(page, shots, f"{name}-executive")
    widget(page, "stButtonGroup", "View").get_by_text("Channels", exact=True).click()
    wait_idle(page)
    expect(page.get_by_text("Every channel in the period", exact=True)).to_be_visible()
    screenshot(page, shots, f"{name}-channels")
    rows = {r["channel"]: {k: number(r[k]) for k in FIGURES} for r in table_rows(page, "channels")}
    return tiles, rows


def open_overview(page: Page, start: date, end: date) -> None:
    visit_from_sidebar(page, "Overview")
    period = f"{BRAND_NAME} · {start:%d %b %Y} – {end:%d %b %Y}"
    expect(page.get_by_text(period, exact=True)).to_be_visible()


def open_metrics_import(page: Page, name: str, data: bytes) -> None:
    """Import & export → Import metrics, with the file chosen for the Facebook page."""
    visit_from_sidebar(page, "Import & export")
    open_tab(page, "Import metrics")
    upload_file(page, UPLOADER, name, data)
    choose(page, "stSelectbox", "Channel", f"{CHANNEL} (facebook)")


def test_an_imported_export_moves_the_overview_and_a_refused_one_changes_nothing(
    app_server: RunningApp, demo_db: Engine, new_context: Callable[[str], BrowserContext], artifacts: Path
) -> None:
    started = clock.monotonic()
    app, shots = app_server, artifacts
    today = date.today()
    start, end = today - timedelta(days=6), today  # the sidebar's "Last 7 days"
    days = [today - timedelta(days=n) for n in (3, 2, 1)]  # in the period, held by the demo workspace
    demo_days = stored_days(demo_db, [*days, today])
    assert sorted(demo_days) == days, "the demo workspace should hold these days of the page, not today"
    followers_today = demo_days[days[-1]]["followers"] + 31
    in_file = [
        (
            day,
            {k: demo_days[day][k] + bump[k] for k in COUNTS}
            | {"reach": 9_000 + 111 * n, "followers": demo_days[day]["followers"] + 12},
        )
        for n, (day, bump) in enumerate(zip(days, BUMPS, strict=True))
    ] + [(today, TODAY | {"followers": followers_today})]
    added = {k: sum(b[k] for b in BUMPS) + TODAY[k] for k in COUNTS}

    # 1. The manager opens Warisan's Overview for the last 7 days and reads its figures: the services'.
    manager = sign_in(new_context("manager"), app.url, MANAGER.sub)
    open_page(manager, f"{app.url}/?brand={BRAND}")
    choose(manager, "stSelectbox", "Period", PERIOD)
    open_overview(manager, start, end)
    tiles_before, channels_before = read_overview(manager, shots, "import-01-before")
    kpis_before, service_channels = service_figures(demo_db, start, end)
    assert tiles_before == {label: shown(kpis_before[key]) for label, key in TILES.items()}
    assert channels_before == service_channels and len(channels_before) == 6
    page_before = channels_before[CHANNEL_NAME]

    # 2. The page's export, three days it replaces and today: checked (nothing written), then imported.
    open_metrics_import(
        manager,
        "Warisan Kopitiam-Page-overview.csv",
        meta_page_overview([(f"{d:%d/%m/%Y}", v) for d, v in in_file]),
    )
    screenshot(manager, shots, "import-02-file-chosen")
    click(manager, "Check file")
    span = f"({days[0]} – {today})"
    would = (
        f"Would write 1 new and 3 changed channel days into {CHANNEL} {span}; 0 already up to date"
        " [Meta Business Suite page overview (Facebook)]"
    )
    expect(manager.get_by_test_id("stAlertContentInfo").filter(has_text=would)).to_be_visible()
    expect(manager.get_by_text("totals row(s) 6 skipped (totals are summed from the rows)")).to_be_visible()
    manager.get_by_text("Preview (first 4 rows)", exact=True).click()
    screenshot(manager, shots, "import-03-checked")
    assert stored_days(demo_db, [*days, today]) == demo_days  # a check writes nothing

    click(manager, "Import")
    expect_success(manager, "Import finished; the summary is below.")
    expect_success(manager, f"Wrote 1 new and 3 changed channel days into {CHANNEL} {span}")
    counts = {
        label: metric_value(manager, label) for label in ("Rows read", "New", "Changed", "Refused rows")
    }
    assert counts == {"Rows read": "4", "New": "1", "Changed": "3", "Refused rows": "0"}
    screenshot(manager, shots, "import-04-imported")
    imported = stored_days(demo_db, [*days, today])
    for day, values in in_file:
        assert {k: imported[day][k] for k in values} == values
        assert imported[day]["source"] == "export:facebook_daily"

    # 3. Back on the Overview (same period): the page's figures moved by exactly what the export
    # replaced and added, its followers are today's, and every other channel is as it was.
    open_overview(manager, start, end)
    tiles_after, channels_after = read_overview(manager, shots, "import-05-after")
    page_after = {k: page_before[k] + added[k] for k in COUNTS} | {"followers": followers_today}
    assert channels_after == channels_before | {CHANNEL_NAME: page_after}
    kpis_after = {k: kpis_before[k] + added[k] for k in COUNTS} | {
        "followers": kpis_before["followers"] - page_before["followers"] + followers_today
    }
    for label, key in TILES.items():
        assert tiles_after[label] == shown(kpis_after[key]), label
    assert all(tiles_after[label] != tiles_before[label] for label in TILES if TILES[label] in COUNTS)
    assert service_figures(demo_db, start, end) == (kpis_after, channels_after)

    # 4. An export with a non-number and an impossible date: refused by row and column on the check,
    # refused again when imported anyway, and nothing lands.
    bad_rows: list[tuple[str, dict[str, int | str]]] = [
        (f"{days[0]:%d/%m/%Y}", {k: v + 1 for k, v in in_file[0][1].items()}),
        (f"{days[1]:%d/%m/%Y}", {**in_file[1][1], "clicks": "about 40"}),
        (f"30/02/{today.year}", dict(in_file[2][1])),
    ]
    audits = audit_count(demo_db)
    open_metrics_import(manager, "Warisan Kopitiam-Page-overview (1).csv", meta_page_overview(bad_rows))
    click(manager, "Check file")
    refusal = "Nothing imported from 3 rows: 2 rows refused"
    expect(manager.get_by_test_id("stAlertContentError").filter(has_text=refusal)).to_be_visible()
    assert metric_value(manager, "Refused rows") == "2"
    assert table_rows(manager, "metrics_refused") == [
        {"row": "3", "column": "Link clicks", "value": "about 40", "reason": "not a number"},
        {
            "row": "4",
            "column": "Date",
            "value": f"30/02/{today.year}",
            "reason": "not a real date (day is out of range for month)",
        },
    ]
    screenshot(manager, shots, "import-06-refused-on-check")

    click(manager, "Import")
    expect(
        manager.get_by_test_id("stAlertContentError").filter(
            has_text="Nothing imported: 2 rows refused (below)."
        )
    ).to_be_visible()
    screenshot(manager, shots, "import-07-refused-on-import")
    assert stored_days(demo_db, [*days, today]) == imported and audit_count(demo_db) == audits

    open_overview(manager, start, end)
    assert read_overview(manager, shots, "import-08-unchanged") == (tiles_after, channels_after)
    print(f"\nimport journey on {demo_db.dialect.name}: {clock.monotonic() - started:.1f} s")
