"""How each channel's connection is doing, for the Jobs & connections page: its connector, status, last
success and error in the platform's words, token expiry and rate-limit headroom."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import Brand, Channel, ConnectorAccount
from app.services.core import Actor, Perm, require_brands

HEALTH_COLUMNS = [
    "channel",
    "brand",
    "platform",
    "connector",
    "status",
    "last success",
    "last error at",
    "last error",
    "token expires",
    "rate limit left",
    "rate limit resets",
]
NOT_CONNECTED = "not connected"


def connector_health(session: Session, actor: Actor, brand_ids: Sequence[int]) -> pd.DataFrame:
    """Every active channel of the brands with its connector's health; a channel without a connector is
    listed as not connected (nothing publishes or imports there automatically)."""
    brand_ids = require_brands(actor, Perm.CONNECTIONS_VIEW, brand_ids)
    if not brand_ids:
        return pd.DataFrame(columns=HEALTH_COLUMNS)
    a = ConnectorAccount
    rows = session.execute(
        select(
            Channel.slug,
            Brand.name,
            Channel.platform,
            a.kind,
            a.status,
            a.last_success_at,
            a.last_error_at,
            a.last_error,
            a.token_expires_at,
            a.rate_limit_remaining,
            a.rate_limit_reset_at,
        )
        .join(Brand, Brand.id == Channel.brand_id)
        .outerjoin(a, a.channel_id == Channel.id)
        .where(Channel.brand_id.in_(brand_ids), Channel.active.is_(True))
        .order_by(Brand.name, Channel.platform, Channel.slug)
    ).all()
    data = [
        (
            slug,
            brand,
            platform.value,
            kind.value if kind else "",
            status.value if status else NOT_CONNECTED,
            ok_at,
            err_at,
            err or "",
            token,
            remaining,
            reset,
        )
        for slug, brand, platform, kind, status, ok_at, err_at, err, token, remaining, reset in rows
    ]
    return pd.DataFrame(data, columns=HEALTH_COLUMNS)
