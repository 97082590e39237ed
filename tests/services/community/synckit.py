"""What the inbox and metrics sync tests share: a lumi channel connected to an account on a local server
(its credential in an environment variable, as in production), and a variant published there."""

from __future__ import annotations

from datetime import timedelta
from itertools import count
from typing import Any

import pytest
from sqlalchemy import Engine, select

from app.db import write_session
from app.models import Brand, Channel, Post, PostVariant
from app.models.enums import PostStatus
from app.services.core import Actor, clock
from app.services.org import channels

SYSTEM = Actor.system("test:sync")
_n = count(1)


def connect_channel(
    engine: Engine,
    monkeypatch: pytest.MonkeyPatch,
    *,
    platform: str,
    handle: str,
    base_url: str,
    credential: str,
) -> int:
    """A new active lumi channel for `handle` on `base_url`; returns its id."""
    env = f"SOH_TEST_SYNC_TOKEN_{next(_n)}"
    monkeypatch.setenv(env, credential)
    with write_session(engine) as s:
        info = channels.create_channel(
            s,
            SYSTEM,
            brand="lumi",
            platform=platform,
            handle=handle,
            slug=f"lumi-{platform}-{next(_n)}",
            connector=platform,
            base_url=base_url,
            credential_env=env,
        )
        return s.scalars(select(Channel.id).where(Channel.slug == info.slug)).one()


def mastodon_channel(
    engine: Engine, monkeypatch: pytest.MonkeyPatch, server: Any, token: str | None = None
) -> tuple[Any, int]:
    """A new account on the local Mastodon server and a new lumi channel connected to it (with `token`
    instead of the account's own, to test a wrong one); returns (account, channel id)."""
    account = server.create_account()
    channel_id = connect_channel(
        engine,
        monkeypatch,
        platform="mastodon",
        handle=f"@{account.username}",
        base_url=server.base_url,
        credential=token or account.access_token,
    )
    return account, channel_id


def published_variant(engine: Engine, channel_id: int, external_id: str, days_ago: float = 0.1) -> int:
    """A variant of a published lumi post (one not yet on this channel), out on the channel as
    `external_id`."""
    with write_session(engine) as s:
        brand_id = s.scalars(select(Brand.id).where(Brand.slug == "lumi")).one()
        used = select(PostVariant.post_id).where(PostVariant.channel_id == channel_id)
        post_id = s.scalars(
            select(Post.id)
            .where(Post.brand_id == brand_id, Post.status == PostStatus.PUBLISHED, Post.id.not_in(used))
            .order_by(Post.id)
        ).first()
        variant = PostVariant(
            post_id=post_id,
            channel_id=channel_id,
            brand_id=brand_id,
            copy="sync test",
            status=PostStatus.PUBLISHED,
            published_at=clock.now() - timedelta(days=days_ago),
            external_id=external_id,
        )
        s.add(variant)
        s.flush()
        return variant.id
