"""The strategy on the Overview: the pillar mix of the period against its target shares (a chart and a
table in words) and one campaign's panel (objective and its KPI, dates, budget, posts by status,
pillars). The numbers come from measurement's pillar_mix and campaign_panel."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

import altair as alt
import pandas as pd
import streamlit as st

from app.db import read_session
from app.services.measurement import PillarShare, campaign_panel, pillar_mix
from app.ui.context import PageContext
from app.ui.widgets import plain, table


def mix_chart(rows: Sequence[PillarShare]) -> alt.FacetChart:
    """Per brand: each pillar's actual share of posts as a bar in its colour, its target as a black tick."""
    df = pd.DataFrame(
        [
            {
                "brand": r.brand,
                "pillar": r.pillar,
                "actual": r.actual_pct / 100,
                "target": None if r.target_pct is None else r.target_pct / 100,
                "posts": r.posts,
                "color": r.color,
                "actual share": pillar_mix.share_text(r.actual_pct),
                "target share": "no target" if r.target_pct is None else pillar_mix.share_text(r.target_pct),
                "difference": pillar_mix.points_text(r.difference_pts),
            }
            for r in rows
        ]
    )
    y = alt.Y("pillar:N", title=None, sort=None, axis=alt.Axis(labelLimit=220))
    tooltip = ["pillar:N", "actual share:N", "target share:N", "difference:N", "posts:Q"]
    bars = (
        alt.Chart()
        .mark_bar()
        .encode(
            y=y,
            x=alt.X("actual:Q", title="share of the period's posts", axis=alt.Axis(format="%")),
            color=alt.Color("color:N", scale=None),
            tooltip=tooltip,
        )
    )
    ticks = (
        alt.Chart()
        .transform_filter("datum.target != null")
        .mark_tick(color="#1B1F2A", thickness=3, size=18)
        .encode(y=y, x="target:Q", tooltip=tooltip)
    )
    return (
        alt.layer(bars, ticks, data=df)
        .properties(height=alt.Step(24), width=420)
        .facet(row=alt.Row("brand:N", title=None, header=alt.Header(labelAngle=0, labelAlign="left")))
        .properties(title="Pillar mix: actual share (bars) against target share (ticks)")
    )


def pillar_mix_panel(ctx: PageContext, start: date, end: date) -> None:
    with read_session() as session:
        rows = pillar_mix.pillar_mix(session, ctx.actor, ctx.brand_ids, start, end)
    if not rows:
        st.info("No content pillars yet. Managers add them on the Strategy page.", icon=":material/category:")
        return
    posts = {r.brand: r.total_posts for r in rows}
    if not any(posts.values()):
        st.info("No posts planned or published in this period yet.")
    else:
        st.altair_chart(mix_chart(rows))
    st.caption(
        "Posts planned or published in the period, by pillar. Difference: actual share minus target share, "
        "in percentage points."
    )
    table(pillar_mix.mix_frame(rows), name="pillar-mix")


def campaign_panel_block(ctx: PageContext, campaign_id: int) -> None:
    """One campaign's panel, in words."""
    with read_session() as session:
        c = campaign_panel.campaign_summary(session, ctx.actor, campaign_id)
        posts = campaign_panel.campaign_posts(session, ctx.actor, campaign_id)
    with st.container(border=True):
        st.markdown(f"**Campaign: {plain(c.name)}** · {plain(c.brand)} · {plain(c.status)}")
        # The dates go in words, not in a tile: a tile's large figure cuts "8 Dec 2026 – 7 Jan 2027" short.
        st.markdown(f"Runs {plain(c.dates)} ({plain(c.timing)})")
        cols = st.columns(3)
        cols[0].metric("Budget", c.budget, border=True)
        cols[1].metric("Spend", c.spend, border=True, help="The hub does not track spend yet.")
        cols[2].metric("Posts", sum(n for _, n in c.posts_by_status), border=True)
        st.markdown(f"Objective: {plain(c.objective)}")
        if c.kpi is not None:
            if c.kpi.met is None:
                measured = f"nothing measured yet ({plain(c.kpi.measured)})"
            else:
                verdict = "on target" if c.kpi.met else "not on target"
                measured = f"actual {plain(c.kpi.actual)} over {plain(c.kpi.measured)}, {verdict}"
            st.markdown(f"KPI: {plain(c.kpi.metric)}, target {plain(c.kpi.target)}; {measured}")
        if c.posts_by_status:
            st.markdown("Posts by status: " + ", ".join(f"{plain(s)} {n}" for s, n in c.posts_by_status))
        else:
            st.markdown("No posts in this campaign yet.")
        st.markdown("Pillars: " + (", ".join(plain(p) for p in c.pillars) or "none chosen"))
        if c.channels:
            st.markdown("Channels: " + ", ".join(plain(ch) for ch in c.channels))
        if c.utm_campaign:
            st.markdown(f"UTM campaign value: {plain(c.utm_campaign)}")
        if not posts.empty:
            st.markdown("**The campaign's posts**, latest first, one row per channel:")
            shown = posts.assign(
                engagements=[("—" if pd.isna(v) else f"{int(v):,}") for v in posts["engagements"]]
            )
            table(
                shown,
                name="campaign-posts",
                download=posts,
                column_config={
                    "time": st.column_config.DatetimeColumn("time (UTC)", format="D MMM YYYY, HH:mm"),
                    "engagements": st.column_config.TextColumn(
                        "engagements", help="At the latest metrics read"
                    ),
                    "link": st.column_config.LinkColumn("link", display_text="open"),
                },
            )
            st.caption(
                "Time: when it went out, or when it is scheduled to. Engagements: at the latest metrics read "
                "(— before the first)."
            )
