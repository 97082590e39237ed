"""Content pillars: the themes a brand posts about, each with the share of posts it should get (the
active pillars' shares add up to 100 at most). Listing, creating, editing and archiving them; managers
and admins write (strategy edit), every change is audited."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.models import Brand, ContentPillar
from app.services.core import Actor, ValidationError, audit, check_version, conflict_on_stale, validation
from app.services.strategy import common

OBJECT_TYPE = "content_pillar"
EDITABLE = ("name", "description", "color", "target_share_pct")
DEFAULT_COLOR = "#72B7B2"


@dataclass(frozen=True)
class PillarInfo:
    id: int
    brand_slug: str
    brand_name: str
    name: str
    description: str
    color: str
    target_share_pct: int | None
    archived: bool
    version: int


def _info(p: ContentPillar, brand: Brand) -> PillarInfo:
    return PillarInfo(
        id=p.id,
        brand_slug=brand.slug,
        brand_name=brand.name,
        name=p.name,
        description=p.description or "",
        color=p.color,
        target_share_pct=p.target_share_pct,
        archived=p.archived_at is not None,
        version=p.version,
    )


def list_pillars(
    session: Session, actor: Actor, brand: Brand | str | int | None = None, include_archived: bool = False
) -> list[PillarInfo]:
    """The pillars of one brand or of every brand the actor sees, by brand and name."""
    rows = common.list_rows(
        session, actor, ContentPillar, brand, include_archived, ContentPillar.name, ContentPillar.id
    )
    return [_info(p, b) for p, b in rows]


def get_pillar(session: Session, actor: Actor, pillar_id: int) -> PillarInfo:
    common.require_view(actor)
    return _read(session, common.load(session, actor, ContentPillar, pillar_id, "content pillar"))


def _read(session: Session, p: ContentPillar) -> PillarInfo:
    return _info(p, common.brand_of(session, p))


def share(value: Any) -> int | None:
    """A target share of posts in whole percent, 0..100, or None."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    text = str(value).strip().removesuffix("%").strip()
    try:
        number = float(text)
    except ValueError:
        raise ValidationError(
            f"target_share_pct {value!r} is not a number", field="target_share_pct", value=value
        ) from None
    if not number.is_integer() or not 0 <= number <= 100:
        raise ValidationError(
            f"target_share_pct {value!r} must be a whole percent from 0 to 100",
            field="target_share_pct",
            value=value,
        )
    return int(number)


def _check_total(session: Session, brand: Brand, row_id: int | None, pct: int | None) -> None:
    """The brand's active pillars may not be meant to get more than all of its posts."""
    if not pct:
        return
    others = session.scalar(
        select(func.coalesce(func.sum(ContentPillar.target_share_pct), 0)).where(
            ContentPillar.brand_id == brand.id,
            ContentPillar.archived_at.is_(None),
            ContentPillar.id != (row_id or -1),
        )
    )
    if int(others or 0) + pct > 100:
        raise ValidationError(
            f"target_share_pct {pct}: {brand.name}'s other active pillars already take {others}%, "
            f"so at most {100 - int(others or 0)}% is left",
            field="target_share_pct",
            value=pct,
        )


def _clean(session: Session, brand: Brand, values: dict[str, Any], row_id: int | None) -> dict[str, Any]:
    clean: dict[str, Any] = {}
    for key, value in values.items():
        if key == "name":
            name = validation.required_text(value, "name", max_len=120)
            if common.name_taken(session, ContentPillar, brand.id, name, row_id):
                raise ValidationError(
                    f"{brand.name} already has a pillar named {name!r}", field="name", value=name
                )
            clean["name"] = name
        elif key == "description":
            clean["description"] = common.text(value, "description")
        elif key == "color":
            clean["color"] = validation.color(value or DEFAULT_COLOR)
        elif key == "target_share_pct":
            clean["target_share_pct"] = share(value)
    return clean


def create_pillar(
    session: Session,
    actor: Actor,
    *,
    brand: Brand | str | int,
    name: str,
    description: str = "",
    color: str | None = None,
    target_share_pct: Any = None,
) -> PillarInfo:
    b = common.brand_for_write(session, actor, brand)
    values = {"name": name, "description": description, "color": color, "target_share_pct": target_share_pct}
    clean = _clean(session, b, values, None)
    _check_total(session, b, None, clean["target_share_pct"])
    pillar = ContentPillar(brand_id=b.id, **clean)
    common.record_create(session, actor, pillar, object_type=OBJECT_TYPE, label=pillar.name)
    return _read(session, pillar)


@conflict_on_stale
def update_pillar(
    session: Session, actor: Actor, pillar_id: int, *, version: int, **changes: Any
) -> PillarInfo:
    """Change any of EDITABLE."""
    pillar, brand = common.load_for_write(session, actor, ContentPillar, pillar_id, "content pillar")
    check_version(pillar, version, f"pillar {pillar.name!r}")
    common.unknown_fields(changes, EDITABLE, "pillar")
    clean = _clean(session, brand, changes, pillar.id)
    if "target_share_pct" in clean and pillar.archived_at is None:
        _check_total(session, brand, pillar.id, clean["target_share_pct"])
    audit.update(
        session, actor, pillar, clean, object_type=OBJECT_TYPE, label=lambda p: p.name, brand_id=brand.id
    )
    return _read(session, pillar)


def archive_pillar(session: Session, actor: Actor, pillar_id: int, *, archived: bool = True) -> PillarInfo:
    """Archive (gone from pickers; posts and campaigns keep it, its share no longer counts) or restore
    with archived=False (refused when its share no longer fits)."""
    pillar, brand = common.load_for_write(session, actor, ContentPillar, pillar_id, "content pillar")
    if not archived and pillar.archived_at is not None:
        _check_total(session, brand, pillar.id, pillar.target_share_pct)
    common.set_archived(session, actor, pillar, archived, object_type=OBJECT_TYPE, label=pillar.name)
    return _read(session, pillar)
