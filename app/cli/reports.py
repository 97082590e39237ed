"""`python -m app report --brand B [--template T] --period 2026-Q3 --format pdf|xlsx -o FILE`: one brand's
report for one period written to a file (the executive summary when no template is named)."""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from app.cli.common import CliError, Commands, require_ready
from app.db import read_session
from app.services.core import Actor, parse_period
from app.services.reports import TEMPLATES, get_template
from app.services.reports import produce as reports


def cmd_report(args: argparse.Namespace) -> None:
    # Arguments first (template, period, format, file), so a typo fails before the database is touched.
    get_template(args.template)
    start, end = parse_period(args.period)
    fmt = args.format or Path(args.output).suffix.lstrip(".").lower()
    if fmt not in reports.FORMATS:
        raise CliError(f"--format {fmt or '(none)'!r}: choose pdf or xlsx (or name the file .pdf / .xlsx)")
    out = Path(args.output)
    if not out.parent.exists():
        raise CliError(f"-o {args.output}: the folder {out.parent} does not exist")
    require_ready()
    with read_session() as s:
        report, data = reports.produce(s, Actor.cli(), args.brand, args.template, start, end, fmt)
    tmp = out.with_name(f".{out.name}.part")
    tmp.write_bytes(data)
    os.replace(tmp, out)  # a reader never sees half a file
    print(f"{report.title}, {report.period_label}: {len(data):,} bytes written to {out}")


def add_report_commands(sub: Commands) -> None:
    """Register `report` on the main parser's sub-commands."""
    rep = sub.add_parser("report", help="write one brand's report for a period to a PDF or XLSX file")
    rep.add_argument("--brand", required=True, help="the brand's slug (see `python -m app brands`)")
    rep.add_argument(
        "--template", help=f"one of: {', '.join(TEMPLATES)} (default: executive, the executive summary)"
    )
    rep.add_argument("--period", required=True, help="a quarter (2026-Q3) or a month (2026-08)")
    rep.add_argument("--format", choices=reports.FORMATS, help="pdf or xlsx (default: from the file name)")
    rep.add_argument("-o", "--output", required=True, help="the file to write")
    rep.set_defaults(func=cmd_report)
