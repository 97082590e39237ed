"""The working parts of the SOPs page: the template library (steps per version, revising, creating,
retiring, brand requirements) and checklist runs (ticking steps, re-checking, starting, cancelling).
Buttons a role may not use are shown greyed out with the reason; the services enforce every rule."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from app.db import read_session
from app.models.enums import PostType, Role, SopObjectType
from app.services.core import Perm
from app.services.sops import StepInput, check_labels
from app.services.sops import details as sop_details
from app.services.sops import reads as sops
from app.services.sops import runs as sop_runs
from app.services.sops import templates as sop_templates
from app.ui.context import PageContext
from app.ui.sops.editor import CHECK_OPTIONS, ROLE_OPTIONS, editor_frame, steps_from_editor, with_added_step
from app.ui.widgets import Labels, perform, plain, table

TIMES = {
    "started": st.column_config.DatetimeColumn("started", format="D MMM, HH:mm"),
    "due": st.column_config.DatetimeColumn("due", format="D MMM, HH:mm"),
    "done at": st.column_config.DatetimeColumn("done at", format="D MMM, HH:mm"),
    "completed": st.column_config.DatetimeColumn("completed", format="D MMM, HH:mm"),
    "created": st.column_config.DatetimeColumn("created", format="D MMM YYYY"),
    "progress": st.column_config.ProgressColumn("progress", min_value=0, max_value=1, format="percent"),
    "title": st.column_config.TextColumn("title", width="medium"),
    "found": st.column_config.TextColumn("found", width="large", help="What the automatic check found"),
}
NOT_MANAGER = "Only managers and admins change SOP templates and requirements."
NO_CHECK = ""
KINDS = Labels({k: k.value.capitalize() for k in SopObjectType})
CHECKS = Labels({NO_CHECK: "none (a person ticks it)", **check_labels()})
ROLES = Labels({"": "anyone who works checklists", **{r.value: r.label for r in Role}})
STEP_STATUSES = Labels({"done": "Done", "skipped": "Skipped (optional steps)", "failed": "Failed"})


def _steps_editor(current: pd.DataFrame, key: str) -> pd.DataFrame:
    return st.data_editor(
        editor_frame(current),
        num_rows="dynamic",
        hide_index=True,
        key=key,
        column_config={
            "step": st.column_config.NumberColumn("step", min_value=1, step=1, help="Order of the steps"),
            "title": st.column_config.TextColumn("title", required=True, max_chars=200),
            "instructions": st.column_config.TextColumn("instructions", width="large"),
            "owner role": st.column_config.SelectboxColumn("owner role", options=ROLE_OPTIONS),
            "automatic check": st.column_config.SelectboxColumn(
                "automatic check", options=CHECK_OPTIONS, format_func=CHECKS
            ),
            "required": st.column_config.CheckboxColumn("required", default=True),
            "due after (h)": st.column_config.NumberColumn("due after (h)", min_value=0, step=1),
        },
    )


def _revise(ctx: PageContext, slug: str, name: str, number: int, current: pd.DataFrame, may: bool) -> None:
    why = None if may else NOT_MANAGER
    with st.expander(f"Revise the steps (saves version {number + 1})", icon=":material/edit:"):
        st.caption("Open checklists keep the version they started with; new ones use the new version.")
        with st.form(f"sop_revise_{slug}"):
            edited = _steps_editor(current, key=f"sop_editor_{slug}")
            notes = st.text_input("What changed and why", key="sop_revise_notes")
            if st.form_submit_button(f"Save as version {number + 1}", disabled=not may, help=why):
                perform(
                    lambda s: sop_templates.revise_template(
                        s, ctx.actor, slug, steps_from_editor(edited), notes
                    ),
                    f"{name}: version {number + 1} saved.",
                )
        with st.form(f"sop_add_step_{slug}", clear_on_submit=True):
            st.markdown("**Add one step at the end**")
            title = st.text_input("Step title", key="sop_add_title")
            instructions = st.text_area("Instructions", key="sop_add_instructions", height=80)
            left, mid, right = st.columns(3)
            role = left.selectbox("Owner role", list(ROLES), format_func=ROLES, key="sop_add_role")
            check = mid.selectbox("Automatic check", list(CHECKS), format_func=CHECKS, key="sop_add_check")
            due = right.number_input("Due after (hours)", min_value=0, value=24, step=1, key="sop_add_due")
            required = st.checkbox("Required", value=True, key="sop_add_required")
            add_notes = st.text_input("Why the step is added", key="sop_add_notes")
            if st.form_submit_button("Add step as a new version", disabled=not may, help=why):
                step = StepInput(
                    title, instructions, Role(role) if role else None, check or None, required, int(due)
                )
                perform(
                    lambda s: sop_templates.revise_template(
                        s, ctx.actor, slug, with_added_step(current, step), add_notes
                    ),
                    f"{name}: version {number + 1} saved with the step {title!r}.",
                )


def library(ctx: PageContext, templates: pd.DataFrame) -> None:
    """Templates, the chosen one's steps per version, revising and retiring it, creating a new one."""
    table(templates, name="sop-templates")
    if not templates.empty:
        names = Labels(zip(templates["slug"], templates["template"], strict=True))
        slug = st.selectbox("Template", list(names), format_func=names, key="sop_template")
        row = templates.set_index("slug").loc[slug]
        with read_session() as session:
            current = sops.template_steps(session, ctx.actor, slug)
            versions = sops.template_versions(session, ctx.actor, slug)
            may = sop_templates.may_manage_template(session, ctx.actor, slug)
        number = int(row["current version"])
        state = "active" if row["active"] else "inactive: no new runs, not required of posts"
        st.subheader(f"{plain(names(slug))} · version {number}")
        st.caption(f"For a {row['applies to']} · {plain(row['brand'])} · {state}")
        table(current, name=f"sop-steps-{slug}")
        _revise(ctx, slug, names(slug), number, current, may)
        _history_of_versions(ctx, slug, versions)
        label = "Deactivate template" if row["active"] else "Reactivate template"
        if st.button(label, key="sop_toggle_active", disabled=not may, help=None if may else NOT_MANAGER):
            perform(
                lambda s: sop_templates.set_template_active(s, ctx.actor, slug, not bool(row["active"])),
                f"{names(slug)} is now {'inactive' if row['active'] else 'active'}.",
            )
    _create(ctx)


