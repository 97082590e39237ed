"""The severity matrix on the Crisis page: the levels as people read them (respond within "30 min",
publishing paused or not) and, for managers and admins of the workspace, forms to add, change and
delete a level through app.services.crisis.severity (a refusal is shown under the form, naming the
field)."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from app.services.community import policies
from app.services.crisis import LevelInfo, severity
from app.ui.context import PageContext
from app.ui.widgets import perform, pick_loaded, save_or_delete, table


def level_frame(levels: list[LevelInfo]) -> pd.DataFrame:
    rows = [
        {
            "level": lv.label,
            "respond within": policies.duration_text(lv.response_minutes),
            "publishing": "paused" if lv.pause_publishing else "goes on",
            "description": lv.description,
            "criteria": lv.criteria,
        }
        for lv in levels
    ]
    return pd.DataFrame(rows, columns=["level", "respond within", "publishing", "description", "criteria"])


def _fields(prefix: str, current: LevelInfo | None, next_level: int) -> dict[str, object]:
    left, mid, right = st.columns([1, 2, 2])
    level = left.number_input(
        "Level", min_value=0, max_value=99, step=1, value=current.level if current else next_level,
        key=f"{prefix}_level",
    )  # fmt: skip
    name = mid.text_input("Name", value=current.name if current else "", key=f"{prefix}_name")
    minutes = right.number_input(
        "Respond within (minutes)", min_value=0, step=5, value=current.response_minutes if current else 60,
        key=f"{prefix}_minutes",
    )  # fmt: skip
    description = st.text_input(
        "Description", value=current.description if current else "", key=f"{prefix}_description"
    )
    criteria = st.text_area("Criteria", value=current.criteria if current else "", key=f"{prefix}_criteria")
    pause = st.checkbox(
        "An incident of this level pauses publishing",
        value=current.pause_publishing if current else False,
        key=f"{prefix}_pause",
    )
    return {
        "level": int(level),
        "name": name,
        "response_minutes": int(minutes),
        "description": description,
        "criteria": criteria,
        "pause_publishing": bool(pause),
    }


def _add_form(ctx: PageContext, levels: list[LevelInfo]) -> None:
    with st.form("sev_add"):
        values = _fields("sev_add", None, max((lv.level for lv in levels), default=0) + 1)
        if st.form_submit_button("Add level", icon=":material/add:"):
            perform(
                lambda s: severity.create_level(s, ctx.actor, **values),  # type: ignore[arg-type]
                lambda lv: f"Added severity level {lv.label}.",
            )


def _edit_form(ctx: PageContext, levels: list[LevelInfo]) -> None:
    prefix, current = pick_loaded("Level to change", levels, lambda lv: lv.label, "sev_edit")
    with st.form(prefix):
        values = _fields(prefix, current, current.level)
        save_or_delete(
            prefix,
            "level",
            lambda s: severity.update_level(s, ctx.actor, current.id, version=current.version, **values),
            lambda lv: f"Saved severity level {lv.label}.",
            lambda s: severity.delete_level(s, ctx.actor, current.id, version=current.version),
            f"Deleted severity level {current.label}.",
            confirm="Yes, delete this level and its notification chains",
        )


def severity_levels_section(ctx: PageContext, levels: list[LevelInfo]) -> None:
    """The matrix and, for workspace managers and admins, its forms."""
    st.markdown("**Severity levels** (1 is the mildest)")
    table(level_frame(levels), name="severity-levels")
    if not severity.can_manage(ctx.actor):
        st.caption("Managers and admins of the workspace set the severity levels.")
        return
    add, edit = st.tabs(["Add a level", "Change or delete a level"])
    with add:
        _add_form(ctx, levels)
    with edit:
        if levels:
            _edit_form(ctx, levels)
        else:
            st.caption("No level yet.")
