"""The crisis room: incidents with their timelines, the severity levels that classify them and the
notification chains that say who is told."""

from __future__ import annotations

from app.services.crisis import incidents

__all__ = [
    "incidents",
]
