"""Audience segments: the groups of people a brand speaks to, where they are (markets) and where they
read (platforms). Listing, creating, editing and archiving them; managers and admins write (strategy
edit), every change is audited."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from app.models import AudienceSegment, Brand
from app.services.core import Actor, ValidationError, audit, check_version, conflict_on_stale, validation
from app.services.strategy import common

OBJECT_TYPE = "audience_segment"
EDITABLE = ("name", "description", "markets", "platforms")


@dataclass(frozen=True)
class SegmentInfo:
    id: int
    brand_slug: str
    brand_name: str
    name: str
    description: str
    markets: tuple[str, ...]
    platforms: tuple[str, ...]
    archived: bool
    version: int


def _info(s: AudienceSegment, brand: Brand) -> SegmentInfo:
    return SegmentInfo(
        id=s.id,
        brand_slug=brand.slug,
        brand_name=brand.name,
        name=s.name,
        description=s.description or "",
        markets=tuple(s.markets or ()),
        platforms=tuple(s.platforms or ()),
        archived=s.archived_at is not None,
        version=s.version,
    )


def list_segments(
    session: Session, actor: Actor, brand: Brand | str | int | None = None, include_archived: bool = False
) -> list[SegmentInfo]:
    """The segments of one brand or of every brand the actor sees, by brand and name."""
    rows = common.list_rows(
        session, actor, AudienceSegment, brand, include_archived, AudienceSegment.name, AudienceSegment.id
    )
    return [_info(s, b) for s, b in rows]


def get_segment(session: Session, actor: Actor, segment_id: int) -> SegmentInfo:
    common.require_view(actor)
    return _read(session, common.load(session, actor, AudienceSegment, segment_id, "audience segment"))


def _read(session: Session, s: AudienceSegment) -> SegmentInfo:
    return _info(s, common.brand_of(session, s))


def _clean(session: Session, brand: Brand, values: dict[str, Any], row_id: int | None) -> dict[str, Any]:
    clean: dict[str, Any] = {}
    for key, value in values.items():
        if key == "name":
            name = validation.required_text(value, "name", max_len=120)
            if common.name_taken(session, AudienceSegment, brand.id, name, row_id):
                raise ValidationError(
                    f"{brand.name} already has a segment named {name!r}", field="name", value=name
                )
            clean["name"] = name
        elif key == "description":
            clean["description"] = common.text(value, "description")
        elif key == "markets":
            clean["markets"] = common.market_codes(session, value)
        elif key == "platforms":
            clean["platforms"] = common.platform_values(value)
    return clean


def create_segment(
    session: Session,
    actor: Actor,
    *,
    brand: Brand | str | int,
    name: str,
    description: str = "",
    markets: Iterable[str] | str = (),
    platforms: Iterable[str] | str = (),
) -> SegmentInfo:
    b = common.brand_for_write(session, actor, brand)
    values = {"name": name, "description": description, "markets": markets, "platforms": platforms}
    segment = AudienceSegment(brand_id=b.id, **_clean(session, b, values, None))
    common.record_create(session, actor, segment, object_type=OBJECT_TYPE, label=segment.name)
    return _read(session, segment)


@conflict_on_stale
def update_segment(
    session: Session, actor: Actor, segment_id: int, *, version: int, **changes: Any
) -> SegmentInfo:
    """Change any of EDITABLE (markets and platforms are replaced by the list given)."""
    segment, brand = common.load_for_write(session, actor, AudienceSegment, segment_id, "audience segment")
    check_version(segment, version, f"segment {segment.name!r}")
    common.unknown_fields(changes, EDITABLE, "segment")
    clean = _clean(session, brand, changes, segment.id)
    audit.update(
        session, actor, segment, clean, object_type=OBJECT_TYPE, label=lambda s: s.name, brand_id=brand.id
    )
    return _read(session, segment)


def archive_segment(session: Session, actor: Actor, segment_id: int, *, archived: bool = True) -> SegmentInfo:
    """Archive (gone from pickers) or restore with archived=False."""
    segment, _brand = common.load_for_write(session, actor, AudienceSegment, segment_id, "audience segment")
    common.set_archived(session, actor, segment, archived, object_type=OBJECT_TYPE, label=segment.name)
    return _read(session, segment)
