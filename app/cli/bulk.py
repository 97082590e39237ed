"""`python -m app import posts|template` and `python -m app export calendar`: bulk posts in, the
content calendar out, over the content domain's post importer and calendar export."""

from __future__ import annotations

import argparse
from datetime import date, timedelta
from pathlib import Path

from app.cli.common import (
    CliError,
    CliParser,
    Commands,
    print_json,
    problem_line,
    progress_printer,
    read_import_file,
    require_ready,
)
from app.db import read_session, write_session
from app.faults import maybe_crash
from app.services.content import export as calendar_export
from app.services.content import import_posts, template_csv, template_xlsx
from app.services.core import Actor, clock
from app.services.org import brands


def cmd_import_posts(args: argparse.Namespace) -> None:
    data, name = read_import_file(args)
    with write_session() as s:
        report = import_posts(
            s,
            Actor.cli(),
            args.brand,
            data,
            name,
            fmt=args.format,
            channel=args.channel,
            dry_run=args.dry_run,
            valid_only=args.valid_only,
            date_order=args.date_order,
            progress=None if args.json else progress_printer(),
            again=args.again,
        )
    maybe_crash("import.after_commit")  # landed, but the person never saw the report
    if args.json:
        print_json(report)
    else:
        print(f"{report.summary()} [{report.format}, {report.encoding}, {report.seconds:.1f} s]")
        for slug, count in report.variants_per_channel.items():
            print(f"  {slug:<28} {count:>8,} variants")
        for note in report.notes:
            print(f"note: {note}")
        for p in report.problems:
            print(problem_line(p))
        for p in report.warnings[:20]:
            print(f"warning: {problem_line(p)}")
        if len(report.warnings) > 20:
            print(f"warning: ... and {len(report.warnings) - 20:,} more warnings (--json lists them all)")
    how = "" if report.valid_only else "; --valid-only imports the rows that pass"
    if report.blocked:
        raise CliError(f"nothing imported: {len(report.refused_rows):,} rows refused{how}")
    if report.dry_run and report.problems and not report.valid_only:
        # So a script can check a file before importing it: the real run would be refused.
        raise CliError(f"the import would be refused: {len(report.refused_rows):,} rows{how}")


def cmd_import_template(args: argparse.Namespace) -> None:
    path = Path(args.output)
    data = template_xlsx() if path.suffix.lower() == ".xlsx" else template_csv()
    path.write_bytes(data)
    kind = "a workbook: Posts, Columns and Example sheets" if path.suffix.lower() == ".xlsx" else "CSV header"
    print(f"wrote the import template ({kind}) to {path}")


def _date_arg(value: str | None, option: str) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise CliError(f"{option} {value!r} is not a date (YYYY-MM-DD)") from None


def cmd_export_calendar(args: argparse.Namespace) -> None:
    require_ready()
    start = _date_arg(args.start, "--from") or clock.today()
    end = _date_arg(args.end, "--to") or start + timedelta(days=29)
    statuses = [v.strip() for v in args.status.split(",") if v.strip()] if args.status else None
    actor = Actor.cli()
    with read_session() as s:
        if args.brand:
            brand_ids = [brands.get_brand(s, actor, args.brand).id]
        else:
            brand_ids = [b.id for b in brands.list_brands(s, actor)]
        if end < start:
            raise CliError("--to is before --from")
        rows = calendar_export.export_rows(s, actor, brand_ids, start, end, statuses)
        data = calendar_export.render(s, rows, args.format)
    Path(args.output).write_bytes(data)
    scope = args.brand or f"all {len(brand_ids)} brands"
    print(f"wrote {len(rows):,} post variants ({scope}, {start} to {end}) as {args.format} to {args.output}")


def add_import_export_commands(sub: Commands) -> Commands:
    """Register `import` and `export` on the main parser's sub-commands; returns the `import` actions (the
    metrics group adds `import metrics` to them)."""
    imp = sub.add_parser("import", help="import posts from CSV or XLSX (template, Hootsuite, Sprout Social)")
    imps = imp.add_subparsers(dest="import_command", metavar="ACTION", required=True, parser_class=CliParser)
    posts = imps.add_parser(
        "posts",
        help="import posts (all-or-nothing unless --valid-only)",
        description="Import posts as ideas or drafts. Formats: this tool's template (see `import template`), "
        "Hootsuite's bulk CSV (date and time, message, link) and Sprout Social's (date, time_24hr, "
        "message_text); the last two have no channel column, so --channel is required.",
    )
    posts.add_argument("file", help="a .csv or .xlsx file")
    posts.add_argument("--brand", required=True)
    posts.add_argument("--channel", help="channel slug or platform (required for Hootsuite and Sprout files)")
    posts.add_argument("--format", default="auto", choices=["auto", "template", "hootsuite", "sprout"])
    posts.add_argument(
        "--date-order", default="dmy", choices=["dmy", "mdy"], help="day-first or month-first dates"
    )
    posts.add_argument("--dry-run", action="store_true", help="check everything, write nothing")
    posts.add_argument(
        "--valid-only", action="store_true", help="import the rows that pass, skip the refused"
    )
    posts.add_argument(
        "--again",
        action="store_true",
        help="import a file that was already imported into the brand (refused otherwise, so a repeated "
        "run after a crash or timeout never doubles the posts)",
    )
    posts.add_argument("--json", action="store_true", help="print the full report as JSON")
    posts.set_defaults(func=cmd_import_posts)
    tmpl = imps.add_parser("template", help="write the import template (.csv, or .xlsx with column notes)")
    tmpl.add_argument("-o", "--output", required=True, help="e.g. posts.xlsx or posts.csv")
    tmpl.set_defaults(func=cmd_import_template)

    exp = sub.add_parser("export", help="export the content calendar (CSV, XLSX or ICS)")
    exps = exp.add_subparsers(dest="export_command", metavar="ACTION", required=True, parser_class=CliParser)
    cal = exps.add_parser("calendar", help="one row (or calendar event) per post variant")
    cal.add_argument("--format", required=True, choices=["csv", "xlsx", "ics"])
    cal.add_argument("--brand", help="one brand (default: every brand)")
    cal.add_argument("--from", dest="start", help="first day, YYYY-MM-DD (default: today)")
    cal.add_argument("--to", dest="end", help="last day, YYYY-MM-DD (default: 30 days from --from)")
    cal.add_argument("--status", help="only these statuses, comma-separated (e.g. scheduled,published)")
    cal.add_argument("-o", "--output", required=True)
    cal.set_defaults(func=cmd_export_calendar)
    return imps
