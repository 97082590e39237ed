"""Reports: a brand's report for a template and period built as plain sections (data), with insights and
the team's recommendation rules, rendered to PDF and XLSX, and delivered on schedules."""

from __future__ import annotations

from app.services.reports import produce, rules, schedules
from app.services.reports.data import Report, Section, build_report
from app.services.reports.delivery import send_due
from app.services.reports.insights import VARIABLES
from app.services.reports.rules import OPERATORS, RuleRow
from app.services.reports.templates import TEMPLATES, get_template

__all__ = [
    "OPERATORS",
    "TEMPLATES",
    "VARIABLES",
    "Report",
    "RuleRow",
    "Section",
    "build_report",
    "get_template",
    "produce",
    "rules",
    "schedules",
    "send_due",
]
