"""Altair chart builders and coloured status columns for the feature pages (calendar, approvals, SOPs,
inbox, KPIs, reports, competitors, jobs), in the house look of `app.ui.charts`."""

from __future__ import annotations

from collections.abc import Mapping

import altair as alt
import pandas as pd
import streamlit as st

from app.ui.widgets.charts import color_scale

SENTIMENT_COLORS = {"positive": "#54A24B", "neutral": "#BAB0AC", "negative": "#E45756", "unknown": "#D3D3D3"}
JOB_STATUS_COLORS = {"ok": "#54A24B", "failed": "#E45756", "running": "#4C78A8"}
HEALTH_COLORS = {
    "ok": "green",
    "degraded": "orange",
    "broken": "red",
    "unknown": "gray",
    "not connected": "gray",
}


def status_pills(df: pd.DataFrame, column: str) -> pd.DataFrame:
    """A copy of `df` whose `column` holds one-item lists, so `pill_column` can colour each value."""
    out = df.copy()
    out[column] = [[str(v)] if v is not None and v == v else [] for v in out[column]]
    return out


def pill_column(label: str, colors: Mapping[str, str]) -> st.column_config.Column:  # type: ignore[name-defined]
    """A read-only column showing each status as a coloured label (green ok, red broken...)."""
    return st.column_config.MultiselectColumn(label, options=list(colors), color=list(colors.values()))


def sentiment_by_day(df: pd.DataFrame) -> alt.Chart:
    return (
        alt.Chart(df, title="Inbound messages per day by sentiment")
        .mark_bar()
        .encode(
            x=alt.X("day:T", title=None),
            y=alt.Y("sum(messages):Q", title=None, stack=True),
            color=alt.Color(
                "sentiment:N", scale=color_scale(SENTIMENT_COLORS, df["sentiment"]), title="Sentiment"
            ),
            tooltip=[
                alt.Tooltip("day:T", format="%a %d %b"),
                "sentiment:N",
                alt.Tooltip("sum(messages):Q", title="messages"),
            ],
        )
        .properties(height=240)
    )


def hours_waiting_by_stage(queue: pd.DataFrame) -> alt.Chart:
    """Average and longest wait per stage: where approvals get stuck."""
    return (
        alt.Chart(queue, title="Hours waiting per stage (average; tooltip: longest and count)")
        .mark_bar()
        .encode(
            y=alt.Y("stage:N", title=None, sort="-x"),
            x=alt.X("mean(hours waiting):Q", title="hours"),
            tooltip=[
                "stage:N",
                alt.Tooltip("mean(hours waiting):Q", title="average h", format=".1f"),
                alt.Tooltip("max(hours waiting):Q", title="longest h", format=".1f"),
                alt.Tooltip("count():Q", title="posts waiting"),
            ],
        )
        .properties(height=max(120, 32 * queue["stage"].nunique()))
    )


def run_progress(runs: pd.DataFrame) -> alt.Chart:
    """One bar per open checklist run: the share of its steps done, red when the run is overdue."""
    df = runs.assign(
        run=runs["object"] + " (" + runs["template"] + ")",
        progress=runs["progress"].fillna(0.0),
        state=runs["overdue"].map({True: "overdue", False: "on time"}),
    )[["run", "brand", "template", "object", "done", "total", "progress", "state"]]
    return (
        alt.Chart(df, title="Open checklists: share of steps done")
        .mark_bar()
        .encode(
            y=alt.Y("run:N", title=None, sort="x", axis=alt.Axis(labelLimit=320)),
            x=alt.X("progress:Q", title=None, scale=alt.Scale(domain=[0, 1]), axis=alt.Axis(format="%")),
            color=alt.Color(
                "state:N",
                scale=alt.Scale(domain=["on time", "overdue"], range=["#4C78A8", "#E45756"]),
                title=None,
            ),
            tooltip=["template:N", "object:N", "brand:N", "done:Q", "total:Q", "state:N"],
        )
        .properties(height=max(120, 24 * len(df)))
    )


