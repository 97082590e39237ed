"""Reports: the monthly performance summary of the selected brand(s) for the period, as a table and
charts; report templates, PDF export and scheduled sending come later."""

import streamlit as st

from app.db import read_session
from app.services import reports
from app.ui import page_charts
from app.ui.components import coming_soon, page_header, table
from app.ui.context import page_context

ctx = page_context()
page_header("Reports", ctx, "monthly summary")

with read_session() as session:
    monthly = reports.monthly_summary(session, ctx.actor, ctx.brand_ids, ctx.start, ctx.end)

if monthly.empty:
    st.info("No channel metrics or published posts in this period yet.")
else:
    st.caption("The first and last months are partial when the period does not start or end with a month.")
    left, right = st.columns(2)
    left.altair_chart(page_charts.monthly_by_brand(monthly, "impressions", "Impressions per month"))
    right.altair_chart(
        page_charts.monthly_by_brand(monthly, "engagement rate", "Engagement rate per month", percent=True)
    )

table(
    monthly,
    name="monthly-summary",
    column_config={
        "month": st.column_config.DateColumn("month", format="MMM YYYY"),
        "engagement rate": st.column_config.NumberColumn("engagement rate", format="percent"),
    },
)

coming_soon(
    "reports",
    [
        "Report templates (monthly client report, quarterly review) rendered to PDF and XLSX with real charts",
        "Scheduled reports sent by e-mail to each brand's contacts",
        "Quarterly-review slide mode for a shared screen",
        "Commentary per section, kept with the report and its numbers",
    ],
)
