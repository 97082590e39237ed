"""Compose: the ideas and drafts of the selected brand(s), waiting to be written and sent for review;
the composer with per-channel variants and live platform rules comes later."""

import streamlit as st

from app.db import read_session
from app.models.enums import PostStatus
from app.services import posts
from app.ui.components import coming_soon, page_header, table
from app.ui.context import page_context

STATUS_LABELS = {s.value: s.label for s in PostStatus}  # .get pickles; a lambda would not

ctx = page_context()
page_header("Compose", ctx, "ideas and drafts")

statuses = st.pills(
    "Status",
    list(STATUS_LABELS),
    selection_mode="multi",
    default=[s.value for s in posts.WORK_IN_PROGRESS],
    format_func=STATUS_LABELS.get,
    key="compose_status",
    help="Ideas and drafts by default; add other statuses to see posts further along. None chosen: all.",
)

with read_session() as session:
    df = posts.list_posts(session, ctx.actor, ctx.brand_ids, statuses or None)

if statuses:
    counts = df["status"].value_counts()
    for col, status in zip(st.columns(len(statuses)), statuses, strict=True):
        col.metric(STATUS_LABELS[status], int(counts.get(status, 0)), border=True)

table(
    df,
    name="posts",
    column_config={"updated": st.column_config.DatetimeColumn("updated", format="D MMM YYYY, HH:mm")},
)

coming_soon(
    "the composer",
    [
        "Master copy with one variant per channel, each editable on its own",
        "Live platform rules while you type: X 280, Bluesky 300, Mastodon and Threads 500, LinkedIn 3,000, "
        "Instagram and TikTok 2,200 characters; hashtag, mention, link and media limits per platform",
        "Previews of each variant as it will look on its platform",
        "A UTM builder with the campaign's governed values, producing tracked links",
        "Best-time suggestions from the channel's own history",
    ],
)
