"""Crisis: incidents of the period (and any still open), the timeline of the chosen one, and under
"Severity & chain" the severity matrix and the notification chains with their forms; the live crisis
room comes later."""

import streamlit as st

from app.db import read_session
from app.services.crisis import incidents as crisis
from app.ui.context import page_context
from app.ui.crisis import severity_and_chains
from app.ui.publishing import pause_switches
from app.ui.widgets import coming_soon, page_header, show_flash, table

ctx = page_context()
page_header("Crisis", ctx)
show_flash()
AT = {"at": st.column_config.DatetimeColumn("at", format="D MMM YYYY, HH:mm")}
pause_switches(ctx)  # the first move in a crisis, at the top of the room

every = st.toggle("Every past incident, whatever the period", key="crisis_all")

with read_session() as session:
    period = (None, None) if every else (ctx.start, ctx.end)
    incidents = crisis.list_incidents(session, ctx.actor, ctx.brand_ids, *period)
    st.subheader("Incidents")
    if incidents.empty and not every:
        st.info(
            "No incident opened in this period, and none still open. Switch on the toggle to see past ones."
        )
    table(
        incidents.drop(columns=["id"]),
        name="incidents",
        column_config={
            "opened": st.column_config.DatetimeColumn("opened", format="D MMM YYYY, HH:mm"),
            "resolved": st.column_config.DatetimeColumn("resolved", format="D MMM YYYY, HH:mm"),
            "summary": st.column_config.TextColumn("summary", width="large"),
        },
    )
    if not incidents.empty:
        titles = dict(
            zip(incidents["id"], incidents["incident"] + " (" + incidents["brand"] + ")", strict=True)
        )
        chosen = st.selectbox("Timeline of", list(titles), format_func=titles.get, key="crisis_incident")
        timeline = crisis.incident_timeline(session, ctx.actor, int(chosen))
        table(
            timeline,
            name="incident-timeline",
            column_config=AT | {"entry": st.column_config.TextColumn(width="large")},
        )

with st.expander("Severity & chain", icon=":material/campaign:"):
    severity_and_chains(ctx)

coming_soon(
    "the crisis room",
    [
        "Pause all publishing for a brand or the whole workspace in one click, with the reason logged",
        "Holding statements drafted from templates, approved and posted from the room",
        "The notification chain run for the incident's severity: who was told, how, and who acknowledged",
        "A shared timeline of notes, actions and statements, and the post-mortem when it is over",
    ],
)
