"""Overview: for executives, the KPIs against targets with the forecast to period end, what changed and
why, and the actions that follow; a platform manager's view per channel; the portfolio across brands;
platforms compared on normalised metrics; the KPI series with campaigns, incidents and anomalies; and the
pillar mix against its target shares, with one campaign's panel when the filters name one."""

import streamlit as st

from app.db import read_session
from app.services.core import previous_range
from app.services.measurement import (
    KPI_LABELS,
    anomalies,
    anomaly_settings,
    daily_totals,
    insights,
    top_posts,
)
from app.services.measurement import views as dashboards
from app.ui.context import page_context
from app.ui.measurement import dashboards as dash
from app.ui.measurement import strategy_panels
from app.ui.widgets import Labels, kpi_tiles, page_header, plain, table

VIEWS = {
    "executive": "Executive",
    "channels": "Channels",
    "portfolio": "Portfolio",
    "platforms": "Compare platforms",
    "trends": "Trends",
    "strategy": "Pillars & campaigns",
}
POST_COLUMNS = {
    "engagement_rate": st.column_config.NumberColumn("engagement rate", format="percent"),
    "published": st.column_config.DatetimeColumn("published", format="D MMM YYYY, HH:mm"),
    "link": st.column_config.LinkColumn("link", display_text="open"),
}

ctx = page_context()
page_header("Overview", ctx)
view = st.segmented_control(
    "View", list(VIEWS), format_func=Labels(VIEWS), default="executive", key="overview_view", required=True
)

