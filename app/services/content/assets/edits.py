"""Changing the asset library: upload (checked, deduplicated per brand, thumbnailed), metadata and tag
edits with a version check, archive and delete. Every change is audit-logged."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import replace
from datetime import date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import delete, event, insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, SessionTransaction
from sqlalchemy.orm.attributes import flag_modified

from app.models import Asset, Brand, Tag, asset_tags
from app.models.enums import AssetKind, TagScope
from app.services.content.assets import storage as storage
from app.services.content.assets.library import (
    AssetInfo,
    load_asset,
    normalise_tags,
    tags_of,
    to_infos,
    usage_counts,
)
from app.services.core import Actor, Conflict, Perm, ValidationError, audit, require
from app.services.org import find_brand

TAG_COLOR = "#72B7B2"
TEXT_LIMITS = {"title": 200, "rights_owner": 200, "licence": 200, "alt_text": 2000}
EDITABLE = (*TEXT_LIMITS, "ugc_permission", "rights_expire_at", "tags")
_PENDING_DELETES = "asset_files_to_delete"
_LISTENING = "asset_file_listeners"


def _text(value: Any, field: str) -> str:
    text = str(value or "").strip()
    if len(text) > TEXT_LIMITS[field]:
        label = field.replace("_", " ")
        raise ValidationError(
            f"{label} is longer than {TEXT_LIMITS[field]} characters", field=field, value=text[:40]
        )
    return text


def rights_expiry(value: datetime | date | None, timezone: str) -> datetime | None:
    """A datetime must carry its time zone; a bare date means the start of that day in the brand's
    time zone (rights that "expire on 3 Oct" cannot be used on 3 Oct)."""
    if value is None:
        return None
    if isinstance(value, datetime):
        if value.tzinfo is None:
            raise ValidationError(
                "rights expiry needs a time zone (or give a date)", field="rights_expire_at", value=value
            )
        return value
    if isinstance(value, date):
        return datetime.combine(value, time(0), ZoneInfo(timezone))
    raise ValidationError("rights expiry must be a date or a datetime", field="rights_expire_at", value=value)


def _tag_rows(session: Session, workspace_id: int, names: list[str]) -> dict[str, int]:
    """Tag ids by name, creating the missing ones (scope "asset")."""
    if not names:
        return {}

    def existing() -> dict[str, int]:
        return dict(
            session.execute(
                select(Tag.name, Tag.id).where(
                    Tag.workspace_id == workspace_id, Tag.scope == TagScope.ASSET, Tag.name.in_(names)
                )
            ).all()
        )

    found = existing()
    for name in (n for n in names if n not in found):
        try:
            # A savepoint, so a tag another session created meanwhile is a lookup, not a failed upload.
            with session.begin_nested():
                tag = Tag(workspace_id=workspace_id, scope=TagScope.ASSET, name=name, color=TAG_COLOR)
                session.add(tag)
            found[name] = tag.id
        except IntegrityError:
            found = existing()
    return found


def _set_tags(session: Session, asset: Asset, workspace_id: int, names: list[str], *, replace: bool) -> None:
    current = set(tags_of(session, [asset.id]).get(asset.id, []))
    wanted = set(names) if replace else current | set(names)
    ids = _tag_rows(session, workspace_id, sorted(wanted))
    add = [ids[n] for n in sorted(wanted - current)]
    if add:
        session.execute(insert(asset_tags), [{"asset_id": asset.id, "tag_id": t} for t in add])
    gone = current - wanted
    if gone:
        gone_ids = select(Tag.id).where(
            Tag.workspace_id == workspace_id, Tag.scope == TagScope.ASSET, Tag.name.in_(gone)
        )
        session.execute(
            delete(asset_tags).where(asset_tags.c.asset_id == asset.id, asset_tags.c.tag_id.in_(gone_ids))
        )


def add_asset(
    session: Session,
    actor: Actor,
    *,
    brand: str | int,
    filename: str,
    data: bytes,
    title: str = "",
    alt_text: str = "",
    tags: Iterable[str] | str = (),
    rights_owner: str = "",
    licence: str = "",
    ugc_permission: bool = False,
    rights_expire_at: datetime | date | None = None,
) -> AssetInfo:
    """Check and store one uploaded file for a brand (slug or id). The same bytes again return the
    asset already stored, with `duplicate=True`, after adding any new tags to it."""
    b = find_brand(session, actor, brand)
    require(actor, Perm.CONTENT_EDIT, b.id, b.name)
    limits = storage.upload_limits()
    checked = storage.check_upload(filename, data, limits)
    tag_names = normalise_tags(tags)
    fields = {k: _text(v, k) for k, v in (("title", title), ("alt_text", alt_text))}
    fields |= {k: _text(v, k) for k, v in (("rights_owner", rights_owner), ("licence", licence))}
    expiry = rights_expiry(rights_expire_at, b.market.timezone)
    sha = hashlib.sha256(data).hexdigest()

    existing = session.scalars(select(Asset).where(Asset.brand_id == b.id, Asset.content_hash == sha)).first()
    if existing is not None:
        return _duplicate(session, actor, b, existing, data, tag_names)

    facts = storage.inspect_image(data, checked, limits) if checked.fmt.kind == AssetKind.IMAGE else None
    relative = storage.storage_name(b.slug, sha, checked.ext)
    # The file goes first: a rolled-back insert leaves only a content-addressed file that the next
    # upload of the same bytes reuses, never a row without its file.
    storage.write_file(relative, data)
    extra: dict[str, Any] = {"original_filename": checked.filename}
    if facts is not None:
        thumb = storage.storage_name(b.slug, sha, facts.thumbnail_ext, thumbnail=True)
        storage.write_file(thumb, facts.thumbnail)
        extra["thumbnail"] = thumb
    asset = Asset(
        brand_id=b.id,
        filename=checked.filename,
        storage_path=relative,
        content_hash=sha,
        mime_type=checked.fmt.mime,
        kind=checked.fmt.kind,
        size_bytes=checked.size,
        width=facts.width if facts else None,
        height=facts.height if facts else None,
        duration_seconds=None,
        ugc_permission=bool(ugc_permission),
        rights_expire_at=expiry,
        uploaded_by_id=actor.user_id,
        extra=extra,
        **fields,
    )
    try:
        # Two people uploading the same file at once: the loser finds the winner's row.
        with session.begin_nested():
            session.add(asset)
    except IntegrityError:
        existing = session.scalars(
            select(Asset).where(Asset.brand_id == b.id, Asset.content_hash == sha)
        ).one()
        return _duplicate(session, actor, b, existing, data, tag_names)
    _set_tags(session, asset, b.workspace_id, tag_names, replace=True)
    after = audit.snapshot(asset) | {"tags": sorted(tag_names)}
    audit.record(
        session,
        actor,
        "create",
        "asset",
        asset.id,
        label=asset.title or asset.filename,
        brand_id=b.id,
        after=after,
    )
    return to_infos(session, [asset])[0]


def _duplicate(
    session: Session, actor: Actor, brand: Brand, asset: Asset, data: bytes, tag_names: list[str]
) -> AssetInfo:
    # A row can outlive its file (a restore without the data folder): the same bytes bring it back.
    path = storage.resolve_asset_path(asset.storage_path)
    if path is not None and not path.is_file():
        storage.write_file(asset.storage_path, data)
    before = sorted(tags_of(session, [asset.id]).get(asset.id, []))
    new = [t for t in tag_names if t not in before]
    if new:
        _set_tags(session, asset, brand.workspace_id, new, replace=False)
        audit.record(
            session,
            actor,
            "tag",
            "asset",
            asset.id,
            label=asset.title or asset.filename,
            brand_id=brand.id,
            before={"tags": before},
            after={"tags": sorted([*before, *new])},
        )
    return replace(to_infos(session, [asset])[0], duplicate=True)


def update_asset(
    session: Session, actor: Actor, asset_id: int, *, expected_version: int | None = None, **changes: Any
) -> AssetInfo:
    """Change metadata (title, alt_text, rights_owner, licence, ugc_permission, rights_expire_at) and
    tags (replacing them). With `expected_version` (the version the editor opened), a save over
    someone else's change is refused instead of overwriting it."""
    asset = load_asset(session, actor, asset_id)
    if expected_version is not None and expected_version != asset.version:
        raise Conflict(
            f"'{asset.title or asset.filename}' was changed by someone else since you opened it; "
            "reload to see their version"
        )
    brand = session.get(Brand, asset.brand_id)
    assert brand is not None
    clean: dict[str, Any] = {}
    new_tags: list[str] | None = None
    for key, value in changes.items():
        if key in TEXT_LIMITS:
            clean[key] = _text(value, key)
        elif key == "ugc_permission":
            clean[key] = bool(value)
        elif key == "rights_expire_at":
            clean[key] = rights_expiry(value, brand.market.timezone)
        elif key == "tags":
            new_tags = normalise_tags(value)
        else:
            raise ValidationError(
                f"asset field {key!r} cannot be changed (editable: {', '.join(EDITABLE)})", field=key
            )
    tags_diff = None
    if new_tags is not None:
        old_tags = sorted(tags_of(session, [asset.id]).get(asset.id, []))
        if old_tags != sorted(new_tags):
            _set_tags(session, asset, brand.workspace_id, new_tags, replace=True)
            tags_diff = {"tags": old_tags}, {"tags": sorted(new_tags)}
            # Tags live in another table: touch the row so its version moves and a stale editor conflicts.
            flag_modified(asset, "extra")
            # A flush of its own: the tags move the version one step and the fields another, so a save of
            # both still moves it by two, the step editors' version checks have always seen.
            session.flush()
    audit.update(
        session,
        actor,
        asset,
        clean,
        object_type="asset",
        label=lambda a: a.title or a.filename,
        brand_id=asset.brand_id,
        also_changed=tags_diff,
    )
    return to_infos(session, [asset])[0]


