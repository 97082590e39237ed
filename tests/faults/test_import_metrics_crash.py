"""The metrics import (`python -m jobs.import_metrics`, a real child process, against the local Mastodon
server) killed at each crash point and at random moments: the store stays consistent (a channel's run
lands whole or not at all, each post's snapshot of a run once, each channel-day once with the platform's
figures, every changed day marked for the rollups, no job run claiming a success it did not have), the
next run finishes the work exactly once, and a run after that changes no figure."""

from __future__ import annotations

import random
import time
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

import pytest
from faultkit import Finished, kill_after, run
from sqlalchemy import Engine, func, select, update

from app.db import dispose_engine, read_session, write_session
from app.models import AuditLog, Channel, ChannelDailyMetric, JobRun, PostMetricSnapshot
from app.models.enums import JobStatus
from app.models.metrics import MetricRollup, RollupDirtyDay
from app.services import ops
from app.services.core import Actor
from app.services.measurement.metrics.rollups import month_start, week_start
from app.services.ops import timings
from tests.services.community.synckit import mastodon_channel, published_variant

pytestmark = pytest.mark.slow  # child processes: several seconds each

JOB = "import_metrics"
CHANNELS = 2
POSTS = 3  # per channel


@dataclass
class World:
    """Two lumi channels on the local Mastodon server, each with published posts that have favourites,
    reblogs and replies, and followers; every other channel of the demo switched off."""

    channels: dict[int, object] = field(default_factory=dict)  # channel id → its MockAccount
    variants: dict[int, tuple[int, str]] = field(default_factory=dict)  # variant → (channel, status id)
    runs_before: int = 0  # the demo's own job history ends at this id
    yesterday: date = field(default_factory=lambda: datetime.now(UTC).date() - timedelta(days=1))

    def of(self, channel_id: int) -> set[int]:
        return {v for v, (c, _) in self.variants.items() if c == channel_id}


@pytest.fixture
def world(demo_db: Engine, mastodon_server, monkeypatch: pytest.MonkeyPatch) -> World:  # type: ignore[no-untyped-def]
    with write_session(demo_db) as s:
        # The demo's own connected channels point at servers this machine cannot reach.
        s.execute(update(Channel).values(active=False))
        w_runs_before = s.scalar(select(func.max(JobRun.id))) or 0
    fans = [mastodon_server.create_account() for _ in range(3)]
    w = World(runs_before=w_runs_before)
    for c in range(CHANNELS):
        brand, channel_id = mastodon_channel(demo_db, monkeypatch, mastodon_server)
        w.channels[channel_id] = brand
        for fan in fans[: c + 2]:
            mastodon_server.request("POST", f"/api/v1/accounts/{brand.id}/follow", {}, token=fan.access_token)
        for p in range(POSTS):
            status = mastodon_server.post_as(brand, f"Crash-proof numbers {c}.{p}")
            for fan in fans[: p + 1]:
                mastodon_server.request(
                    "POST", f"/api/v1/statuses/{status['id']}/favourite", {}, token=fan.access_token
                )
            if p:
                mastodon_server.request(
                    "POST", f"/api/v1/statuses/{status['id']}/reblog", {}, token=fans[0].access_token
                )
            mastodon_server.post_as(fans[-1], f"@{brand.username} nice {p}", in_reply_to_id=status["id"])
            w.variants[published_variant(demo_db, channel_id, str(status["id"]))] = (channel_id, status["id"])
        with write_session(demo_db) as s:  # yesterday's follower count, from an earlier import
            brand_id = s.get(Channel, channel_id).brand_id
            s.add(ChannelDailyMetric(channel_id=channel_id, date=w.yesterday, brand_id=brand_id, followers=1))
    return w


def platform(server, w: World) -> tuple[dict[int, tuple[int, int, int]], dict[int, int]]:  # type: ignore[no-untyped-def]
    """What the server says, read straight from it: each variant's (likes, shares, comments), and each
    channel's followers."""
    posts = {}
    for variant, (channel_id, status_id) in w.variants.items():
        st = server.request("GET", f"/api/v1/statuses/{status_id}", token=w.channels[channel_id].access_token)
        posts[variant] = (st["favourites_count"], st["reblogs_count"], st["replies_count"])
    followers = {
        cid: server.request("GET", f"/api/v1/accounts/{a.id}", token=a.access_token)["followers_count"]
        for cid, a in w.channels.items()
    }
    return posts, followers


@dataclass
class Store:
    snapshots: dict[int, list[tuple[datetime, tuple]]]  # variant → (captured at, (likes, shares, comments))
    days: dict[tuple[int, date], tuple]  # (channel, day) → (followers, follower growth)
    marked: set[tuple[int, date]]
    rollups: dict[tuple[int, str, date], tuple]  # (channel, grain, start) → (days, followers, growth)
    runs: list[tuple[int, JobStatus, str | None]]  # this job's runs, oldest first
    audits: int

    def latest(self) -> dict[int, tuple]:
        return {v: snaps[-1][1] for v, snaps in self.snapshots.items() if snaps}

    def figures(self) -> tuple:
        """Everything a person reads off the dashboards (not when it was read)."""
        return self.latest(), self.days, self.rollups


