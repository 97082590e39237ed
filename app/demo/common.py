"""What both demo builders share: the summary they return, the entry checks, a row writer that
assigns ids and fills model defaults for bulk inserts, and the single audit row of a seed."""

from __future__ import annotations

import time
import uuid
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from datetime import time as dtime
from random import Random
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Connection, DateTime, Engine, inspect, text
from sqlalchemy.orm import Session

from app.bulk_writes import bulk_insert, next_id, reset_sequences
from app.models import Base
from app.services.core import Actor, Perm, ValidationError, audit, require

Progress = Callable[[float, str], None]


@dataclass(frozen=True)
class DemoSummary:
    counts: dict[str, int]  # table name -> rows written
    seconds: float


def no_progress(_fraction: float, _message: str) -> None:
    return None


def anchor(today: date) -> datetime:
    """The demo's "now": midnight UTC at the start of `today` (08:00 in Singapore). Every time is
    derived from it rather than from the clock, so the same `today` gives identical data."""
    return datetime.combine(today, dtime(0, 0), tzinfo=UTC)


def month_start(day: date, shift: int = 0) -> date:
    """The first day of the month `shift` months after the one holding `day`."""
    y, m = divmod(day.month - 1 + shift, 12)
    return date(day.year + y, m + 1, 1)


def local_time(day: date, hour: int, minute: int, tz: str) -> datetime:
    """A wall-clock time in a market's time zone, as the aware UTC datetime the store keeps."""
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=ZoneInfo(tz)).astimezone(UTC)


def uuid_from(rng: Random) -> str:
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def check_can_seed(engine: Engine, actor: Actor) -> None:
    """Admins only, into a migrated database that holds no workspace yet (a seed never merges)."""
    require(actor, Perm.ADMIN)
    if not inspect(engine).has_table("workspaces"):
        raise ValidationError("the database is not migrated yet; run `python -m app db upgrade` first")
    with engine.connect() as conn:
        check_no_workspace(conn)


def check_no_workspace(conn: Connection) -> None:
    """Asked again inside the seed's first write transaction, so two seeds cannot both pass."""
    slug = conn.execute(text("SELECT slug FROM workspaces ORDER BY id LIMIT 1")).scalar()
    if slug is not None:
        raise ValidationError(f"the database already holds workspace '{slug}'; use --reset", value=slug)


def write_begin(engine: Engine) -> Any:
    """A write transaction; on SQLite an immediate one, as the house rules ask of every writer."""
    return engine.execution_options(sqlite_begin="IMMEDIATE").begin()


def record_seed(
    conn: Connection, actor: Actor, workspace_id: int, label: str, counts: dict[str, int]
) -> None:
    """The one audit row describing the whole seed, written in the seed's last transaction."""
    with Session(bind=conn) as session:
        audit.record(session, actor, "seed", "workspace", workspace_id, label=label, after=dict(counts))
        session.flush()


def _default_for(column: Any, now: datetime) -> Any:
    """What the ORM would have filled in for a column nobody gave a value (bulk inserts skip it)."""
    if column.name == "version":
        return 1
    default = column.default
    is_time = isinstance(getattr(column.type, "impl", column.type), DateTime)
    if is_time and (default is not None or column.name in ("created_at", "updated_at")):
        return now  # utcnow defaults become the anchor time, so two seeds of one day are identical
    if default is None:
        return None
    if default.is_callable:
        return default.arg(None)  # dict / list factories of JSON columns
    return default.arg


class Writer:
    """Collects rows for many tables, assigns their ids up front (so children can point at parents
    without a round trip), and writes everything in foreign-key order with `bulk_insert`."""

    def __init__(self, conn: Connection, now: datetime) -> None:
        self.conn = conn
        self.now = now
        self.rows: dict[str, list[dict[str, Any]]] = defaultdict(list)
        self.counts: Counter[str] = Counter()
        self._next: dict[str, int] = {}
        self._explicit_ids: set[str] = set()

    def new_id(self, table: str) -> int:
        if table not in self._next:
            self._next[table] = next_id(self.conn, table)
        value = self._next[table]
        self._next[table] = value + 1
        return value

    def reserve(self, table: str, n: int) -> int:
        """The first of `n` consecutive ids of `table` (for vectorised builders)."""
        first = self.new_id(table)
        self._next[table] = first + n
        return first

    def add(self, table: str, **values: Any) -> int:
        """Queue one row; returns its id (0 for tables without an `id` column)."""
        if "id" in Base.metadata.tables[table].c and "id" not in values:
            values["id"] = self.new_id(table)
        self.rows[table].append(values)
        return int(values.get("id") or 0)

    def flush(self) -> None:
        """Write every queued row, parents before children."""
        for table in Base.metadata.sorted_tables:
            rows = self.rows.pop(table.name, None)
            if rows:
                self._write(table, rows)
        if self.rows:  # a table name that is not in the models: a bug in a builder
            raise KeyError(f"unknown tables: {sorted(self.rows)}")

    def insert(self, table: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> int:
        """Write tuples straight through (the fast path for large, vectorised tables); queued rows go
        first, since these may point at them."""
        self.flush()
        return self._bulk(table, columns, rows)

    def _bulk(self, table: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> int:
        n = bulk_insert(self.conn, table, columns, rows)
        self.counts[table] += n
        if "id" in columns:
            self._explicit_ids.add(table)
        return n

    def _write(self, table: Any, rows: list[dict[str, Any]]) -> None:
        given = set().union(*(r.keys() for r in rows))
        unknown = given - set(table.c.keys())
        if unknown:
            raise KeyError(f"{table.name}: no columns {sorted(unknown)}")
        columns: list[str] = []
        defaults: dict[str, Any] = {}
        for col in table.columns:
            if col.name in given:
                columns.append(col.name)
                defaults[col.name] = _default_for(col, self.now)
                continue
            value = _default_for(col, self.now)
            if value is None and not col.nullable and col.server_default is None:
                raise ValueError(f"{table.name}.{col.name} is NOT NULL and no row gives it")
            if value is not None:
                columns.append(col.name)
                defaults[col.name] = value
        for r in rows:
            for name in columns:
                if r.get(name) is None and not table.c[name].nullable:
                    r[name] = defaults[name]
                    if r[name] is None:
                        raise ValueError(f"{table.name}.{name} is NOT NULL but a row leaves it empty")
        self._bulk(table.name, columns, ([r.get(name, defaults[name]) for name in columns] for r in rows))

    def finish(self) -> None:
        """Move PostgreSQL id sequences past the ids this writer assigned."""
        reset_sequences(self.conn, sorted(self._explicit_ids))


class Stopwatch:
    def __init__(self) -> None:
        self.started = time.perf_counter()

    def seconds(self) -> float:
        return round(time.perf_counter() - self.started, 3)
