"""app.ui.ops."""

from __future__ import annotations

from app.ui.ops import views

__all__ = [
    "views",
]
