"""Inbox: working the threads that wait on the team (triage and replies from the hub), then the period's
inbound comments, mentions, messages and reviews with their sentiment and how fast the team answered,
and the response-time policies per priority (edited there by managers); routing rules, reply
templates and escalation come later."""

import streamlit as st

from app.db import read_session
from app.models.enums import InboxStatus, Sentiment
from app.services.community import inbox
from app.services.core import previous_range
from app.ui.community import inbox_work_section, response_time_policies
from app.ui.context import page_context
from app.ui.widgets import coming_soon, kpi_tiles, page_charts, page_header, show_flash, table

ctx = page_context()
page_header("Inbox", ctx)
show_flash()
inbox_work_section(ctx)
st.divider()

left, right = st.columns(2)
statuses = left.pills("Status", [s.value for s in InboxStatus], selection_mode="multi", key="inbox_status")
sentiments = right.pills(
    "Sentiment", [s.value for s in Sentiment], selection_mode="multi", key="inbox_sentiment"
)

with read_session() as session:
    times = inbox.response_time_summary(session, ctx.actor, ctx.brand_ids, ctx.start, ctx.end)
    by_day = inbox.sentiment_by_day(session, ctx.actor, ctx.brand_ids, ctx.start, ctx.end)
    messages = inbox.list_messages(
        session, ctx.actor, ctx.brand_ids, ctx.start, ctx.end, statuses, sentiments
    )

kpi_tiles(
    times,
    lower_is_better=("first_response", "first_response_p90"),
    compared_with=previous_range(ctx.start, ctx.end),
)
if by_day.empty:
    st.info("No inbound messages in this period.")
else:
    st.altair_chart(page_charts.sentiment_by_day(by_day))

st.subheader(f"Messages ({len(messages)}, newest first)")
# Message bodies are written by the public: they are shown only inside the table, as plain text.
table(
    messages,
    name="inbox",
    column_config={
        "received": st.column_config.DatetimeColumn("received", format="D MMM, HH:mm"),
        "body": st.column_config.TextColumn("message", width="large"),
    },
)

with st.expander("Response-time policies", icon=":material/timer:"):
    response_time_policies(ctx)

coming_soon(
    "the rest of the unified inbox",
    [
        "Saved reply templates per language (en, ms, id, zh)",
        "Routing rules by keyword, sentiment, platform, language and kind: assign, prioritise, escalate",
        "SLA timers per priority, with a warning before a response target is missed",
        "Escalation of a message into a crisis incident",
    ],
)
