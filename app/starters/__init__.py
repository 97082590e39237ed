"""Starter packs: versioned YAML data in the repository's `starters/` folder (the metrics dictionary, an
SOP library, approval flow presets, response-time policies, the severity matrix and its communication
chain, report templates and recommendation rules), and their idempotent loader. It sits above the
services and writes through them; the CLI's `setup` and the admins' Setup page call it."""

from __future__ import annotations

from app.starters.ledger import PartSummary, content_hash, loaded_versions
from app.starters.load import LoadSummary, load_pack
from app.starters.packs import (
    PART_LABELS,
    STARTERS_DIR,
    Pack,
    get_pack,
    list_packs,
    metric_sources,
    read_pack,
)

__all__ = [
    "PART_LABELS",
    "STARTERS_DIR",
    "LoadSummary",
    "Pack",
    "PartSummary",
    "content_hash",
    "get_pack",
    "list_packs",
    "load_pack",
    "loaded_versions",
    "metric_sources",
    "read_pack",
]
