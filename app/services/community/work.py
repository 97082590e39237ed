"""Working the community inbox: the queue of threads waiting on the team, one thread as a conversation,
triage (claim, assign, status, priority, sentiment) and replying from the hub through the channel's
connector. Only people who work the inbox on the brand (INBOX_WORK) may; every change is audited and a
save made against an older version of the message is refused, naming both versions.

A reply is sent outside any database transaction (a slow platform never holds SQLite's write lock) and
recorded after the platform accepted it: the outbound message, the thread's first response time when it
had none, and the status the person chose (waiting on the customer, or resolved)."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine, and_, or_, select
from sqlalchemy.orm import Session

from app.connectors.base import NotSupported
from app.connectors.registry import connector_for
from app.db import read_session, write_session
from app.models import Brand, Channel, ConnectorAccount, InboxMessage, Membership, User
from app.models.enums import ConnectorKind, Direction, InboxStatus, Platform, Priority, Sentiment
from app.services.core import (
    ROLE_PERMISSIONS,
    Actor,
    Conflict,
    NotFound,
    Perm,
    ServiceError,
    ValidationError,
    audit,
    clock,
    conflict_on_stale,
    require,
    require_brands,
    validation,
)
from app.services.platforms import error_text
from app.services.platforms import rules as platform_rules

WAITING_ON_US = (InboxStatus.NEW, InboxStatus.OPEN)
# Connectors that can answer on the platform; the others (manual, export-only) leave it to a person there.
REPLYING = (ConnectorKind.MASTODON, ConnectorKind.BLUESKY, ConnectorKind.WEBHOOK)
SAME_REPLY_WINDOW = timedelta(minutes=10)  # the same words sent again this soon are a double click
_UNSET = object()


class ReplyFailed(ServiceError):
    """The platform did not take the reply (in its own words); nothing was recorded."""


@dataclass(frozen=True)
class QueueItem:
    id: int
    label: str  # plain text for a select box: when, where, who and the first words (never changes)


@dataclass(frozen=True)
class ThreadEntry:
    id: int
    direction: Direction
    author: str
    body: str  # a member of the public's words: show as text, never as HTML or Markdown
    at: datetime


@dataclass(frozen=True)
class MessageView:
    id: int
    version: int
    brand_id: int
    brand: str
    channel: str
    platform: Platform
    kind: str
    author: str
    body: str
    received_at: datetime
    status: InboxStatus
    priority: Priority
    sentiment: Sentiment | None
    assignee_id: int | None
    assignee: str
    sla_due_at: datetime | None
    first_response_at: datetime | None
    reply_limit: int
    reply_blocked: str | None  # why this thread cannot be answered from the hub, or None
    thread: list[ThreadEntry]


@dataclass(frozen=True)
class ReplySent:
    message_id: int  # the outbound message recorded
    external_id: str
    permalink: str | None
    first_response_minutes: float | None  # set when this reply was the thread's first response


def _author(name: str, handle: str) -> str:
    return f"{name} ({handle})" if name and name != handle else handle


def _aware(at: datetime) -> datetime:
    return at if at.tzinfo else at.replace(tzinfo=UTC)


def due_text(due: datetime | None, now: datetime) -> str:
    """ " · due in 45 min" / " · overdue 3 h": how the response target stands, for people."""
    if due is None:
        return ""
    minutes = int((_aware(due) - now).total_seconds() // 60)
    if minutes < 0:
        return f" · overdue {-minutes} min" if minutes > -120 else f" · overdue {-minutes // 60} h"
    return f" · due in {minutes} min" if minutes < 120 else f" · due in {minutes // 60} h"


def work_queue(
    session: Session,
    actor: Actor,
    brand_ids: Sequence[int],
    *,
    statuses: Sequence[InboxStatus | str] = WAITING_ON_US,
    mine_only: bool = False,
    keep: int | None = None,
    limit: int = 200,
) -> list[QueueItem]:
    """Threads (their first inbound message) in `statuses`, the most urgent first: those not answered yet,
    by the nearest response target (overdue ones lead); then urgent before low priority; then the oldest.
    `keep` is a thread listed whatever its status (the one a person is working on stays in view after
    they resolve it)."""
    brand_ids = require_brands(actor, Perm.INBOX_WORK, brand_ids)
    if not brand_ids:
        return []
    m = InboxMessage
    stmt = (
        select(m, Channel.platform)
        .join(Channel, Channel.id == m.channel_id)
        .where(
            m.brand_id.in_(brand_ids),
            m.direction == Direction.INBOUND,
            m.parent_id.is_(None),
        )
        .order_by(m.first_response_at.is_not(None), m.sla_due_at.is_(None), m.sla_due_at, m.received_at)
        .limit(limit)
    )
    wanted = m.status.in_([validation.choice(InboxStatus, s, "status") for s in statuses])
    if mine_only:
        wanted = and_(wanted, m.assignee_id == actor.user_id)
    stmt = stmt.where(wanted if keep is None else or_(wanted, m.id == keep))
    now = clock.now()
    rank = {Priority.URGENT: 0, Priority.HIGH: 1, Priority.NORMAL: 2, Priority.LOW: 3}

    def urgency(msg: InboxMessage) -> tuple:
        # Once answered, a thread's response target is met or missed for good: it no longer orders.
        due = None if msg.first_response_at is not None else msg.sla_due_at
        return (
            msg.first_response_at is not None,
            due is None,
            due or now,
            rank[msg.priority],
            msg.received_at,
        )

    rows = sorted(session.execute(stmt).all(), key=lambda r: urgency(r[0]))
    items = []
    for msg, platform in rows:
        words = " ".join(msg.body.split())
        words = words if len(words) <= 70 else words[:69] + "…"
        # Only what never changes: a select box keyed on these labels would lose its choice when a
        # label changed under it (its status, or "due in 5 min" becoming "due in 4 min").
        items.append(
            QueueItem(
                msg.id,
                f"{_aware(msg.received_at):%d %b %H:%M} · {platform.label} · {msg.author_handle} · {words}",
            )
        )
    return items


def _message(session: Session, actor: Actor, message_id: int) -> InboxMessage:
    msg = session.get(InboxMessage, message_id)
    if msg is None:
        raise NotFound(f"no inbox message with id {message_id}")
    require(actor, Perm.INBOX_WORK, msg.brand_id)
    return msg


def _thread(session: Session, msg: InboxMessage) -> list[InboxMessage]:
    m = InboxMessage
    return list(
        session.scalars(
            select(m)
            .where(m.channel_id == msg.channel_id, m.thread_key == msg.thread_key)
            .order_by(m.received_at, m.id)
        )
    )


def thread_opener(session: Session, msg: InboxMessage) -> InboxMessage:
    """The thread's first message, which carries its status, assignee and response times."""
    if msg.parent_id is None:
        return msg
    for m in _thread(session, msg):
        if m.parent_id is None:
            return m
    return msg


