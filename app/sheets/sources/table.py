"""The generic read-only source: any table's columns (and references by name) for a brand or the whole
workspace, over a period and simple filters, all declared in YAML. A new report worksheet needs no code."""

from __future__ import annotations

import enum
from datetime import date
from typing import Any

from sqlalchemy import inspect, select

from app.sheets.schema import WorksheetSchema
from app.sheets.sources.base import Record, Source, SyncContext, model_for_table


class TableSource(Source):
    name = "table"

    def check(self, schema: WorksheetSchema) -> str | None:
        if not schema.table:
            return "source table needs `table:` (the database table it mirrors)"
        model = model_for_table(schema.table)
        if model is None:
            return f"there is no table {schema.table!r}"
        attrs = {a.key for a in inspect(model).mapper.column_attrs}
        wanted = [c.field for c in schema.columns]
        wanted += [schema.period_field] if schema.period_field else []
        wanted += list(schema.where)
        unknown = [f for f in wanted if f not in attrs]
        if unknown:
            return f"table {schema.table!r} has no column {', '.join(unknown)}"
        if schema.period.kind != "none" and not schema.period_field:
            return "a period filter on a table needs filter.field (the time or date column)"
        return None

    def load(self, ctx: SyncContext, keys: list[str] | None = None) -> dict[str, Record]:
        schema = ctx.schema
        model = model_for_table(schema.table or "")
        assert model is not None
        key_attr = getattr(model, schema.key_column.field)
        stmt = select(model)
        if schema.scope == "brand" and hasattr(model, "brand_id"):
            stmt = stmt.where(model.brand_id == ctx.brand.id)
        if schema.period_field and ctx.start is not None:
            col = getattr(model, schema.period_field)
            if col.type.python_type is date:
                stmt = stmt.where(col >= ctx.start, col <= ctx.end)
            else:
                lo, hi = ctx.utc_range or (None, None)
                stmt = stmt.where(col >= lo, col < hi)
        for field_name, allowed in schema.where.items():
            stmt = stmt.where(getattr(model, field_name).in_(list(allowed)))
        if keys is not None:
            stmt = stmt.where(key_attr.in_(_typed_keys(key_attr, keys)))
        out: dict[str, Record] = {}
        for row in ctx.session.scalars(stmt.order_by(key_attr)):
            values = {c.field: _plain(getattr(row, c.field)) for c in schema.columns}
            key = str(values[schema.key_column.field])
            out[key] = Record(key, str(getattr(row, "version", "")), values, label=f"{schema.title} {key}")
        return out


def _plain(value: Any) -> Any:
    return value.value if isinstance(value, enum.Enum) else value


def _typed_keys(attr: Any, keys: list[str]) -> list[Any]:
    try:
        if attr.type.python_type is int:
            return [int(k) for k in keys if k.lstrip("-").isdigit()]
    except NotImplementedError:
        pass
    return list(keys)
