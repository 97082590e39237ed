"""Reports: build a brand's report (executive summary, detailed performance, community, quarterly
review) as PDF or XLSX, manage report schedules and the recommendation rules, and see the monthly
summary of the selected brands."""

import streamlit as st

from app.db import read_session
from app.services.reports import produce as reports
from app.ui.context import page_context
from app.ui.reports import panels as report_panels
from app.ui.widgets import page_charts, page_header, show_flash, table

ctx = page_context()
page_header("Reports", ctx)
show_flash()

produce_tab, schedules_tab, rules_tab, monthly_tab = st.tabs(
    ["Build a report", "Schedules", "Recommendation rules", "Monthly summary"]
)
with produce_tab:
    report_panels.produce_panel(ctx)
with schedules_tab:
    report_panels.schedules_panel(ctx)
with rules_tab:
    report_panels.rules_panel(ctx)
with monthly_tab:
    with read_session() as session:
        monthly = reports.monthly_summary(session, ctx.actor, ctx.brand_ids, ctx.start, ctx.end)
    if monthly.empty:
        st.info("No channel metrics or published posts in this period yet.")
    else:
        st.caption(
            "The first and last months are partial when the period does not start or end with a month."
        )
        left, right = st.columns(2)
        left.altair_chart(page_charts.monthly_by_brand(monthly, "impressions", "Impressions per month"))
        right.altair_chart(
            page_charts.monthly_by_brand(
                monthly, "engagement rate", "Engagement rate per month", percent=True
            )
        )
    table(
        monthly,
        name="monthly-summary",
        column_config={
            "month": st.column_config.DateColumn("month", format="MMM YYYY"),
            "engagement rate": st.column_config.NumberColumn("engagement rate", format="percent"),
        },
    )
