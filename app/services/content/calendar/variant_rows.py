"""The joins every calendar reader makes from a post variant to its post, channel, brand (and market),
owner, campaign and pillar: the calendar list, the calendar grid and the export (which the Sheets
calendar worksheet reads too) build on the one helper, so they agree on which variants appear and how
owners and channels are named."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, Subquery, func
from sqlalchemy.orm import aliased

from app.models import Brand, Campaign, Channel, ContentPillar, Market, Post, PostVariant, User


def owner_alias() -> tuple[Any, Any]:
    """(an alias of users for the post's owner, the owner's label: their name, else their e-mail)."""
    owner = aliased(User)
    return owner, func.coalesce(func.nullif(owner.name, ""), owner.email)


def channel_label() -> Any:
    """A channel as people name it: its display name, else its handle."""
    return func.coalesce(Channel.display_name, Channel.handle)


def with_variant_context(
    stmt: Select, owner: Any, *, market: bool = False, only_ids: Subquery | None = None
) -> Select:
    """`stmt` over post_variants joined to what a calendar row shows. Inner joins: post, channel, brand
    (and the brand's market when `market`); outer joins: the owner alias, campaign and pillar, which a
    post may lack. `only_ids` (a subquery with an `id` column of variants) is joined first, so the
    store narrows to those variants before it joins the rest."""
    v = PostVariant
    stmt = stmt.select_from(v)
    if only_ids is not None:
        stmt = stmt.join(only_ids, only_ids.c.id == v.id)
    stmt = (
        stmt.join(Post, Post.id == v.post_id)
        .join(Channel, Channel.id == v.channel_id)
        .join(Brand, Brand.id == v.brand_id)
    )
    if market:
        stmt = stmt.join(Market, Market.id == Brand.market_id)
    return (
        stmt.outerjoin(owner, owner.id == Post.owner_id)
        .outerjoin(Campaign, Campaign.id == Post.campaign_id)
        .outerjoin(ContentPillar, ContentPillar.id == Post.pillar_id)
    )