with read_session() as session:
    options = dash.filter_options(ctx)
    f = dash.filter_bar(ctx, options, "overview")
    for note in f.notes:
        st.caption(plain(note))
    prev_start, prev_end = previous_range(f.start, f.end)

    if len(f.campaign_ids) == 1 and view in ("executive", "strategy"):
        strategy_panels.campaign_panel_block(ctx, f.campaign_ids[0])

    if view == "executive":
        data = dash.executive_data(ctx, f)
        kpis, progress, unusual = data["kpis"], data["progress"], data["anomalies"]
        compared, best, worst = data["platforms"], data["best"], data["worst"]

        kpi_tiles(kpis, compared_with=(prev_start, prev_end))
        st.subheader("Targets: progress and forecast to period end")
        if progress.empty:
            st.info("No monthly or quarterly targets cover this period. Managers set them on the KPIs page.")
        else:
            counts = progress["status"].value_counts()
            cols = st.columns(4)
            for col, status in zip(cols, ("on track", "at risk", "behind", "no data"), strict=True):
                col.metric(status.capitalize(), int(counts.get(status, 0)), border=True)
            st.altair_chart(dash.progress_chart(progress))
            st.caption(
                "Solid: share of the target reached so far. Light: forecast at period end at the pace of the "
                "last 28 days. At risk: forecast within 10% of the target."
            )
        left, right = st.columns(2)
        with left:
            st.subheader("What changed")
            for line in insights.what_changed(kpis, unusual):
                st.markdown(f"- {plain(line)}")
        with right:
            st.subheader("What to do next")
            for line in insights.actions(progress, unusual, kpis, compared):
                st.markdown(f"- {plain(line)}")
        st.subheader("Unusual days")
        table(
            anomalies.anomalies_frame(unusual),
            name="anomalies",
            column_config={"likely cause": st.column_config.TextColumn(width="large")},
        )
        left, right = st.columns(2)
        with left:
            st.subheader("Top posts")
            table(best, name="top-posts", column_config=POST_COLUMNS)
        with right:
            st.subheader("Bottom posts")
            table(worst, name="bottom-posts", column_config=POST_COLUMNS)

    elif view == "channels":
        channels = dashboards.channel_view(session, ctx.actor, f.scope, f.start, f.end)
        st.subheader("Every channel in the period")
        st.caption(
            f"Changes compare with {prev_start:%d %b} – {prev_end:%d %b %Y}. Impressions per 1k followers "
            "are per day, so channels of any size compare."
        )
        table(
            channels,
            name="channels",
            column_config={
                "engagement rate": st.column_config.NumberColumn(format="percent"),
                "impressions change": st.column_config.NumberColumn(format="percent"),
                "engagements change": st.column_config.NumberColumn(format="percent"),
                "impressions per 1k followers": st.column_config.NumberColumn(format="%.0f"),
                "engagements per post": st.column_config.NumberColumn(format="%.0f"),
            },
        )
        best = top_posts(session, ctx.actor, ctx.brand_ids, f.start, f.end, limit=10, **f.post_filters)
        st.subheader("Best posts on these channels")
        table(best, name="channel-posts", column_config=POST_COLUMNS)

    elif view == "portfolio":
        ranking = dashboards.portfolio(session, ctx.actor, ctx.brand_ids, f.start, f.end)
        outliers = ranking[ranking["outlier"] != ""] if not ranking.empty else ranking
        a, b, c = st.columns(3)
        a.metric("Brands", len(ranking), border=True)
        b.metric(
            "Engagements up",
            int((ranking["engagements change"] > 0).sum()) if not ranking.empty else 0,
            border=True,
        )
        c.metric("Outliers", len(outliers), border=True)
        if not outliers.empty:
            st.subheader("Outliers")
            for r in outliers.head(10).to_dict("records"):
                change = r["engagements change"]
                moved = f" ({change:+.0%} engagements)" if change == change else ""
                st.markdown(f"- {plain(r['brand'])}: {plain(r['outlier'])}{moved}")
        st.subheader("Brands ranked by engagement growth")
        table(
            ranking,
            name="portfolio",
            column_config={
                "engagement rate": st.column_config.NumberColumn(format="percent"),
                "engagements change": st.column_config.NumberColumn(format="percent"),
                "engagement rate change": st.column_config.NumberColumn(format="%.4f"),
            },
        )

    elif view == "platforms":
        compared = dashboards.platform_comparison(session, ctx.actor, f.scope, f.start, f.end)
        metric = st.selectbox(
            "Compare on",
            [c for c in dashboards.PLATFORM_COLUMNS if c not in ("platform", "channels", "followers")],
            key="overview_compare_metric",
        )
        if compared.empty:
            st.info("No channel metrics for this period yet.")
        else:
            st.altair_chart(dash.normalised_bars(compared, metric))
        table(
            compared,
            name="platform-comparison",
            column_config={
                "engagement rate": st.column_config.NumberColumn(format="percent"),
                "click-through rate": st.column_config.NumberColumn(format="percent"),
                "follower growth rate": st.column_config.NumberColumn(format="percent"),
                "impressions per 1k followers a day": st.column_config.NumberColumn(format="%.0f"),
                "engagements per post": st.column_config.NumberColumn(format="%.0f"),
            },
        )

    elif view == "strategy":
        st.subheader("Pillar mix against target shares")
        strategy_panels.pillar_mix_panel(ctx, f.start, f.end)
        if not f.campaign_ids:
            st.caption("Choose one campaign in the filters to see its objective, budget and posts.")

    else:
        kpi = st.selectbox(
            "KPI",
            list(anomalies.WATCHED_KPIS),
            format_func=Labels(KPI_LABELS),
            key="overview_trend_kpi",
        )
        daily = daily_totals(session, f.scope, f.start, f.end)
        sensitivity = anomaly_settings.sensitivity_for(session, ctx.brand_ids)
        unusual = anomalies.find_anomalies(
            session, ctx.actor, f.scope, f.start, f.end, kpis=(kpi,), limit=20, sensitivity=sensitivity
        )
        marks = dashboards.annotations(
            session, ctx.actor, ctx.brand_ids, f.start, f.end, campaign_ids=f.campaign_ids
        )
        found = anomalies.anomalies_frame(unusual)
        if daily[kpi].notna().any():
            st.altair_chart(dash.kpi_series_chart(daily, kpi, marks, found))
        else:
            st.info("No channel metrics for this period yet.")
        st.subheader("Annotations")
        table(marks, name="annotations")
        st.subheader("Unusual days")
        table(
            found,
            name="trend-anomalies",
            column_config={"likely cause": st.column_config.TextColumn(width="large")},
        )
