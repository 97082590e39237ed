"""The Jobs & connections page's pieces: job states and the chart of runs per day."""

from __future__ import annotations

from app.ui.ops import views

__all__ = [
    "views",
]
