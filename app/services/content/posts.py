"""Posts as editors see them before they go out: ideas and drafts with their campaign, pillar, owner
and the channels they have variants for."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import pandas as pd
from sqlalchemy import func, select
from sqlalchemy.orm import Session, aliased

from app.models import Brand, Campaign, Channel, ContentPillar, Post, PostVariant, User
from app.models.enums import PostStatus
from app.services.core import Actor, Perm, require_brands

POST_COLUMNS = [
    "post",
    "brand",
    "status",
    "type",
    "pillar",
    "campaign",
    "variants",
    "channels",
    "owner",
    "updated",
]
# What the Compose page lists by default: the work that has not gone to review yet.
WORK_IN_PROGRESS = (PostStatus.IDEA, PostStatus.DRAFT)


def list_posts(
    session: Session,
    actor: Actor,
    brand_ids: Sequence[int],
    statuses: Iterable[PostStatus | str] | None = WORK_IN_PROGRESS,
    limit: int = 500,
) -> pd.DataFrame:
    """Posts of the brands in the given statuses (all statuses when None), most recently updated first."""
    brand_ids = require_brands(actor, Perm.CONTENT_EDIT, brand_ids)
    if not brand_ids:
        return pd.DataFrame(columns=POST_COLUMNS)
    owner = aliased(User)
    variants = (
        select(PostVariant.post_id, func.count().label("n"))
        .where(PostVariant.brand_id.in_(brand_ids))
        .group_by(PostVariant.post_id)
        .subquery("variant_counts")
    )
    stmt = (
        select(
            Post.id,
            Post.title,
            Brand.name,
            Post.status,
            Post.post_type,
            ContentPillar.name,
            Campaign.name,
            func.coalesce(variants.c.n, 0),
            func.coalesce(func.nullif(owner.name, ""), owner.email),
            Post.updated_at,
        )
        .join(Brand, Brand.id == Post.brand_id)
        .outerjoin(variants, variants.c.post_id == Post.id)
        .outerjoin(owner, owner.id == Post.owner_id)
        .outerjoin(Campaign, Campaign.id == Post.campaign_id)
        .outerjoin(ContentPillar, ContentPillar.id == Post.pillar_id)
        .where(Post.brand_id.in_(brand_ids))
        .order_by(Post.updated_at.desc(), Post.id.desc())
        .limit(limit)
    )
    if statuses:
        stmt = stmt.where(Post.status.in_([PostStatus(s) for s in statuses]))
    rows = session.execute(stmt).all()
    if not rows:
        return pd.DataFrame(columns=POST_COLUMNS)
    # The platforms of the listed posts only (string aggregation differs per store, so join them here).
    platforms: dict[int, list[str]] = {}
    for post_id, platform in session.execute(
        select(PostVariant.post_id, Channel.platform)
        .join(Channel, Channel.id == PostVariant.channel_id)
        .where(PostVariant.post_id.in_([r[0] for r in rows]))
        .order_by(PostVariant.post_id, Channel.platform)
    ):
        platforms.setdefault(post_id, []).append(platform.label)
    data = [
        (
            title,
            brand,
            status.value,
            ptype.value,
            pillar,
            camp,
            n,
            ", ".join(platforms.get(pid, [])),
            own,
            upd,
        )
        for pid, title, brand, status, ptype, pillar, camp, n, own, upd in rows
    ]
    return pd.DataFrame(data, columns=POST_COLUMNS)
