"""A built report as PDF (fpdf2): a cover page, then each section from a new page under its heading,
with its lead sentence, KPI tiles, bullet lines, chart (Altair → PNG through vl-convert, offline)
and table. Pure Python; no browser, no network."""

from __future__ import annotations

import io
import math
from datetime import date, datetime
from pathlib import Path

import pandas as pd
from fpdf import FPDF

from app.services.reports.charts import to_png
from app.services.reports.data import Report, Section

# A Unicode TrueType font when the system has one (curly quotes, dashes, accents in post titles);
# otherwise the core Helvetica with text reduced to Latin-1.
_FONT_DIRS = ("/usr/share/fonts/truetype/dejavu", "/usr/share/fonts/dejavu", "/usr/share/fonts/TTF")
_LATIN1_SWAPS = str.maketrans(
    {"“": '"', "”": '"', "‘": "'", "’": "'", "–": "-", "—": "-", "…": "...", "≥": ">=", "≤": "<="}
)
MAX_TABLE_ROWS = 30


def _font_files() -> tuple[Path, Path] | None:
    for d in _FONT_DIRS:
        regular, bold = Path(d, "DejaVuSans.ttf"), Path(d, "DejaVuSans-Bold.ttf")
        if regular.exists() and bold.exists():
            return regular, bold
    return None


class _Doc(FPDF):
    def __init__(self, report: Report) -> None:
        super().__init__(orientation="P", unit="mm", format="A4")
        self.report = report
        self.section_title = ""
        fonts = _font_files()
        if fonts:
            self.add_font("Body", "", str(fonts[0]))
            self.add_font("Body", "B", str(fonts[1]))
            self.family, self.unicode = "Body", True
        else:
            self.family, self.unicode = "helvetica", False
        self.set_auto_page_break(auto=True, margin=16)
        self.set_title(report.title)
        self.set_creator("SocialOps Hub")

    def t(self, text: object) -> str:
        s = str(text)
        return (
            s if self.unicode else s.translate(_LATIN1_SWAPS).encode("latin-1", "replace").decode("latin-1")
        )

    def header(self) -> None:
        if self.page_no() == 1:
            return
        self.set_font(self.family, "", 8)
        self.set_text_color(110)
        self.cell(
            0, 5, self.t(f"{self.report.title} · {self.report.period_label}"), new_x="LMARGIN", new_y="NEXT"
        )
        self.set_font(self.family, "B", 16)
        self.set_text_color(20)
        self.cell(0, 10, self.t(self.section_title), new_x="LMARGIN", new_y="NEXT")
        self.ln(1)

    def footer(self) -> None:
        self.set_y(-12)
        self.set_font(self.family, "", 8)
        self.set_text_color(130)
        self.cell(0, 5, self.t(f"Page {self.page_no()}"), align="R")


def is_ratio_column(name: str) -> bool:
    """Columns holding fractions shown as percentages (rates, changes, shares, SLA)."""
    return any(w in name.lower() for w in ("rate", "change", "share", "sla", "% of"))


def _cell_text(value: object, column: str = "") -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    if isinstance(value, float):
        if is_ratio_column(column):
            return f"{value:+.0%}" if "change" in column else f"{value:.1%}"
        return f"{value:,.0f}" if value.is_integer() or abs(value) >= 100 else f"{value:,.1f}"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, datetime | date | pd.Timestamp):
        return f"{value:%Y-%m-%d}"
    return str(value)