def _reply_blocked(account: ConnectorAccount | None, channel: Channel) -> str | None:
    if account is None:
        return f"{channel.platform.label} {channel.handle} has no connection: reply on the platform itself"
    if account.kind not in REPLYING:
        return (
            f"{channel.platform.label} {channel.handle} is posted by hand ({account.kind.value}): "
            "reply on the platform itself, then set the status here"
        )
    return None


def message_view(session: Session, actor: Actor, message_id: int) -> MessageView:
    """One thread as a conversation, with its triage state and whether the hub can answer it."""
    msg = thread_opener(session, _message(session, actor, message_id))
    channel = session.get(Channel, msg.channel_id)
    brand = session.get(Brand, msg.brand_id)
    assert channel is not None and brand is not None
    account = session.scalars(
        select(ConnectorAccount).where(ConnectorAccount.channel_id == channel.id)
    ).first()
    assignee = session.get(User, msg.assignee_id) if msg.assignee_id else None
    return MessageView(
        id=msg.id,
        version=msg.version,
        brand_id=brand.id,
        brand=brand.name,
        channel=f"{channel.platform.label} {channel.display_name or channel.handle}",
        platform=channel.platform,
        kind=msg.kind.value,
        author=_author(msg.author_name, msg.author_handle),
        body=msg.body,
        received_at=_aware(msg.received_at),
        status=msg.status,
        priority=msg.priority,
        sentiment=msg.sentiment,
        assignee_id=msg.assignee_id,
        assignee=(assignee.name or assignee.email) if assignee else "",
        sla_due_at=_aware(msg.sla_due_at) if msg.sla_due_at else None,
        first_response_at=_aware(msg.first_response_at) if msg.first_response_at else None,
        reply_limit=platform_rules.RULES[channel.platform].max_chars,
        reply_blocked=_reply_blocked(account, channel),
        thread=[
            ThreadEntry(
                t.id, t.direction, _author(t.author_name, t.author_handle), t.body, _aware(t.received_at)
            )
            for t in _thread(session, msg)
        ],
    )


