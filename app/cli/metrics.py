"""`python -m app rollups refresh|rebuild` and `python -m app import metrics FILE`: the metric rollups and
the platform analytics export importer, over the measurement domain."""

from __future__ import annotations

import argparse

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
from app.db import write_session
from app.services.core import Actor
from app.services.measurement import PLATFORM_CHOICES, import_metrics, rollups
from app.services.org import brands


def cmd_rollups_refresh(args: argparse.Namespace) -> None:
    require_ready()
    with write_session() as s:
        result = rollups.refresh(s, Actor.cli(), progress=progress_printer())
    print(
        f"rollups refreshed in {result.seconds:.1f} s: {result.dirty_days:,} changed channel-days, "
        f"{result.weeks:,} weeks and {result.months:,} months rewritten from {result.daily_rows:,} daily rows"
    )


def cmd_rollups_rebuild(args: argparse.Namespace) -> None:
    require_ready()
    actor = Actor.cli()
    with write_session() as s:
        brand_ids = [brands.get_brand(s, actor, args.brand).id] if args.brand else None
        result = rollups.rebuild(s, actor, brand_ids, progress=progress_printer())
    scope = args.brand or "every brand"
    print(
        f"rollups rebuilt for {scope} in {result.seconds:.1f} s: {result.channels:,} channels, "
        f"{result.daily_rows:,} daily rows, {result.weeks:,} weeks and {result.months:,} months"
    )


def cmd_import_metrics(args: argparse.Namespace) -> None:
    data, name = read_import_file(args)
    with write_session() as s:
        report = import_metrics(
            s,
            Actor.cli(),
            args.brand,
            data,
            name,
            channel=args.channel,
            platform=args.platform,
            date_order=args.date_order,
            dry_run=args.dry_run,
            progress=None if args.json else progress_printer(),
        )
    if args.json:
        print_json(report)
    else:
        print(report.summary())
        for note in report.notes:
            print(f"note: {note}")
        for p in report.problems:
            print(problem_line(p))
    if report.problems:
        raise CliError(
            f"nothing imported: {len(report.refused_rows):,} row(s) refused (fix them and run again)"
        )


def add_metrics_commands(sub: Commands, imports: Commands) -> None:
    """Register `rollups` on the main parser's sub-commands, and `metrics` among the `import` actions."""
    roll = sub.add_parser("rollups", help="refresh or rebuild the weekly and monthly metric rollups")
    acts = roll.add_subparsers(
        dest="rollups_command", metavar="ACTION", required=True, parser_class=CliParser
    )
    ref = acts.add_parser("refresh", help="roll up the channel-days changed since the last refresh (the job)")
    ref.set_defaults(func=cmd_rollups_refresh)
    reb = acts.add_parser("rebuild", help="recompute every rollup from the daily rows (repairs)")
    reb.add_argument("--brand", help="only this brand (slug)")
    reb.set_defaults(func=cmd_rollups_rebuild)

    met = imports.add_parser(
        "metrics",
        help="import a platform analytics export (Meta, Instagram, LinkedIn, X, TikTok, YouTube, GA4/CRM)",
        description="Import an analytics export file all-or-nothing: daily rows become the channel's days, "
        "post rows become post snapshots, GA4/CRM rows become conversions. The same file twice changes nothing.",
    )
    met.add_argument("file", help="a .csv (any encoding Excel writes) or .xlsx file")
    met.add_argument("--brand", required=True)
    met.add_argument("--channel", help="channel slug (default: the brand's channel on the detected platform)")
    met.add_argument("--platform", default="auto", choices=["auto", *PLATFORM_CHOICES])
    met.add_argument(
        "--date-order", default="auto", choices=["auto", "dmy", "mdy"], help="for dates like 03/04/2026"
    )
    met.add_argument("--dry-run", action="store_true", help="check everything, write nothing")
    met.add_argument("--json", action="store_true", help="print the full report as JSON")
    met.set_defaults(func=cmd_import_metrics)
