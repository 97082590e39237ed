"""Building a report: one brand, one template, one period → plain sections (KPI tiles, tables, charts,
sentences). The numbers come from the dashboards' services (headline KPIs, targets, rollups, top
posts, anomalies, competitors); PDF, XLSX and the review slides only render what this returns."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

import altair as alt
import pandas as pd
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.models import ChannelDailyMetric
from app.models.enums import Platform
from app.services.core import Actor, Kpi, Perm, clock, previous_range, require
from app.services.measurement import Scope, anomalies, insights, overview, rollup_reads, top_posts
from app.services.measurement import benchmarks as competitors
from app.services.measurement import targets as kpi_targets
from app.services.org import get_brand
from app.services.reports import charts as report_charts
from app.services.reports import community as report_community
from app.services.reports import insights as report_insights
from app.services.reports import rules as report_rules
from app.services.reports.templates import SECTION_TITLES, Template, get_template


@dataclass(frozen=True)
class Tile:
    label: str
    value: str
    change: str = ""  # "+12% vs previous period"
    note: str = ""  # target and status, when the KPI has one


@dataclass
class Section:
    key: str
    title: str
    headline: str  # the section's one message: a slide's big line, the PDF's lead sentence
    tiles: list[Tile] = field(default_factory=list)
    lines: list[str] = field(default_factory=list)
    table: pd.DataFrame | None = None
    chart: alt.Chart | None = None


@dataclass
class Report:
    brand: str
    brand_slug: str
    template: Template
    start: date
    end: date
    previous: tuple[date, date]
    generated_at: datetime
    sections: list[Section]
    values: dict[str, float | None]

    @property
    def title(self) -> str:
        return f"{self.template.title}: {self.brand}"

    @property
    def period_label(self) -> str:
        return period_label(self.start, self.end)


def period_label(start: date, end: date) -> str:
    if start.day == 1 and start.month in (1, 4, 7, 10) and (end - start).days in range(89, 92):
        return f"{start.year}-Q{(start.month - 1) // 3 + 1} ({start:%d %b} – {end:%d %b %Y})"
    return f"{start:%d %b %Y} – {end:%d %b %Y}" if start != end else f"{start:%d %b %Y}"


def _fmt(value: float | None, unit: str) -> str:
    return insights.figure_text(value, unit)  # the dashboards' number style, so both say the same


def _kpi_section(kpis: list[Kpi], progress: pd.DataFrame) -> Section:
    targets = {r.key: r for r in progress.itertuples()} if not progress.empty else {}
    tiles = []
    for k in kpis:
        change = f"{k.change:+.0%} vs previous period" if k.change is not None else "no previous figure"
        note = ""
        if k.key in targets:
            t = targets[k.key]
            note = f"target {_fmt(t.target, t.unit)}: {t.status}"
        tiles.append(Tile(k.label, _fmt(k.value, k.unit), change, note))
    moved = [k for k in kpis if k.change is not None]
    headline = "No comparable previous period yet."
    if moved:
        k = max(moved, key=lambda k: abs(k.change or 0))
        headline = f"{k.label} {'up' if (k.change or 0) > 0 else 'down'} {abs(k.change or 0):.0%} to {_fmt(k.value, k.unit)}."
    return Section("kpis", SECTION_TITLES["kpis"], headline, tiles=tiles)


def _targets_section(progress: pd.DataFrame) -> Section:
    if progress.empty:
        return Section("targets", SECTION_TITLES["targets"], "No targets set for this period.")
    table = pd.DataFrame(
        {
            "metric": progress["metric"],
            "scope": progress["channel"],
            "target": progress["target"],
            "actual": progress["actual"],
            "forecast": progress["forecast"],
            "status": progress["status"],
        }
    )
    on_track = int(progress["status"].isin(["on track", "met"]).sum())
    headline = f"{on_track} of {len(progress)} targets on track or met."
    lines = [
        f"{r.metric}: {_fmt(r.actual, r.unit)} against {_fmt(r.target, r.unit)} ({r.status})."
        for r in progress.itertuples()
    ]
    return Section("targets", SECTION_TITLES["targets"], headline, lines=lines, table=table)


def _trend_section(trend: pd.DataFrame, grain: str) -> Section:
    if trend.empty:
        return Section("trend", SECTION_TITLES["trend"], "No channel metrics in this period.")
    weekly = trend.groupby("period_start")[["impressions", "engagements"]].sum()
    best = weekly["engagements"].idxmax()
    headline = f"Engagements peaked in the {grain} of {best:%d %b} at {weekly['engagements'].max():,.0f}."
    chart = report_charts.trend_chart(trend, "engagements", f"Engagements per {grain} and platform")
    table = trend[["period_start", "platform", "impressions", "engagements", "engagement_rate"]].copy()
    table["period_start"] = table["period_start"].dt.date
    return Section("trend", SECTION_TITLES["trend"], headline, table=table, chart=chart)


def _platforms_section(platforms: pd.DataFrame) -> Section:
    if platforms.empty:
        return Section("platforms", SECTION_TITLES["platforms"], "No platform figures in this period.")
    top = platforms.iloc[0]
    headline = f"{top['platform']} engages best at {top['engagement rate']:.2%}."
    chart = report_charts.bars(platforms, "platform", "engagement rate", "Engagement rate", percent=True)
    return Section("platforms", SECTION_TITLES["platforms"], headline, table=platforms, chart=chart)


def _posts_section(top: pd.DataFrame, bottom: pd.DataFrame) -> Section:
    if top.empty:
        return Section("posts", SECTION_TITLES["posts"], "No posts published in this period.")
    best = top.iloc[0]
    headline = f"Best post: “{best['post']}” on {best['platform']}, {best['engagements']:,.0f} engagements."
    both = pd.concat([top.assign(rank="top"), bottom.assign(rank="bottom")], ignore_index=True)
    table = both[["rank", "post", "platform", "impressions", "engagements", "engagement_rate"]]
    lines = [
        f"Weakest: “{r.post}” on {r.platform}, {r.engagements:,.0f} engagements."
        for r in bottom.head(1).itertuples()
    ]
    return Section("posts", SECTION_TITLES["posts"], headline, lines=lines, table=table)


def _community_section(frame: pd.DataFrame, within: float | None) -> Section:
    if frame.empty:
        return Section("community", SECTION_TITLES["community"], "No inbound messages in this period.")
    total = int(frame["messages"].sum())
    headline = (
        f"{within:.0%} of {total:,} messages answered within the SLA."
        if within is not None
        else f"{total:,} messages; no SLA set for their priorities."
    )
    lines = [
        f"{r.priority}: {r.messages} messages, median first response "
        f"{_fmt(r._4, 'minutes')} against {r._5 if r._5 is not None else '–'} min"
        for r in frame.itertuples()
    ]
    chart = report_charts.bars(
        frame.dropna(subset=["within SLA"]), "priority", "within SLA", "Answered within SLA", True
    )
    return Section("community", SECTION_TITLES["community"], headline, lines=lines, table=frame, chart=chart)


def _incidents_section(frame: pd.DataFrame) -> Section:
    if frame.empty:
        return Section("incidents", SECTION_TITLES["incidents"], "No incidents in this period.")
    open_now = int(frame["resolved"].isna().sum())
    headline = f"{len(frame)} incident(s), {open_now} still open."
    table = frame.assign(
        opened=frame["opened"].map(lambda t: t.strftime("%Y-%m-%d %H:%M")),
        resolved=frame["resolved"].map(lambda t: t.strftime("%Y-%m-%d %H:%M") if pd.notna(t) else ""),
    )
    return Section("incidents", SECTION_TITLES["incidents"], headline, table=table)


def _competitors_section(table: pd.DataFrame, own_share: pd.DataFrame) -> Section:
    if table.empty:
        return Section("competitors", SECTION_TITLES["competitors"], "No competitor figures in this period.")
    lines = [f"{r.platform}: our share of voice {r.share:.0%}." for r in own_share.dropna().itertuples()]
    headline = lines[0] if lines else "Competitors tracked; no mentions to compare."
    keep = [
        "competitor",
        "platform",
        "latest followers",
        "growth in period",
        "engagement per post",
        "share of voice",
    ]
    return Section("competitors", SECTION_TITLES["competitors"], headline, lines=lines[1:], table=table[keep])


def _days_with_data(session: Session, brand_id: int, start: date, end: date) -> int:
    m = ChannelDailyMetric
    return int(
        session.scalar(
            select(func.count(func.distinct(m.date))).where(
                m.brand_id == brand_id, m.date >= start, m.date <= end
            )
        )
        or 0
    )


def _platform_totals(session: Session, actor: Actor, ids: list[int], start: date, end: date) -> pd.DataFrame:
    daily = overview.daily_by_platform(session, actor, ids, start, end)
    totals = daily.groupby("platform", as_index=False)[["impressions", "engagements"]].sum()
    totals["platform"] = totals["platform"].map(lambda p: Platform(p).label)
    return totals


def build_report(
    session: Session,
    actor: Actor,
    brand: str,
    template: str | None,
    start: date,
    end: date,
    *,
    today: date | None = None,
) -> Report:
    """The report of `brand` for [start, end] per `template` (the executive summary when None)."""
    tpl = get_template(template)
    b = get_brand(session, actor, brand)
    require(actor, Perm.VIEW, b.id, b.slug)
    ids = [b.id]
    prev = previous_range(start, end)
    today = today or clock.today()
    wanted = set(tpl.sections) | {"insights", "recommendations"}

    kpis = overview.headline_kpis(session, actor, ids, start, end)
    progress = kpi_targets.target_progress(
        session,
        actor,
        ids,
        min(end, today),
    )
    progress = progress[progress["channel"] == "all channels"].reset_index(drop=True)
    # rollup_reads.period_totals(by="platform") would be the natural read, but it fails at the time of
    # writing (dict() over a Result); the daily per-platform read is indexed on (brand, date) too.
    plat = report_insights.platform_changes(
        _platform_totals(session, actor, ids, start, end), _platform_totals(session, actor, ids, *prev)
    )
    community = report_community.response_by_priority(session, b.id, start, end)
    within = report_community.overall_within_sla(community)
    incidents = report_community.incidents_in(session, b.id, start, end)
    comp = competitors.competitor_overview(session, actor, ids, start, end)
    own_share = report_insights.own_share_of_voice(comp)
    found = anomalies.find_anomalies(session, actor, Scope((b.id,)), start, end, limit=3)

    sections: dict[str, Section] = {}
    sections["kpis"] = _kpi_section(kpis, progress)
    sections["targets"] = _targets_section(progress)
    if "trend" in wanted:
        grain = "day" if (end - start).days <= 31 else "week"
        trend = rollup_reads.rollup_frame(session, actor, ids, start, end, grain=grain, by="platform")
        if grain == "week":  # whole weeks inside the period only: the last one may run past its end
            trend = trend[trend["period_start"] + pd.Timedelta(days=6) <= pd.Timestamp(end)]
        trend["platform"] = trend["platform"].map(lambda p: Platform(p).label)
        trend["engagement_rate"] = trend["engagements"] / trend["impressions"].where(trend["impressions"] > 0)
        sections["trend"] = _trend_section(trend, grain)
    sections["platforms"] = _platforms_section(plat)
    if "posts" in wanted:
        top = top_posts(session, actor, ids, start, end, 5)
        bottom = top_posts(session, actor, ids, start, end, 5, bottom=True)
        sections["posts"] = _posts_section(top, bottom)
    sections["community"] = _community_section(community, within)
    sections["incidents"] = _incidents_section(incidents)
    sections["competitors"] = _competitors_section(comp, own_share)

    values = report_insights.rule_values(kpis, progress, within, incidents, own_share)
    focus = "community" if tpl.key == "community" else "performance"
    lines = report_insights.insight_lines(kpis, plat, found, within, incidents, focus=focus)
    note = report_insights.coverage_note(_days_with_data(session, b.id, *prev), prev)
    lines[1:1] = [note] if note else []
    sections["insights"] = Section("insights", SECTION_TITLES["insights"], lines[0], lines=lines[1:])
    recs = report_rules.recommend(session, b.id, values)
    sections["recommendations"] = Section(
        "recommendations",
        SECTION_TITLES["recommendations"],
        recs[0] if recs else "Nothing needs action: no recommendation rule applies to this period.",
        lines=recs[1:],
    )
    return Report(
        brand=b.name,
        brand_slug=b.slug,
        template=tpl,
        start=start,
        end=end,
        previous=prev,
        generated_at=clock.now(),
        sections=[sections[k] for k in tpl.sections],
        values=values,
    )
