"""Approvals: posts waiting on an approval stage (who they wait on and for how long) and the brands'
approval flows; approving and rejecting from here comes later."""

import streamlit as st

from app.db import read_session
from app.services import approvals
from app.ui import page_charts
from app.ui.components import coming_soon, page_header, table
from app.ui.context import page_context

ctx = page_context()
page_header("Approvals", ctx)

with read_session() as session:
    queue = approvals.approval_queue(session, ctx.actor, ctx.brand_ids)
    flows = approvals.approval_flows(session, ctx.actor, ctx.brand_ids)

st.subheader(f"Waiting for a decision: {len(queue)}")
if not queue.empty:
    st.altair_chart(page_charts.hours_waiting_by_stage(queue))
table(
    queue,
    name="approval-queue",
    column_config={
        "waiting since": st.column_config.DatetimeColumn("waiting since", format="D MMM, HH:mm"),
        "hours waiting": st.column_config.NumberColumn("hours waiting", format="%.1f"),
        "expires": st.column_config.DatetimeColumn("expires", format="D MMM, HH:mm"),
    },
)

st.subheader("Approval flows")
table(flows, name="approval-flows")

coming_soon(
    "approving and rejecting",
    [
        "Approve or reject with a comment; a rejection sends the post back to its writer with the reason",
        "Bulk approve the posts that wait on you",
        "No self-approval: the person who submitted a post cannot decide on it",
        "Approvals expire when the post has not gone out by its scheduled time; edits after approval start "
        "a new round",
    ],
)
