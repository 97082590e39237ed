"""Strategy: each brand's objectives, audience segments, content pillars and campaigns, read by everyone
and created, edited and archived by those who may change the strategy (managers and admins)."""

import streamlit as st

from app.services.core import Perm
from app.ui.context import page_context
from app.ui.strategy import campaigns_tab, objectives_tab, pillars_tab, segments_tab
from app.ui.widgets import plain, show_flash

ctx = page_context()
st.title("Strategy")
# Not the sidebar's period: objectives and campaigns carry their own dates.
st.caption(f"{plain(ctx.scope_label)} · what the posts are for, whatever the period chosen")
show_flash()
if not ctx.can(Perm.STRATEGY_EDIT):
    st.caption("Managers and admins change the strategy; you can read it here.")

# A key keeps the open tab through the reruns that saving causes.
objectives, segments, pillars, campaigns = st.tabs(
    ["Objectives", "Audience segments", "Content pillars", "Campaigns"], key="strategy_tab"
)
with objectives:
    objectives_tab(ctx)
with segments:
    segments_tab(ctx)
with pillars:
    pillars_tab(ctx)
with campaigns:
    campaigns_tab(ctx)
