"""The KPIs page's "Edit dictionary" tab: change or add a metric (its formula checked before it is saved, with the reason when refused)
and the platform fields that feed it, through app.services.metrics_dictionary (permissions, audit)."""

from __future__ import annotations

from datetime import date

import streamlit as st
from sqlalchemy import select

from app.db import read_session
from app.models import MetricDefinition
from app.models import MetricSourceMapping as Mapping
from app.models.enums import Aggregation, Indicator, MetricUnit, ObjectiveKind, Platform
from app.services.core import Perm
from app.services.measurement import dictionary as metrics_dictionary
from app.services.measurement import targets_table as metrics
from app.ui.context import PageContext
from app.ui.widgets import perform, plain, table

NEW = "(new metric)"


def _index(options: list[str], value: str | None) -> int:
    return options.index(value) if value in options else 0


def dictionary_editor(ctx: PageContext) -> None:
    if not ctx.actor.can(Perm.KPI_EDIT):
        st.info(
            "The metrics dictionary is shared by every brand: workspace managers and admins edit it. "
            "You can read it on the Metrics dictionary and Platform fields tabs."
        )
        return
    with read_session() as session:
        rows = {m.key: m for m in session.scalars(select(MetricDefinition).order_by(MetricDefinition.name))}
        for m in rows.values():
            session.expunge(m)
    keys = [NEW, *rows]
    labels = {NEW: NEW, **{k: f"{m.name} ({k})" for k, m in rows.items()}}
    pick = st.selectbox("Metric", keys, format_func=labels.get, key="dict_edit_pick")
    current = rows.get(pick)
    units, objectives = [u.value for u in MetricUnit], ["", *[o.value for o in ObjectiveKind]]
    indicators, aggs = [i.value for i in Indicator], [a.value for a in Aggregation]
    # Keyed by the metric, so the fields start from that metric's stored values.
    with st.form(f"dict_edit_{pick}"):
        key = st.text_input("Key", value=current.key if current else "", disabled=current is not None)
        name = st.text_input("Name", value=current.name if current else "")
        description = st.text_area("Description", value=current.description if current else "", height=80)
        formula = st.text_input(
            "Formula over base metrics",
            value=(current.formula or "") if current else "",
            help="Base metric keys, numbers, + - * / and parentheses, e.g. engagements / impressions. "
            "Empty for a base metric.",
        )
        left, mid, right = st.columns(3)
        unit = left.selectbox("Unit", units, index=_index(units, current.unit.value if current else "count"))
        objective = mid.selectbox(
            "Objective",
            objectives,
            index=_index(objectives, current.objective.value if current and current.objective else ""),
        )
        indicator = right.selectbox(
            "Leading or lagging",
            indicators,
            index=_index(indicators, current.indicator.value if current else ""),
        )
        aggregation = left.selectbox(
            "Aggregation over days", aggs, index=_index(aggs, current.aggregation.value if current else "sum")
        )
        higher = mid.checkbox("Higher is better", value=current.higher_is_better if current else True)
        check = metrics_dictionary.check_formula(formula)
        (st.caption if check.ok else st.warning)(plain(check.message))
        if st.form_submit_button("Save metric", type="primary"):
            data = metrics_dictionary.MetricInput(
                key=current.key if current else key,
                name=name,
                description=description,
                unit=unit,
                formula=formula,
                objective=objective or None,
                indicator=indicator,
                aggregation=aggregation,
                higher_is_better=higher,
            )
            version = current.version if current else None
            perform(
                lambda s: metrics_dictionary.save_metric(s, ctx.actor, data, expected_version=version),
                f"Metric {data.key} saved.",
            )
    if current is not None and current.formula and st.button("Remove this metric", key=f"dict_rm_{pick}"):
        perform(lambda s: metrics_dictionary.delete_metric(s, ctx.actor, pick), f"Metric {pick} removed.")
    if current is None:
        return
    st.markdown("**Platform fields for this metric**")
    with read_session() as session:
        mappings = metrics.source_mappings(session, ctx.actor, current.key)
    table(mappings, name=f"fields-{current.key}")
    with read_session() as session:
        rows_m = {
            m.id: f"{m.platform.value}: {m.source_field}"
            for m in session.scalars(
                select(Mapping).where(Mapping.metric_key == current.key).order_by(Mapping.id)
            )
        }
    if rows_m:
        left, right = st.columns([3, 1])
        gone = left.selectbox(
            "Remove a platform field", list(rows_m), format_func=rows_m.get, key=f"dict_rmf_{pick}"
        )
        if right.button("Remove field", key=f"dict_rmf_go_{pick}"):
            perform(
                lambda s: metrics_dictionary.delete_mapping(s, ctx.actor, gone), f"{rows_m[gone]} removed."
            )
    platforms = [p.value for p in Platform]
    with st.form(f"dict_field_{pick}", clear_on_submit=True):
        left, right = st.columns(2)
        platform = left.selectbox("Platform", platforms)
        field = right.text_input("Field as the export or API names it", placeholder="e.g. Views")
        start = left.date_input("Valid from", value=None, min_value=date(2004, 1, 1))
        end = right.date_input("Valid until", value=None, min_value=date(2004, 1, 1))
        deprecated = left.checkbox("Deprecated (renamed or removed by the platform)")
        note = right.text_input("Note", placeholder="e.g. Graph API v22 removed impressions")
        if st.form_submit_button("Save platform field"):
            data_m = metrics_dictionary.MappingInput(
                current.key, platform, field, valid_from=start, valid_to=end, deprecated=deprecated, note=note
            )
            perform(
                lambda s: metrics_dictionary.save_mapping(s, ctx.actor, data_m),
                f"{platform} field {field} saved for {current.key}.",
            )
