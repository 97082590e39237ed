"""The feed preview: the next approved or scheduled variants of one channel in publishing order, with the
first picture resolved safely inside the assets folder."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from caldata import add_asset, add_variant, make_brand
from sqlalchemy import Engine

from app.db import read_session, write_session
from app.models import Brand
from app.models.enums import AssetKind, Role
from app.services.content.assets.media import assets_root
from app.services.content.feed_preview import feed_preview, is_grid
from app.services.core import Actor, NotFound, ValidationError

NOW = datetime(2030, 3, 1, 12, 0, tzinfo=UTC)
SYSTEM = Actor.system("test:feed")


def at(hours: float) -> datetime:
    return NOW + timedelta(hours=hours)


@pytest.fixture
def feed(demo_db: Engine) -> dict:
    root = assets_root()
    (root / "feedtest" / "thumbs").mkdir(parents=True, exist_ok=True)
    (root / "feedtest" / "a.png").write_bytes(b"png")
    (root / "feedtest" / "thumbs" / "v.jpg").write_bytes(b"jpg")
    with write_session(demo_db) as s:
        brand, ch = make_brand(s, "feedbrand", platforms=("instagram", "linkedin"))
        ig = ch["instagram"]
        add_variant(s, brand, ig, title="Yesterday", when=at(-24), status="scheduled")
        add_variant(s, brand, ig, title="Draft", when=at(2), status="draft")
        add_variant(s, brand, ig, title="In review", when=at(3), status="in_review")
        third = add_variant(s, brand, ig, title="Third", when=at(30), status="scheduled", copy="third copy")
        first = add_variant(s, brand, ig, title="First", when=at(1), status="approved")
        second = add_variant(s, brand, ig, title="Second", when=at(5), status="scheduled")
        add_variant(s, brand, ch["linkedin"], title="Elsewhere", when=at(4), status="scheduled")
        add_asset(s, brand, first, storage_path="feedtest/a.png", position=0, alt="Own alt")
        add_asset(s, brand, first, storage_path="feedtest/other.png", position=1)
        add_asset(
            s,
            brand,
            second,
            storage_path="feedtest/v.mp4",
            kind=AssetKind.VIDEO,
            extra={"thumbnail": "feedtest/thumbs/v.jpg"},
        )
        add_asset(s, brand, third, storage_path="../../etc/passwd")
        return {"engine": demo_db, "brand": brand.id, "ig": ig.id, "li": ch["linkedin"].id}


def test_next_posts_in_publishing_order(feed: dict) -> None:
    with read_session(feed["engine"]) as s:
        items = feed_preview(s, SYSTEM, feed["ig"], now=NOW)
        assert [i.title for i in items] == ["First", "Second", "Third"]
        assert [i.title for i in feed_preview(s, SYSTEM, feed["ig"], n=2, now=NOW)] == ["First", "Second"]
        assert [i.title for i in feed_preview(s, SYSTEM, feed["li"], now=NOW)] == ["Elsewhere"]
    assert items[2].copy == "third copy" and items[0].status == "approved"
    assert items[0].scheduled_at == at(1)
    assert items[0].local_time.utcoffset() == timedelta(hours=8), "market time of the brand"


def test_pictures_are_resolved_safely(feed: dict) -> None:
    with read_session(feed["engine"]) as s:
        first, second, third = feed_preview(s, SYSTEM, feed["ig"], now=NOW)
    root = assets_root()
    assert first.thumbnail == root / "feedtest" / "a.png", "the first image by position"
    assert first.alt_text == "Own alt"
    assert second.thumbnail == root / "feedtest" / "thumbs" / "v.jpg", "a video shows its stored thumbnail"
    assert third.thumbnail is None, "a path leaving the assets folder is never read"


def test_layout_and_limits(feed: dict) -> None:
    assert is_grid("instagram") and is_grid("tiktok") and not is_grid("linkedin")
    with read_session(feed["engine"]) as s:
        with pytest.raises(ValidationError):
            feed_preview(s, SYSTEM, feed["ig"], n=0)
        stranger = Actor(email="s@feed.test", brand_roles={feed["brand"] + 999: Role.EDITOR})
        with pytest.raises(NotFound):
            feed_preview(s, stranger, feed["ig"], now=NOW)
        viewer = Actor(email="v@feed.test", brand_roles={feed["brand"]: Role.VIEWER})
        assert len(feed_preview(s, viewer, feed["ig"], now=NOW)) == 3
        assert s.get(Brand, feed["brand"]) is not None
