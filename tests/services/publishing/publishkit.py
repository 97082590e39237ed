"""A small world for the publishing tests: one workspace, brands, people, channels with their connector
accounts, and approved posts scheduled on them (written directly, as the workflow leaves them)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Engine, func, select

from app.db import read_session, write_session
from app.models import Brand, Channel, ConnectorAccount, Market, Post, PostVariant, User, Workspace
from app.models.enums import ConnectorKind, Platform, PostStatus, Role
from app.services.core import Actor, clock


@dataclass(frozen=True)
class World:
    workspace_id: int
    brand_ids: tuple[int, ...]
    owner_id: int
    owner: Actor
    manager: Actor
    editor: Actor


def make_world(engine: Engine, brands: int = 2) -> World:
    with write_session(engine) as s:
        ws = Workspace(slug="pub", name="Publishing test agency")
        s.add(ws)
        s.flush()
        market = Market(
            workspace_id=ws.id,
            code="sg",
            name="Singapore",
            country_code="SG",
            timezone="Asia/Singapore",
            currency="SGD",
        )
        s.add(market)
        s.flush()
        bs = [
            Brand(workspace_id=ws.id, slug=f"b{i}", name=f"Brand {i}", market_id=market.id)
            for i in range(brands)
        ]
        s.add_all(bs)
        owner = User(workspace_id=ws.id, email="owner@pub.example", name="Olive Owner", role=Role.EDITOR)
        manager = User(workspace_id=ws.id, email="manager@pub.example", name="Max Manager", role=Role.MANAGER)
        s.add_all([owner, manager])
        s.flush()
        return World(
            ws.id,
            tuple(b.id for b in bs),
            owner.id,
            Actor(email=owner.email, name=owner.name, user_id=owner.id, workspace_role=Role.EDITOR),
            Actor(email=manager.email, name=manager.name, user_id=manager.id, workspace_role=Role.MANAGER),
            Actor(email=owner.email, name=owner.name, user_id=owner.id, workspace_role=Role.EDITOR),
        )


def add_channel(
    engine: Engine,
    brand_id: int,
    *,
    platform: Platform = Platform.MASTODON,
    kind: ConnectorKind | None = ConnectorKind.MASTODON,
    base_url: str | None = None,
    credential_env: str | None = None,
    handle: str = "@brand",
) -> int:
    with write_session(engine) as s:
        n = s.scalar(select(func.count()).select_from(Channel)) or 0
        ch = Channel(
            brand_id=brand_id, platform=platform, handle=f"{handle}{n}", slug=f"ch-{n}-{platform.value}"
        )
        s.add(ch)
        s.flush()
        if kind is not None:
            s.add(
                ConnectorAccount(
                    channel_id=ch.id, kind=kind, base_url=base_url, credential_env=credential_env
                )
            )
        return ch.id


def add_due_posts(
    engine: Engine,
    world: World,
    channel_ids: Sequence[int],
    count: int = 1,
    *,
    at: datetime | None = None,
    text: str = "Hello from the publishing test",
) -> list[int]:
    """`count` scheduled posts, each with one scheduled variant per channel, due at `at` (a minute ago by
    default). Returns the post ids."""
    at = at or clock.now() - timedelta(minutes=1)
    with write_session(engine) as s:
        brand_of = dict(
            s.execute(select(Channel.id, Channel.brand_id).where(Channel.id.in_(channel_ids))).all()
        )
        brand_id = brand_of[channel_ids[0]]
        posts = []
        for i in range(count):
            post = Post(
                brand_id=brand_id,
                title=f"Post {i + 1}",
                master_copy=f"{text} #{i + 1}",
                status=PostStatus.SCHEDULED,
                owner_id=world.owner_id,
                created_by_id=world.owner_id,
            )
            post.variants = [
                PostVariant(
                    channel_id=cid,
                    brand_id=brand_id,
                    copy=f"{text} #{i + 1} on channel {cid}",
                    status=PostStatus.SCHEDULED,
                    scheduled_at=at,
                )
                for cid in channel_ids
            ]
            posts.append(post)
        s.add_all(posts)
        s.flush()
        return [p.id for p in posts]


def variants_of(engine: Engine, post_ids: Sequence[int]) -> list[PostVariant]:
    with read_session(engine) as s:
        return list(
            s.scalars(
                select(PostVariant).where(PostVariant.post_id.in_(list(post_ids))).order_by(PostVariant.id)
            )
        )


def post_status(engine: Engine, post_id: int) -> PostStatus:
    with read_session(engine) as s:
        return s.get(Post, post_id).status