def read_store(db: Engine, w: World) -> Store:
    dispose_engine(db.url.render_as_string(hide_password=False))  # a fresh look, as another process
    ours = list(w.channels)
    with read_session(db) as s:
        snaps: dict[int, list] = defaultdict(list)
        for v, at, likes, shares, comments in s.execute(
            select(
                PostMetricSnapshot.variant_id,
                PostMetricSnapshot.captured_at,
                PostMetricSnapshot.likes,
                PostMetricSnapshot.shares,
                PostMetricSnapshot.comments,
            )
            .where(PostMetricSnapshot.variant_id.in_(list(w.variants)))
            .order_by(PostMetricSnapshot.captured_at, PostMetricSnapshot.id)
        ):
            snaps[v].append((at, (likes, shares, comments)))
        d = ChannelDailyMetric
        days = {
            (c, day): (f, g)
            for c, day, f, g in s.execute(
                select(d.channel_id, d.date, d.followers, d.follower_growth).where(d.channel_id.in_(ours))
            )
        }
        marked = set(
            s.execute(
                select(RollupDirtyDay.channel_id, RollupDirtyDay.date).where(
                    RollupDirtyDay.channel_id.in_(ours)
                )
            ).all()
        )
        r = MetricRollup
        rollups = {
            (c, grain, start): (n, f, g)
            for c, grain, start, n, f, g in s.execute(
                select(r.channel_id, r.grain, r.period_start, r.days, r.followers, r.follower_growth).where(
                    r.channel_id.in_(ours)
                )
            )
        }
        runs = [
            (i, st, err)
            for i, st, err in s.execute(
                select(JobRun.id, JobRun.status, JobRun.error)
                .where(JobRun.job_name == JOB, JobRun.id > w.runs_before)
                .order_by(JobRun.id)
            )
        ]
        audits = s.scalar(
            select(func.count()).select_from(AuditLog).where(AuditLog.action == "metrics.imported")
        )
    return Store(dict(snaps), days, marked, rollups, runs, int(audits or 0))


def expected_rollups(store: Store) -> dict[tuple[int, str, date], tuple]:
    """Each week and month of the daily rows as the rollups must hold it: the days, the last day's
    followers, the sum of the growth."""
    out = {}
    periods = {
        (c, g, start(day))
        for c, day in store.days
        for g, start in (("week", week_start), ("month", month_start))
    }
    for c, grain, begin in periods:
        start = week_start if grain == "week" else month_start
        days = sorted(day for cc, day in store.days if cc == c and start(day) == begin)
        growth = [store.days[(c, day)][1] for day in days if store.days[(c, day)][1] is not None]
        out[(c, grain, begin)] = (len(days), store.days[(c, days[-1])][0], sum(growth) if growth else None)
    return out


def assert_consistent(store: Store, w: World, truth: tuple, finished_ok: int, killed: int = 0) -> None:
    """What must hold after any kill, whatever the moment (`finished_ok` runs exited well; `killed`
    others were killed at random moments, possibly after recording their success)."""
    posts, followers = truth
    for channel_id in w.channels:
        mine = w.of(channel_id)
        by_run: dict[datetime, set[int]] = defaultdict(set)
        for v in mine:
            for at, values in store.snapshots.get(v, []):
                assert values == posts[v], (
                    f"variant {v}: a snapshot {values} that is not the platform's {posts[v]}"
                )
                by_run[at].add(v)
        # A run reads a channel at one moment: its snapshots land for every post of the channel or none.
        assert all(got == mine for got in by_run.values()), f"channel {channel_id}: a run landed in part"
        for v in mine:
            times = [at for at, _ in store.snapshots.get(v, [])]
            assert len(times) == len(set(times)) <= len(store.runs), f"variant {v}: a run wrote twice"
        for (c, day), row in store.days.items():
            if c == channel_id and day != w.yesterday:  # the import's day: the platform's figure
                assert row == (followers[c], followers[c] - 1), (c, day, row)
    assert len(store.days) == len(set(store.days))
    # The dashboards catch up: a day whose rollups do not agree with it is marked for the refresh.
    want = expected_rollups(store)
    for c, day in store.days:
        for grain, start in (("week", week_start), ("month", month_start)):
            key = (c, grain, start(day))
            assert store.rollups.get(key) == want[key] or (c, day) in store.marked, (
                key,
                store.rollups.get(key),
            )
    oks = [run_id for run_id, st, _ in store.runs if st == JobStatus.OK]
    assert finished_ok <= len(oks) <= finished_ok + killed, f"{finished_ok} run(s) finished: {store.runs}"


def import_job(db: Engine, fault: str | None = None) -> Finished:
    return run(db, f"jobs.{JOB}", fault=fault)


