"""Weekly and monthly rollups: the demo starts with them, a refresh after a new day (or a changed or
deleted old one) gives exactly what a full rebuild gives while reading only the days it must, and the
reads (periods, exact ranges, KPIs) agree with sums taken straight from the daily rows."""

from __future__ import annotations

from datetime import date, timedelta

import pandas as pd
import pytest
from sqlalchemy import Engine, delete, func, select, update

from app.db import read_session, write_session
from app.models import CHANNEL_BASE_METRICS, Brand, Channel, ChannelDailyMetric, JobRun
from app.models.enums import JobStatus, Role
from app.models.metrics import ChannelBaseMetrics, MetricRollup, RollupDirtyDay
from app.services.core import Actor, PermissionDenied
from app.services.measurement import rollup_reads, rollups
from jobs import refresh_rollups
from jobs.recording import run_job

ADMIN = Actor.system("test:rollups")
M = ChannelDailyMetric


def _table(engine: Engine) -> pd.DataFrame:
    cols = [c.name for c in MetricRollup.__table__.columns if c.name != "updated_at"]
    with read_session(engine) as s:
        rows = s.execute(select(*[getattr(MetricRollup, c) for c in cols])).all()
    return (
        pd.DataFrame(rows, columns=cols)
        .sort_values(["channel_id", "grain", "period_start"])
        .reset_index(drop=True)
    )


def _last_day(engine: Engine) -> date:
    with read_session(engine) as s:
        return s.scalar(select(func.max(M.date)))


def _add_day(engine: Engine, day: date) -> int:
    """One new day for every channel that has daily rows (what the nightly import writes)."""
    with write_session(engine) as s:
        prev = s.execute(select(M).where(M.date == day - timedelta(days=1))).scalars().all()
        for row in prev:
            s.add(
                M(
                    channel_id=row.channel_id,
                    date=day,
                    brand_id=row.brand_id,
                    followers=(row.followers or 0) + 17,
                    follower_growth=17,
                    impressions=(row.impressions or 0) + 1000,
                    engagements=(row.engagements or 0) + 50,
                    clicks=7,
                    source="test",
                )
            )
        return len(prev)


def _rebuilt(engine: Engine) -> pd.DataFrame:
    with write_session(engine) as s:
        rollups.rebuild(s, ADMIN)
    return _table(engine)


def test_the_demo_starts_with_rollups_and_no_pending_marks(module_demo_db: Engine) -> None:
    with read_session(module_demo_db) as s:
        assert s.scalar(select(func.count()).select_from(RollupDirtyDay)) == 0
        weeks = s.scalar(select(func.count()).select_from(MetricRollup).where(MetricRollup.grain == "week"))
        months = s.scalar(select(func.count()).select_from(MetricRollup).where(MetricRollup.grain == "month"))
        channels = s.scalar(select(func.count(func.distinct(M.channel_id))))
    assert weeks >= channels * 25 and months >= channels * 6


def test_rollups_match_the_daily_rows(module_demo_db: Engine) -> None:
    with read_session(module_demo_db) as s:
        daily = pd.DataFrame(
            s.execute(select(M.channel_id, M.date, M.impressions, M.followers)).all(),
            columns=["channel_id", "date", "impressions", "followers"],
        )
    daily["date"] = pd.to_datetime(daily["date"])
    daily["month"] = daily["date"].dt.to_period("M").dt.start_time
    daily = daily.sort_values("date")
    expected = daily.groupby(["channel_id", "month"]).agg(
        impressions=("impressions", "sum"), followers=("followers", "last")
    )
    table = _table(module_demo_db)
    months = table[table["grain"] == "month"].assign(month=lambda d: pd.to_datetime(d["period_start"]))
    got = months.set_index(["channel_id", "month"])[["impressions", "followers"]]
    pd.testing.assert_frame_equal(
        got.sort_index().astype("float64"), expected.sort_index().astype("float64"), check_index_type=False
    )


def test_a_new_day_refreshes_only_its_week_and_month_and_equals_a_rebuild(demo_db: Engine) -> None:
    day = _last_day(demo_db) + timedelta(days=1)
    channels = _add_day(demo_db, day)
    with read_session(demo_db) as s:
        assert s.scalar(select(func.count()).select_from(RollupDirtyDay)) == channels
    with write_session(demo_db) as s:
        result = rollups.refresh(s, ADMIN)
    assert result.dirty_days == channels and result.channels == channels
    # Proportional to the day: at most a week and a month of daily rows per channel, not the history.
    assert result.daily_rows <= channels * (7 + 31)
    assert result.weeks == channels and result.months == channels
    refreshed = _table(demo_db)
    with read_session(demo_db) as s:
        assert s.scalar(select(func.count()).select_from(RollupDirtyDay)) == 0
    pd.testing.assert_frame_equal(refreshed, _rebuilt(demo_db))
    week = refreshed[(refreshed["grain"] == "week") & (refreshed["period_start"] == rollups.week_start(day))]
    assert len(week) == channels and (week["last_day"] == day).all()


