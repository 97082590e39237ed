"""Competitors: each tracked competitor's followers, output, engagement and share of voice per platform
in the period, and their weekly follower trend; importing benchmarks comes later."""

import streamlit as st

from app.db import read_session
from app.services import competitors
from app.ui import page_charts
from app.ui.components import coming_soon, page_header, table
from app.ui.context import page_context

ctx = page_context()
page_header("Competitors", ctx)

with read_session() as session:
    overview = competitors.competitor_overview(session, ctx.actor, ctx.brand_ids, ctx.start, ctx.end)
    series = competitors.competitor_series(session, ctx.actor, ctx.brand_ids, ctx.start, ctx.end)

if series.empty:
    st.info("No competitor benchmarks for this period yet.")
else:
    st.altair_chart(page_charts.weekly_followers(series))

st.subheader("Benchmarks for the period")
st.caption(
    "Share of voice: the competitor's mentions over all mentions on that platform (competitors' and yours)."
)
table(
    overview,
    name="competitors",
    column_config={
        "share of voice": st.column_config.NumberColumn("share of voice", format="percent"),
        "engagement per post": st.column_config.NumberColumn("engagement per post", format="%.1f"),
        "growth in period": st.column_config.NumberColumn("growth in period", format="%+d"),
    },
)

coming_soon(
    "competitor benchmarks",
    [
        "Import of competitor metrics from benchmark exports and the synced Google Sheet",
        "Benchmarks side by side with your own channels: growth, posting rate, engagement per post",
        "Share of voice over time, by platform and market",
    ],
)
