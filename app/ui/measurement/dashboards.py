"""Dashboard pieces the measurement pages share: the filter bar (market, platform, channel, campaign,
pillar on top of the sidebar's brand and period), the KPI series chart with its annotations, target
progress bars and the forecast chart with its interval band. Wide numbers, few colours: the
dashboards are read on a shared screen."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import altair as alt
import pandas as pd
import streamlit as st

from app.db import get_engine, read_session
from app.services.core import Actor
from app.services.measurement import (
    KPI_LABELS,
    FilterOptions,
    Forecast,
    Scope,
    anomalies,
    anomaly_settings,
    overview,
    top_posts,
)
from app.services.measurement import targets as kpi_targets
from app.services.measurement import views as dashboards
from app.ui.context import PageContext
from app.ui.widgets import Labels

STATUS_COLORS = {
    "on track": "#54A24B",
    "met": "#54A24B",
    "at risk": "#F58518",
    "behind": "#E45756",
    "missed": "#E45756",
    "no data": "#BAB0AC",
}
ANNOTATION_COLORS = {"campaign": "#4C78A8", "incident": "#E45756", "anomaly": "#F58518"}
EXEC_KPIS = ("impressions", "engagements", "engagement_rate", "clicks")
CACHE_SECONDS = 300


@dataclass(frozen=True)
class DashboardFilter:
    """The sidebar's brands and dates narrowed by the page's filter bar."""

    scope: Scope
    start: date
    end: date
    campaign_ids: tuple[int, ...] = ()
    pillar_ids: tuple[int, ...] = ()
    notes: tuple[str, ...] = field(default=())

    @property
    def post_filters(self) -> dict:
        """Keyword arguments for `overview.top_posts`."""
        return {
            "channel_ids": self.scope.channel_ids,
            "platforms": self.scope.platforms,
            "campaign_ids": self.campaign_ids,
            "pillar_ids": self.pillar_ids,
        }


def filter_bar(ctx: PageContext, options: FilterOptions, key: str) -> DashboardFilter:
    """Filters under the page title; empty means everything. A campaign narrows the dates to the part of
    its run inside the period, and (with a pillar) the posts; channel metrics have no campaign of their
    own, so the series show the channels over the campaign's dates."""
    with st.expander("Filters: market, platform, channel, campaign, pillar", icon=":material/filter_list:"):
        a, b, c = st.columns(3)
        markets = dict(options.markets)
        chosen_markets = a.multiselect(
            "Market", list(markets), format_func=Labels(markets), key=f"{key}_market"
        )
        platforms = b.multiselect(
            "Platform",
            list(options.platforms),
            format_func=Labels({p: p.title() for p in options.platforms}),
            key=f"{key}_platform",
        )
        channels = dict(options.channels)
        chosen_channels = c.multiselect(
            "Channel",
            list(channels),
            format_func=Labels(channels),
            key=f"{key}_channel",
            disabled=not channels,
            help=None if channels else "Pick one brand in the sidebar to filter by channel.",
        )
        d, e = st.columns(2)
        campaigns = {cid: f"{name} ({s:%d %b} – {f:%d %b %Y})" for cid, name, s, f in options.campaigns}
        campaign = d.selectbox(
            "Campaign",
            [0, *campaigns],
            format_func=Labels({0: "Any campaign", **campaigns}),
            key=f"{key}_campaign",
        )
        pillars = dict(options.pillars)
        chosen_pillars = e.multiselect(
            "Pillar", list(pillars), format_func=Labels(pillars), key=f"{key}_pillar"
        )
    start, end = ctx.start, ctx.end
    notes: list[str] = []
    if campaign:
        _, name, c_start, c_end = next(x for x in options.campaigns if x[0] == campaign)
        if c_start <= end and c_end >= start:
            start, end = max(start, c_start), min(end, c_end)
            notes.append(f"Dates narrowed to {name}'s run: {start:%d %b} – {end:%d %b %Y}.")
        else:
            notes.append(f"{name} did not run in this period; showing the whole period.")
    if chosen_pillars:
        notes.append("The pillar filter applies to posts; channel totals include every pillar.")
    scope = Scope(ctx.brand_ids, tuple(chosen_channels), tuple(platforms), tuple(chosen_markets))
    return DashboardFilter(
        scope, start, end, (campaign,) if campaign else (), tuple(chosen_pillars), tuple(notes)
    )


