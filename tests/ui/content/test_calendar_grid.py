"""The FullCalendar grid in and out, without a browser: the dates each view covers, the events and options
it is given (market wall-clock times in UTC mode), and its callback payloads turned back into a post to
open or a move to save, however the component spells them."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from app.services.content import CalendarEvent
from app.services.core import ValidationError
from app.ui.content import calendar_grid as grid

SG = "Asia/Singapore"


def event(**kw) -> CalendarEvent:  # type: ignore[no-untyped-def]
    base = dict(
        variant_id=42,
        post_id=7,
        brand_id=1,
        brand="Lumi",
        title="[Instagram] Glow",
        post_title="Glow",
        start=datetime(2030, 1, 15, 16, 30, tzinfo=UTC),
        timezone=SG,
        status="scheduled",
        platform="instagram",
        channel_id=3,
        channel="Lumi IG",
        campaign=None,
        pillar=None,
        owner=None,
        colour="#4C78A8",
        editable=True,
        version=5,
        published_at=None,
    )
    return CalendarEvent(**{**base, **kw})


def change(start: object, old_start: object = "2030-01-16T00:30:00Z", **event_extra: object) -> dict:
    """An eventChange value as streamlit-calendar 1.4.0 returns it (FullCalendar's EventApi.toJSON())."""
    props = {"variant_id": 42, "post_id": 7, "version": 5, "status": "scheduled", "brand": "Lumi"}
    old = {
        "allDay": False,
        "title": "[Instagram] Glow",
        "start": old_start,
        "id": "42",
        "extendedProps": props,
    }
    new = {**old, "start": start, **event_extra}
    view = {"type": "dayGridMonth", "title": "January 2030", "activeStart": "2029-12-31T00:00:00Z"}
    return {
        "callback": "eventChange",
        "eventChange": {"oldEvent": old, "event": new, "relatedEvents": [], "view": view},
    }


def test_view_ranges_and_paging() -> None:
    # January 2030 starts on a Tuesday: the six-week grid starts Monday 31 Dec 2029.
    assert grid.view_range("month", date(2030, 1, 20)) == (date(2029, 12, 31), date(2030, 2, 10))
    assert grid.view_range("week", date(2030, 1, 17)) == (date(2030, 1, 14), date(2030, 1, 20))
    assert grid.view_range("list", date(2030, 1, 20)) == (date(2030, 1, 14), date(2030, 1, 20))
    with pytest.raises(ValidationError):
        grid.view_range("year", date(2030, 1, 1))
    assert grid.shift("month", date(2030, 1, 31), 1) == date(2030, 2, 1)
    assert grid.shift("month", date(2030, 1, 5), -1) == date(2029, 12, 1)
    assert grid.shift("week", date(2030, 1, 5), 2) == date(2030, 1, 19)


def test_events_hold_market_wall_clock_and_their_ids() -> None:
    [e] = grid.grid_events([event()], SG)
    assert e["start"] == "2030-01-16T00:30:00", "16:30 UTC is 00:30 next day in Singapore, with no offset"
    assert e["id"] == "42" and e["editable"] is True and e["allDay"] is False
    assert e["extendedProps"] == {
        "variant_id": 42,
        "post_id": 7,
        "version": 5,
        "status": "scheduled",
        "brand": "Lumi",
    }
    assert e["backgroundColor"] == e["borderColor"] == "#4C78A8"
    assert grid.grid_events([event(editable=False)], "UTC")[0]["start"] == "2030-01-15T16:30:00"
    assert grid.text_colour("#D3D3D3") == "#1B1F2A" and grid.text_colour("#4C78A8") == "#FFFFFF"


def test_options_use_standard_views_in_utc_mode() -> None:
    now = datetime(2030, 1, 15, 16, 30, tzinfo=UTC)
    for view, fc_view in (("month", "dayGridMonth"), ("week", "timeGridWeek"), ("list", "listWeek")):
        opts = grid.grid_options(view, date(2030, 1, 16), SG, editable=True, now=now)
        assert opts["initialView"] == fc_view
        assert opts["timeZone"] == "UTC" and opts["now"] == "2030-01-16T00:30:00"
        assert opts["editable"] is True and opts["eventDurationEditable"] is False
    assert grid.grid_options("week", date(2030, 1, 16), SG, editable=False)["editable"] is False


def test_a_drop_becomes_a_move_in_utc() -> None:
    m = grid.parse_move(change("2030-01-18T09:15:00Z"), SG)
    assert m == grid.GridMove(
        42, datetime(2030, 1, 18, 1, 15, tzinfo=UTC), 5, datetime(2030, 1, 15, 16, 30, tzinfo=UTC)
    )
    # Without an offset (a named time zone without a plugin) the digits are still market time.
    assert grid.parse_move(change("2030-01-18T09:15:00"), SG).new_time == datetime(
        2030, 1, 18, 1, 15, tzinfo=UTC
    )
    # Milliseconds, as Date.toISOString writes them.
    assert grid.parse_move(change("2030-01-18T09:15:00.000Z"), SG).new_time.minute == 15
    # A real offset is a real instant.
    assert grid.parse_move(change("2030-01-18T09:15:00+07:00"), SG).new_time == datetime(
        2030, 1, 18, 2, 15, tzinfo=UTC
    )


def test_a_drop_on_a_whole_day_keeps_the_time_of_day() -> None:
    m = grid.parse_move(change("2030-01-20", allDay=True), SG)
    assert m.new_time == datetime(2030, 1, 19, 16, 30, tzinfo=UTC), "00:30 Singapore time on the 20th"
    with pytest.raises(ValidationError, match="drop the post on a time"):
        grid.parse_move(change("2030-01-20", old_start=None, allDay=True), SG)


def test_payload_shapes() -> None:
    inner = change("2030-01-18T09:15:00Z")["eventChange"]
    assert grid.parse_move({"eventChange": inner}, SG).variant_id == 42
    # No extendedProps (an older component): the event id is the variant, no version check.
    bare = change("2030-01-18T09:15:00Z")
    for key in ("event", "oldEvent"):
        bare["eventChange"][key] = {k: v for k, v in bare["eventChange"][key].items() if k != "extendedProps"}
    m = grid.parse_move(bare, SG)
    assert (m.variant_id, m.expected_version) == (42, None)
    # Numbers as strings survive; booleans are not ids.
    stringy = change("2030-01-18T09:15:00Z")
    stringy["eventChange"]["event"]["extendedProps"] = {"variant_id": "42", "version": "6"}
    assert grid.parse_move(stringy, SG).expected_version == 6
    nothing = change("2030-01-18T09:15:00Z")
    nothing["eventChange"]["event"] = {"start": "2030-01-18T09:15:00Z", "id": True}
    nothing["eventChange"]["oldEvent"] = {}
    with pytest.raises(ValidationError, match="without a post variant id"):
        grid.parse_move(nothing, SG)
    with pytest.raises(ValidationError, match="unreadable time"):
        grid.parse_move(change("next tuesday"), SG)
    with pytest.raises(ValidationError, match="without its event"):
        grid.parse_move({"callback": "eventChange", "eventChange": {"event": None}}, SG)


@pytest.mark.parametrize(
    "value",
    [
        None,
        {},
        [],
        "eventChange",
        {"callback": "eventsSet", "eventsSet": {"events": []}},
        {"callback": "eventChange"},
    ],
)
def test_values_that_are_no_move(value: object) -> None:
    assert grid.parse_move(value, SG) is None


def test_a_click_opens_its_post() -> None:
    click = {
        "callback": "eventClick",
        "eventClick": {"event": {"id": "42", "extendedProps": {"post_id": 7, "variant_id": 42}}, "view": {}},
    }
    assert grid.parse_click(click) == 7
    assert grid.parse_click(change("2030-01-18T09:15:00Z")) is None
    assert grid.parse_click({"callback": "eventClick", "eventClick": {"event": "42"}}) is None
    assert grid.parse_click(None) is None
    assert grid.signature(click) == grid.signature(dict(reversed(list(click.items()))))
