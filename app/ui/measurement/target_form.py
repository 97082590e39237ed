"""Setting a KPI target from the KPIs page: a metric of the dictionary, the whole brand or one channel,
a week, month, quarter or year starting now or soon, and the value. Saved through
`kpi_targets.create_target`, which checks the permission, the period's start and duplicates."""

from __future__ import annotations

from datetime import date, timedelta

import streamlit as st

from app.db import read_session, write_session
from app.services.core import Perm, ServiceError, clock
from app.services.measurement import targets as kpi_targets
from app.services.measurement import targets_table as metrics
from app.services.measurement import views as dashboards
from app.ui.context import PageContext
from app.ui.widgets import Labels, plain

KINDS = {"month": "Month", "quarter": "Quarter", "week": "Week", "year": "Year"}


def period_starts(kind: str, today: date, count: int = 3) -> list[date]:
    """The start of the running period of this kind and of the next ones."""
    if kind == "week":
        monday = today - timedelta(days=today.weekday())
        return [monday + timedelta(weeks=i) for i in range(count)]
    if kind == "year":
        return [date(today.year + i, 1, 1) for i in range(count)]
    step = 3 if kind == "quarter" else 1
    month = (today.month - 1) // step * step  # 0-based first month of the running period
    out = []
    for i in range(count):
        y, m = divmod(month + i * step, 12)
        out.append(date(today.year + y, m + 1, 1))
    return out


def target_form(ctx: PageContext) -> None:
    if ctx.brand is None or not ctx.actor.can(Perm.KPI_EDIT, ctx.brand.id):
        return
    with read_session() as session:
        dictionary = metrics.metric_dictionary(session, ctx.actor)
        channels = dict(dashboards.filter_options(session, ctx.actor, (ctx.brand.id,)).channels)
    names = dict(zip(dictionary["key"], dictionary["name"], strict=True))
    units = dict(zip(dictionary["key"], dictionary["unit"], strict=True))
    with st.expander(f"Set a target for {ctx.brand.name}", icon=":material/flag:"):
        a, b = st.columns(2)
        key = a.selectbox("Metric", list(names), format_func=Labels(names), key="target_metric")
        channel = b.selectbox(
            "For", [0, *channels], format_func=Labels({0: "All channels", **channels}), key="target_channel"
        )
        c, d, e = st.columns(3)
        kind = c.selectbox("Period", list(KINDS), format_func=Labels(KINDS), key="target_kind")
        starts = period_starts(kind, clock.today())
        start = d.selectbox(
            "Starting", starts, format_func=Labels({s: f"{s:%d %b %Y}" for s in starts}), key="target_start"
        )
        hint = "a percent, e.g. 4.5 for 4.5%" if units.get(key) == "percent" else "a number"
        value = e.text_input("Target", key="target_value", help=f"Type {hint}.")
        if st.button("Save target", key="target_save", type="primary"):
            try:
                with write_session() as session:
                    kpi_targets.create_target(
                        session,
                        ctx.actor,
                        ctx.brand.id,
                        metric_key=key,
                        period_kind=kind,
                        period_start=start,
                        target_value=value.replace(",", "").strip(),
                        channel_id=channel or None,
                    )
            except ServiceError as exc:
                st.error(plain(str(exc)))
            else:
                st.cache_data.clear()
                st.success(f"Target saved: {names[key]}, {KINDS[kind].lower()} from {start:%d %b %Y}.")
