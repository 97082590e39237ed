"""Anomalies on each KPI's daily series. A day is unusual when it falls outside the range the same
weekday held over the weeks before it: median ± threshold × robust spread (1.4826 × MAD). Comparing a
Saturday with past Saturdays keeps a weekly rhythm from being flagged, and median/MAD keep one wild
day from moving the baseline. Each anomaly is explained: expected range, observed value, the channels
(or brands) that moved it, the posts published around it and any incident opened then."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

import numpy as np
import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import Incident
from app.services.core import Actor, Perm, require_brands, utc_bounds
from app.services.measurement.metrics.daily_series import (
    KPI_LABELS,
    KPI_UNITS,
    RATES,
    Scope,
    daily_by,
    daily_totals,
    kpi_value,
    same_weekdays_before,
)
from app.services.measurement.metrics.post_ranking import top_posts

# Sensitivity → how many robust standard deviations from the seasonal median make a day unusual.
SENSITIVITY: dict[str, float] = {"low": 4.5, "normal": 3.5, "high": 2.5}
DEFAULT_SENSITIVITY = "normal"
WATCHED_KPIS: tuple[str, ...] = ("impressions", "engagements", "engagement_rate", "clicks", "follower_growth")
HISTORY_WEEKS = 6  # same-weekday values the baseline is drawn from
MIN_WEEKS = 3  # fewer than this and the day is not judged at all
SPREAD_DAYS = 56  # residuals the spread is estimated from (fewer: too many false alarms)
# The spread never goes below this share of the expected value: a metric that was nearly constant
# would otherwise flag a 2% wobble.
MIN_RELATIVE_SPREAD = 0.03
ANOMALY_COLUMNS = [
    "day",
    "kpi",
    "direction",
    "observed",
    "expected",
    "expected low",
    "expected high",
    "score",
    "likely cause",
]


def threshold_for(sensitivity: str | float) -> float:
    """A named sensitivity (low/normal/high) or a number of robust standard deviations."""
    if isinstance(sensitivity, int | float):
        return float(sensitivity)
    return SENSITIVITY.get(str(sensitivity), SENSITIVITY[DEFAULT_SENSITIVITY])


def seasonal_baseline(
    values: pd.Series, weeks: int = HISTORY_WEEKS, min_weeks: int = MIN_WEEKS, window: int = SPREAD_DAYS
) -> pd.DataFrame:
    """For each day of a daily series (gap-free index, missing days NaN): `expected` and `spread`.

    The seasonal level is the median of the same weekday over the previous `weeks` weeks. Three to six
    values are too few to judge spread, so the spread comes from the residuals (relative to that level
    for a positive series, absolute otherwise) of the previous `window` days, all weekdays pooled:
    1.4826 × their MAD around their median. Their median also corrects the level for a trend the
    same-weekday median lags behind. NaN where there is not enough history."""
    lags = pd.concat({k: values.shift(7 * k) for k in range(1, weeks + 1)}, axis=1)
    level = lags.median(axis=1, skipna=True)
    level[lags.notna().sum(axis=1) < min_weeks] = np.nan
    observed = values.dropna()
    relative = bool(len(observed)) and bool((observed > 0).all())
    resid = values / level - 1 if relative else values - level
    past = resid.shift(1).rolling(window, min_periods=window // 2)
    bias = past.median()
    mad = (resid.shift(1) - bias).abs().rolling(window, min_periods=window // 2).median()
    spread = 1.4826 * mad
    if relative:
        expected = level * (1 + bias)
        spread = np.maximum(spread, MIN_RELATIVE_SPREAD) * level
    else:
        expected = level + bias
        spread = spread.where(spread > 0, max(float(observed.abs().median() or 0) * MIN_RELATIVE_SPREAD, 1.0))
    return pd.DataFrame({"expected": expected, "spread": spread})


def flag_days(values: pd.Series, threshold: float, weeks: int = HISTORY_WEEKS) -> pd.DataFrame:
    """The unusual days of a daily series: date index, observed, expected, low, high, score, direction.
    score = (observed − expected) / spread; a day is unusual when |score| > threshold."""
    base = seasonal_baseline(values, weeks)
    score = (values - base["expected"]) / base["spread"]
    out = pd.DataFrame(
        {
            "observed": values,
            "expected": base["expected"],
            "low": base["expected"] - threshold * base["spread"],
            "high": base["expected"] + threshold * base["spread"],
            "score": score,
        }
    )
    out = out[out["score"].abs() > threshold].copy()
    out["direction"] = np.where(out["score"] > 0, "spike", "drop")
    return out


@dataclass(frozen=True)
class Contributor:
    label: str
    observed: float | None
    expected: float | None

    @property
    def change(self) -> float:
        return (self.observed or 0.0) - (self.expected or 0.0)


@dataclass(frozen=True)
class PostNote:
    title: str
    platform: str
    published: object
    engagements: float | None


@dataclass(frozen=True)
class Anomaly:
    """One unusual day of one KPI, with what explains it. Values of a rate KPI are fractions."""

    kpi: str
    day: date
    observed: float
    expected: float
    low: float
    high: float
    score: float
    direction: str  # spike | drop
    contributors: tuple[Contributor, ...] = ()
    posts: tuple[PostNote, ...] = ()
    incidents: tuple[str, ...] = ()
    cause: str = ""
    extra: dict = field(default_factory=dict)

    @property
    def label(self) -> str:
        return KPI_LABELS.get(self.kpi, self.kpi)

    @property
    def unit(self) -> str:
        return KPI_UNITS.get(self.kpi, "count")


def _fmt(value: float | None, unit: str) -> str:
    if value is None or value != value:
        return "–"
    return f"{value:.2%}" if unit == "percent" else f"{value:,.0f}"


def _explain(a: Anomaly) -> str:
    """The likely cause in plain words, from the contributors, the posts and incidents."""
    parts: list[str] = []
    moved = [c for c in a.contributors if (c.change > 0) == (a.direction == "spike") and c.change]
    if moved and a.unit != "percent":
        total = sum(c.change for c in moved)
        top = moved[0]
        share = top.change / total if total else 1.0
        parts.append(
            f"{top.label} {'rose' if a.direction == 'spike' else 'fell'} to {_fmt(top.observed, 'count')} "
            f"against {_fmt(top.expected, 'count')} usually ({share:.0%} of the change)"
        )
    elif moved:
        parts.append(f"mostly on {moved[0].label}")
    if a.posts:
        p = a.posts[0]
        eng = f", {p.engagements:,.0f} engagements" if p.engagements is not None else ""
        parts.append(f"top post then: “{p.title}” on {p.platform}{eng}")
    elif a.direction == "drop":
        parts.append("nothing was published that day or the day before")
    if a.incidents:
        parts.append(f"incident opened: {a.incidents[0]}")
    return "; ".join(parts) or "no single channel or post stands out"


def _posts_around(
    session: Session, actor: Actor, brand_ids: Sequence[int], day: date, limit: int = 3
) -> tuple[PostNote, ...]:

    df = top_posts(session, actor, brand_ids, day - timedelta(days=1), day, limit=limit)
    return tuple(
        PostNote(r.post, r.platform, r.published, None if pd.isna(r.engagements) else float(r.engagements))
        for r in df.itertuples()
    )


def _incidents_around(session: Session, brand_ids: Sequence[int], day: date) -> tuple[str, ...]:

    lo, hi = utc_bounds(day - timedelta(days=1), day)
    rows = session.scalars(
        select(Incident.title).where(
            Incident.brand_id.in_(brand_ids), Incident.opened_at >= lo, Incident.opened_at < hi
        )
    ).all()
    return tuple(rows)


def _contributors(parts: pd.DataFrame, kpi: str, day: date, weeks: int) -> tuple[Contributor, ...]:
    """Per channel (or brand): its value that day against the median of its same weekdays before."""
    if parts.empty:
        return ()
    history = {pd.Timestamp(d) for d in same_weekdays_before(day, weeks)}
    out = []
    for (_key, label), g in parts.groupby(["key", "label"]):
        rows = g.set_index("date")
        now = rows.loc[[pd.Timestamp(day)]] if pd.Timestamp(day) in rows.index else None
        observed = kpi_value(kpi, now.iloc[0]) if now is not None else None
        before = [kpi_value(kpi, rows.loc[d]) for d in rows.index if d in history]
        before = [b for b in before if b is not None]
        expected = float(np.median(before)) if before else None
        out.append(Contributor(str(label), observed, expected))
    out.sort(key=lambda c: abs(c.change), reverse=True)
    return tuple(out[:5])


def find_anomalies(
    session: Session,
    actor: Actor,
    scope: Scope,
    start: date,
    end: date,
    *,
    sensitivity: str | float = DEFAULT_SENSITIVITY,
    kpis: Sequence[str] = WATCHED_KPIS,
    limit: int = 12,
    explain: bool = True,
) -> list[Anomaly]:
    """Unusual days in [start, end] for each KPI of the scope, the strongest first (at most `limit`),
    each with its expected range and, when `explain`, its contributors, posts, incidents and cause."""
    brand_ids = require_brands(actor, Perm.VIEW, scope.brand_ids)
    if not brand_ids:
        return []
    scope = Scope(tuple(brand_ids), scope.channel_ids, scope.platforms, scope.market_ids)
    threshold = threshold_for(sensitivity)
    history_start = start - timedelta(days=7 * HISTORY_WEEKS + SPREAD_DAYS)
    daily = daily_totals(session, scope, history_start, end)
    found: list[Anomaly] = []
    for kpi in kpis:
        if kpi not in daily:
            continue
        flagged = flag_days(daily[kpi], threshold)
        flagged = flagged[flagged.index >= pd.Timestamp(start)]
        for ts, r in flagged.iterrows():
            found.append(
                Anomaly(
                    kpi,
                    ts.date(),
                    float(r.observed),
                    float(r.expected),
                    float(r.low),
                    float(r.high),
                    float(r.score),
                    str(r.direction),
                )
            )
    found.sort(key=lambda a: abs(a.score), reverse=True)
    found = found[:limit]
    if not explain or not found:
        return found
    by = "channel" if len(brand_ids) == 1 else "brand"
    days = {d for a in found for d in (a.day, *same_weekdays_before(a.day, HISTORY_WEEKS))}
    parts = daily_by(session, scope, sorted(days), by=by)
    explained = []
    for a in found:
        needed = {pd.Timestamp(d) for d in (a.day, *same_weekdays_before(a.day, HISTORY_WEEKS))}
        mine = parts[parts["date"].isin(needed)]
        with_parts = Anomaly(
            **{
                **a.__dict__,
                "contributors": _contributors(mine, a.kpi, a.day, HISTORY_WEEKS),
                "posts": _posts_around(session, actor, brand_ids, a.day),
                "incidents": _incidents_around(session, brand_ids, a.day),
            }
        )
        explained.append(Anomaly(**{**with_parts.__dict__, "cause": _explain(with_parts)}))
    return explained


def anomalies_frame(anomalies: Sequence[Anomaly]) -> pd.DataFrame:
    """The anomalies as a table (rates as fractions), for pages and reports."""
    return pd.DataFrame(
        [
            (a.day, a.label, a.direction, a.observed, a.expected, a.low, a.high, round(a.score, 1), a.cause)
            for a in anomalies
        ],
        columns=ANOMALY_COLUMNS,
    )


__all__ = [
    "RATES",
    "SENSITIVITY",
    "WATCHED_KPIS",
    "Anomaly",
    "Contributor",
    "PostNote",
    "anomalies_frame",
    "find_anomalies",
    "flag_days",
    "seasonal_baseline",
    "threshold_for",
]
