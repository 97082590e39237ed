"""A report's insight sentences (notable changes in words, with the numbers and the platform behind
them) and the named values its recommendation rules are evaluated over. Pure functions over the data
the report already read."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

import pandas as pd

from app.services.core import Kpi
from app.services.measurement import Anomaly, insights

NOTABLE = insights.NOTABLE_CHANGE
# Values rules may use: name → (unit, what it is). Percentages are percent numbers (3.4 = 3.4%), as
# people write them: a rule "engagement_rate_change < -10" fires when the rate fell more than 10%.
KPI_KEYS = (
    "followers",
    "impressions",
    "engagements",
    "engagement_rate",
    "clicks",
    "published",
    "messages",
    "first_response",
)
_KPI_UNITS = {"engagement_rate": "percent", "first_response": "minutes"}
VARIABLES: dict[str, tuple[str, str]] = {}
for _k in KPI_KEYS:
    _unit = _KPI_UNITS.get(_k, "count")
    VARIABLES[_k] = (_unit, f"{_k.replace('_', ' ')} in the period")
    VARIABLES[f"{_k}_prev"] = (_unit, f"{_k.replace('_', ' ')} in the previous period")
    VARIABLES[f"{_k}_change"] = ("change", f"change of {_k.replace('_', ' ')} against the previous period, %")
VARIABLES |= {
    "within_sla": ("percent", "inbound messages answered within their SLA, %"),
    "incidents": ("count", "incidents opened in the period"),
    "share_of_voice": ("percent", "the brand's lowest share of voice on a platform, %"),
    "targets_behind": ("count", "targets forecast to be missed (behind)"),
    "targets_at_risk": ("count", "targets forecast within 10% of their goal (at risk)"),
}


def format_value(name: str, value: float | None) -> str:
    unit = VARIABLES.get(name, ("count", ""))[0]
    if value is None or value != value:
        return "–"
    if unit == "percent":
        return f"{value:.1f}%"
    if unit == "change":
        return f"{value:+.0f}%"
    if unit == "minutes":
        return f"{value:,.0f} min"
    return f"{value:,.0f}"


def platform_changes(current: pd.DataFrame, previous: pd.DataFrame) -> pd.DataFrame:
    """Per platform: impressions, engagements and engagement rate now and before, with the relative
    change of each; best engagement rate first."""
    cols = ["platform", "impressions", "engagements"]
    if current.empty:
        return pd.DataFrame(
            columns=["platform", "impressions", "engagements", "engagement rate", "engagements change"]
        )
    cur = current[cols].copy()
    prev = previous[cols].rename(columns={"impressions": "imp_prev", "engagements": "eng_prev"})
    df = cur.merge(prev, on="platform", how="left")
    for c in ("impressions", "engagements", "imp_prev", "eng_prev"):
        df[c] = pd.to_numeric(df[c], errors="coerce").astype(float)
    df["engagement rate"] = df["engagements"] / df["impressions"].where(df["impressions"] > 0)
    df["previous rate"] = df["eng_prev"] / df["imp_prev"].where(df["imp_prev"] > 0)
    df["impressions change"] = (df["impressions"] - df["imp_prev"]) / df["imp_prev"].where(df["imp_prev"] > 0)
    df["engagements change"] = (df["engagements"] - df["eng_prev"]) / df["eng_prev"].where(df["eng_prev"] > 0)
    df = df.sort_values("engagement rate", ascending=False, na_position="last").reset_index(drop=True)
    return df[
        [
            "platform",
            "impressions",
            "engagements",
            "engagement rate",
            "previous rate",
            "impressions change",
            "engagements change",
        ]
    ]


def own_share_of_voice(comp: pd.DataFrame) -> pd.DataFrame:
    """The brand's own share of voice per platform: what the tracked competitors leave."""
    if comp.empty:
        return pd.DataFrame(columns=["platform", "share"])
    known = comp.dropna(subset=["share of voice"])
    if known.empty:
        return pd.DataFrame(columns=["platform", "share"])
    share = 1 - known.groupby("platform")["share of voice"].sum()
    return share.clip(lower=0).rename("share").reset_index()


