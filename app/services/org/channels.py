"""Channels (a brand's account on a platform) and how the hub reaches each one (its connector account).

Credentials are never stored: a channel names the environment variable or secrets key that holds
its token, and the connector reads it at run time.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import Brand, Channel, ConnectorAccount, Market
from app.models.enums import ConnectorKind, HealthStatus, Platform
from app.services.core import Actor, NotFound, Perm, ValidationError, audit, require, validation
from app.services.org.brands import get_brand, visible_brands_clause
from app.services.org.markets import get_market
from app.services.org.workspace import current_workspace

ENV_NAME_RE = re.compile(r"^[A-Z_][A-Z0-9_]{0,119}$")

# Open protocols get a real client; closed platforms are posted by a person (or a webhook flow) and
# measured from their export files.
DEFAULT_CONNECTOR: dict[Platform, ConnectorKind] = {
    Platform.MASTODON: ConnectorKind.MASTODON,
    Platform.BLUESKY: ConnectorKind.BLUESKY,
}


def channel_label(ch: Channel) -> str:
    """How people know a channel: its platform and its name (or handle), e.g. "Instagram @lumiskin"."""
    return f"{ch.platform.label} {ch.display_name or ch.handle}"


@dataclass(frozen=True)
class ChannelInfo:
    slug: str
    brand: str
    platform: str
    handle: str
    display_name: str
    market: str
    connector: str
    base_url: str
    credential_env: str
    health: str
    last_success_at: datetime | None
    last_error: str
    active: bool
    id: int
    brand_id: int


def list_channels(
    session: Session, actor: Actor, brand: str | None = None, include_inactive: bool = False
) -> list[ChannelInfo]:
    ws = current_workspace(session)
    stmt = (
        select(Channel, Brand.slug, Market.code, ConnectorAccount)
        .join(Brand, Brand.id == Channel.brand_id)
        .outerjoin(Market, Market.id == Channel.market_id)
        .outerjoin(ConnectorAccount, ConnectorAccount.channel_id == Channel.id)
        .where(Brand.workspace_id == ws.id, visible_brands_clause(actor))
        .order_by(Brand.slug, Channel.platform, Channel.handle)
    )
    if brand:
        stmt = stmt.where(Channel.brand_id == get_brand(session, actor, brand).id)
    if not include_inactive:
        stmt = stmt.where(Channel.active.is_(True))
    return [_info(ch, b, m, acc) for ch, b, m, acc in session.execute(stmt)]


def _info(ch: Channel, brand_slug: str, market: str | None, acc: ConnectorAccount | None) -> ChannelInfo:
    return ChannelInfo(
        slug=ch.slug,
        brand=brand_slug,
        platform=ch.platform.value,
        handle=ch.handle,
        display_name=ch.display_name or "",
        market=market or "",
        connector=acc.kind.value if acc else "",
        base_url=(acc.base_url or "") if acc else "",
        credential_env=(acc.credential_env or "") if acc else "",
        health=acc.status.value if acc else HealthStatus.UNKNOWN.value,
        last_success_at=acc.last_success_at if acc else None,
        last_error=(acc.last_error or "") if acc else "",
        active=ch.active,
        id=ch.id,
        brand_id=ch.brand_id,
    )


def get_channel(session: Session, actor: Actor, slug: str) -> Channel:
    ch = session.scalars(select(Channel).where(Channel.slug == (slug or "").strip().lower())).first()
    visible = actor.visible_brand_ids()
    if ch is None or (visible is not None and ch.brand_id not in visible):
        raise NotFound(f"no channel {slug!r} (see `python -m app channels` for the slugs)")
    return ch


def create_channel(
    session: Session,
    actor: Actor,
    *,
    brand: str,
    platform: str,
    handle: str,
    display_name: str = "",
    slug: str | None = None,
    market: str | None = None,
    connector: str | None = None,
    base_url: str | None = None,
    credential_env: str | None = None,
) -> ChannelInfo:
    require(actor, Perm.ADMIN)
    current_workspace(session)
    b = get_brand(session, actor, brand)
    plat = validation.choice(Platform, platform, "platform")
    handle = validation.required_text(handle, "handle")
    slug = validation.slug(slug or validation.slugify(f"{b.slug}-{plat.value}"), "channel slug")
    if session.scalars(select(Channel.id).where(Channel.slug == slug)).first():
        raise ValidationError(
            f"channel slug {slug!r} already exists; pass another slug (e.g. {slug}-2)",
            field="slug",
            value=slug,
        )
    if session.scalars(
        select(Channel.id).where(Channel.brand_id == b.id, Channel.platform == plat, Channel.handle == handle)
    ).first():
        raise ValidationError(
            f"brand {b.slug!r} already has {plat.label} account {handle!r}", field="handle", value=handle
        )
    kind = (
        validation.choice(ConnectorKind, connector, "connector")
        if connector
        else DEFAULT_CONNECTOR.get(plat, ConnectorKind.MANUAL)
    )
    ch = Channel(
        brand_id=b.id,
        platform=plat,
        handle=handle,
        slug=slug,
        display_name=display_name.strip() or None,
        market_id=get_market(session, market).id if market else b.market_id,
    )
    session.add(ch)
    session.flush()
    acc = ConnectorAccount(
        channel_id=ch.id,
        kind=kind,
        base_url=_base_url(base_url),
        credential_env=_env_name(credential_env),
    )
    session.add(acc)
    session.flush()
    after = {
        **audit.snapshot(ch),
        "connector": kind.value,
        "base_url": acc.base_url,
        "credential_env": acc.credential_env,
    }
    audit.record(session, actor, "create", "channel", ch.id, label=ch.slug, brand_id=b.id, after=after)
    market_code = session.get(Market, ch.market_id).code if ch.market_id else ""
    return _info(ch, b.slug, market_code, acc)


def update_channel(session: Session, actor: Actor, slug: str, **changes: object) -> ChannelInfo:
    require(actor, Perm.ADMIN)
    ch = get_channel(session, actor, slug)
    acc = session.scalars(select(ConnectorAccount).where(ConnectorAccount.channel_id == ch.id)).first()
    ch_changes: dict[str, object] = {}
    acc_changes: dict[str, object] = {}
    for key, value in changes.items():
        if key == "handle":
            ch_changes[key] = validation.required_text(str(value), "handle")
        elif key == "display_name":
            ch_changes[key] = str(value or "").strip() or None
        elif key == "active":
            ch_changes[key] = bool(value)
        elif key == "market":
            ch_changes["market_id"] = get_market(session, str(value)).id
        elif key == "connector":
            acc_changes["kind"] = validation.choice(ConnectorKind, str(value), "connector")
        elif key == "base_url":
            acc_changes[key] = _base_url(value)  # type: ignore[arg-type]
        elif key == "credential_env":
            acc_changes[key] = _env_name(value)  # type: ignore[arg-type]
        else:
            raise ValidationError(f"channel field {key!r} cannot be changed here", field=key)
    connector_diff = None
    if acc_changes:
        if acc is None:
            acc = ConnectorAccount(channel_id=ch.id, kind=acc_changes.get("kind", ConnectorKind.MANUAL))
            session.add(acc)
        connector_diff = audit.apply_changes(acc, acc_changes)
    # The connector's settings are part of the channel as people see it: one entry for both rows.
    audit.update(
        session,
        actor,
        ch,
        ch_changes,
        object_type="channel",
        label=lambda c: c.slug,
        brand_id=ch.brand_id,
        also_changed=connector_diff,
    )
    return next(c for c in list_channels(session, actor, include_inactive=True) if c.id == ch.id)


def _env_name(value: str | None) -> str | None:
    value = (value or "").strip()
    if not value:
        return None
    if not ENV_NAME_RE.match(value):
        # Refuse anything that does not look like a variable name: it may be the token itself.
        raise ValidationError(
            "credential: give the NAME of the environment variable that holds the token "
            "(e.g. MASTODON_TOKEN_LUMI), never the token",
            field="credential_env",
        )
    return value


def _base_url(value: str | None) -> str | None:
    value = (value or "").strip().rstrip("/")
    if not value:
        return None
    if not re.match(r"^https?://[^\s/]+", value):
        raise ValidationError(
            f"base URL {value!r} must start with http:// or https://", field="base_url", value=value
        )
    return value
