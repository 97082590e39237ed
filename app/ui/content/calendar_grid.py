"""The FullCalendar grid (streamlit-calendar) in and out: which dates a view shows, the events and options
it is given, and its callback payloads turned back into a post to open or a move to save. Pure
functions (no Streamlit), because AppTest cannot drive the component: tests call these directly.

Clock convention: the grid runs with FullCalendar's `timeZone: "UTC"` and is handed the wall-clock
time of the grid's zone (e.g. 09:00 Singapore time as "…T09:00:00"), so it shows market time exactly
and needs no time zone plugin. Its payloads therefore carry market wall-clock digits with a "Z"
(FullCalendar's UTC spelling); `parse_move` reads them back in the grid's zone.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from app.services.content import CalendarEvent
from app.services.core import ValidationError, clock

# FullCalendar's standard (MIT) views only; the premium ones need a licence.
VIEWS: dict[str, str] = {"month": "dayGridMonth", "week": "timeGridWeek", "list": "listWeek"}
CALLBACKS = ["eventClick", "eventChange"]


@dataclass(frozen=True)
class GridMove:
    """A drag and drop: which variant, to when (aware UTC), from which version it was seen at."""

    variant_id: int
    new_time: datetime
    expected_version: int | None
    old_time: datetime | None = None


def view_range(view: str, anchor: date) -> tuple[date, date]:
    """The first and last day (inclusive) the view shows around `anchor`; weeks start on Monday.
    A month grid shows six whole weeks (FullCalendar's fixed week count), so the query covers them."""
    if view == "month":
        first = anchor.replace(day=1)
        start = first - timedelta(days=first.weekday())
        return start, start + timedelta(days=41)
    if view in VIEWS:
        start = anchor - timedelta(days=anchor.weekday())
        return start, start + timedelta(days=6)
    raise ValidationError(f"unknown calendar view {view!r}", field="view", value=view)


def shift(view: str, anchor: date, steps: int) -> date:
    """The anchor one month (month view) or one week (week, list) further; `steps` may be negative."""
    if view == "month":
        month = anchor.month - 1 + steps
        return date(anchor.year + month // 12, month % 12 + 1, 1)
    return anchor + timedelta(weeks=steps)


def _wall(when: datetime, zone: ZoneInfo) -> str:
    return when.astimezone(zone).replace(tzinfo=None).isoformat(timespec="seconds")


def text_colour(background: str) -> str:
    """Black or white, whichever reads better on `background` (#RRGGBB)."""
    try:
        r, g, b = (int(background[i : i + 2], 16) for i in (1, 3, 5))
    except (ValueError, IndexError):
        return "#FFFFFF"
    # Relative luminance, ITU-R BT.601 weights: light colours (idea grey, TikTok cyan) get black text.
    return "#1B1F2A" if (0.299 * r + 0.587 * g + 0.114 * b) > 150 else "#FFFFFF"


def grid_events(events: Sequence[CalendarEvent], tz: str) -> list[dict[str, Any]]:
    """FullCalendar event objects: wall-clock start in `tz`, colour, per-event draggability, and the
    ids and version the callbacks hand back in `extendedProps`."""
    zone = ZoneInfo(tz)
    return [
        {
            "id": str(e.variant_id),
            "title": e.title,
            "start": _wall(e.start, zone),
            "allDay": False,
            "backgroundColor": e.colour,
            "borderColor": e.colour,
            "textColor": text_colour(e.colour),
            "editable": e.editable,
            "extendedProps": {
                "variant_id": e.variant_id,
                "post_id": e.post_id,
                "version": e.version,
                "status": e.status,
                "brand": e.brand,
            },
        }
        for e in events
    ]


def grid_options(view: str, anchor: date, tz: str, *, editable: bool, now: datetime | None = None) -> dict:
    """Options for one view; the page's own buttons move between periods, so the toolbar shows only
    the title (the events handed over cover exactly the period shown)."""
    now = now or clock.now()
    return {
        "initialView": VIEWS[view],
        "initialDate": anchor.isoformat(),
        "timeZone": "UTC",
        # "Today" and the now line follow the market clock, not the browser's.
        "now": _wall(now, ZoneInfo(tz)),
        "firstDay": 1,
        "headerToolbar": {"left": "", "center": "title", "right": ""},
        "editable": editable,
        "eventStartEditable": editable,
        # A post has a moment, not a length: no resizing, and no all-day row to drop it on.
        "eventDurationEditable": False,
        "allDaySlot": False,
        "nowIndicator": True,
        "dayMaxEvents": 4,
        "snapDuration": "00:15:00",
        "scrollTime": "07:00:00",
        "eventTimeFormat": {"hour": "2-digit", "minute": "2-digit", "hour12": False},
        "slotLabelFormat": {"hour": "2-digit", "minute": "2-digit", "hour12": False},
        "displayEventEnd": False,
        "height": "auto" if view != "week" else 720,
    }


def signature(value: Any) -> str:
    """A stable fingerprint of a component value: the component repeats its last value on every rerun,
    so the page handles each payload once."""
    return json.dumps(value, sort_keys=True, default=str)


def _inner(value: Any, callback: str) -> Mapping[str, Any] | None:
    """The callback's own dict from the component value ({"callback": name, name: {...}}), or the inner
    dict itself when given that."""
    if not isinstance(value, Mapping):
        return None
    if "callback" in value:
        if value.get("callback") != callback:
            return None
        inner = value.get(callback)
        return inner if isinstance(inner, Mapping) else None
    return value.get(callback) if isinstance(value.get(callback), Mapping) else None


def _int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        return int(value.strip())
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return None


def _parse_time(text: Any, zone: ZoneInfo) -> tuple[datetime | None, bool]:
    """(aware UTC time, date_only). Digits without an offset or with "Z" are wall-clock in `zone` (see
    the module note); a non-zero offset is a real instant and is honoured as such."""
    if not isinstance(text, str) or not text.strip():
        return None, False
    raw = text.strip()
    try:
        parsed = datetime.fromisoformat(raw)
    except ValueError:
        return None, False
    date_only = len(raw) == 10
    offset = parsed.utcoffset()
    if parsed.tzinfo is None or offset == timedelta(0):
        return parsed.replace(tzinfo=zone).astimezone(UTC), date_only
    return parsed.astimezone(UTC), date_only


def _event_ids(event: Mapping[str, Any]) -> tuple[int | None, int | None, int | None]:
    props = event.get("extendedProps")
    props = props if isinstance(props, Mapping) else {}
    variant = _int(props.get("variant_id"))
    if variant is None:
        variant = _int(event.get("id"))
    return variant, _int(props.get("post_id")), _int(props.get("version"))


def parse_click(value: Any) -> int | None:
    """The post id of a clicked event, or None when the value is no usable click."""
    inner = _inner(value, "eventClick")
    event = inner.get("event") if inner else None
    if not isinstance(event, Mapping):
        return None
    return _event_ids(event)[1]


def parse_move(value: Any, tz: str) -> GridMove | None:
    """The move a drag and drop asks for; None when `value` is no event change (a click, nothing yet).

    An event dropped on a day without a time (a date-only start) keeps its old time of day. A payload
    that is an event change but names no variant or no readable time raises ValidationError.
    """
    inner = _inner(value, "eventChange")
    if inner is None:
        return None
    event, old = inner.get("event"), inner.get("oldEvent")
    if not isinstance(event, Mapping):
        raise ValidationError("the calendar sent a move without its event; reload the page")
    old = old if isinstance(old, Mapping) else {}
    variant_id, _, version = _event_ids(event)
    if variant_id is None:
        variant_id, _, version = _event_ids(old)
    if variant_id is None:
        raise ValidationError("the calendar sent a move without a post variant id; reload the page")
    zone = ZoneInfo(tz)
    new_time, date_only = _parse_time(event.get("start"), zone)
    old_time, _ = _parse_time(old.get("start"), zone)
    if new_time is None:
        raise ValidationError(f"the calendar sent an unreadable time {event.get('start')!r}", field="start")
    if date_only or event.get("allDay") is True:
        if old_time is None:
            raise ValidationError("drop the post on a time, not on a whole day", field="start")
        keep = old_time.astimezone(zone)
        day = new_time.astimezone(zone).date() if not date_only else date.fromisoformat(event["start"][:10])
        new_time = datetime.combine(day, keep.time(), zone).astimezone(UTC)
    return GridMove(variant_id, new_time, version, old_time)
