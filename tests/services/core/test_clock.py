"""The product clock: aware UTC now, today in a market's zone, and the test-only SOCIALOPS_CLOCK."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, date, datetime, timedelta

import pytest

from app.services.core import clock


def test_now_is_aware_utc_and_real_when_not_frozen(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(clock.CLOCK_ENV, raising=False)
    now = clock.now()
    assert now.tzinfo is not None and now.utcoffset() == timedelta(0)
    assert abs(now - datetime.now(UTC)) < timedelta(seconds=5)


@pytest.mark.parametrize(
    ("at", "zone", "day"),
    [
        # Midnight local in each market is the afternoon before in UTC.
        ("2028-02-29T16:00:00+00:00", "Asia/Singapore", date(2028, 3, 1)),
        ("2028-02-29T16:00:00+00:00", "Asia/Kuala_Lumpur", date(2028, 3, 1)),
        ("2028-02-29T16:00:00+00:00", "Asia/Shanghai", date(2028, 3, 1)),
        ("2028-02-29T16:00:00+00:00", "Asia/Jakarta", date(2028, 2, 29)),
        ("2028-02-29T17:00:00+00:00", "Asia/Jakarta", date(2028, 3, 1)),
        ("2028-02-29T16:00:00+00:00", None, date(2028, 2, 29)),
    ],
)
def test_today_is_the_date_in_the_markets_zone(at: str, zone: str | None, day: date) -> None:
    with clock.frozen(at):
        assert clock.today(zone) == day


def test_frozen_stops_the_clock_and_puts_it_back(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(clock.CLOCK_ENV, raising=False)
    with clock.frozen(datetime(2026, 12, 31, 23, 59, tzinfo=UTC)) as at:
        assert clock.now() == at == datetime(2026, 12, 31, 23, 59, tzinfo=UTC)
        with clock.frozen(date(2027, 1, 1)):
            assert clock.now() == datetime(2027, 1, 1, tzinfo=UTC)
        assert clock.now() == at
    assert clock.CLOCK_ENV not in os.environ


def test_the_setting_reaches_a_subprocess() -> None:
    code = "from app.services.core import clock; print(clock.now().isoformat(), clock.today('Asia/Jakarta'))"
    with clock.frozen("2028-02-29T17:00:00+00:00"):
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["2028-02-29T17:00:00+00:00", "2028-03-01"]


@pytest.mark.parametrize("bad", ["2028-02-29T16:00:00", "yesterday", "2028-02-30"])
def test_a_bad_setting_is_refused_loudly(bad: str) -> None:
    with pytest.raises(ValueError, match="SOCIALOPS_CLOCK"):
        clock.frozen(bad).__enter__()


def test_a_naive_time_is_refused() -> None:
    with pytest.raises(ValueError, match="timezone"):
        clock.frozen(datetime(2028, 2, 29)).__enter__()
