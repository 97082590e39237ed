"""Streamlit pieces every page shares: the house look of charts, page headers, KPI tiles, tables with a
CSV download, user text rendered inert, select labels, running a change with its message, and edit
forms that stand on the copy they were filled from."""

from __future__ import annotations

from app.ui.widgets import charts, page_charts
from app.ui.widgets.actions import finish, perform, show_flash
from app.ui.widgets.charts import color_scale
from app.ui.widgets.components import coming_soon, kpi_tiles, page_header, table
from app.ui.widgets.edit_forms import pick_loaded, save_or_delete
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
    "pick_loaded",
    "plain",
    "save_or_delete",
    "show_flash",
    "table",
]
