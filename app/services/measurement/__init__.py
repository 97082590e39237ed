"""Measurement: the metrics dictionary, formulas, imports of analytics exports and rollups (metrics/),
KPI targets, progress, forecasts and unusual days (kpis/), the Overview and dashboards (dashboards/), and
competitor benchmarks (competitors/). Subpackages depend one way: metrics < kpis < dashboards."""

from __future__ import annotations

from app.services.measurement.competitors import benchmark_imports, benchmarks
from app.services.measurement.dashboards import campaign_panel, insights, overview, pillar_mix, views
from app.services.measurement.dashboards.campaign_panel import CampaignSummary
from app.services.measurement.dashboards.pillar_mix import PillarShare
from app.services.measurement.dashboards.views import FilterOptions
from app.services.measurement.kpis import anomalies, anomaly_settings, forecasts, targets, targets_table
from app.services.measurement.kpis.anomalies import Anomaly
from app.services.measurement.kpis.forecasts import Forecast
from app.services.measurement.metrics import dictionary, rollup_reads, rollups
from app.services.measurement.metrics.daily_series import KPI_LABELS, Scope, daily_totals
from app.services.measurement.metrics.formulas import FormulaError, evaluate, parse
from app.services.measurement.metrics.import_formats import FORMATS, PLATFORM_CHOICES
from app.services.measurement.metrics.imports import MetricImportReport, import_metrics
from app.services.measurement.metrics.post_ranking import top_posts
from app.services.measurement.metrics.rollup_loads import rebuild_in, triggers_suspended
from app.services.measurement.metrics.sync import ChannelMetricsSync, sync_metrics

__all__ = [
    "FORMATS",
    "KPI_LABELS",
    "PLATFORM_CHOICES",
    "Anomaly",
    "CampaignSummary",
    "ChannelMetricsSync",
    "FilterOptions",
    "Forecast",
    "FormulaError",
    "MetricImportReport",
    "PillarShare",
    "Scope",
    "anomalies",
    "anomaly_settings",
    "benchmark_imports",
    "benchmarks",
    "campaign_panel",
    "daily_totals",
    "dictionary",
    "evaluate",
    "forecasts",
    "import_metrics",
    "insights",
    "overview",
    "parse",
    "pillar_mix",
    "rebuild_in",
    "rollup_reads",
    "rollups",
    "sync_metrics",
    "targets",
    "targets_table",
    "top_posts",
    "triggers_suspended",
    "views",
]
