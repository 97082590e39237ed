"""The pillar mix of a period against the pillars' target shares (per brand, archived pillars that still
have posts, the posts with no pillar, in words people read), and one campaign's panel: objective with
its KPI target against actual, dates, budget with currency, spend not tracked, posts by status."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pandas as pd
import pytest
from sqlalchemy import Engine, select

from app.db import read_session, write_session
from app.models import (
    Brand,
    Channel,
    ChannelDailyMetric,
    ContentPillar,
    Post,
    PostMetricSnapshot,
    PostVariant,
)
from app.models.enums import PostStatus
from app.services.core import Actor, NotFound, clock
from app.services.measurement import campaign_panel, pillar_mix
from app.services.org import users
from app.services.strategy import campaigns, objectives, pillars

ADMIN = Actor.system("test:admin")
EDITOR = "farah.aziz@kopi.example"
# Long before anything the demo writes (its data is relative to today).
START, END = date(2001, 3, 1), date(2001, 3, 31)


def _actor(engine: Engine, email: str) -> Actor:
    with read_session(engine) as s:
        a = users.load_actor(s, email)
    assert a is not None
    return a


def _post(
    s, brand: str, pillar: int | None, when: datetime, status=PostStatus.SCHEDULED, campaign=None
) -> None:  # type: ignore[no-untyped-def]
    brand_id = s.scalars(select(Brand.id).where(Brand.slug == brand)).one()
    channel = s.scalars(select(Channel.id).where(Channel.brand_id == brand_id).order_by(Channel.id)).first()
    post = Post(brand_id=brand_id, title="p", pillar_id=pillar, campaign_id=campaign, status=status)
    s.add(post)
    s.flush()
    published = when if status == PostStatus.PUBLISHED else None
    s.add(PostVariant(post_id=post.id, channel_id=channel, brand_id=brand_id, status=status,
                      scheduled_at=when, published_at=published))  # fmt: skip


def _pillar_ids(s) -> dict[str, int]:  # type: ignore[no-untyped-def]
    brand_id = s.scalars(select(Brand.id).where(Brand.slug == "warisan")).one()
    return dict(
        s.execute(
            select(ContentPillar.name, ContentPillar.id).where(ContentPillar.brand_id == brand_id)
        ).all()
    )


def test_the_mix_against_target_shares_in_words(demo_db: Engine) -> None:
    at = datetime(2001, 3, 10, 9, tzinfo=UTC)
    with write_session(demo_db) as s:
        p = _pillar_ids(s)  # demo targets: Menu 30, Heritage 20, Promos 25, Behind 15, Festive 10
        for pillar in (
            [p["Menu & makan"]] * 4 + [p["Heritage stories"]] * 2 + [p["Festive moments"]] + [None] * 3
        ):
            _post(s, "warisan", pillar, at, PostStatus.PUBLISHED)
        # Not counted: archived, outside the period, another brand's.
        _post(s, "warisan", p["Menu & makan"], at, PostStatus.ARCHIVED)
        _post(s, "warisan", p["Menu & makan"], datetime(2001, 4, 1, 0, 30, tzinfo=UTC))
        _post(s, "lumi", None, at)
        pillars.archive_pillar(s, ADMIN, p["Festive moments"])
    editor = _actor(demo_db, EDITOR)
    with read_session(demo_db) as s:
        brand_id = s.scalars(select(Brand.id).where(Brand.slug == "warisan")).one()
        rows = pillar_mix.pillar_mix(s, editor, [brand_id], START, END)
    assert {r.total_posts for r in rows} == {10}
    table = pillar_mix.mix_frame(rows)
    assert table.values.tolist() == [
        ["Warisan Kopitiam", "Behind the counter", "15%", "0%", "-15 pts", 0],
        ["Warisan Kopitiam", "Heritage stories", "20%", "20%", "on target", 2],
        ["Warisan Kopitiam", "Menu & makan", "30%", "40%", "+10 pts", 4],
        ["Warisan Kopitiam", "Promos & deals", "25%", "0%", "-25 pts", 0],
        ["Warisan Kopitiam", "Festive moments (archived)", "no target", "10%", "—", 1],
        ["Warisan Kopitiam", "No pillar", "no target", "30%", "—", 3],
    ]
    # An empty period: every active pillar, nothing actual, no difference claimed.
    with read_session(demo_db) as s:
        empty = pillar_mix.mix_frame(
            pillar_mix.pillar_mix(s, editor, [brand_id], date(2000, 1, 1), date(2000, 1, 31))
        )
    assert set(empty["actual share"]) == {"—"} and set(empty["difference"]) == {"—"} and len(empty) == 4


def test_text_helpers() -> None:
    assert [pillar_mix.share_text(x) for x in (30, 33.333, None)] == ["30%", "33%", "—"]
    assert [pillar_mix.points_text(x) for x in (5.2, -3.6, 0.4, None)] == [
        "+5 pts",
        "-4 pts",
        "on target",
        "—",
    ]
    assert campaign_panel.money_text(Decimal("12000"), "MYR") == "MYR 12,000.00"
    assert campaign_panel.money_text(None, "MYR") == "no budget set"
    assert campaign_panel.date_range_text(date(2027, 3, 1), date(2027, 3, 31)) == "1 Mar – 31 Mar 2027"


def test_a_campaign_panel_shows_objective_kpi_budget_posts_and_no_spend(demo_db: Engine) -> None:
    with write_session(demo_db) as s:
        p = _pillar_ids(s)
        objective = objectives.create_objective(
            s, ADMIN, brand="warisan", name="Be seen in March", kind="awareness", kpi_metric="impressions",
            target_value=1000, period_start=START, period_end=END,
        )  # fmt: skip
        camp = campaigns.create_campaign(
            s, ADMIN, brand="warisan", slug="march-2001", name="March 2001", start_date=START, end_date=END,
            objective=objective.id, pillars=[p["Menu & makan"]], budget="12000", currency="MYR",
        )  # fmt: skip
        brand_id = s.scalars(select(Brand.id).where(Brand.slug == "warisan")).one()
        channel = s.scalars(select(Channel.id).where(Channel.brand_id == brand_id)).first()
        for day, n in ((date(2001, 3, 2), 600), (date(2001, 3, 3), 700)):
            s.add(ChannelDailyMetric(channel_id=channel, brand_id=brand_id, date=day, impressions=n))
        at = datetime(2001, 3, 10, tzinfo=UTC)
        for status in (PostStatus.PUBLISHED, PostStatus.PUBLISHED, PostStatus.DRAFT):
            _post(s, "warisan", None, at, status, campaign=camp.id)
    editor = _actor(demo_db, EDITOR)
    with read_session(demo_db) as s:
        c = campaign_panel.campaign_summary(s, editor, camp.id)
    assert (c.name, c.brand, c.status, c.dates) == (
        "March 2001",
        "Warisan Kopitiam",
        "Planned",
        "1 Mar – 31 Mar 2001",
    )
    assert c.timing.startswith("ended ") and c.timing.endswith(" days ago")
    assert (c.budget, c.spend) == ("MYR 12,000.00", "not tracked")
    assert c.objective == "Be seen in March (awareness)"
    assert c.kpi is not None
    assert (c.kpi.target, c.kpi.actual, c.kpi.met) == ("1,000", "1,300", True)
    assert c.kpi.measured == "1 Mar – 31 Mar 2001"
    assert c.posts_by_status == (("Draft", 1), ("Published", 2))
    assert (c.pillars, c.utm_campaign) == (("Menu & makan",), "march-2001")
    with write_session(demo_db) as s:
        campaigns.archive_campaign(s, ADMIN, camp.id)
        bare = campaigns.create_campaign(
            s, ADMIN, brand="warisan", slug="bare", name="Bare", start_date=clock.today() + timedelta(days=3),
            end_date=clock.today() + timedelta(days=10),
        )  # fmt: skip
    with read_session(demo_db) as s:
        assert campaign_panel.campaign_summary(s, editor, camp.id).name == "March 2001 (archived)"
        b = campaign_panel.campaign_summary(s, editor, bare.id)
    assert (b.objective, b.kpi, b.budget, b.posts_by_status, b.timing) == (
        "no objective set", None, "no budget set", (), "starts in 3 days",
    )  # fmt: skip
    outsider = Actor(email="x@y.test", name="x", brand_roles={})
    with read_session(demo_db) as s, pytest.raises(NotFound):
        campaign_panel.campaign_summary(s, outsider, camp.id)


def test_a_campaign_lists_its_posts_per_channel_latest_first_with_engagements(demo_db: Engine) -> None:
    with write_session(demo_db) as s:
        camp = campaigns.create_campaign(
            s, ADMIN, brand="warisan", slug="posts-2001", name="Posts 2001", start_date=START, end_date=END,
        )  # fmt: skip
        brand_id = s.scalars(select(Brand.id).where(Brand.slug == "warisan")).one()
        channel = s.scalars(select(Channel).where(Channel.brand_id == brand_id).order_by(Channel.id)).first()
        out = Post(brand_id=brand_id, title="Out", campaign_id=camp.id, status=PostStatus.PUBLISHED)
        soon = Post(brand_id=brand_id, title="Soon", campaign_id=camp.id, status=PostStatus.SCHEDULED)
        other = Post(brand_id=brand_id, title="Not in it", status=PostStatus.PUBLISHED)
        s.add_all([out, soon, other])
        s.flush()
        published = PostVariant(
            post_id=out.id, channel_id=channel.id, brand_id=brand_id, status=PostStatus.PUBLISHED,
            scheduled_at=datetime(2001, 3, 5, 9, tzinfo=UTC), published_at=datetime(2001, 3, 5, 9, 1, tzinfo=UTC),
            permalink="https://example.test/out",
        )  # fmt: skip
        s.add_all([
            published,
            PostVariant(post_id=soon.id, channel_id=channel.id, brand_id=brand_id, status=PostStatus.SCHEDULED,
                        scheduled_at=datetime(2001, 3, 20, 9, tzinfo=UTC)),
            PostVariant(post_id=other.id, channel_id=channel.id, brand_id=brand_id, status=PostStatus.PUBLISHED,
                        published_at=datetime(2001, 3, 6, tzinfo=UTC)),
        ])  # fmt: skip
        s.flush()
        for hours, n in ((1, 12), (30, 40)):  # the later read counts
            s.add(PostMetricSnapshot(variant_id=published.id, brand_id=brand_id, engagements=n,
                                     captured_at=datetime(2001, 3, 5, 9, tzinfo=UTC) + timedelta(hours=hours)))  # fmt: skip
        label = f"{channel.platform.label} {channel.display_name or channel.handle}"
    editor = _actor(demo_db, EDITOR)
    with read_session(demo_db) as s:
        posts = campaign_panel.campaign_posts(s, editor, camp.id)
    assert posts.columns.tolist() == ["post", "channel", "status", "time", "engagements", "link"]
    rows = posts.to_dict("records")
    assert [(r["post"], r["channel"], r["status"]) for r in rows] == [
        ("Soon", label, "Scheduled"),
        ("Out", label, "Published"),
    ]
    assert rows[1]["engagements"] == 40 and rows[1]["link"] == "https://example.test/out"
    assert rows[1]["time"].strftime("%d %H:%M") == "05 09:01"
    assert pd.isna(rows[0]["link"]) and pd.isna(rows[0]["engagements"])  # not out, nothing read yet
    outsider = Actor(email="x@y.test", name="x", brand_roles={})
    with read_session(demo_db) as s, pytest.raises(NotFound):
        campaign_panel.campaign_posts(s, outsider, camp.id)
