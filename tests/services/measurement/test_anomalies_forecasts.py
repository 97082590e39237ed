"""Anomalies and forecasts on synthetic series whose answer is known (a weekly rhythm, an injected
spike or drop, a trend), and on the demo workspace (its viral TikTok day)."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pandas as pd
import pytest
from sqlalchemy import Engine, select

from app.db import read_session
from app.models import Brand
from app.services.core import Actor, PermissionDenied
from app.services.measurement import Scope, anomalies, forecasts

WEEKLY = np.array([1.0, 1.0, 1.05, 1.0, 1.1, 0.5, 0.45])  # Monday .. Sunday: a strong weekend dip


def _series(days: int = 140, noise: float = 0.06, seed: int = 0, trend: float = 0.3) -> pd.Series:
    rng = np.random.default_rng(seed)
    idx = pd.date_range("2026-01-05", periods=days, freq="D")
    level = 10_000 * np.linspace(1, 1 + trend, days)
    return pd.Series(level * WEEKLY[idx.day_of_week] * rng.lognormal(0, noise, days), index=idx)


@pytest.mark.parametrize("seed", range(5))
def test_a_weekly_pattern_is_not_flagged(seed: int) -> None:
    # Weekends at half the weekday level and a 30% trend: nothing unusual happens.
    assert anomalies.flag_days(_series(seed=seed), anomalies.threshold_for("normal")).empty


@pytest.mark.parametrize("seed", range(5))
def test_an_injected_spike_and_drop_are_found_on_their_days(seed: int) -> None:
    values = _series(seed=seed)
    values.iloc[100] *= 2.2
    values.iloc[117] *= 0.4  # a Sunday: low anyway, and lower still
    flagged = anomalies.flag_days(values, anomalies.threshold_for("normal"))
    assert list(flagged.index) == [values.index[100], values.index[117]]
    assert list(flagged["direction"]) == ["spike", "drop"]
    spike = flagged.iloc[0]
    assert spike["low"] < spike["expected"] < spike["high"] < spike["observed"]


def test_a_weekend_dip_is_expected_but_a_weekday_at_weekend_level_is_not() -> None:
    values = _series(noise=0.04)
    monday = next(i for i in range(90, 110) if values.index[i].day_of_week == 0)
    values.iloc[monday] = values.iloc[monday - 1]  # Monday as low as the Sunday before it
    flagged = anomalies.flag_days(values, anomalies.threshold_for("normal"))
    assert list(flagged.index) == [values.index[monday]]


def test_sensitivity_tunes_what_is_flagged() -> None:
    values = _series(seed=3)
    values.iloc[100] *= 1.35  # a modest bump
    high = anomalies.flag_days(values, anomalies.threshold_for("high"))
    low = anomalies.flag_days(values, anomalies.threshold_for("low"))
    assert values.index[100] in high.index
    assert values.index[100] not in low.index
    assert len(low) <= len(high)


def test_too_little_history_flags_nothing() -> None:
    values = _series(days=20)
    values.iloc[-1] *= 5
    assert anomalies.flag_days(values, 3.5).empty


def test_the_forecast_follows_the_weekly_rhythm_and_its_band_holds_it() -> None:
    values = _series(days=126, noise=0.05)
    fc = forecasts.forecast_series(values.rename("impressions"), horizon_days=14)
    assert fc is not None and len(fc.forecast) == 14
    future = fc.forecast.set_index("date")
    assert (future["low"] < future["mean"]).all() and (future["mean"] < future["high"]).all()
    # Saturdays and Sundays are forecast about half of the weekdays, as in the history.
    weekend = future[future.index.day_of_week >= 5]["mean"].mean()
    weekdays = future[future.index.day_of_week < 5]["mean"].mean()
    assert 0.35 < weekend / weekdays < 0.65
    # The truth (the same process continued, without noise) lies within the band almost everywhere.
    idx = future.index
    truth = 10_000 * (1 + 0.3 * (np.arange(126, 140) / 125)) * WEEKLY[idx.day_of_week]
    inside = ((truth >= future["low"]) & (truth <= future["high"])).mean()
    assert inside >= 0.8


def test_the_backtest_compares_honestly_with_the_naive_seasonal_forecast() -> None:
    values = _series(days=126, noise=0.05).to_numpy()
    bt = forecasts.backtest(values, holdout_weeks=2)
    assert bt is not None and bt.holdout_days == 14
    # Recomputed by hand: the naive forecast repeats the last week before the held-out fortnight.
    train, test = values[:-14], values[-14:]
    naive = np.tile(train[-7:], 2)
    scale = np.mean(np.abs(train[7:] - train[:-7]))
    assert bt.naive_mase == pytest.approx(np.mean(np.abs(test - naive)) / scale)
    assert bt.naive_mape == pytest.approx(np.mean(np.abs(test - naive) / test))
    # With a 30% trend the naive forecast lags; the damped-trend model does not.
    assert bt.beats_naive and bt.mase < bt.naive_mase
    assert "Holt-Winters" in bt.summary() and "better than" in bt.summary()


def test_a_forecast_worse_than_naive_is_reported_as_such() -> None:
    worse = forecasts.Backtest(14, mape=0.21, mase=1.4, naive_mape=0.12, naive_mase=0.9)
    assert not worse.beats_naive
    assert "no better than" in worse.summary() and "21.0%" in worse.summary() and "12.0%" in worse.summary()


def test_short_history_gives_no_forecast() -> None:
    assert forecasts.forecast_series(_series(days=20)) is None


@pytest.fixture
def warisan(module_demo_db: Engine) -> int:
    with read_session(module_demo_db) as s:
        return s.scalars(select(Brand.id).where(Brand.slug == "warisan")).one()


def test_the_demo_viral_day_is_explained_by_tiktok_and_its_post(module_demo_db: Engine, warisan: int) -> None:
    viral = date.today() - timedelta(days=41)
    with read_session(module_demo_db) as s:
        found = anomalies.find_anomalies(
            s,
            Actor.system("t"),
            Scope((warisan,)),
            viral - timedelta(days=7),
            viral + timedelta(days=7),
            kpis=("impressions",),
        )
    assert found, "the viral spike is found"
    top = found[0]
    assert abs((top.day - viral).days) <= 2 and top.direction == "spike"
    assert top.observed > top.high > top.expected
    assert top.contributors[0].label.endswith("(TikTok)") or "TikTok" in top.contributors[0].label
    assert "TikTok" in top.cause


def test_a_demo_forecast_reports_its_error(module_demo_db: Engine, warisan: int) -> None:
    with read_session(module_demo_db) as s:
        fc = forecasts.forecast_kpi(
            s,
            Actor.system("t"),
            Scope((warisan,)),
            "engagements",
            date.today() - timedelta(days=1),
            horizon_days=21,
        )
    assert fc is not None and len(fc.forecast) == 21
    assert fc.backtest is not None and fc.backtest.holdout_days == 14
    assert fc.backtest.mase > 0 and fc.backtest.naive_mase > 0


def test_anomalies_need_view_on_the_brand(module_demo_db: Engine, warisan: int) -> None:
    outsider = Actor(user_id=None, email="x@y.test", workspace_role=None, brand_roles={})
    with read_session(module_demo_db) as s, pytest.raises(PermissionDenied):
        anomalies.find_anomalies(
            s, outsider, Scope((warisan,)), date.today() - timedelta(days=7), date.today()
        )