def recover_and_settle(db: Engine, w: World, truth: tuple, before: Store) -> None:
    """The next run finishes the work exactly once; a run after that changes no figure."""
    finished_ok = sum(st == JobStatus.OK for _, st, _ in before.runs)
    started = datetime.now(UTC)
    again = import_job(db)
    assert again.code == 0, again.err[-2000:]
    after = read_store(db, w)
    assert_consistent(after, w, truth, finished_ok + 1)
    posts, followers = truth
    for v in w.variants:
        new = [at for at, _ in after.snapshots[v] if at >= started]
        assert len(new) == 1, f"variant {v}: {len(new)} snapshot(s) from the run that caught up"
        assert len(after.snapshots[v]) == len(before.snapshots.get(v, [])) + 1, "an earlier snapshot was lost"
    assert after.latest() == posts
    today = datetime.now(UTC).date()
    assert {c: after.days[(c, today)] for c in w.channels} == {c: (n, n - 1) for c, n in followers.items()}
    # The killed runs claim no success, and are no longer "running" as if they might still finish: the
    # run that caught up recorded them as interrupted (their process was gone).
    assert sum(st == JobStatus.OK for _, st, _ in after.runs[:-1]) == finished_ok, after.runs
    assert all(
        st == JobStatus.INTERRUPTED and "is gone" in (err or "")
        for _, st, err in after.runs[:-1]
        if st != JobStatus.OK
    ), after.runs
    assert after.runs[-1][1] == JobStatus.OK

    rolled = run(db, "jobs.refresh_rollups")
    assert rolled.code == 0, rolled.err[-2000:]
    settled = read_store(db, w)
    assert settled.rollups == expected_rollups(settled) and not settled.marked

    idle = import_job(db)
    assert idle.code == 0, idle.err[-2000:]
    assert run(db, "jobs.refresh_rollups").code == 0
    last = read_store(db, w)
    # A snapshot series grows by one reading per run by design; what the reading says does not change.
    assert last.figures() == settled.figures()
    assert all(len(last.snapshots[v]) == len(settled.snapshots[v]) + 1 for v in w.variants)
    assert [st for _, st, _ in last.runs[-2:]] == [JobStatus.OK, JobStatus.OK]


# (crash point, channels whose numbers the killed run committed)
POINTS = [
    ("metrics.stored", 0),  # the first channel's numbers written, not committed
    ("metrics.channel_done", 1),  # the first channel committed, the second not started
    (f"job.{JOB}.before_commit", CHANNELS),  # every channel committed, the run not recorded
    (f"job.{JOB}.after_commit", CHANNELS),
]


@pytest.mark.parametrize(("point", "landed"), POINTS, ids=[p for p, _ in POINTS])
def test_an_import_killed_at_each_crash_point_is_finished_exactly_once_by_the_next_run(
    demo_db: Engine, mastodon_server, world: World, point: str, landed: int
) -> None:  # type: ignore[no-untyped-def]
    db, w = demo_db, world
    truth = platform(mastodon_server, w)

    crashed = import_job(db, fault=point)

    assert crashed.crashed and f"fault injected at {point}" in crashed.err, crashed
    store = read_store(db, w)
    assert_consistent(store, w, truth, finished_ok=0)
    stored = {c for c in w.channels if all(store.snapshots.get(v) for v in w.of(c))}
    assert len(stored) == landed, f"{len(stored)} channel(s) committed, expected {landed}"
    assert store.audits == (1 if landed == CHANNELS else 0)
    assert [st for _, st, _ in store.runs] == [JobStatus.RUNNING], "the killed run claims nothing"
    with read_session(db) as s:  # ... and the Jobs page sees through it: its process is gone
        health = ops.job_health(s, Actor.system("test:faults"), timings()).set_index("job")
    assert health.loc[JOB, "last status"] == "interrupted" and health.loc[JOB, "failures 24h"] >= 1

    recover_and_settle(db, w, truth, store)


KILLS = 6  # SIGKILLs at random moments of a run (a seeded draw, so a failure can be replayed)
LATENCY_MS = 250  # each post read takes this long, so most kills land inside the work, not in start-up


def test_an_import_killed_at_random_moments_stays_consistent_and_the_next_run_catches_up(
    demo_db: Engine, mastodon_server, world: World
) -> None:  # type: ignore[no-untyped-def]
    db, w = demo_db, world
    truth = platform(mastodon_server, w)
    mastodon_server.add_fault(path="/api/v1/statuses/*", effect="latency", delay_ms=LATENCY_MS, count=None)
    try:
        began = time.monotonic()
        first = import_job(db)
        took = time.monotonic() - began
        assert first.code == 0, first.err[-2000:]
        finished_ok = 1
        seed = random.randrange(10**6)
        rng = random.Random(seed)
        print(f"kill moments drawn with seed {seed} (shown when the test fails)")
        landed = 0
        for _ in range(KILLS):
            killed, done = kill_after(db, rng.uniform(0.2, took), f"jobs.{JOB}")
            landed += killed
            finished_ok += done.code == 0
            assert killed or done.code == 0, (seed, done.err[-2000:])
            assert_consistent(read_store(db, w), w, truth, finished_ok, killed=landed)
    finally:
        mastodon_server.clear_faults()
    assert landed >= KILLS // 2, (
        f"seed {seed}: only {landed} kill(s) landed on a running import ({took:.1f} s)"
    )
    recover_and_settle(db, w, truth, read_store(db, w))
