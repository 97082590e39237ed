"""How fast the publish job drains a busy minute, against a naive publisher in the same run.

    python -m benchmarks.publish_drain [--posts 1000] [--channels 10] [--workers 4]
                                       [--latency-ms 100] [--latency-posts 200]

For each case a fresh local Mastodon server (mastodon-mock, started here and stopped by PID) and a fresh
SQLite store hold --posts variants due in the same minute, spread over --channels accounts; the case
times publishing all of them and checks that the server holds exactly one status per variant:
  1. ours: publish_due with --workers platform calls in flight (claims in batches of 20, each batch
     committed before its platform calls and the next batch claimed while they run; each outcome
     committed with its audit rows and the post's status; one connector per channel and worker);
  2. ours with one worker: the same code, one call at a time;
  3. naive: one runner that loads the next due variant as an ORM object, marks it publishing and
     commits, builds a connector, publishes, marks it published and commits; no batching, no
     concurrency, no audit rows, no reconciliation.
A second round repeats the three with the server answering each new post --latency-ms late (its own
fault injection), as a server across the internet would.

What the ratios measure: nearly all of a publish is waiting on the platform. Against the local server on
a shared 2-core machine the server's own CPU is the limit, so calls in flight gain little there and the
figures move with the machine's load; with latency, calls in flight are what drains the minute. "ours,
1 worker" vs naive weighs the exactly-once bookkeeping (guarded claims, audit rows, post status)
against what batching the claims and reusing connections saves; the CPU per post each case prints
(this process only, all threads) is the steadier measure of that bookkeeping on a loaded machine.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import Engine, func, select

from app.connectors.registry import connector_for
from app.db import dispose_engine, get_engine, read_session, upgrade, write_session
from app.models import Channel, ConnectorAccount, Post, PostVariant
from app.models.enums import PostStatus
from app.services.core import Actor
from app.services.publishing import publish_due
from benchmarks.results import Figure, record
from tests.servers.mastodon_server import MastodonServer, start_mastodon_server
from tests.services.publishing.publishkit import add_channel, add_due_posts, make_world

OUT = Path(__file__).resolve().parent / "out"
JOB = Actor.system("job:publish_due")


def _prepare(
    server: MastodonServer, posts: int, channels: int, tag: str
) -> tuple[Engine, list[tuple[str, str]]]:
    """A fresh store with `posts` variants due a minute ago over `channels` accounts of `server`."""
    OUT.mkdir(parents=True, exist_ok=True)
    path = OUT / f"publish-drain-{tag}.sqlite"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    url = f"sqlite:///{path}"
    engine = get_engine(url)
    upgrade(engine)
    world = make_world(engine, brands=1)
    at = datetime.now(UTC) - timedelta(seconds=30)
    accounts = []
    safe = re.sub(r"\W", "_", tag).upper()  # the name of an environment variable
    for i in range(channels):
        acct = server.create_account()
        env = f"BENCH_PUBLISH_TOKEN_{safe}_{i}"
        os.environ[env] = acct.access_token
        ch = add_channel(engine, world.brand_ids[0], base_url=server.base_url, credential_env=env)
        share = posts // channels + (1 if i < posts % channels else 0)
        add_due_posts(engine, world, [ch], count=share, at=at, text=f"Busy minute {tag} {i}")
        accounts.append((acct.id, acct.access_token))
    return engine, accounts


def _on_server(server: MastodonServer, accounts: list[tuple[str, str]]) -> int:
    return sum(
        int(server.request("GET", f"/api/v1/accounts/{aid}", token=token)["statuses_count"])
        for aid, token in accounts
    )


def naive_drain(engine: Engine) -> int:
    """One at a time, ORM objects, a commit per state change (what a first version would do)."""
    done = 0
    while True:
        with write_session(engine) as s:
            v = s.scalars(
                select(PostVariant)
                .where(
                    PostVariant.status == PostStatus.SCHEDULED, PostVariant.scheduled_at <= datetime.now(UTC)
                )
                .order_by(PostVariant.scheduled_at, PostVariant.id)
                .limit(1)
            ).first()
            if v is None:
                return done
            v.status, v.attempts = PostStatus.PUBLISHING, v.attempts + 1
            vid, channel_id, text = v.id, v.channel_id, v.copy
        with read_session(engine) as s:
            channel = s.get(Channel, channel_id)
            account = s.scalars(
                select(ConnectorAccount).where(ConnectorAccount.channel_id == channel_id)
            ).one()
        from app.connectors.base import Outgoing

        result = connector_for(account, channel).publish(Outgoing(text=text, idempotency_key=f"naive-{vid}"))
        with write_session(engine) as s:
            v = s.get(PostVariant, vid)
            v.status, v.external_id, v.permalink = PostStatus.PUBLISHED, result.external_id, result.permalink
            v.published_at = result.published_at
            post = s.get(Post, v.post_id)
            post.status = PostStatus.PUBLISHED
        done += 1


def _case(posts: int, channels: int, tag: str, drain: Callable[[Engine], int], latency_ms: int = 0) -> float:
    workdir = Path(tempfile.mkdtemp(prefix="soh-bench-mastodon-"))
    server = start_mastodon_server(workdir)
    try:
        engine, accounts = _prepare(server, posts, channels, tag)
        if latency_ms:
            # The server itself answers each new post that much later, the way a distant one would.
            server.add_fault(
                effect="latency",
                status=200,
                delay_ms=latency_ms,
                count=None,
                path="/api/v1/statuses",
                methods=["POST"],
            )
        started, cpu = time.perf_counter(), time.process_time()
        published = drain(engine)
        elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
        with read_session(engine) as s:
            out = s.scalar(
                select(func.count())
                .select_from(PostVariant)
                .where(PostVariant.status == PostStatus.PUBLISHED)
            )
        statuses = _on_server(server, accounts)
        dispose_engine(str(engine.url))
    finally:
        server.stop()
    if not (published == out == statuses == posts):
        raise SystemExit(
            f"{tag}: published {published}, store says {out}, server holds {statuses}; wanted {posts}"
        )
    print(
        f"  {tag:<14} {posts} posts in {elapsed:6.1f} s = {posts / elapsed:6.1f} posts/s (server holds {statuses}); "
        f"this process's CPU {1000 * cpu / posts:.1f} ms per post"
    )
    return elapsed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.publish_drain", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--posts", type=int, default=1000)
    parser.add_argument("--channels", type=int, default=10)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument(
        "--latency-ms", type=int, default=100, help="second round: the server answers this late"
    )
    parser.add_argument(
        "--latency-posts", type=int, default=200, help="posts in the second round (0: skip it)"
    )
    args = parser.parse_args(argv)

    def ours(n: int, workers: int) -> Callable[[Engine], int]:
        def drain(engine: Engine) -> int:
            counts = publish_due(engine, JOB, limit=n, workers=workers)
            return counts.published

        return drain

    rounds = [(args.posts, 0)] + ([(args.latency_posts, args.latency_ms)] if args.latency_posts else [])
    for n, latency in rounds:
        where = f"local Mastodon{f' answering {latency} ms late' if latency else ''}"
        print(f"{n} variants due in the same minute on {args.channels} Mastodon accounts ({where})")
        suffix = f"-{latency}ms" if latency else ""
        naive = _case(n, args.channels, f"naive{suffix}", naive_drain, latency)
        pooled = _case(n, args.channels, f"ours-{args.workers}w{suffix}", ours(n, args.workers), latency)
        single = _case(n, args.channels, f"ours-1w{suffix}", ours(n, 1), latency)
        for label, secs in ((f"ours, {args.workers} workers", pooled), ("ours, 1 worker", single)):
            f = record(
                Figure(
                    "publish drain",
                    f"{n} variants due in one minute, {where}; drained in {secs:.1f} s vs {naive:.1f} s",
                    n / secs,
                    n / naive,
                    "posts/s",
                    ours_label=label,
                    baseline_label="naive: one at a time, ORM, commit per change",
                )
            )
            print(f"  {label}: {f.ours:.1f} posts/s vs naive {f.baseline:.1f} posts/s = {f.ratio:.2f}×")
    return 0


if __name__ == "__main__":
    sys.exit(main())