def kpi_series_chart(
    daily: pd.DataFrame, kpi: str, marks: pd.DataFrame, anomalies: pd.DataFrame
) -> alt.LayerChart:
    """The KPI per day, with campaign and incident spans shaded and anomalies as red/orange points."""
    label = KPI_LABELS.get(kpi, kpi)
    rate = kpi == "engagement_rate"
    data = daily.reset_index()[["date", kpi]].rename(columns={kpi: "value"})
    fmt = ".2%" if rate else ","
    line = (
        alt.Chart(data, title=f"{label} per day")
        .mark_line(strokeWidth=2.5)
        .encode(
            x=alt.X("date:T", title=None),
            y=alt.Y("value:Q", title=None, axis=alt.Axis(format="%" if rate else "~s")),
            tooltip=[
                alt.Tooltip("date:T", format="%a %d %b %Y"),
                alt.Tooltip("value:Q", title=label, format=fmt),
            ],
        )
    )
    layers: list[alt.Chart] = []
    if not marks.empty:
        spans = marks.assign(start=pd.to_datetime(marks["start"]), end=pd.to_datetime(marks["end"]))
        layers.append(
            alt.Chart(spans)
            .mark_rect(opacity=0.12)
            .encode(
                x="start:T",
                x2="end:T",
                color=alt.Color(
                    "kind:N",
                    scale=alt.Scale(domain=list(ANNOTATION_COLORS), range=list(ANNOTATION_COLORS.values())),
                    title="Annotation",
                ),
                tooltip=[
                    "kind:N",
                    "label:N",
                    alt.Tooltip("start:T", format="%d %b"),
                    alt.Tooltip("end:T", format="%d %b"),
                ],
            )
        )
    layers.append(line)
    if not anomalies.empty:
        points = anomalies.assign(date=pd.to_datetime(anomalies["day"]))
        layers.append(
            alt.Chart(points)
            .mark_point(size=140, filled=True, color=ANNOTATION_COLORS["anomaly"])
            .encode(
                x="date:T",
                y="observed:Q",
                tooltip=[
                    alt.Tooltip("date:T", format="%a %d %b %Y"),
                    alt.Tooltip("observed:Q", format=fmt),
                    alt.Tooltip("expected:Q", format=fmt),
                    "likely cause:N",
                ],
            )
        )
    return alt.layer(*layers).properties(height=320)


def progress_chart(progress: pd.DataFrame) -> alt.LayerChart:
    """One bar per target: the share reached so far (solid) and the forecast at period end (outline),
    against the 100% line; coloured by status."""
    df = progress.assign(
        target_label=progress["metric"] + " · " + progress["period"],
        reached=progress["% of target"].clip(upper=2),
        projected=progress["forecast % of target"].clip(upper=2),
    )
    if progress["brand"].nunique() > 1:
        df["target_label"] = df["brand"] + ": " + df["target_label"]
    y = alt.Y("target_label:N", title=None, sort=None)
    base = alt.Chart(df)
    projected = base.mark_bar(opacity=0.25).encode(
        y=y,
        x=alt.X("projected:Q", title="share of target", axis=alt.Axis(format="%")),
        color=alt.Color(
            "status:N",
            scale=alt.Scale(domain=list(STATUS_COLORS), range=list(STATUS_COLORS.values())),
            title="Forecast",
        ),
    )
    reached = base.mark_bar(height=10).encode(
        y=y,
        x="reached:Q",
        color=alt.Color("status:N", legend=None),
        tooltip=[
            "brand:N",
            "metric:N",
            "period:N",
            alt.Tooltip("target:Q", format=",.4~f"),
            alt.Tooltip("actual:Q", format=",.4~f"),
            alt.Tooltip("forecast:Q", format=",.4~f"),
            alt.Tooltip("% of target:Q", format=".0%"),
            alt.Tooltip("forecast % of target:Q", format=".0%"),
            "status:N",
        ],
    )
    rule = alt.Chart(pd.DataFrame({"x": [1.0]})).mark_rule(color="#333", strokeDash=[4, 3]).encode(x="x:Q")
    return alt.layer(projected, reached, rule).properties(height=max(140, 30 * len(df)))


