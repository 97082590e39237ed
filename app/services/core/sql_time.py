"""SQL expressions for time buckets (hour, day, week, month) that group the same way on SQLite and
PostgreSQL, so every read service charts by the same UTC days."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Date, DateTime, cast, func
from sqlalchemy.orm import Session

_SQLITE_FORMATS = {"hour": "%Y-%m-%d %H:00:00", "day": "%Y-%m-%d", "month": "%Y-%m-01"}


def time_bucket(session: Session, column: Any, unit: str) -> Any:
    """A SQL expression naming the UTC hour/day/week/month a time or date column falls in.

    SQLite has strftime, PostgreSQL date_trunc; both results go through `pd.to_datetime`. On
    PostgreSQL a timestamptz is first turned into UTC wall time so the session time zone never
    moves a row into the neighbouring day. Weeks start on Monday on both stores.
    """
    is_date = isinstance(getattr(column, "type", None), Date)
    if session.get_bind().dialect.name == "postgresql":
        wall = cast(column, DateTime()) if is_date else func.timezone("UTC", column)
        return func.date_trunc(unit, wall)
    if unit == "week":
        return func.date(column, "weekday 0", "-6 days")
    return func.strftime(_SQLITE_FORMATS[unit], column)
