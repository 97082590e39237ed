"""Checking a channel's connection: run its connector's health check and keep the outcome on the connector
account (status, last success or error in the platform's words, token expiry, rate-limit headroom), for
the CLI, the Settings page, the health page and jobs.

The platform is called outside any database transaction: a slow server must not hold a write lock.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Engine, select

from app.connectors.base import Connector, ConnectorError, Health, NotSupported, PermanentError
from app.connectors.registry import connector_for
from app.db import get_engine, read_session, write_session
from app.models import Brand, Channel, ConnectorAccount
from app.models.enums import ConnectorKind, HealthStatus, Platform
from app.services.core import Actor, Perm, ValidationError, audit, clock, require, validation
from app.services.org import (
    DEFAULT_CONNECTOR,
    ENV_NAME_RE,
    current_workspace,
    get_channel,
    visible_brands_clause,
)

ConnectorFactory = Callable[[ConnectorAccount, Channel], Connector]


@dataclass(frozen=True)
class ConnectionCheck:
    channel: str
    connector: str
    status: str  # a HealthStatus value
    message: str
    account: str | None
    checked_at: datetime
    token_expires_at: datetime | None = None
    rate_limit_remaining: int | None = None
    rate_limit_reset_at: datetime | None = None

    @property
    def ok(self) -> bool:
        return self.status == HealthStatus.OK.value


def _default_factory(account: ConnectorAccount, channel: Channel) -> Connector:

    return connector_for(account, channel)


def _judge(health: Health | None, error: BaseException | None) -> tuple[HealthStatus, str]:
    """ok / degraded / broken, and the message people see."""
    if error is not None:
        if isinstance(error, NotSupported):
            return HealthStatus.UNKNOWN, str(error)
        if isinstance(error, ConnectorError):
            said = error.platform_message or ""
            text = str(error) if said in str(error) else f"{error}: {said}"
            if error.status and str(error.status) not in text:
                text = f"{text} (HTTP {error.status})"
            return (HealthStatus.BROKEN if isinstance(error, PermanentError) else HealthStatus.DEGRADED), text
        # Anything else (a bug, a library surprise) is reported, not raised: the button must answer.
        return HealthStatus.DEGRADED, f"{type(error).__name__}: {error}"
    assert health is not None
    if not health.ok:
        return HealthStatus.BROKEN, health.message
    if health.rate_limit_remaining == 0:
        until = f" until {health.rate_limit_reset_at:%H:%M} UTC" if health.rate_limit_reset_at else ""
        return HealthStatus.DEGRADED, f"{health.message}; rate limit used up{until}"
    return HealthStatus.OK, health.message


def check_connection(
    actor: Actor,
    slug: str,
    *,
    engine: Engine | None = None,
    factory: ConnectorFactory | None = None,
    now: datetime | None = None,
) -> ConnectionCheck:
    """Check channel `slug` now and record the result (one audit row). Never raises for a platform
    problem: the result says what happened. Needs CONNECTIONS_MANAGE on the channel's brand."""
    engine = engine or get_engine()
    factory = factory or _default_factory
    with read_session(engine) as s:
        ch = get_channel(s, actor, slug)
        require(actor, Perm.CONNECTIONS_MANAGE, ch.brand_id)
        acc = s.scalars(select(ConnectorAccount).where(ConnectorAccount.channel_id == ch.id)).first()
        if acc is None:
            raise ValidationError(
                f"channel {ch.slug} has no connector set up (channels add --connector ...)", field="connector"
            )
        health: Health | None = None
        error: BaseException | None = None
        try:
            connector = factory(acc, ch)
        except Exception as exc:  # a missing credential or base URL is a finding, not a crash
            connector, error = None, exc
        acc_id, brand_id, kind = acc.id, ch.brand_id, acc.kind
    if connector is not None:
        try:
            health = connector.check_health()
        except Exception as exc:
            error = exc
    status, message = _judge(health, error)
    at = now or clock.now()
    with write_session(engine) as s:
        acc = s.get(ConnectorAccount, acc_id)
        assert acc is not None
        changes: dict[str, object] = {"status": status}
        if health is not None:
            changes.update(
                last_success_at=at,
                token_expires_at=health.token_expires_at,
                rate_limit_remaining=health.rate_limit_remaining,
                rate_limit_reset_at=health.rate_limit_reset_at,
            )
        if status in (HealthStatus.BROKEN, HealthStatus.DEGRADED):
            changes.update(last_error_at=at, last_error=message[:2000])
        before, _ = audit.apply_changes(acc, changes)
        audit.record(
            s,
            actor,
            "connection.check",
            "connector_account",
            acc_id,
            label=f"{slug}: {status.value}",
            brand_id=brand_id,
            before={"status": before.get("status", status.value)},
            after={"status": status.value, "message": message[:500]},
        )
    return ConnectionCheck(
        channel=slug,
        connector=ConnectorKind(kind).value,
        status=status.value,
        message=message,
        account=health.account if health else None,
        checked_at=at,
        token_expires_at=health.token_expires_at if health else None,
        rate_limit_remaining=health.rate_limit_remaining if health else None,
        rate_limit_reset_at=health.rate_limit_reset_at if health else None,
    )


