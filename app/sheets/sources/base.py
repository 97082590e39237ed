"""What a worksheet source is: it loads the records a worksheet mirrors (typed values by field) and, when
the worksheet is two-way, turns a row's changes into calls to the same services the app uses."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import Base, Brand
from app.services.core import Actor, ValidationError
from app.sheets.schema import WorksheetSchema
from app.sheets.values import CellContext, RefLookup


class ArchiveUnsupported(ValidationError):
    """This worksheet's records have no archived state; a removed row is flagged instead."""


@dataclass
class Record:
    key: str
    # The record's version(s) ("3.2" for a post and its variant): a change means the database moved on.
    version: str
    values: dict[str, Any]
    label: str = ""
    # Internal ids a writer needs (run id, step id...), never shown.
    ref: dict[str, Any] = field(default_factory=dict)


@dataclass
class SyncContext:
    session: Session
    actor: Actor
    schema: WorksheetSchema
    brand: Brand
    cells: CellContext
    # The period the worksheet covers, in the brand's days (None: no period).
    start: date | None = None
    end: date | None = None

    @property
    def utc_range(self) -> tuple[datetime, datetime] | None:
        if self.start is None or self.end is None:
            return None
        tz = self.cells.tz
        lo = datetime.combine(self.start, time.min, tz).astimezone(UTC)
        hi = datetime.combine(self.end + timedelta(days=1), time.min, tz).astimezone(UTC)
        return lo, hi


def period_bounds(schema: WorksheetSchema, today: date) -> tuple[date | None, date | None]:
    """The days a worksheet covers around `today` (the brand's today)."""
    p = schema.period
    if p.kind == "month":
        start = today.replace(day=1)
        end = (start + timedelta(days=32)).replace(day=1) - timedelta(days=1)
    elif p.kind == "quarter":
        start = date(today.year, 3 * ((today.month - 1) // 3) + 1, 1)
        end = (start + timedelta(days=95)).replace(day=1) - timedelta(days=1)
    elif p.kind == "year":
        start, end = date(today.year, 1, 1), date(today.year, 12, 31)
    elif p.kind == "days":
        start, end = today - timedelta(days=p.days_before), today + timedelta(days=p.days_after)
    else:
        return None, None
    return start, end


def model_for_table(table: str) -> type[Any] | None:
    for mapper in Base.registry.mappers:
        if getattr(mapper.local_table, "name", None) == table:
            return mapper.class_
    return None


def build_lookups(session: Session, schema: WorksheetSchema, brand: Brand) -> dict[str, RefLookup]:
    """Names and ids of every reference column's table, one query each."""
    out: dict[str, RefLookup] = {}
    for col in schema.columns:
        if col.references is None:
            continue
        model = model_for_table(col.references.table)
        assert model is not None  # checked when the schema was loaded
        by = getattr(model, col.references.by)
        ident = getattr(model, col.references.id)
        stmt = select(ident, by)
        if col.references.scope == "brand" and hasattr(model, "brand_id"):
            stmt = stmt.where(model.brand_id == brand.id)
        lookup = RefLookup(noun=col.references.table.rstrip("s").replace("_", " "))
        for ident_value, name in session.execute(stmt.order_by(ident)):
            text = str(name)
            lookup.by_id[ident_value] = text
            lookup.by_name.setdefault(text.strip().lower(), ident_value)
        out[col.name] = lookup
    return out


class Source:
    """A read-only source; subclasses that write set `writable` and implement update/create."""

    name = ""
    # The fields columns may name; None: any column of the schema's table.
    fields: frozenset[str] | None = None
    writable = False

    def check(self, schema: WorksheetSchema) -> str | None:
        """Why this source cannot serve the schema, or None."""
        return None

    def load(self, ctx: SyncContext, keys: list[str] | None = None) -> dict[str, Record]:
        raise NotImplementedError

    def update(self, ctx: SyncContext, record: Record, changes: dict[str, Any]) -> None:
        raise ValidationError("this worksheet is read-only: change it in the app")

    def create(self, ctx: SyncContext, values: dict[str, Any]) -> str:
        raise ValidationError("rows cannot be added to this worksheet")

    def archive(self, ctx: SyncContext, record: Record) -> None:
        raise ArchiveUnsupported(f"{ctx.schema.title} rows cannot be archived from the sheet")
