"""The asset library's front door: the calls pages, the composer and publishing make (upload, edit,
search, the media of a variant, what blocks an asset from going out). Files: asset_storage; search
and AssetInfo: asset_library; changes: asset_edits."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Literal
from zoneinfo import ZoneInfo

import pandas as pd
from sqlalchemy import Engine, or_, select
from sqlalchemy.orm import Session

from app.db import write_session
from app.models import Asset, Brand, Market, Tag, asset_tags, variant_assets
from app.models.enums import AssetKind
from app.services.content.assets.edits import (
    add_asset,
    archive_asset,
    delete_asset,
    rights_expiry,
    update_asset,
)
from app.services.content.assets.library import (
    EXPIRING_WITHIN,
    RIGHTS_FILTERS,
    UGC_TAG,
    AssetInfo,
    archived_flag,
    asset_tag_names,
    get_asset,
    is_archived,
    normalise_tags,
    search_assets,
    tags_of,
    to_infos,
)
from app.services.content.assets.storage import assets_root, human_size, resolve_asset_path, upload_limits
from app.services.core import (
    Actor,
    NotFound,
    Perm,
    ServiceError,
    ValidationError,
    clock,
    require,
    require_brands,
)
from app.services.platforms import MediaInfo

__all__ = [
    "ASSET_COLUMNS",
    "EXPIRING_WITHIN",
    "RIGHTS_FILTERS",
    "AssetInfo",
    "UploadOutcome",
    "add_asset",
    "add_files",
    "archive_asset",
    "asset_blockers",
    "asset_tag_names",
    "assets_root",
    "delete_asset",
    "get_asset",
    "human_size",
    "list_assets",
    "media_for_assets",
    "media_for_variant",
    "normalise_tags",
    "resolve_asset_path",
    "rights_expiry",
    "search_assets",
    "update_asset",
    "upload_limits",
    "usable_assets",
]

ASSET_COLUMNS = [
    "title",
    "brand",
    "filename",
    "kind",
    "alt text",
    "size KB",
    "tags",
    "rights owner",
    "licence",
    "UGC permission",
    "rights expire",
    "expired",
    "path",
]


def list_assets(session: Session, actor: Actor, brand_ids: Sequence[int], limit: int = 200) -> pd.DataFrame:
    """The newest assets of the brands. `path` is None when the stored path is unsafe; check that the
    file exists before opening it (a row can outlive its file)."""
    brand_ids = require_brands(actor, Perm.CONTENT_EDIT, brand_ids)
    if not brand_ids:
        return pd.DataFrame(columns=ASSET_COLUMNS)
    rows = session.execute(
        select(Asset, Brand.name)
        .join(Brand, Brand.id == Asset.brand_id)
        .where(Asset.brand_id.in_(brand_ids))
        .order_by(Asset.created_at.desc(), Asset.id.desc())
        .limit(limit)
    ).all()
    if not rows:
        return pd.DataFrame(columns=ASSET_COLUMNS)
    tags: dict[int, list[str]] = {}
    for asset_id, name in session.execute(
        select(asset_tags.c.asset_id, Tag.name)
        .join(Tag, Tag.id == asset_tags.c.tag_id)
        .where(asset_tags.c.asset_id.in_([a.id for a, _ in rows]))
        .order_by(Tag.name)
    ):
        tags.setdefault(asset_id, []).append(name)
    now = clock.now()
    root = assets_root()
    data = []
    for a, brand in rows:
        path = resolve_asset_path(a.storage_path, root)
        data.append(
            (
                a.title or a.filename,
                brand,
                a.filename,
                a.kind.value,
                a.alt_text,
                round(a.size_bytes / 1024, 1),
                ", ".join(tags.get(a.id, [])),
                a.rights_owner,
                a.licence,
                a.ugc_permission,
                a.rights_expire_at,
                a.rights_expire_at is not None and a.rights_expire_at <= now,
                str(path) if path else None,
            )
        )
    return pd.DataFrame(data, columns=ASSET_COLUMNS)


def _alt(override: str | None, own: str | None) -> str:
    """A variant's own alt text (e.g. for a 9:16 crop) wins over the asset's when it says something."""
    return override if override and override.strip() else (own or "")


def media_for_variant(session: Session, variant_id: int) -> list[MediaInfo]:
    """The media attached to a variant, in position order, as the platform rules check them. No
    permission check: callers (composer, approvals, publishing) already hold the variant."""
    rows = session.execute(
        select(Asset.kind, Asset.alt_text, Asset.filename, variant_assets.c.alt_text)
        .join(variant_assets, variant_assets.c.asset_id == Asset.id)
        .where(variant_assets.c.variant_id == variant_id)
        .order_by(variant_assets.c.position, Asset.id)
    ).all()
    return [MediaInfo(AssetKind(kind), _alt(own, alt), filename) for kind, alt, filename, own in rows]


def media_for_assets(
    session: Session, asset_ids: Sequence[int], alt_overrides: Mapping[int, str] | None = None
) -> list[MediaInfo]:
    """MediaInfo for assets picked in the composer (before they are linked), in the order given."""
    ids = list(asset_ids)
    found = {a.id: a for a in session.scalars(select(Asset).where(Asset.id.in_(ids)))} if ids else {}
    missing = [i for i in ids if i not in found]
    if missing:
        raise NotFound(f"no asset {', '.join(f'#{i}' for i in missing)}")
    overrides = alt_overrides or {}
    return [
        MediaInfo(AssetKind(found[i].kind), _alt(overrides.get(i), found[i].alt_text), found[i].filename)
        for i in ids
    ]


def _day(moment: datetime, timezone: str) -> str:
    local = moment.astimezone(ZoneInfo(timezone))
    return f"{local.day} {local:%b %Y}"


def asset_blockers(session: Session, asset_ids: Sequence[int], at: datetime) -> list[str]:
    """Why these assets cannot go out at `at` (empty: they can): rights ended by then, archived, or
    tagged UGC without the creator's permission recorded. Dates are in the brand's time zone."""
    if at.tzinfo is None:
        raise ValidationError("the time to check assets at needs a time zone", field="at", value=at)
    ids = list(dict.fromkeys(asset_ids))
    if not ids:
        return []
    rows = {
        a.id: (a, tz)
        for a, tz in session.execute(
            select(Asset, Market.timezone)
            .join(Brand, Brand.id == Asset.brand_id)
            .join(Market, Market.id == Brand.market_id)
            .where(Asset.id.in_(ids))
        )
    }
    tags = tags_of(session, ids)
    now = clock.now()
    reasons: list[str] = []
    for asset_id in ids:
        if asset_id not in rows:
            reasons.append(f"asset #{asset_id} is no longer in the library")
            continue
        asset, tz = rows[asset_id]
        label = asset.title or asset.filename
        if is_archived(asset):
            reasons.append(f"'{label}' is archived")
        end = asset.rights_expire_at
        if end is not None and end <= at:
            if end <= now:
                reasons.append(f"'{label}' rights expired on {_day(end, tz)}")
            else:
                reasons.append(f"'{label}' rights expire on {_day(end, tz)}, before this goes out")
        if UGC_TAG in tags.get(asset_id, []) and not asset.ugc_permission:
            reasons.append(f"'{label}' is user-generated content without the creator's permission recorded")
    return reasons


def usable_assets(
    session: Session, actor: Actor, brand_id: int, at: datetime | None = None
) -> list[AssetInfo]:
    """What the composer may attach for a post going out at `at` (default now): the brand's assets
    that are not archived, whose rights still hold then, and whose UGC permission is recorded."""
    require(actor, Perm.CONTENT_EDIT, brand_id)
    at = at or clock.now()
    if at.tzinfo is None:
        raise ValidationError("the time to check assets at needs a time zone", field="at", value=at)
    assets = session.scalars(
        select(Asset)
        .where(
            Asset.brand_id == brand_id,
            archived_flag().is_not(True),
            or_(Asset.rights_expire_at.is_(None), Asset.rights_expire_at > at),
        )
        .order_by(Asset.created_at.desc(), Asset.id.desc())
    ).all()
    return [i for i in to_infos(session, assets) if not i.needs_ugc_permission]


@dataclass(frozen=True)
class UploadOutcome:
    """What became of one file of a batch: "added", "duplicate" (already in the library) or "refused"."""

    filename: str
    status: Literal["added", "duplicate", "refused"]
    message: str
    asset: AssetInfo | None = None


def add_files(
    actor: Actor,
    brand: str | int,
    files: Sequence[tuple[str, bytes]],
    *,
    engine: Engine | None = None,
    on_progress: Callable[[int, int, str], None] | None = None,
    tags: Sequence[str] | str = (),
    rights_owner: str = "",
    licence: str = "",
    ugc_permission: bool = False,
    rights_expire_at: datetime | date | None = None,
) -> list[UploadOutcome]:
    """Add a batch of (filename, bytes), each in its own transaction: one refused file does not undo
    the others, and each outcome says why. `on_progress(done, total, filename)` runs before each file."""
    outcomes: list[UploadOutcome] = []
    for n, (filename, data) in enumerate(files):
        if on_progress:
            on_progress(n, len(files), filename)
        try:
            with write_session(engine) as session:
                info = add_asset(
                    session,
                    actor,
                    brand=brand,
                    filename=filename,
                    data=data,
                    tags=tags,
                    rights_owner=rights_owner,
                    licence=licence,
                    ugc_permission=ugc_permission,
                    rights_expire_at=rights_expire_at,
                )
        except ServiceError as exc:
            outcomes.append(UploadOutcome(filename, "refused", str(exc)))
            continue
        if info.duplicate:
            where = " (archived)" if info.archived else ""
            message = f"already in the library{where} as '{info.label}'"
            outcomes.append(UploadOutcome(filename, "duplicate", message, info))
        else:
            outcomes.append(UploadOutcome(filename, "added", f"added as #{info.id}", info))
    if on_progress:
        on_progress(len(files), len(files), "")
    return outcomes
