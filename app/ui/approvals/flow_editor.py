"""The approval-flow editor on the Approvals page: a table of stages (name, role or people, any/all)
turned into the service's input by a pure function (AppTest cannot edit a data editor, so the
translation is tested on its own)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import pandas as pd
import streamlit as st

from app.db import read_session
from app.services.approvals import FlowView, StageInput
from app.services.approvals import flows as approval_flows
from app.services.content import editor_choices
from app.services.core import Actor, Perm
from app.ui.widgets import Labels, perform

COLUMNS = ["stage", "role", "approvers", "rule"]
NEW = 0


def stages_frame(stages: Iterable[StageInput]) -> pd.DataFrame:
    rows = [
        {"stage": s.name, "role": s.role or "", "approvers": ", ".join(s.approvers), "rule": s.rule}
        for s in stages
    ]
    return pd.DataFrame(
        rows or [{"stage": "", "role": "approver", "approvers": "", "rule": "any"}], columns=COLUMNS
    )


def rows_to_stages(rows: Iterable[Mapping[str, Any]]) -> list[StageInput]:
    """Editor rows → stages, in order; blank rows are dropped, e-mails split on commas, semicolons or
    spaces. Checking the values is the service's job (it names the stage that is wrong)."""
    out = []
    for row in rows:
        name = str(row.get("stage") or "").strip()
        role = str(row.get("role") or "").strip().lower() or None
        raw = str(row.get("approvers") or "").replace(";", ",").replace(" ", ",")
        people = tuple(e.strip().lower() for e in raw.split(",") if e.strip())
        if not (name or role or people):
            continue
        out.append(StageInput(name, role, people, str(row.get("rule") or "any").strip().lower()))
    return out


def flow_editor(actor: Actor, brand_id: int, flows: list[FlowView]) -> None:
    if not actor.can(Perm.FLOWS_MANAGE, brand_id):
        st.caption("Managers and admins set up approval flows.")
        return
    # The brand's flows first (active ones on top), so the page opens on the flow in use.
    options = Labels({**{f.id: f.name + ("" if f.active else " (off)") for f in flows}, NEW: "+ New flow"})
    chosen = st.selectbox("Flow", list(options), key=f"flow_pick_{brand_id}", format_func=options)
    current = next((f for f in flows if f.id == chosen), None)
    with read_session() as session:
        # A flow keeps its campaign when that campaign is over or archived (saving must not widen it).
        keep = current.campaign_id if current else None
        campaigns = dict(editor_choices(session, actor, brand_id, keep_campaign=keep).campaigns)
    with st.form(f"flow_{chosen}_{current.version if current else 0}"):
        name = st.text_input("Name", current.name if current else "")
        camp_options = Labels({NEW: "Every post of the brand", **campaigns})
        camp = st.selectbox(
            "Applies to",
            list(camp_options),
            format_func=camp_options,
            index=list(camp_options).index(current.campaign_id)
            if current and current.campaign_id in campaigns
            else 0,
        )
        table = st.data_editor(
            stages_frame(current.stages if current else []),
            num_rows="dynamic",
            hide_index=True,
            key=f"flow_rows_{chosen}",
            column_config={
                "stage": st.column_config.TextColumn("stage", required=True),
                "role": st.column_config.SelectboxColumn(
                    "role", options=["", "approver", "manager", "admin"]
                ),
                "approvers": st.column_config.TextColumn("named people (e-mails)", help="Instead of a role"),
                "rule": st.column_config.SelectboxColumn(
                    "must approve", options=["any", "all"], required=True
                ),
            },
        )
        st.caption(
            "Stages run top to bottom. A stage names a role or people; 'all' waits for every one of them."
        )
        if st.form_submit_button("Save flow", type="primary"):
            stages = rows_to_stages(table.to_dict("records"))
            perform(
                lambda s: approval_flows.save_flow(
                    s,
                    actor,
                    brand_id=brand_id,
                    name=name,
                    stages=stages,
                    campaign_id=camp or None,
                    flow_id=current.id if current else None,
                    expected_version=current.version if current else None,
                ),
                f"Flow {name!r} saved.",
            )
    if current is not None:
        label = "Switch this flow off" if current.active else "Switch this flow on"
        if st.button(label, key=f"flow_toggle_{current.id}"):
            perform(
                lambda s: approval_flows.set_flow_active(s, actor, current.id, not current.active),
                "Flow updated.",
            )