def test_a_changed_or_deleted_old_day_is_picked_up(demo_db: Engine) -> None:
    with read_session(demo_db) as s:
        old = s.scalar(select(func.min(M.date))) + timedelta(days=40)
        channel_id = s.scalar(select(M.channel_id).where(M.date == old).limit(1))
    before = _table(demo_db)
    with write_session(demo_db) as s:
        s.execute(
            update(M)
            .where(M.channel_id == channel_id, M.date == old)
            .values(impressions=M.impressions + 123_456)
        )
        s.execute(delete(M).where(M.channel_id == channel_id, M.date == old + timedelta(days=1)))
    with write_session(demo_db) as s:
        result = rollups.refresh(s, ADMIN)
    assert result.dirty_days == 2
    after = _table(demo_db)
    pd.testing.assert_frame_equal(after, _rebuilt(demo_db))
    key = (
        (after["channel_id"] == channel_id)
        & (after["grain"] == "month")
        & (after["period_start"] == old.replace(day=1))
    )
    assert after.loc[key, "days"].item() == before.loc[key, "days"].item() - 1
    assert after.loc[key, "impressions"].item() != before.loc[key, "impressions"].item()


def test_a_mark_raised_during_a_refresh_survives_it(demo_db: Engine) -> None:
    day = _last_day(demo_db)
    with write_session(demo_db) as s:
        s.execute(update(M).where(M.date == day).values(clicks=1))
    with write_session(demo_db) as s:
        seen = rollups._dirty(s)  # what a refresh read ...
        s.execute(update(M).where(M.date == day).values(clicks=2))  # ... then another write lands
        rollups._clear(s, seen)
        left = s.scalar(select(func.count()).select_from(RollupDirtyDay))
    assert left == len(seen) > 0


def test_period_totals_are_exact_for_any_range(module_demo_db: Engine) -> None:
    with read_session(module_demo_db) as s:
        brand_ids = list(s.scalars(select(Brand.id)))
        end = s.scalar(select(func.max(M.date))) - timedelta(days=3)
        start = end - timedelta(days=75)  # several whole months and weeks plus ragged edges
        got = rollup_reads.period_totals(s, ADMIN, brand_ids, start, end, by="brand").set_index("brand_id")
        daily = pd.DataFrame(
            s.execute(
                select(M.brand_id, M.channel_id, M.date, M.impressions, M.engagements, M.followers).where(
                    M.date >= start, M.date <= end
                )
            ).all(),
            columns=["brand_id", "channel_id", "date", "impressions", "engagements", "followers"],
        )
        total = rollup_reads.period_totals(s, ADMIN, brand_ids, start, end, by="total")
        kpis = rollup_reads.with_kpis(got, s)
    sums = daily.groupby("brand_id")[["impressions", "engagements"]].sum()
    last = (
        daily.sort_values("date")
        .groupby(["brand_id", "channel_id"])["followers"]
        .last()
        .groupby("brand_id")
        .sum()
    )
    assert got["impressions"].to_dict() == pytest.approx(sums["impressions"].astype(float).to_dict())
    assert got["followers"].to_dict() == pytest.approx(last.astype(float).to_dict())
    assert total["impressions"].item() == pytest.approx(float(sums["impressions"].sum()))
    assert kpis["engagement_rate"].to_dict() == pytest.approx(
        (sums["engagements"] / sums["impressions"]).to_dict()
    )


@pytest.mark.parametrize("by", ["platform", "channel"])
def test_period_totals_by_platform_and_channel_add_up_to_the_total(module_demo_db: Engine, by: str) -> None:
    with read_session(module_demo_db) as s:
        brand_ids = list(s.scalars(select(Brand.id)))
        end = s.scalar(select(func.max(M.date)))
        start = end - timedelta(days=45)
        parts = rollup_reads.period_totals(s, ADMIN, brand_ids, start, end, by=by)
        total = rollup_reads.period_totals(s, ADMIN, brand_ids, start, end, by="total")
        channels = s.scalar(select(func.count(func.distinct(M.channel_id))).where(M.date >= start))
    assert "platform" in parts.columns
    assert len(parts) == (channels if by == "channel" else parts["platform"].nunique())
    for k in ("impressions", "followers", "engagements"):
        assert parts[k].sum() == pytest.approx(total[k].item())


