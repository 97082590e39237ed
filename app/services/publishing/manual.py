"""The "ready to post" queue of manual channels (platforms without API access, or channels with no
connection set up): what to post and where, and the person's record of it once posted (permalink and,
if they have it, the platform's id) or of why it could not be."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from urllib.parse import urlsplit

from sqlalchemy import and_, select, update
from sqlalchemy.orm import Session

from app.models import Asset, Brand, Channel, Post, PostVariant, variant_assets
from app.models.enums import PostStatus
from app.services.content import resolve_asset_path
from app.services.core import (
    Actor,
    NotFound,
    Perm,
    ValidationError,
    audit,
    clock,
    require,
    require_brands,
    validation,
)
from app.services.publishing.claims import follow_post_status, lock_post
from app.services.publishing.pause import paused_brand_ids

P = PostStatus
pv = PostVariant.__table__


@dataclass(frozen=True)
class QueuedMedia:
    filename: str
    mime_type: str
    alt_text: str
    path: Path | None  # None: the file is missing from the asset store


@dataclass(frozen=True)
class ReadyItem:
    variant_id: int
    post_id: int
    title: str
    brand: str
    brand_id: int
    platform: str
    handle: str
    channel: str
    text: str  # exactly what to paste, link included
    scheduled_at: datetime | None
    queued_at: datetime
    media: tuple[QueuedMedia, ...]
    paused: bool  # publishing was paused after it was queued: do not post it now


def _text(copy: str, master: str, link: str | None) -> str:
    text = (copy or master).rstrip()
    if link and link not in text:
        text = f"{text}\n\n{link}" if text else link
    return text


def ready_to_post(session: Session, actor: Actor, brand_ids: Sequence[int]) -> list[ReadyItem]:
    """The queue for the brands the actor writes content for, oldest first."""
    ids = require_brands(actor, Perm.CONTENT_EDIT, brand_ids)
    if not ids:
        return []
    rows = session.execute(
        select(PostVariant, Post, Channel, Brand.name)
        .join(Post, Post.id == PostVariant.post_id)
        .join(Channel, Channel.id == PostVariant.channel_id)
        .join(Brand, Brand.id == PostVariant.brand_id)
        .where(
            PostVariant.brand_id.in_(ids),
            PostVariant.status == P.PUBLISHING,
            PostVariant.manual_queued_at.is_not(None),
        )
        .order_by(PostVariant.manual_queued_at, PostVariant.id)
    ).all()
    variant_ids = [v.id for v, *_ in rows]
    media: dict[int, list[QueuedMedia]] = {}
    if variant_ids:
        for vid, filename, mime, alt, own_alt, storage in session.execute(
            select(
                variant_assets.c.variant_id,
                Asset.filename,
                Asset.mime_type,
                Asset.alt_text,
                variant_assets.c.alt_text,
                Asset.storage_path,
            )
            .join(Asset, Asset.id == variant_assets.c.asset_id)
            .where(variant_assets.c.variant_id.in_(variant_ids))
            .order_by(variant_assets.c.variant_id, variant_assets.c.position, Asset.id)
        ):
            path = resolve_asset_path(storage)
            media.setdefault(vid, []).append(
                QueuedMedia(filename, mime, own_alt or alt or "", path if path and path.is_file() else None)
            )
    paused = paused_brand_ids(session, {v.brand_id for v, *_ in rows})
    return [
        ReadyItem(
            variant_id=v.id,
            post_id=post.id,
            title=post.title,
            brand=brand_name,
            brand_id=v.brand_id,
            platform=ch.platform.label,
            handle=ch.handle,
            channel=ch.slug,
            text=_text(v.copy, post.master_copy, post.link_url),
            scheduled_at=v.scheduled_at,
            queued_at=v.manual_queued_at,
            media=tuple(media.get(v.id, ())),
            paused=v.brand_id in paused,
        )
        for v, post, ch, brand_name in rows
    ]


def permalink_url(value: str | None, field: str = "permalink") -> str:
    """An absolute http(s) address, or a ValidationError naming the field and what was typed."""
    raw = validation.no_nul(value, field).strip()
    parts = urlsplit(raw)
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc or " " in raw:
        raise ValidationError(
            f"{field}: {raw!r} is not a web address; paste the post's link, e.g. https://www.instagram.com/p/…",
            field=field,
            value=raw,
        )
    if len(raw) > 2000:
        raise ValidationError(f"{field} is longer than 2,000 characters", field=field, value=raw[:80])
    return raw


def _queued(session: Session, actor: Actor, variant_id: int) -> tuple[int, int, str]:
    row = session.execute(
        select(pv.c.post_id, pv.c.brand_id, pv.c.status, pv.c.manual_queued_at).where(pv.c.id == variant_id)
    ).first()
    visible = actor.visible_brand_ids()
    if row is None or (visible is not None and row.brand_id not in visible):
        raise NotFound(f"no variant {variant_id}")
    require(actor, Perm.CONTENT_EDIT, row.brand_id)
    title = session.scalar(select(Post.title).where(Post.id == row.post_id)) or ""
    return row.post_id, row.brand_id, title


def _settle(
    session: Session, actor: Actor, variant_id: int, action: str, values: dict[str, object], title: str
) -> None:
    post_id, brand_id, _ = _queued(session, actor, variant_id)
    lock_post(session, post_id)
    waiting = and_(pv.c.id == variant_id, pv.c.status == P.PUBLISHING, pv.c.manual_queued_at.is_not(None))
    got = session.execute(
        update(pv).where(waiting).values(**values, version=pv.c.version + 1).returning(pv.c.id)
    ).first()
    if got is None:
        raise ValidationError(f"{title!r} is no longer waiting to be posted (someone recorded it already)")
    audit.record(
        session,
        actor,
        action,
        "post_variant",
        variant_id,
        label=title,
        brand_id=brand_id,
        before={"status": P.PUBLISHING.value},
        after={k: audit.jsonable(v) for k, v in values.items()},
    )
    follow_post_status(session, actor, post_id, brand_id)


def record_manual_post(
    session: Session, actor: Actor, variant_id: int, permalink: str, external_id: str = ""
) -> str:
    """The person posted it: the variant is published with the link they recorded."""
    _, _, title = _queued(session, actor, variant_id)
    link = permalink_url(permalink)
    ext = validation.no_nul(external_id, "external id").strip()
    if len(ext) > 200:
        raise ValidationError(
            "external id is longer than 200 characters", field="external_id", value=ext[:80]
        )
    values = {
        "status": P.PUBLISHED,
        "permalink": link,
        "external_id": ext or None,
        "published_at": clock.now(),
    }
    _settle(session, actor, variant_id, "published_by_hand", values, title)
    return title


def could_not_post(session: Session, actor: Actor, variant_id: int, reason: str) -> str:
    """The person could not post it (account locked, content refused): the variant fails with why."""
    _, _, title = _queued(session, actor, variant_id)
    why = validation.required_text(reason, "reason", max_len=2000)
    _settle(session, actor, variant_id, "publish_failed", {"status": P.FAILED, "last_error": why}, title)
    return title
