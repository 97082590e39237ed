"""The signed-in person's unread notifications in the sidebar (a post that failed to publish, say),
with a link to the post and "mark all read"."""

from __future__ import annotations

import streamlit as st

from app.db import read_session
from app.services.core import Actor, Perm, notifications
from app.ui.widgets import perform, plain


def notifications_sidebar(actor: Actor) -> None:
    """In the sidebar; nothing at all when there is nothing unread (one indexed query per page run).
    Call after st.navigation, so the link to the post finds its page."""
    if actor.user_id is None:
        return
    with read_session() as session:
        unread = notifications.unread(session, actor, limit=10)
        total = notifications.unread_count(session, actor) if len(unread) == 10 else len(unread)
    if not unread:
        return
    can_open = actor.can_anywhere(Perm.CONTENT_EDIT)  # the composer is where a post is opened
    with (
        st.sidebar,
        st.expander(f":material/notifications_active: {total} unread notification(s)", expanded=True),
    ):
        for n in unread:
            st.markdown(f"{plain(n.text)}  \n:gray[{n.created_at:%d %b %H:%M} UTC]")
            if n.post_id is not None and can_open:
                st.page_link(
                    "pages/plan/compose.py", label="Open the post", query_params={"post": str(n.post_id)}
                )
        if st.button("Mark all read", key="notifications_read", icon=":material/done_all:"):
            perform(lambda s: notifications.mark_read(s, actor), "Notifications marked read.")
