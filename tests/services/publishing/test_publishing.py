"""publish_due against the real local Mastodon server, and through a scripted connector for what a live
server will not do on cue: transient then success, permanent refusal, retries running out, pauses."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine, select

from app.connectors.base import Outgoing, PermanentError, Published, TransientError
from app.db import read_session, write_session
from app.models import AuditLog, Brand, ConnectorAccount, Incident, Post, SeverityLevel, Workspace
from app.models.enums import ConnectorKind, Platform, PostStatus
from app.services.content import composer, workflow
from app.services.core import Actor, PermissionDenied, ValidationError, notifications
from app.services.publishing.pause import pause_state, set_brand_pause, set_workspace_pause
from app.services.publishing.runs import RetryPolicy, publish_due, publish_now
from tests.services.publishing.publishkit import (
    add_channel,
    add_due_posts,
    make_world,
    post_status,
    variants_of,
)

JOB = Actor.system("job:publish_due")


@dataclass
class Scripted:
    """A connector that answers from a script: each item is an exception to raise or None (success)."""

    script: list[Exception | None] = field(default_factory=list)
    sent: list[Outgoing] = field(default_factory=list)
    kind: ConnectorKind = ConnectorKind.WEBHOOK

    def publish(self, post: Outgoing) -> Published:
        outcome = self.script.pop(0) if self.script else None
        if outcome is not None:
            raise outcome
        self.sent.append(post)
        n = len(self.sent)
        return Published(f"ext-{n}", f"https://example.test/p/{n}", datetime.now(UTC))

    def find_published(self, idempotency_key: str, since: datetime) -> Published | None:
        for i, p in enumerate(self.sent, 1):
            if p.idempotency_key == idempotency_key:
                return Published(f"ext-{i}", f"https://example.test/p/{i}", datetime.now(UTC))
        return None


@pytest.fixture
def world(empty_db: Engine):  # type: ignore[no-untyped-def]
    return make_world(empty_db)


def _webhook_channel(engine: Engine, brand_id: int) -> int:
    return add_channel(engine, brand_id, platform=Platform.LINKEDIN, kind=ConnectorKind.WEBHOOK, base_url="x")


def test_due_variants_go_out_once_to_mastodon_with_id_and_permalink(
    empty_db: Engine, world, mastodon_server, mastodon_account, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("PUBTEST_MASTODON_TOKEN", mastodon_account.access_token)
    ch = add_channel(
        empty_db,
        world.brand_ids[0],
        base_url=mastodon_server.base_url,
        credential_env="PUBTEST_MASTODON_TOKEN",
    )
    due = add_due_posts(empty_db, world, [ch], count=3)
    later = add_due_posts(empty_db, world, [ch], count=1, at=datetime.now(UTC) + timedelta(hours=2))

    counts = publish_due(empty_db, JOB)
    again = publish_due(empty_db, JOB)

    assert counts.published == 3 and counts.failed == 0
    assert again.as_dict() == dict.fromkeys(again.as_dict(), 0)
    on_server = {s["id"]: s for s in mastodon_server.statuses_of(mastodon_account)}
    assert len(on_server) == 3
    for v in variants_of(empty_db, due):
        assert v.status == PostStatus.PUBLISHED
        assert v.external_id in on_server and v.permalink == on_server[v.external_id]["url"]
        assert v.published_at is not None and v.idempotency_key and v.attempts == 1
        assert v.copy in on_server[v.external_id]["content"]
    assert {post_status(empty_db, p) for p in due} == {PostStatus.PUBLISHED}
    assert variants_of(empty_db, later)[0].status == PostStatus.SCHEDULED
    with read_session(empty_db) as s:
        actions = s.scalars(select(AuditLog.action).where(AuditLog.actor == "job:publish_due")).all()
        last_success = s.scalars(select(ConnectorAccount.last_success_at)).one()
    assert actions.count("publish_claim") == 3 and actions.count("published") == 3
    # The health page's "last success" for the connection moves with each post that went out.
    assert last_success is not None and last_success >= max(
        v.published_at for v in variants_of(empty_db, due)
    )


def test_a_transient_error_is_retried_after_a_backoff_then_succeeds(empty_db: Engine, world) -> None:  # type: ignore[no-untyped-def]
    conn = Scripted([TransientError("timeout", platform_message="gateway timeout", retry_after=None)])
    ch = _webhook_channel(empty_db, world.brand_ids[0])
    [post] = add_due_posts(empty_db, world, [ch])
    now = datetime.now(UTC)

    first = publish_due(empty_db, JOB, now=now, connector_for=lambda a, c: conn)
    [v] = variants_of(empty_db, [post])
    assert first.retried == 1 and v.status == PostStatus.SCHEDULED and v.last_error == "gateway timeout"
    assert timedelta(minutes=1) <= v.next_attempt_at - now < timedelta(minutes=1, seconds=30)
    # Not before its time: a run half a minute later leaves it alone.
    assert (
        publish_due(empty_db, JOB, now=now + timedelta(seconds=30), connector_for=lambda a, c: conn).retried
        == 0
    )
    assert conn.sent == []

    second = publish_due(empty_db, JOB, now=now + timedelta(minutes=2), connector_for=lambda a, c: conn)
    [v] = variants_of(empty_db, [post])
    # The retry asked the platform first (the timeout might have posted), found nothing, then posted.
    assert second.published == 1 and v.status == PostStatus.PUBLISHED and v.external_id == "ext-1"
    assert v.attempts == 2 and len(conn.sent) == 1 and post_status(empty_db, post) == PostStatus.PUBLISHED


def test_backoff_doubles_honours_retry_after_and_gives_up(empty_db: Engine, world) -> None:  # type: ignore[no-untyped-def]
    policy = RetryPolicy(max_attempts=3)
    assert [policy.delay(n) for n in (1, 2, 3)] == [timedelta(minutes=m) for m in (1, 2, 4)]
    assert policy.delay(1, retry_after=600) == timedelta(minutes=10)
    assert policy.delay(30) == timedelta(hours=1)

    conn = Scripted([TransientError("503", platform_message="Service Unavailable")] * 3)
    ch = _webhook_channel(empty_db, world.brand_ids[0])
    [post] = add_due_posts(empty_db, world, [ch])
    t = datetime.now(UTC)
    outcomes = []
    for _ in range(3):
        counts = publish_due(empty_db, JOB, now=t, connector_for=lambda a, c: conn, policy=policy)
        outcomes.append((counts.retried, counts.failed))
        t += timedelta(hours=2)
    [v] = variants_of(empty_db, [post])
    assert outcomes == [(1, 0), (1, 0), (0, 1)]
    assert v.status == PostStatus.FAILED and v.last_error == "gave up after 3 attempts: Service Unavailable"
    assert post_status(empty_db, post) == PostStatus.FAILED

    # Rescheduled by its owner, the variant gets a fresh retry budget (and asks the platform first).
    with write_session(empty_db) as s:
        s.get(Post, post).variants[0].scheduled_at = t + timedelta(hours=1)
    with write_session(empty_db) as s:
        workflow.schedule(s, world.owner, post)
    conn.script = [TransientError("503", platform_message="Service Unavailable")]
    counts = publish_due(
        empty_db, JOB, now=t + timedelta(hours=2), connector_for=lambda a, c: conn, policy=policy
    )
    [v] = variants_of(empty_db, [post])
    assert counts.retried == 1 and v.status == PostStatus.SCHEDULED
    assert (v.attempts, v.round_attempts) == (4, 1)


def test_a_permanent_refusal_fails_the_variant_and_tells_the_owner(empty_db: Engine, world) -> None:  # type: ignore[no-untyped-def]
    conn = Scripted([PermanentError("422", platform_message="Text character limit of 500 exceeded")])
    ch = _webhook_channel(empty_db, world.brand_ids[0])
    [post] = add_due_posts(empty_db, world, [ch])

    counts = publish_due(empty_db, JOB, connector_for=lambda a, c: conn)

    [v] = variants_of(empty_db, [post])
    assert counts.failed == 1 and v.status == PostStatus.FAILED
    assert v.last_error == "Text character limit of 500 exceeded"
    assert post_status(empty_db, post) == PostStatus.FAILED
    with read_session(empty_db) as s:
        mine = notifications.unread(s, world.owner)
        assert notifications.unread(s, world.manager) == []
    assert len(mine) == 1 and mine[0].post_id == post and "Text character limit" in mine[0].text
    with write_session(empty_db) as s:
        assert notifications.mark_read(s, world.owner) == 1
    with read_session(empty_db) as s:
        assert notifications.unread_count(s, world.owner) == 0


def test_a_missing_token_fails_with_the_variable_named(empty_db: Engine, world, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.delenv("PUBTEST_UNSET_TOKEN", raising=False)
    ch = add_channel(
        empty_db, world.brand_ids[0], base_url="http://127.0.0.1:9", credential_env="PUBTEST_UNSET_TOKEN"
    )
    [post] = add_due_posts(empty_db, world, [ch])
    assert publish_due(empty_db, JOB).failed == 1
    [v] = variants_of(empty_db, [post])
    assert v.status == PostStatus.FAILED and "PUBTEST_UNSET_TOKEN" in v.last_error


def test_one_post_on_two_channels_is_published_when_both_are(empty_db: Engine, world) -> None:  # type: ignore[no-untyped-def]
    conn = Scripted([None, PermanentError("no", platform_message="account suspended")])
    a, b = _webhook_channel(empty_db, world.brand_ids[0]), _webhook_channel(empty_db, world.brand_ids[0])
    [post] = add_due_posts(empty_db, world, [a, b])
    counts = publish_due(empty_db, JOB, workers=1, connector_for=lambda acc, ch: conn)
    assert (counts.published, counts.failed) == (1, 1)
    assert [v.status for v in variants_of(empty_db, [post])] == [PostStatus.PUBLISHED, PostStatus.FAILED]
    # One channel out, one refused: the post shows it failed (so someone looks), the published one stays.
    assert post_status(empty_db, post) == PostStatus.FAILED

    # The editor gives the refused channel a new time and schedules the post again: the channel that went
    # out (its time now past) neither blocks that nor goes out twice.
    published, refused = variants_of(empty_db, [post])
    later = datetime.now(UTC) + timedelta(hours=2)
    with write_session(empty_db) as s:
        composer.reschedule_variant(s, world.owner, refused.id, later)
        workflow.schedule(s, world.owner, post)
    after = variants_of(empty_db, [post])
    assert [v.status for v in after] == [PostStatus.PUBLISHED, PostStatus.SCHEDULED]
    assert after[0].external_id == published.external_id and after[0].published_at == published.published_at
    counts = publish_due(empty_db, JOB, now=later + timedelta(minutes=1), connector_for=lambda acc, ch: conn)
    assert (counts.published, counts.failed) == (1, 0)
    assert post_status(empty_db, post) == PostStatus.PUBLISHED


def test_paused_workspace_brand_or_incident_publishes_nothing(empty_db: Engine, world) -> None:  # type: ignore[no-untyped-def]
    conn = Scripted()
    b0, b1 = world.brand_ids
    p0 = add_due_posts(empty_db, world, [_webhook_channel(empty_db, b0)])
    p1 = add_due_posts(empty_db, world, [_webhook_channel(empty_db, b1)])
    with pytest.raises(PermissionDenied):
        with write_session(empty_db) as s:
            set_workspace_pause(s, world.editor, True)
    with write_session(empty_db) as s:
        set_workspace_pause(s, world.manager, True, reason="crisis drill")
    counts = publish_due(empty_db, JOB, connector_for=lambda a, c: conn)
    assert counts.skipped_paused == 2 and counts.published == 0 and conn.sent == []

    with write_session(empty_db) as s:
        set_workspace_pause(s, world.manager, False)
        set_brand_pause(s, world.manager, b0, True)
    counts = publish_due(empty_db, JOB, connector_for=lambda a, c: conn)
    assert (counts.skipped_paused, counts.published) == (1, 1)
    assert variants_of(empty_db, p0)[0].status == PostStatus.SCHEDULED
    assert variants_of(empty_db, p1)[0].status == PostStatus.PUBLISHED

    # Brand 0 resumes, but an open incident of a severity that pauses publishing holds it.
    with write_session(empty_db) as s:
        set_brand_pause(s, world.manager, b0, False)
        sev = SeverityLevel(
            workspace_id=world.workspace_id, level=3, name="Major", response_minutes=15, pause_publishing=True
        )
        s.add(sev)
        s.flush()
        s.add(Incident(brand_id=b0, severity_id=sev.id, title="Recall"))
    assert publish_due(empty_db, JOB, connector_for=lambda a, c: conn).skipped_paused == 1
    with read_session(empty_db) as s:
        state = pause_state(s, world.manager, [b0, b1])
        log = s.execute(
            select(AuditLog.action, AuditLog.actor).where(AuditLog.action.like("%_publishing"))
        ).all()
    assert "open incident" in state.stopped_for(b0) and state.stopped_for(b1) is None
    assert log == [("pause_publishing", "manager@pub.example"), ("resume_publishing", "manager@pub.example"),
                   ("pause_publishing", "manager@pub.example"), ("resume_publishing", "manager@pub.example")]  # fmt: skip


def test_a_pause_is_logged_with_its_reason_and_a_repeat_is_not(empty_db: Engine, world) -> None:  # type: ignore[no-untyped-def]
    b0 = world.brand_ids[0]
    start = datetime.now(UTC)
    with write_session(empty_db) as s:
        set_workspace_pause(s, world.manager, True, reason="  crisis drill ")
        set_workspace_pause(s, world.manager, True)  # already paused: nothing to log
        set_workspace_pause(s, world.manager, False)
        set_brand_pause(s, world.manager, b0, True, reason="recall")
        set_brand_pause(s, world.manager, b0, True)
        set_brand_pause(s, world.manager, b0, False)
        ws = s.scalars(select(Workspace)).one()
        brand_name = s.get(Brand, b0).name
    with read_session(empty_db) as s:
        log = s.scalars(
            select(AuditLog).where(AuditLog.action.like("%_publishing")).order_by(AuditLog.id)
        ).all()
    assert [(e.action, e.object_type, e.object_id, e.object_label, e.brand_id) for e in log] == [
        ("pause_publishing", "workspace", str(ws.id), ws.name, None),
        ("resume_publishing", "workspace", str(ws.id), ws.name, None),
        ("pause_publishing", "brand", str(b0), brand_name, b0),
        ("resume_publishing", "brand", str(b0), brand_name, b0),
    ]
    assert [e.before for e in log] == [{"publishing_paused": False}, {"publishing_paused": True}] * 2
    assert log[0].after == {"publishing_paused": True, "reason": "crisis drill"}
    assert log[1].after == {"publishing_paused": False}
    # A brand's entry also says when, as ISO text.
    assert start <= datetime.fromisoformat(log[2].after.pop("at")) <= datetime.now(UTC)
    assert log[2].after == {"publishing_paused": True, "reason": "recall"}
    assert set(log[3].after) == {"publishing_paused", "at"}


def test_publish_now_needs_approval_rights_and_publishes_before_the_time(empty_db: Engine, world) -> None:  # type: ignore[no-untyped-def]
    conn = Scripted()
    ch = _webhook_channel(empty_db, world.brand_ids[0])
    [post] = add_due_posts(empty_db, world, [ch], at=datetime.now(UTC) + timedelta(days=1))
    with pytest.raises(PermissionDenied):
        publish_now(empty_db, world.editor, post, connector_for=lambda a, c: conn)
    counts = publish_now(empty_db, world.manager, post, connector_for=lambda a, c: conn)
    assert counts.published == 1 and post_status(empty_db, post) == PostStatus.PUBLISHED
    with pytest.raises(ValidationError, match="only a scheduled post"):
        publish_now(empty_db, world.manager, post, connector_for=lambda a, c: conn)
    with read_session(empty_db) as s:
        who = s.scalars(select(AuditLog.actor).where(AuditLog.action == "published")).all()
    assert who == ["manager@pub.example"]


def test_a_click_and_a_runner_on_the_same_post_publish_it_once(empty_db: Engine, world) -> None:  # type: ignore[no-untyped-def]
    """The runner claims first (committed); the click then finds nothing left to take."""
    conn = Scripted()
    ch = _webhook_channel(empty_db, world.brand_ids[0])
    [post] = add_due_posts(empty_db, world, [ch])
    from app.services.publishing import claims as publishing_claims

    with write_session(empty_db) as s:
        held = publishing_claims.claim(
            s, JOB, variants_of(empty_db, [post])[0].id, "other:1:x", datetime.now(UTC)
        )
    assert held is not None
    with pytest.raises(ValidationError, match="no variant waiting"):
        publish_now(empty_db, world.manager, post, connector_for=lambda a, c: conn)
    assert publish_due(empty_db, JOB, connector_for=lambda a, c: conn).published == 0
    assert conn.sent == []


def test_a_paused_brand_cannot_publish_now(empty_db: Engine, world) -> None:  # type: ignore[no-untyped-def]
    ch = _webhook_channel(empty_db, world.brand_ids[0])
    [post] = add_due_posts(empty_db, world, [ch])
    with write_session(empty_db) as s:
        s.get(Workspace, world.workspace_id).publishing_paused = True
    with pytest.raises(ValidationError, match="paused"):
        publish_now(empty_db, world.manager, post, connector_for=lambda a, c: Scripted())
    with read_session(empty_db) as s:
        assert s.get(Post, post).status == PostStatus.SCHEDULED
        assert s.get(Brand, world.brand_ids[0]).publishing_paused is False


def test_a_webhook_channel_retries_with_the_same_key_and_is_taken_once(
    empty_db: Engine, world, webhook_receiver, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    """A closed platform through a signed webhook: a 503 first, then the retry repeats the key."""
    monkeypatch.setenv("PUBTEST_HOOK_SECRET", webhook_receiver.secret)
    ch = add_channel(
        empty_db,
        world.brand_ids[0],
        platform=Platform.INSTAGRAM,
        kind=ConnectorKind.WEBHOOK,
        base_url=webhook_receiver.url,
        credential_env="PUBTEST_HOOK_SECRET",
    )
    [post] = add_due_posts(empty_db, world, [ch])
    webhook_receiver.fail_next(503)
    t = datetime.now(UTC)
    assert publish_due(empty_db, JOB, now=t).retried == 1
    assert publish_due(empty_db, JOB, now=t + timedelta(minutes=5)).published == 1
    [v] = variants_of(empty_db, [post])
    sent = webhook_receiver.events("publish")
    assert len(sent) == 2 and all(r.verified for r in sent)
    assert {r.headers["idempotency-key"] for r in sent} == {v.idempotency_key}
    assert list(webhook_receiver.posts) == [v.idempotency_key]
    assert v.status == PostStatus.PUBLISHED and v.external_id == "hook-1"


def test_a_claim_made_late_in_a_long_run_is_not_stale_to_another_runner(empty_db: Engine, world) -> None:  # type: ignore[no-untyped-def]
    """A run that started 20 minutes ago claims a variant now: the claim is fresh, not 20 minutes old."""
    from app.services.publishing import claims as publishing_claims

    conn = Scripted()
    ch = _webhook_channel(empty_db, world.brand_ids[0])
    [post] = add_due_posts(empty_db, world, [ch], at=datetime.now(UTC) - timedelta(minutes=30))
    started = datetime.now(UTC) - timedelta(minutes=20)
    with write_session(empty_db) as s:
        held = publishing_claims.claim(s, JOB, variants_of(empty_db, [post])[0].id, "elsewhere:1:x", started)
    assert held is not None
    counts = publish_due(empty_db, JOB, connector_for=lambda a, c: conn)
    assert counts.published == counts.reconciled == 0 and conn.sent == []
    # Ten minutes after the claim, a runner may take it over (reconciling first).
    later = publish_due(
        empty_db, JOB, now=datetime.now(UTC) + timedelta(minutes=11), connector_for=lambda a, c: conn
    )
    assert later.published == 1 and variants_of(empty_db, [post])[0].attempts == 2
