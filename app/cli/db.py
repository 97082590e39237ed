"""`python -m app db upgrade|current|reset|revision` and `python -m app demo`: the schema, an empty
workspace, and the demo workspace or a large synthetic agency."""

from __future__ import annotations

import argparse
import time

from app.cli.common import CliError, CliParser, Commands, database_engine, progress_printer
from app.config import mask_url
from app.db import current_revision, drop_everything, head_revision, make_revision, upgrade
from app.demo import build_agency, seed_demo_workspace
from app.services.core import Actor
from app.services.org import reset_database


def cmd_db_upgrade(args: argparse.Namespace) -> None:
    engine = database_engine()
    before = current_revision(engine)
    upgrade(engine, args.revision)
    after = current_revision(engine)
    print(f"database {mask_url(str(engine.url))}: {before or 'empty'} -> {after}")


def cmd_db_current(args: argparse.Namespace) -> None:
    engine = database_engine()
    print(f"{current_revision(engine) or 'empty'} (newest: {head_revision()}) at {mask_url(str(engine.url))}")


def cmd_db_reset(args: argparse.Namespace) -> None:
    if not args.yes:
        raise CliError("this removes every brand, post and metric; add --yes to confirm")
    reset_database(database_engine(), Actor.cli(), workspace_name=args.name)
    print(f"database reset: empty workspace {args.name!r}; add people with `python -m app users add`")


def cmd_db_revision(args: argparse.Namespace) -> None:
    make_revision(args.message, database_engine())


def cmd_demo(args: argparse.Namespace) -> None:
    engine = database_engine()
    if args.reset:
        drop_everything(engine)
    upgrade(engine)
    actor = Actor.cli()
    started = time.perf_counter()
    if args.brands is None:
        if args.days is not None:
            raise CliError("--days goes with --brands (the small demo always covers 180 days)")
        summary = seed_demo_workspace(engine, actor=actor, progress=progress_printer())
        what = "demo workspace"
    else:
        if args.brands < 1 or (args.days or 1) < 1:
            raise CliError("--brands and --days must be at least 1")
        summary = build_agency(
            engine,
            actor=actor,
            brands=args.brands,
            days=args.days or 365,
            seed=args.seed,
            progress=progress_printer(),
        )
        what = f"synthetic agency ({args.brands} brands, {args.days or 365} days)"
    total = sum(summary.counts.values())
    print(f"{what} ready in {time.perf_counter() - started:.1f} s: {total:,} rows")
    for table, count in sorted(summary.counts.items(), key=lambda kv: -kv[1]):
        if count:
            print(f"  {table:<28} {count:>12,}")


def add_db_commands(sub: Commands) -> None:
    """Register `db` and `demo` on the main parser's sub-commands."""
    db = sub.add_parser("db", help="schema upgrades and resets")
    dbs = db.add_subparsers(dest="db_command", metavar="ACTION", required=True, parser_class=CliParser)
    up = dbs.add_parser("upgrade", help="migrate the database to the newest schema")
    up.add_argument("--revision", default="head")
    up.set_defaults(func=cmd_db_upgrade)
    dbs.add_parser("current", help="show the schema revision").set_defaults(func=cmd_db_current)
    reset = dbs.add_parser("reset", help="remove everything and start with an empty workspace")
    reset.add_argument("--name", default="My workspace", help="name of the new workspace")
    reset.add_argument("--yes", action="store_true", help="confirm")
    reset.set_defaults(func=cmd_db_reset)
    rev = dbs.add_parser("revision", help="(developers) write a migration from the model changes")
    rev.add_argument("-m", "--message", required=True)
    rev.set_defaults(func=cmd_db_revision)

    demo = sub.add_parser(
        "demo", help="fill the database with the demo workspace (or a large synthetic agency)"
    )
    demo.add_argument("--brands", type=int, help="build a synthetic agency with N brands (5 channels each)")
    demo.add_argument("--days", type=int, help="days of history for --brands (default 365)")
    demo.add_argument("--seed", type=int, default=7, help="random seed of the synthetic agency")
    demo.add_argument("--reset", action="store_true", help="remove everything first")
    demo.set_defaults(func=cmd_demo)
