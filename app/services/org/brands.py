"""Brands: listing what a user may see, finding the one a service or a form's brand field names,
creating and editing them (admins)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.models import Brand, Channel
from app.services.core import Actor, NotFound, Perm, ValidationError, audit, require, validation
from app.services.org.markets import get_market
from app.services.org.workspace import current_workspace


@dataclass(frozen=True)
class BrandInfo:
    slug: str
    name: str
    market: str
    market_name: str
    timezone: str
    industry: str
    regulated: bool
    color: str
    active: bool
    publishing_paused: bool
    channels: int
    id: int


def _info(b: Brand, channels: int) -> BrandInfo:
    return BrandInfo(
        b.slug,
        b.name,
        b.market.code,
        b.market.name,
        b.market.timezone,
        b.industry or "",
        b.regulated,
        b.color,
        b.active,
        b.publishing_paused,
        channels,
        b.id,
    )


def visible_brands_clause(actor: Actor):  # type: ignore[no-untyped-def]
    """A WHERE clause on Brand.id limiting a query to the brands `actor` may see (or True)."""
    visible = actor.visible_brand_ids()
    return Brand.id.in_(sorted(visible)) if visible is not None else Brand.id.is_not(None)


def list_brands(session: Session, actor: Actor, include_inactive: bool = False) -> list[BrandInfo]:
    ws = current_workspace(session)
    stmt = select(Brand).where(Brand.workspace_id == ws.id, visible_brands_clause(actor)).order_by(Brand.name)
    if not include_inactive:
        stmt = stmt.where(Brand.active.is_(True))
    brands = session.scalars(stmt).all()
    counts = dict(
        session.execute(
            select(Channel.brand_id, func.count()).where(Channel.active.is_(True)).group_by(Channel.brand_id)
        ).all()
    )
    return [_info(b, counts.get(b.id, 0)) for b in brands]


def get_brand(session: Session, actor: Actor, slug: str) -> Brand:
    """The brand with this slug, if `actor` may see it (otherwise NotFound, not a hint it exists)."""
    ws = current_workspace(session)
    key = (slug or "").strip().lower()
    brand = session.scalars(select(Brand).where(Brand.workspace_id == ws.id, Brand.slug == key)).first()
    visible = actor.visible_brand_ids()
    if brand is None or (visible is not None and brand.id not in visible):
        raise NotFound(f"no brand {slug!r} (see `python -m app brands` for the slugs)")
    return brand


def find_brand(session: Session, actor: Actor, brand: Brand | str | int) -> Brand:
    """The brand given as a row, an id or a slug, if `actor` may see it (otherwise NotFound): the one
    lookup every service that takes "a brand" uses, so each refuses an unseen brand the same way."""
    if isinstance(brand, str):
        return get_brand(session, actor, brand)
    row = brand if isinstance(brand, Brand) else session.get(Brand, brand)
    visible = actor.visible_brand_ids()
    if (
        row is None
        or row.workspace_id != current_workspace(session).id
        or (visible is not None and row.id not in visible)
    ):
        raise NotFound(f"no brand {brand if isinstance(brand, int) else brand.slug!r}")
    return row


def brand_field(session: Session, actor: Actor, brand: Brand | str | int | None) -> Brand | None:
    """The brand a `brand` field names (None when it is empty), an unseen or unknown one refused as a
    ValidationError on that field."""
    if brand is None or brand == "":
        return None
    try:
        return find_brand(session, actor, brand)
    except NotFound as exc:
        raise ValidationError(str(exc), field="brand", value=brand) from None


def brand_info(session: Session, actor: Actor, slug: str) -> BrandInfo:
    brand = get_brand(session, actor, slug)
    channels = session.scalar(
        select(func.count())
        .select_from(Channel)
        .where(Channel.brand_id == brand.id, Channel.active.is_(True))
    )
    return _info(brand, channels or 0)


def create_brand(
    session: Session,
    actor: Actor,
    *,
    slug: str | None,
    name: str,
    market: str,
    industry: str = "",
    regulated: bool = False,
    color: str = "#4C78A8",
) -> BrandInfo:
    require(actor, Perm.ADMIN)
    ws = current_workspace(session)
    name = validation.required_text(name, "brand name")
    slug = validation.slug(slug or validation.slugify(name), "brand slug")
    if session.scalars(select(Brand.id).where(Brand.workspace_id == ws.id, Brand.slug == slug)).first():
        raise ValidationError(f"brand slug {slug!r} already exists", field="slug", value=slug)
    brand = Brand(
        workspace_id=ws.id,
        slug=slug,
        name=name,
        market_id=get_market(session, market).id,
        industry=industry.strip() or None,
        regulated=bool(regulated),
        color=validation.color(color),
    )
    session.add(brand)
    session.flush()
    session.refresh(brand)
    audit.record(
        session,
        actor,
        "create",
        "brand",
        brand.id,
        label=brand.name,
        brand_id=brand.id,
        after=audit.snapshot(brand),
    )
    return _info(brand, 0)


def update_brand(session: Session, actor: Actor, slug: str, **changes: object) -> BrandInfo:
    require(actor, Perm.ADMIN)
    brand = get_brand(session, actor, slug)
    clean: dict[str, object] = {}
    for key, value in changes.items():
        if key == "name":
            clean[key] = validation.required_text(str(value), "brand name")
        elif key == "market":
            clean["market_id"] = get_market(session, str(value)).id
        elif key == "industry":
            clean[key] = str(value or "").strip() or None
        elif key in ("regulated", "active"):
            clean[key] = bool(value)
        elif key == "color":
            clean[key] = validation.color(str(value))
        else:
            raise ValidationError(f"brand field {key!r} cannot be changed here", field=key)
    audit.update(session, actor, brand, clean, object_type="brand", label=lambda b: b.name, brand_id=brand.id)
    session.refresh(brand)
    return brand_info(session, actor, brand.slug)
