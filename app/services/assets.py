"""The asset library as a read model: each stored file with its tags and usage rights, and where it
lives on disk, resolved only inside the data folder's `assets/` directory."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.config import get_settings
from app.models import Asset, Brand, Tag, asset_tags
from app.services.permissions import Actor, Perm, require_brands

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


def assets_root() -> Path:
    return (get_settings().data_dir / "assets").resolve()


def resolve_asset_path(storage_path: str | None, root: Path | None = None) -> Path | None:
    """The absolute path of a stored file, or None when `storage_path` is empty, absolute, or would
    leave the assets folder (e.g. `../../etc/passwd` or a symlink pointing outside): a database row
    must never make the app read an arbitrary file."""
    if not storage_path or "\x00" in storage_path:
        return None
    base = (root or assets_root()).resolve()
    relative = Path(storage_path)
    if relative.is_absolute() or relative.drive:
        return None
    candidate = (base / relative).resolve()
    if candidate == base or not candidate.is_relative_to(base):
        return None
    return candidate


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
    now = datetime.now(UTC)
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