def _history_of_versions(ctx: PageContext, slug: str, versions: pd.DataFrame) -> None:
    st.markdown("**Versions**")
    table(versions, name=f"sop-versions-{slug}", column_config=TIMES)
    numbers = [int(n) for n in versions["version"]]
    if not numbers:
        return
    shown = st.selectbox(
        "Show version", numbers, format_func=Labels({n: f"Version {n}" for n in numbers}), key="sop_version"
    )
    with read_session() as session:
        steps = sops.template_steps(session, ctx.actor, slug, shown)
        changes = sops.step_changes(session, ctx.actor, slug, shown)
    left, right = st.columns(2)
    with left:
        st.caption(f"Steps of version {shown}")
        table(
            steps[["step", "title", "owner role", "automatic check", "required"]], name=f"sop-{slug}-v{shown}"
        )
    with right:
        st.caption(f"What version {shown} changed" + (f" against version {shown - 1}" if shown > 1 else ""))
        table(changes, name=f"sop-{slug}-v{shown}-changes")


def _create(ctx: PageContext) -> None:
    scopes = Labels({0: "Every brand (workspace template)"})
    if ctx.brand:
        scopes[ctx.brand.id] = f"{ctx.brand.name} only"
    with st.expander("Create a template", icon=":material/add:"), st.form("sop_create", clear_on_submit=True):
        name = st.text_input("Name", key="sop_new_name")
        description = st.text_input("What it is for", key="sop_new_description")
        kind = st.selectbox("Applies to", list(KINDS), format_func=KINDS, key="sop_new_kind")
        scope = st.selectbox("Available to", list(scopes), format_func=scopes, key="sop_new_scope")
        lines = st.text_area(
            "Steps, one title per line",
            key="sop_new_steps",
            help="Owner roles, checks and due times are set afterwards with Revise.",
        )
        # Workspace templates need the right workspace-wide, a brand's template on that brand.
        may = ctx.actor.can(Perm.SOP_MANAGE) or (
            ctx.brand is not None and ctx.actor.can(Perm.SOP_MANAGE, ctx.brand.id)
        )
        if st.form_submit_button("Create template", disabled=not may, help=None if may else NOT_MANAGER):
            steps = [StepInput(t.strip()) for t in lines.splitlines() if t.strip()]
            perform(
                lambda s: sop_templates.create_template(
                    s,
                    ctx.actor,
                    name=name,
                    applies_to=kind,
                    steps=steps,
                    brand=scope or None,
                    description=description,
                ),
                f"Template {name!r} created.",
            )


