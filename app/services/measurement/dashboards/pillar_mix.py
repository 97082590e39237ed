"""The pillar mix of a period: per brand, each content pillar's target share of posts against its actual
share of the posts planned or published in the period, the difference in points, and the posts with no
pillar; with the words people read ("30%", "+5 pts")."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

import pandas as pd
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.models import Brand, ContentPillar, Post, PostVariant
from app.models.enums import PostStatus
from app.services.core import Actor, Perm, require_brands, utc_bounds

NO_PILLAR = "No pillar"
NO_PILLAR_COLOR = "#BAB0AC"
MIX_COLUMNS = ["brand", "pillar", "target share", "actual share", "difference", "posts"]


@dataclass(frozen=True)
class PillarShare:
    """One pillar of a brand in a period (pillar_id None: the posts with no pillar)."""

    brand: str
    pillar_id: int | None
    pillar: str
    color: str
    target_pct: int | None
    posts: int
    total_posts: int
    archived: bool = False

    @property
    def actual_pct(self) -> float:
        return 100.0 * self.posts / self.total_posts if self.total_posts else 0.0

    @property
    def difference_pts(self) -> float | None:
        """Actual minus target, in percentage points (None without a target or without posts)."""
        if self.target_pct is None or not self.total_posts:
            return None
        return self.actual_pct - self.target_pct


def share_text(pct: float | None) -> str:
    return "—" if pct is None else f"{pct:.0f}%"


def points_text(pts: float | None) -> str:
    if pts is None:
        return "—"
    rounded = round(pts)
    return "on target" if rounded == 0 else f"{rounded:+d} pts"


def _counts(
    session: Session, brand_ids: Sequence[int], start: date, end: date
) -> dict[tuple[int, int | None], int]:
    """Posts (not archived) with a variant planned or published in [start, end], per (brand, pillar)."""
    lo, hi = utc_bounds(start, end)
    when = func.coalesce(PostVariant.published_at, PostVariant.scheduled_at)
    in_period = select(PostVariant.post_id).where(PostVariant.brand_id.in_(brand_ids), when >= lo, when < hi)
    rows = session.execute(
        select(Post.brand_id, Post.pillar_id, func.count())
        .where(
            Post.brand_id.in_(brand_ids),
            Post.status != PostStatus.ARCHIVED,
            Post.id.in_(in_period),
        )
        .group_by(Post.brand_id, Post.pillar_id)
    ).all()
    return {(b, p): int(n) for b, p, n in rows}


def pillar_mix(
    session: Session, actor: Actor, brand_ids: Sequence[int], start: date, end: date
) -> list[PillarShare]:
    """Per brand (by name): its active pillars (by name), then any archived pillar that still has posts
    in the period, then the posts with no pillar when there are any."""
    brand_ids = require_brands(actor, Perm.VIEW, brand_ids)
    if not brand_ids:
        return []
    counts = _counts(session, brand_ids, start, end)
    brands = session.execute(
        select(Brand.id, Brand.name).where(Brand.id.in_(brand_ids)).order_by(Brand.name)
    ).all()
    pillars = session.scalars(
        select(ContentPillar)
        .where(ContentPillar.brand_id.in_(brand_ids))
        .order_by(ContentPillar.archived_at.is_not(None), ContentPillar.name)
    ).all()
    out: list[PillarShare] = []
    for brand_id, brand in brands:
        total = sum(n for (b, _), n in counts.items() if b == brand_id)
        for p in (p for p in pillars if p.brand_id == brand_id):
            posts = counts.get((brand_id, p.id), 0)
            if p.archived_at is not None and not posts:
                continue
            name = f"{p.name} (archived)" if p.archived_at else p.name
            target = None if p.archived_at else p.target_share_pct
            out.append(
                PillarShare(brand, p.id, name, p.color, target, posts, total, p.archived_at is not None)
            )
        if counts.get((brand_id, None)):
            out.append(
                PillarShare(brand, None, NO_PILLAR, NO_PILLAR_COLOR, None, counts[(brand_id, None)], total)
            )
    return out


def mix_frame(rows: Sequence[PillarShare]) -> pd.DataFrame:
    """The mix as a table for people: shares as "30%", differences as "+5 pts"."""
    data = [
        (
            r.brand,
            r.pillar,
            share_text(r.target_pct) if r.target_pct is not None else "no target",
            share_text(r.actual_pct if r.total_posts else None),
            points_text(r.difference_pts),
            r.posts,
        )
        for r in rows
    ]
    return pd.DataFrame(data, columns=MIX_COLUMNS)
