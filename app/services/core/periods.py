"""Date periods people pick (last 30 days, this quarter, 2026-Q3...) turned into inclusive date ranges."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta

from app.services.core.errors import ValidationError

PRESETS: tuple[str, ...] = (
    "Last 7 days",
    "Last 30 days",
    "Last 90 days",
    "Quarter to date",
    "Last quarter",
    "Year to date",
    "Last 12 months",
    "Custom",
)


def quarter_start(d: date) -> date:
    return date(d.year, 3 * ((d.month - 1) // 3) + 1, 1)


def quarter_range(year: int, q: int) -> tuple[date, date]:
    start = date(year, 3 * (q - 1) + 1, 1)
    nxt = date(year + 1, 1, 1) if q == 4 else date(year, 3 * q + 1, 1)
    return start, nxt - timedelta(days=1)


def preset_range(preset: str, today: date) -> tuple[date, date]:
    """The inclusive range for a preset name (not "Custom")."""
    if preset.startswith("Last ") and preset.endswith(" days"):
        days = int(preset.split()[1])
        return today - timedelta(days=days - 1), today
    if preset == "Quarter to date":
        return quarter_start(today), today
    if preset == "Last quarter":
        end = quarter_start(today) - timedelta(days=1)
        return quarter_start(end), end
    if preset == "Year to date":
        return date(today.year, 1, 1), today
    if preset == "Last 12 months":
        return today - timedelta(days=364), today
    raise ValidationError(f"unknown period {preset!r} (choose one of: {', '.join(PRESETS)})", field="period")


def utc_bounds(start: date, end: date) -> tuple[datetime, datetime]:
    """[start 00:00 UTC, the day after end 00:00 UTC): an inclusive date range as a half-open time range."""
    return datetime.combine(start, time.min, UTC), datetime.combine(end + timedelta(days=1), time.min, UTC)


def previous_range(start: date, end: date) -> tuple[date, date]:
    """The period of the same length just before [start, end], for 'versus previous period'."""
    length = (end - start).days + 1
    return start - timedelta(days=length), start - timedelta(days=1)


_PERIOD_RE = re.compile(r"^(\d{4})-(?:Q([1-4])|(\d{2}))$")


def parse_period(text: str) -> tuple[date, date]:
    """'2026-Q3' → (2026-07-01, 2026-09-30); '2026-08' → the month."""
    m = _PERIOD_RE.match(text.strip().upper())
    if not m:
        raise ValidationError(
            f"period {text!r} must look like 2026-Q3 or 2026-08", field="period", value=text
        )
    year = int(m.group(1))
    if m.group(2):
        return quarter_range(year, int(m.group(2)))
    month = int(m.group(3))
    if not 1 <= month <= 12:
        raise ValidationError(f"period {text!r}: month must be 01-12", field="period", value=text)
    start = date(year, month, 1)
    nxt = date(year + 1, 1, 1) if month == 12 else date(year, month + 1, 1)
    return start, nxt - timedelta(days=1)
