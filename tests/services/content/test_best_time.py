"""Best time to post on data with a known pattern: the channel's own history picks the hour that
engages, in market time; thin cells are smoothed so one lucky post does not win; a thin channel falls
back to the pooled history of its platform and says so; the explanation says how it was computed."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from caldata import add_snapshot, add_variant, make_brand
from sqlalchemy import Engine

from app.db import read_session, write_session
from app.models import Brand, Channel
from app.models.enums import Role
from app.services.content.best_time import PRIOR_POSTS, smooth, suggest_slots
from app.services.core import Actor, NotFound, ValidationError

NOW = datetime(2031, 6, 4, 12, 0, tzinfo=UTC)  # far from the demo's data, so only ours is in the window
SYSTEM = Actor.system("test:best-time")
TUE, WED, THU, SAT = 1, 2, 3, 5


def local(weeks_ago: int, weekday: int, hour: int, tz: str) -> datetime:
    """UTC time of `weekday` at `hour` (market time) in the week `weeks_ago` weeks before NOW's week."""
    today = NOW.astimezone(ZoneInfo(tz)).date()
    monday = today - timedelta(days=today.weekday(), weeks=weeks_ago)
    day: date = monday + timedelta(days=weekday)
    return datetime.combine(day, time(hour), ZoneInfo(tz)).astimezone(UTC)


def published(s, brand: Brand, ch: Channel, when: datetime, impressions: int, engagements: int) -> None:  # type: ignore[no-untyped-def]
    v = add_variant(s, brand, ch, title="p", when=when, status="published", published_at=when)
    add_snapshot(s, v, impressions, engagements, when + timedelta(days=2))


@pytest.fixture
def history(demo_db: Engine) -> dict:
    """Singapore Instagram channel: Tuesdays 19:00 engage at 10%, other hours at 2%, one Saturday 03:00
    post at 20%. A Jakarta Instagram channel with three posts; an X channel that must not be pooled."""
    sg = "Asia/Singapore"
    with write_session(demo_db) as s:
        brand, ch = make_brand(s, "besttime", tz=sg, platforms=("instagram", "x"))
        ig = ch["instagram"]
        for w in range(1, 11):
            published(s, brand, ig, local(w, TUE, 19, sg), 1000, 100)
            published(s, brand, ig, local(w, WED, 9, sg), 1000, 20)
            published(s, brand, ig, local(w, THU, 12, sg), 1000, 20)
            published(s, brand, ch["x"], local(w, TUE, 19, sg), 1000, 900)
        published(s, brand, ig, local(2, SAT, 3, sg), 1000, 200)
        # The latest snapshot counts: this Thursday post read 90% early, 2% later.
        v = add_variant(s, brand, ig, title="p", when=local(3, THU, 12, sg), status="published")
        v.published_at = v.scheduled_at
        add_snapshot(s, v, 100, 90, v.published_at + timedelta(hours=1))
        add_snapshot(s, v, 1000, 20, v.published_at + timedelta(days=3))
        # Not counted: outside the 16 weeks, no impressions, not published.
        published(s, brand, ig, local(20, SAT, 3, sg), 1000, 900)
        published(s, brand, ig, local(1, SAT, 4, sg), 0, 50)
        add_variant(s, brand, ig, title="future", when=NOW + timedelta(days=1))
        other, och = make_brand(s, "besttime2", tz="Asia/Jakarta", platforms=("instagram",))
        for w in (1, 2, 3):
            published(s, other, och["instagram"], local(w, SAT, 10, "Asia/Jakarta"), 1000, 50)
        return {
            "engine": demo_db,
            "ig": ig.id,
            "x": ch["x"].id,
            "thin": och["instagram"].id,
            "brand": brand.id,
        }


