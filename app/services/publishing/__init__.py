"""Publishing: the drain of due variants through their connectors, exactly once (runs, claims), the
manual "ready to post" queue, pausing (for a crisis), and how each variant went out (status)."""

from __future__ import annotations

from app.services.publishing import manual, pause, runs, status
from app.services.publishing.runs import DEFAULT_WORKERS, publish_due

__all__ = [
    "DEFAULT_WORKERS",
    "manual",
    "pause",
    "publish_due",
    "runs",
    "status",
]
