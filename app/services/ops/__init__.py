"""app.services.ops."""

from __future__ import annotations

from app.services.ops import health
from app.services.ops.backup import backup, restore
from app.services.ops.health import JobTiming, Problem, every_label

__all__ = [
    "JobTiming",
    "Problem",
    "backup",
    "every_label",
    "health",
    "restore",
]
