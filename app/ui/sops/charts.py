"""Charts of the SOPs page: checklists completed per week, stacked by template."""

from __future__ import annotations

import altair as alt
import pandas as pd


def completions_per_week(weekly: pd.DataFrame) -> alt.Chart:
    """`weekly` as `sop_details.completions_per_week` returns it (week, template, completed). Weeks are
    shown as ordered labels, so each gets a full-width bar rather than a sliver on a time axis."""
    df = weekly.sort_values("week").assign(
        starting=lambda d: pd.to_datetime(d["week"]).dt.strftime("%d %b %Y")
    )
    # Every week from the first to the last, so a week without completions shows as a gap.
    weeks = pd.date_range(pd.to_datetime(df["week"]).min(), pd.to_datetime(df["week"]).max(), freq="7D")
    order = [w.strftime("%d %b %Y") for w in weeks]
    return (
        alt.Chart(df, title="Checklists completed per week")
        .mark_bar()
        .encode(
            x=alt.X(
                "starting:O",
                title="week starting",
                scale=alt.Scale(domain=order),
                axis=alt.Axis(labelAngle=0),
            ),
            y=alt.Y("completed:Q", title="completed", stack="zero"),
            color=alt.Color("template:N", title=None),
            tooltip=[alt.Tooltip("starting:O", title="week starting"), "template:N", "completed:Q"],
        )
        .properties(height=240)
    )
