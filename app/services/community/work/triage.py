"""Triage of a thread: claim it, or set its status, priority, sentiment and assignee. Every change is
audited before → after, and a save made against an older version is refused, naming both."""

from __future__ import annotations

from sqlalchemy.orm import Session

from app.models.enums import InboxStatus, Priority, Sentiment
from app.services.community.work.threads import (
    MessageView,
    assignees,
    check_version,
    load_message,
    message_view,
    thread_opener,
)
from app.services.core import (
    Actor,
    ValidationError,
    audit,
    clock,
    conflict_on_stale,
    validation,
)

_UNSET = object()


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
    msg = thread_opener(session, load_message(session, actor, message_id))
    check_version(msg, expected_version)
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
    msg = thread_opener(session, load_message(session, actor, message_id))
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
