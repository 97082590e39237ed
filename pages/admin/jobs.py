"""Jobs & connections: the health of each channel's connection and what the scheduled jobs did in the
last 48 hours; running and pausing jobs from here comes later."""

import streamlit as st

from app.db import read_session
from app.services import ops
from app.services.permissions import Perm
from app.ui import page_charts
from app.ui.components import coming_soon, page_header, table
from app.ui.context import page_context
from app.ui.publishing_controls import pause_switches

ctx = page_context()
page_header("Jobs & connections", ctx)
WHEN = "D MMM, HH:mm"

with read_session() as session:
    health = ops.connector_health(session, ctx.actor, ctx.brand_ids)
    # Jobs run for every brand at once, so only workspace-level roles read their runs.
    sees_jobs = ctx.actor.can(Perm.CONNECTIONS_VIEW)
    summary = ops.job_summary(session, ctx.actor) if sees_jobs else None
    runs = ops.recent_job_runs(session, ctx.actor, hours=48) if sees_jobs else None

st.subheader("Connections")
broken = int((health["status"] == "broken").sum()) if not health.empty else 0
if broken:
    st.error(f"{broken} connection(s) are broken: nothing publishes or imports on those channels.")
table(
    page_charts.status_pills(health, "status") if not health.empty else health,
    name="connections",
    download=health,
    column_config={
        "status": page_charts.pill_column("status", page_charts.HEALTH_COLORS),
        **{
            c: st.column_config.DatetimeColumn(c, format=WHEN)
            for c in ("last success", "last error at", "token expires")
        },
    },
)

st.subheader("Jobs")
if summary is None or runs is None:
    st.caption("Job runs cover every brand; they are shown to workspace-level managers and admins.")
else:
    table(
        summary, name="job-summary", column_config={"last run": st.column_config.DatetimeColumn(format=WHEN)}
    )
    if not runs.empty:
        st.altair_chart(page_charts.runs_per_hour(runs))
    table(runs, name="job-runs", column_config={"started": st.column_config.DatetimeColumn(format=WHEN)})

pause_switches(ctx)

coming_soon(
    "running the jobs",
    [
        "Publish, inbox and metrics jobs, with a runner schedule shown and editable here",
        "Run a job now, and see its log line by line",
        "Pause publishing for a brand or the workspace, with the reason logged",
        "A red banner on every page while a connection is broken or a token is about to expire",
    ],
)
