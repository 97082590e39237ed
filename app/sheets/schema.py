"""Loading sheets_schema/*.yaml: each file declares one worksheet (what it mirrors, its columns with
types, allowed values, required, key and read-only columns, the direction and the policies). A file
with a mistake is refused with the file and the field named, never half-loaded."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml

from app.config import ConfigError, setting_value
from app.models.sheets import ConflictPolicy, RemovedRowPolicy
from app.services.core import NotFound, Perm

TYPES = ("text", "int", "decimal", "date", "datetime", "enum", "bool", "reference")
DIRECTIONS = ("two_way", "export")
PERIODS = ("none", "month", "quarter", "year", "days")
_NAME = re.compile(r"^[a-z][a-z0-9_]{0,63}$")


class SchemaError(ConfigError):
    """A sheets_schema file cannot be used; the message names the file and the field."""


def schema_dir() -> Path:
    return setting_value("sheets_schema_dir")


@dataclass(frozen=True)
class Reference:
    table: str
    by: str
    # "brand": only the brand's own rows (when the table has brand_id); "workspace": every row.
    scope: str = "brand"
    # The referenced table's column the record holds (its id, or e.g. a metric's key).
    id: str = "id"


@dataclass(frozen=True)
class Column:
    name: str
    header: str
    type: str
    field: str
    required: bool = False
    read_only: bool = False
    # May be filled in on a new row only (e.g. a post's channel: changing it would be another post).
    create_only: bool = False
    values: tuple[str, ...] = ()
    default: str | None = None
    max_length: int | None = None
    scale: int = 2
    timezone: str = "brand"
    references: Reference | None = None


@dataclass(frozen=True)
class Period:
    kind: str = "none"
    days_before: int = 0
    days_after: int = 0


@dataclass(frozen=True)
class WorksheetSchema:
    name: str
    title: str
    description: str
    worksheet: str
    source: str
    table: str | None
    direction: str
    permission: Perm
    scope: str
    period: Period
    period_field: str | None
    where: dict[str, tuple[str, ...]]
    key: str
    status_column: str
    allow_add: bool
    removed_rows: RemovedRowPolicy
    conflicts: ConflictPolicy
    columns: tuple[Column, ...]
    path: Path

    @property
    def key_column(self) -> Column:
        return next(c for c in self.columns if c.name == self.key)

    @property
    def two_way(self) -> bool:
        return self.direction == "two_way"

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)


def _fail(path: Path, message: str) -> SchemaError:
    return SchemaError(f"{path.name}: {message}")


def _column(path: Path, raw: Any, index: int, export_only: bool) -> Column:
    if not isinstance(raw, dict):
        raise _fail(path, f"columns[{index}] must be a mapping")
    where = f"column {raw.get('name', index)!r}"
    name = str(raw.get("name", ""))
    if not _NAME.match(name):
        raise _fail(path, f"{where}: name must be lowercase letters, digits and _")
    kind = str(raw.get("type", "text"))
    if kind not in TYPES:
        raise _fail(path, f"{where}: type {kind!r} is not one of {', '.join(TYPES)}")
    values = tuple(str(v) for v in raw.get("values") or ())
    if kind == "enum" and not values:
        raise _fail(path, f"{where}: an enum column lists its allowed values")
    ref = raw.get("references")
    reference = None
    if kind == "reference":
        if not isinstance(ref, dict) or not ref.get("table") or not ref.get("by"):
            raise _fail(path, f"{where}: a reference column needs references: {{table: ..., by: ...}}")
        scope = str(ref.get("scope", "brand"))
        if scope not in ("brand", "workspace"):
            raise _fail(path, f"{where}: references.scope is brand or workspace")
        reference = Reference(str(ref["table"]), str(ref["by"]), scope, str(ref.get("id", "id")))
    tz = str(raw.get("timezone", "brand"))
    if tz != "brand":
        try:
            ZoneInfo(tz)
        except (ZoneInfoNotFoundError, ValueError):
            raise _fail(path, f"{where}: timezone {tz!r} is not 'brand' or a known time zone") from None
    default = raw.get("default")
    if raw.get("references") and kind != "reference":
        raise _fail(path, f"{where}: references go with type: reference")
    if default is not None and values and str(default) not in values:
        raise _fail(path, f"{where}: default {default!r} is not among its values")
    return Column(
        name=name,
        header=str(raw.get("header") or name.replace("_", " ").capitalize()),
        type=kind,
        field=str(raw.get("field") or name),
        required=bool(raw.get("required", False)),
        read_only=export_only or bool(raw.get("read_only", False)),
        create_only=bool(raw.get("create_only", False)),
        values=values,
        default=None if default is None else str(default),
        max_length=int(raw["max_length"]) if raw.get("max_length") else None,
        scale=int(raw.get("scale", 2)),
        timezone=tz,
        references=reference,
    )


def _period(path: Path, raw: Any) -> Period:
    if raw is None:
        return Period()
    if isinstance(raw, str):
        if raw not in PERIODS or raw == "days":
            raise _fail(path, f"filter.period {raw!r} is not one of none, month, quarter, year")
        return Period(raw)
    if isinstance(raw, dict) and ("days_before" in raw or "days_after" in raw):
        return Period("days", int(raw.get("days_before", 0)), int(raw.get("days_after", 0)))
    raise _fail(path, "filter.period is month, quarter, year, or {days_before: N, days_after: M}")


def parse_schema(path: Path, data: Any) -> WorksheetSchema:
    """Check one file's content and build its schema (sources are checked by `load_schemas`)."""
    if not isinstance(data, dict):
        raise _fail(path, "the file must hold a mapping")
    name = str(data.get("name") or path.stem)
    if not _NAME.match(name):
        raise _fail(path, f"name {name!r} must be lowercase letters, digits and _")
    direction = str(data.get("direction", "two_way"))
    if direction not in DIRECTIONS:
        raise _fail(path, f"direction {direction!r} is not one of {', '.join(DIRECTIONS)}")
    export_only = direction == "export"
    raw_columns = data.get("columns")
    if not isinstance(raw_columns, list) or not raw_columns:
        raise _fail(path, "columns must be a non-empty list")
    columns = [_column(path, c, i, export_only) for i, c in enumerate(raw_columns)]
    names = [c.name for c in columns]
    headers = [c.header.strip().lower() for c in columns]
    for label, items in (("column name", names), ("header", headers)):
        dupes = {x for x in items if items.count(x) > 1}
        if dupes:
            raise _fail(path, f"{label}s repeat: {', '.join(sorted(dupes))}")
    key = str(data.get("key", "id"))
    if key not in names:
        raise _fail(path, f"key {key!r} is not one of the columns")
    # The key is the row's identity: never edited from the sheet.
    columns = [
        Column(**{**c.__dict__, "read_only": True, "required": False}) if c.name == key else c
        for c in columns
    ]
    flt = data.get("filter") or {}
    if not isinstance(flt, dict):
        raise _fail(path, "filter must be a mapping")
    where = {
        str(k): tuple(str(x) for x in (v if isinstance(v, list) else [v]))
        for k, v in (flt.get("where") or {}).items()
    }
    rows = data.get("rows") or {}
    try:
        permission = Perm(str(data.get("permission", "view")))
        removed = RemovedRowPolicy(str(rows.get("removed", "flag")))
        conflicts = ConflictPolicy(str(data.get("conflicts", "flag")))
    except ValueError as exc:
        raise _fail(path, str(exc)) from None
    scope = str(data.get("scope", "brand"))
    if scope not in ("brand", "workspace"):
        raise _fail(path, "scope is brand or workspace")
    status_column = str(data.get("status_column", "Sync status"))
    if status_column.strip().lower() in headers:
        raise _fail(path, "status_column repeats a column header")
    return WorksheetSchema(
        name=name,
        title=str(data.get("title") or name.replace("_", " ").capitalize()),
        description=str(data.get("description", "")).strip(),
        worksheet=str(data.get("worksheet") or data.get("title") or name)[:100],
        source=str(data.get("source", "table")),
        table=str(data["table"]) if data.get("table") else None,
        direction=direction,
        permission=permission,
        scope=scope,
        period=_period(path, flt.get("period")),
        period_field=str(flt["field"]) if flt.get("field") else None,
        where=where,
        key=key,
        status_column=status_column,
        allow_add=not export_only and bool(rows.get("add", True)),
        removed_rows=RemovedRowPolicy.IGNORE if export_only else removed,
        conflicts=conflicts,
        columns=tuple(columns),
        path=path,
    )


def _load_file(path: Path) -> WorksheetSchema:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise _fail(path, f"not valid YAML: {exc}") from None
    schema = parse_schema(path, data)
    from app.sheets.sources import check_schema

    check_schema(schema)
    return schema


@lru_cache(maxsize=8)
def _load_cached(folder: str, stamp: tuple[tuple[str, float], ...]) -> dict[str, WorksheetSchema]:
    out: dict[str, WorksheetSchema] = {}
    for name, _ in stamp:
        schema = _load_file(Path(folder) / name)
        if schema.name in out:
            raise _fail(schema.path, f"name {schema.name!r} is used by {out[schema.name].path.name} too")
        out[schema.name] = schema
    return out


def load_schemas() -> dict[str, WorksheetSchema]:
    """Every worksheet schema by name (re-read when a file changes)."""
    folder = schema_dir()
    files = sorted(folder.glob("*.yaml")) if folder.is_dir() else []
    return _load_cached(str(folder), tuple((p.name, p.stat().st_mtime) for p in files))


def get_schema(name: str) -> WorksheetSchema:
    schemas = load_schemas()
    if name not in schemas:
        raise NotFound(f"no worksheet schema {name!r} (known: {', '.join(sorted(schemas)) or 'none'})")
    return schemas[name]
