"""The crisis room on screen: the severity matrix and the notification chains, with their forms."""

from __future__ import annotations

from app.ui.crisis.chains import STEP_COLUMNS, chain_frame, chains_section, step_values
from app.ui.crisis.levels import level_frame, severity_levels_section
from app.ui.crisis.section import severity_and_chains

__all__ = [
    "STEP_COLUMNS",
    "chain_frame",
    "chains_section",
    "level_frame",
    "severity_and_chains",
    "severity_levels_section",
    "step_values",
]
