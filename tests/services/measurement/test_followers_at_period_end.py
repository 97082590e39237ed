"""Followers "at the end of the period" (the Overview's Followers tile and the Channels view) are each
channel's own last count in the period, added up: an export that already holds today for one channel,
or a day without a followers figure, must not hide the other channels' counts (they showed only the one
channel's followers, and blanks for every other channel, before)."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import Engine, func, select

from app.db import read_session, write_session
from app.models import Brand, ChannelDailyMetric
from app.services.core import Actor
from app.services.measurement import Scope, import_metrics, overview
from app.services.measurement import views as dashboards

ADMIN = Actor.system("test:followers")
BRAND = "warisan"


def _followers(engine: Engine, start: date, end: date) -> tuple[float | None, dict[str, float]]:
    """(the Followers tile, each channel's followers in the Channels view)."""
    with read_session(engine) as s:
        brand_id = s.scalars(select(Brand.id).where(Brand.slug == BRAND)).one()
        kpis = {k.key: k.value for k in overview.headline_kpis(s, ADMIN, [brand_id], start, end)}
        view = dashboards.channel_view(s, ADMIN, Scope((brand_id,)), start, end)
    return kpis["followers"], dict(zip(view["platform"], view["followers"], strict=True))


def _import(engine: Engine, text: str, name: str) -> None:
    with write_session(engine) as s:
        report = import_metrics(s, ADMIN, BRAND, text.encode(), name)
    assert report.written and report.new == 1 and not report.problems


def test_a_channel_a_day_ahead_does_not_hide_the_other_channels_followers(
    demo_db: Engine, demo_today: date
) -> None:
    start, end = demo_today - timedelta(days=6), demo_today
    total, channels = _followers(demo_db, start, end)
    assert total is not None and len(channels) == 6 and all(v > 0 for v in channels.values())
    today = channels["facebook"] + 31
    _import(
        demo_db,
        f"Date,Facebook Page reach,Views,Page followers\n{demo_today:%Y-%m-%d},4210,6543,{today}\n",
        "Page-overview.csv",
    )
    assert _followers(demo_db, start, end) == (
        total - channels["facebook"] + today,
        channels | {"facebook": today},
    )


def test_a_day_without_a_followers_figure_keeps_the_channels_last_count(
    demo_db: Engine, demo_today: date
) -> None:
    start, end = demo_today - timedelta(days=6), demo_today
    before = _followers(demo_db, start, end)
    # TikTok's Overview.csv has no followers column: today's row stores none.
    _import(
        demo_db,
        f"Date,Video Views,Profile Views,Likes,Comments,Shares\n{demo_today:%Y-%m-%d},9120,310,812,40,22\n",
        "Overview.csv",
    )
    assert _followers(demo_db, start, end) == before


def test_the_channels_view_of_a_first_period_has_no_change_rather_than_failing(demo_db: Engine) -> None:
    """A workspace's first week of metrics has no previous period: the Channels view shows the week with
    its changes blank (a new workspace's Overview failed there before)."""
    with read_session(demo_db) as s:
        first = s.scalars(select(func.min(ChannelDailyMetric.date))).one()
        brand_id = s.scalars(select(Brand.id).where(Brand.slug == BRAND)).one()
        view = dashboards.channel_view(s, ADMIN, Scope((brand_id,)), first, first + timedelta(days=6))
    assert len(view) == 6 and (view["impressions"] > 0).all()
    assert view["impressions change"].isna().all() and view["engagements change"].isna().all()
