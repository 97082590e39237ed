"""The crisis room: incidents with their timelines (incidents), the severity levels that classify them
(severity) and the notification chains that say who is told (chains)."""

from __future__ import annotations

from app.services.crisis import chains, incidents, severity
from app.services.crisis.chains import ChainInfo, StepInfo
from app.services.crisis.severity import LevelInfo

__all__ = [
    "ChainInfo",
    "LevelInfo",
    "StepInfo",
    "chains",
    "incidents",
    "severity",
]
