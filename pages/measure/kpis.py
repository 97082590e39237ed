"""KPIs: targets against the actual value of their period, the metrics dictionary and the platform
fields that feed each metric; editing formulas and targets comes later."""

import streamlit as st

from app.db import read_session
from app.services.measurement import targets_table as metrics
from app.ui.context import page_context
from app.ui.measurement import dictionary_editor, kpi_panels
from app.ui.widgets import coming_soon, page_charts, page_header, table

ctx = page_context()
page_header("KPIs", ctx)

targets_tab, dictionary_tab, mappings_tab, edit_tab = st.tabs(
    ["Targets", "Metrics dictionary", "Platform fields", "Edit dictionary"]
)
with read_session() as session:
    targets = metrics.kpi_targets(session, ctx.actor, ctx.brand_ids, ctx.start, ctx.end)
    dictionary = metrics.metric_dictionary(session, ctx.actor)
    names = {"": "All metrics", **dict(zip(dictionary["key"], dictionary["name"], strict=True))}
    with mappings_tab:
        key = st.selectbox("Metric", list(names), format_func=names.get, key="kpi_mapping_metric")
    mappings = metrics.source_mappings(session, ctx.actor, key or None)

with targets_tab:
    if targets["% of target"].notna().any():
        st.altair_chart(page_charts.target_bullets(targets))
    table(
        targets,
        name="kpi-targets",
        column_config={
            "% of target": st.column_config.NumberColumn("% of target", format="percent"),
            "on target": st.column_config.CheckboxColumn("on target"),
            "period elapsed": st.column_config.ProgressColumn("period elapsed", min_value=0, max_value=1),
            "target": st.column_config.NumberColumn("target", format="localized"),
            "actual": st.column_config.NumberColumn("actual", format="localized"),
        },
    )
with dictionary_tab:
    table(
        dictionary,
        name="metrics-dictionary",
        column_config={"description": st.column_config.TextColumn(width="large")},
    )
with mappings_tab:
    table(mappings, name="metric-source-mappings")
with edit_tab:
    dictionary_editor(ctx)

st.subheader("Progress, unusual days and forecasts")
progress_tab, anomalies_tab, forecast_tab = st.tabs(["Progress to period end", "Unusual days", "Forecasts"])
with progress_tab:
    kpi_panels.progress_panel(ctx)
with anomalies_tab:
    kpi_panels.anomalies_panel(ctx)
with forecast_tab:
    kpi_panels.forecast_panel(ctx)

coming_soon(
    "KPI management",
    [
        "A formula editor for derived metrics, evaluated safely (no code runs from a formula)",
        "Targets edited per brand, channel and period, in the app or in the synced Google Sheet",
        "Rollups by market, platform and portfolio",
    ],
)