def checkable_channels(actor: Actor, brand: str | None = None, *, engine: Engine | None = None) -> list[str]:
    """Slugs of the active channels with a connector that can be asked (not export files) that `actor` may
    check, for a job or a "check all" button."""
    with read_session(engine or get_engine()) as s:
        ws = current_workspace(s)
        stmt = (
            select(Channel.slug, Channel.brand_id)
            .join(Brand, Brand.id == Channel.brand_id)
            .join(ConnectorAccount, ConnectorAccount.channel_id == Channel.id)
            .where(
                Brand.workspace_id == ws.id,
                Channel.active.is_(True),
                ConnectorAccount.kind != ConnectorKind.EXPORT,
                visible_brands_clause(actor),
            )
            .order_by(Channel.slug)
        )
        if brand:
            stmt = stmt.where(Brand.slug == brand.strip().lower())
        rows = s.execute(stmt).all()
    return [slug for slug, brand_id in rows if actor.can(Perm.CONNECTIONS_MANAGE, brand_id)]


def check_connections(
    actor: Actor,
    brand: str | None = None,
    *,
    engine: Engine | None = None,
    factory: ConnectorFactory | None = None,
) -> list[ConnectionCheck]:
    """Check every channel `checkable_channels` lists, one after the other."""
    return [
        check_connection(actor, slug, engine=engine, factory=factory)
        for slug in checkable_channels(actor, brand, engine=engine)
    ]


def default_handle(
    *,
    brand: str,
    platform: str,
    connector: str | None = None,
    base_url: str | None = None,
    credential_env: str | None = None,
    factory: ConnectorFactory | None = None,
) -> tuple[str, str]:
    """A handle for a new channel when none was given, and a line saying where it came from: the account
    the token signs in as (Mastodon, Bluesky), else "@<brand>". Writes nothing."""
    plat = validation.choice(Platform, platform, "platform")
    kind = (
        validation.choice(ConnectorKind, connector, "connector")
        if connector
        else DEFAULT_CONNECTOR.get(plat, ConnectorKind.MANUAL)
    )
    env = (credential_env or "").strip()
    if kind in (ConnectorKind.MASTODON, ConnectorKind.BLUESKY) and base_url and env:
        if not ENV_NAME_RE.match(env):
            raise ValidationError(
                "credential: give the NAME of the environment variable that holds the token, never the token",
                field="credential_env",
            )
        account = ConnectorAccount(
            kind=kind, base_url=base_url.strip().rstrip("/"), credential_env=env, settings={}
        )
        channel = Channel(platform=plat, handle="", slug="new-channel")
        try:
            health = (factory or _default_factory)(account, channel).check_health()
        except ConnectorError as exc:
            raise ValidationError(
                f"handle: could not learn it from {base_url} ({exc}); pass --handle", field="handle"
            ) from None
        if not health.account:
            raise ValidationError(
                f"handle: {base_url} did not say whose token this is; pass --handle", field="handle"
            )
        return health.account, f"handle {health.account} learned from {base_url}"
    slug = (brand or "").strip().lower()
    return f"@{slug}", f"handle defaulted to @{slug} (pass --handle to set it)"
