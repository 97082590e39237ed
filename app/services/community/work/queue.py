"""The queue of threads waiting on the team for the brands a person works: the nearest response target
first (overdue ones leading), then by priority, and how each target stands in words."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from app.models import Channel, InboxMessage
from app.models.enums import Direction, InboxStatus, Priority
from app.services.community.work.threads import as_utc
from app.services.core import (
    Actor,
    Perm,
    clock,
    require_brands,
    validation,
)

WAITING_ON_US = (InboxStatus.NEW, InboxStatus.OPEN)


@dataclass(frozen=True)
class QueueItem:
    id: int
    label: str  # plain text for a select box: when, where, who and the first words (never changes)


def due_text(due: datetime | None, now: datetime) -> str:
    """ " · due in 45 min" / " · overdue 3 h": how the response target stands, for people."""
    if due is None:
        return ""
    minutes = int((as_utc(due) - now).total_seconds() // 60)
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
                f"{as_utc(msg.received_at):%d %b %H:%M} · {platform.label} · {msg.author_handle} · {words}",
            )
        )
    return items