def test_rollup_frame_by_platform_and_month(module_demo_db: Engine) -> None:
    with read_session(module_demo_db) as s:
        brand_ids = list(s.scalars(select(Brand.id)))
        end = s.scalar(select(func.max(M.date)))
        start = (end.replace(day=1) - timedelta(days=40)).replace(day=1)  # two whole months and this one
        frame = rollup_reads.rollup_frame(s, ADMIN, brand_ids, start, end, grain="month", by="platform")
        day_frame = rollup_reads.rollup_frame(s, ADMIN, brand_ids, start, end, grain="day", by="total")
        tiktok = s.scalar(
            select(func.sum(M.impressions))
            .join(Channel, Channel.id == M.channel_id)
            .where(Channel.platform == "tiktok", M.date >= start)
        )
    assert set(frame.columns) >= {"period_start", "platform", "impressions", "followers"}
    assert frame.loc[frame["platform"] == "tiktok", "impressions"].sum() == pytest.approx(float(tiktok))
    assert len(day_frame) == (end - start).days + 1


def test_only_admins_refresh_and_reads_stay_within_visible_brands(module_demo_db: Engine) -> None:
    with read_session(module_demo_db) as s:
        ids = dict(s.execute(select(Brand.slug, Brand.id)).all())
    editor = Actor(
        email="e@example.com", name="E", workspace_role=None, brand_roles={ids["warisan"]: Role.EDITOR}
    )
    with write_session(module_demo_db) as s:
        with pytest.raises(PermissionDenied):
            rollups.refresh(s, editor)
        with pytest.raises(PermissionDenied):
            rollups.rebuild(s, editor)
        other = [i for slug, i in ids.items() if slug != "warisan"]
        with pytest.raises(PermissionDenied):
            rollup_reads.rollup_frame(s, editor, other, date(2026, 1, 1), date(2026, 3, 1))
        seen = rollup_reads.rollup_frame(
            s, editor, list(ids.values()), date(2020, 1, 1), date(2030, 1, 1), by="brand"
        )
    assert set(seen["brand_id"]) == {ids["warisan"]}


def test_the_job_refreshes_and_records_its_run(demo_db: Engine, use_db) -> None:  # type: ignore[no-untyped-def]
    use_db(demo_db)
    channels = _add_day(demo_db, _last_day(demo_db) + timedelta(days=1))
    assert run_job("refresh_rollups", refresh_rollups.work) == 0
    with read_session(demo_db) as s:
        run = s.scalars(
            select(JobRun).where(JobRun.job_name == "refresh_rollups").order_by(JobRun.id.desc()).limit(1)
        ).one()
        assert s.scalar(select(func.count()).select_from(RollupDirtyDay)) == 0
    assert run.status == JobStatus.OK and run.counts["dirty_days"] == channels


def test_the_agency_build_loads_without_marks_rolls_up_and_leaves_the_triggers_on(empty_db: Engine) -> None:
    from app.demo import build_agency

    summary = build_agency(empty_db, actor=ADMIN, brands=3, days=40)
    table = _table(empty_db)
    with read_session(empty_db) as s:
        assert s.scalar(select(func.count()).select_from(RollupDirtyDay)) == 0
    assert summary.counts["metric_rollups"] == len(table) > 0
    pd.testing.assert_frame_equal(table, _rebuilt(empty_db))
    with write_session(empty_db) as s:  # the triggers are back: a change is marked again
        s.execute(update(M).where(M.date == s.scalar(select(func.max(M.date)))).values(clicks=0))
        assert s.scalar(select(func.count()).select_from(RollupDirtyDay)) == 3 * 5


def test_a_write_committed_during_a_refresh_is_refreshed_next_time(demo_db: Engine) -> None:
    """Two real transactions: the refresh has read the marks when another session changes a marked day
    and commits. The refresh must not clear that newer mark (PostgreSQL lets both run at once; SQLite's
    write lock makes the second wait, so there the interleaving cannot happen)."""
    if demo_db.dialect.name != "postgresql":
        pytest.skip("SQLite serialises writers: a refresh holds the write lock from its first statement")
    from sqlalchemy.orm import Session

    day = _last_day(demo_db)
    with write_session(demo_db) as s:
        s.execute(update(M).where(M.date == day).values(clicks=1))
    with Session(demo_db) as refresh_tx:
        seen = rollups._dirty(refresh_tx)
        with write_session(demo_db) as other:
            channel = other.scalar(select(M.channel_id).where(M.date == day).limit(1))
            other.execute(update(M).where(M.date == day, M.channel_id == channel).values(clicks=99))
        rollups._clear(refresh_tx, seen)
        refresh_tx.commit()
    with read_session(demo_db) as s:
        left = s.execute(select(RollupDirtyDay.channel_id, RollupDirtyDay.date)).all()
    assert left == [(channel, day)]


def test_every_base_metric_is_a_column_of_the_daily_rows_and_of_their_rollups() -> None:
    # The rollup trigger SQL and the dashboards read the tuple; the tables must carry each of its names.
    assert tuple(ChannelBaseMetrics.__annotations__) == CHANNEL_BASE_METRICS
    for model in (ChannelDailyMetric, MetricRollup):
        assert set(CHANNEL_BASE_METRICS) <= set(model.__table__.columns.keys()), model.__tablename__
