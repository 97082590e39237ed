"""The Objectives tab: each brand's business goals with their kind, the KPI of the metrics dictionary that
measures them, the target and the period; created, edited and archived through the strategy services."""

from __future__ import annotations

import streamlit as st

from app.db import read_session
from app.models.enums import ObjectiveKind
from app.services.measurement import targets_table
from app.services.org import BrandInfo
from app.services.strategy import ObjectiveInfo, objectives
from app.ui.context import PageContext
from app.ui.strategy import common, formatting
from app.ui.widgets import Labels

KINDS = Labels({k.value: k.value.capitalize() for k in ObjectiveKind})
NO_KPI = ""


def objectives_tab(ctx: PageContext) -> None:
    st.caption(
        "The business goals each brand works towards: what kind of goal, the KPI that measures it, "
        "the target and the period. Campaigns name the objective they serve."
    )
    archived = common.show_archived("strategy_objectives_archived")
    with read_session() as session:
        rows = objectives.list_objectives(
            session, ctx.actor, brand=ctx.brand.slug if ctx.brand else None, include_archived=archived
        )
        dictionary = targets_table.metric_dictionary(session, ctx.actor)
    metrics = Labels({NO_KPI: "(no KPI)", **dict(zip(dictionary["key"], dictionary["name"], strict=True))})
    common.strategy_table(
        ctx,
        formatting.objectives_frame(rows, show_brand=ctx.brand is None),
        "strategy-objectives",
        "objectives",
    )
    common.create_and_edit(
        ctx,
        rows,
        lambda brands: _create_form(ctx, brands, metrics),
        lambda mine: _edit_form(ctx, mine, metrics),
    )


def _create_form(ctx: PageContext, brands: list[BrandInfo], metrics: Labels) -> None:
    with st.expander("New objective", icon=":material/add:", expanded=False):
        brand = common.brand_for_new(brands, "obj_new_brand")
        with st.form("obj_new", clear_on_submit=True):
            name = st.text_input("Name", placeholder="Grow awareness in Malaysia", key="obj_new_name")
            a, b = st.columns(2)
            kind = a.selectbox("Kind", list(KINDS), format_func=KINDS, key="obj_new_kind")
            kpi = b.selectbox("KPI", list(metrics), format_func=metrics, key="obj_new_kpi")
            target = st.text_input(
                "Target", help="The KPI's target value, e.g. 250,000.", key="obj_new_target"
            )
            c, d = st.columns(2)
            start, end = common.optional_dates(c, d, "obj_new", None, None)
            description = st.text_area("Description", key="obj_new_description")
            if st.form_submit_button("Create objective", type="primary"):
                common.save(
                    lambda s: objectives.create_objective(
                        s,
                        ctx.actor,
                        brand=brand.slug,
                        name=name,
                        kind=kind,
                        description=description,
                        kpi_metric=kpi or None,
                        target_value=target.strip() or None,
                        period_start=start,
                        period_end=end,
                    ),
                    f"Objective {name} created for {brand.name}.",
                )


def _edit_form(ctx: PageContext, rows: list[ObjectiveInfo], metrics: Labels) -> None:
    with st.expander("Edit an objective", icon=":material/edit:", expanded=False):
        current: ObjectiveInfo = common.pick_row(rows, "Objective", "obj_edit_pick")
        key = f"obj_edit_{current.id}_{current.version}"
        with st.form(key):
            name = st.text_input("Name", current.name)
            a, b = st.columns(2)
            kind = a.selectbox("Kind", list(KINDS), index=list(KINDS).index(current.kind), format_func=KINDS)
            options = list(metrics)
            kpi_now = current.kpi_metric_key or NO_KPI
            kpi = b.selectbox(
                "KPI", options, index=options.index(kpi_now) if kpi_now in options else 0, format_func=metrics
            )
            target = st.text_input("Target", formatting.number(current.target_value).replace("—", ""))
            c, d = st.columns(2)
            start, end = common.optional_dates(c, d, key, current.period_start, current.period_end)
            description = st.text_area("Description", current.description)
            if st.form_submit_button("Save objective"):
                common.save(
                    lambda s: objectives.update_objective(
                        s,
                        ctx.actor,
                        current.id,
                        version=current.version,
                        name=name,
                        kind=kind,
                        kpi_metric=kpi or None,
                        target_value=target.strip() or None,
                        period_start=start,
                        period_end=end,
                        description=description,
                    ),
                    f"Objective {name} saved.",
                )
        common.archive_button(
            current,
            "objective",
            f"obj_archive_{current.id}",
            lambda s, flag: objectives.archive_objective(s, ctx.actor, current.id, archived=flag),
        )