def forecast_chart(fc: Forecast) -> alt.LayerChart:
    """History, the forecast line and its 80% interval as a band."""
    rate = fc.kpi == "engagement_rate"
    fmt = ".2%" if rate else ","
    hist = fc.history.assign(series="actual")
    future = fc.forecast
    band = (
        alt.Chart(future)
        .mark_area(opacity=0.2, color="#4C78A8")
        .encode(x=alt.X("date:T", title=None), y=alt.Y("low:Q", title=None), y2="high:Q")
    )
    mean = (
        alt.Chart(future)
        .mark_line(strokeDash=[6, 4], strokeWidth=2.5, color="#4C78A8")
        .encode(
            x="date:T",
            y="mean:Q",
            tooltip=[
                alt.Tooltip("date:T", format="%a %d %b %Y"),
                alt.Tooltip("mean:Q", title="forecast", format=fmt),
                alt.Tooltip("low:Q", format=fmt),
                alt.Tooltip("high:Q", format=fmt),
            ],
        )
    )
    actual = (
        alt.Chart(hist)
        .mark_line(strokeWidth=2, color="#333")
        .encode(
            x="date:T",
            y=alt.Y("value:Q", axis=alt.Axis(format="%" if rate else "~s")),
            tooltip=[alt.Tooltip("date:T", format="%a %d %b %Y"), alt.Tooltip("value:Q", format=fmt)],
        )
    )
    return alt.layer(band, actual, mean).properties(title=f"{fc.label}: last weeks and forecast", height=320)


def normalised_bars(platforms: pd.DataFrame, metric: str) -> alt.Chart:
    pct = metric in ("engagement rate", "click-through rate", "follower growth rate")
    return (
        alt.Chart(platforms, title=metric.capitalize() + " by platform")
        .mark_bar()
        .encode(
            y=alt.Y("platform:N", title=None, sort="-x"),
            x=alt.X(f"{metric}:Q", title=None, axis=alt.Axis(format="%" if pct else "~s")),
            tooltip=["platform:N", alt.Tooltip(f"{metric}:Q", format=".2%" if pct else ",.1f"), "channels:Q"],
        )
        .properties(height=max(140, 30 * len(platforms)))
    )


def _who(actor: Actor) -> tuple:
    return (actor.email, actor.workspace_role, tuple(sorted(actor.brand_roles.items())))


@st.cache_data(ttl=CACHE_SECONDS, show_spinner="Reading the period…")
def _executive(
    db: str,
    who: tuple,
    brand_ids: tuple[int, ...],
    scope_key: tuple,
    campaign_ids: tuple[int, ...],
    pillar_ids: tuple[int, ...],
    start: date,
    end: date,
    _actor: Actor,
) -> dict:
    # Keyed on the store, the person's roles and small arguments; the Actor rides along unhashed.
    scope = Scope(*scope_key)
    posts = {
        "channel_ids": scope.channel_ids,
        "platforms": scope.platforms,
        "campaign_ids": campaign_ids,
        "pillar_ids": pillar_ids,
    }
    with read_session() as session:
        return {
            "kpis": overview.headline_kpis(session, _actor, brand_ids, start, end),
            "progress": kpi_targets.target_progress(session, _actor, brand_ids, end),
            "anomalies": anomalies.find_anomalies(
                session,
                _actor,
                scope,
                start,
                end,
                kpis=EXEC_KPIS,
                limit=8,
                sensitivity=anomaly_settings.sensitivity_for(session, brand_ids),
            ),
            "platforms": dashboards.platform_comparison(session, _actor, scope, start, end),
            "best": top_posts(session, _actor, brand_ids, start, end, **posts),
            "worst": top_posts(session, _actor, brand_ids, start, end, bottom=True, **posts),
        }


def executive_data(ctx: PageContext, f: DashboardFilter) -> dict:
    """The Executive view's plain data (KPIs, target progress, anomalies, platforms, top and bottom
    posts), cached a few minutes per store, person, scope and period: for all brands of a large agency
    it is seconds of reading, and a shared screen reruns the page often."""
    s = f.scope
    return _executive(
        get_engine().url.render_as_string(hide_password=True),
        _who(ctx.actor),
        ctx.brand_ids,
        (s.brand_ids, s.channel_ids, s.platforms, s.market_ids),
        f.campaign_ids,
        f.pillar_ids,
        f.start,
        f.end,
        ctx.actor,
    )


@st.cache_data(ttl=CACHE_SECONDS, show_spinner=False)
def _options(db: str, who: tuple, brand_ids: tuple[int, ...], _actor: Actor) -> FilterOptions:
    with read_session() as session:
        return dashboards.filter_options(session, _actor, brand_ids)


def filter_options(ctx: PageContext) -> FilterOptions:
    """The filter bar's choices for the brands in view, cached like the data they filter."""
    return _options(
        get_engine().url.render_as_string(hide_password=True), _who(ctx.actor), ctx.brand_ids, ctx.actor
    )
