"""Altair chart builders with the house look, so every page draws the same kind of number the same way."""

from __future__ import annotations

from collections.abc import Mapping

import altair as alt
import pandas as pd

from app.services.core import PLATFORM_COLORS, STATUS_COLORS


def color_scale(mapping: Mapping[str, str], present: pd.Series) -> alt.Scale:
    """Fixed colours for the values present, so "failed" is red on every chart whatever else is shown."""
    domain = [k for k in mapping if k in set(present)]
    return alt.Scale(domain=domain, range=[mapping[k] for k in domain])


def stacked_area_by_platform(df: pd.DataFrame, value: str, title: str) -> alt.Chart:
    return (
        alt.Chart(df, title=title)
        .mark_area(opacity=0.85)
        .encode(
            x=alt.X("date:T", title=None),
            y=alt.Y(f"sum({value}):Q", title=None, stack=True),
            color=alt.Color(
                "platform:N", scale=color_scale(PLATFORM_COLORS, df["platform"]), title="Platform"
            ),
            tooltip=[
                alt.Tooltip("date:T", format="%a %d %b %Y"),
                "platform:N",
                alt.Tooltip(f"sum({value}):Q", title=value.replace("_", " "), format=","),
            ],
        )
        .properties(height=280)
    )


def rate_line(df: pd.DataFrame, numerator: str, denominator: str, title: str) -> alt.Chart:
    """A ratio over time computed from daily sums (never an average of daily ratios)."""
    daily = df.groupby("date", as_index=False)[[numerator, denominator]].sum()
    daily["rate"] = daily[numerator] / daily[denominator].where(daily[denominator] > 0)
    return (
        alt.Chart(daily, title=title)
        .mark_line(point=False, strokeWidth=2)
        .encode(
            x=alt.X("date:T", title=None),
            y=alt.Y("rate:Q", title=None, axis=alt.Axis(format="%")),
            tooltip=[alt.Tooltip("date:T", format="%a %d %b %Y"), alt.Tooltip("rate:Q", format=".2%")],
        )
        .properties(height=280)
    )


def stacked_bars_by_status(df: pd.DataFrame, x: str, value: str, title: str) -> alt.Chart:
    return (
        alt.Chart(df, title=title)
        .mark_bar()
        .encode(
            x=alt.X(f"{x}:T", title=None),
            y=alt.Y(f"sum({value}):Q", title=None),
            color=alt.Color("status:N", scale=color_scale(STATUS_COLORS, df["status"]), title="Status"),
            tooltip=[
                alt.Tooltip(f"{x}:T", format="%a %d %b"),
                "status:N",
                alt.Tooltip(f"sum({value}):Q", title=value),
            ],
        )
        .properties(height=220)
    )


def bars(
    df: pd.DataFrame, x: str, y: str, title: str, color: str | None = None, horizontal: bool = False
) -> alt.Chart:
    enc_x = alt.X(f"{y}:Q", title=None) if horizontal else alt.X(f"{x}:N", title=None, sort="-y")
    enc_y = alt.Y(f"{x}:N", title=None, sort="-x") if horizontal else alt.Y(f"{y}:Q", title=None)
    chart = alt.Chart(df, title=title).mark_bar().encode(x=enc_x, y=enc_y, tooltip=list(df.columns))
    if color:
        chart = chart.encode(color=alt.Color(f"{color}:N", title=None))
    return chart.properties(height=max(160, 28 * len(df)) if horizontal else 240)
