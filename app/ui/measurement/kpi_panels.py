"""The KPIs page's measurement tabs: target progress with the forecast to period end, unusual days with
a sensitivity setting, and Holt-Winters forecasts with their error against the naive seasonal forecast.
Forecasts are cached ten minutes per store, person, scope and day: fitting takes about a second."""

from __future__ import annotations

from datetime import date, timedelta

import streamlit as st

from app.db import get_engine, read_session, write_session
from app.models.enums import PeriodKind
from app.services.core import Actor, Perm, ServiceError, clock
from app.services.measurement import KPI_LABELS, Scope, anomalies, anomaly_settings, forecasts
from app.services.measurement import targets as kpi_targets
from app.ui.context import PageContext
from app.ui.measurement import dashboards as dash
from app.ui.measurement.target_form import target_form
from app.ui.widgets import Labels, plain, table

SENSITIVITY_LABELS = {
    "low": "Low: only the wildest days",
    "normal": "Normal",
    "high": "High: smaller moves too",
}


def progress_panel(ctx: PageContext) -> None:
    target_form(ctx)
    with read_session() as session:
        progress = kpi_targets.target_progress(
            session, ctx.actor, ctx.brand_ids, ctx.end, kinds=list(PeriodKind)
        )
    if progress.empty:
        st.info("No target covers the end of this period.")
        return
    st.caption(
        f"Targets running on {ctx.end:%d %b %Y}: reached so far, and forecast at period end at the pace of "
        "the last 28 days."
    )
    st.altair_chart(dash.progress_chart(progress))
    table(
        progress.drop(columns=["brand_id", "higher_is_better"]),
        name="kpi-progress",
        column_config={
            "% of target": st.column_config.NumberColumn(format="percent"),
            "forecast % of target": st.column_config.NumberColumn(format="percent"),
            "period elapsed": st.column_config.ProgressColumn(min_value=0, max_value=1),
            "target": st.column_config.NumberColumn(format="localized"),
            "actual": st.column_config.NumberColumn(format="localized"),
            "forecast": st.column_config.NumberColumn(format="localized"),
        },
    )


def anomalies_panel(ctx: PageContext) -> None:
    with read_session() as session:
        stored = anomaly_settings.sensitivity_for(session, ctx.brand_ids)
    left, right = st.columns([1, 2])
    sensitivity = left.selectbox(
        "Sensitivity",
        list(SENSITIVITY_LABELS),
        index=list(SENSITIVITY_LABELS).index(stored),
        format_func=Labels(SENSITIVITY_LABELS),
        key="kpi_anomaly_sensitivity",
        help="How far from the usual range for that weekday a day must be: low 4.5, normal 3.5, "
        "high 2.5 robust standard deviations.",
    )
    kpis = right.multiselect(
        "KPIs",
        list(anomalies.WATCHED_KPIS),
        default=list(anomalies.WATCHED_KPIS),
        format_func=Labels(KPI_LABELS),
        key="kpi_anomaly_kpis",
    )
    with read_session() as session:
        found = anomalies.find_anomalies(
            session,
            ctx.actor,
            Scope(ctx.brand_ids),
            ctx.start,
            ctx.end,
            sensitivity=sensitivity,
            kpis=kpis,
            limit=60,
        )
    _save_sensitivity(ctx, sensitivity, stored)
    st.caption(
        "Expected range: the median of the same weekday over the six weeks before, ± the robust spread. "
        "The likely cause names the channels (or brands) that moved most and the posts of the day."
    )
    table(
        anomalies.anomalies_frame(found),
        name="kpi-anomalies",
        column_config={"likely cause": st.column_config.TextColumn(width="large")},
    )


def _save_sensitivity(ctx: PageContext, chosen: str, stored: str) -> None:
    """A brand's KPI editors keep the chosen sensitivity as the brand's; admins, with All brands, as the
    workspace default. The Overview's unusual days use it."""
    brand_id = ctx.brand.id if ctx.brand else None
    allowed = ctx.actor.can(Perm.KPI_EDIT, brand_id) if brand_id else ctx.actor.can(Perm.ADMIN)
    if not allowed or chosen == stored:
        return
    whose = f"{ctx.brand.name}'s" if ctx.brand else "the workspace's default"
    if st.button(f"Keep “{chosen}” as {whose} sensitivity", key="kpi_anomaly_save"):
        try:
            with write_session() as session:
                anomaly_settings.set_sensitivity(session, ctx.actor, chosen, brand_id)
        except ServiceError as exc:
            st.error(plain(str(exc)))
        else:
            st.cache_data.clear()
            st.success(f"Saved: {chosen}.")


@st.cache_data(ttl=600, show_spinner="Fitting the forecast…")
def _forecast(db: str, who: tuple, brand_ids: tuple[int, ...], kpi: str, last_day: date, _actor: Actor):  # type: ignore[no-untyped-def]
    # Keyed on the store, the person's roles and small arguments; the Actor rides along unhashed.
    with read_session() as session:
        return forecasts.forecast_kpi(session, _actor, Scope(brand_ids), kpi, last_day, horizon_days=28)


def forecast_panel(ctx: PageContext) -> None:
    kpi = st.selectbox(
        "KPI to forecast",
        ["impressions", "engagements", "engagement_rate", "clicks"],
        format_func=Labels(KPI_LABELS),
        key="kpi_forecast_kpi",
    )
    # Yesterday is the last complete day: today's metrics arrive overnight.
    last_day = min(ctx.end, clock.today() - timedelta(days=1))
    who = (ctx.actor.email, ctx.actor.workspace_role, tuple(sorted(ctx.actor.brand_roles.items())))
    fc = _forecast(
        get_engine().url.render_as_string(hide_password=True), who, ctx.brand_ids, kpi, last_day, ctx.actor
    )
    if fc is None:
        st.info("Fewer than four weeks of data up to the end of the period: no forecast.")
        return
    st.altair_chart(dash.forecast_chart(fc))
    bt = fc.backtest
    cols = st.columns(3)
    cols[0].metric("Next 4 weeks (forecast)", _total(fc), border=True)
    if bt is not None:
        cols[1].metric(
            "Error, Holt-Winters (MAPE)",
            "n/a" if bt.mape is None else f"{bt.mape:.1%}",
            help=f"MASE {bt.mase:.2f}",
            border=True,
        )
        cols[2].metric(
            "Error, same weekday last week",
            "n/a" if bt.naive_mape is None else f"{bt.naive_mape:.1%}",
            help=f"MASE {bt.naive_mase:.2f}",
            border=True,
        )
        st.caption(bt.summary())
    st.caption(f"Method: {fc.method}; shaded: 80% prediction interval.")
    table(fc.forecast, name=f"forecast-{kpi}")


def _total(fc: forecasts.Forecast) -> str:
    if fc.kpi == "engagement_rate":
        return f"{fc.forecast['mean'].mean():.2%} on average"
    return f"{fc.forecast['mean'].sum():,.0f}"
