"""Google Sheets on screen: Settings → Sheets (connect, sync now, problems) and each worksheet's health."""

from __future__ import annotations

from app.ui.sheets import health, settings

__all__ = [
    "health",
    "settings",
]
