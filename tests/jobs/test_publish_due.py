"""`python -m jobs.publish_due`: one recorded run with the publishing counts, against the local Mastodon
server, run in-process and as the command an operator (or the runner) starts."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from sqlalchemy import Engine, select

from app.db import read_session
from app.models import JobRun
from app.models.enums import JobStatus, Platform, PostStatus
from jobs import publish_due
from tests.services.publishing.publishkit import add_channel, add_due_posts, make_world, variants_of

REPO = Path(__file__).resolve().parents[2]


def test_the_job_publishes_and_records_its_counts(
    empty_db: Engine, use_db, mastodon_server, mastodon_account, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    use_db(empty_db)
    world = make_world(empty_db)
    monkeypatch.setenv("PUBJOB_TOKEN", mastodon_account.access_token)
    ch = add_channel(
        empty_db, world.brand_ids[0], base_url=mastodon_server.base_url, credential_env="PUBJOB_TOKEN"
    )
    manual = add_channel(empty_db, world.brand_ids[0], platform=Platform.INSTAGRAM, kind=None)
    posts = add_due_posts(empty_db, world, [ch, manual], count=2)

    assert publish_due.main(["--workers", "2"]) == 0

    with read_session(empty_db) as s:
        run = s.scalars(select(JobRun).where(JobRun.job_name == "publish_due")).one()
    assert run.status == JobStatus.OK
    assert run.counts == {
        "published": 2, "failed": 0, "retried": 0, "reconciled": 0, "skipped_paused": 0, "manual_queued": 2,
        "claimed_elsewhere": 0,
    }  # fmt: skip
    by_channel = {(v.post_id, v.channel_id): v for v in variants_of(empty_db, posts)}
    assert all(by_channel[(p, ch)].status == PostStatus.PUBLISHED for p in posts)
    # The channel with no connection waits for a person in the Ready to post queue.
    assert all(by_channel[(p, manual)].status == PostStatus.PUBLISHING for p in posts)
    assert all(by_channel[(p, manual)].manual_queued_at is not None for p in posts)
    assert len(mastodon_server.statuses_of(mastodon_account)) == 2


def test_the_command_line_runs_it_once(empty_db: Engine, mastodon_server, mastodon_account) -> None:  # type: ignore[no-untyped-def]
    world = make_world(empty_db)
    ch = add_channel(
        empty_db, world.brand_ids[0], base_url=mastodon_server.base_url, credential_env="PUBJOB_CLI_TOKEN"
    )
    [post] = add_due_posts(empty_db, world, [ch])
    env = {
        **os.environ,
        "DATABASE_URL": empty_db.url.render_as_string(hide_password=False),
        "PUBJOB_CLI_TOKEN": mastodon_account.access_token,
    }
    done = subprocess.run(
        [sys.executable, "-m", "jobs.publish_due"],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert "'published': 1" in done.stdout
    [v] = variants_of(empty_db, [post])
    assert v.status == PostStatus.PUBLISHED
    assert [s["id"] for s in mastodon_server.statuses_of(mastodon_account)] == [v.external_id]
