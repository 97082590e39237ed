"""Measurement on screen: the dashboards' filter bar and panels, the KPIs tabs, the dictionary editor,
setting a target, importing an analytics export, and the pillar mix and campaign panels."""

from __future__ import annotations

from app.ui.measurement import dashboards, kpi_panels, strategy_panels
from app.ui.measurement.metrics_dictionary import dictionary_editor
from app.ui.measurement.metrics_import import metrics_import_section

__all__ = [
    "dashboards",
    "dictionary_editor",
    "kpi_panels",
    "metrics_import_section",
    "strategy_panels",
]
