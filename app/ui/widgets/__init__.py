"""Streamlit pieces every page shares: the house look of charts, page headers, KPI tiles, tables with a
CSV download, user text rendered inert, select labels, and running a change with its message."""

from __future__ import annotations

from app.ui.widgets import charts, page_charts
from app.ui.widgets.actions import finish, perform, show_flash
from app.ui.widgets.charts import color_scale
from app.ui.widgets.components import coming_soon, kpi_tiles, page_header, table
from app.ui.widgets.labels import Labels
from app.ui.widgets.page_charts import JOB_STATUS_COLORS
from app.ui.widgets.text import plain

__all__ = [
    "JOB_STATUS_COLORS",
    "Labels",
    "charts",
    "color_scale",
    "coming_soon",
    "finish",
    "kpi_tiles",
    "page_charts",
    "page_header",
    "perform",
    "plain",
    "show_flash",
    "table",
]
