"""Approvals: posts waiting on an approval stage (who they wait on and for how long), approving or
rejecting what waits on you, and the brands' approval flows."""

import streamlit as st

from app.db import read_session
from app.services import approval_decisions, approvals
from app.ui import page_charts
from app.ui.actions import perform, show_flash
from app.ui.components import coming_soon, page_header, table
from app.ui.context import page_context
from app.ui.labels import Labels

ctx = page_context()
page_header("Approvals", ctx)

with read_session() as session:
    queue = approvals.approval_queue(session, ctx.actor, ctx.brand_ids)
    flows = approvals.approval_flows(session, ctx.actor, ctx.brand_ids)
    mine = approval_decisions.decidable(session, ctx.actor, ctx.brand_ids)

show_flash()
if mine:
    with st.form("decide", clear_on_submit=True):
        st.markdown(f"**Waiting on you: {len(mine)}**")
        labels = Labels({d.request_id: d.label for d in mine})
        request_id = st.selectbox("Post and stage", list(labels), format_func=labels)
        verdict = st.radio("Decision", ["approve", "reject"], horizontal=True, format_func=str.capitalize)
        comment = st.text_area("Comment", help="Required when you reject: say what to change.")
        if st.form_submit_button("Send decision", type="primary"):
            perform(
                lambda s: approval_decisions.decide(s, ctx.actor, request_id, verdict, comment),
                f"Decision sent: {verdict} for {labels(request_id)}.",
            )

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
    "the full approvals queue",
    [
        "Bulk approve or reject the posts that wait on you",
        "Approvals expire when the post has not gone out by its scheduled time; edits after approval start "
        "a new round",
        "Per-campaign flows and a reviewer view of what each person is waiting on",
    ],
)