def test_own_history_finds_the_hour_in_market_time(history: dict) -> None:
    with read_session(history["engine"]) as s:
        bt = suggest_slots(s, SYSTEM, history["ig"], now=NOW)
    assert not bt.pooled and bt.basis == "this channel"
    assert bt.own_posts == bt.posts_used == 32 and bt.channels_used == 1
    assert bt.timezone == "Asia/Singapore"
    best = bt.slots[0]
    assert (best.weekday, best.hour, best.posts, best.label) == (TUE, 19, 10, "Tue 19:00")
    assert best.observed_rate == pytest.approx(0.10)
    assert len(bt.slots) == 3
    assert bt.window_end == NOW and bt.window_start == NOW - timedelta(weeks=16)
    assert len(bt.grid) == 7 * 24
    thu = bt.grid[(bt.grid["weekday"] == THU) & (bt.grid["hour"] == 12)].iloc[0]
    assert thu["posts"] == 11 and thu["observed_rate"] == pytest.approx(0.02), "latest snapshot only"


def test_thin_cells_are_smoothed(history: dict) -> None:
    with read_session(history["engine"]) as s:
        bt = suggest_slots(s, SYSTEM, history["ig"], now=NOW, top=5)
    sat = next(x for x in bt.slots if (x.weekday, x.hour) == (SAT, 3))
    tue = bt.slots[0]
    assert sat.observed_rate == pytest.approx(0.20)
    assert sat.observed_rate > tue.observed_rate, "one lucky post has the best plain average"
    assert sat.expected_rate < tue.expected_rate, "but ten steady posts win once smoothed"
    assert sat.expected_rate == pytest.approx(smooth(1, 0.20, bt.overall_rate))
    assert smooth(PRIOR_POSTS, 0.3, 0.1) == pytest.approx(0.2), "k posts: halfway to the overall mean"
    assert smooth(0, None, 0.05) == 0.05
    empty = bt.grid[bt.grid["posts"] == 0].iloc[0]
    assert empty["expected_rate"] == pytest.approx(bt.overall_rate)


def test_a_thin_channel_pools_its_platform(history: dict) -> None:
    with read_session(history["engine"]) as s:
        bt = suggest_slots(s, SYSTEM, history["thin"], now=NOW)
    assert bt.pooled and bt.basis == "all Instagram channels"
    assert bt.own_posts == 3 and bt.posts_used == 35 and bt.channels_used == 2, "X posts are not pooled"
    assert bt.timezone == "Asia/Jakarta"
    assert (bt.slots[0].weekday, bt.slots[0].hour) == (TUE, 19), "each post in its own brand's market time"
    text = bt.explanation
    assert "only 3 measured posts" in text and "fewer than the 20" in text
    assert "pools the history of all Instagram channels" in text and "35 posts on 2 channels" in text
    assert "engagements divided by its impressions" in text and "latest metrics reading" in text
    assert f"as if it held {PRIOR_POSTS} extra posts" in text


def test_the_explanation_of_own_history_and_of_nothing(history: dict) -> None:
    with read_session(history["engine"]) as s:
        own = suggest_slots(s, SYSTEM, history["ig"], now=NOW)
        assert "this channel's own 32 measured posts" in own.explanation
        assert "the last 16 weeks" in own.explanation and "Asia/Singapore" in own.explanation
        lower_bar = suggest_slots(s, SYSTEM, history["thin"], now=NOW, min_posts=3)
        assert not lower_bar.pooled and lower_bar.posts_used == 3
        nothing = suggest_slots(s, SYSTEM, history["thin"], now=NOW + timedelta(weeks=60))
    assert nothing.slots == () and nothing.overall_rate is None
    assert "nothing to suggest yet" in nothing.explanation


def test_permissions_and_arguments(history: dict) -> None:
    with read_session(history["engine"]) as s:
        viewer = Actor(email="v@bt.test", brand_roles={history["brand"]: Role.VIEWER})
        assert suggest_slots(s, viewer, history["ig"], now=NOW).slots
        stranger = Actor(email="s@bt.test", brand_roles={history["brand"] + 999: Role.MANAGER})
        with pytest.raises(NotFound):
            suggest_slots(s, stranger, history["ig"], now=NOW)
        with pytest.raises(ValidationError):
            suggest_slots(s, SYSTEM, history["ig"], weeks=0)
        with pytest.raises(ValidationError):
            suggest_slots(s, SYSTEM, history["ig"], top=0)
