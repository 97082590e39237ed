"""Overview: the selected brand's (or all brands') headline KPIs for the period against the previous
one, the daily trend by platform, the best posts, and what is due this week."""

import streamlit as st

from app.db import read_session
from app.services import overview
from app.services.periods import previous_range
from app.ui import charts
from app.ui.components import coming_soon, kpi_tiles, page_header, table
from app.ui.context import page_context

ctx = page_context()
page_header("Overview", ctx)

with read_session() as session:
    kpis = overview.headline_kpis(session, ctx.actor, ctx.brand_ids, ctx.start, ctx.end)
    daily = overview.daily_by_platform(session, ctx.actor, ctx.brand_ids, ctx.start, ctx.end)
    best = overview.top_posts(session, ctx.actor, ctx.brand_ids, ctx.start, ctx.end)
    soon = overview.upcoming(session, ctx.actor, ctx.brand_ids)

prev_start, prev_end = previous_range(ctx.start, ctx.end)
st.caption(
    f"Changes compare with the previous period of the same length, {prev_start:%d %b} – {prev_end:%d %b %Y}."
)
kpi_tiles(kpis)

if daily.empty:
    st.info("No channel metrics for this period yet. They arrive from the connectors and platform exports.")
else:
    left, right = st.columns(2)
    left.altair_chart(
        charts.stacked_area_by_platform(daily, "impressions", "Impressions per day by platform")
    )
    right.altair_chart(charts.rate_line(daily, "engagements", "impressions", "Engagement rate per day"))

left, right = st.columns([3, 2])
with left:
    st.subheader("Top posts of the period")
    table(
        best,
        name="top-posts",
        column_config={
            "engagement_rate": st.column_config.NumberColumn("engagement rate", format="percent"),
            "published": st.column_config.DatetimeColumn("published", format="D MMM YYYY, HH:mm"),
            "link": st.column_config.LinkColumn("link", display_text="open"),
        },
    )
with right:
    st.subheader("Due in the next 7 days")
    if soon.empty:
        st.caption("Nothing scheduled in the next 7 days.")
    else:
        st.altair_chart(charts.stacked_bars_by_status(soon, "day", "variants", "Post variants by status"))

coming_soon(
    "the executive dashboard",
    [
        "KPIs against targets for the period, with the forecast to period end",
        "What changed and why: anomalies with their likely cause, top and bottom posts",
        "A portfolio view ranking every brand of the agency, and a view per platform manager",
    ],
)
