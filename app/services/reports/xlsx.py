"""A built report as XLSX (openpyxl): a Summary sheet, then one sheet per section with its lead
sentence, tiles, lines and full table. Numbers stay numbers; text stays text, even when it starts
with '=' (a post title like "=SUM(...)" must never become a formula in someone's spreadsheet)."""

from __future__ import annotations

import io
import math
import re
from datetime import date, datetime
from typing import Any

import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.worksheet.worksheet import Worksheet

from app.services.reports.data import Report, Section
from app.services.reports.pdf import is_ratio_column

_BAD_SHEET_CHARS = re.compile(r"[\[\]:*?/\\]")


def _plain(value: Any) -> Any:
    if value is None:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, pd.Timestamp):
        return value.to_pydatetime().replace(tzinfo=None)
    if isinstance(value, datetime):
        return value.replace(tzinfo=None)  # Excel has no time zones; the report's times are UTC
    if isinstance(value, date | int | float | bool):
        return value
    if hasattr(value, "item"):  # numpy scalars
        return value.item()
    return str(value)


def _put(ws: Worksheet, row: int, col: int, value: Any, bold: bool = False) -> None:
    cell = ws.cell(row=row, column=col, value=_plain(value))
    if isinstance(cell.value, str) and cell.value.startswith("="):
        cell.data_type = "s"  # openpyxl reads a leading '=' as a formula; this one is text
        cell.quotePrefix = True
    if bold:
        cell.font = Font(bold=True)


def _sheet_name(title: str, used: set[str]) -> str:
    base = _BAD_SHEET_CHARS.sub(" ", title)[:31].strip() or "Section"
    name, n = base, 2
    while name.lower() in used:
        name = f"{base[:28]} {n}"
        n += 1
    used.add(name.lower())
    return name


def _section_sheet(ws: Worksheet, report: Report, section: Section) -> None:
    _put(ws, 1, 1, section.title, bold=True)
    _put(ws, 2, 1, section.headline)
    row = 4
    if section.tiles:
        for col, head in enumerate(("figure", "value", "change", "target"), start=1):
            _put(ws, row, col, head, bold=True)
        for tile in section.tiles:
            row += 1
            for col, v in enumerate((tile.label, tile.value, tile.change, tile.note), start=1):
                _put(ws, row, col, v)
        row += 2
    for line in section.lines:
        _put(ws, row, 1, line)
        row += 1
    if section.lines:
        row += 1
    frame = section.table
    if frame is not None and not frame.empty:
        for col, name in enumerate(frame.columns, start=1):
            _put(ws, row, col, name, bold=True)
        for values in frame.itertuples(index=False):
            row += 1
            for col, v in enumerate(values, start=1):
                _put(ws, row, col, v)
                if (
                    isinstance(v, float)
                    and not math.isnan(v)
                    and is_ratio_column(str(frame.columns[col - 1]))
                ):
                    ws.cell(row=row, column=col).number_format = "0.00%"
    ws.column_dimensions["A"].width = 48
    for letter in "BCDEFGH":
        ws.column_dimensions[letter].width = 16
    ws["A2"].alignment = Alignment(wrap_text=False)


def render_xlsx(report: Report) -> bytes:
    wb = Workbook()
    summary = wb.active
    summary.title = "Summary"
    used = {"summary"}
    _put(summary, 1, 1, report.template.title, bold=True)
    _put(summary, 2, 1, report.brand)
    _put(summary, 3, 1, report.period_label)
    _put(summary, 4, 1, f"Generated {report.generated_at:%Y-%m-%d %H:%M} UTC")
    _put(summary, 6, 1, "section", bold=True)
    _put(summary, 6, 2, "headline", bold=True)
    for i, s in enumerate(report.sections, start=7):
        _put(summary, i, 1, s.title)
        _put(summary, i, 2, s.headline)
    summary.column_dimensions["A"].width = 32
    summary.column_dimensions["B"].width = 100
    for s in report.sections:
        _section_sheet(wb.create_sheet(_sheet_name(s.title, used)), report, s)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
