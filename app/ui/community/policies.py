"""The response-time policies on the Inbox page: a table people read (priority, first response and
resolution as "1 h 30 min", around the clock or business hours) and, for managers and admins, forms to
add, change and delete a policy through app.services.community.policies (permission, audit, stale
copies refused; a refusal is shown under the form, naming the field)."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from app.db import read_session
from app.services.community import PolicyInfo, policies
from app.services.core import Perm
from app.ui.context import PageContext
from app.ui.widgets import perform, pick_loaded, save_or_delete, table

WORKSPACE = 0  # the "All brands" choice of the brand picker
PRIORITIES = [p.value for p in policies.PRIORITY_ORDER]


def policy_frame(infos: list[PolicyInfo]) -> pd.DataFrame:
    """One row a policy, in words."""
    rows = [
        {
            "applies to": p.brand_name,
            "priority": p.priority_label,
            "first response within": policies.duration_text(p.first_response_minutes),
            "resolved within": policies.duration_text(p.resolution_minutes) or "no target",
            "clock": "business hours only" if p.business_hours_only else "around the clock",
        }
        for p in infos
    ]
    columns = ["applies to", "priority", "first response within", "resolved within", "clock"]
    return pd.DataFrame(rows, columns=columns)


def _writable_brands(ctx: PageContext) -> dict[int, str]:
    """Where this person may set policies: the workspace default (0) and the brands they manage."""
    out = {WORKSPACE: "All brands (workspace default)"} if policies.can_manage(ctx.actor) else {}
    out.update({b.id: b.name for b in ctx.brands if policies.can_manage(ctx.actor, b.id)})
    return out


def _fields(prefix: str, current: PolicyInfo | None) -> dict[str, object]:
    """The policy's inputs inside a form; returns the values as the service takes them."""
    priority = st.selectbox(
        "Priority",
        PRIORITIES,
        index=PRIORITIES.index(current.priority.value) if current else 2,
        format_func=str.capitalize,
        key=f"{prefix}_priority",
    )
    left, right = st.columns(2)
    first = left.number_input(
        "First response within (minutes)",
        min_value=0,
        step=5,
        value=current.first_response_minutes if current else 60,
        key=f"{prefix}_first",
    )
    resolution = right.number_input(
        "Resolved within (minutes, 0 for no target)",
        min_value=0,
        step=30,
        value=(current.resolution_minutes or 0) if current else 0,
        key=f"{prefix}_resolution",
    )
    hours = st.checkbox(
        "Count business hours only",
        value=current.business_hours_only if current else False,
        key=f"{prefix}_hours",
    )
    return {
        "priority": priority,
        "first_response_minutes": int(first),
        "resolution_minutes": int(resolution) or None,
        "business_hours_only": bool(hours),
    }


def _add_form(ctx: PageContext, brands: dict[int, str]) -> None:
    with st.form("sla_add", clear_on_submit=False):
        st.markdown("**Add a policy**")
        brand = st.selectbox("Applies to", list(brands), format_func=brands.get, key="sla_add_brand")
        values = _fields("sla_add", None)
        if st.form_submit_button("Add policy", icon=":material/add:"):
            perform(
                lambda s: policies.create_policy(
                    s,
                    ctx.actor,
                    brand=brand or None,
                    **values,  # type: ignore[arg-type]
                ),
                lambda p: f"Added the response-time policy {p.label}.",
            )


def _edit_form(ctx: PageContext, editable: list[PolicyInfo]) -> None:
    prefix, current = pick_loaded("Policy to change", editable, lambda p: p.label, "sla_edit")
    with st.form(prefix):
        values = _fields(prefix, current)
        save_or_delete(
            prefix,
            "policy",
            lambda s: policies.update_policy(s, ctx.actor, current.id, version=current.version, **values),
            lambda p: f"Saved the response-time policy {p.label}.",
            lambda s: policies.delete_policy(s, ctx.actor, current.id, version=current.version),
            f"Deleted the response-time policy {current.label}.",
        )


def response_time_policies(ctx: PageContext) -> None:
    """The policies and, for those who may set them, the forms (inside the caller's container)."""
    with read_session() as session:
        infos = policies.list_policies(session, ctx.actor)
    st.caption(
        "How fast the team answers a message of each priority. A brand's own policy replaces the "
        "workspace default for that priority."
    )
    table(policy_frame(infos), name="response-time-policies")
    if not ctx.actor.can_anywhere(Perm.POLICIES_MANAGE):
        st.caption("Managers and admins set these policies.")
        return
    brands = _writable_brands(ctx)
    editable = [p for p in infos if policies.can_manage(ctx.actor, p.brand_id)]
    add, edit = st.tabs(["Add a policy", "Change or delete"])
    with add:
        _add_form(ctx, brands)
    with edit:
        if editable:
            _edit_form(ctx, editable)
        else:
            st.caption("No policy you may change yet.")
