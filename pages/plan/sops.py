"""SOPs: checklist templates and their steps, the open checklist runs with their progress, overdue
steps and finished runs; working a checklist from here comes later."""

import streamlit as st

from app.db import read_session
from app.models.enums import SopRunStatus
from app.services import sops
from app.ui import page_charts
from app.ui.components import coming_soon, page_header, table
from app.ui.context import page_context

ctx = page_context()
page_header("SOPs", ctx)
TIMES = {
    "started": st.column_config.DatetimeColumn("started", format="D MMM, HH:mm"),
    "due": st.column_config.DatetimeColumn("due", format="D MMM, HH:mm"),
    "progress": st.column_config.ProgressColumn("progress", min_value=0, max_value=1, format="percent"),
}

templates_tab, open_tab, overdue_tab, history_tab = st.tabs(
    ["Templates", "Open runs", "Overdue steps", "History"]
)
with read_session() as session:
    templates = sops.list_templates(session, ctx.actor, ctx.brand_ids)
    open_runs = sops.list_runs(session, ctx.actor, ctx.brand_ids, [SopRunStatus.OPEN])
    overdue = sops.overdue_steps(session, ctx.actor, ctx.brand_ids)
    done_statuses = [SopRunStatus.COMPLETE, SopRunStatus.CANCELLED]
    history = sops.list_runs(session, ctx.actor, ctx.brand_ids, done_statuses, ctx.start, ctx.end)
    with templates_tab:
        table(templates, name="sop-templates")
        if not templates.empty:
            names = dict(zip(templates["slug"], templates["template"], strict=True))
            slug = st.selectbox("Steps of", list(names), format_func=names.get, key="sop_template")
            table(sops.template_steps(session, ctx.actor, slug), name=f"sop-steps-{slug}")

with open_tab:
    if not open_runs.empty:
        st.altair_chart(page_charts.run_progress(open_runs.head(40)))
    table(open_runs, name="sop-open-runs", column_config=TIMES)
with overdue_tab:
    st.caption(f"{len(overdue)} steps are past due on open checklists.")
    table(overdue, name="sop-overdue", column_config=TIMES)
with history_tab:
    st.caption("Checklists started in the period that were completed or cancelled.")
    table(history, name="sop-history", column_config=TIMES)

coming_soon(
    "working checklists",
    [
        "Checklists that gate scheduling: a post cannot be scheduled until its required steps are done",
        "Automatic checks ticked by the hub itself (alt text on every image, UTM tags on every link, legal stage)",
        "Versioned template editing: a change makes a new version, running checklists keep theirs",
        "Reminders to the step's owner role before and when a step falls due",
    ],
)
