"""`python -m app sheets ...`: the Google Sheets mirror from the command line (connected worksheets and
their health, sync now, the schemas, open problems and decisions), over the same services as Settings."""

from __future__ import annotations

import argparse

from sqlalchemy.orm import Session

from app.cli.common import CliError, CliParser, Commands, database_engine, print_rows, require_ready
from app.db import read_session, write_session
from app.services.core import Actor
from app.services.org import get_brand, list_brands
from app.sheets import bindings, problems
from app.sheets.catalog import load_schemas
from app.sheets.sync import sync_brands


def _brand_ids(session: Session, actor: Actor, slug: str | None) -> list[int]:
    return (
        [get_brand(session, actor, slug).id]
        if slug
        else [b.id for b in list_brands(session, actor, include_inactive=True)]
    )


def cmd_status(args: argparse.Namespace) -> None:
    require_ready()
    actor = Actor.cli()
    with read_session(database_engine()) as s:
        rows = bindings.list_bindings(s, actor, _brand_ids(s, actor, args.brand))
    columns = [
        "id",
        "brand",
        "schema",
        "worksheet",
        "spreadsheet_key",
        "sync_as",
        "conflict_policy",
        "removed_rows",
        "enabled",
        "last_sync_at",
        "last_status",
        "open_problems",
        "last_requests",
        "last_error",
    ]
    print_rows(rows, columns, args.json)


def cmd_sync(args: argparse.Namespace) -> None:
    require_ready()
    actor = Actor.cli()
    with read_session(database_engine()) as s:
        ids = _brand_ids(s, actor, args.brand)
    results = sync_brands(database_engine(), actor, ids)
    if not results:
        print("no connected worksheets (connect one in Settings → Sheets or with `sheets connect`)")
    for r in results:
        print(r.line())
    failed = [r for r in results if not r.ok]
    if failed:
        raise CliError(f"{len(failed)} of {len(results)} worksheet(s) failed to sync")


def cmd_schemas(args: argparse.Namespace) -> None:
    rows = [
        {
            "name": s.name,
            "title": s.title,
            "source": s.source,
            "direction": s.direction,
            "columns": len(s.columns),
            "file": s.path.name,
        }
        for s in load_schemas().values()
    ]
    print_rows(rows, ["name", "title", "source", "direction", "columns", "file"], args.json)


def cmd_connect(args: argparse.Namespace) -> None:
    require_ready()
    with write_session(database_engine()) as s:
        b = bindings.connect(
            s,
            Actor.cli(),
            brand=args.brand,
            schema=args.worksheet,
            spreadsheet=args.spreadsheet,
            sync_as=args.sync_as,
            worksheet_title=args.tab,
            conflict_policy=args.conflicts,
            removed_rows=args.removed,
        )
        print(
            f"connected {b.schema_name} of {args.brand} to tab {b.worksheet_title!r} (id {b.id}); the next sync exports it"
        )


def cmd_problems(args: argparse.Namespace) -> None:
    require_ready()
    actor = Actor.cli()
    with read_session(database_engine()) as s:
        frame = problems.list_problems(s, actor, _brand_ids(s, actor, args.brand), include_resolved=args.all)
    print_rows(frame.to_dict("records"), list(frame.columns), args.json)


def cmd_decide(args: argparse.Namespace) -> None:
    require_ready()
    with write_session(database_engine()) as s:
        p = problems.decide(s, Actor.cli(), args.problem, args.decision)
        print(f"problem {p.id}: {p.resolution}; the next sync carries it out")


def cmd_export_again(args: argparse.Namespace) -> None:
    require_ready()
    with write_session(database_engine()) as s:
        b = bindings.export_again(s, Actor.cli(), args.binding)
        print(f"{b.worksheet_title}: the next sync exports it again")


def add_sheets_commands(sub: Commands) -> None:
    """Register `sheets` on the main parser's sub-commands."""
    sheets = sub.add_parser("sheets", help="the Google Sheets mirror: status, sync, schemas, problems")
    acts = sheets.add_subparsers(
        dest="sheets_command", metavar="ACTION", required=True, parser_class=CliParser
    )
    st = acts.add_parser("status", help="connected worksheets and how their last sync went")
    st.add_argument("--brand")
    st.add_argument("--json", action="store_true")
    st.set_defaults(func=cmd_status)
    sy = acts.add_parser("sync", help="sync now (every connected worksheet, or one brand's)")
    sy.add_argument("--brand")
    sy.set_defaults(func=cmd_sync)
    sc = acts.add_parser("schemas", help="the worksheet schemas in sheets_schema/")
    sc.add_argument("--json", action="store_true")
    sc.set_defaults(func=cmd_schemas)
    co = acts.add_parser("connect", help="mirror a worksheet schema of a brand into a spreadsheet (by key)")
    co.add_argument("--brand", required=True)
    co.add_argument("--worksheet", required=True, help="schema name, see `sheets schemas`")
    co.add_argument("--spreadsheet", required=True, help="the spreadsheet's key or URL")
    co.add_argument("--sync-as", required=True, help="e-mail of the person whose permissions the sync uses")
    co.add_argument("--tab", help="tab title (default: the schema's)")
    co.add_argument("--conflicts", help="database_wins, sheet_wins or flag")
    co.add_argument("--removed", help="ignore, archive or flag")
    co.set_defaults(func=cmd_connect)
    pr = acts.add_parser("problems", help="open sync problems (refused edits, conflicts, removed rows)")
    pr.add_argument("--brand")
    pr.add_argument("--all", action="store_true", help="include resolved ones")
    pr.add_argument("--json", action="store_true")
    pr.set_defaults(func=cmd_problems)
    de = acts.add_parser("decide", help="settle a problem: database, sheet, restore, leave or archive")
    de.add_argument("problem", type=int)
    de.add_argument("decision")
    de.set_defaults(func=cmd_decide)
    ex = acts.add_parser("export-again", help="forget the tab's sync state; the next sync exports it anew")
    ex.add_argument("binding", type=int)
    ex.set_defaults(func=cmd_export_again)
