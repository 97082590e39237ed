"""Dates and times as people type them in bulk files, turned into aware UTC datetimes: ISO 8601 with
or without an offset, day-first or month-first dates (chosen by the user, as Hootsuite and Sprout ask
at upload), 24-hour or AM/PM times. A time without an offset is local to the brand's market."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

_SLASHED = re.compile(
    r"^(?P<a>\d{1,4})[/.\-](?P<b>\d{1,2})[/.\-](?P<c>\d{1,4})"
    r"(?:[ T,]+(?P<h>\d{1,2}):(?P<mi>\d{2})(?::(?P<s>\d{2}))?\s*(?P<ampm>[AaPp]\.?[Mm]\.?)?)?"
    r"\s*(?P<tz>Z|UTC|[+-]\d{2}:?\d{2})?$"
)
_TIME = re.compile(r"^(?P<h>\d{1,2}):(?P<mi>\d{2})(?::(?P<s>\d{2}))?\s*(?P<ampm>[AaPp]\.?[Mm]\.?)?$")

EXPECTED = {
    "dmy": "e.g. 31/12/2026 09:30 or 2026-12-31T09:30+08:00",
    "mdy": "e.g. 12/31/2026 09:30 or 2026-12-31T09:30+08:00",
}


class TimeProblem(ValueError):
    """The reason a cell is not a usable time, worded for the error report."""


def _offset(text: str | None) -> timezone | None:
    if not text:
        return None
    if text in ("Z", "UTC"):
        return UTC
    sign = 1 if text[0] == "+" else -1
    digits = text[1:].replace(":", "")
    return timezone(sign * timedelta(hours=int(digits[:2]), minutes=int(digits[2:])))


def _hour(h: str, ampm: str | None) -> int:
    hour = int(h)
    if ampm:
        if not 1 <= hour <= 12:
            raise TimeProblem("not a time (12-hour times run from 1 to 12)")
        hour = hour % 12 + (12 if ampm[0] in "pP" else 0)
    return hour


def localize(naive: datetime, tz: ZoneInfo) -> datetime:
    """A wall-clock time in `tz` as an aware UTC datetime; a time skipped by a clock change is refused
    (it never happens there), an ambiguous one takes the first occurrence."""
    aware = naive.replace(tzinfo=tz)
    back = aware.astimezone(UTC).astimezone(tz).replace(tzinfo=None)
    if back != naive:
        raise TimeProblem(f"{naive:%d %b %Y %H:%M} does not exist in {tz.key} (the clocks change then)")
    return aware.astimezone(UTC)


def parse_datetime(text: str, tz: ZoneInfo, date_order: str = "dmy", *, need_time: bool = True) -> datetime:
    """`text` as an aware UTC datetime. Raises TimeProblem with the reason."""
    text = (text or "").strip()
    if not text:
        raise TimeProblem("empty")
    iso = text.replace(" ", "T", 1) if re.match(r"^\d{4}-\d{2}-\d{2} \d", text) else text
    if re.match(r"^\d{4}-\d{2}-\d{2}(T|$)", iso):
        try:
            value = datetime.fromisoformat(iso)
        except ValueError:
            raise TimeProblem(f"not a date ({EXPECTED[date_order]})") from None
        if need_time and "T" not in iso:
            raise TimeProblem("has no time of day")
        return value.astimezone(UTC) if value.tzinfo else localize(value, tz)
    m = _SLASHED.match(text)
    if not m:
        raise TimeProblem(f"not a date ({EXPECTED[date_order]})")
    a, b, c = m.group("a"), m.group("b"), m.group("c")
    if len(a) == 4:  # 2026/12/31 is year-first whatever the order chosen
        year, month, day = int(a), int(b), int(c)
    elif date_order == "mdy":
        month, day, year = int(a), int(b), int(c)
    else:
        day, month, year = int(a), int(b), int(c)
    if year < 100:
        year += 2000
    if m.group("h") is None:
        if need_time:
            raise TimeProblem("has no time of day")
        hour = minute = second = 0
    else:
        hour, minute, second = (
            _hour(m.group("h"), m.group("ampm")),
            int(m.group("mi")),
            int(m.group("s") or 0),
        )
    try:
        naive = datetime(year, month, day, hour, minute, second)
    except ValueError:
        order = "day/month/year" if date_order == "dmy" else "month/day/year"
        raise TimeProblem(f"not a date (read as {order})") from None
    offset = _offset(m.group("tz"))
    return naive.replace(tzinfo=offset).astimezone(UTC) if offset else localize(naive, tz)


def parse_date_and_time(
    date_text: str, time_text: str, tz: ZoneInfo, date_order: str = "dmy"
) -> tuple[datetime | None, str | None, str | None]:
    """Sprout's separate date and 24-hour time cells: (UTC time, None, None) or (None, which cell, why)."""
    bad_time = "not a time (24-hour, e.g. 09:30 or 17:05)"
    t = _TIME.match((time_text or "").strip())
    if not t:
        return None, "time", bad_time
    try:
        hour, minute = _hour(t.group("h"), t.group("ampm")), int(t.group("mi"))
    except TimeProblem as exc:
        return None, "time", str(exc)
    if hour > 23 or minute > 59:
        return None, "time", bad_time
    try:
        day = parse_datetime(date_text, UTC_ZONE, date_order, need_time=False)
    except TimeProblem as exc:
        return None, "date", str(exc)
    try:
        return localize(datetime(day.year, day.month, day.day, hour, minute), tz), None, None
    except TimeProblem as exc:
        return None, "time", str(exc)


UTC_ZONE = ZoneInfo("UTC")
