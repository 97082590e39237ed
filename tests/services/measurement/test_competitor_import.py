"""Competitor benchmark import: a realistic CSV and XLSX land once (a second import changes nothing), a
file with a bad row writes nothing and names the row, and only those who may edit benchmarks import."""

from __future__ import annotations

import io
from datetime import date

import pytest
from openpyxl import Workbook
from sqlalchemy import Engine, func, select

from app.db import read_session, write_session
from app.models import AuditLog, Brand, Competitor, CompetitorMetric
from app.services.core import Actor, PermissionDenied
from app.services.measurement import benchmarks as competitors
from app.services.measurement.competitors.benchmark_imports import (
    CompetitorImportRefused,
    import_competitor_metrics,
)
from app.services.org import load_actor

SYSTEM = Actor.system("test:competitors")
VIEWER = "jon.lee@kopi.example"
# An export as people make them: BOM, a description line above the header, thousands separators, a
# market-format date (Malaysia: day first), "Twitter" for X, an empty mentions cell and a totals row.
CSV = (
    "\ufeffBenchmark export, generated 2026-11-20\n"
    "Competitor,Network,Date,Followers,Posts,Engagements,Mentions\n"
    'Kopi Rival,Instagram,02/11/2026,"12,400",3,"1,020",40\n'
    "Kopi Rival,Instagram,09/11/2026,12650,4,1180,\n"
    "Kopi Rival,Twitter,02/11/2026,3100,7,95,12\n"
    "Brand New Cafe,TikTok,2026-11-09,8800,5,4300,22\n"
    "Total,,,,19,6595,74\n"
).encode()


@pytest.fixture
def warisan(demo_db: Engine) -> int:
    with read_session(demo_db) as s:
        return s.scalars(select(Brand.id).where(Brand.slug == "warisan")).one()


def _metrics(engine: Engine, brand_id: int) -> list[tuple]:
    with read_session(engine) as s:
        return s.execute(
            select(
                Competitor.name,
                CompetitorMetric.platform,
                CompetitorMetric.date,
                CompetitorMetric.followers,
                CompetitorMetric.mentions,
            )
            .join(Competitor, Competitor.id == CompetitorMetric.competitor_id)
            .where(Competitor.brand_id == brand_id, Competitor.name.in_(["Kopi Rival", "Brand New Cafe"]))
            .order_by(Competitor.name, CompetitorMetric.platform, CompetitorMetric.date)
        ).all()


def test_a_realistic_csv_lands_once(demo_db: Engine, warisan: int) -> None:
    with write_session(demo_db) as s:
        first = import_competitor_metrics(s, SYSTEM, warisan, CSV, "benchmarks.csv")
    assert (first.rows, first.added, first.updated, first.unchanged) == (4, 4, 0, 0)
    assert sorted(first.new_competitors) == ["Brand New Cafe", "Kopi Rival"]
    rows = _metrics(demo_db, warisan)
    assert [(n, p.value, d, f, m) for n, p, d, f, m in rows] == [
        ("Brand New Cafe", "tiktok", date(2026, 11, 9), 8800, 22),
        ("Kopi Rival", "instagram", date(2026, 11, 2), 12400, 40),
        ("Kopi Rival", "instagram", date(2026, 11, 9), 12650, None),
        ("Kopi Rival", "x", date(2026, 11, 2), 3100, 12),
    ]
    with write_session(demo_db) as s:
        again = import_competitor_metrics(s, SYSTEM, warisan, CSV, "benchmarks.csv")
    assert (again.added, again.updated, again.unchanged, again.new_competitors) == (0, 0, 4, [])
    assert _metrics(demo_db, warisan) == rows
    with read_session(demo_db) as s:
        audits = s.scalar(select(func.count()).where(AuditLog.object_type == "competitor_metrics"))
        bench = competitors.competitor_overview(s, SYSTEM, [warisan], date(2026, 11, 1), date(2026, 11, 10))
    assert audits == 1, "a repeat that changed nothing leaves no audit row"
    rival = bench[(bench["competitor"] == "Kopi Rival") & (bench["platform"] == "instagram")].iloc[0]
    assert rival["growth in period"] == 250 and rival["posts"] == 7


