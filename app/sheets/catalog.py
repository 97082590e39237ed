"""Every worksheet schema in sheets_schema/, each file parsed and checked against its source, re-read when a
file changes. It sits above both app.sheets.schema and app.sheets.sources, which know nothing of it."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import yaml

from app.config import setting_value
from app.services.core import NotFound
from app.sheets.schema import SchemaError, WorksheetSchema, parse_schema
from app.sheets.sources import check_schema


def schema_dir() -> Path:
    """Where the schema files are: the `sheets_schema_dir` setting (sheets_schema/ in the repository)."""
    return setting_value("sheets_schema_dir")


def _load_file(path: Path) -> WorksheetSchema:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise SchemaError(f"{path.name}: not valid YAML: {exc}") from None
    schema = parse_schema(path, data)
    check_schema(schema)
    return schema


@lru_cache(maxsize=8)
def _load_cached(folder: str, stamp: tuple[tuple[str, float], ...]) -> dict[str, WorksheetSchema]:
    out: dict[str, WorksheetSchema] = {}
    for name, _ in stamp:
        schema = _load_file(Path(folder) / name)
        if schema.name in out:
            raise SchemaError(
                f"{schema.path.name}: name {schema.name!r} is used by {out[schema.name].path.name} too"
            )
        out[schema.name] = schema
    return out


def load_schemas() -> dict[str, WorksheetSchema]:
    """Every worksheet schema by name (re-read when a file changes)."""
    folder = schema_dir()
    files = sorted(folder.glob("*.yaml")) if folder.is_dir() else []
    return _load_cached(str(folder), tuple((p.name, p.stat().st_mtime) for p in files))


def get_schema(name: str) -> WorksheetSchema:
    """One worksheet schema by name; NotFound lists the known ones."""
    schemas = load_schemas()
    if name not in schemas:
        raise NotFound(f"no worksheet schema {name!r} (known: {', '.join(sorted(schemas)) or 'none'})")
    return schemas[name]
