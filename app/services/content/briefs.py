"""Content briefs and what came of them: each brief with its campaign, owner, due date and the posts
it has produced so far."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

import pandas as pd
from sqlalchemy import case, func, or_, select
from sqlalchemy.orm import Session, aliased

from app.models import Brand, Brief, Campaign, ContentPillar, Post, User
from app.models.enums import BriefStatus, PostStatus
from app.services.content.composer import create_post
from app.services.content.drafts import PostDraft
from app.services.core import (
    Actor,
    Conflict,
    NotFound,
    Perm,
    ValidationError,
    audit,
    conflict_on_stale,
    require,
    require_brands,
    validation,
)

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


# --- writing briefs -----------------------------------------------------------------------------


@dataclass(frozen=True)
class BriefFields:
    title: str
    audience: str = ""
    objective: str = ""
    key_messages: str = ""
    technical_specs: str = ""
    success_metrics: str = ""
    due_date: date | None = None
    campaign_id: int | None = None
    pillar_id: int | None = None
    status: str = BriefStatus.DRAFT.value


@dataclass(frozen=True)
class BriefDetail:
    id: int
    brand_id: int
    fields: BriefFields
    version: int
    posts: list[tuple[int, str, str]]  # (post id, title, status)


def _clean(session: Session, brand_id: int, f: BriefFields, brief: Brief | None = None) -> dict[str, object]:
    for key, model in (("campaign_id", Campaign), ("pillar_id", ContentPillar)):
        ref = getattr(f, key)
        if ref is not None and (row := session.get(model, ref)) is not None and row.brand_id != brand_id:
            raise ValidationError(f"{key.removesuffix('_id')} {ref} belongs to another brand", field=key)
        kept = brief is not None and getattr(brief, key) == ref
        if ref is not None and row is not None and row.archived_at is not None and not kept:
            # Archived: gone from the pickers; a brief that already had it keeps it.
            raise ValidationError(f"{key.removesuffix('_id')} {row.name!r} is archived", field=key)
    return {
        "title": validation.required_text(f.title, "brief title"),
        "audience": f.audience.strip(),
        "objective": f.objective.strip(),
        "key_messages": f.key_messages.strip(),
        "technical_specs": f.technical_specs.strip(),
        "success_metrics": f.success_metrics.strip(),
        "due_date": f.due_date,
        "campaign_id": f.campaign_id,
        "pillar_id": f.pillar_id,
        "status": validation.choice(BriefStatus, f.status, "brief status"),
    }


def _load(session: Session, actor: Actor, brief_id: int) -> Brief:
    brief = session.get(Brief, brief_id)
    visible = actor.visible_brand_ids()
    if brief is None or (visible is not None and brief.brand_id not in visible):
        raise NotFound(f"no brief {brief_id}")
    return brief


def create_brief(session: Session, actor: Actor, brand_id: int, fields: BriefFields) -> int:
    require(actor, Perm.CONTENT_EDIT, brand_id)
    brief = Brief(brand_id=brand_id, owner_id=actor.user_id, **_clean(session, brand_id, fields))
    session.add(brief)
    session.flush()
    audit.record(
        session,
        actor,
        "create",
        "brief",
        brief.id,
        label=brief.title,
        brand_id=brand_id,
        after=audit.snapshot(brief),
    )
    return brief.id


@conflict_on_stale
def update_brief(
    session: Session, actor: Actor, brief_id: int, fields: BriefFields, expected_version: int
) -> None:
    brief = _load(session, actor, brief_id)
    require(actor, Perm.CONTENT_EDIT, brief.brand_id)
    if brief.version != expected_version:
        raise Conflict(f"brief {brief.title!r} was changed by someone else meanwhile; reload it")
    audit.update(
        session,
        actor,
        brief,
        _clean(session, brief.brand_id, fields, brief),
        object_type="brief",
        label=lambda b: b.title,
        brand_id=brief.brand_id,
    )


def get_brief(session: Session, actor: Actor, brief_id: int) -> BriefDetail:
    brief = _load(session, actor, brief_id)
    require_brands(actor, Perm.CONTENT_EDIT, [brief.brand_id])
    posts = [
        (p.id, p.title, p.status.value)
        for p in session.scalars(select(Post).where(Post.brief_id == brief.id).order_by(Post.id))
    ]
    f = BriefFields(
        brief.title,
        brief.audience,
        brief.objective,
        brief.key_messages,
        brief.technical_specs,
        brief.success_metrics,
        brief.due_date,
        brief.campaign_id,
        brief.pillar_id,
        brief.status.value,
    )
    return BriefDetail(brief.id, brief.brand_id, f, brief.version, posts)


def brief_choices(session: Session, actor: Actor, brand_ids: Sequence[int]) -> list[tuple[int, str]]:
    """(id, "title · brand") of the open briefs, newest first, for pickers."""
    brand_ids = require_brands(actor, Perm.CONTENT_EDIT, brand_ids)
    rows = session.execute(
        select(Brief.id, Brief.title, Brand.name)
        .join(Brand, Brand.id == Brief.brand_id)
        .where(Brief.brand_id.in_(brand_ids or [-1]), Brief.status.in_(OPEN_BRIEFS))
        .order_by(Brief.id.desc())
    ).all()
    return [(i, f"{t} · {b}") for i, t, b in rows]


def posts_from_brief(session: Session, actor: Actor, brief_id: int, titles: Sequence[str]) -> list[int]:
    """Create the posts a brief asks for, as ideas linked back to it (campaign, pillar and the key
    messages as master copy); editors then write their channel variants in the composer."""

    brief = _load(session, actor, brief_id)
    require(actor, Perm.CONTENT_EDIT, brief.brand_id)
    titles = [t.strip() for t in titles if t.strip()]
    if not titles:
        raise ValidationError("give at least one post title", field="titles")
    ids = []
    for title in titles:
        draft = PostDraft(
            title=title,
            master_copy=brief.key_messages,
            campaign_id=brief.campaign_id,
            pillar_id=brief.pillar_id,
            brief_id=brief.id,
        )
        ids.append(create_post(session, actor, brief.brand_id, draft, status=PostStatus.IDEA).post_id)
    if brief.status == BriefStatus.DRAFT:
        audit.update(
            session,
            actor,
            brief,
            {"status": BriefStatus.ACTIVE},
            object_type="brief",
            label=lambda b: b.title,
            brand_id=brief.brand_id,
        )
    return ids
