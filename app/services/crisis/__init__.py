"""app.services.crisis."""

from __future__ import annotations

from app.services.crisis import incidents

__all__ = [
    "incidents",
]