def assignees(session: Session, actor: Actor, brand_id: int) -> list[tuple[int, str]]:
    """(user id, name) of the active people who work this brand's inbox: those who may be assigned."""
    require(actor, Perm.INBOX_WORK, brand_id)
    roles = [r for r, perms in ROLE_PERMISSIONS.items() if Perm.INBOX_WORK in perms]
    on_brand = select(Membership.role).where(Membership.user_id == User.id, Membership.brand_id == brand_id)
    users = session.execute(
        select(User.id, User.name, User.email, User.role, on_brand.scalar_subquery())
        .where(User.active.is_(True))
        .order_by(User.name, User.email)
    ).all()
    # A brand membership overrides the workspace role on that brand (Actor.role_on).
    return [
        (uid, name or email)
        for uid, name, email, ws_role, brand_role in users
        if (brand_role if brand_role is not None else ws_role) in roles
    ]


def _check_version(msg: InboxMessage, expected_version: int | None) -> None:
    if expected_version is not None and msg.version != expected_version:
        raise Conflict(
            f"this message was changed by someone else meanwhile (it is at version {msg.version}, you "
            f"were looking at version {expected_version}); nothing was overwritten. Reload to see it"
        )


@conflict_on_stale
def triage(
    session: Session,
    actor: Actor,
    message_id: int,
    *,
    expected_version: int | None = None,
    status: InboxStatus | str | None = None,
    priority: Priority | str | None = None,
    sentiment: Sentiment | str | None = None,
    assignee_id: int | object | None = _UNSET,
) -> MessageView:
    """Change a thread's status, priority, sentiment or assignee (None: nobody). Resolving stamps the
    time; reopening clears it. Only what really changed is written and audited."""
    msg = thread_opener(session, _message(session, actor, message_id))
    _check_version(msg, expected_version)
    changes: dict = {}
    if status is not None:
        changes["status"] = validation.choice(InboxStatus, status, "status")
        if changes["status"] == InboxStatus.RESOLVED and msg.status != InboxStatus.RESOLVED:
            changes["resolved_at"] = clock.now()
        elif changes["status"] != InboxStatus.RESOLVED:
            changes["resolved_at"] = None
    if priority is not None:
        changes["priority"] = validation.choice(Priority, priority, "priority")
    if sentiment is not None:
        changes["sentiment"] = validation.choice(Sentiment, sentiment, "sentiment")
    if assignee_id is not _UNSET:
        if assignee_id is not None and assignee_id not in {
            u for u, _ in assignees(session, actor, msg.brand_id)
        }:
            raise ValidationError(
                f"assignee: user {assignee_id} does not work this brand's inbox",
                field="assignee",
                value=assignee_id,
            )
        changes["assignee_id"] = assignee_id
    audit.update(
        session,
        actor,
        msg,
        changes,
        object_type="inbox_message",
        label=lambda m: f"{m.author_handle}: {m.body[:80]}",
        brand_id=msg.brand_id,
        action="inbox.triage",
    )
    return message_view(session, actor, msg.id)


def claim(
    session: Session, actor: Actor, message_id: int, *, expected_version: int | None = None
) -> MessageView:
    """Take the thread: assigned to me, and open if it was new."""
    msg = thread_opener(session, _message(session, actor, message_id))
    if actor.user_id is None:
        raise ValidationError("only a signed-in person can claim a message", field="assignee")
    return triage(
        session,
        actor,
        msg.id,
        expected_version=expected_version,
        assignee_id=actor.user_id,
        status=InboxStatus.OPEN if msg.status == InboxStatus.NEW else None,
    )


def note_response(opener: InboxMessage, at: datetime) -> float | None:
    """The team answered this thread at `at`: its first response time, if it had none. Minutes, or None."""
    if opener.first_response_at is not None:
        return None
    opener.first_response_at = at
    seconds = max(0, int((at - _aware(opener.received_at)).total_seconds()))
    opener.first_response_seconds = seconds
    return round(seconds / 60, 1)


