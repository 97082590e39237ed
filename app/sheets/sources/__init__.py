"""The sources worksheets mirror, by the name a schema's `source:` gives, and the check that a schema's
columns are ones its source knows (run when sheets_schema files are loaded)."""

from __future__ import annotations

from app.sheets.schema import SchemaError, WorksheetSchema
from app.sheets.sources.base import ArchiveUnsupported, Record, Source, SyncContext, model_for_table
from app.sheets.sources.calendar import CalendarSource
from app.sheets.sources.campaigns import CampaignSource
from app.sheets.sources.kpi import KpiTargetSource
from app.sheets.sources.sop import SopStepSource
from app.sheets.sources.table import TableSource

SOURCES: dict[str, Source] = {
    s.name: s for s in (CalendarSource(), SopStepSource(), KpiTargetSource(), CampaignSource(), TableSource())
}

__all__ = ["SOURCES", "ArchiveUnsupported", "Record", "Source", "SyncContext", "check_schema", "get_source"]


def get_source(name: str) -> Source:
    return SOURCES[name]


def check_schema(schema: WorksheetSchema) -> None:
    """Refuse a schema its source cannot serve (unknown fields, edits the source cannot make...)."""
    where = schema.path.name
    source = SOURCES.get(schema.source)
    if source is None:
        raise SchemaError(f"{where}: source {schema.source!r} is not one of {', '.join(sorted(SOURCES))}")
    if source.fields is not None:
        unknown = [c.field for c in schema.columns if c.field not in source.fields]
        if unknown:
            raise SchemaError(f"{where}: source {schema.source} has no field {', '.join(unknown)}")
    if schema.two_way and not source.writable:
        raise SchemaError(f"{where}: source {schema.source} is read-only; use direction: export")
    for col in schema.columns:
        if col.references is None:
            continue
        model = model_for_table(col.references.table)
        if model is None or not hasattr(model, col.references.by) or not hasattr(model, col.references.id):
            raise SchemaError(
                f"{where}: column {col.name!r} references {col.references.table}.{col.references.by}, "
                "which does not exist"
            )
    problem = source.check(schema)
    if problem:
        raise SchemaError(f"{where}: {problem}")
