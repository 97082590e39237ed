"""One inbox thread as people read it: the customer's messages and the team's answers in order, who and
where it came from, whether it can be answered from the hub, and who on the brand may work it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import Brand, Channel, ConnectorAccount, InboxMessage, Membership, User
from app.models.enums import ConnectorKind, Direction, InboxStatus, Platform, Priority, Sentiment
from app.services.core import (
    ROLE_PERMISSIONS,
    Actor,
    Conflict,
    NotFound,
    Perm,
    require,
)
from app.services.org import channel_label
from app.services.platforms import rules as platform_rules

# Connectors that can answer on the platform; the others (manual, export-only) leave it to a person there.
REPLYING = (ConnectorKind.MASTODON, ConnectorKind.BLUESKY, ConnectorKind.WEBHOOK)


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


def author_label(name: str, handle: str) -> str:
    """How a message's author is shown: the name, and the handle when it says more."""
    return f"{name} ({handle})" if name and name != handle else handle


def as_utc(at: datetime) -> datetime:
    """A stored time as aware UTC (SQLite hands naive times back)."""
    return at if at.tzinfo else at.replace(tzinfo=UTC)


def load_message(session: Session, actor: Actor, message_id: int) -> InboxMessage:
    """The inbox message, if the actor works the inbox of its brand (else NotFound or PermissionDenied)."""
    msg = session.get(InboxMessage, message_id)
    if msg is None:
        raise NotFound(f"no inbox message with id {message_id}")
    require(actor, Perm.INBOX_WORK, msg.brand_id)
    return msg


def thread_messages(session: Session, msg: InboxMessage) -> list[InboxMessage]:
    """Every message of the thread `msg` belongs to, oldest first."""
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
    for m in thread_messages(session, msg):
        if m.parent_id is None:
            return m
    return msg


def reply_blocked(account: ConnectorAccount | None, channel: Channel) -> str | None:
    """Why a thread on this channel cannot be answered from the hub, or None when it can."""
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
    msg = thread_opener(session, load_message(session, actor, message_id))
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
        channel=channel_label(channel),
        platform=channel.platform,
        kind=msg.kind.value,
        author=author_label(msg.author_name, msg.author_handle),
        body=msg.body,
        received_at=as_utc(msg.received_at),
        status=msg.status,
        priority=msg.priority,
        sentiment=msg.sentiment,
        assignee_id=msg.assignee_id,
        assignee=(assignee.name or assignee.email) if assignee else "",
        sla_due_at=as_utc(msg.sla_due_at) if msg.sla_due_at else None,
        first_response_at=as_utc(msg.first_response_at) if msg.first_response_at else None,
        reply_limit=platform_rules.RULES[channel.platform].max_chars,
        reply_blocked=reply_blocked(account, channel),
        thread=[
            ThreadEntry(
                t.id, t.direction, author_label(t.author_name, t.author_handle), t.body, as_utc(t.received_at)
            )
            for t in thread_messages(session, msg)
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


def check_version(msg: InboxMessage, expected_version: int | None) -> None:
    """Refuse a save made against an older version of the message, naming both versions."""
    if expected_version is not None and msg.version != expected_version:
        raise Conflict(
            f"this message was changed by someone else meanwhile (it is at version {msg.version}, you "
            f"were looking at version {expected_version}); nothing was overwritten. Reload to see it"
        )
