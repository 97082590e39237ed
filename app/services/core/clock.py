"""The product's one clock: every "what time is it" and "what day is it" in the hub is asked here.

`now()` is the current instant (aware, UTC); `today(tz)` is the calendar date in a market's time zone
(or in UTC). Nothing else in app/, jobs/ or pages/ reads the system clock, so a test can put the whole
product, and the jobs it starts as subprocesses, on any day it likes.

Test-only setting: the environment variable SOCIALOPS_CLOCK (an ISO 8601 instant with its offset,
e.g. `2028-02-29T16:00:00+00:00`, or a bare date meaning 00:00 UTC that day) stops the clock at that
instant. It is read on every call, never cached, so it reaches child processes and can be changed
between calls. `frozen(at)` sets it for the length of a `with` block. Production never sets it.

Durations (how long a job ran) are measured with `time.monotonic()`/`time.perf_counter()` and do not
come from here: a stopped clock would make every duration zero.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, time
from functools import lru_cache
from zoneinfo import ZoneInfo

from app.config import setting, setting_value

# The test clock's variable, from the settings table (it is environment-only: reading it unset costs one
# dictionary lookup and never opens the secrets file).
CLOCK_ENV = str(setting("clock").env)


def now() -> datetime:
    """The current instant, timezone-aware in UTC (the stopped test time when SOCIALOPS_CLOCK is set)."""
    fixed = setting_value("clock")
    if fixed:
        return parse_instant(fixed)
    return datetime.now(UTC)


def today(tz: str | None = None) -> date:
    """Today's date in the zone `tz` (an IANA name such as "Asia/Jakarta"), or in UTC without one.

    Near midnight the markets disagree: 16:30 UTC is already tomorrow in Singapore and Shanghai but
    still today in Jakarta, so anything that belongs to a market asks with the market's zone.
    """
    instant = now()
    return instant.astimezone(ZoneInfo(tz)).date() if tz else instant.date()


@lru_cache(maxsize=32)
def parse_instant(text: str) -> datetime:
    """A SOCIALOPS_CLOCK value as an aware UTC datetime; a naive time is refused (whose midnight?)."""
    value = text.strip()
    try:
        if len(value) == 10:
            return datetime.combine(date.fromisoformat(value), time.min, UTC)
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise ValueError(
            f"{CLOCK_ENV}={text!r} is not an ISO 8601 instant such as 2028-02-29T16:00:00+00:00"
        ) from None
    if parsed.tzinfo is None:
        raise ValueError(f"{CLOCK_ENV}={text!r} has no offset: write it as e.g. {value}+00:00")
    return parsed.astimezone(UTC)


def as_setting(at: datetime | date | str) -> str:
    """The SOCIALOPS_CLOCK value that stops the clock at `at` (a date means 00:00 UTC that day)."""
    if isinstance(at, str):
        parse_instant(at)  # refuse a bad value here, not at the first read
        return at
    if isinstance(at, datetime):
        if at.tzinfo is None:
            raise ValueError(f"frozen({at!r}): give a timezone-aware time")
        return at.astimezone(UTC).isoformat()
    return at.isoformat()


@contextmanager
def frozen(at: datetime | date | str) -> Iterator[datetime]:
    """Test helper: stop the clock at `at` inside the block (and in subprocesses started there).

    Yields the stopped instant. On leaving, SOCIALOPS_CLOCK is put back as it was, so blocks nest.
    """
    before = os.environ.get(CLOCK_ENV)
    os.environ[CLOCK_ENV] = as_setting(at)
    try:
        yield now()
    finally:
        if before is None:
            os.environ.pop(CLOCK_ENV, None)
        else:
            os.environ[CLOCK_ENV] = before
