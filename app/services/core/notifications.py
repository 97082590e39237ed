"""Notifications to people inside the app (a post that failed to publish, say): written by services
and jobs, listed for their reader until marked read."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from app.models.ops import Notification
from app.services.core import clock
from app.services.core.errors import NotFound
from app.services.core.permissions import Actor


@dataclass(frozen=True)
class NotificationView:
    id: int
    kind: str
    text: str
    created_at: datetime
    post_id: int | None
    read: bool


def notify(
    session: Session,
    user_id: int,
    kind: str,
    text: str,
    *,
    brand_id: int | None = None,
    post_id: int | None = None,
    variant_id: int | None = None,
) -> None:
    """Add a notification in the caller's transaction (it commits with the change it reports)."""
    session.add(
        Notification(
            user_id=user_id,
            kind=kind,
            text=text,
            brand_id=brand_id,
            post_id=post_id,
            variant_id=variant_id,
            created_at=clock.now(),
        )
    )


def unread(session: Session, actor: Actor, limit: int = 20) -> list[NotificationView]:
    """The actor's own unread notifications, newest first (a system actor has none)."""
    if actor.user_id is None:
        return []
    rows = session.scalars(
        select(Notification)
        .where(Notification.user_id == actor.user_id, Notification.read_at.is_(None))
        .order_by(Notification.created_at.desc(), Notification.id.desc())
        .limit(limit)
    )
    return [NotificationView(n.id, n.kind, n.text, n.created_at, n.post_id, False) for n in rows]


def unread_count(session: Session, actor: Actor) -> int:
    if actor.user_id is None:
        return 0
    return int(
        session.scalar(
            select(func.count())
            .select_from(Notification)
            .where(Notification.user_id == actor.user_id, Notification.read_at.is_(None))
        )
        or 0
    )


def mark_read(session: Session, actor: Actor, notification_ids: list[int] | None = None) -> int:
    """Mark the actor's notifications read (all of them when no ids are given); someone else's
    notification is NotFound, as if it did not exist. Returns how many changed."""
    if actor.user_id is None:
        return 0
    stmt = update(Notification).where(Notification.user_id == actor.user_id, Notification.read_at.is_(None))
    if notification_ids is not None:
        ids = list(notification_ids)
        mine = set(
            session.scalars(
                select(Notification.id).where(Notification.id.in_(ids), Notification.user_id == actor.user_id)
            )
        )
        missing = [i for i in ids if i not in mine]
        if missing:
            raise NotFound(f"no notification {', '.join(f'#{i}' for i in missing)}")
        stmt = stmt.where(Notification.id.in_(ids))
    return int(session.execute(stmt.values(read_at=clock.now())).rowcount or 0)
