"""Fast bulk writes for seeders and importers: executemany on SQLite, COPY on PostgreSQL.

The ORM adds ~65x per-row overhead and Core `insert()` with dicts ~5x (field notes); these paths write
plain tuples through the driver. Values are converted here the way the model types would store them
(UTC times, ISO dates, JSON text, enum values), so rows read back through the ORM exactly as if the
ORM had written them.
"""

from __future__ import annotations

import enum
import json
from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime
from decimal import Decimal
from itertools import islice
from typing import Any

from sqlalchemy import Connection, Engine, text

BATCH_ROWS = 50_000


def _sqlite_datetime(value: datetime) -> str:
    if value.tzinfo is None:
        raise ValueError(f"naive datetime {value!r} in bulk insert: times are stored in UTC")
    # Always with microseconds: SQLAlchemy compares against text in exactly this shape.
    return value.astimezone(UTC).replace(tzinfo=None).isoformat(" ", timespec="microseconds")


def _sqlite_value(value: Any) -> Any:
    if value is None or isinstance(value, int | float | str | bytes):
        return value
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, datetime):
        return _sqlite_datetime(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False)
    return value


def _sqlite_converter(sample: Any) -> Any:
    """The converter for a column, chosen from its first value: plain ints, floats and strings (most
    cells) pass through untouched instead of being inspected one by one."""
    kind = type(sample)
    if sample is None or kind in (int, float, str, bytes, bool):
        return None
    if kind is datetime:
        return _sqlite_datetime
    return _sqlite_value


def _pg_value(value: Any) -> Any:
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, datetime) and value.tzinfo is None:
        raise ValueError(f"naive datetime {value!r} in bulk insert: times are stored in UTC")
    return value


def bulk_insert(conn: Connection, table: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> int:
    """Insert `rows` (tuples in `columns` order) into `table` in the connection's transaction."""
    total = 0
    it = iter(rows)
    if conn.dialect.name == "postgresql":
        raw = conn.connection.driver_connection
        cols = ", ".join(f'"{c}"' for c in columns)
        with raw.cursor() as cur, cur.copy(f'COPY "{table}" ({cols}) FROM STDIN') as copy:
            for row in it:
                copy.write_row([_pg_value(v) for v in row])
                total += 1
        return total
    placeholders = ", ".join("?" for _ in columns)
    sql = f'INSERT INTO "{table}" ({", ".join(columns)}) VALUES ({placeholders})'
    converters: list[Any] | None = None
    while batch := list(islice(it, BATCH_ROWS)):
        if converters is None:
            converters = [
                _sqlite_converter(next((r[i] for r in batch if r[i] is not None), None))
                for i in range(len(columns))
            ]
        if any(converters):
            batch = [
                tuple(v if c is None or v is None else c(v) for v, c in zip(row, converters, strict=True))
                for row in batch
            ]
        elif not isinstance(batch[0], tuple):
            batch = [tuple(row) for row in batch]
        conn.exec_driver_sql(sql, batch)
        total += len(batch)
    return total


def next_id(conn: Connection, table: str) -> int:
    """The first free integer id of `table`, for seeders that assign ids themselves to link rows."""
    return int(conn.execute(text(f'SELECT COALESCE(MAX(id), 0) + 1 FROM "{table}"')).scalar_one())


def reset_sequences(conn: Connection, tables: Iterable[str]) -> None:
    """After inserting explicit ids on PostgreSQL, move each id sequence past the largest id."""
    if conn.dialect.name != "postgresql":
        return
    for table in tables:
        conn.execute(
            text(
                f"SELECT setval(pg_get_serial_sequence('\"{table}\"', 'id'), "
                f'COALESCE((SELECT MAX(id) FROM "{table}"), 1), '
                f'(SELECT MAX(id) FROM "{table}") IS NOT NULL)'
            )
        )


def refresh_statistics(engine: Engine) -> None:
    """Update the query planner's statistics after a bulk load. Without them SQLite picked the
    (status, scheduled_at) index for "published in the period" at agency scale: 0.6 s instead of 0.02 s."""
    if engine.dialect.name == "postgresql":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql("ANALYZE")
    else:
        with engine.begin() as conn:
            conn.exec_driver_sql("ANALYZE")
