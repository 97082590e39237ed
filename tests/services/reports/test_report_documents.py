"""A report as documents: the PDF checked page by page (one section per page under its heading, with
the brand's own numbers), the XLSX with one sheet per section, numbers as numbers and text never a
formula, and `python -m app report` with its errors."""

from __future__ import annotations

import io
import subprocess
import sys
from datetime import UTC, date, datetime

import pandas as pd
import pytest
from openpyxl import load_workbook
from pypdf import PdfReader
from sqlalchemy import Engine

from app.db import read_session
from app.services.core import Actor, parse_period
from app.services.measurement import insights, overview
from app.services.org import get_brand
from app.services.reports import TEMPLATES, get_template
from app.services.reports import produce as reports
from app.services.reports.data import Report, Section, Tile
from app.services.reports.xlsx import render_xlsx
from app.ui.reports import last_quarter_label

ADMIN = Actor.system("test:reports")


@pytest.fixture(scope="module")
def quarter(demo_today: date) -> tuple[str, date, date]:
    label = last_quarter_label(demo_today)
    return (label, *parse_period(label))


def test_pdf_has_one_page_per_section_with_its_heading_and_numbers(
    module_demo_db: Engine, quarter: tuple[str, date, date]
) -> None:
    _, start, end = quarter
    with read_session(module_demo_db) as s:
        report, pdf = reports.produce(s, ADMIN, "warisan", "performance", start, end, "pdf")
        brand_id = get_brand(s, ADMIN, "warisan").id
        kpis = overview.headline_kpis(s, ADMIN, [brand_id], start, end)
    pages = [p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages]
    sections = TEMPLATES["performance"].sections
    assert len(pages) == 1 + len(sections)
    assert "Detailed performance" in pages[0] and "Warisan Kopitiam" in pages[0]
    for page, section in zip(pages[1:], report.sections, strict=True):
        assert section.title in page, f"page for {section.key} lacks its heading"
        first_words = section.headline.split()[:3]
        assert " ".join(first_words) in " ".join(page.split())
    key_figures = pages[1 + sections.index("kpis")]
    for k in kpis:
        assert insights.figure_text(k.value, k.unit) in key_figures, k.label
    # The charts are real images (trend, platforms).
    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages[1 + sections.index("trend")].images) == 1


def test_xlsx_has_a_sheet_per_section_with_numbers_as_numbers(
    module_demo_db: Engine, quarter: tuple[str, date, date]
) -> None:
    _, start, end = quarter
    with read_session(module_demo_db) as s:
        report, data = reports.produce(s, ADMIN, "warisan", None, start, end, "xlsx")
    assert report.template.key == "executive"
    wb = load_workbook(io.BytesIO(data))
    assert wb.sheetnames == ["Summary", *(sec.title for sec in report.sections)]
    trend = wb["Trend"]
    header_row = next(r for r in trend.iter_rows() if r[0].value == "period_start")
    body = list(trend.iter_rows(min_row=header_row[0].row + 1))
    assert body and all(isinstance(r[2].value, int | float) for r in body)  # impressions


def test_text_starting_with_equals_stays_text() -> None:
    tpl = get_template("executive")
    table = pd.DataFrame({"post": ['=HYPERLINK("http://x")', "plain"], "engagements": [12, 3.5]})
    section = Section("posts", "Top posts", "=1+1 is not a formula", [Tile("=cmd", "1")], ["=SUM(A1)"], table)
    report = Report("=Brand", "b", tpl, date(2026, 7, 1), date(2026, 9, 30), (date(2026, 4, 1), date(2026, 6, 30)),
                    datetime.now(UTC), [section], {})  # fmt: skip
    wb = load_workbook(io.BytesIO(render_xlsx(report)))
    cells = [
        c
        for ws in wb
        for row in ws.iter_rows()
        for c in row
        if isinstance(c.value, str) and c.value.startswith("=")
    ]
    assert {c.value for c in cells} >= {
        "=Brand",
        "=1+1 is not a formula",
        "=cmd",
        "=SUM(A1)",
        '=HYPERLINK("http://x")',
    }
    assert all(c.data_type == "s" for c in cells)
    nums = [c.value for ws in wb for row in ws.iter_rows() for c in row if c.value in (12, 3.5)]
    assert sorted(nums) == [3.5, 12]


def _cli(engine: Engine, *args: str) -> subprocess.CompletedProcess[str]:
    env = {"DATABASE_URL": engine.url.render_as_string(hide_password=False), "PATH": "/usr/bin:/bin"}
    return subprocess.run([sys.executable, "-m", "app", "report", *args], capture_output=True, text=True,
                          env=env, timeout=180)  # fmt: skip


def test_cli_writes_the_report_and_names_what_is_wrong(
    module_demo_db: Engine, quarter: tuple[str, date, date], tmp_path
) -> None:  # type: ignore[no-untyped-def]
    label = quarter[0]
    out = tmp_path / "q.pdf"
    ok = _cli(
        module_demo_db,
        "--brand",
        "warisan",
        "--template",
        "quarterly",
        "--period",
        label,
        "--format",
        "pdf",
        "-o",
        str(out),
    )
    assert ok.returncode == 0, ok.stderr
    assert out.read_bytes().startswith(b"%PDF") and "Quarterly review" in ok.stdout
    pages = PdfReader(out).pages
    assert len(pages) == 1 + len(TEMPLATES["quarterly"].sections)
    xlsx = tmp_path / "e.xlsx"
    assert (
        _cli(
            module_demo_db, "--brand", "warisan", "--period", label, "--format", "xlsx", "-o", str(xlsx)
        ).returncode
        == 0
    )
    assert load_workbook(xlsx).sheetnames[1] == "Key figures"  # the executive summary by default
    for args, message in (
        (["--brand", "nobody", "--period", label], "no brand 'nobody'"),
        (
            ["--brand", "warisan", "--template", "weekly", "--period", label],
            "unknown report template 'weekly'",
        ),
        (["--brand", "warisan", "--period", "Q3-2026"], "must look like 2026-Q3"),
    ):
        bad = _cli(module_demo_db, *args, "--format", "pdf", "-o", str(tmp_path / "x.pdf"))
        assert bad.returncode == 1 and message in bad.stderr, bad.stderr
