"""The jobs that sync every connected channel on its own (jobs.import_metrics, jobs.sync_inbox, both
through jobs.recording.per_channel_work): when storing fails on our side for one channel, the others still
land, and the run is recorded as failed naming that channel and what the others stored; a platform's
refusal alone does not fail the run."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import Engine, select, text, update

from app.db import read_session, write_session
from app.models import Channel, ChannelDailyMetric, JobRun
from app.models.enums import JobStatus
from jobs import import_metrics, sync_inbox
from tests.services.community.synckit import mastodon_channel, published_variant

REFUSAL = "the disk is full"


def _refuse_days_of(db: Engine, channel_id: int) -> None:
    """A failure on our side: the store refuses this channel's daily rows (as a full disk or a broken
    constraint would), whatever writes them."""
    with db.begin() as conn:
        if db.dialect.name == "postgresql":
            conn.execute(
                text(
                    "CREATE FUNCTION refuse_days() RETURNS trigger AS $$ BEGIN "
                    f"IF NEW.channel_id = {channel_id} THEN RAISE EXCEPTION '{REFUSAL}'; END IF; "
                    "RETURN NEW; END $$ LANGUAGE plpgsql"
                )
            )
            conn.execute(
                text(
                    "CREATE TRIGGER refuse_days BEFORE INSERT OR UPDATE ON channel_daily_metrics "
                    "FOR EACH ROW EXECUTE FUNCTION refuse_days()"
                )
            )
        else:
            conn.execute(
                text(
                    "CREATE TRIGGER refuse_days BEFORE INSERT ON channel_daily_metrics "
                    f"WHEN NEW.channel_id = {channel_id} BEGIN SELECT RAISE(ABORT, '{REFUSAL}'); END"
                )
            )


@pytest.fixture
def two_channels(demo_db: Engine, use_db, mastodon_server, monkeypatch: pytest.MonkeyPatch) -> Iterator[dict]:  # type: ignore[no-untyped-def]
    use_db(demo_db)
    with write_session(demo_db) as s:  # the demo's own channels point at servers this machine cannot reach
        s.execute(update(Channel).values(active=False))
    out = {}
    for _ in range(2):
        account, channel_id = mastodon_channel(demo_db, monkeypatch, mastodon_server)
        status = mastodon_server.post_as(account, "Counted once")
        published_variant(demo_db, channel_id, str(status["id"]))
        with read_session(demo_db) as s:
            out[channel_id] = s.get(Channel, channel_id).slug
    yield out


def _last_run(db: Engine, name: str) -> JobRun:
    with read_session(db) as s:
        return s.scalars(select(JobRun).where(JobRun.job_name == name).order_by(JobRun.id.desc())).first()


def test_a_channel_that_cannot_be_stored_fails_the_run_and_the_others_still_land(
    demo_db: Engine, two_channels: dict[int, str]
) -> None:
    broken, fine = list(two_channels)
    _refuse_days_of(demo_db, broken)

    assert import_metrics.main([]) == 1

    run = _last_run(demo_db, "import_metrics")
    assert run.status == JobStatus.FAILED
    assert (
        "MetricsImportFailed: 1 of 2 channel(s) could not be stored (1 snapshot(s) stored from the others)"
        in (run.error or "")
    )
    assert f"{two_channels[broken]}: " in run.error and REFUSAL in run.error
    assert two_channels[fine] + ":" not in run.error
    with read_session(demo_db) as s:
        days = dict(
            s.execute(
                select(ChannelDailyMetric.channel_id, ChannelDailyMetric.followers).where(
                    ChannelDailyMetric.channel_id.in_(list(two_channels))
                )
            ).all()
        )
    assert list(days) == [fine], "the other channel's day landed; the refused one's did not"


def test_a_platform_refusal_alone_is_counted_not_a_failed_run(
    demo_db: Engine, two_channels: dict[int, str], mastodon_server
) -> None:  # type: ignore[no-untyped-def]
    mastodon_server.add_fault(status=503, path="/api/v1/accounts/verify_credentials", count=1)
    try:
        assert import_metrics.main([]) == 0
    finally:
        mastodon_server.clear_faults()
    run = _last_run(demo_db, "import_metrics")
    assert run.status == JobStatus.OK
    assert (run.counts["channels"], run.counts["ok"], run.counts["failed"]) == (2, 1, 1)
    assert run.counts["channel_days"] == 1, "the refused channel's day was not read"


def test_the_inbox_job_folds_its_channels_the_same_way(
    demo_db: Engine, two_channels: dict[int, str], mastodon_server
) -> None:  # type: ignore[no-untyped-def]
    assert sync_inbox.main([]) == 0
    run = _last_run(demo_db, "sync_inbox")
    assert run.status == JobStatus.OK
    assert {k: run.counts[k] for k in ("channels", "ok", "fetched", "added")} == {
        "channels": 2,
        "ok": 2,
        "fetched": 0,
        "added": 0,
    }
