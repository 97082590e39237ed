"""Jobs & connections: each channel's connection (status, last success, last error in the platform's
words, token expiry, rate-limit headroom, with "Check now"), and each scheduled job (last and next run,
duration, counts, failures, lateness, runs interrupted by a dead process) with the runs of the last days."""

import streamlit as st

from app.config import ConfigError
from app.db import read_session
from app.services import ops
from app.services.core import Perm, ServiceError
from app.services.ops import default_timings
from app.services.ops import timings as job_timings
from app.services.platforms import connections
from app.ui.context import page_context
from app.ui.ops import views as ops_views
from app.ui.publishing import pause_switches
from app.ui.sheets import health as sheets_health
from app.ui.shell import health_banner
from app.ui.widgets import coming_soon, page_charts, page_header, plain, table

ctx = page_context()
page_header("Jobs & connections", ctx)
WHEN = "D MMM, HH:mm"
DAYS = 7

st.subheader("Connections")
checkable = (
    connections.checkable_channels(ctx.actor, ctx.brand.slug if ctx.brand else None)
    if ctx.actor.can_anywhere(Perm.CONNECTIONS_MANAGE)
    else []
)
if checkable:
    pick, one, every = st.columns([3, 1, 1], vertical_alignment="bottom")
    slug = pick.selectbox("Channel", checkable, key="check_channel")
    clicked_one = one.button("Check now", icon=":material/network_check:", key="check_one")
    clicked_all = every.button(f"Check all {len(checkable)}", icon=":material/sync:", key="check_all")
    if clicked_one or clicked_all:
        try:
            with st.spinner("Asking the platforms…"):
                checks = (
                    connections.check_connections(ctx.actor, ctx.brand.slug if ctx.brand else None)
                    if clicked_all
                    else [connections.check_connection(ctx.actor, slug)]
                )
        except ServiceError as exc:
            st.warning(str(exc))
            checks = []
        health_banner.clear()
        for c in checks:
            say = st.success if c.ok else st.error
            say(f"**{plain(c.channel)}**: {c.status} — {plain(c.message)}")

try:
    timings = job_timings()
except ConfigError as exc:  # a typo in [jobs] must not hide the connections
    st.error(f"The job schedule cannot be read, so the default cadences are shown: {plain(exc)}")
    timings = default_timings()

with read_session() as session:
    health = ops.connector_health(session, ctx.actor, ctx.brand_ids)
    # Jobs run for every brand at once, so only workspace-level roles read their runs.
    sees_jobs = ctx.actor.can(Perm.CONNECTIONS_VIEW)
    jobs = ops.job_health(session, ctx.actor, timings) if sees_jobs else None
    per_day = ops.runs_by_day(session, ctx.actor, days=DAYS) if sees_jobs else None
    runs = ops.recent_job_runs(session, ctx.actor, hours=48, timings=timings) if sees_jobs else None

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
            for c in ("last success", "last error at", "token expires", "rate limit resets")
        },
    },
)

sheets_health.sheets_health_section(ctx)

st.subheader("Jobs")
if jobs is None or per_day is None or runs is None:
    st.caption("Job runs cover every brand; they are shown to workspace-level managers and admins.")
else:
    late = jobs[jobs["state"] == "late"]
    if not late.empty:
        st.error(
            f"Not succeeded on time: {plain(', '.join(late['job']))}. Is `python -m jobs.runner` running?"
        )
    interrupted = jobs[jobs["state"] == "interrupted"]
    if not interrupted.empty:
        st.error(
            f"Interrupted: {plain(', '.join(interrupted['job']))}: the last run's process died before it "
            "finished (see its error). The next run records it and does the work again; is "
            "`python -m jobs.runner` still running?"
        )
    st.caption(
        "Cadences come from `[jobs]` in secrets.toml or `SOCIALOPS_JOB_<NAME>`; a job is late when it has not "
        "succeeded for two cadences plus its grace. Runner: `python -m jobs.runner`."
    )
    table(
        page_charts.status_pills(jobs, "state"),
        name="jobs",
        download=jobs,
        column_config={
            "state": page_charts.pill_column("state", ops_views.JOB_STATE_COLORS),
            **{
                c: st.column_config.DatetimeColumn(c, format=WHEN)
                for c in ("last run", "next run", "last success")
            },
        },
    )
    if not per_day.empty:
        st.altair_chart(ops_views.runs_by_day(per_day, DAYS))
    with st.expander(f"Every run of the last 48 hours ({len(runs)})"):
        table(runs, name="job-runs", column_config={"started": st.column_config.DatetimeColumn(format=WHEN)})

pause_switches(ctx)

coming_soon(
    "running the jobs from here",
    [
        "Run a job now, and see its log line by line",
        "Edit the runner's schedule here instead of in secrets.toml",
    ],
)
