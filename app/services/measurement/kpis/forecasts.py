"""Forecasts of a KPI's daily series for the next weeks, with prediction intervals: Holt-Winters
exponential smoothing (statsmodels ETS: additive error, damped trend, weekly seasonality, fitted on
the log of a positive series so the weekly rhythm scales with the level). Every forecast carries its
own honest error: the last weeks are held out, forecast from the weeks before, and scored (MAPE and
MASE) next to the naive seasonal forecast (each day = the same weekday a week earlier)."""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np
import pandas as pd
from sqlalchemy.orm import Session

from app.services.core import Actor, Perm, require_brands
from app.services.measurement.metrics.daily_series import KPI_LABELS, Scope, daily_totals

SEASON = 7
MIN_HISTORY_DAYS = 4 * SEASON  # fewer days and no model is fitted
DEFAULT_HISTORY_DAYS = 16 * SEASON
DEFAULT_HOLDOUT_WEEKS = 2
INTERVAL = 0.8  # the shaded band: 80% prediction interval


@dataclass(frozen=True)
class Backtest:
    """Errors on the held-out days: ours (ETS) against the naive seasonal forecast."""

    holdout_days: int
    mape: float | None  # mean absolute percentage error (0.12 = 12%); None when an actual is 0
    mase: float  # mean absolute error ÷ the in-sample naive seasonal error: < 1 beats that naive
    naive_mape: float | None
    naive_mase: float

    @property
    def beats_naive(self) -> bool:
        return self.mase < self.naive_mase

    def summary(self) -> str:
        """One honest sentence for the page and the report."""

        def pct(v: float | None) -> str:
            return "n/a" if v is None else f"{v:.1%}"

        verdict = "better than" if self.beats_naive else "no better than"
        return (
            f"On the last {self.holdout_days} days held out, Holt-Winters missed by {pct(self.mape)} on "
            f"average (MASE {self.mase:.2f}) against {pct(self.naive_mape)} (MASE {self.naive_mase:.2f}) "
            f"for 'same weekday last week': {verdict} the naive forecast."
        )


@dataclass(frozen=True)
class Forecast:
    kpi: str
    history: pd.DataFrame  # date, value
    forecast: pd.DataFrame  # date, mean, low, high
    method: str
    backtest: Backtest | None

    @property
    def label(self) -> str:
        return KPI_LABELS.get(self.kpi, self.kpi)


def seasonal_naive(values: np.ndarray, horizon: int, season: int = SEASON) -> np.ndarray:
    """Each future day = the same weekday in the last observed week."""
    last = np.asarray(values, dtype=float)[-season:]
    return np.array([last[i % season] for i in range(horizon)])


def _fit_predict(values: np.ndarray, horizon: int, interval: float) -> tuple[np.ndarray, ...]:
    # statsmodels takes ~1.8 s to import: only a page or report that forecasts pays for it.
    from statsmodels.tsa.exponential_smoothing.ets import ETSModel  # noqa: PLC0415

    y = np.asarray(values, dtype=float)
    log = bool((y > 0).all())
    # A Series, not an array: statsmodels 0.15 labels the prediction from the data's index.
    data = pd.Series(np.log(y) if log else y, index=pd.RangeIndex(len(y)))
    model = ETSModel(
        data, error="add", trend="add", damped_trend=True, seasonal="add", seasonal_periods=SEASON
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # convergence chatter on short series; the backtest judges the fit
        fit = model.fit(disp=False, maxiter=200)
        frame = fit.get_prediction(start=len(y), end=len(y) + horizon - 1).summary_frame(alpha=1 - interval)
    mean, low, high = (frame[c].to_numpy() for c in ("mean", "pi_lower", "pi_upper"))
    if log:
        mean, low, high = np.exp(mean), np.exp(low), np.exp(high)
    return mean, low, high


def ets_forecast(values: np.ndarray, horizon: int, interval: float = INTERVAL) -> pd.DataFrame:
    """mean, low, high for the `horizon` days after `values` (a gap-free daily series)."""
    mean, low, high = _fit_predict(values, horizon, interval)
    return pd.DataFrame({"mean": mean, "low": low, "high": high})


def _scores(actual: np.ndarray, predicted: np.ndarray, scale: float) -> tuple[float | None, float]:
    err = np.abs(actual - predicted)
    mape = float(np.mean(err / np.abs(actual))) if (actual != 0).all() else None
    return mape, float(np.mean(err) / scale) if scale else float("inf")


def backtest(values: np.ndarray, holdout_weeks: int = DEFAULT_HOLDOUT_WEEKS) -> Backtest | None:
    """Hold out the last `holdout_weeks` weeks, forecast them from the rest with ETS and with the
    naive seasonal method, and score both. MASE scales by the in-sample naive seasonal error."""
    y = np.asarray(values, dtype=float)
    h = holdout_weeks * SEASON
    train, test = y[:-h], y[-h:]
    if len(train) < MIN_HISTORY_DAYS:
        return None
    scale = float(np.mean(np.abs(train[SEASON:] - train[:-SEASON])))
    ours = ets_forecast(train, h)["mean"].to_numpy()
    naive = seasonal_naive(train, h)
    mape, mase = _scores(test, ours, scale)
    naive_mape, naive_mase = _scores(test, naive, scale)
    return Backtest(h, mape, mase, naive_mape, naive_mase)


def forecast_series(
    series: pd.Series, horizon_days: int = 28, holdout_weeks: int = DEFAULT_HOLDOUT_WEEKS
) -> Forecast | None:
    """Forecast a daily series (DatetimeIndex) `horizon_days` ahead from its last observed day, with the
    backtest. None when there are fewer than four weeks of history. Leading and trailing gaps are
    dropped; gaps inside are filled from the neighbouring days."""
    s = series.astype(float)
    valid = s.dropna()
    if len(valid) < MIN_HISTORY_DAYS:
        return None
    s = s.loc[valid.index[0] : valid.index[-1]].interpolate(limit_direction="both")
    values = s.to_numpy()
    future = pd.date_range(s.index[-1] + pd.Timedelta(days=1), periods=horizon_days, freq="D")
    fc = ets_forecast(values, horizon_days)
    fc.insert(0, "date", future)
    history = pd.DataFrame({"date": s.index, "value": values})
    bt = backtest(values, holdout_weeks) if len(values) >= MIN_HISTORY_DAYS + holdout_weeks * SEASON else None
    return Forecast(
        str(series.name or ""), history, fc, "Holt-Winters (ETS, damped trend, weekly season)", bt
    )


def forecast_kpi(
    session: Session,
    actor: Actor,
    scope: Scope,
    kpi: str,
    last_day: date,
    *,
    history_days: int = DEFAULT_HISTORY_DAYS,
    horizon_days: int = 28,
) -> Forecast | None:
    """The scope's daily `kpi` up to `last_day` (the last `history_days` days) and its forecast for the
    next `horizon_days`. A rate KPI (engagement rate) is forecast from its own daily series."""
    brand_ids = require_brands(actor, Perm.VIEW, scope.brand_ids)
    if not brand_ids:
        return None
    scope = Scope(tuple(brand_ids), scope.channel_ids, scope.platforms, scope.market_ids)
    daily = daily_totals(session, scope, last_day - timedelta(days=history_days - 1), last_day)
    result = forecast_series(daily[kpi].rename(kpi), horizon_days)
    return (
        None
        if result is None
        else Forecast(kpi, result.history, result.forecast, result.method, result.backtest)
    )
