"""The dashboards' numbers against the daily rows they summarise: channels, platforms normalised per
1,000 followers, the portfolio (read from the rollups) against the headline KPIs (read from the daily
table), target progress with its forecast to period end, annotations, and the rules behind the
actions."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pandas as pd
import pytest
from sqlalchemy import Engine, func, select

from app.db import read_session, write_session
from app.models import Brand, Channel, ChannelDailyMetric, KpiTarget
from app.models.enums import PeriodKind
from app.services.core import Actor, Kpi, clock
from app.services.measurement import Scope, daily_totals, insights, overview
from app.services.measurement import targets as kpi_targets
from app.services.measurement import views as dashboards
from app.services.measurement.kpis import progress as kpi_progress

SYSTEM = Actor.system("test:dashboards")
END = clock.today() - timedelta(days=1)
START = END - timedelta(days=27)


@pytest.fixture(scope="module")
def ids(module_demo_db: Engine) -> dict[str, int]:
    with read_session(module_demo_db) as s:
        return dict(s.execute(select(Brand.slug, Brand.id)).all())


def _raw(engine: Engine, brand_id: int, start: date, end: date) -> dict[str, float]:
    m = ChannelDailyMetric
    with read_session(engine) as s:
        imp, eng = s.execute(
            select(func.sum(m.impressions), func.sum(m.engagements)).where(
                m.brand_id == brand_id, m.date >= start, m.date <= end
            )
        ).one()
    return {"impressions": float(imp), "engagements": float(eng)}


def test_channel_view_adds_up_to_the_brand_and_normalises_per_follower(
    module_demo_db: Engine, ids: dict[str, int]
) -> None:
    with read_session(module_demo_db) as s:
        view = dashboards.channel_view(s, SYSTEM, Scope((ids["warisan"],)), START, END)
    raw = _raw(module_demo_db, ids["warisan"], START, END)
    assert view["impressions"].sum() == raw["impressions"]
    assert view["engagements"].sum() == raw["engagements"]
    row = view.iloc[0]
    assert row["impressions per 1k followers"] == pytest.approx(
        row["impressions"] / 28 / (row["followers"] / 1000)
    )
    assert row["engagement rate"] == pytest.approx(row["engagements"] / row["impressions"])


def test_platform_filter_and_market_filter_narrow_the_scope(
    module_demo_db: Engine, ids: dict[str, int]
) -> None:
    everyone = tuple(ids.values())
    with read_session(module_demo_db) as s:
        tiktok = dashboards.channel_view(s, SYSTEM, Scope(everyone, platforms=("tiktok",)), START, END)
        malaysia = s.scalar(select(Brand.market_id).where(Brand.id == ids["warisan"]))
        in_market = dashboards.channel_view(s, SYSTEM, Scope(everyone, market_ids=(malaysia,)), START, END)
    assert set(tiktok["platform"]) == {"tiktok"} and len(tiktok) == 3
    assert set(in_market["brand"]) == {"Warisan Kopitiam"}


def test_portfolio_from_rollups_matches_the_daily_headline(
    module_demo_db: Engine, ids: dict[str, int]
) -> None:
    with read_session(module_demo_db) as s:
        ranking = dashboards.portfolio(s, SYSTEM, list(ids.values()), START, END).set_index("brand")
        for slug, bid in ids.items():
            kpis = {k.key: k for k in overview.headline_kpis(s, SYSTEM, [bid], START, END)}
            name = s.scalar(select(Brand.name).where(Brand.id == bid))
            assert ranking.loc[name, "engagements"] == kpis["engagements"].value, slug
            assert ranking.loc[name, "engagements change"] == pytest.approx(kpis["engagements"].change), slug
    assert list(ranking["rank"]) == [1, 2, 3]


def test_target_progress_forecasts_at_the_pace_of_the_last_four_weeks(
    demo_db: Engine, ids: dict[str, int]
) -> None:
    today = clock.today()
    month = today.replace(day=1)
    bid = ids["lumi"]
    with write_session(demo_db) as s:
        # A weekly target for this week on one channel, so its numbers can be recomputed here.
        channel = s.scalars(select(Channel.id).where(Channel.brand_id == bid).order_by(Channel.id)).first()
        monday = today - timedelta(days=today.weekday())
        s.add(
            KpiTarget(
                brand_id=bid,
                channel_id=channel,
                metric_key="impressions",
                period_kind=PeriodKind.WEEK,
                period_start=monday,
                period_end=monday + timedelta(days=6),
                target_value=Decimal("1000"),
            )
        )
    with read_session(demo_db) as s:
        progress = kpi_targets.target_progress(
            s, SYSTEM, [bid], today, kinds=(PeriodKind.WEEK, PeriodKind.MONTH)
        )
        weekly = progress[progress["period"] == "week"].iloc[0]
        so_far = daily_totals(s, Scope((bid,), channel_ids=(channel,)), monday, today)["impressions"].sum()
        pace = daily_totals(
            s, Scope((bid,), channel_ids=(channel,)), today - timedelta(days=28), today - timedelta(days=1)
        )
    assert weekly["actual"] == so_far
    days_left = (monday + timedelta(days=6) - today).days
    assert weekly["forecast"] == pytest.approx(so_far + pace["impressions"].sum() / 28 * days_left)
    assert weekly["status"] == "on track"  # 1,000 impressions is an easy week
    monthly = progress[(progress["period"] == "month") & (progress["key"] == "impressions")].iloc[0]
    assert monthly["from"] == month and 0 < monthly["period elapsed"] <= 1


def test_statuses_follow_the_forecast() -> None:
    assert kpi_progress._status(1.02, True, over=False) == "on track"
    assert kpi_progress._status(0.95, True, over=False) == "at risk"
    assert kpi_progress._status(0.80, True, over=False) == "behind"
    assert kpi_progress._status(0.80, False, over=False) == "on track"  # lower is better: under target
    assert kpi_progress._status(1.05, False, over=False) == "at risk"
    assert kpi_progress._status(0.99, True, over=True) == "missed"


def test_annotations_hold_campaigns_and_the_incident(module_demo_db: Engine, ids: dict[str, int]) -> None:
    with read_session(module_demo_db) as s:
        marks = dashboards.annotations(
            s, SYSTEM, list(ids.values()), clock.today() - timedelta(days=179), clock.today()
        )
    assert {"campaign", "incident"} <= set(marks["kind"])
    assert (marks["start"] <= marks["end"]).all()


def test_actions_follow_the_rules() -> None:
    progress = pd.DataFrame(
        [
            (
                "Lumi",
                1,
                "all channels",
                "Impressions",
                "impressions",
                "count",
                True,
                "month",
                date(2026, 11, 1),
                date(2026, 11, 30),
                1000.0,
                600.0,
                0.6,
                0.7,
                800.0,
                0.8,
                "behind",
            ),
            (
                "Lumi",
                1,
                "all channels",
                "Average first response time",
                "first_response_seconds",
                "seconds",
                False,
                "month",
                date(2026, 11, 1),
                date(2026, 11, 30),
                1800.0,
                3600.0,
                2.0,
                0.7,
                3600.0,
                2.0,
                "behind",
            ),
            (
                "Lumi",
                1,
                "all channels",
                "Link clicks",
                "clicks",
                "count",
                True,
                "month",
                date(2026, 11, 1),
                date(2026, 11, 30),
                100.0,
                90.0,
                0.9,
                0.7,
                120.0,
                1.2,
                "on track",
            ),
        ],
        columns=kpi_targets.PROGRESS_COLUMNS,
    )
    kpis = [Kpi("engagements", "Engagements", 70.0, 100.0), Kpi("clicks", "Link clicks", 110.0, 100.0)]
    said = insights.actions(progress, (), kpis)
    assert any("Impressions is behind" in a and "short by 200" in a for a in said)
    assert any("60 min against a target of 30 min" in a for a in said)
    assert any("down 30%" in a for a in said)
    assert not any("Link clicks" in a for a in said), "an on-track target and a rising KPI need no action"
    changed = insights.what_changed(kpis)
    assert changed[0].startswith("Engagements fell 30%")
    assert insights.actions(progress.iloc[2:], (), []) == [
        "Nothing needs action: the targets are on track and no KPI is falling."
    ]
