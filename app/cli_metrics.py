"""`python -m app rollups refresh|rebuild`: the weekly and monthly metric rollups, over app.services.rollups."""

from __future__ import annotations

import argparse
from typing import Any

from app.cli import _Parser, _progress_printer, _require_ready
from app.db import write_session
from app.services import brands, rollups
from app.services.permissions import Actor


def cmd_rollups_refresh(args: argparse.Namespace) -> None:
    _require_ready()
    with write_session() as s:
        result = rollups.refresh(s, Actor.cli(), progress=_progress_printer())
    print(
        f"rollups refreshed in {result.seconds:.1f} s: {result.dirty_days:,} changed channel-days, "
        f"{result.weeks:,} weeks and {result.months:,} months rewritten from {result.daily_rows:,} daily rows"
    )


def cmd_rollups_rebuild(args: argparse.Namespace) -> None:
    _require_ready()
    actor = Actor.cli()
    with write_session() as s:
        brand_ids = [brands.get_brand(s, actor, args.brand).id] if args.brand else None
        result = rollups.rebuild(s, actor, brand_ids, progress=_progress_printer())
    scope = args.brand or "every brand"
    print(
        f"rollups rebuilt for {scope} in {result.seconds:.1f} s: {result.channels:,} channels, "
        f"{result.daily_rows:,} daily rows, {result.weeks:,} weeks and {result.months:,} months"
    )


def add_metrics_commands(sub: Any) -> None:
    """Register `rollups` on the main parser's sub-commands."""
    roll = sub.add_parser("rollups", help="refresh or rebuild the weekly and monthly metric rollups")
    acts = roll.add_subparsers(dest="rollups_command", metavar="ACTION", required=True, parser_class=_Parser)
    ref = acts.add_parser("refresh", help="roll up the channel-days changed since the last refresh (the job)")
    ref.set_defaults(func=cmd_rollups_refresh)
    reb = acts.add_parser("rebuild", help="recompute every rollup from the daily rows (repairs)")
    reb.add_argument("--brand", help="only this brand (slug)")
    reb.set_defaults(func=cmd_rollups_rebuild)
