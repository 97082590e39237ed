"""Replying from the hub through the channel's connector. The reply is sent outside any database
transaction (a slow platform never holds SQLite's write lock) and recorded once the platform took it:
the outbound message, the thread's first response time when it had none, and the status chosen."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Engine, select

from app.connectors.base import NotSupported
from app.connectors.registry import connector_for
from app.db import read_session, write_session
from app.models import Channel, ConnectorAccount, InboxMessage
from app.models.enums import Direction, InboxStatus, Platform
from app.services.community.work.threads import (
    as_utc,
    check_version,
    load_message,
    reply_blocked,
    thread_messages,
    thread_opener,
)
from app.services.core import (
    Actor,
    Conflict,
    ServiceError,
    ValidationError,
    audit,
    clock,
    validation,
)
from app.services.platforms import error_text
from app.services.platforms import rules as platform_rules


class ReplyFailed(ServiceError):
    """The platform did not take the reply (in its own words); nothing was recorded."""


@dataclass(frozen=True)
class ReplySent:
    message_id: int  # the outbound message recorded
    external_id: str
    permalink: str | None
    first_response_minutes: float | None  # set when this reply was the thread's first response


SAME_REPLY_WINDOW = timedelta(minutes=10)  # the same words sent again this soon are a double click


def note_response(opener: InboxMessage, at: datetime) -> float | None:
    """The team answered this thread at `at`: its first response time, if it had none. Minutes, or None."""
    if opener.first_response_at is not None:
        return None
    opener.first_response_at = at
    seconds = max(0, int((at - as_utc(opener.received_at)).total_seconds()))
    opener.first_response_seconds = seconds
    return round(seconds / 60, 1)


def reply_text(text: str, platform: Platform) -> str:
    """The reply as it will be sent: NUL-free, trimmed, and within the platform's limit (else refused)."""
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
        msg = thread_opener(s, load_message(s, actor, message_id))
        check_version(msg, expected_version)
        channel = s.get(Channel, msg.channel_id)
        assert channel is not None
        account = s.scalars(select(ConnectorAccount).where(ConnectorAccount.channel_id == channel.id)).first()
        if (blocked := reply_blocked(account, channel)) is not None:
            raise ValidationError(f"reply: {blocked}", field="reply")
        body = reply_text(text, channel.platform)
        thread = thread_messages(s, msg)
        recent = clock.now() - SAME_REPLY_WINDOW
        if any(
            t.direction == Direction.OUTBOUND and t.body == body and as_utc(t.received_at) > recent
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
