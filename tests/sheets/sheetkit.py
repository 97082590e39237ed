"""What the Sheets tests share: posts made through the composer, the calendar tab's rows by ID, and the
state of a record as the database has it."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import Engine, select

from app.db import read_session, write_session
from app.models import Brand, Channel, Market, Post, PostVariant, SheetProblem
from app.models.enums import Platform, PostStatus
from app.models.sheets import ProblemStatus
from app.services.content import composer, drafts
from app.services.core import Actor, clock
from app.services.org import users

CAL = "Calendar"
SGT = ZoneInfo("Asia/Singapore")


def person(engine: Engine, email: str) -> Actor:
    with read_session(engine) as s:
        actor = users.load_actor(s, email)
    assert actor is not None
    return actor


def soon(days: int = 3, hour: int = 10) -> datetime:
    return (clock.now() + timedelta(days=days)).replace(hour=hour, minute=0, second=0, microsecond=0)


def local(when: datetime) -> str:
    """A time as the calendar sheet shows it (the brand's zone, to the minute)."""
    return when.astimezone(SGT).strftime("%Y-%m-%d %H:%M")


def make_post(
    engine: Engine,
    email: str,
    title: str,
    *,
    copy: str = "Hello from the test",
    when: datetime | None = None,
    channel: str = "lumi-facebook",
    post_type: str = "text",
) -> int:
    """A draft on one channel; returns its variant id (the calendar row's ID)."""
    with write_session(engine) as s:
        saved = composer.create_post(
            s,
            person(engine, email),
            "lumi",
            drafts.PostDraft(
                title=title,
                master_copy=copy,
                post_type=post_type,
                variants=(drafts.VariantDraft(channel, copy, when or soon()),),
            ),
        )
        return int(s.scalar(select(PostVariant.id).where(PostVariant.post_id == saved.post_id)))


def post_of(engine: Engine, variant_id: int) -> tuple[Post, PostVariant]:
    with read_session(engine) as s:
        variant = s.get(PostVariant, variant_id)
        assert variant is not None
        return s.get(Post, variant.post_id), variant


def open_problems(engine: Engine) -> list[SheetProblem]:
    with read_session(engine) as s:
        return list(
            s.scalars(
                select(SheetProblem)
                .where(SheetProblem.status == ProblemStatus.OPEN)
                .order_by(SheetProblem.id)
            )
        )


def bulk_brand(db: Engine, slug: str, rows: int, every: timedelta = timedelta(minutes=70)) -> None:
    """A brand of its own with `rows` drafts on one channel, one every `every` from tomorrow (the
    Sheets tests and benchmarks/sheets_sync.py)."""
    with write_session(db) as s:
        market = (
            s.scalars(select(Market).where(Market.code == "sg")).first() or s.scalars(select(Market)).first()
        )
        brand = Brand(workspace_id=1, slug=slug, name=f"Bulk {slug}", market_id=market.id)
        s.add(brand)
        s.flush()
        channel = Channel(
            brand_id=brand.id, platform=Platform.FACEBOOK, handle=f"@{slug}", slug=f"{slug}-facebook"
        )
        s.add(channel)
        s.flush()
        start = clock.now().replace(minute=0, second=0, microsecond=0) + timedelta(days=1)
        for n in range(rows):
            post = Post(brand_id=brand.id, title=f"{slug} post {n}", master_copy="x", status=PostStatus.DRAFT)
            s.add(post)
            s.flush()
            s.add(
                PostVariant(
                    post_id=post.id,
                    channel_id=channel.id,
                    brand_id=brand.id,
                    copy=f"copy {n}",
                    status=PostStatus.DRAFT,
                    scheduled_at=start + every * n,
                )
            )
        s.flush()