def _tiles(doc: _Doc, section: Section) -> None:
    width, height, per_row = 45.0, 24.0, 4
    for i, tile in enumerate(section.tiles):
        if i % per_row == 0:
            if i:
                doc.ln(height + 2)
            if doc.get_y() + height > doc.h - 20:
                doc.add_page()
            y = doc.get_y()
        x = doc.l_margin + (i % per_row) * (width + 2)
        doc.set_draw_color(200)
        doc.rect(x, y, width, height)
        doc.set_xy(x + 2, y + 1.5)
        doc.set_font(doc.family, "", 8)
        doc.cell(width - 4, 4, doc.t(tile.label))
        doc.set_xy(x + 2, y + 6)
        doc.set_font(doc.family, "B", 13)
        doc.cell(width - 4, 7, doc.t(tile.value))
        doc.set_font(doc.family, "", 7)
        doc.set_xy(x + 2, y + 14)
        doc.cell(width - 4, 4, doc.t(tile.change))
        doc.set_xy(x + 2, y + 18)
        doc.cell(width - 4, 4, doc.t(tile.note))
    if section.tiles:
        doc.set_xy(doc.l_margin, y + height + 4)


def _table(doc: _Doc, frame: pd.DataFrame) -> None:
    shown = frame.head(MAX_TABLE_ROWS)
    doc.set_font(doc.family, "", 7)
    with doc.table(
        col_widths=tuple(3 if c in ("post", "incident", "competitor") else 1.4 for c in shown.columns),
        text_align="LEFT",
        line_height=4.5,
        first_row_as_headings=True,
    ) as table:
        table.row([doc.t(c) for c in shown.columns])
        for row in shown.itertuples(index=False):
            table.row([doc.t(_cell_text(v, c))[:80] for v, c in zip(row, shown.columns, strict=True)])
    if len(frame) > MAX_TABLE_ROWS:
        doc.set_font(doc.family, "", 7)
        doc.cell(
            0,
            5,
            doc.t(f"… and {len(frame) - MAX_TABLE_ROWS} more rows (all of them in the XLSX)"),
            new_x="LMARGIN",
            new_y="NEXT",
        )


def _section(doc: _Doc, section: Section) -> None:
    doc.section_title = section.title
    doc.add_page()
    doc.set_font(doc.family, "B", 12)
    doc.multi_cell(0, 6, doc.t(section.headline), new_x="LMARGIN", new_y="NEXT")
    doc.ln(2)
    _tiles(doc, section)
    doc.set_font(doc.family, "", 10)
    for line in section.lines:
        doc.multi_cell(0, 5, doc.t(f"•  {line}"), new_x="LMARGIN", new_y="NEXT")
        doc.ln(1)
    if section.chart is not None:
        png = to_png(section.chart)
        if doc.get_y() + 70 > doc.h - 20:
            doc.add_page()
        doc.image(io.BytesIO(png), w=doc.epw)
        doc.ln(2)
    if section.table is not None and not section.table.empty and section.key not in ("trend",):
        _table(doc, section.table)


def render_pdf(report: Report) -> bytes:
    doc = _Doc(report)
    doc.add_page()
    doc.set_font(doc.family, "B", 24)
    doc.ln(40)
    doc.multi_cell(0, 12, doc.t(report.template.title), new_x="LMARGIN", new_y="NEXT")
    doc.set_font(doc.family, "", 16)
    doc.multi_cell(0, 9, doc.t(report.brand), new_x="LMARGIN", new_y="NEXT")
    doc.multi_cell(0, 9, doc.t(report.period_label), new_x="LMARGIN", new_y="NEXT")
    doc.set_font(doc.family, "", 10)
    doc.ln(6)
    p0, p1 = report.previous
    doc.multi_cell(
        0,
        5,
        doc.t(
            f"For {report.template.audience}. Changes are against the previous period "
            f"({p0:%d %b %Y} – {p1:%d %b %Y}). Generated {report.generated_at:%Y-%m-%d %H:%M} UTC."
        ),
        new_x="LMARGIN",
        new_y="NEXT",
    )
    doc.ln(4)
    doc.set_font(doc.family, "B", 11)
    doc.cell(0, 6, doc.t("Contents"), new_x="LMARGIN", new_y="NEXT")
    doc.set_font(doc.family, "", 10)
    for s in report.sections:
        doc.cell(0, 5, doc.t(f"{s.title}: {s.headline}")[:120], new_x="LMARGIN", new_y="NEXT")
    for s in report.sections:
        _section(doc, s)
    return bytes(doc.output())
