"""How a post's channel variants went out, as the composer shows it: status, when, the platform's id and
link, the attempts and the last error, and whether it waits for a retry or for a person."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import Channel, Post, PostVariant
from app.models.enums import PostStatus
from app.services.core import Actor, NotFound


@dataclass(frozen=True)
class VariantOutcome:
    channel: str
    platform: str
    status: str  # the variant's status, or "ready to post" / "retrying" when that is what it waits for
    scheduled_at: datetime | None
    published_at: datetime | None
    external_id: str
    permalink: str
    attempts: int
    last_error: str
    next_attempt_at: datetime | None


def _state(v: PostVariant) -> str:
    if v.status == PostStatus.PUBLISHING and v.manual_queued_at is not None:
        return "ready to post"
    if v.status == PostStatus.SCHEDULED and v.next_attempt_at is not None:
        return "retrying"
    return v.status.value


def variant_outcomes(session: Session, actor: Actor, post_id: int) -> list[VariantOutcome]:
    post = session.get(Post, post_id)
    visible = actor.visible_brand_ids()
    if post is None or (visible is not None and post.brand_id not in visible):
        raise NotFound(f"no post {post_id}")
    rows = session.execute(
        select(PostVariant, Channel)
        .join(Channel, Channel.id == PostVariant.channel_id)
        .where(PostVariant.post_id == post_id)
        .order_by(PostVariant.id)
    ).all()
    return [
        VariantOutcome(
            channel=ch.slug,
            platform=ch.platform.label,
            status=_state(v),
            scheduled_at=v.scheduled_at,
            published_at=v.published_at,
            external_id=v.external_id or "",
            permalink=v.permalink or "",
            attempts=v.attempts,
            last_error=v.last_error or "",
            next_attempt_at=v.next_attempt_at,
        )
        for v, ch in rows
    ]