def _driver(k: Kpi, plat: pd.DataFrame) -> str:
    """The platform that moved the KPI most in the same direction, with its own change."""
    metric = {"impressions": "impressions", "engagements": "engagements", "engagement_rate": "engagements"}
    col = metric.get(k.key)
    if col is None or plat.empty or len(plat) < 2:
        return ""
    change = plat[f"{col} change"].dropna()
    if change.empty:
        return ""
    up = (k.change or 0) > 0
    best = change.idxmax() if up else change.idxmin()
    c = change[best]
    if (c > 0) != up:
        return ""
    return f", driven by {plat.loc[best, 'platform']} ({c:+.0%} {col})"


def insight_lines(
    kpis: Sequence[Kpi],
    plat: pd.DataFrame,
    found: Sequence[Anomaly],
    within: float | None,
    incidents: pd.DataFrame,
    *,
    focus: str = "performance",
) -> list[str]:
    """Notable changes in plain words, most notable first; never empty."""
    by_key = {k.key: k for k in kpis}
    keys = ("messages", "first_response") if focus == "community" else KPI_KEYS
    moved = [by_key[k] for k in keys if k in by_key and by_key[k].change is not None]
    moved = [k for k in moved if abs(k.change or 0) >= NOTABLE]
    moved.sort(key=lambda k: abs(k.change or 0), reverse=True)
    lines = []
    for k in moved[:4]:
        up = (k.change or 0) > 0
        lines.append(
            f"{k.label} {'rose' if up else 'fell'} {abs(k.change or 0):.0%} to {insights.figure_text(k.value, k.unit)} "
            f"vs the previous period ({insights.figure_text(k.previous, k.unit)}){_driver(k, plat)}."
        )
    if focus == "community":
        if within is not None:
            lines.insert(0, f"{within:.0%} of inbound messages were answered within their SLA.")
        if not incidents.empty:
            lines.append(
                f"{len(incidents)} incident(s) opened; the most severe: “{incidents.iloc[0]['incident']}”."
            )
    elif found:
        lines += insights.what_changed([], found[:1])
    if not lines:
        lines.append(f"No headline figure moved {NOTABLE:.0%} or more against the previous period.")
    return lines


def coverage_note(days_with_data: int, prev: tuple[date, date]) -> str | None:
    """A warning when the previous period is only partly covered by data (history starts inside it):
    every change against it then overstates growth."""
    length = (prev[1] - prev[0]).days + 1
    if days_with_data >= 0.9 * length:
        return None
    return (
        f"The previous period ({prev[0]:%d %b} – {prev[1]:%d %b %Y}) has channel data for only "
        f"{days_with_data} of {length} days, so changes against it overstate growth."
    )


def rule_values(
    kpis: Sequence[Kpi],
    progress: pd.DataFrame,
    within: float | None,
    incidents: pd.DataFrame,
    own_share: pd.DataFrame,
) -> dict[str, float | None]:
    """The named values recommendation rules read (see VARIABLES); None where there is no figure."""
    values: dict[str, float | None] = dict.fromkeys(VARIABLES)
    for k in kpis:
        if k.key not in KPI_KEYS:
            continue
        scale = 100.0 if k.unit == "percent" else 1.0
        values[k.key] = None if k.value is None else k.value * scale
        values[f"{k.key}_prev"] = None if k.previous is None else k.previous * scale
        values[f"{k.key}_change"] = None if k.change is None else k.change * 100
    values["within_sla"] = None if within is None else within * 100
    values["incidents"] = float(len(incidents))
    values["share_of_voice"] = None if own_share.empty else float(own_share["share"].min()) * 100
    status = progress["status"] if not progress.empty else pd.Series(dtype=str)
    values["targets_behind"] = float((status == "behind").sum())
    values["targets_at_risk"] = float((status == "at risk").sum())
    return values
