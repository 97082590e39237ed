"""Best time to post: the engagement rate of published posts by weekday × hour (in market time) over the
last weeks, from the channel's own history or, when that is thin, from every channel on its platform;
thin cells are smoothed toward the overall rate, and the result says in words how it was computed."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pandas as pd
from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session

from app.models import Brand, Channel, Market, PostMetricSnapshot, PostVariant
from app.services.core import Actor, NotFound, Perm, ValidationError, clock, require

WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
# How many posts' worth of weight the overall rate gets in every cell: a cell with this many posts is
# half its own average and half the overall one, so a single lucky post cannot top the list.
PRIOR_POSTS = 5
GRID_COLUMNS = ["weekday", "day", "hour", "posts", "observed_rate", "expected_rate"]


@dataclass(frozen=True)
class Slot:
    weekday: int  # 0 = Monday
    hour: int  # 0-23, market time
    expected_rate: float  # smoothed engagement rate
    posts: int  # measured posts behind it
    observed_rate: float  # their plain average

    @property
    def label(self) -> str:
        return f"{WEEKDAYS[self.weekday]} {self.hour:02d}:00"


@dataclass(frozen=True)
class BestTime:
    channel_id: int
    channel: str
    platform: str
    timezone: str  # the channel's brand market zone (pooled posts each use their own brand's zone)
    basis: str  # "this channel" or "all <Platform> channels"
    pooled: bool
    own_posts: int  # measured posts of the channel itself in the window
    posts_used: int  # measured posts behind the suggestion
    channels_used: int
    window_start: datetime
    window_end: datetime
    weeks: int
    min_posts: int
    overall_rate: float | None
    slots: tuple[Slot, ...]
    grid: pd.DataFrame  # every weekday × hour: posts, observed and expected rate (for a heatmap)
    explanation: str


def _measured(
    session: Session, channel_ids: object, since: datetime, until: datetime
) -> list[tuple[datetime, str, int, float]]:
    """(published_at, market zone, channel id, engagement rate) of each published variant with a
    latest snapshot that has impressions."""
    v, s = PostVariant, PostMetricSnapshot
    pub = (
        select(v.id.label("vid"), v.published_at, v.channel_id, Market.timezone)
        .join(Brand, Brand.id == v.brand_id)
        .join(Market, Market.id == Brand.market_id)
        .where(v.channel_id.in_(channel_ids), v.published_at >= since, v.published_at < until)
        .subquery()
    )
    latest = (
        select(s.variant_id, func.max(s.captured_at).label("at"))
        .join(pub, pub.c.vid == s.variant_id)
        .group_by(s.variant_id)
        .subquery()
    )
    rows = session.execute(
        select(pub.c.published_at, pub.c.timezone, pub.c.channel_id, s.engagements, s.impressions)
        .join(latest, latest.c.variant_id == pub.c.vid)
        .join(s, and_(s.variant_id == latest.c.variant_id, s.captured_at == latest.c.at))
    ).all()
    return [
        (at, zone, ch, eng / imp)
        for at, zone, ch, eng, imp in rows
        if at is not None and eng is not None and imp  # no impressions: no rate to learn from
    ]


def smooth(posts: int, mean: float | None, overall: float, prior: int = PRIOR_POSTS) -> float:
    """A cell's mean shrunk toward the overall mean by its count: (n·mean + k·overall) / (n + k)."""
    if not posts or mean is None:
        return overall
    return (posts * mean + prior * overall) / (posts + prior)


def _grid(rows: list[tuple[datetime, str, int, float]]) -> tuple[pd.DataFrame, float | None]:
    cells: dict[tuple[int, int], list[float]] = {}
    zones: dict[str, ZoneInfo] = {}
    for at, zone, _, rate in rows:
        local = at.astimezone(zones.setdefault(zone, ZoneInfo(zone)))
        cells.setdefault((local.weekday(), local.hour), []).append(rate)
    overall = sum(r for *_, r in rows) / len(rows) if rows else None
    data = []
    for wd in range(7):
        for hour in range(24):
            rates = cells.get((wd, hour), [])
            mean = sum(rates) / len(rates) if rates else None
            expected = smooth(len(rates), mean, overall) if overall is not None else None
            data.append((wd, WEEKDAYS[wd], hour, len(rates), mean, expected))
    return pd.DataFrame(data, columns=GRID_COLUMNS), overall


