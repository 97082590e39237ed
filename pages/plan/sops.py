"""SOPs: the checklist library (versions, revising, requirements that gate posts), open checklist runs
to work through, overdue steps, and the completion history."""

import streamlit as st

from app.db import read_session
from app.models.enums import SopRunStatus
from app.services.sops import details as sop_details
from app.services.sops import reads as sops
from app.ui.context import page_context
from app.ui.sops import charts as sop_charts
from app.ui.sops import panels as sop_panels
from app.ui.widgets import page_charts, page_header, show_flash, table

ctx = page_context()
page_header("SOPs", ctx)
show_flash()

with read_session() as session:
    templates = sops.list_templates(session, ctx.actor, ctx.brand_ids)
    requirements = sop_details.list_requirements(session, ctx.actor, ctx.brand_ids)
    open_runs = sops.list_runs(session, ctx.actor, ctx.brand_ids, [SopRunStatus.OPEN])
    overdue = sops.overdue_steps(session, ctx.actor, ctx.brand_ids)
    history = sop_details.completion_history(session, ctx.actor, ctx.brand_ids, ctx.start, ctx.end)

st.caption(f"{len(templates)} templates · {len(open_runs)} open runs · {len(overdue)} overdue steps")
# Stable labels and a key: the open tab survives the reruns that starting or ticking a checklist causes.
library_tab, runs_tab, overdue_tab, history_tab = st.tabs(
    ["Library", "Runs", "Overdue", "History"], key="sop_tab"
)
with library_tab:
    sop_panels.library(ctx, templates)
    sop_panels.requirements(ctx, requirements)

with runs_tab:
    if not open_runs.empty:
        st.altair_chart(page_charts.run_progress(open_runs.head(40)))
    table(open_runs, name="sop-open-runs", column_config=sop_panels.TIMES)
    if not open_runs.empty:
        sop_panels.run_panel(ctx, open_runs)
    sop_panels.start_panel(ctx)

with overdue_tab:
    st.caption(f"{len(overdue)} steps are past due on open checklists, most overdue first.")
    table(overdue, name="sop-overdue", column_config=sop_panels.TIMES)

with history_tab:
    st.caption(
        "Checklists completed in the period: who started them, who made the last tick, how long it took."
    )
    weekly = sop_details.completions_per_week(history)
    if not weekly.empty:
        st.altair_chart(sop_charts.completions_per_week(weekly))
    table(history, name="sop-history", column_config=sop_panels.TIMES)
