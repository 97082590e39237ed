"""Altair charts of a report, built from its plain data (no Streamlit): the review page shows them as
they are, the PDF renders them to PNG offline with vl-convert."""

from __future__ import annotations

import altair as alt
import pandas as pd

from app.models.enums import Platform
from app.services.core import PLATFORM_COLORS

WIDTH, HEIGHT = 640, 240


def _platform_scale(platforms: list[str]) -> alt.Scale:
    """The house colour of each platform, whether the data names it by value (tiktok) or label (TikTok)."""
    colors = {**PLATFORM_COLORS, **{Platform(k).label: v for k, v in PLATFORM_COLORS.items()}}
    if not platforms or any(p not in colors for p in platforms):
        return alt.Scale()
    return alt.Scale(domain=platforms, range=[colors[p] for p in platforms])


def trend_chart(frame: pd.DataFrame, metric: str, title: str, percent: bool = False) -> alt.Chart:
    """One line per platform over the period (frame: period_start, platform, metric)."""
    fmt = ".1%" if percent else ",.0f"
    platforms = sorted(frame["platform"].dropna().unique().tolist()) if not frame.empty else []
    return (
        alt.Chart(frame, title=title)
        .mark_line(point=True)
        .encode(
            x=alt.X("period_start:T", title=None),
            y=alt.Y(f"{metric}:Q", title=None, axis=alt.Axis(format=fmt)),
            color=alt.Color("platform:N", scale=_platform_scale(platforms), title="Platform"),
            tooltip=["period_start:T", "platform:N", alt.Tooltip(f"{metric}:Q", format=fmt)],
        )
        .properties(width=WIDTH, height=HEIGHT)
    )


def bars(frame: pd.DataFrame, category: str, metric: str, title: str, percent: bool = False) -> alt.Chart:
    fmt = ".1%" if percent else ",.0f"
    return (
        alt.Chart(frame, title=title)
        .mark_bar()
        .encode(
            y=alt.Y(f"{category}:N", sort="-x", title=None),
            x=alt.X(f"{metric}:Q", title=None, axis=alt.Axis(format=fmt)),
            tooltip=[f"{category}:N", alt.Tooltip(f"{metric}:Q", format=fmt)],
        )
        .properties(width=WIDTH, height=max(60, 28 * len(frame)))
    )


def to_png(chart: alt.Chart, scale: float = 2.0) -> bytes:
    """The chart as PNG bytes; vl-convert ships its own engine and needs no network."""
    # vl-convert embeds a JavaScript engine: loaded only when a chart is rendered to PNG (PDF reports).
    import vl_convert  # noqa: PLC0415

    return vl_convert.vegalite_to_png(chart.to_dict(), scale=scale)
