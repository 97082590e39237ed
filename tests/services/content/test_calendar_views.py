"""The calendar grid's read model: events in the brand's market time zone, the filters, colours by status
or channel, who may drag what, the filter choices and a post opened from the grid; and a drag and drop
carried from the grid's payload through the composer (the past, a viewer and a stale version refused)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from caldata import (
    add_campaign,
    add_pillar,
    add_variant,
    future,
    make_brand,
)
from sqlalchemy import Engine, select

from app.db import read_session, write_session
from app.models import AuditLog, Brand, Channel, PostVariant, User
from app.models.enums import PostStatus, Role
from app.services.content import composer, drafts
from app.services.content import grid as calendar_views
from app.services.content import post as calendar_post
from app.services.core import (
    PLATFORM_COLORS,
    STATUS_COLORS,
    Actor,
    Conflict,
    PermissionDenied,
    ValidationError,
)
from app.ui.content import calendar_grid

SYSTEM = Actor.system("test:calendar")
# 16:30 UTC on 15 Jan is 00:30 on 16 Jan in Singapore (UTC+8).
LATE = datetime(2030, 1, 15, 16, 30, tzinfo=UTC)


@pytest.fixture
def cal(demo_db: Engine) -> dict:
    """A Singapore brand with an Instagram and an X channel and posts in several states."""
    with write_session(demo_db) as s:
        brand, ch = make_brand(s)
        spring = add_campaign(s, brand, "Spring Sale", "spring_sale")
        tips = add_pillar(s, brand, "Tips")
        owner = s.scalars(select(User).where(User.email == "farah.aziz@kopi.example")).one()
        ids = {
            "late": add_variant(s, brand, ch["instagram"], title="Midnight drop", when=LATE).id,
            "campaign": add_variant(
                s, brand, ch["x"], title="Spring", when=LATE + timedelta(days=1), campaign=spring, owner=owner
            ).id,
            "pillar": add_variant(
                s,
                brand,
                ch["instagram"],
                title="Tip",
                when=LATE + timedelta(days=2),
                pillar=tips,
                status="draft",
            ).id,
            "published": add_variant(
                s,
                brand,
                ch["x"],
                title="Out already",
                when=LATE + timedelta(days=3),
                status="published",
                published_at=LATE + timedelta(days=3, minutes=1),
            ).id,
            "unscheduled": add_variant(
                s,
                brand,
                ch["instagram"],
                title="Posted by hand",
                when=None,
                status="published",
                published_at=LATE + timedelta(days=4),
            ).id,
            "archived": add_variant(
                s, brand, ch["x"], title="Shelved", when=LATE + timedelta(days=5), status="archived"
            ).id,
            "publishing": add_variant(
                s,
                brand,
                ch["instagram"],
                title="Going now",
                when=LATE + timedelta(days=6),
                status="publishing",
            ).id,
        }
        return {
            "engine": demo_db,
            "brand": brand.id,
            "ig": ch["instagram"].id,
            "x": ch["x"].id,
            "campaign": spring.id,
            "pillar": tips.id,
            "owner": owner.id,
            "ids": ids,
        }


def events(cal: dict, actor: Actor = SYSTEM, start=date(2030, 1, 1), end=date(2030, 1, 31), **kw) -> list:  # type: ignore[no-untyped-def]
    with read_session(cal["engine"]) as s:
        return calendar_views.calendar_events(s, actor, [cal["brand"]], start, end, **kw)


def test_events_carry_utc_and_the_market_zone(cal: dict) -> None:
    with read_session(cal["engine"]) as s:
        assert calendar_views.grid_timezone(s, SYSTEM, [cal["brand"]]) == "Asia/Singapore"
    # Days of the grid's zone: the midnight drop is on the 16th in Singapore, the 15th in UTC.
    sg = events(cal, start=date(2030, 1, 16), end=date(2030, 1, 16), tz="Asia/Singapore")
    assert [e.post_title for e in sg] == ["Midnight drop"]
    e = sg[0]
    assert e.start == LATE and e.start.tzinfo is not None
    assert e.timezone == "Asia/Singapore"
    assert e.local_start.isoformat() == "2030-01-16T00:30:00+08:00"
    assert e.title == "[Instagram] Midnight drop"
    assert e.version == 1 and e.variant_id == cal["ids"]["late"]
    utc_day = events(cal, start=date(2030, 1, 16), end=date(2030, 1, 16), tz="UTC")
    assert "Midnight drop" not in [x.post_title for x in utc_day]
    per_day = calendar_views.events_per_day(sg, "Asia/Singapore")
    assert per_day["day"].dt.day.tolist() == [16]


def test_every_variant_in_range_in_time_order(cal: dict) -> None:
    got = events(cal)
    assert [e.variant_id for e in got] == list(cal["ids"].values())
    by_title = {e.post_title: e for e in got}
    assert by_title["Posted by hand"].start == LATE + timedelta(days=4), "no schedule: placed when published"
    assert events(cal, start=date(2030, 2, 1), end=date(2030, 2, 28)) == []
    table = calendar_views.events_table(got, "Asia/Singapore")
    assert table.loc[0, "time"] == "Wed 16 Jan 2030 00:30"
    assert list(table.columns) == calendar_views.EVENT_COLUMNS


def test_filters(cal: dict) -> None:
    def titles(**kw) -> list[str]:  # type: ignore[no-untyped-def]
        return [e.post_title for e in events(cal, **kw)]

    assert titles(channels=[cal["x"]]) == ["Spring", "Out already", "Shelved"]
    assert titles(campaigns=[cal["campaign"]]) == ["Spring"]
    assert titles(pillars=[cal["pillar"]]) == ["Tip"]
    assert titles(statuses=["published"]) == ["Out already", "Posted by hand"]
    assert titles(statuses=[PostStatus.DRAFT, "archived"]) == ["Tip", "Shelved"]
    assert titles(owners=[cal["owner"]]) == ["Spring"]
    assert titles(channels=[cal["ig"]], statuses=["scheduled"]) == ["Midnight drop"]


def test_colour_by_status_or_channel(cal: dict) -> None:
    for e in events(cal):
        assert e.colour == STATUS_COLORS[e.status]
    for e in events(cal, color_by="channel"):
        assert e.colour == PLATFORM_COLORS[e.platform]
    with pytest.raises(ValidationError, match="colour by"):
        events(cal, color_by="brand")
    # One palette on the grid and on the charts.


@pytest.mark.parametrize(
    ("role", "movable"),
    [
        (Role.EDITOR, {"late", "campaign", "pillar"}),
        (Role.MANAGER, {"late", "campaign", "pillar"}),
        (Role.VIEWER, set()),
        (Role.APPROVER, set()),
    ],
)
def test_editable_by_role_and_status(cal: dict, role: Role, movable: set[str]) -> None:
    names = {v: k for k, v in cal["ids"].items()}
    who = Actor(email="x@cal.test", brand_roles={cal["brand"]: role})
    got = {names[e.variant_id] for e in events(cal, who) if e.editable}
    assert got == movable, "published, publishing and archived variants never move"


def test_a_brand_out_of_sight_is_refused(cal: dict) -> None:
    stranger = Actor(email="s@cal.test", brand_roles={cal["brand"] + 999: Role.EDITOR})
    with pytest.raises(PermissionDenied):
        events(cal, stranger)


def test_filter_choices_and_post_detail(cal: dict) -> None:
    with read_session(cal["engine"]) as s:
        choices = calendar_views.filter_choices(s, SYSTEM, [cal["brand"]])
        assert choices.channels == {cal["ig"]: "Instagram · @calbrand_instagram", cal["x"]: "X · @calbrand_x"}
        assert choices.campaigns == {cal["campaign"]: "Spring Sale"}
        assert choices.pillars == {cal["pillar"]: "Tips"}
        assert choices.owners[cal["owner"]] == "Farah Aziz"
        assert choices.statuses["in_review"] == "In review"
        post_id = s.get(PostVariant, cal["ids"]["campaign"]).post_id
        viewer = Actor(email="v@cal.test", brand_roles={cal["brand"]: Role.VIEWER})
        detail = calendar_post.post_detail(s, viewer, post_id)
    assert detail.title == "Spring" and detail.campaign == "Spring Sale" and detail.owner == "Farah Aziz"
    assert [(v.platform, v.status, v.copy) for v in detail.variants] == [("x", "scheduled", "Hello there")]
    assert detail.timezone == "Asia/Singapore"


# ---- drag and drop: the grid's payload → the composer ----------------------------------------------


def _drop(cal: dict, variant_key: str, new_wall: str, actor: Actor = SYSTEM) -> dict:
    """The eventChange value streamlit-calendar sends after a drag (FullCalendar runs in UTC mode over
    market wall-clock times, so the new start comes back as wall time + "Z")."""
    [event] = [
        e
        for e in calendar_grid.grid_events(events_of(cal, actor), "Asia/Singapore")
        if e["id"] == str(cal["ids"][variant_key])
    ]
    old = {k: v for k, v in event.items() if k in ("id", "title", "start", "allDay", "extendedProps")}
    old["start"] += "Z"
    return {
        "callback": "eventChange",
        "eventChange": {"oldEvent": old, "event": {**old, "start": new_wall}, "relatedEvents": []},
    }


def events_of(cal: dict, actor: Actor) -> list:
    with read_session(cal["engine"]) as s:
        return calendar_views.calendar_events(
            s,
            actor,
            [cal["brand"]],
            datetime.now(UTC) - timedelta(days=30),
            datetime.now(UTC) + timedelta(days=60),
        )


def move(cal: dict, payload: dict, actor: Actor = SYSTEM) -> drafts.SaveResult:
    m = calendar_grid.parse_move(payload, "Asia/Singapore")
    assert m is not None
    with write_session(cal["engine"]) as s:
        return composer.reschedule_variant(s, actor, m.variant_id, m.new_time, m.expected_version)


@pytest.fixture
def draft(cal: dict) -> dict:
    """A draft variant due in three days, 10:00 UTC (18:00 in Singapore)."""
    with write_session(cal["engine"]) as s:
        brand, ig = s.get(Brand, cal["brand"]), s.get(Channel, cal["ig"])
        cal["ids"]["soon"] = add_variant(s, brand, ig, title="Soon", when=future(3, 10), status="draft").id
    return cal


def test_a_drop_reschedules_through_the_composer(draft: dict) -> None:
    target = future(5, 1)  # 01:00 UTC = 09:00 Singapore
    wall = target.astimezone(ZoneInfo("Asia/Singapore")).strftime("%Y-%m-%dT%H:%M:%SZ")
    editor = Actor(email="ed@cal.test", brand_roles={draft["brand"]: Role.EDITOR})
    result = move(draft, _drop(draft, "soon", wall, editor), editor)
    assert result.title == "Soon"
    with read_session(draft["engine"]) as s:
        v = s.get(PostVariant, draft["ids"]["soon"])
        assert v.scheduled_at == target and v.version == 2
        entry = s.scalars(
            select(AuditLog).where(AuditLog.action == "reschedule", AuditLog.object_id == str(v.id))
        ).one()
    assert entry.actor == "ed@cal.test" and entry.after["scheduled_at"] == target.isoformat()


def test_a_drop_into_the_past_is_refused(draft: dict) -> None:
    yesterday = (datetime.now(UTC) - timedelta(days=1)).strftime("%Y-%m-%dT10:00:00Z")
    with pytest.raises(ValidationError, match="in the past"):
        move(draft, _drop(draft, "soon", yesterday))


def test_a_viewer_cannot_move_even_with_a_forged_payload(draft: dict) -> None:
    viewer = Actor(email="v@cal.test", brand_roles={draft["brand"]: Role.VIEWER})
    assert not any(e.editable for e in events_of(draft, viewer))
    with pytest.raises(PermissionDenied):
        move(draft, _drop(draft, "soon", future(6).strftime("%Y-%m-%dT%H:%M:%SZ"), viewer), viewer)


def test_a_stale_grid_is_refused(draft: dict) -> None:
    stale = _drop(draft, "soon", future(6).strftime("%Y-%m-%dT%H:%M:%SZ"))
    move(draft, _drop(draft, "soon", future(7).strftime("%Y-%m-%dT%H:%M:%SZ")))  # someone else moved it
    with pytest.raises(Conflict, match="reload the calendar"):
        move(draft, stale)
    with read_session(draft["engine"]) as s:
        assert s.get(PostVariant, draft["ids"]["soon"]).version == 2, "the stale move changed nothing"
