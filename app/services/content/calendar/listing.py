"""The content calendar: every post variant due or published in a period, with what it belongs to, and
the per-day count by status the calendar chart draws."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date

import pandas as pd
from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

from app.models import Brand, Campaign, Channel, ContentPillar, Post, PostVariant
from app.models.enums import Platform, PostStatus
from app.services.content.calendar.variant_rows import channel_label, owner_alias, with_variant_context
from app.services.core import Actor, Perm, require_brands, time_bucket, utc_bounds

VARIANT_COLUMNS = [
    "time",
    "brand",
    "channel",
    "platform",
    "post",
    "status",
    "owner",
    "campaign",
    "pillar",
    "published",
]


def _in_period(start: date, end: date):  # type: ignore[no-untyped-def]
    """A variant belongs to the days it is scheduled for; one published without a schedule to the day it
    went out. Both halves are range scans (the first on the brand/scheduled_at index)."""
    lo, hi = utc_bounds(start, end)
    v = PostVariant
    return or_(
        and_(v.scheduled_at >= lo, v.scheduled_at < hi),
        and_(v.scheduled_at.is_(None), v.published_at >= lo, v.published_at < hi),
    )


def _filters(
    brand_ids: Sequence[int],
    start: date,
    end: date,
    statuses: Iterable[PostStatus | str] | None,
    platforms: Iterable[Platform | str] | None,
) -> list:
    v = PostVariant
    where = [v.brand_id.in_(brand_ids), _in_period(start, end)]
    if statuses:
        where.append(v.status.in_([PostStatus(s) for s in statuses]))
    if platforms:
        where.append(Channel.platform.in_([Platform(p) for p in platforms]))
    return where


def list_variants(
    session: Session,
    actor: Actor,
    brand_ids: Sequence[int],
    start: date,
    end: date,
    statuses: Iterable[PostStatus | str] | None = None,
    platforms: Iterable[Platform | str] | None = None,
    limit: int = 2000,
) -> pd.DataFrame:
    """The period's variants in time order: when, where, what, its status and who owns it."""
    brand_ids = require_brands(actor, Perm.VIEW, brand_ids)
    if not brand_ids:
        return pd.DataFrame(columns=VARIANT_COLUMNS)
    v = PostVariant
    owner, owner_name = owner_alias()
    stmt = (
        with_variant_context(
            select(
                func.coalesce(v.scheduled_at, v.published_at),
                Brand.name,
                channel_label(),
                Channel.platform,
                Post.title,
                v.status,
                owner_name,
                Campaign.name,
                ContentPillar.name,
                v.published_at,
            ),
            owner,
        )
        .where(*_filters(brand_ids, start, end, statuses, platforms))
        .order_by(func.coalesce(v.scheduled_at, v.published_at), v.id)
        .limit(limit)
    )
    rows = [
        (at, brand, chan, plat.value, title, status.value, own, camp, pillar, pub)
        for at, brand, chan, plat, title, status, own, camp, pillar, pub in session.execute(stmt)
    ]
    df = pd.DataFrame(rows, columns=VARIANT_COLUMNS)
    # coalesce() loses the column type, so SQLite hands back text: make both stores agree on UTC times.
    df["time"] = pd.to_datetime(df["time"], utc=True)
    df["published"] = pd.to_datetime(df["published"], utc=True)
    return df


def variants_per_day(
    session: Session,
    actor: Actor,
    brand_ids: Sequence[int],
    start: date,
    end: date,
    statuses: Iterable[PostStatus | str] | None = None,
    platforms: Iterable[Platform | str] | None = None,
) -> pd.DataFrame:
    """day, status, variants: how full each day of the period is (UTC days), counted in SQL."""
    brand_ids = require_brands(actor, Perm.VIEW, brand_ids)
    empty = pd.DataFrame(columns=["day", "status", "variants"])
    if not brand_ids:
        return empty
    v = PostVariant
    day = time_bucket(session, func.coalesce(v.scheduled_at, v.published_at), "day").label("day")
    stmt = (
        select(day, v.status, func.count())
        .select_from(v)
        .join(Channel, Channel.id == v.channel_id)
        .where(*_filters(brand_ids, start, end, statuses, platforms))
        .group_by(day, v.status)
        .order_by(day)
    )
    rows = [(d, status.value, n) for d, status, n in session.execute(stmt)]
    if not rows:
        return empty
    df = pd.DataFrame(rows, columns=["day", "status", "variants"])
    df["day"] = pd.to_datetime(df["day"])
    return df
