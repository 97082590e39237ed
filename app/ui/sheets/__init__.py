"""app.ui.sheets."""

from __future__ import annotations

from app.ui.sheets import health, settings

__all__ = [
    "health",
    "settings",
]
