"""Periods as people write them for KPI targets (2027-Q1, 2027-03, 2027-W05, 2027): each parses to its
kind and first day, which `period_end` accepts, and writes back as it was typed."""

from __future__ import annotations

from datetime import date

import pytest

from app.models.enums import PeriodKind
from app.services.core import ValidationError
from app.services.measurement import targets


@pytest.mark.parametrize(
    ("text", "kind", "start", "end"),
    [
        ("2027-Q1", PeriodKind.QUARTER, date(2027, 1, 1), date(2027, 3, 31)),
        ("2027-q4", PeriodKind.QUARTER, date(2027, 10, 1), date(2027, 12, 31)),
        ("2028-02", PeriodKind.MONTH, date(2028, 2, 1), date(2028, 2, 29)),
        ("2027-W05", PeriodKind.WEEK, date(2027, 2, 1), date(2027, 2, 7)),
        ("2026-W53", PeriodKind.WEEK, date(2026, 12, 28), date(2027, 1, 3)),
        ("2027-w01", PeriodKind.WEEK, date(2027, 1, 4), date(2027, 1, 10)),
        (" 2027 ", PeriodKind.YEAR, date(2027, 1, 1), date(2027, 12, 31)),
    ],
)
def test_a_period_code_gives_its_kind_start_and_end(
    text: str, kind: PeriodKind, start: date, end: date
) -> None:
    assert targets.parse_period_code(text) == (kind, start)
    assert targets.period_end(kind, start) == end
    assert targets.period_code(kind, start) == text.strip().upper()


def test_every_period_of_three_years_writes_back_as_it_parses() -> None:
    for year in (2026, 2027, 2028):
        codes = (
            [str(year)] + [f"{year}-Q{q}" for q in range(1, 5)] + [f"{year}-{m:02d}" for m in range(1, 13)]
        )
        weeks = date(year, 12, 28).isocalendar()[1]
        codes += [f"{year}-W{w:02d}" for w in range(1, weeks + 1)]
        for code in codes:
            assert targets.period_code(*targets.parse_period_code(code)) == code


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("2027-Q5", "must look like"),
        ("Q1 2027", "must look like"),
        ("2027-3", "must look like"),
        ("", "must look like"),
        ("2027-00", "names no such month or week"),
        ("2027-13", "names no such month or week"),
        ("2027-W53", "names no such month or week"),
        ("2027-W00", "names no such month or week"),
    ],
)
def test_a_period_that_does_not_parse_is_refused_naming_the_field(text: str, problem: str) -> None:
    with pytest.raises(ValidationError, match=problem) as err:
        targets.parse_period_code(text)
    assert err.value.field == "period"
