"""The inbox sync against a real local Mastodon server: mentions, replies and direct messages land once
each, a re-run adds nothing, the cursor advances, and a failing channel is recorded on its connection
(in the platform's words) while the others still sync."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlalchemy import Engine, func, select
from synckit import SYSTEM, connect_channel, mastodon_channel, published_variant

from app.db import read_session, write_session
from app.models import AuditLog, Channel, ConnectorAccount, InboxMessage, JobRun
from app.models.enums import Direction, HealthStatus, InboxStatus, MessageKind, Role
from app.services.community.sync import sync_channel, sync_inbox
from app.services.core import Actor, PermissionDenied
from jobs import sync_inbox as sync_inbox_job
from jobs.recording import run_job


@pytest.fixture
def connect(demo_db: Engine, mastodon_server, monkeypatch: pytest.MonkeyPatch) -> Callable:  # type: ignore[no-untyped-def]
    """Make a brand account on the local server and a lumi channel connected to it; returns both."""

    def _connect(token: str | None = None):  # type: ignore[no-untyped-def]
        account, channel_id = mastodon_channel(demo_db, monkeypatch, mastodon_server, token)
        return account, channel_id

    return _connect


def _messages(engine: Engine, channel_id: int) -> list[InboxMessage]:
    with read_session(engine) as s:
        return list(
            s.scalars(
                select(InboxMessage).where(InboxMessage.channel_id == channel_id).order_by(InboxMessage.id)
            )
        )


def _account(engine: Engine, channel_id: int) -> ConnectorAccount:
    with read_session(engine) as s:
        return s.scalars(select(ConnectorAccount).where(ConnectorAccount.channel_id == channel_id)).one()


def test_mentions_replies_and_direct_messages_land_once(demo_db: Engine, mastodon_server, connect) -> None:  # type: ignore[no-untyped-def]
    brand, channel_id = connect()
    fan = mastodon_server.create_account()
    ours = mastodon_server.post_as(brand, "Our new serum is out")
    mastodon_server.post_as(fan, f"@{brand.username} do you ship to Penang?")
    mastodon_server.post_as(fan, f"@{brand.username} love it", in_reply_to_id=ours["id"])
    mastodon_server.post_as(fan, f"@{brand.username} my order number is 123", visibility="direct")

    result = sync_channel(demo_db, SYSTEM, channel_id)
    assert result.ok and result.added == 3, result
    got = _messages(demo_db, channel_id)
    by_body = {m.body: m for m in got}
    assert set(by_body) == {
        f"@{brand.username} do you ship to Penang?",
        f"@{brand.username} love it",
        f"@{brand.username} my order number is 123",
    }
    assert by_body[f"@{brand.username} do you ship to Penang?"].kind == MessageKind.MENTION
    assert by_body[f"@{brand.username} love it"].kind == MessageKind.COMMENT
    assert by_body[f"@{brand.username} my order number is 123"].kind == MessageKind.DIRECT
    assert all(m.direction == Direction.INBOUND and m.status == InboxStatus.NEW for m in got)
    assert all(m.author_handle.lstrip("@").startswith(fan.username) for m in got)
    assert len({m.thread_key for m in got}) == 3, "each opens its own thread"
    # lumi has a response-time policy: each new thread gets its due time.
    assert all(m.sla_due_at is not None and m.sla_due_at > m.received_at for m in got)
    account = _account(demo_db, channel_id)
    assert account.inbox_cursor and account.status == HealthStatus.OK and account.last_success_at
    # The headroom left after the sync's own calls, as the server's X-RateLimit headers said.
    assert account.rate_limit_remaining is not None and account.rate_limit_remaining > 0
    assert account.rate_limit_reset_at is not None and account.rate_limit_reset_at > account.last_success_at

    again = sync_channel(demo_db, SYSTEM, channel_id)
    assert again.ok and again.added == 0
    assert len(_messages(demo_db, channel_id)) == 3, "a re-run adds nothing"
    # A crash after the fetch but before the commit leaves the old cursor: the overlap is fetched again
    # and still stored once.
    with write_session(demo_db) as s:
        s.scalars(
            select(ConnectorAccount).where(ConnectorAccount.channel_id == channel_id)
        ).one().inbox_cursor = None
    overlap = sync_channel(demo_db, SYSTEM, channel_id)
    assert overlap.ok and overlap.fetched == 3 and overlap.added == 0
    assert len(_messages(demo_db, channel_id)) == 3


def test_the_cursor_advances_and_a_reply_joins_its_thread(demo_db: Engine, mastodon_server, connect) -> None:  # type: ignore[no-untyped-def]
    brand, channel_id = connect()
    fan = mastodon_server.create_account()
    first = mastodon_server.post_as(fan, f"@{brand.username} is the cream vegan?")
    assert sync_channel(demo_db, SYSTEM, channel_id).added == 1
    cursor_before = _account(demo_db, channel_id).inbox_cursor
    with write_session(demo_db) as s:  # the team answered and closed it
        opener = s.scalars(select(InboxMessage).where(InboxMessage.channel_id == channel_id)).one()
        opener.status = InboxStatus.RESOLVED

    mastodon_server.post_as(fan, f"@{brand.username} and the toner?", in_reply_to_id=first["id"])
    result = sync_channel(demo_db, SYSTEM, channel_id)
    assert result.ok and result.added == 1, result
    assert _account(demo_db, channel_id).inbox_cursor != cursor_before, "the cursor moved on"
    opener, follow_up = _messages(demo_db, channel_id)
    assert follow_up.body.endswith("and the toner?")
    assert follow_up.parent_id == opener.id and follow_up.thread_key == opener.thread_key
    assert follow_up.sla_due_at is None, "the thread's opener carries the triage fields"
    assert opener.status == InboxStatus.OPEN, "the customer wrote again: the closed thread reopens"
    with read_session(demo_db) as s:
        audit_rows = s.scalar(
            select(func.count())
            .select_from(AuditLog)
            .where(AuditLog.action == "inbox.synced", AuditLog.object_id == str(channel_id))
        )
    assert audit_rows == 2


def test_a_failing_channel_is_recorded_and_the_others_still_sync(
    demo_db: Engine, mastodon_server, connect, use_db
) -> None:  # type: ignore[no-untyped-def]
    use_db(demo_db)
    good, good_id = connect()
    _, bad_id = connect(token="not-a-valid-token")
    fan = mastodon_server.create_account()
    mastodon_server.post_as(fan, f"@{good.username} hello there")
    with write_session(demo_db) as s:  # only the two test channels, not the demo's unreachable ones
        s.execute(Channel.__table__.update().where(Channel.id.not_in([good_id, bad_id])).values(active=False))

    results = {r.channel: r for r in sync_inbox(demo_db, SYSTEM)}
    assert len(results) == 2
    good_result = next(r for r in results.values() if r.ok)
    bad_result = next(r for r in results.values() if not r.ok)
    assert good_result.added == 1
    bad = _account(demo_db, bad_id)
    assert bad.status == HealthStatus.BROKEN and bad.last_error == bad_result.error and bad.last_error_at
    assert "authenticated user" in bad.last_error, "the platform's own words"

    # The job counts the failed channel; the failure itself lives on the connection (the health page and
    # the admin banner show it), so the run succeeds for the channels that worked.
    mastodon_server.post_as(fan, f"@{good.username} second message")
    assert run_job("sync_inbox", sync_inbox_job.work) == 0
    assert len(_messages(demo_db, good_id)) == 2
    with read_session(demo_db) as s:
        run = s.scalars(
            select(JobRun).where(JobRun.job_name == "sync_inbox").order_by(JobRun.id.desc())
        ).first()
    assert run.counts == {"channels": 2, "ok": 1, "failed": 1, "fetched": 1, "added": 1}


def test_a_server_error_degrades_the_connection_until_the_next_success(
    demo_db: Engine, mastodon_server, connect
) -> None:  # type: ignore[no-untyped-def]
    _, channel_id = connect()
    mastodon_server.add_fault(status=503, path="/api/v1/notifications", count=5)
    try:
        result = sync_channel(demo_db, SYSTEM, channel_id)
    finally:
        mastodon_server.clear_faults()
    assert not result.ok
    account = _account(demo_db, channel_id)
    assert account.status == HealthStatus.DEGRADED and "503" in (account.last_error or "")
    assert sync_channel(demo_db, SYSTEM, channel_id).ok
    assert _account(demo_db, channel_id).status == HealthStatus.OK


def test_syncing_a_channel_takes_inbox_rights_on_its_brand(demo_db: Engine, connect) -> None:  # type: ignore[no-untyped-def]
    _, channel_id = connect()
    editor = Actor(email="ed@sync.test", workspace_role=Role.EDITOR)
    with pytest.raises(PermissionDenied):
        sync_channel(demo_db, editor, channel_id)


def test_a_bluesky_channel_syncs_and_a_reply_to_our_post_is_linked_to_it(
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
    ours = bluesky_pds.post_as(brand, "What is your favourite serum?")
    variant_id = published_variant(demo_db, channel_id, ours["uri"])
    fan = bluesky_pds.create_account()
    reply = bluesky_pds.post_as(fan, "The vitamin C one", reply_to=(ours["uri"], ours["cid"]))
    mention = bluesky_pds.post_as(fan, f"Shout-out to @{brand.handle}", mention=brand)

    result = sync_channel(demo_db, SYSTEM, channel_id)
    assert result.ok and result.added == 2, result
    got = {m.external_id: m for m in _messages(demo_db, channel_id)}
    assert got[reply["uri"]].kind == MessageKind.COMMENT and got[reply["uri"]].variant_id == variant_id
    assert got[mention["uri"]].kind == MessageKind.MENTION and got[mention["uri"]].variant_id is None
    assert sync_channel(demo_db, SYSTEM, channel_id).added == 0
    assert len(_messages(demo_db, channel_id)) == 2
    account = _account(demo_db, channel_id)
    assert account.status == HealthStatus.OK
    assert account.token_expires_at is not None and account.token_expires_at > account.last_success_at


def test_a_token_of_another_account_breaks_the_channel_and_stores_nothing(
    demo_db: Engine, mastodon_server, connect
) -> None:  # type: ignore[no-untyped-def]
    stranger = mastodon_server.create_account()
    fan = mastodon_server.create_account()
    mastodon_server.post_as(fan, f"@{stranger.username} this is not for the brand")
    _, channel_id = connect(token=stranger.access_token)  # someone pasted the wrong token

    result = sync_channel(demo_db, SYSTEM, channel_id)
    assert not result.ok and result.added == 0
    assert _messages(demo_db, channel_id) == [], "someone else's inbox never lands in this channel"
    account = _account(demo_db, channel_id)
    assert account.status == HealthStatus.BROKEN and stranger.username in account.last_error
    assert account.inbox_cursor is None
