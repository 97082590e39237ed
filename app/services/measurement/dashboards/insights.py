"""What changed and what to do about it, in plain words with the numbers behind them: the biggest moves
of the headline KPIs, and actions drawn from simple rules over target progress, anomalies and the
platform comparison. Pure functions over the dashboards' plain data, so pages and reports say the same."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from app.services.core import Kpi
from app.services.measurement.kpis.anomalies import Anomaly

LOWER_IS_BETTER = frozenset({"first_response", "first_response_seconds", "negative_share"})
NEUTRAL = frozenset({"messages"})  # more inbox messages is neither good nor bad news by itself
NOTABLE_CHANGE = 0.10  # a KPI moving less than 10% against the previous period is not news
FALLING = -0.20  # a KPI falling more than this is worth a look


def figure_text(value: float | None, unit: str) -> str:
    """A figure as a sentence says it, in its unit (reports word their findings the same way)."""
    if value is None or value != value:
        return "–"
    if unit == "percent":
        return f"{value:.2%}"
    if unit == "minutes":
        return f"{value:,.0f} min"
    if unit == "seconds":
        return f"{value / 60:,.0f} min"
    return f"{value:,.0f}"


def what_changed(kpis: Sequence[Kpi], anomalies: Sequence[Anomaly] = (), limit: int = 4) -> list[str]:
    """The headline KPIs that moved most against the previous period (at least 10%), better or worse,
    then the strongest anomaly with its likely cause."""
    moved = [k for k in kpis if k.change is not None and abs(k.change) >= NOTABLE_CHANGE]
    moved.sort(key=lambda k: abs(k.change or 0), reverse=True)
    lines = []
    for k in moved[:limit]:
        up = (k.change or 0) > 0
        good = up != (k.key in LOWER_IS_BETTER)
        verdict = "" if k.key in NEUTRAL else (": better" if good else ": worse")
        lines.append(
            f"{k.label} {'rose' if up else 'fell'} {abs(k.change or 0):.0%} to {figure_text(k.value, k.unit)} "
            f"(from {figure_text(k.previous, k.unit)}){verdict}."
        )
    if anomalies:
        a = anomalies[0]
        lines.append(
            f"Unusual {a.label.lower()} on {a.day:%a %d %b}: {figure_text(a.observed, a.unit)} where "
            f"{figure_text(a.low, a.unit)}–{figure_text(a.high, a.unit)} was expected. Likely cause: {a.cause}."
        )
    if not lines:
        lines.append("No headline KPI moved 10% or more against the previous period.")
    return lines


def actions(
    progress: pd.DataFrame,
    anomalies: Sequence[Anomaly] = (),
    kpis: Sequence[Kpi] = (),
    platforms: pd.DataFrame | None = None,
    limit: int = 6,
) -> list[str]:
    """What to do next, most urgent first. The rules: a target forecast to be missed (behind, then at
    risk); response time over target; a falling KPI; a spike to learn from; a drop after a silent
    day; a platform that engages far better than another."""
    out: list[str] = []
    if not progress.empty:
        open_targets = progress[progress["status"].isin(["behind", "at risk"])]
        order = {"behind": 0, "at risk": 1}
        open_targets = open_targets.sort_values(by="status", key=lambda s: s.map(order))
        for r in open_targets.itertuples():
            unit = r.unit
            who = f"{r.brand}: " if progress["brand"].nunique() > 1 else ""
            if not r.higher_is_better:
                out.append(
                    f"{who}{r.metric} is {figure_text(r.actual, unit)} against a target of {figure_text(r.target, unit)} "
                    f"this {r.period}: add inbox cover or reply templates to bring it down."
                )
                continue
            gap = (r.target or 0) - (r.forecast or 0)
            out.append(
                f"{who}{r.metric} is {r.status}: forecast {figure_text(r.forecast, unit)} by {r.to:%d %b} against "
                f"a target of {figure_text(r.target, unit)} (short by {figure_text(gap, unit)}). "
                + (
                    "Post more often or boost the best performers."
                    if unit != "percent"
                    else "Favour the formats and platforms that engage best."
                )
            )
    for k in kpis:
        if k.change is not None and k.change <= FALLING and k.key not in LOWER_IS_BETTER:
            out.append(f"Look into {k.label.lower()}: down {abs(k.change):.0%} on the previous period.")
    for a in anomalies[:3]:
        if a.direction == "spike" and a.posts:
            out.append(
                f"Learn from “{a.posts[0].title}” ({a.posts[0].platform}), behind the {a.label.lower()} "
                f"spike on {a.day:%d %b}: plan a follow-up in the same format."
            )
        elif a.direction == "drop" and not a.posts:
            out.append(
                f"Keep a steady cadence: nothing went out before the {a.label.lower()} drop on {a.day:%d %b}."
            )
    if platforms is not None and len(platforms) >= 2:
        rated = platforms.dropna(subset=["engagement rate"])
        if len(rated) >= 2:
            best, worst = rated.iloc[0], rated.iloc[-1]
            if worst["engagement rate"] and best["engagement rate"] >= 2 * worst["engagement rate"]:
                out.append(
                    f"Shift effort towards {best['platform']}: {best['engagement rate']:.2%} engagement rate "
                    f"against {worst['engagement rate']:.2%} on {worst['platform']}."
                )
    seen: set[str] = set()
    unique = [line for line in out if not (line in seen or seen.add(line))]
    return unique[:limit] or ["Nothing needs action: the targets are on track and no KPI is falling."]
