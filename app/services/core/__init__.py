"""Core: what every domain stands on. Who may do what (permissions), the errors services raise (and the
stale-copy check), the audit log (and `audit.update` for edits), checks of typed values, periods, the
one clock, notifications, the spreadsheet reader importers share, SQL time buckets, colours and
headline figures. Imports no other domain."""

from __future__ import annotations

from app.services.core import audit, clock, notifications, validation
from app.services.core.errors import (
    Conflict,
    NotFound,
    PermissionDenied,
    ServiceError,
    ValidationError,
    check_version,
    conflict_on_stale,
)
from app.services.core.headline import Kpi
from app.services.core.notifications import notify
from app.services.core.palette import PLATFORM_COLORS, STATUS_COLORS
from app.services.core.periods import (
    PRESETS,
    parse_period,
    preset_range,
    previous_range,
    quarter_start,
    utc_bounds,
)
from app.services.core.permissions import (
    ROLE_DESCRIPTIONS,
    ROLE_PERMISSIONS,
    Actor,
    Perm,
    require,
    require_anywhere,
    require_brands,
    visible_row,
)
from app.services.core.processes import process_alive
from app.services.core.spreadsheets import (
    csv_records,
    csv_safe,
    csv_unsafe,
    decode_text,
    frame_csv,
    norm_header,
    xlsx_records,
)
from app.services.core.sql_time import time_bucket
from app.services.core.validation import NUL_REASON, slugify

__all__ = [
    "NUL_REASON",
    "PLATFORM_COLORS",
    "PRESETS",
    "ROLE_DESCRIPTIONS",
    "ROLE_PERMISSIONS",
    "STATUS_COLORS",
    "Actor",
    "Conflict",
    "Kpi",
    "NotFound",
    "Perm",
    "PermissionDenied",
    "ServiceError",
    "ValidationError",
    "audit",
    "check_version",
    "clock",
    "conflict_on_stale",
    "csv_records",
    "csv_safe",
    "csv_unsafe",
    "decode_text",
    "frame_csv",
    "norm_header",
    "notifications",
    "notify",
    "parse_period",
    "preset_range",
    "previous_range",
    "process_alive",
    "quarter_start",
    "require",
    "require_anywhere",
    "require_brands",
    "slugify",
    "time_bucket",
    "utc_bounds",
    "validation",
    "visible_row",
    "xlsx_records",
]