def target_bullets(targets: pd.DataFrame) -> alt.FacetChart:
    """The latest target of each metric and period kind, per brand: a bar of the share reached (green
    when met, orange when not) against a rule at 100%."""
    df = targets.dropna(subset=["% of target"])
    df = df[df["from"] == df.groupby(["brand", "key", "period"])["from"].transform("max")]
    df = df.assign(target_of=df["metric"] + " · " + df["period"])
    df = df[["brand", "target_of", "channel", "target", "actual", "% of target", "on target"]]
    bars = (
        alt.Chart()
        .mark_bar()
        .encode(
            y=alt.Y("target_of:N", title=None, axis=alt.Axis(labelLimit=260)),
            x=alt.X("% of target:Q", title="share of target reached", axis=alt.Axis(format="%")),
            # "Met" depends on the metric's direction (a response time should stay under its target).
            color=alt.condition(alt.datum["on target"], alt.value("#54A24B"), alt.value("#F58518")),
            tooltip=[
                "brand:N",
                alt.Tooltip("target_of:N", title="target"),
                "channel:N",
                alt.Tooltip("target:Q", title="target value", format=",.4~f"),
                alt.Tooltip("actual:Q", format=",.4~f"),
                alt.Tooltip("% of target:Q", format=".0%"),
            ],
        )
    )
    rule = alt.Chart().mark_rule(color="#1B1F2A", strokeDash=[4, 3]).encode(x=alt.datum(1.0))
    rows = max(1, df["target_of"].nunique())
    return (
        alt.layer(bars, rule, data=df)
        .properties(height=22 * rows, width=420)
        .facet(row=alt.Row("brand:N", title=None, header=alt.Header(labelAngle=0, labelAlign="left")))
        .properties(title="KPI targets in force: actual against target")
    )


def monthly_by_brand(df: pd.DataFrame, value: str, title: str, percent: bool = False) -> alt.Chart:
    axis = alt.Axis(format="%") if percent else alt.Axis(format="~s")
    return (
        alt.Chart(df, title=title)
        .mark_bar()
        .encode(
            x=alt.X("yearmonth(month):O", title=None),
            xOffset="brand:N",
            y=alt.Y(f"{value}:Q", title=None, axis=axis),
            color=alt.Color("brand:N", title="Brand"),
            tooltip=[
                alt.Tooltip("yearmonth(month):O", title="month"),
                "brand:N",
                alt.Tooltip(f"{value}:Q", format=".2%" if percent else ","),
            ],
        )
        .properties(height=260)
    )


def weekly_followers(series: pd.DataFrame) -> alt.Chart:
    return (
        alt.Chart(series, title="Competitor followers per week")
        .mark_line(point=True)
        .encode(
            x=alt.X("week:T", title=None),
            y=alt.Y("followers:Q", title=None, axis=alt.Axis(format="~s"), scale=alt.Scale(zero=False)),
            color=alt.Color("competitor:N", title="Competitor"),
            strokeDash=alt.StrokeDash("platform:N", title="Platform"),
            tooltip=[
                alt.Tooltip("week:T", format="%d %b %Y"),
                "competitor:N",
                "platform:N",
                alt.Tooltip("followers:Q", format=","),
            ],
        )
        .properties(height=280)
    )


def runs_per_hour(runs: pd.DataFrame) -> alt.Chart:
    return (
        alt.Chart(runs, title="Job runs per hour by outcome")
        .mark_bar()
        .encode(
            x=alt.X("yearmonthdatehours(started):T", title=None),
            y=alt.Y("count():Q", title=None, stack=True),
            color=alt.Color("status:N", scale=color_scale(JOB_STATUS_COLORS, runs["status"]), title="Status"),
            tooltip=[
                alt.Tooltip("yearmonthdatehours(started):T", title="hour", format="%a %d %b %H:00"),
                "status:N",
                alt.Tooltip("count():Q", title="runs"),
            ],
        )
        .properties(height=220)
    )
