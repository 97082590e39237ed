"""What the SOP service tests share: demo people, and real posts, variants, assets (linked through
variant_assets), approval requests and templates made in the test's own database."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

import pytest
from sqlalchemy import Engine, insert, select

from app.db import dispose_engine, read_session, write_session
from app.models import (
    ApprovalDecision,
    ApprovalFlow,
    ApprovalRequest,
    ApprovalStage,
    Asset,
    Brand,
    Channel,
    Post,
    PostVariant,
    User,
    variant_assets,
)
from app.models.enums import ApprovalRequestStatus, AssetKind, Decision, PostStatus, PostType
from app.services.core import Actor, clock
from app.services.org import users
from app.services.sops import templates as sop_templates

ADMIN = "admin@kopi.example"
LEAD = "mei.lim@kopi.example"  # manager, workspace-wide
EDITOR = "farah.aziz@kopi.example"  # editor, workspace-wide
CM = "weiling.chua@kopi.example"  # community manager, workspace-wide
VIEWER = "jon.lee@kopi.example"
WARISAN_APPROVER = "rachel.ng@kopi.example"  # approver on warisan only
LEGAL = "priya.nair@kopi.example"  # named approver of lumi's legal stage
SOON = clock.now() + timedelta(days=3)


@pytest.fixture(autouse=True)
def release_connections(request: pytest.FixtureRequest) -> Iterator[None]:
    """A test's private database otherwise keeps its pooled connections until the session ends, and a
    PostgreSQL run of the whole suite then runs out of server connections. Import it into a module."""
    engine = request.getfixturevalue("demo_db") if "demo_db" in request.fixturenames else None
    yield
    if engine is not None:
        dispose_engine(engine.url.render_as_string(hide_password=False))


def actor(engine: Engine, email: str) -> Actor:
    with read_session(engine) as s:
        a = users.load_actor(s, email)
    assert a is not None, email
    return a


def brand_id(engine: Engine, slug: str) -> int:
    with read_session(engine) as s:
        return s.scalars(select(Brand.id).where(Brand.slug == slug)).one()


@dataclass(frozen=True)
class MadePost:
    id: int
    variant_ids: list[int]
    platforms: list[str]  # as the checks name them ("Instagram")


def make_post(
    engine: Engine,
    brand_slug: str,
    copies: Sequence[str] = ("Hello",),
    *,
    title: str = "SOP test post",
    post_type: PostType = PostType.IMAGE,
    link_url: str | None = None,
    campaign_id: int | None = None,
    brief_id: int | None = None,
    scheduled_at: datetime | None = SOON,
    status: PostStatus = PostStatus.DRAFT,
) -> MadePost:
    """A post with one variant per copy, on the brand's first channels in order."""
    with write_session(engine) as s:
        brand = s.scalars(select(Brand).where(Brand.slug == brand_slug)).one()
        channels = s.scalars(select(Channel).where(Channel.brand_id == brand.id).order_by(Channel.id)).all()
        post = Post(
            brand_id=brand.id,
            title=title,
            master_copy=copies[0] if copies else "",
            link_url=link_url,
            post_type=post_type,
            status=status,
            campaign_id=campaign_id,
            brief_id=brief_id,
        )
        for channel, copy in zip(channels, copies, strict=False):
            post.variants.append(
                PostVariant(
                    channel_id=channel.id,
                    brand_id=brand.id,
                    copy=copy,
                    status=status,
                    scheduled_at=scheduled_at,
                )
            )
        s.add(post)
        s.flush()
        return MadePost(
            post.id, [v.id for v in post.variants], [c.platform.label for c in channels[: len(copies)]]
        )


def make_asset(
    engine: Engine,
    brand_slug: str,
    name: str,
    *,
    alt_text: str = "",
    kind: AssetKind = AssetKind.IMAGE,
    rights_expire_at: datetime | None = None,
) -> int:
    with write_session(engine) as s:
        bid = s.scalars(select(Brand.id).where(Brand.slug == brand_slug)).one()
        asset = Asset(
            brand_id=bid,
            filename=name,
            storage_path=f"test/{name}",
            content_hash=hashlib.sha256(f"sop-test-{name}".encode()).hexdigest(),
            mime_type="image/jpeg" if kind == AssetKind.IMAGE else "video/mp4",
            kind=kind,
            size_bytes=1234,
            alt_text=alt_text,
            rights_expire_at=rights_expire_at,
        )
        s.add(asset)
        s.flush()
        return asset.id


def attach(
    engine: Engine, variant_id: int, asset_id: int, position: int = 0, alt_text: str | None = None
) -> None:
    with write_session(engine) as s:
        s.execute(
            insert(variant_assets).values(
                variant_id=variant_id, asset_id=asset_id, position=position, alt_text=alt_text
            )
        )


def legal_position(engine: Engine, brand_slug: str = "lumi") -> int:
    with read_session(engine) as s:
        return s.scalars(
            select(ApprovalStage.position)
            .join(ApprovalFlow, ApprovalFlow.id == ApprovalStage.flow_id)
            .join(Brand, Brand.id == ApprovalFlow.brand_id)
            .where(Brand.slug == brand_slug, ApprovalStage.name.ilike("%legal%"))
        ).one()


def request_approval(
    engine: Engine,
    post_id: int,
    *,
    at_position: int,
    approved_at: Sequence[int] = (),
    status: ApprovalRequestStatus = ApprovalRequestStatus.PENDING,
    round: int = 1,
    decider: str = LEGAL,
) -> int:
    """An approval request of the post on its brand's flow, waiting at `at_position`, with an approve
    decision by `decider` at each stage position in `approved_at`."""
    with write_session(engine) as s:
        post = s.get(Post, post_id)
        flow = s.scalars(select(ApprovalFlow).where(ApprovalFlow.brand_id == post.brand_id)).first()
        who = s.scalars(select(User.id).where(User.email == decider)).one()
        req = ApprovalRequest(
            post_id=post_id, flow_id=flow.id, round=round, status=status, current_position=at_position
        )
        s.add(req)
        s.flush()
        stages = {
            st.position: st.id
            for st in s.scalars(select(ApprovalStage).where(ApprovalStage.flow_id == flow.id))
        }
        for pos in approved_at:
            s.add(
                ApprovalDecision(
                    request_id=req.id, stage_id=stages[pos], decided_by_id=who, decision=Decision.APPROVE
                )
            )
        return req.id


def make_template(
    engine: Engine,
    steps: Sequence[sop_templates.StepInput | dict],
    *,
    name: str = "Test checklist",
    applies_to: str = "post",
    brand: str | None = None,
    email: str = LEAD,
) -> str:
    with write_session(engine) as s:
        return sop_templates.create_template(
            s, actor(engine, email), name=name, applies_to=applies_to, steps=steps, brand=brand
        ).slug
