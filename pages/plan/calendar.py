"""Calendar: every post variant scheduled or published in the period, as a list and as a per-day
chart by status; the full drag-to-reschedule calendar comes later."""

import streamlit as st

from app.db import read_session
from app.models.enums import Platform, PostStatus
from app.services import calendar
from app.ui import charts
from app.ui.components import coming_soon, page_header, table
from app.ui.context import page_context

ctx = page_context()
page_header("Calendar", ctx)

# Labels as dicts: their bound .get pickles, which session state needs (a lambda would not).
STATUS_LABELS = {s.value: s.label for s in PostStatus}
PLATFORM_LABELS = {p.value: p.label for p in Platform}

left, right = st.columns(2)
statuses = left.pills(
    "Status",
    list(STATUS_LABELS),
    selection_mode="multi",
    format_func=STATUS_LABELS.get,
    key="cal_status",
)
platforms = right.pills(
    "Platform",
    list(PLATFORM_LABELS),
    selection_mode="multi",
    format_func=PLATFORM_LABELS.get,
    key="cal_platform",
)

with read_session() as session:
    per_day = calendar.variants_per_day(
        session, ctx.actor, ctx.brand_ids, ctx.start, ctx.end, statuses, platforms
    )
    variants = calendar.list_variants(
        session, ctx.actor, ctx.brand_ids, ctx.start, ctx.end, statuses, platforms
    )

if per_day.empty:
    st.info("Nothing is scheduled or published in this period for the chosen filters.")
else:
    st.altair_chart(
        charts.stacked_bars_by_status(per_day, "day", "variants", "Post variants per day (UTC) by status")
    )

st.subheader(f"{len(variants)} post variants in the period")
table(
    variants,
    name="calendar",
    column_config={
        "time": st.column_config.DatetimeColumn("time (UTC)", format="ddd D MMM YYYY, HH:mm"),
        "published": st.column_config.DatetimeColumn("published (UTC)", format="D MMM, HH:mm"),
    },
)

coming_soon(
    "the content calendar",
    [
        "Month, week and list views with a colour per brand or status, in each brand's own time zone",
        "Drag and drop to reschedule, with the publishing rules checked before the move is saved",
        "A feed preview per channel: how the grid or timeline will look with the planned posts",
        "Export of the period to CSV, XLSX and ICS (subscribe from Google or Outlook calendars)",
    ],
)
