"""One campaign as a team lead reviews it: its objective (and the KPI that measures it, target against
actual), dates, budget with currency, its posts by status, its pillars, and each of its posts on each
channel (status, time, latest engagements, link). The hub has no spend model, so spend reads "not
tracked" rather than a figure it does not have."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import pandas as pd
from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session

from app.models import Campaign, Channel, MetricDefinition, Post, PostMetricSnapshot, PostVariant
from app.models.enums import MetricUnit, PostStatus
from app.services.core import Actor, Perm, clock, visible_row
from app.services.measurement.kpis.targets_table import metric_actual
from app.services.org import channel_label
from app.services.strategy import campaigns, objectives

SPEND_NOT_TRACKED = "not tracked"
POST_COLUMNS = ["post", "channel", "status", "time", "engagements", "link"]


@dataclass(frozen=True)
class CampaignKpi:
    metric: str
    target: str
    actual: str
    measured: str  # the dates it is measured over, in words
    met: bool | None  # None: nothing measured yet


@dataclass(frozen=True)
class CampaignSummary:
    name: str
    brand: str
    status: str
    dates: str
    timing: str  # "starts in 5 days", "day 3 of 30", "ended 2 days ago"
    budget: str
    spend: str
    objective: str
    kpi: CampaignKpi | None
    posts_by_status: tuple[tuple[str, int], ...]
    pillars: tuple[str, ...]
    markets: tuple[str, ...]
    channels: tuple[str, ...]
    utm_campaign: str


def date_range_text(start: date, end: date) -> str:
    if start.year == end.year:
        return f"{start:%-d %b} – {end:%-d %b %Y}"
    return f"{start:%-d %b %Y} – {end:%-d %b %Y}"


def money_text(amount: Decimal | None, currency: str | None) -> str:
    if amount is None:
        return "no budget set"
    return f"{currency or ''} {amount:,.2f}".strip()


def metric_text(value: float | None, unit: MetricUnit) -> str:
    """A metric's value for people: ratios as percentages, counts with thousands separators."""
    if value is None:
        return "nothing measured yet"
    if unit in (MetricUnit.PERCENT, MetricUnit.RATIO) and abs(value) <= 1:
        return f"{value:.1%}"
    if unit == MetricUnit.SECONDS:
        return f"{value / 60:,.0f} min" if value >= 120 else f"{value:,.0f} s"
    return f"{value:,.0f}" if abs(value) >= 100 else f"{value:,.2f}".rstrip("0").rstrip(".")


def _timing(start: date, end: date, today: date) -> str:
    if today < start:
        days = (start - today).days
        return f"starts in {days} day{'s' if days != 1 else ''}"
    if today > end:
        days = (today - end).days
        return f"ended {days} day{'s' if days != 1 else ''} ago"
    return f"day {(today - start).days + 1} of {(end - start).days + 1}"


def _kpi(
    session: Session, brand_id: int, objective: objectives.ObjectiveInfo, c_start: date, c_end: date
) -> CampaignKpi | None:
    if not objective.kpi_metric_key:
        return None
    unit, higher = session.execute(
        select(MetricDefinition.unit, MetricDefinition.higher_is_better).where(
            MetricDefinition.key == objective.kpi_metric_key
        )
    ).one()
    start, end = objective.period_start or c_start, objective.period_end or c_end
    actual = metric_actual(session, brand_id, objective.kpi_metric_key, start, end)
    goal = float(objective.target_value) if objective.target_value is not None else None
    if goal is not None and unit == MetricUnit.PERCENT and goal > 1:
        goal /= 100  # a percent target typed as 4.5 means 4.5%, as the kpi targets read it
    met = None if actual is None or goal is None else (actual >= goal if higher else actual <= goal)
    return CampaignKpi(
        objective.kpi_metric_name or objective.kpi_metric_key,
        metric_text(goal, unit) if goal is not None else "no target set",
        metric_text(actual, unit),
        date_range_text(start, end),
        met,
    )


def campaign_summary(session: Session, actor: Actor, campaign_id: int) -> CampaignSummary:
    """The campaign (archived ones too: a dashboard may look back at one) for someone who sees its brand."""
    row = visible_row(session, actor, Campaign, campaign_id, "campaign", Perm.VIEW)
    info = campaigns.get_campaign(session, actor, row.brand_id, row.slug)
    objective = objectives.get_objective(session, actor, info.objective_id) if info.objective_id else None
    counts = dict(
        session.execute(
            select(Post.status, func.count()).where(Post.campaign_id == row.id).group_by(Post.status)
        ).all()
    )
    by_status = tuple((s.label, int(counts[s])) for s in PostStatus if counts.get(s))
    archived = " (archived)" if info.archived else ""
    return CampaignSummary(
        name=info.name + archived,
        brand=info.brand_name,
        status=info.status_label,
        dates=date_range_text(info.start_date, info.end_date),
        timing=_timing(info.start_date, info.end_date, clock.today()),
        budget=money_text(info.budget, info.currency),
        spend=SPEND_NOT_TRACKED,
        objective=f"{objective.name} ({objective.kind_label.lower()})" if objective else "no objective set",
        kpi=_kpi(session, row.brand_id, objective, info.start_date, info.end_date) if objective else None,
        posts_by_status=by_status,
        pillars=info.pillar_names,
        markets=info.markets,
        channels=info.channel_names,
        utm_campaign=info.utm_campaign or "",
    )


def campaign_posts(session: Session, actor: Actor, campaign_id: int, limit: int = 50) -> pd.DataFrame:
    """The campaign's posts, one row per channel they go to, latest first: the post's title, the channel
    as people know it, its status in words, its time (published, else scheduled; UTC), its engagements
    at the latest metrics read (none before the first read) and the link once it is out."""
    row = visible_row(session, actor, Campaign, campaign_id, "campaign", Perm.VIEW)
    s = PostMetricSnapshot
    latest = (
        select(s.variant_id, func.max(s.captured_at).label("at"))
        .join(PostVariant, PostVariant.id == s.variant_id)
        .join(Post, Post.id == PostVariant.post_id)
        .where(Post.campaign_id == row.id)
        .group_by(s.variant_id)
        .subquery()
    )
    snap = (
        select(s.variant_id, s.engagements)
        .join(latest, and_(latest.c.variant_id == s.variant_id, latest.c.at == s.captured_at))
        .subquery()
    )
    when = func.coalesce(PostVariant.published_at, PostVariant.scheduled_at)
    stmt = (
        select(Post.title, Channel, PostVariant.status, when, snap.c.engagements, PostVariant.permalink)
        .join(Post, Post.id == PostVariant.post_id)
        .join(Channel, Channel.id == PostVariant.channel_id)
        .outerjoin(snap, snap.c.variant_id == PostVariant.id)
        .where(Post.campaign_id == row.id)
        .order_by(when.desc().nulls_last(), PostVariant.id.desc())
        .limit(limit)
    )
    rows = [
        (title, channel_label(ch), status.label, at, engagements, link)
        for title, ch, status, at, engagements, link in session.execute(stmt)
    ]
    frame = pd.DataFrame(rows, columns=POST_COLUMNS)
    frame["time"] = pd.to_datetime(frame["time"])
    return frame
