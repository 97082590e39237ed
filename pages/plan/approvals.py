"""Approvals: what waits on you (decide one or many at once: approve, or reject with the reason),
who each post is waiting on and for how long, and the brands' approval flows."""

import streamlit as st

from app.db import read_session
from app.services.approvals import blocks as approval_blocks
from app.services.approvals import decisions as approval_decisions
from app.services.approvals import flows as approval_flows
from app.services.approvals import queue as approvals
from app.services.core import Perm
from app.ui.approvals import blocked_list, flow_editor
from app.ui.context import page_context
from app.ui.widgets import Labels, charts, page_charts, page_header, perform, plain, show_flash, table


def _summary(results: list[approval_decisions.BulkOutcome]) -> str:
    done = [r for r in results if r.ok]
    refused = [r for r in results if not r.ok]
    text = f"{len(done)} decided" + (f", {len(refused)} refused" if refused else "") + "."
    return " ".join([text, *[f"Refused: {r.message}." for r in refused]])


ctx = page_context()
page_header("Approvals", ctx)

with read_session() as session:
    queue = approvals.approval_queue(session, ctx.actor, ctx.brand_ids)
    load = approvals.reviewer_load(session, ctx.actor, ctx.brand_ids)
    flows = approvals.approval_flows(session, ctx.actor, ctx.brand_ids)
    mine = approval_decisions.decidable(session, ctx.actor, ctx.brand_ids)
    not_mine = approval_blocks.blocked(session, ctx.actor, ctx.brand_ids)

show_flash()
if mine:
    with st.form("decide", clear_on_submit=True):
        st.markdown(f"**Waiting on you: {len(mine)}**")
        labels = Labels({d.request_id: d.label for d in mine})
        picked = st.multiselect(
            "Posts", list(labels), format_func=labels, placeholder="Pick one or more posts"
        )
        verdict = st.radio("Decision", ["approve", "reject"], horizontal=True, format_func=str.capitalize)
        comment = st.text_area("Comment", help="Required when you reject: say what to change.")
        if st.form_submit_button("Send decision", type="primary"):
            if not picked:
                st.error("Pick at least one post.")
            elif verdict == "reject" and not comment.strip():
                st.error("A rejection needs a comment saying what to change.")
            else:
                perform(
                    lambda s: approval_decisions.decide_many(s, ctx.actor, picked, verdict, comment),
                    _summary,
                )
elif ctx.actor.can_anywhere(Perm.CONTENT_APPROVE):
    st.success("Nothing waits on you right now.", icon=":material/task_alt:")
# In place of a decision: why each other waiting post is not the viewer's to decide.
blocked_list(not_mine, local_mode=ctx.local_mode)

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

st.subheader("Who it is waiting on")
if not load.empty:
    per_person = load.groupby("reviewer", as_index=False).agg(
        posts=("post", "count"), longest_hours=("hours waiting", "max")
    )
    st.altair_chart(
        charts.bars(per_person, "reviewer", "posts", "Posts waiting per reviewer", horizontal=True)
    )
table(
    load,
    name="reviewer-load",
    column_config={
        "waiting since": st.column_config.DatetimeColumn("waiting since", format="D MMM, HH:mm"),
        "hours waiting": st.column_config.NumberColumn("hours waiting", format="%.1f"),
    },
)

st.subheader("Approval flows")
table(flows, name="approval-flows")
if ctx.brand is None:
    st.caption("Pick a brand in the sidebar to set up its approval flows.")
else:
    with st.expander(
        f"Set up {plain(ctx.brand.name)}'s flows"
        if ctx.actor.can(Perm.FLOWS_MANAGE, ctx.brand.id)
        else "Flows"
    ):
        with read_session() as session:
            brand_flows = approval_flows.list_flows(session, ctx.actor, ctx.brand.id)
        flow_editor(ctx.actor, ctx.brand.id, brand_flows)
st.caption(
    plain(
        "An approval covers the times it was given: if the post has not gone out by the last of them it "
        "expires and the post goes back to draft. Editing approved copy, or moving a post past its approved "
        "time, starts a new round."
    )
)
