"""Content briefs and what came of them: each brief with its campaign, owner, due date and the posts
it has produced so far."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

import pandas as pd
from sqlalchemy import case, func, or_, select
from sqlalchemy.orm import Session, aliased

from app.models import Brand, Brief, Campaign, ContentPillar, Post, User
from app.models.enums import BriefStatus, PostStatus
from app.services.permissions import Actor, Perm, require_brands

BRIEF_COLUMNS = [
    "brief",
    "brand",
    "status",
    "campaign",
    "pillar",
    "owner",
    "due",
    "posts",
    "published",
    "objective",
    "audience",
]
OPEN_BRIEFS = (BriefStatus.DRAFT, BriefStatus.ACTIVE)


def list_briefs(
    session: Session,
    actor: Actor,
    brand_ids: Sequence[int],
    start: date | None = None,
    end: date | None = None,
    limit: int = 500,
) -> pd.DataFrame:
    """Briefs of the brands, soonest due first. With a period: those due in it, plus every brief still
    open (draft or active), because open work matters whatever the period."""
    brand_ids = require_brands(actor, Perm.CONTENT_EDIT, brand_ids)
    if not brand_ids:
        return pd.DataFrame(columns=BRIEF_COLUMNS)
    owner = aliased(User)
    produced = (
        select(
            Post.brief_id,
            func.count().label("posts"),
            func.sum(case((Post.status == PostStatus.PUBLISHED, 1), else_=0)).label("published"),
        )
        .where(Post.brand_id.in_(brand_ids), Post.brief_id.is_not(None))
        .group_by(Post.brief_id)
        .subquery("produced")
    )
    stmt = (
        select(
            Brief.title,
            Brand.name,
            Brief.status,
            Campaign.name,
            ContentPillar.name,
            func.coalesce(func.nullif(owner.name, ""), owner.email),
            Brief.due_date,
            func.coalesce(produced.c.posts, 0),
            func.coalesce(produced.c.published, 0),
            Brief.objective,
            Brief.audience,
        )
        .join(Brand, Brand.id == Brief.brand_id)
        .outerjoin(produced, produced.c.brief_id == Brief.id)
        .outerjoin(owner, owner.id == Brief.owner_id)
        .outerjoin(Campaign, Campaign.id == Brief.campaign_id)
        .outerjoin(ContentPillar, ContentPillar.id == Brief.pillar_id)
        .where(Brief.brand_id.in_(brand_ids))
        .order_by(Brief.due_date.is_(None), Brief.due_date, Brief.id)
        .limit(limit)
    )
    if start is not None and end is not None:
        stmt = stmt.where(or_(Brief.status.in_(OPEN_BRIEFS), Brief.due_date.between(start, end)))
    data = [
        (title, brand, status.value, camp, pillar, own, due, int(posts), int(pub), objective, audience)
        for title, brand, status, camp, pillar, own, due, posts, pub, objective, audience in session.execute(
            stmt
        )
    ]
    return pd.DataFrame(data, columns=BRIEF_COLUMNS)
