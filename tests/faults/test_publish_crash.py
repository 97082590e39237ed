"""The publish job as real child processes against the local Mastodon server: killed between the
platform's yes and the commit, the next run finds the post instead of posting it again; two runners
started at once on 200 due variants post each exactly once."""

from __future__ import annotations

import ast
import subprocess
import sys
from collections import Counter

from faultkit import REPO, TIMEOUT, child_env, run
from sqlalchemy import Engine, select

from app.db import dispose_engine, read_session
from app.models import AuditLog
from app.models.enums import PostStatus
from tests.services.publishing.publishkit import add_channel, add_due_posts, make_world, variants_of

CRASH_POINT = "publish.after_platform_call"


def server_statuses(server, account) -> list[dict]:  # type: ignore[no-untyped-def]
    """Every status the server holds for the account, read page by page straight from the server."""
    out: list[dict] = []
    max_id = None
    while True:
        page = server.request(
            "GET",
            f"/api/v1/accounts/{account.id}/statuses?limit=40" + (f"&max_id={max_id}" if max_id else ""),
            token=account.access_token,
        )
        if not page:
            return out
        out += page
        max_id = page[-1]["id"]


def test_a_run_killed_after_the_platform_said_yes_is_reconciled_not_reposted(
    empty_db: Engine, mastodon_server, mastodon_account
) -> None:  # type: ignore[no-untyped-def]
    world = make_world(empty_db)
    ch = add_channel(
        empty_db, world.brand_ids[0], base_url=mastodon_server.base_url, credential_env="PUBCRASH_TOKEN"
    )
    [post] = add_due_posts(empty_db, world, [ch], text="Crash-safe launch post")
    token = {"PUBCRASH_TOKEN": mastodon_account.access_token}

    crashed = run(empty_db, "jobs.publish_due", fault=CRASH_POINT, **token)

    assert crashed.crashed, crashed.err
    dispose_engine(empty_db.url.render_as_string(hide_password=False))
    [v] = variants_of(empty_db, [post])
    on_server = server_statuses(mastodon_server, mastodon_account)
    # The platform has the post; the store never heard back: still claimed, no external id.
    assert len(on_server) == 1 and v.status == PostStatus.PUBLISHING and v.external_id is None

    again = run(empty_db, "jobs.publish_due", **token)

    assert again.code == 0, again.err
    assert "'reconciled': 1" in again.out and "'published': 0" in again.out
    on_server = server_statuses(mastodon_server, mastodon_account)
    [v] = variants_of(empty_db, [post])
    assert len(on_server) == 1
    assert v.status == PostStatus.PUBLISHED and v.external_id == on_server[0]["id"]
    assert v.permalink == on_server[0]["url"] and v.attempts == 2
    with read_session(empty_db) as s:
        actions = s.scalars(select(AuditLog.action).where(AuditLog.object_type == "post_variant")).all()
    assert actions == ["publish_claim", "publish_claim", "publish_reconciled"]


def test_two_runners_started_at_once_publish_each_of_200_variants_once(
    empty_db: Engine, mastodon_server, mastodon_account
) -> None:  # type: ignore[no-untyped-def]
    world = make_world(empty_db)
    ch = add_channel(
        empty_db, world.brand_ids[0], base_url=mastodon_server.base_url, credential_env="PUBRACE_TOKEN"
    )
    posts = add_due_posts(empty_db, world, [ch], count=200, text="Race day")
    env = child_env(empty_db, PUBRACE_TOKEN=mastodon_account.access_token)
    # Small claim batches would make one runner take everything before the other starts; both start
    # together and compete for the same rows from the first claim.
    runners = [
        subprocess.Popen(
            [sys.executable, "-m", "jobs.publish_due", "--workers", "4"],
            cwd=REPO,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    results = [(p.wait(timeout=TIMEOUT), *p.communicate(timeout=30)) for p in runners]

    assert [code for code, _, _ in results] == [0, 0], [err for _, _, err in results]
    dispose_engine(empty_db.url.render_as_string(hide_password=False))
    on_server = server_statuses(mastodon_server, mastodon_account)
    variants = variants_of(empty_db, posts)
    assert len(on_server) == 200
    assert Counter(s["id"] for s in on_server).most_common(1)[0][1] == 1
    assert {v.status for v in variants} == {PostStatus.PUBLISHED}
    assert sorted(v.external_id for v in variants) == sorted(s["id"] for s in on_server)
    # Each runner's own report: together they published 200, neither posted what the other did.
    counts = [ast.literal_eval(out.split("publish_due: ok ", 1)[1].strip()) for _, out, _ in results]
    assert (
        sum(c["published"] for c in counts) == 200 and sum(c["failed"] + c["reconciled"] for c in counts) == 0
    )
    with read_session(empty_db) as s:
        claims = s.scalars(select(AuditLog.object_id).where(AuditLog.action == "publish_claim")).all()
    assert len(claims) == len(set(claims)) == 200