def requirements(ctx: PageContext, reqs: pd.DataFrame) -> None:
    """What the selected brand requires of its posts before they may be scheduled."""
    st.subheader("Required before a post may be scheduled")
    if ctx.brand is None:
        st.caption("Pick a brand in the sidebar to see and change what it requires of its posts.")
        table(reqs, name="sop-requirements")
        return
    brand = ctx.brand
    may = ctx.actor.can(Perm.SOP_MANAGE, brand.id)
    why = None if may else NOT_MANAGER
    table(reqs, name="sop-requirements")
    with read_session() as session:
        post_templates = sop_details.startable_templates(session, ctx.actor, brand.id, SopObjectType.POST)
        campaigns = sop_details.run_targets(session, ctx.actor, brand.id, SopObjectType.CAMPAIGN)
    if post_templates:
        with st.form("sop_require", clear_on_submit=True):
            names = Labels(post_templates)
            slug = st.selectbox("Checklist", list(names), format_func=names, key="sop_req_template")
            types = Labels({"": "any post type", **{t.value: t.value for t in PostType}})
            post_type = st.selectbox("For posts of type", list(types), format_func=types, key="sop_req_type")
            camps = Labels({0: "any campaign", **campaigns})
            campaign = st.selectbox("And of campaign", list(camps), format_func=camps, key="sop_req_campaign")
            if st.form_submit_button("Require it", disabled=not may, help=why):
                perform(
                    lambda s: sop_templates.set_requirement(
                        s, ctx.actor, brand.id, slug, post_type or None, campaign or None
                    ),
                    f"{brand.name} now requires {names(slug)}.",
                )
    if not reqs.empty:
        labels = Labels({int(r["id"]): f"{r['checklist']} for {r['applies to']}" for _, r in reqs.iterrows()})
        left, right = st.columns([3, 1], vertical_alignment="bottom")
        chosen = left.selectbox("Requirement", list(labels), format_func=labels, key="sop_req_remove")
        if right.button("Remove requirement", key="sop_req_remove_btn", disabled=not may, help=why):
            perform(
                lambda s: sop_templates.remove_requirement(s, ctx.actor, chosen),
                f"Removed: {labels(chosen)}.",
            )


