"""The asset library as people search it: `AssetInfo` rows (tags, rights status, usage, safe file
paths), search with text/tag/kind/rights filters, and the workspace's asset tags."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import ColumnElement, Select, func, or_, select
from sqlalchemy.orm import Session

from app.models import Asset, Brand, Tag, asset_tags, variant_assets
from app.models.enums import AssetKind, TagScope
from app.services.content.assets.storage import assets_root, resolve_asset_path
from app.services.core import Actor, NotFound, Perm, ValidationError, clock, require, require_brands
from app.services.org import current_workspace

# "Expiring" on the page and in search: rights that end within this window from now.
EXPIRING_WITHIN = timedelta(days=30)
RIGHTS_FILTERS = ("any", "valid", "expiring", "expired")
UGC_TAG = "ugc"
TAG_MAX = 80


@dataclass(frozen=True)
class AssetInfo:
    """One library entry as pages and the composer see it. `path` is resolved inside the assets folder
    (None when the stored path is unsafe) but may be missing on disk; `thumbnail` is None unless the
    thumbnail file exists. `duplicate` is True only on what `add_asset` returns for bytes already
    stored for the brand."""

    id: int
    brand_id: int
    brand: str  # slug
    title: str
    filename: str
    kind: AssetKind
    mime: str
    size_bytes: int
    width: int | None
    height: int | None
    alt_text: str
    tags: tuple[str, ...]
    rights_owner: str
    licence: str
    ugc_permission: bool
    rights_expire_at: datetime | None
    expired: bool
    expiring: bool
    archived: bool
    used_by: int
    thumbnail: Path | None
    path: Path | None
    version: int
    created_at: datetime
    duplicate: bool = False

    @property
    def label(self) -> str:
        return self.title or self.filename

    @property
    def thumbnail_path(self) -> str | None:
        """`thumbnail` as text (st.image takes it), or None: videos and documents have none."""
        return str(self.thumbnail) if self.thumbnail is not None else None

    @property
    def file_path(self) -> str | None:
        """`path` as text. Any kind of file: show it with st.image only when `kind` is an image."""
        return str(self.path) if self.path is not None else None

    @property
    def needs_ugc_permission(self) -> bool:
        return UGC_TAG in self.tags and not self.ugc_permission


def normalise_tags(tags: Iterable[str] | str | None) -> list[str]:
    """'Product shot, #UGC ,ugc' → ['product shot', 'ugc']: lowercase, single spaces, no leading '#'."""
    if tags is None:
        return []
    items = tags.split(",") if isinstance(tags, str) else [p for t in tags for p in str(t).split(",")]
    out: list[str] = []
    for item in items:
        name = re.sub(r"\s+", " ", item).strip().lstrip("#").strip().lower()
        if not name:
            continue
        if len(name) > TAG_MAX:
            raise ValidationError(
                f"tag '{name[:30]}…' is longer than {TAG_MAX} characters", field="tags", value=name[:40]
            )
        if name not in out:
            out.append(name)
    return out


def rights_state(expire_at: datetime | None, now: datetime) -> tuple[bool, bool]:
    """(expired, expiring within EXPIRING_WITHIN) at `now`."""
    if expire_at is None:
        return False, False
    return expire_at <= now, now < expire_at <= now + EXPIRING_WITHIN


def is_archived(asset: Asset) -> bool:
    return bool((asset.extra or {}).get("archived"))


def archived_flag() -> ColumnElement[bool]:
    """`extra["archived"]` as a SQL boolean (NULL when unset), the same on SQLite and PostgreSQL."""
    return Asset.extra["archived"].as_boolean()


def tags_of(session: Session, asset_ids: Sequence[int]) -> dict[int, list[str]]:
    out: dict[int, list[str]] = {}
    if not asset_ids:
        return out
    for asset_id, name in session.execute(
        select(asset_tags.c.asset_id, Tag.name)
        .join(Tag, Tag.id == asset_tags.c.tag_id)
        .where(asset_tags.c.asset_id.in_(list(asset_ids)))
        .order_by(Tag.name)
    ):
        out.setdefault(asset_id, []).append(name)
    return out


def usage_counts(session: Session, asset_ids: Sequence[int]) -> dict[int, int]:
    """How many post variants use each asset."""
    if not asset_ids:
        return {}
    return dict(
        session.execute(
            select(variant_assets.c.asset_id, func.count())
            .where(variant_assets.c.asset_id.in_(list(asset_ids)))
            .group_by(variant_assets.c.asset_id)
        ).all()
    )


def to_infos(session: Session, assets: Sequence[Asset], now: datetime | None = None) -> list[AssetInfo]:
    """AssetInfo for each asset, in order, with tags, usage and brand slugs read in three queries."""
    ids = [a.id for a in assets]
    tags = tags_of(session, ids)
    used = usage_counts(session, ids)
    slugs = dict(
        session.execute(select(Brand.id, Brand.slug).where(Brand.id.in_({a.brand_id for a in assets}))).all()
    )
    now = now or clock.now()
    root = assets_root()
    out = []
    for a in assets:
        expired, expiring = rights_state(a.rights_expire_at, now)
        thumb = resolve_asset_path((a.extra or {}).get("thumbnail"), root)
        out.append(
            AssetInfo(
                id=a.id,
                brand_id=a.brand_id,
                brand=slugs.get(a.brand_id, ""),
                title=a.title or "",
                filename=a.filename,
                kind=AssetKind(a.kind),
                mime=a.mime_type,
                size_bytes=a.size_bytes,
                width=a.width,
                height=a.height,
                alt_text=a.alt_text or "",
                tags=tuple(tags.get(a.id, [])),
                rights_owner=a.rights_owner or "",
                licence=a.licence or "",
                ugc_permission=bool(a.ugc_permission),
                rights_expire_at=a.rights_expire_at,
                expired=expired,
                expiring=expiring,
                archived=is_archived(a),
                used_by=used.get(a.id, 0),
                thumbnail=thumb if thumb is not None and thumb.is_file() else None,
                path=resolve_asset_path(a.storage_path, root),
                version=a.version,
                created_at=a.created_at,
            )
        )
    return out


def load_asset(session: Session, actor: Actor, asset_id: int, perm: Perm = Perm.CONTENT_EDIT) -> Asset:
    """The asset, if the actor may see its brand (otherwise NotFound) and holds `perm` on it."""
    asset = session.get(Asset, asset_id)
    visible = actor.visible_brand_ids()
    if asset is None or (visible is not None and asset.brand_id not in visible):
        raise NotFound(f"no asset #{asset_id}")
    require(actor, perm, asset.brand_id)
    return asset


def get_asset(session: Session, actor: Actor, asset_id: int) -> AssetInfo:
    return to_infos(session, [load_asset(session, actor, asset_id)])[0]


def search_assets(
    session: Session,
    actor: Actor,
    brand_ids: Sequence[int],
    *,
    text: str | None = None,
    tags: Iterable[str] | str = (),
    kind: AssetKind | str | None = None,
    rights: str = "any",
    include_archived: bool = False,
    limit: int = 200,
) -> list[AssetInfo]:
    """The newest assets of the brands matching every filter: `text` in the title, file name or alt
    text; all of `tags`; `kind`; `rights` "valid" (not expired), "expiring" (within 30 days),
    "expired" or "any". Archived assets only with `include_archived`."""
    brand_ids = require_brands(actor, Perm.CONTENT_EDIT, brand_ids)
    if not brand_ids:
        return []
    if rights not in RIGHTS_FILTERS:
        raise ValidationError(
            f"rights filter {rights!r} is not one of: {', '.join(RIGHTS_FILTERS)}",
            field="rights",
            value=rights,
        )
    now = clock.now()
    stmt: Select[tuple[Asset]] = select(Asset).where(Asset.brand_id.in_(brand_ids))
    if not include_archived:
        stmt = stmt.where(archived_flag().is_not(True))
    if text and text.strip():
        needle = text.strip().lower()
        stmt = stmt.where(
            or_(
                *(
                    func.lower(col).contains(needle, autoescape=True)
                    for col in (Asset.title, Asset.filename, Asset.alt_text)
                )
            )
        )
    for name in normalise_tags(tags):
        stmt = stmt.where(
            Asset.id.in_(
                select(asset_tags.c.asset_id)
                .join(Tag, Tag.id == asset_tags.c.tag_id)
                .where(Tag.name == name, Tag.scope == TagScope.ASSET)
            )
        )
    if kind:
        try:
            stmt = stmt.where(Asset.kind == AssetKind(str(kind).lower()))
        except ValueError:
            raise ValidationError(f"asset kind {kind!r} is unknown", field="kind", value=kind) from None
    if rights == "valid":
        stmt = stmt.where(or_(Asset.rights_expire_at.is_(None), Asset.rights_expire_at > now))
    elif rights == "expiring":
        stmt = stmt.where(Asset.rights_expire_at > now, Asset.rights_expire_at <= now + EXPIRING_WITHIN)
    elif rights == "expired":
        stmt = stmt.where(Asset.rights_expire_at <= now)
    stmt = stmt.order_by(Asset.created_at.desc(), Asset.id.desc()).limit(limit)
    return to_infos(session, session.scalars(stmt).all(), now)


def asset_tag_names(session: Session, actor: Actor) -> list[str]:
    """Every asset tag of the workspace, for filter and edit choices."""
    if not actor.can_anywhere(Perm.CONTENT_EDIT):
        require(actor, Perm.CONTENT_EDIT)
    ws = current_workspace(session)
    return list(
        session.scalars(
            select(Tag.name).where(Tag.workspace_id == ws.id, Tag.scope == TagScope.ASSET).order_by(Tag.name)
        )
    )
