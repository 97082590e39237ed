"""The calendar grid's read model: post variants as events over a time range (each with its brand's market
time zone, colour, and whether the actor may drag it), the filter choices, and the table and per-day
counts of the same events (a post opened from the grid: calendar_post)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pandas as pd
from sqlalchemy import func, or_, select, union_all
from sqlalchemy.orm import Session

from app.models import Brand, Campaign, Channel, ContentPillar, Market, Membership, Post, PostVariant, User
from app.models.enums import Platform, PostStatus
from app.services.content.calendar.listing import VARIANT_COLUMNS
from app.services.content.calendar.variant_rows import channel_label, owner_alias, with_variant_context
from app.services.core import PLATFORM_COLORS, STATUS_COLORS, Actor, Perm, ValidationError, require_brands
from app.services.org import current_workspace

# The same palettes as app.ui.charts (a service may not import the UI layer; a test keeps them equal),
# so a status has one colour on the grid and on every chart.
COLOUR_BY = ("status", "channel")
# A variant in these states has gone out (or been put away): the grid never lets it move.
LOCKED = frozenset({PostStatus.PUBLISHING, PostStatus.PUBLISHED, PostStatus.ARCHIVED})
DEFAULT_LIMIT = 5000


@dataclass(frozen=True)
class CalendarEvent:
    variant_id: int
    post_id: int
    brand_id: int
    brand: str
    title: str  # "[Platform] post title"
    post_title: str
    start: datetime  # aware UTC: scheduled time, or the publish time of a variant that had none
    timezone: str  # the brand's market time zone
    status: str
    platform: str
    channel_id: int
    channel: str
    campaign: str | None
    pillar: str | None
    owner: str | None
    colour: str
    editable: bool
    version: int  # the variant's version, for the optimistic check of a move
    published_at: datetime | None

    @property
    def local_start(self) -> datetime:
        return self.start.astimezone(ZoneInfo(self.timezone))


@dataclass(frozen=True)
class FilterChoices:
    """id → label of each filter's options, for the brands in scope."""

    channels: dict[int, str]
    campaigns: dict[int, str]
    pillars: dict[int, str]
    owners: dict[int, str]
    statuses: dict[str, str]


def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (KeyError, ValueError):
        raise ValidationError(f"unknown time zone {name!r}", field="timezone", value=name) from None


def time_bounds(start: date | datetime, end: date | datetime, tz: str = "UTC") -> tuple[datetime, datetime]:
    """A half-open UTC range: aware datetimes as they are; dates as whole days in `tz`, `end` included."""
    zone = _zone(tz)

    def edge(value: date | datetime, next_day: bool) -> datetime:
        if isinstance(value, datetime):
            if value.tzinfo is None:
                raise ValidationError("a calendar bound needs a time zone", field="start", value=value)
            return value.astimezone(UTC)
        day = value + timedelta(days=1) if next_day else value
        return datetime.combine(day, time.min, zone).astimezone(UTC)

    lo, hi = edge(start, False), edge(end, True)
    if hi <= lo:
        raise ValidationError("the end of the range is before its start", field="end")
    return lo, hi


def grid_timezone(session: Session, actor: Actor, brand_ids: Sequence[int]) -> str:
    """The zone the grid shows: the market zone the brands share (one brand: its own), otherwise the
    workspace's default zone, since one grid can only have one clock."""
    brand_ids = require_brands(actor, Perm.VIEW, brand_ids)
    zones = set(
        session.scalars(
            select(Market.timezone).join(Brand, Brand.market_id == Market.id).where(Brand.id.in_(brand_ids))
        )
    )
    if len(zones) == 1:
        return zones.pop()
    return current_workspace(session).default_timezone or "UTC"


def calendar_events(
    session: Session,
    actor: Actor,
    brand_ids: Sequence[int],
    start: date | datetime,
    end: date | datetime,
    *,
    tz: str = "UTC",
    channels: Iterable[int] | None = None,
    campaigns: Iterable[int] | None = None,
    pillars: Iterable[int] | None = None,
    statuses: Iterable[PostStatus | str] | None = None,
    owners: Iterable[int] | None = None,
    color_by: str = "status",
    limit: int | None = DEFAULT_LIMIT,
) -> list[CalendarEvent]:
    """The variants due (or, without a schedule, published) in the range, in time order.

    Dates are whole days in `tz` (the grid's zone); aware datetimes are taken as they are. Each event's
    `start` is UTC; `timezone` names its brand's market zone. Two range scans, one on the
    (brand_id, scheduled_at) index and one on (brand_id, published_at) for variants never scheduled,
    pick the ids; only those rows are joined to their post, channel and brand.
    """
    if color_by not in COLOUR_BY:
        raise ValidationError(f"colour by {color_by!r}: choose status or channel", field="color_by")
    brand_ids = require_brands(actor, Perm.VIEW, brand_ids)
    if not brand_ids:
        return []
    lo, hi = time_bounds(start, end, tz)
    v = PostVariant
    in_range = union_all(
        select(v.id).where(v.brand_id.in_(brand_ids), v.scheduled_at >= lo, v.scheduled_at < hi),
        select(v.id).where(
            v.brand_id.in_(brand_ids), v.scheduled_at.is_(None), v.published_at >= lo, v.published_at < hi
        ),
    ).subquery()
    owner, owner_name = owner_alias()
    stmt = with_variant_context(
        select(
            v.id,
            v.post_id,
            v.brand_id,
            v.channel_id,
            v.status,
            v.scheduled_at,
            v.published_at,
            v.version,
            Post.title,
            Post.status,
            Channel.platform,
            channel_label(),
            Brand.name,
            Market.timezone,
            Campaign.name,
            ContentPillar.name,
            owner_name,
        ),
        owner,
        market=True,
        only_ids=in_range,
    )
    if channels:
        stmt = stmt.where(v.channel_id.in_(list(channels)))
    if campaigns:
        stmt = stmt.where(Post.campaign_id.in_(list(campaigns)))
    if pillars:
        stmt = stmt.where(Post.pillar_id.in_(list(pillars)))
    if statuses:
        stmt = stmt.where(v.status.in_([PostStatus(s) for s in statuses]))
    if owners:
        stmt = stmt.where(Post.owner_id.in_(list(owners)))
    # Sorting happens on the few rows in range; NULL schedules sort by their publish time.
    stmt = stmt.order_by(func.coalesce(v.scheduled_at, v.published_at), v.id)
    if limit is not None:
        stmt = stmt.limit(limit)
    out: list[CalendarEvent] = []
    for row in session.execute(stmt):
        (vid, pid, bid, cid, status, sched, pub, version, ptitle, pstatus, plat, chan) = row[:12]
        brand, zone, campaign, pillar, own = row[12:]
        # The composer's rule for a move (reschedule_variant), so the grid never offers a refused drag.
        editable = (
            actor.can(Perm.CONTENT_EDIT, bid) and status not in LOCKED and pstatus != PostStatus.ARCHIVED
        )
        colour = STATUS_COLORS[status.value] if color_by == "status" else PLATFORM_COLORS[plat.value]
        out.append(
            CalendarEvent(
                variant_id=vid,
                post_id=pid,
                brand_id=bid,
                brand=brand,
                title=f"[{plat.label}] {ptitle}",
                post_title=ptitle,
                start=sched or pub,
                timezone=zone,
                status=status.value,
                platform=plat.value,
                channel_id=cid,
                channel=chan,
                campaign=campaign,
                pillar=pillar,
                owner=own,
                colour=colour,
                editable=editable,
                version=version,
                published_at=pub,
            )
        )
    return out


