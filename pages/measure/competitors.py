"""Competitors: each tracked competitor's followers, output, engagement and share of voice per platform
in the period, their weekly follower trend, and the import of benchmark files (CSV or XLSX, checked
row by row, all or nothing, safe to repeat)."""

import pandas as pd
import streamlit as st

from app.db import read_session, write_session
from app.services.core import Perm, ServiceError
from app.services.measurement import benchmark_imports as competitor_import
from app.services.measurement import benchmarks as competitors
from app.ui.context import page_context
from app.ui.widgets import page_charts, page_header, plain, table

ctx = page_context()
page_header("Competitors", ctx)

with read_session() as session:
    overview = competitors.competitor_overview(session, ctx.actor, ctx.brand_ids, ctx.start, ctx.end)
    series = competitors.competitor_series(session, ctx.actor, ctx.brand_ids, ctx.start, ctx.end)
    side_by_side = competitors.brand_vs_competitors(session, ctx.actor, ctx.brand_ids, ctx.start, ctx.end)

if series.empty:
    st.info("No competitor benchmarks for this period yet.")
else:
    st.altair_chart(page_charts.weekly_followers(series))

if not overview.empty and overview["share of voice"].notna().any():
    voice = overview.dropna(subset=["share of voice"])
    cols = st.columns(min(4, voice["platform"].nunique()))
    for col, (platform, rows) in zip(cols, voice.groupby("platform"), strict=False):
        competitors_share = float(rows["share of voice"].sum())
        col.metric(
            f"Your share of voice on {platform.title()}",
            f"{max(0.0, 1 - competitors_share):.0%}",
            help="Your mentions over all mentions on the platform: yours and the tracked competitors'.",
            border=True,
        )

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

st.subheader("You and your competitors, side by side")
st.caption("Your channels on each platform where a competitor is benchmarked, from your own daily metrics.")
table(
    side_by_side,
    name="you-vs-competitors",
    column_config={
        "engagement per post": st.column_config.NumberColumn(format="%.0f"),
        "posts per week": st.column_config.NumberColumn(format="%.1f"),
        "growth in period": st.column_config.NumberColumn(format="%+d"),
    },
)

if ctx.brand and ctx.actor.can(Perm.COMPETITORS_EDIT, ctx.brand.id):
    with st.expander("Import competitor benchmarks", icon=":material/upload_file:"):
        st.caption(
            "One row per competitor, platform and date: competitor, platform, date, followers, posts, "
            "engagements, mentions (any of the four numbers). A competitor not tracked yet is added. "
            "Nothing is written while any row is refused; importing the same file again changes nothing."
        )
        upload = st.file_uploader("CSV or XLSX file", type=["csv", "xlsx"], key="competitor_import_file")
        if upload is not None:
            data = upload.getvalue()
            try:
                with read_session() as session:
                    report = competitor_import.check_file(session, ctx.actor, ctx.brand.id, data, upload.name)
            except ServiceError as exc:
                st.error(plain(str(exc)))
            else:
                if report.errors:
                    st.error(f"{len(report.errors)} row(s) refused; fix them and upload the file again.")
                    table(
                        pd.DataFrame(
                            [(e.row, e.column, e.value, e.problem) for e in report.errors],
                            columns=["row", "column", "value", "problem"],
                        ),
                        name="competitor-import-errors",
                    )
                else:
                    st.caption(f"{report.rows} row(s) ready; the first ones:")
                    table(pd.DataFrame(report.preview), name="competitor-import-preview")
                    if st.button("Import", type="primary", key="competitor_import_go"):
                        try:
                            with write_session() as session:
                                done = competitor_import.import_competitor_metrics(
                                    session, ctx.actor, ctx.brand.id, data, upload.name
                                )
                        except ServiceError as exc:
                            st.error(plain(str(exc)))
                        else:
                            st.cache_data.clear()
                            st.success(
                                f"Imported: {done.added} added, {done.updated} changed, {done.unchanged} "
                                f"already there"
                                + (
                                    f"; new competitors: {plain(', '.join(done.new_competitors))}"
                                    if done.new_competitors
                                    else ""
                                )
                            )
elif ctx.brand is None and ctx.can(Perm.COMPETITORS_EDIT):
    st.caption("Pick one brand in the sidebar to import its competitor benchmarks.")
