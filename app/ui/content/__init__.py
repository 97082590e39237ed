"""Content on screen: the composer's form and tools, the calendar grid and its panels, the asset picker and
the library views."""

from __future__ import annotations

from app.ui.content import calendar_grid, calendar_panels, composer_form
from app.ui.content.asset_picker import option_labels
from app.ui.content.asset_views import asset_grid, asset_preview, day_in, library_table, show_outcomes
from app.ui.content.composer_tools import best_time_panel, utm_panel

__all__ = [
    "asset_grid",
    "asset_preview",
    "best_time_panel",
    "calendar_grid",
    "calendar_panels",
    "composer_form",
    "day_in",
    "library_table",
    "option_labels",
    "show_outcomes",
    "utm_panel",
]