def test_a_changed_number_updates_its_row_only(demo_db: Engine, warisan: int) -> None:
    with write_session(demo_db) as s:
        import_competitor_metrics(s, SYSTEM, warisan, CSV, "benchmarks.csv")
    changed = CSV.replace(b"12650,4,1180", b"12700,4,1180")
    with write_session(demo_db) as s:
        report = import_competitor_metrics(s, SYSTEM, warisan, changed, "benchmarks.csv")
    assert (report.added, report.updated, report.unchanged) == (0, 1, 3)
    assert [r[3] for r in _metrics(demo_db, warisan)][2] == 12700


def test_xlsx_imports_the_same_as_csv(demo_db: Engine, warisan: int) -> None:
    wb = Workbook()
    ws = wb.active
    ws.append(["competitor", "platform", "date", "followers", "posts", "engagements"])
    ws.append(["Kopi Rival", "instagram", date(2026, 11, 2), 12400, 3, 1020])
    ws.append(["Kopi Rival", "instagram", date(2026, 11, 9), 12650, 4, 1180])
    buf = io.BytesIO()
    wb.save(buf)
    with write_session(demo_db) as s:
        report = import_competitor_metrics(s, SYSTEM, warisan, buf.getvalue(), "bench.xlsx")
    assert report.added == 2
    assert [r[3] for r in _metrics(demo_db, warisan)] == [12400, 12650]


def test_one_bad_row_writes_nothing_and_names_every_problem(demo_db: Engine, warisan: int) -> None:
    bad = CSV.replace(b"Kopi Rival,Twitter,02/11/2026,3100", b"Kopi Rival,Friendster,31/02/2026,-3100")
    bad += b"Brand New Cafe,TikTok,2026-11-09,8900,5,4300,22\n"  # the same key as an earlier row
    with write_session(demo_db) as s, pytest.raises(CompetitorImportRefused) as refused:
        import_competitor_metrics(s, SYSTEM, warisan, bad, "benchmarks.csv")
    problems = {(e.row, e.column) for e in refused.value.report.errors}
    assert {(5, "platform"), (5, "date"), (5, "followers")} <= problems
    assert any("same competitor, platform and date as row 6" in str(e) for e in refused.value.report.errors)
    assert _metrics(demo_db, warisan) == []
    with read_session(demo_db) as s:
        assert s.scalar(select(func.count()).where(Competitor.name == "Brand New Cafe")) == 0


def test_a_file_without_the_columns_is_refused_clearly(demo_db: Engine, warisan: int) -> None:
    with write_session(demo_db) as s, pytest.raises(Exception, match="competitor, platform and date"):
        import_competitor_metrics(s, SYSTEM, warisan, b"name,followers\nx,1\n", "x.csv")


def test_a_viewer_may_not_import(demo_db: Engine, warisan: int) -> None:
    with write_session(demo_db) as s:
        viewer = load_actor(s, VIEWER)
        with pytest.raises(PermissionDenied):
            import_competitor_metrics(s, viewer, warisan, CSV, "benchmarks.csv")


def test_side_by_side_puts_the_brand_next_to_its_competitors(demo_db: Engine, warisan: int) -> None:
    with write_session(demo_db) as s:
        import_competitor_metrics(s, SYSTEM, warisan, CSV, "benchmarks.csv")
    start, end = date(2026, 11, 1), date(2026, 11, 14)
    with read_session(demo_db) as s:
        both = competitors.brand_vs_competitors(s, SYSTEM, [warisan], start, end)
        from app.models import Channel, ChannelDailyMetric

        own_eng = s.scalar(
            select(func.sum(ChannelDailyMetric.engagements))
            .join(Channel, Channel.id == ChannelDailyMetric.channel_id)
            .where(
                ChannelDailyMetric.brand_id == warisan,
                Channel.platform == "instagram",
                ChannelDailyMetric.date >= start,
                ChannelDailyMetric.date <= end,
            )
        )
    instagram = both[both["platform"] == "instagram"]
    assert instagram.iloc[0]["who"] == "you", "the brand's own row leads its platform"
    assert instagram.iloc[0]["engagements"] == own_eng
    rival = instagram[instagram["who"] == "Kopi Rival"].iloc[0]
    assert rival["posts"] == 7 and rival["posts per week"] == pytest.approx(7 / 2)
