"""The Google Sheets part of Jobs & connections: each connected worksheet's last sync (when, how many
requests, the error in Google's words) and its open problems, so a broken sheet shows up beside the
broken platform connections. Deciding problems and Sync now live in Settings → Sheets."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from app.db import read_session
from app.models.sheets import SyncStatus
from app.sheets import bindings
from app.ui.context import PageContext
from app.ui.widgets import table

COLUMNS = [
    "brand",
    "worksheet",
    "tab",
    "on",
    "last sync",
    "status",
    "requests",
    "open problems",
    "last error",
]


def sheets_health_section(ctx: PageContext) -> None:
    with read_session() as session:
        connected = bindings.list_bindings(session, ctx.actor, list(ctx.brand_ids))
    st.subheader("Google Sheets")
    if not connected:
        st.caption(
            "No worksheet is mirrored to Google Sheets for these brands (Settings → Sheets connects one)."
        )
        return
    schemas = bindings.schema_choices()
    frame = pd.DataFrame(
        [
            {
                "brand": b.brand,
                "worksheet": schemas.get(b.schema, b.schema),
                "tab": b.worksheet,
                "on": b.enabled,
                "last sync": b.last_sync_at,
                "status": b.last_status,
                "requests": b.last_requests,
                "open problems": b.open_problems,
                "last error": b.last_error,
            }
            for b in connected
        ],
        columns=COLUMNS,
    )
    failing = frame[frame["status"] == SyncStatus.FAILED.value]
    if not failing.empty:
        st.error(
            f"{len(failing)} worksheet(s) failed their last sync; the error is in the table. "
            "Edits made in those sheets wait until a sync succeeds.",
            icon=":material/sync_problem:",
        )
    table(
        frame,
        name="sheets-health",
        column_config={"last sync": st.column_config.DatetimeColumn(format="D MMM, HH:mm")},
    )
    st.caption("Sync now and the open problems are in Settings → Sheets.")
