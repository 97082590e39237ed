"""Small building blocks pages share: the page header, KPI tiles, tables with a CSV download, and the
panel that says what a page will hold when its feature is not built yet."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

import pandas as pd
import streamlit as st

from app.services.core import Kpi, frame_csv
from app.ui.context import PageContext
from app.ui.widgets.text import plain


def page_header(title: str, ctx: PageContext, subtitle: str = "") -> None:
    st.title(title)
    period = f"{ctx.start:%d %b %Y} – {ctx.end:%d %b %Y}"
    st.caption(f"{plain(ctx.scope_label)} · {period}" + (f" · {subtitle}" if subtitle else ""))


def coming_soon(summary: str, items: Sequence[str]) -> None:
    """Say plainly what will live on this page; the page shows the related data that exists today."""
    with st.expander(f":material/construction: Coming here: {summary}", expanded=False):
        for item in items:
            st.markdown(f"- {item}")


def _format(value: float | None, unit: str) -> str:
    if value is None:
        return "–"
    if unit == "percent":
        return f"{value:.2%}"
    if unit == "minutes":
        return f"{value:,.0f} min"
    if abs(value) >= 1_000_000:
        return f"{value / 1_000_000:,.2f} M"
    if abs(value) >= 10_000:
        return f"{value / 1_000:,.1f} k"
    return f"{value:,.0f}"


def kpi_tiles(
    kpis: Sequence[Kpi],
    per_row: int = 4,
    lower_is_better: Sequence[str] = ("first_response",),
    compared_with: tuple[date, date] | None = None,
) -> None:
    """Tiles with the change against the previous period; `compared_with` names that period."""
    if compared_with:
        st.caption(
            f"Changes compare with the previous period of the same length, "
            f"{compared_with[0]:%d %b} – {compared_with[1]:%d %b %Y}."
        )
    for i in range(0, len(kpis), per_row):
        cols = st.columns(per_row)
        for col, kpi in zip(cols, kpis[i : i + per_row], strict=False):
            change = kpi.change
            col.metric(
                kpi.label,
                _format(kpi.value, kpi.unit),
                delta=None if change is None else f"{change:+.1%}",
                delta_color="inverse" if kpi.key in lower_is_better else "normal",
                help=kpi.help or None,
                border=True,
            )


def table(
    df: pd.DataFrame,
    *,
    name: str,
    column_config: dict | None = None,
    height: int | str = "auto",
    download: pd.DataFrame | None = None,
) -> None:
    """A read-only table with a CSV download (user text stays plain text). `download` is the frame to
    save when the shown one is dressed for display (e.g. status pills held as one-item lists)."""
    if df.empty:
        st.caption("Nothing to show for this brand and period.")
        return
    st.dataframe(df, hide_index=True, column_config=column_config, height=height)
    st.download_button(
        "Download CSV",
        frame_csv(df if download is None else download),
        file_name=f"{name}.csv",
        mime="text/csv",
        icon=":material/download:",
        key=f"dl_{name}",
    )
