"""app.ui.org."""

from __future__ import annotations

from app.ui.org import admin_forms

__all__ = [
    "admin_forms",
]
