"""Reports on screen: producing one, schedules and rules, and the quarterly review's slides."""

from __future__ import annotations

from app.ui.reports import panels
from app.ui.reports.panels import brand_choice, template_title
from app.ui.reports.views import PRESENT_STYLE, last_quarter_label, section_block, title_slide

__all__ = [
    "PRESENT_STYLE",
    "brand_choice",
    "last_quarter_label",
    "panels",
    "section_block",
    "template_title",
    "title_slide",
]