def _pct(rate: float | None) -> str:
    return "–" if rate is None else f"{rate:.2%}"


def _explain(r: dict, platform_label: str) -> str:
    window = f"{r['since']:%d %b %Y} – {r['until']:%d %b %Y} (the last {r['weeks']} weeks)"
    if r["pooled"]:
        head = (
            f"This channel has only {r['own']} measured post{'s' if r['own'] != 1 else ''} in {window}, "
            f"fewer than the {r['min_posts']} a suggestion of its own needs, so it pools the history of "
            f"all {platform_label} channels in the workspace: {r['used']} posts on {r['channels']} "
            f"channel{'s' if r['channels'] != 1 else ''}, each placed in its own brand's market time."
        )
    else:
        head = (
            f"Computed from this channel's own {r['used']} measured posts in {window}, in {r['zone']} time."
        )
    if not r["used"]:
        return head + " With no measured posts there is nothing to suggest yet: import or refresh metrics."
    return (
        f"{head} Each post's engagement rate is its engagements divided by its impressions, from its "
        f"latest metrics reading. Posts are grouped by the weekday and hour they went out; each group's "
        f"average is pulled toward the overall average ({_pct(r['overall'])}) as if it held {PRIOR_POSTS} "
        f"extra posts at that average, so an hour with few posts counts mostly the overall rate and one "
        f"lucky post cannot top the list. The suggested slots are the hours with the highest smoothed "
        f"rate among those that have posts."
    )


def suggest_slots(
    session: Session,
    actor: Actor,
    channel_id: int,
    *,
    now: datetime | None = None,
    top: int = 3,
    weeks: int = 16,
    min_posts: int = 20,
) -> BestTime:
    """The `top` weekday-hour slots with the highest expected engagement rate for the channel."""
    if not 1 <= weeks <= 104:
        raise ValidationError("look back 1 to 104 weeks", field="weeks", value=weeks)
    if not 1 <= top <= 24 or min_posts < 1:
        raise ValidationError("top must be 1-24 and min_posts at least 1", field="top", value=top)
    channel = session.get(Channel, channel_id)
    visible = actor.visible_brand_ids()
    if channel is None or (visible is not None and channel.brand_id not in visible):
        raise NotFound(f"no channel {channel_id}")
    require(actor, Perm.VIEW, channel.brand_id)
    brand = session.get(Brand, channel.brand_id)
    until = now or clock.now()
    since = until - timedelta(weeks=weeks)
    rows = _measured(session, [channel.id], since, until)
    own = len(rows)
    pooled = own < min_posts
    if pooled:
        # Pool only the brands this person may see: even as weekday-hour rates, one client's results
        # must not inform another client's user. Agency staff see (and pool) every brand.
        same_platform = (
            select(Channel.id)
            .join(Brand, Brand.id == Channel.brand_id)
            .where(Channel.platform == channel.platform, Brand.workspace_id == brand.workspace_id)
        )
        visible = actor.visible_brand_ids()
        if visible is not None:
            same_platform = same_platform.where(Brand.id.in_(sorted(visible)))
        rows = _measured(session, same_platform, since, until)
    grid, overall = _grid(rows)
    ranked = grid[grid["posts"] > 0].sort_values(["expected_rate", "posts"], ascending=[False, False])
    slots = tuple(
        Slot(int(r.weekday), int(r.hour), float(r.expected_rate), int(r.posts), float(r.observed_rate))
        for r in ranked.head(top).itertuples()
    )
    label = channel.platform.label
    facts = {
        "since": since,
        "until": until,
        "weeks": weeks,
        "pooled": pooled,
        "own": own,
        "min_posts": min_posts,
        "used": len(rows),
        "channels": len({ch for _, _, ch, _ in rows}),
        "zone": brand.market.timezone,
        "overall": overall,
    }
    return BestTime(
        channel_id=channel.id,
        channel=channel.display_name or channel.handle,
        platform=channel.platform.value,
        timezone=brand.market.timezone,
        basis=f"all {label} channels" if pooled else "this channel",
        pooled=pooled,
        own_posts=own,
        posts_used=len(rows),
        channels_used=facts["channels"],
        window_start=since,
        window_end=until,
        weeks=weeks,
        min_posts=min_posts,
        overall_rate=overall,
        slots=slots,
        grid=grid,
        explanation=_explain(facts, label),
    )
