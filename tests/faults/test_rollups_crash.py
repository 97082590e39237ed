"""The rollup job (`python -m jobs.refresh_rollups`, a real child process) killed before its commit or
after it: the weekly and monthly rollups either still hold the old figures with every change still
marked, or the new figures with the marks cleared — never new figures with marks lost or half a
refresh — and the next run leaves every touched week and month equal to its daily rows."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from faultkit import run
from sqlalchemy import Engine, func, select, update

from app.db import dispose_engine, read_session, write_session
from app.models import ChannelDailyMetric, JobRun
from app.models.enums import JobStatus
from app.models.metrics import MetricRollup, RollupDirtyDay
from app.services.measurement.metrics.rollups import month_start, week_start

pytestmark = pytest.mark.slow  # child processes: several seconds each


def _touch(db: Engine) -> tuple[int, list[date]]:
    """Change a channel's impressions on four recent days (as a metrics import would)."""
    with write_session(db) as s:
        channel_id, last = s.execute(
            select(ChannelDailyMetric.channel_id, func.max(ChannelDailyMetric.date))
            .group_by(ChannelDailyMetric.channel_id)
            .order_by(ChannelDailyMetric.channel_id)
        ).first()
        days = [last - timedelta(days=d) for d in (0, 3, 9, 40)]
        s.execute(
            update(ChannelDailyMetric)
            .where(ChannelDailyMetric.channel_id == channel_id, ChannelDailyMetric.date.in_(days))
            .values(impressions=ChannelDailyMetric.impressions + 1000)
        )
    return channel_id, days


def _periods(days: list[date]) -> set[tuple[str, date]]:
    return {("week", week_start(d)) for d in days} | {("month", month_start(d)) for d in days}


def _state(db: Engine, channel_id: int, days: list[date]) -> tuple[int, dict, dict]:
    """Marks left, and per touched period: the rollup's impressions and the sum of its daily rows."""
    dispose_engine(db.url.render_as_string(hide_password=False))
    with read_session(db) as s:
        marks = s.scalar(select(func.count()).select_from(RollupDirtyDay)) or 0
        rolled, daily = {}, {}
        for grain, start in _periods(days):
            rolled[(grain, start)] = s.scalar(
                select(MetricRollup.impressions).where(
                    MetricRollup.channel_id == channel_id,
                    MetricRollup.grain == grain,
                    MetricRollup.period_start == start,
                )
            )
            row = s.scalar(
                select(MetricRollup.period_end).where(
                    MetricRollup.channel_id == channel_id,
                    MetricRollup.grain == grain,
                    MetricRollup.period_start == start,
                )
            )
            end = row or start
            daily[(grain, start)] = s.scalar(
                select(func.sum(ChannelDailyMetric.impressions)).where(
                    ChannelDailyMetric.channel_id == channel_id,
                    ChannelDailyMetric.date >= start,
                    ChannelDailyMetric.date <= end,
                )
            )
    return marks, rolled, daily


@pytest.mark.parametrize("when", ["before_commit", "after_commit"])
def test_a_rollup_refresh_killed_loses_no_change_and_the_next_run_catches_up(
    demo_db: Engine, when: str
) -> None:
    db = demo_db
    with read_session(db) as s:
        runs_before = s.scalar(select(func.max(JobRun.id))) or 0
    channel_id, days = _touch(db)
    marks, rolled, daily = _state(db, channel_id, days)
    assert marks >= len(days), "the triggers marked the changed days"
    assert rolled != daily, "the rollups are behind until the job runs"

    crashed = run(db, "jobs.refresh_rollups", fault=f"job.refresh_rollups.{when}")
    assert crashed.crashed and "fault injected" in crashed.err, crashed
    after_marks, after_rolled, _daily = _state(db, channel_id, days)
    if when == "before_commit":
        assert (after_marks, after_rolled) == (marks, rolled), "nothing of the killed refresh stayed"
    else:
        assert (after_marks, after_rolled) == (0, daily), "the refresh committed whole"

    finished = run(db, "jobs.refresh_rollups")
    assert finished.code == 0, finished.err[-2000:]
    final_marks, final_rolled, final_daily = _state(db, channel_id, days)
    assert final_marks == 0 and final_rolled == final_daily == daily
    with read_session(db) as s:
        runs = list(
            s.scalars(
                select(JobRun)
                .where(JobRun.job_name == "refresh_rollups", JobRun.id > runs_before)
                .order_by(JobRun.id)
            )
        )
    # The killed run's record was left running; the catch-up run recorded it as interrupted.
    assert [r.status for r in runs] == [JobStatus.INTERRUPTED, JobStatus.OK]
    # The catch-up run did the work the killed one could not commit, and nothing when it had.
    assert (runs[-1].counts["dirty_days"] > 0) == (when == "before_commit")
