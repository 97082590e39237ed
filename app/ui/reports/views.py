"""Showing a built report in Streamlit: one section as a block of the Reports page or as one slide of
the quarterly review (same data as the PDF). User text goes through `plain`; the only HTML is our own
fixed style block for the presenting layout."""

from __future__ import annotations

from datetime import date

import streamlit as st

from app.services.core import quarter_start
from app.services.reports import Report, Section
from app.ui.widgets import plain

# Fixed CSS (no user text): hide the sidebar and its toggle, and enlarge the slide's type.
PRESENT_STYLE = """
<style>
[data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"], header[data-testid="stHeader"] {display: none;}
[data-testid="stMainBlockContainer"] {max-width: 1200px; padding-top: 1rem;}
[data-testid="stMainBlockContainer"] p, [data-testid="stMainBlockContainer"] li {font-size: 1.6rem; line-height: 1.45;}
[data-testid="stMetricValue"] {font-size: 3rem;}
</style>
"""


def last_quarter_label(today: date) -> str:
    end = quarter_start(today).replace(day=1)
    prev = date(end.year - 1, 10, 1) if end.month == 1 else date(end.year, end.month - 3, 1)
    return f"{prev.year}-Q{(prev.month - 1) // 3 + 1}"


def section_block(section: Section, *, slide: bool = False, key: str = "") -> None:
    """The section: its one message first, then tiles, lines, chart and (not on a slide) its table."""
    if slide:
        st.markdown(f"## {plain(section.title)}")
        st.markdown(f"# {plain(section.headline)}")
    else:
        st.subheader(plain(section.title))
        st.markdown(f"**{plain(section.headline)}**")
    if section.tiles:
        per_row = 4
        for i in range(0, len(section.tiles), per_row):
            cols = st.columns(per_row)
            for col, tile in zip(cols, section.tiles[i : i + per_row], strict=False):
                col.metric(tile.label, tile.value, border=True)
                col.caption(plain(" · ".join(x for x in (tile.change, tile.note) if x)))
    for line in section.lines[: 4 if slide else None]:
        st.markdown(f"- {plain(line)}")
    if section.chart is not None:
        st.altair_chart(section.chart, width="stretch", key=f"chart_{key}_{section.key}")
    if not slide and section.table is not None and not section.table.empty:
        st.dataframe(section.table, hide_index=True, key=f"table_{key}_{section.key}")


def title_slide(report: Report) -> None:
    st.markdown(f"# {plain(report.template.title)}")
    st.markdown(f"## {plain(report.brand)}")
    st.markdown(plain(report.period_label))
    p0, p1 = report.previous
    st.caption(plain(f"Changes against {p0:%d %b %Y} – {p1:%d %b %Y}."))
