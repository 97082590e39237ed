"""Pieces of the Jobs & connections page: the jobs table's state colours and the chart of runs and
failures per day."""

from __future__ import annotations

import altair as alt
import pandas as pd

from app.ui.widgets import JOB_STATUS_COLORS, color_scale

JOB_STATE_COLORS = {
    "ok": "green",
    "running": "blue",
    "failing": "orange",
    "interrupted": "orange",
    "late": "red",
    "never run": "gray",
    "off": "gray",
    "not installed": "gray",
}

# A run whose process died is a failure too, told apart from one that failed with an error.
RUN_OUTCOME_COLORS = {**JOB_STATUS_COLORS, "interrupted": "#F58518"}


def runs_by_day(df: pd.DataFrame, days: int) -> alt.Chart:
    """Runs per UTC day, stacked by outcome (failed in red); the tooltip names the job."""
    return (
        alt.Chart(df, title=f"Job runs per day by outcome, last {days} days")
        .mark_bar()
        .encode(
            x=alt.X("yearmonthdate(day):T", title=None),
            y=alt.Y("sum(runs):Q", title=None, stack=True),
            color=alt.Color("status:N", scale=color_scale(RUN_OUTCOME_COLORS, df["status"]), title="Outcome"),
            tooltip=[
                alt.Tooltip("yearmonthdate(day):T", title="day", format="%a %d %b"),
                "job:N",
                "status:N",
                alt.Tooltip("sum(runs):Q", title="runs"),
            ],
        )
        .properties(height=220)
    )
