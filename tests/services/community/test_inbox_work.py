"""Working the inbox against a real local Mastodon server: the queue puts the most urgent thread first,
triage changes are audited and a stale save is refused naming both versions, and a reply sent from the
hub lands on the platform as a reply to the customer, once, with the thread's first response time,
while a platform refusal is reported in its own words and records nothing."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine, func, select
from synckit import SYSTEM, mastodon_channel

from app.connectors.base import InboxItem, InboxKind
from app.db import read_session, write_session
from app.models import AuditLog, Brand, Channel, InboxMessage, User
from app.models.enums import Direction, InboxStatus, Priority, Sentiment
from app.services.community import work as inbox_work
from app.services.community.sync import _store_page, sync_channel
from app.services.community.work import ReplyFailed
from app.services.core import Conflict, PermissionDenied, ValidationError
from app.services.org import users

CM = "weiling.chua@kopi.example"  # community manager on every brand
VIEWER = "jon.lee@kopi.example"


def actor(engine: Engine, email: str):  # type: ignore[no-untyped-def]
    with read_session(engine) as s:
        found = users.load_actor(s, email)
        assert found is not None
        return found


def brand_id(engine: Engine, slug: str = "lumi") -> int:
    with read_session(engine) as s:
        return s.scalars(select(Brand.id).where(Brand.slug == slug)).one()


@pytest.fixture
def mention(demo_db: Engine, mastodon_server, monkeypatch: pytest.MonkeyPatch) -> Callable:  # type: ignore[no-untyped-def]
    """A lumi channel on the local server, a fan's mention of it synced into the inbox; returns
    (brand account, fan account, the mention's inbox message id)."""

    def _mention(text: str = "do you ship to Penang?"):  # type: ignore[no-untyped-def]
        brand, channel_id = mastodon_channel(demo_db, monkeypatch, mastodon_server)
        fan = mastodon_server.create_account()
        mastodon_server.post_as(fan, f"@{brand.username} {text}")
        assert sync_channel(demo_db, SYSTEM, channel_id).added == 1
        with read_session(demo_db) as s:
            message_id = s.scalars(select(InboxMessage.id).where(InboxMessage.channel_id == channel_id)).one()
        return brand, fan, message_id

    return _mention


def test_the_queue_puts_the_most_urgent_thread_first_and_hides_what_waits_on_the_customer(
    demo_db: Engine,
) -> None:
    cm, lumi = actor(demo_db, CM), brand_id(demo_db)
    with read_session(demo_db) as s:
        queue = inbox_work.work_queue(s, cm, [lumi])
        assert queue, "the demo has threads waiting on the team"
        first = s.get(InboxMessage, queue[0].id)
        waiting = s.scalars(
            select(InboxMessage).where(
                InboxMessage.brand_id == lumi,
                InboxMessage.direction == Direction.INBOUND,
                InboxMessage.parent_id.is_(None),
                InboxMessage.status.in_([InboxStatus.NEW, InboxStatus.OPEN]),
            )
        ).all()
        assert len(queue) == min(len(waiting), 200)
        # Not yet answered, nearest response target first; threads already answered come after them.
        unanswered = [m for m in waiting if m.first_response_at is None]
        dues = [m.sla_due_at for m in unanswered if m.sla_due_at is not None]
        assert unanswered and dues, "the demo has unanswered threads with a response target"
        assert first.first_response_at is None and first.sla_due_at == min(dues)
        order = [s.get(InboxMessage, i.id) for i in queue]
        answered = [m.first_response_at is not None for m in order]
        assert answered == sorted(answered), "every unanswered thread before any answered one"
        on_customer = inbox_work.work_queue(s, cm, [lumi], statuses=[InboxStatus.WAITING])
        assert {i.id for i in on_customer}.isdisjoint({i.id for i in queue})
    # The label is plain text a select box shows: when, where, who and the first words; nothing that
    # changes (status, time left), or the box would lose its choice in the browser when it did.
    assert first.author_handle in queue[0].label and " ".join(first.body.split())[:30] in queue[0].label
    assert first.status.value not in queue[0].label.split(" · ")


def test_triage_is_audited_and_a_stale_save_is_refused_naming_both_versions(demo_db: Engine) -> None:
    cm, lumi = actor(demo_db, CM), brand_id(demo_db)
    with read_session(demo_db) as s:
        item = next(
            i
            for i in inbox_work.work_queue(s, cm, [lumi])
            if (m := s.get(InboxMessage, i.id)).status == InboxStatus.NEW and m.assignee_id is None
        )
        seen = inbox_work.message_view(s, cm, item.id)
        people = dict(inbox_work.assignees(s, cm, lumi))
    assert cm.user_id in people and actor(demo_db, VIEWER).user_id not in people

    with write_session(demo_db) as s:
        mine = inbox_work.claim(s, cm, item.id, expected_version=seen.version)
    assert mine.assignee_id == cm.user_id and mine.status == InboxStatus.OPEN
    assert mine.version == seen.version + 1

    # A colleague who still looks at the old version changes the priority: refused, nothing overwritten.
    with (
        pytest.raises(Conflict, match=rf"version {mine.version}.*version {seen.version}"),
        write_session(demo_db) as s,
    ):
        inbox_work.triage(s, cm, item.id, expected_version=seen.version, priority="urgent")

    with write_session(demo_db) as s:
        done = inbox_work.triage(
            s,
            cm,
            item.id,
            expected_version=mine.version,
            status="resolved",
            priority=Priority.HIGH,
            sentiment=Sentiment.NEGATIVE,
            assignee_id=None,
        )
    assert (done.status, done.priority, done.sentiment, done.assignee_id) == (
        InboxStatus.RESOLVED,
        Priority.HIGH,
        Sentiment.NEGATIVE,
        None,
    )
    with read_session(demo_db) as s:
        msg = s.get(InboxMessage, item.id)
        assert msg.resolved_at is not None
        entries = s.scalars(
            select(AuditLog)
            .where(AuditLog.object_type == "inbox_message", AuditLog.object_id == str(item.id))
            .order_by(AuditLog.id)
        ).all()
    assert [e.action for e in entries] == ["inbox.triage", "inbox.triage"]
    assert entries[0].after == {"assignee_id": cm.user_id, "status": "open"}
    assert entries[1].before["status"] == "open" and entries[1].after["status"] == "resolved"
    assert entries[1].after["assignee_id"] is None and entries[1].actor == CM

    # Reopening clears the resolved time; an unknown status or a person outside the inbox is refused.
    with write_session(demo_db) as s:
        assert inbox_work.triage(s, cm, item.id, status="open").status == InboxStatus.OPEN
    with read_session(demo_db) as s:
        assert s.get(InboxMessage, item.id).resolved_at is None
    with pytest.raises(ValidationError, match="status"), write_session(demo_db) as s:
        inbox_work.triage(s, cm, item.id, status="closed-ish")
    with pytest.raises(ValidationError, match="assignee"), write_session(demo_db) as s:
        inbox_work.triage(s, cm, item.id, assignee_id=actor(demo_db, VIEWER).user_id)


def test_people_who_do_not_work_the_inbox_can_neither_read_nor_change_a_thread(demo_db: Engine) -> None:
    viewer, lumi = actor(demo_db, VIEWER), brand_id(demo_db)
    with read_session(demo_db) as s:
        item = inbox_work.work_queue(s, actor(demo_db, CM), [lumi])[0]
        with pytest.raises(PermissionDenied):
            inbox_work.work_queue(s, viewer, [lumi])
        with pytest.raises(PermissionDenied):
            inbox_work.message_view(s, viewer, item.id)
    with pytest.raises(PermissionDenied), write_session(demo_db) as s:
        inbox_work.triage(s, viewer, item.id, status="spam")
    with pytest.raises(PermissionDenied):
        inbox_work.reply(demo_db, viewer, item.id, "Hello")


def test_a_reply_lands_on_mastodon_once_as_an_answer_to_the_fan_and_times_the_first_response(
    demo_db: Engine, mastodon_server, mention
) -> None:
    brand, fan, message_id = mention()
    cm = actor(demo_db, CM)
    with read_session(demo_db) as s:
        view = inbox_work.message_view(s, cm, message_id)
    assert view.reply_blocked is None and view.reply_limit == 500
    assert [t.direction for t in view.thread] == [Direction.INBOUND]

    sent = inbox_work.reply(
        demo_db, cm, message_id, "  Yes, we ship to Penang in 2–3 days 🚚  ", expected_version=view.version
    )
    assert sent.first_response_minutes is not None and sent.first_response_minutes >= 0
    statuses = mastodon_server.statuses_of(brand)
    assert len(statuses) == 1
    posted = statuses[0]
    fan_status = mastodon_server.statuses_of(fan)[0]
    assert posted["in_reply_to_id"] == fan_status["id"]
    assert posted["id"] == sent.external_id
    assert "Yes, we ship to Penang in 2–3 days 🚚" in posted["content"]

    with read_session(demo_db) as s:
        after = inbox_work.message_view(s, cm, message_id)
        opener = s.get(InboxMessage, message_id)
        assert opener.first_response_at is not None and opener.first_response_seconds is not None
    assert after.status == InboxStatus.WAITING and after.assignee_id == cm.user_id
    assert [(t.direction, t.body) for t in after.thread] == [
        (Direction.INBOUND, f"@{brand.username} do you ship to Penang?"),
        (Direction.OUTBOUND, "Yes, we ship to Penang in 2–3 days 🚚"),
    ]

    # Pressing Send twice (or a colleague sending the same words) does not post it again.
    with pytest.raises(Conflict, match="already sent"):
        inbox_work.reply(demo_db, cm, message_id, "Yes, we ship to Penang in 2–3 days 🚚")
    assert len(mastodon_server.statuses_of(brand)) == 1

    # The next inbox sync sees our reply on the platform and keeps the one copy.
    with read_session(demo_db) as s:
        channel_id = s.get(InboxMessage, message_id).channel_id
    sync_channel(demo_db, SYSTEM, channel_id)
    with read_session(demo_db) as s:
        outbound = s.scalar(
            select(func.count()).where(
                InboxMessage.channel_id == channel_id, InboxMessage.direction == Direction.OUTBOUND
            )
        )
        audit = s.scalars(
            select(AuditLog).where(AuditLog.action == "inbox.reply", AuditLog.object_id == str(message_id))
        ).one()
    assert outbound == 1
    assert audit.after["external_id"] == sent.external_id and audit.after["status"] == "waiting"

    # A second answer, resolving the thread: the first response time stays the first.
    first = opener.first_response_at
    inbox_work.reply(demo_db, cm, message_id, "Anything else we can help with?", resolve=True)
    with read_session(demo_db) as s:
        opener = s.get(InboxMessage, message_id)
        assert opener.status == InboxStatus.RESOLVED and opener.resolved_at is not None
        assert opener.first_response_at == first


def test_a_refused_reply_is_reported_in_the_platforms_words_and_records_nothing(
    demo_db: Engine, mastodon_server, mention
) -> None:
    brand, _fan, message_id = mention()
    cm = actor(demo_db, CM)
    mastodon_server.add_fault(
        status=422,
        path="/api/v1/statuses",
        methods=["POST"],
        body={"error": "Validation failed: Text too spicy"},
    )
    try:
        with pytest.raises(ReplyFailed, match="Text too spicy"):
            inbox_work.reply(demo_db, cm, message_id, "Sure thing!")
    finally:
        mastodon_server.clear_faults()
    assert mastodon_server.statuses_of(brand) == []
    with read_session(demo_db) as s:
        opener = s.get(InboxMessage, message_id)
        assert opener.status == InboxStatus.NEW and opener.first_response_at is None
        assert not s.scalars(select(AuditLog).where(AuditLog.action == "inbox.reply")).all()


def test_bad_replies_are_refused_before_anything_is_sent(demo_db: Engine, mastodon_server, mention) -> None:
    brand, _fan, message_id = mention()
    cm = actor(demo_db, CM)
    with pytest.raises(ValidationError, match="write something"):
        inbox_work.reply(demo_db, cm, message_id, "   \n ")
    with pytest.raises(ValidationError, match=r"501 characters, Mastodon allows 500 \(1 too many\)"):
        inbox_work.reply(demo_db, cm, message_id, "x" * 501)
    with pytest.raises(ValidationError, match="reply"):
        inbox_work.reply(demo_db, cm, message_id, "nul\x00byte")
    assert mastodon_server.statuses_of(brand) == []


def test_a_thread_on_a_channel_without_a_connection_says_to_reply_on_the_platform(demo_db: Engine) -> None:
    cm, lumi = actor(demo_db, CM), brand_id(demo_db)
    with read_session(demo_db) as s:
        item = inbox_work.work_queue(s, cm, [lumi])[0]
        view = inbox_work.message_view(s, cm, item.id)
    assert view.reply_blocked is not None and "reply on the platform itself" in view.reply_blocked
    with pytest.raises(ValidationError, match="reply on the platform itself"):
        inbox_work.reply(demo_db, cm, item.id, "Thanks!")


def test_an_unverified_session_cannot_claim(demo_db: Engine) -> None:
    lumi = brand_id(demo_db)
    with read_session(demo_db) as s:
        item = inbox_work.work_queue(s, SYSTEM, [lumi])[0]
        assert s.scalar(select(func.count()).select_from(User)) > 0
    with pytest.raises(ValidationError, match="signed-in person"), write_session(demo_db) as s:
        inbox_work.claim(s, SYSTEM, item.id)


def test_sla_text_reads_minutes_then_hours() -> None:
    now = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
    assert inbox_work.due_text(now + timedelta(minutes=45), now) == " · due in 45 min"
    assert inbox_work.due_text(now + timedelta(hours=5), now) == " · due in 5 h"
    assert inbox_work.due_text(now - timedelta(minutes=30), now) == " · overdue 30 min"
    assert inbox_work.due_text(now - timedelta(hours=3), now) == " · overdue 3 h"
    assert inbox_work.due_text(None, now) == ""


def test_an_answer_given_on_the_platform_itself_counts_as_the_threads_first_response(
    demo_db: Engine, mention
) -> None:
    """Where a platform's inbox also returns the brand's own answers (a direct-message conversation),
    the sync stores them as outbound and times the thread's first response from them."""
    brand, fan, message_id = mention()
    with read_session(demo_db) as s:
        opener = s.get(InboxMessage, message_id)
        channel_id, fan_external, received = opener.channel_id, opener.external_id, opener.received_at
    answered = received.replace(tzinfo=UTC) + timedelta(minutes=12)
    ours = InboxItem(
        "brand-answer-1",
        InboxKind.COMMENT,
        f"@{brand.username}",
        f"@{fan.username} yes we do!",
        answered,
        in_reply_to=fan_external,
    )
    with write_session(demo_db) as s:
        assert _store_page(s, s.get(Channel, channel_id), [ours]) == 1
    with read_session(demo_db) as s:
        opener = s.get(InboxMessage, message_id)
        assert opener.first_response_seconds == 12 * 60
        assert opener.status == InboxStatus.NEW, "answering does not close the thread by itself"
        view = inbox_work.message_view(s, actor(demo_db, CM), message_id)
    assert [t.direction for t in view.thread] == [Direction.INBOUND, Direction.OUTBOUND]
