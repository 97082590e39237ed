"""app.ui.sops."""

from __future__ import annotations

from app.ui.sops import charts, panels

__all__ = [
    "charts",
    "panels",
]