def run_panel(ctx: PageContext, open_runs: pd.DataFrame) -> None:
    """One open run: its steps, ticking the ones the reader may tick, re-checking, cancelling."""
    labels = Labels(
        {
            int(r["id"]): f"{r['object']} · {r['template']} v{r['version']} ({r['brand']})"
            for _, r in open_runs.iterrows()
        }
    )
    run_id = st.selectbox("Checklist", list(labels), format_func=labels, key="sop_run")
    with read_session() as session:
        detail = sop_details.run_detail(session, ctx.actor, run_id)
    steps = detail.steps
    done = int((steps["status"].isin(["done", "skipped"])).sum())
    due = f" · due {detail.due:%d %b %H:%M} UTC" if detail.due else ""
    st.caption(
        f"{plain(detail.brand)} · started {detail.started:%d %b %H:%M} UTC by {plain(detail.started_by or 'someone')}{due}"
    )
    st.progress(done / len(steps) if len(steps) else 0.0, text=f"{done} of {len(steps)} steps done")
    shown = steps.drop(columns=["step_id", "you may tick"])
    table(shown, name=f"sop-run-{run_id}", column_config=TIMES)
    left, right = st.columns(2)
    if left.button("Re-check automatic steps", key="sop_recheck", icon=":material/refresh:"):
        perform(lambda s: sop_runs.evaluate_checks(s, run_id, ctx.actor), "Automatic steps checked again.")
    if right.button(
        "Cancel this checklist",
        key="sop_cancel",
        disabled=not detail.may_cancel,
        help=None if detail.may_cancel else "Only the person who started it or a manager may cancel it.",
    ):
        perform(lambda s: sop_runs.cancel_run(s, ctx.actor, run_id), f"Cancelled: {labels(run_id)}.")
    manual = steps[(steps["automatic check"] == "") & (steps["status"] != "done")]
    if manual.empty:
        st.caption("No manual steps left to tick.")
        return
    st.markdown("**Tick a step**")
    step_labels = Labels(
        {int(r["step_id"]): f"{r['step']}. {r['title']} ({r['owner role']})" for _, r in manual.iterrows()}
    )
    step_id = st.selectbox("Step", list(step_labels), format_func=step_labels, key="sop_step")
    status = st.radio(
        "Outcome", list(STEP_STATUSES), format_func=STEP_STATUSES, horizontal=True, key="sop_tick_status"
    )
    note = st.text_input("Note", key="sop_tick_note", help="Required when the step failed: say what failed.")
    refusal = detail.refusals.get(step_id)
    if st.button("Save step", key="sop_tick", type="primary", disabled=refusal is not None, help=refusal):
        perform(
            lambda s: sop_runs.complete_step(s, ctx.actor, run_id, step_id, status, note),
            f"{step_labels(step_id)}: {status}.",
        )


def start_panel(ctx: PageContext) -> None:
    """Start a checklist on one of the selected brand's posts, campaigns, briefs, incidents or reports."""
    st.subheader("Start a checklist")
    if ctx.brand is None:
        st.caption(
            "Pick a brand in the sidebar to start a checklist on one of its posts, campaigns or reports."
        )
        return
    brand = ctx.brand
    kind = st.selectbox("On a", list(KINDS), format_func=KINDS, key="sop_start_kind")
    with read_session() as session:
        templates = sop_details.startable_templates(session, ctx.actor, brand.id, kind)
        targets = sop_details.run_targets(session, ctx.actor, brand.id, kind) if templates else {}
    if not templates:
        st.caption(f"No active template is made for a {kind.value}.")
        return
    if not targets:
        st.caption(f"{plain(brand.name)} has no {kind.value} to start a checklist on.")
        return
    names, objects = Labels(templates), Labels(targets)
    slug = st.selectbox("Template", list(names), format_func=names, key="sop_start_template")
    object_id = st.selectbox(
        kind.value.capitalize(), list(objects), format_func=objects, key="sop_start_object"
    )
    may = ctx.actor.can(Perm.SOP_RUN, brand.id)
    if st.button(
        "Start checklist",
        key="sop_start",
        disabled=not may,
        help=None if may else "Your role on this brand may not work checklists.",
    ):
        perform(
            lambda s: sop_runs.start_run(s, ctx.actor, slug, kind, object_id, brand=brand.id),
            f"Started {names(slug)} on {objects(object_id)}.",
        )