def _reply_text(text: str, platform: Platform) -> str:
    body = validation.no_nul(text, "reply").strip()
    if not body:
        raise ValidationError("reply: write something to send", field="reply")
    used, limit = platform_rules.count_chars(platform, body), platform_rules.RULES[platform].max_chars
    if used > limit:
        raise ValidationError(
            f"reply: {used:,} characters, {platform.label} allows {limit:,} ({used - limit:,} too many)",
            field="reply",
            value=used,
        )
    return body


def reply(
    engine: Engine,
    actor: Actor,
    message_id: int,
    text: str,
    *,
    expected_version: int | None = None,
    resolve: bool = False,
) -> ReplySent:
    """Answer the thread on its platform (to the customer's latest message in it) and record the answer.
    The thread then waits on the customer, or is resolved when `resolve`. ReplyFailed carries the
    platform's words when it refused; nothing is recorded then."""
    with read_session(engine) as s:
        msg = thread_opener(s, _message(s, actor, message_id))
        _check_version(msg, expected_version)
        channel = s.get(Channel, msg.channel_id)
        assert channel is not None
        account = s.scalars(select(ConnectorAccount).where(ConnectorAccount.channel_id == channel.id)).first()
        if (blocked := _reply_blocked(account, channel)) is not None:
            raise ValidationError(f"reply: {blocked}", field="reply")
        body = _reply_text(text, channel.platform)
        thread = _thread(s, msg)
        recent = clock.now() - SAME_REPLY_WINDOW
        if any(
            t.direction == Direction.OUTBOUND and t.body == body and _aware(t.received_at) > recent
            for t in thread
        ):
            raise Conflict("this reply was already sent to this thread a moment ago; it was not sent again")
        target = [t for t in thread if t.direction == Direction.INBOUND][-1]
        opener_id, brand_id, handle = msg.id, msg.brand_id, channel.handle
        platform_label = channel.platform.label
        key = "reply-" + hashlib.sha256(f"{target.id}\n{body}".encode()).hexdigest()[:32]
        try:
            connector = connector_for(account, channel)
        except NotSupported as exc:
            raise ValidationError(f"reply: {error_text(exc)}", field="reply") from None
        except Exception as exc:
            raise ReplyFailed(f"{platform_label} could not be reached: {error_text(exc)}") from None
        target_id, target_external = target.id, target.external_id
    try:
        sent = connector.send_reply(target_external, body, key)
    except NotSupported as exc:
        raise ValidationError(f"reply: {error_text(exc)}", field="reply") from None
    except Exception as exc:
        raise ReplyFailed(f"{platform_label} did not take the reply: {error_text(exc)}") from None
    now = clock.now()
    with write_session(engine) as s:
        opener = s.get(InboxMessage, opener_id)
        assert opener is not None
        # The platform may already have brought our reply in through an inbox sync; keep one copy.
        existing = s.scalars(
            select(InboxMessage).where(
                InboxMessage.channel_id == opener.channel_id, InboxMessage.external_id == sent.external_id
            )
        ).first()
        out = existing or InboxMessage(
            brand_id=brand_id,
            channel_id=opener.channel_id,
            external_id=sent.external_id,
            thread_key=opener.thread_key,
            parent_id=target_id,
            variant_id=opener.variant_id,
            kind=opener.kind,
            direction=Direction.OUTBOUND,
            author_handle=handle[:200],
            author_name=(actor.name or actor.email)[:200],
            body=body,
            status=InboxStatus.RESOLVED,
            received_at=sent.published_at or now,
        )
        if existing is None:
            s.add(out)
        before = {"status": opener.status.value}
        minutes = note_response(opener, now)
        opener.status = InboxStatus.RESOLVED if resolve else InboxStatus.WAITING
        opener.resolved_at = now if resolve else None
        if opener.assignee_id is None and actor.user_id is not None:
            opener.assignee_id = actor.user_id
        s.flush()
        audit.record(
            s,
            actor,
            "inbox.reply",
            "inbox_message",
            opener.id,
            label=f"reply to {opener.author_handle}: {body[:80]}",
            brand_id=brand_id,
            before=before,
            after={
                "status": opener.status.value,
                "reply": body,
                "external_id": sent.external_id,
                "permalink": sent.permalink,
                "first_response_minutes": minutes,
            },
        )
        return ReplySent(out.id, sent.external_id, sent.permalink, minutes)
