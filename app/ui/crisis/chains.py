"""The notification chains on the Crisis page: who is told, how and when, step by step, in words; and,
for whoever runs the crisis room, forms to add, change and delete a chain (its steps edited as a small
table, in order) through app.services.crisis.chains (a refusal is shown under the form, naming the
field)."""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

from app.db import read_session
from app.services.community import policies
from app.services.crisis import ChainInfo, LevelInfo, chains
from app.ui.context import PageContext
from app.ui.widgets import perform, pick_loaded, save_or_delete, table

WORKSPACE = 0
STEP_COLUMNS = ["person", "or who (a role or contact)", "how", "after (minutes)"]
VIA_BY_LABEL = {label: via.value for via, label in chains.VIA_LABELS.items()}


def _when(minutes: int) -> str:
    return "at once" if minutes == 0 else f"after {policies.duration_text(minutes)}"


def chain_frame(infos: list[ChainInfo]) -> pd.DataFrame:
    """One row a step, in the order people are told."""
    rows = [
        {
            "severity": c.severity_label,
            "chain": c.name,
            "applies to": c.brand_name,
            "step": s.position,
            "who": s.who,
            "how": s.via_label,
            "when": _when(s.after_minutes),
        }
        for c in infos
        for s in c.steps
    ]
    return pd.DataFrame(rows, columns=["severity", "chain", "applies to", "step", "who", "how", "when"])


def _steps_editor(key: str, current: ChainInfo | None, people: dict[str, int]) -> pd.DataFrame:
    names = {v: k for k, v in people.items()}
    rows = [
        {
            STEP_COLUMNS[0]: names.get(s.user_id, "") if s.user_id else "",
            STEP_COLUMNS[1]: s.contact,
            STEP_COLUMNS[2]: s.via_label,
            STEP_COLUMNS[3]: s.after_minutes,
        }
        for s in (current.steps if current else ())
    ]
    if not rows:
        rows = [{STEP_COLUMNS[0]: "", STEP_COLUMNS[1]: "", STEP_COLUMNS[2]: "E-mail", STEP_COLUMNS[3]: 0}]
    return st.data_editor(
        pd.DataFrame(rows, columns=STEP_COLUMNS),
        key=key,
        num_rows="dynamic",
        hide_index=True,
        column_config={
            STEP_COLUMNS[0]: st.column_config.SelectboxColumn(options=["", *people]),
            STEP_COLUMNS[1]: st.column_config.TextColumn(max_chars=254),
            STEP_COLUMNS[2]: st.column_config.SelectboxColumn(options=list(VIA_BY_LABEL)),
            STEP_COLUMNS[3]: st.column_config.NumberColumn(min_value=0, step=5),
        },
    )


def step_values(frame: pd.DataFrame, people: dict[str, int]) -> list[dict[str, Any]]:
    """The edited rows as the service takes them, blank rows left out."""
    out = []
    for row in frame.to_dict("records"):
        person = row.get(STEP_COLUMNS[0]) or ""
        contact = row.get(STEP_COLUMNS[1]) or ""
        if not isinstance(person, str) or pd.isna(person):
            person = ""
        if not isinstance(contact, str):
            contact = ""
        if not person and not contact.strip():
            continue
        after = row.get(STEP_COLUMNS[3])
        via = row.get(STEP_COLUMNS[2])
        out.append(
            {
                "user": people.get(person),
                "contact": contact,
                "via": VIA_BY_LABEL.get(via, via if isinstance(via, str) else ""),
                "after_minutes": 0 if after is None or pd.isna(after) else after,
            }
        )
    return out


def _add_form(ctx: PageContext, levels: list[LevelInfo], people: dict[str, int]) -> None:
    places = {WORKSPACE: "All brands (workspace default)"} if chains.can_manage(ctx.actor) else {}
    places.update({b.id: b.name for b in ctx.brands if chains.can_manage(ctx.actor, b.id)})
    by_id = {lv.id: lv.label for lv in levels}
    with st.form("chain_add"):
        left, mid, right = st.columns(3)
        brand = left.selectbox("Applies to", list(places), format_func=places.get, key="chain_add_brand")
        level = mid.selectbox("Severity", list(by_id), format_func=by_id.get, key="chain_add_level")
        name = right.text_input("Name", key="chain_add_name")
        frame = _steps_editor("chain_add_steps", None, people)
        if st.form_submit_button("Add chain", icon=":material/add:"):
            steps = step_values(frame, people)
            perform(
                lambda s: chains.create_chain(
                    s, ctx.actor, brand=brand or None, severity=level, name=name, steps=steps
                ),
                lambda c: f"Added the notification chain {c.name}.",
            )


def _edit_form(
    ctx: PageContext, editable: list[ChainInfo], levels: list[LevelInfo], people: dict[str, int]
) -> None:
    prefix, current = pick_loaded(
        "Chain to change", editable, lambda c: f"{c.name} ({c.brand_name})", "chain_edit"
    )
    levels_by_id = {lv.id: lv.label for lv in levels}
    with st.form(prefix):
        left, right = st.columns(2)
        name = left.text_input("Name", value=current.name, key=f"{prefix}_name")
        level_ids = list(levels_by_id)
        level = right.selectbox(
            "Severity",
            level_ids,
            index=level_ids.index(current.severity_id) if current.severity_id in level_ids else 0,
            format_func=levels_by_id.get,
            key=f"{prefix}_level",
        )
        frame = _steps_editor(f"{prefix}_steps", current, people)
        save_or_delete(
            prefix,
            "chain",
            lambda s: chains.update_chain(
                s,
                ctx.actor,
                current.id,
                version=current.version,
                name=name,
                severity=level,
                steps=step_values(frame, people),
            ),
            lambda c: f"Saved the notification chain {c.name}.",
            lambda s: chains.delete_chain(s, ctx.actor, current.id, version=current.version),
            f"Deleted the notification chain {current.name}.",
        )


def chains_section(ctx: PageContext, infos: list[ChainInfo], levels: list[LevelInfo]) -> None:
    """The chains and, for whoever runs the crisis room, their forms."""
    st.markdown("**Notification chains** (who is told, in order, counted from the incident's opening)")
    table(chain_frame(infos), name="notification-chains")
    if not any(chains.can_manage(ctx.actor, b) for b in (None, *(b.id for b in ctx.brands))):
        st.caption("Whoever runs the crisis room (community managers, managers, admins) sets the chains.")
        return
    if not levels:
        st.caption("Add a severity level first; a chain belongs to one.")
        return
    with read_session() as session:
        people = {label: pid for pid, label in chains.people(session, ctx.actor)}
    editable = [c for c in infos if chains.can_manage(ctx.actor, c.brand_id)]
    add, edit = st.tabs(["Add a chain", "Change or delete a chain"])
    with add:
        _add_form(ctx, levels, people)
    with edit:
        if editable:
            _edit_form(ctx, editable, levels, people)
        else:
            st.caption("No chain you may change yet.")