def archive_asset(session: Session, actor: Actor, asset_id: int, archived: bool = True) -> AssetInfo:
    """Archived assets stay on the posts that use them but are hidden from the library and the
    composer's picker, and block scheduling; `archived=False` restores one."""
    asset = load_asset(session, actor, asset_id)
    was = bool((asset.extra or {}).get("archived"))
    if was != archived:
        # A new dict: the JSON column does not notice changes made inside the old one.
        asset.extra = {**(asset.extra or {}), "archived": archived}
        session.flush()
        audit.record(
            session,
            actor,
            "archive" if archived else "restore",
            "asset",
            asset.id,
            label=asset.title or asset.filename,
            brand_id=asset.brand_id,
            before={"archived": was},
            after={"archived": archived},
        )
    return to_infos(session, [asset])[0]


def delete_asset(session: Session, actor: Actor, asset_id: int) -> None:
    """Delete an asset no post uses (its files go once the deletion commits); one in use is refused
    with the advice to archive it."""
    asset = load_asset(session, actor, asset_id)
    used = usage_counts(session, [asset.id]).get(asset.id, 0)
    label = asset.title or asset.filename
    if used:
        raise ValidationError(
            f"'{label}' is used by {used} post variant{'s' if used != 1 else ''}; archive it instead "
            "(it stays on those posts but can no longer be picked)",
            field="asset",
            value=asset.id,
        )
    before = audit.snapshot(asset) | {"tags": sorted(tags_of(session, [asset.id]).get(asset.id, []))}
    files = [
        asset.storage_path,
        *([asset.extra["thumbnail"]] if (asset.extra or {}).get("thumbnail") else []),
    ]
    brand_id = asset.brand_id
    session.delete(asset)
    session.flush()
    audit.record(session, actor, "delete", "asset", asset_id, label=label, brand_id=brand_id, before=before)
    _delete_files_after_commit(session, files)


def _delete_files_after_commit(session: Session, files: list[str]) -> None:
    """Remove files only once the deletion is committed: a rollback must not leave a row without its file."""
    if not session.info.get(_LISTENING):
        event.listen(session, "after_commit", _remove_pending_files)
        event.listen(session, "after_transaction_end", _forget_pending_files)
        session.info[_LISTENING] = True
    session.info.setdefault(_PENDING_DELETES, []).extend(files)


def _remove_pending_files(session: Session) -> None:
    if not session.in_nested_transaction():  # a savepoint committing is not the deletion committing
        storage.remove_files(session.info.pop(_PENDING_DELETES, []))


def _forget_pending_files(session: Session, transaction: SessionTransaction) -> None:
    if transaction.parent is None:  # the outer transaction ended: committed above, or rolled back
        session.info.pop(_PENDING_DELETES, None)
