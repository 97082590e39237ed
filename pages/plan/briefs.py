"""Briefs: the content briefs of the selected brand(s), with the posts each has produced so far; the
brief form and turning a brief into posts come later."""

import streamlit as st

from app.db import read_session
from app.services import briefs
from app.ui.components import coming_soon, page_header, table
from app.ui.context import page_context

ctx = page_context()
page_header("Briefs", ctx, "open briefs and those due in the period")

with read_session() as session:
    df = briefs.list_briefs(session, ctx.actor, ctx.brand_ids, ctx.start, ctx.end)

if not df.empty:
    cols = st.columns(3)
    cols[0].metric("Briefs", len(df), border=True)
    cols[1].metric("Posts produced", int(df["posts"].sum()), border=True)
    cols[2].metric("Briefs without posts yet", int((df["posts"] == 0).sum()), border=True)

table(
    df,
    name="briefs",
    column_config={
        "due": st.column_config.DateColumn("due", format="D MMM YYYY"),
        "objective": st.column_config.TextColumn("objective", width="large"),
    },
)

coming_soon(
    "brief writing",
    [
        "The standard brief as a form: audience, objective, key messages, technical specs, success metrics, "
        "due date and owner",
        "Brief → posts: create the posts a brief asks for, linked back to it, and follow them to publication",
    ],
)
