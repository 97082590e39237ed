"""The "Severity & chain" part of the Crisis page: the levels, then the chains, read once."""

from __future__ import annotations

import streamlit as st

from app.db import read_session
from app.services.crisis import chains, severity
from app.ui.context import PageContext
from app.ui.crisis.chains import chains_section
from app.ui.crisis.levels import severity_levels_section


def severity_and_chains(ctx: PageContext) -> None:
    """Both tables with their forms (inside the caller's container)."""
    with read_session() as session:
        levels = severity.list_levels(session, ctx.actor)
        infos = chains.list_chains(session, ctx.actor)
    if ctx.brand is not None:  # the chosen brand's chains and the workspace defaults
        infos = [c for c in infos if c.brand_id in (None, ctx.brand.id)]
    severity_levels_section(ctx, levels)
    st.divider()
    chains_section(ctx, infos, levels)