def filter_choices(session: Session, actor: Actor, brand_ids: Sequence[int]) -> FilterChoices:
    """The channels, campaigns, pillars and possible owners (people with a role on the brands) in scope.
    With several brands in scope, each label names its brand. Archived campaigns and pillars are left
    out; campaigns that are over stay (the calendar looks back too)."""
    brand_ids = require_brands(actor, Perm.VIEW, brand_ids)
    statuses = {s.value: s.label for s in PostStatus}
    if not brand_ids:
        return FilterChoices({}, {}, {}, {}, statuses)
    many = len(brand_ids) > 1

    def label(name: str, brand: str) -> str:
        return f"{name} ({brand})" if many else name

    chans = session.execute(
        select(Channel.id, Channel.platform, Channel.handle, Brand.name)
        .join(Brand, Brand.id == Channel.brand_id)
        .where(Channel.brand_id.in_(brand_ids))
        .order_by(Brand.name, Channel.platform, Channel.handle)
    ).all()
    camps = session.execute(
        select(Campaign.id, Campaign.name, Brand.name)
        .join(Brand, Brand.id == Campaign.brand_id)
        .where(Campaign.brand_id.in_(brand_ids), Campaign.archived_at.is_(None))
        .order_by(Campaign.start_date.desc(), Campaign.name)
    ).all()
    pills = session.execute(
        select(ContentPillar.id, ContentPillar.name, Brand.name)
        .join(Brand, Brand.id == ContentPillar.brand_id)
        .where(ContentPillar.brand_id.in_(brand_ids), ContentPillar.archived_at.is_(None))
        .order_by(Brand.name, ContentPillar.name)
    ).all()
    ws = current_workspace(session)
    members = select(Membership.user_id).where(Membership.brand_id.in_(brand_ids))
    people = session.execute(
        select(User.id, func.coalesce(func.nullif(User.name, ""), User.email))
        .where(
            User.workspace_id == ws.id,
            User.active.is_(True),
            or_(User.role.is_not(None), User.id.in_(members)),
        )
        .order_by(User.name, User.email)
    ).all()
    return FilterChoices(
        channels={i: label(f"{Platform(p).label} · {h}", b) for i, p, h, b in chans},
        campaigns={i: label(n, b) for i, n, b in camps},
        pillars={i: label(n, b) for i, n, b in pills},
        owners=dict(people),
        statuses=statuses,
    )


EVENT_COLUMNS = VARIANT_COLUMNS  # the grid's table is the calendar list, column for column


def events_table(events: Sequence[CalendarEvent], tz: str) -> pd.DataFrame:
    """The events as the accessible, downloadable table; times as wall-clock text in `tz`."""
    zone = _zone(tz)
    rows = [
        (
            e.start.astimezone(zone).strftime("%a %d %b %Y %H:%M"),
            e.brand,
            e.channel,
            Platform(e.platform).label,
            e.post_title,
            PostStatus(e.status).label,
            e.owner,
            e.campaign,
            e.pillar,
            e.published_at.astimezone(zone).strftime("%d %b %H:%M") if e.published_at else None,
        )
        for e in events
    ]
    return pd.DataFrame(rows, columns=EVENT_COLUMNS)


def events_per_day(events: Sequence[CalendarEvent], tz: str) -> pd.DataFrame:
    """day, status, variants: how full each day is, by days of `tz` (not UTC days)."""
    zone = _zone(tz)
    if not events:
        return pd.DataFrame(columns=["day", "status", "variants"])
    df = pd.DataFrame(
        [(e.start.astimezone(zone).date(), e.status) for e in events], columns=["day", "status"]
    )
    out = df.groupby(["day", "status"], as_index=False).size().rename(columns={"size": "variants"})
    out["day"] = pd.to_datetime(out["day"])
    return out
