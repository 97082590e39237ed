"""Reading metrics back from the platforms: a snapshot of each recently published variant's counters,
and the channel's daily numbers upserted into the wide daily table (one row per channel and day, so a
re-run corrects a day instead of adding one). Channels whose connector has no metrics API are skipped
and counted; a platform error is recorded on the connection and the other channels carry on."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import Engine, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from app.connectors.base import ChannelMetrics, Connector, NotSupported, PostMetrics
from app.connectors.registry import connector_for
from app.db import read_session, write_session
from app.faults import maybe_crash
from app.models import Channel, ChannelDailyMetric, ConnectorAccount, PostMetricSnapshot, PostVariant
from app.models.enums import PostStatus
from app.models.metrics import CHANNEL_BASE_METRICS, POST_BASE_METRICS
from app.services.community import channels_to_sync
from app.services.core import Actor, Perm, audit, clock, require
from app.services.platforms import error_text, note_failure, note_success

POSTS_WINDOW = timedelta(days=30)  # counters of older posts barely move; the last snapshot stays current
CHANNEL_DAYS = 7  # days re-read each run: platforms revise recent days
BATCH = 40  # ids per metrics request (Mastodon answers up to 40 statuses a call)


@dataclass
class ChannelMetricsSync:
    channel: str
    snapshots: int = 0
    days: int = 0
    posts_skipped: str | None = None  # why no post metrics were asked (no API for them)
    channel_skipped: str | None = None
    error: str | None = None
    on_connection: bool = False  # the platform's error, kept on the connection (see inbox_sync)

    @property
    def ok(self) -> bool:
        return self.error is None

    @property
    def skipped(self) -> bool:
        return self.posts_skipped is not None and self.channel_skipped is not None


def _insert(session: Session):  # type: ignore[no-untyped-def]
    return pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert


def _values(raw: dict[str, int], allowed: Sequence[str]) -> dict[str, int]:
    # Only base metrics of the dictionary have columns; anything else a connector reports is ignored.
    return {k: int(v) for k, v in raw.items() if k in allowed and v is not None}


def store_snapshots(
    session: Session, variants: dict[str, tuple[int, int]], metrics: Sequence[PostMetrics], at: datetime
) -> int:
    """One snapshot per variant the platform answered for (`variants`: external id → (variant, brand))."""
    rows = []
    for pm in metrics:
        if pm.external_id not in variants or not (values := _values(pm.values, POST_BASE_METRICS)):
            continue
        variant_id, brand_id = variants[pm.external_id]
        rows.append(
            {"variant_id": variant_id, "brand_id": brand_id, "captured_at": at, "source": "api", **values}
        )
    stored = 0
    for row in rows:  # rows differ in which metrics they carry, so one statement each
        stmt = _insert(session)(PostMetricSnapshot).values(**row)
        stmt = stmt.on_conflict_do_nothing(index_elements=["variant_id", "captured_at"])
        stored += session.scalar(stmt.returning(PostMetricSnapshot.id)) is not None
    return stored


def store_channel_days(
    session: Session, channel: Channel, days: Sequence[ChannelMetrics], now: datetime
) -> int:
    """Upsert each day's numbers, leaving columns the platform did not report as they were. Follower growth
    is worked out from the day before when the platform only gives the follower count."""
    stored = 0
    for cm in sorted(days, key=lambda d: d.day):
        values = _values(cm.values, CHANNEL_BASE_METRICS)
        if not values:
            continue
        if "followers" in values and "follower_growth" not in values:
            before = session.scalar(
                select(ChannelDailyMetric.followers).where(
                    ChannelDailyMetric.channel_id == channel.id,
                    ChannelDailyMetric.date == cm.day - timedelta(days=1),
                )
            )
            if before is not None:
                values["follower_growth"] = values["followers"] - before
        changes = {**values, "source": "api", "updated_at": now}
        stmt = _insert(session)(ChannelDailyMetric).values(
            channel_id=channel.id, date=cm.day, brand_id=channel.brand_id, **changes
        )
        session.execute(stmt.on_conflict_do_update(index_elements=["channel_id", "date"], set_=changes))
        stored += 1
    return stored


def _recent_variants(session: Session, channel_id: int, now: datetime) -> dict[str, tuple[int, int]]:
    v = PostVariant
    return {
        ext: (vid, brand)
        for vid, brand, ext in session.execute(
            select(v.id, v.brand_id, v.external_id).where(
                v.channel_id == channel_id,
                v.status == PostStatus.PUBLISHED,
                v.external_id.is_not(None),
                v.published_at >= now - POSTS_WINDOW,
            )
        )
    }


def sync_channel_metrics(
    engine: Engine, actor: Actor, channel_id: int, today: date | None = None
) -> ChannelMetricsSync:
    now = clock.now()
    today = today or now.date()
    with read_session(engine) as s:
        channel = s.get(Channel, channel_id)
        if channel is None:
            raise ValueError(f"no channel with id {channel_id}")
        require(actor, Perm.KPI_EDIT, channel.brand_id)
        result = ChannelMetricsSync(channel.slug)
        account = s.scalars(select(ConnectorAccount).where(ConnectorAccount.channel_id == channel_id)).one()
        variants = _recent_variants(s, channel_id, now)
        try:
            connector: Connector | None = connector_for(account, channel)
            failure: Exception | None = None
        except NotSupported as exc:
            result.posts_skipped = result.channel_skipped = error_text(exc)
            return result
        except Exception as exc:
            connector, failure = None, exc
    posts: list[PostMetrics] = []
    days: list[ChannelMetrics] = []
    try:
        if connector is None:
            raise failure  # type: ignore[misc]
        ids = list(variants)
        try:
            # Asked even with no ids: a connector without a metrics API says so, and is counted as skipped.
            for i in range(0, max(len(ids), 1), BATCH):
                posts.extend(connector.fetch_post_metrics(ids[i : i + BATCH]))
        except NotSupported as exc:
            result.posts_skipped = error_text(exc)
        try:
            days = connector.fetch_channel_metrics(today - timedelta(days=CHANNEL_DAYS - 1))
        except NotSupported as exc:
            result.channel_skipped = error_text(exc)
    except Exception as exc:
        failure = exc
    with write_session(engine) as s:
        channel = s.get(Channel, channel_id)
        account = s.scalars(select(ConnectorAccount).where(ConnectorAccount.channel_id == channel_id)).one()
        # What arrived before a failure is still kept: each snapshot stands on its own.
        result.snapshots = store_snapshots(s, variants, posts, now)
        result.days = store_channel_days(s, channel, days, now)
        if failure is not None:
            result.error = note_failure(s, actor, account, channel.brand_id, failure, now)
            result.on_connection = True
        elif not result.skipped:
            note_success(s, actor, account, channel.brand_id, now)
        maybe_crash("metrics.stored")  # a channel's numbers written, not committed (fault tests only)
    return result


def sync_metrics(
    engine: Engine, actor: Actor, brand_ids: Sequence[int] | None = None
) -> list[ChannelMetricsSync]:
    """Every active connected channel (of the given brands), one after the other; one audit row per run."""
    with read_session(engine) as s:
        ids = channels_to_sync(s, brand_ids)
        slugs = dict(s.execute(select(Channel.id, Channel.slug).where(Channel.id.in_(ids))).all())
    channels = {cid: slugs[cid] for cid in ids}
    results = []
    for cid, slug in channels.items():
        try:
            results.append(sync_channel_metrics(engine, actor, cid))
        except Exception as exc:  # storing failed (not the platform): say so, and go on with the others
            results.append(ChannelMetricsSync(slug, error=error_text(exc)))
        maybe_crash("metrics.channel_done")  # one channel committed, the next not started
    with write_session(engine) as s:
        audit.record(
            s,
            actor,
            "metrics.imported",
            "metrics",
            label=f"{len(results)} channel(s)",
            after={
                "snapshots": sum(r.snapshots for r in results),
                "channel_days": sum(r.days for r in results),
                "failed": [r.channel for r in results if not r.ok],
            },
        )
    return results
