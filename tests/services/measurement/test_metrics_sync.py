"""The metrics import against a real local Mastodon server: each published variant gets a snapshot of
its counters per run, the channel's day is upserted (never duplicated) with follower growth worked out,
channels without a metrics API are skipped and counted, and the job records the run."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine, func, select

from app.db import read_session, write_session
from app.models import (
    Brand,
    Channel,
    ChannelDailyMetric,
    ConnectorAccount,
    JobRun,
    PostMetricSnapshot,
)
from app.models.enums import HealthStatus, JobStatus
from app.services.measurement.metrics.sync import sync_channel_metrics, sync_metrics
from jobs import import_metrics
from tests.services.community.synckit import SYSTEM, connect_channel, mastodon_channel, published_variant


@pytest.fixture
def connect(demo_db: Engine, mastodon_server, monkeypatch: pytest.MonkeyPatch) -> Callable:  # type: ignore[no-untyped-def]
    def _connect():  # type: ignore[no-untyped-def]
        account, channel_id = mastodon_channel(demo_db, monkeypatch, mastodon_server)
        return account, channel_id

    return _connect


def _snapshots(engine: Engine, variant_id: int) -> list[PostMetricSnapshot]:
    with read_session(engine) as s:
        return list(
            s.scalars(
                select(PostMetricSnapshot)
                .where(PostMetricSnapshot.variant_id == variant_id)
                .order_by(PostMetricSnapshot.captured_at)
            )
        )


def test_post_snapshots_and_the_channel_day(demo_db: Engine, mastodon_server, connect) -> None:  # type: ignore[no-untyped-def]
    brand, channel_id = connect()
    fan, other = mastodon_server.create_account(), mastodon_server.create_account()
    status = mastodon_server.post_as(brand, "New serum, out now")
    for who in (fan, other):
        mastodon_server.request(
            "POST", f"/api/v1/statuses/{status['id']}/favourite", {}, token=who.access_token
        )
        mastodon_server.request("POST", f"/api/v1/accounts/{brand.id}/follow", {}, token=who.access_token)
    mastodon_server.request("POST", f"/api/v1/statuses/{status['id']}/reblog", {}, token=fan.access_token)
    mastodon_server.post_as(fan, f"@{brand.username} great", in_reply_to_id=status["id"])
    live = published_variant(demo_db, channel_id, str(status["id"]))
    gone = published_variant(demo_db, channel_id, "999999999999")  # deleted on the platform
    old_status = mastodon_server.post_as(brand, "Last season's post")
    old = published_variant(demo_db, channel_id, str(old_status["id"]), days_ago=90)
    today = datetime.now(UTC).date()
    with write_session(demo_db) as s:  # yesterday's figure, from an earlier import
        s.add(
            ChannelDailyMetric(
                channel_id=channel_id,
                date=today - timedelta(days=1),
                brand_id=s.get(Channel, channel_id).brand_id,
                followers=1,
            )
        )

    result = sync_channel_metrics(demo_db, SYSTEM, channel_id)
    assert result.ok and result.snapshots == 1 and result.days == 1, result
    (snap,) = _snapshots(demo_db, live)
    assert (snap.likes, snap.shares, snap.comments) == (2, 1, 1)
    assert snap.source == "api" and snap.impressions is None, "Mastodon has no impressions: left empty"
    assert _snapshots(demo_db, gone) == [] and _snapshots(demo_db, old) == []
    with read_session(demo_db) as s:
        day = s.get(ChannelDailyMetric, (channel_id, today))
        assert (day.followers, day.follower_growth, day.source) == (2, 1, "api")
        assert s.get(Channel, channel_id).brand_id == day.brand_id

    mastodon_server.request(
        "POST", f"/api/v1/statuses/{status['id']}/unfavourite", {}, token=other.access_token
    )
    again = sync_channel_metrics(demo_db, SYSTEM, channel_id)
    assert again.ok and again.snapshots == 1
    first, latest = _snapshots(demo_db, live)
    assert latest.captured_at > first.captured_at and latest.likes == 1, (
        "the latest snapshot is the current value"
    )
    with read_session(demo_db) as s:
        rows = s.scalar(
            select(func.count())
            .select_from(ChannelDailyMetric)
            .where(ChannelDailyMetric.channel_id == channel_id)
        )
    assert rows == 2, "today's row was updated, not duplicated"


def test_channels_without_a_metrics_api_are_skipped_and_the_job_records_the_run(
    demo_db: Engine, mastodon_server, connect, use_db
) -> None:  # type: ignore[no-untyped-def]
    use_db(demo_db)
    _, channel_id = connect()
    with write_session(demo_db) as s:
        lumi = s.scalars(select(Brand.id).where(Brand.slug == "lumi")).one()
        manual = list(
            s.scalars(
                select(Channel.id).where(
                    Channel.brand_id == lumi,
                    Channel.platform.not_in(["mastodon", "bluesky"]),
                    Channel.active.is_(True),
                )
            )
        )
        # The demo's own Mastodon/Bluesky channels point at servers this machine cannot reach.
        s.execute(
            Channel.__table__.update().where(Channel.id.not_in([channel_id, *manual])).values(active=False)
        )
    assert manual
    results = sync_metrics(demo_db, SYSTEM)
    skipped = [r for r in results if r.skipped]
    assert len(skipped) == len(manual) and all("person" in (r.channel_skipped or "") for r in skipped)
    assert [r.ok for r in results if not r.skipped] == [True]

    assert import_metrics.main([]) == 0
    with read_session(demo_db) as s:
        run = s.scalars(
            select(JobRun).where(JobRun.job_name == "import_metrics").order_by(JobRun.started_at.desc())
        ).first()
    assert run.status == JobStatus.OK
    assert run.counts["skipped"] == len(manual) and run.counts["ok"] == 1 and run.counts["channel_days"] == 1


def test_a_platform_error_is_kept_on_the_connection(demo_db: Engine, mastodon_server, connect) -> None:  # type: ignore[no-untyped-def]
    brand, channel_id = connect()
    status = mastodon_server.post_as(brand, "hello")
    published_variant(demo_db, channel_id, str(status["id"]))
    mastodon_server.add_fault(status=500, path=f"/api/v1/statuses/{status['id']}", count=3)
    try:
        result = sync_channel_metrics(demo_db, SYSTEM, channel_id)
    finally:
        mastodon_server.clear_faults()
    assert not result.ok and "500" in result.error
    with read_session(demo_db) as s:
        account = s.scalars(select(ConnectorAccount).where(ConnectorAccount.channel_id == channel_id)).one()
    assert account.status == HealthStatus.DEGRADED and account.last_error == result.error


def test_a_bluesky_channel_imports_its_metrics(
    demo_db: Engine, bluesky_pds, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    brand = bluesky_pds.create_account()
    channel_id = connect_channel(
        demo_db,
        monkeypatch,
        platform="bluesky",
        handle=brand.handle,
        base_url=bluesky_pds.base_url,
        credential=bluesky_pds.app_password(brand),
    )
    ours = bluesky_pds.post_as(brand, "Count our likes")
    variant_id = published_variant(demo_db, channel_id, ours["uri"])
    now = datetime.now(UTC).isoformat().replace("+00:00", "Z")
    for _ in range(3):
        fan = bluesky_pds.create_account()
        bluesky_pds.like(fan, ours["uri"], ours["cid"])
        bluesky_pds.create_record(fan, "app.bsky.graph.follow", {"subject": brand.did, "createdAt": now})

    result = sync_channel_metrics(demo_db, SYSTEM, channel_id)
    assert result.ok and (result.snapshots, result.days) == (1, 1), result
    (snap,) = _snapshots(demo_db, variant_id)
    assert (snap.likes, snap.shares, snap.comments) == (3, 0, 0)
    with read_session(demo_db) as s:
        day = s.get(ChannelDailyMetric, (channel_id, datetime.now(UTC).date()))
    assert day.followers == 3 and day.posts_published is None, "only base metrics are stored"
