"""Notices shown at the top of every page: demo data, local (no sign-in) mode, paused publishing. (Acting
as someone in local mode has its own banner, in acting.)"""

from __future__ import annotations

import streamlit as st

from app.ui.context import PageContext


def show_banners(ctx: PageContext, publishing_paused: bool) -> None:
    if ctx.local_mode and not ctx.actor.acted_by:  # while acting, the acting banner says who
        st.caption(
            f":material/person: Running as the local admin ({ctx.actor.email}): no sign-in is configured. "
            "Add an `[auth]` section to `.streamlit/secrets.toml` to require sign-in. To try another role "
            "(write as an editor, approve as an approver), act as one of the workspace's people: **Act as** "
            "in the sidebar (people are added in Settings → Users)."
        )
    if ctx.is_demo:
        st.info(
            "This workspace holds generated **demo data** (an agency with brands in Singapore, Malaysia and "
            "Indonesia). To start clean: `python -m app db reset`, or Settings → Workspace.",
            icon=":material/science:",
        )
    if publishing_paused:
        st.warning("Publishing is paused for the whole workspace.", icon=":material/pause_circle:")
