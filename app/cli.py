"""`python -m app`: the command line for power users and jobs. It calls the same services as the app
(same permission checks, same audit log; it acts as `cli:<os user>`, an admin). Listing commands print
one row per line with the slug first, or JSON with --json. Errors are one line on stderr, exit code 1
(2 for a mistyped command)."""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
import time
from collections.abc import Callable, Sequence
from datetime import date, datetime
from typing import Any, NoReturn

from sqlalchemy.exc import OperationalError

from app.config import ConfigError, get_settings, mask_url, setting_value
from app.db import current_revision, get_engine, head_revision, read_session, upgrade, write_session
from app.services.core import Actor, ServiceError, audit
from app.services.org import DbState, brands, channels, database_state, markets, reset_database, users


class CliError(Exception):
    """A problem the user can fix; printed as one line."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        self.exit(2, f"error: {message} (see `{self.prog} --help`)\n")


# --- output ---------------------------------------------------------------------------------------


def _plain(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, list):
        return ",".join(str(v) for v in value)
    if isinstance(value, dict):
        return ",".join(f"{k}:{v}" for k, v in value.items())
    if isinstance(value, bool):
        return "yes" if value else "no"
    return "" if value is None else value


def print_rows(rows: Sequence[Any], columns: Sequence[str], as_json: bool) -> None:
    """Dataclass rows: JSON objects, or aligned columns with the first column (the slug) first."""
    dicts = [dataclasses.asdict(r) if dataclasses.is_dataclass(r) else dict(r) for r in rows]
    if as_json:
        print(
            json.dumps([{k: d[k] for k in columns} for d in dicts], default=str, ensure_ascii=False, indent=2)
        )
        return
    cells = [[str(_plain(d[c])) for c in columns] for d in dicts]
    widths = [max([len(c), *(len(row[i]) for row in cells)]) for i, c in enumerate(columns)]
    print("  ".join(c.upper().ljust(w) for c, w in zip(columns, widths, strict=True)).rstrip())
    for row in cells:
        print("  ".join(v.ljust(w) for v, w in zip(row, widths, strict=True)).rstrip())


def _progress_printer() -> Callable[[float, str], None]:
    last = {"message": None}

    def report(fraction: float, message: str) -> None:
        if message != last["message"]:
            print(f"  {fraction:4.0%}  {message}", file=sys.stderr, flush=True)
            last["message"] = message

    return report


# --- database helpers -----------------------------------------------------------------------------


def _engine():  # type: ignore[no-untyped-def]
    return get_engine(get_settings().database_url)


def _require_ready() -> None:
    engine = _engine()
    state = database_state(engine)
    if state == DbState.EMPTY:
        raise CliError(
            "the database is empty: run `python -m app db upgrade`, then `python -m app demo` or `db reset`"
        )
    if state == DbState.BEHIND:
        raise CliError(
            f"the database schema is at {current_revision(engine)}, this code needs {head_revision()}: "
            "run `python -m app db upgrade`"
        )
    if state == DbState.UNKNOWN_REVISION:
        raise CliError("the database was migrated by a newer SocialOps Hub; update the code")


# --- commands -------------------------------------------------------------------------------------


def cmd_db_upgrade(args: argparse.Namespace) -> None:
    engine = _engine()
    before = current_revision(engine)
    upgrade(engine, args.revision)
    after = current_revision(engine)
    print(f"database {mask_url(str(engine.url))}: {before or 'empty'} -> {after}")


def cmd_db_current(args: argparse.Namespace) -> None:
    engine = _engine()
    print(f"{current_revision(engine) or 'empty'} (newest: {head_revision()}) at {mask_url(str(engine.url))}")


def cmd_db_reset(args: argparse.Namespace) -> None:
    if not args.yes:
        raise CliError("this removes every brand, post and metric; add --yes to confirm")
    reset_database(_engine(), Actor.cli(), workspace_name=args.name)
    print(f"database reset: empty workspace {args.name!r}; add people with `python -m app users add`")


def cmd_db_revision(args: argparse.Namespace) -> None:
    from app.db import make_revision

    make_revision(args.message, _engine())


def cmd_demo(args: argparse.Namespace) -> None:
    from app.db import drop_everything
    from app.demo import build_agency, seed_demo_workspace

    engine = _engine()
    if args.reset:
        drop_everything(engine)
    upgrade(engine)
    actor = Actor.cli()
    started = time.perf_counter()
    if args.brands is None:
        if args.days is not None:
            raise CliError("--days goes with --brands (the small demo always covers 180 days)")
        summary = seed_demo_workspace(engine, actor=actor, progress=_progress_printer())
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
            progress=_progress_printer(),
        )
        what = f"synthetic agency ({args.brands} brands, {args.days or 365} days)"
    total = sum(summary.counts.values())
    print(f"{what} ready in {time.perf_counter() - started:.1f} s: {total:,} rows")
    for table, count in sorted(summary.counts.items(), key=lambda kv: -kv[1]):
        if count:
            print(f"  {table:<28} {count:>12,}")


def cmd_brands_list(args: argparse.Namespace) -> None:
    _require_ready()
    with read_session() as s:
        rows = brands.list_brands(s, Actor.cli(), include_inactive=args.all)
    print_rows(rows, ["slug", "name", "market", "industry", "regulated", "channels", "active"], args.json)


def cmd_brands_add(args: argparse.Namespace) -> None:
    _require_ready()
    with write_session() as s:
        b = brands.create_brand(
            s,
            Actor.cli(),
            slug=args.slug,
            name=args.name,
            market=args.market,
            industry=args.industry or "",
            regulated=args.regulated,
            color=args.color,
        )
    print(f"added brand {b.slug} ({b.name}, market {b.market})")


def cmd_markets_list(args: argparse.Namespace) -> None:
    _require_ready()
    with read_session() as s:
        rows = markets.list_markets(s, Actor.cli())
    print_rows(
        rows, ["code", "name", "country_code", "languages", "timezone", "currency", "brands"], args.json
    )


def cmd_markets_add(args: argparse.Namespace) -> None:
    _require_ready()
    with write_session() as s:
        m = markets.create_market(
            s,
            Actor.cli(),
            code=args.code,
            name=args.name,
            country_code=args.country,
            languages=args.languages,
            timezone=args.timezone,
            currency=args.currency,
            date_format=args.date_format,
        )
    print(f"added market {m.code} ({m.name}, {m.timezone})")


def cmd_channels_list(args: argparse.Namespace) -> None:
    _require_ready()
    with read_session() as s:
        rows = channels.list_channels(s, Actor.cli(), brand=args.brand, include_inactive=args.all)
    cols = ["slug", "brand", "platform", "handle", "connector", "health", "active"]
    if args.json:
        cols += ["base_url", "credential_env", "market", "last_error"]
    print_rows(rows, cols, args.json)


def cmd_channels_add(args: argparse.Namespace) -> None:
    _require_ready()
    from app.models.enums import ConnectorKind, Platform
    from app.services.platforms import connections

    platform = (args.platform or "").strip().lower()
    if platform in {k.value for k in ConnectorKind} - {p.value for p in Platform}:
        raise CliError(
            f"{platform} is a connector, not a platform: name the platform it posts to, "
            f"e.g. --platform instagram --connector {platform}"
        )
    handle = args.handle
    if not handle:
        handle, how = connections.default_handle(
            brand=args.brand,
            platform=platform,
            connector=args.connector,
            base_url=args.base_url,
            credential_env=args.token_env,
        )
        print(how, file=sys.stderr)
    with write_session() as s:
        c = channels.create_channel(
            s,
            Actor.cli(),
            brand=args.brand,
            platform=platform,
            handle=handle,
            slug=args.slug,
            display_name=args.display_name or "",
            market=args.market,
            connector=args.connector,
            base_url=args.base_url,
            credential_env=args.token_env,
        )
    print(f"added channel {c.slug} ({c.platform} {c.handle} for {c.brand}, connector {c.connector})")
    if c.connector not in ("manual", "export"):
        print(f"check it with: python -m app channels check {c.slug}", file=sys.stderr)


def cmd_channels_check(args: argparse.Namespace) -> None:
    _require_ready()
    from app.services.platforms import connections

    if args.all == bool(args.slug):
        raise CliError("give a channel slug or --all (with --brand to check one brand's channels)")
    if args.all:
        results = connections.check_connections(Actor.cli(), brand=args.brand)
    else:
        results = [connections.check_connection(Actor.cli(), args.slug)]
    if args.json:
        cols = ["channel", "connector", "status", "message", "account", "checked_at", "token_expires_at"]
        print_rows(results, [*cols, "rate_limit_remaining", "rate_limit_reset_at"], True)
    for r in [] if args.json else results:
        limit = ""
        if r.rate_limit_remaining is not None:
            until = f" until {r.rate_limit_reset_at:%H:%M} UTC" if r.rate_limit_reset_at else ""
            limit = f" ({r.rate_limit_remaining} requests left{until})"
        print(f"{r.channel}  {r.status}  {r.message}{limit}")
    failed = [r.channel for r in results if not r.ok]
    if failed:
        raise CliError(f"{len(failed)} of {len(results)} connection(s) not ok: {', '.join(failed)}")


def cmd_users_list(args: argparse.Namespace) -> None:
    _require_ready()
    with read_session() as s:
        rows = users.list_users(s, Actor.cli())
    print_rows(rows, ["email", "name", "role", "brand_roles", "active"], args.json)


def cmd_users_add(args: argparse.Namespace) -> None:
    _require_ready()
    with write_session() as s:
        u = users.add_user(
            s, Actor.cli(), email=args.email, role=args.role, brand=args.brand, name=args.name or ""
        )
    where = f"{args.role} on {args.brand}" if args.brand else f"{args.role} on every brand"
    print(f"user {u.email}: {where}")


def cmd_users_set_role(args: argparse.Namespace) -> None:
    _require_ready()
    role = None if args.role == "none" else args.role
    with write_session() as s:
        if args.brand:
            users.set_brand_role(s, Actor.cli(), args.email, args.brand, role)
        else:
            users.set_workspace_role(s, Actor.cli(), args.email, role)
    print(
        f"user {args.email}: {'no role' if role is None else role}"
        + (f" on {args.brand}" if args.brand else "")
    )


def cmd_audit(args: argparse.Namespace) -> None:
    _require_ready()
    flt = audit.AuditFilter(actor=args.actor, object_type=args.object_type, action=args.action)
    with read_session() as s:
        df = audit.list_entries(s, Actor.cli(), flt, limit=args.limit)
    rows = df.to_dict("records")
    print_rows(
        rows, ["at", "actor", "action", "object_type", "object_id", "object", "brand", "after"], args.json
    )


# --- parser ---------------------------------------------------------------------------------------


def build_parser() -> argparse.ArgumentParser:
    p = _Parser(
        prog="python -m app", description="SocialOps Hub command line. DATABASE_URL selects the store."
    )
    sub = p.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    db = sub.add_parser("db", help="schema upgrades and resets")
    dbs = db.add_subparsers(dest="db_command", metavar="ACTION", required=True, parser_class=_Parser)
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

    def listing(name: str, help_: str, func: Callable[[argparse.Namespace], None]) -> tuple[Any, Any, Any]:
        """`NAME` and `NAME list` both list; options may come before or after `list`."""
        parser = sub.add_parser(name, help=help_)
        parser.add_argument("--json", action="store_true", help="print JSON for scripts")
        parser.set_defaults(func=func)
        actions = parser.add_subparsers(dest=f"{name}_command", metavar="ACTION", parser_class=_Parser)
        # SUPPRESS: a sub-command's defaults would otherwise overwrite options given before it.
        ls = actions.add_parser("list", help=f"list {name} (the default)", argument_default=argparse.SUPPRESS)
        ls.add_argument("--json", action="store_true", help="print JSON for scripts")
        ls.set_defaults(func=func)
        return actions, parser, ls

    actions, parser, ls = listing("brands", "list or add brands", cmd_brands_list)
    for target in (parser, ls):
        target.add_argument("--all", action="store_true", help="include inactive brands")
    add = actions.add_parser("add", help="add a brand")
    add.add_argument("slug", help="short identifier, e.g. lumi-sg")
    add.add_argument("--name", required=True)
    add.add_argument("--market", required=True, help="market code, e.g. sg")
    add.add_argument("--industry")
    add.add_argument("--regulated", action="store_true")
    add.add_argument("--color", default="#4C78A8")
    add.set_defaults(func=cmd_brands_add)

    actions, parser, ls = listing("markets", "list or add markets", cmd_markets_list)
    add = actions.add_parser("add", help="add a market")
    add.add_argument("code", help="e.g. th")
    add.add_argument("--name", required=True)
    add.add_argument("--country", required=True, help="ISO country code, e.g. TH")
    add.add_argument("--languages", required=True, help="comma-separated, e.g. th,en")
    add.add_argument("--timezone", required=True, help="e.g. Asia/Bangkok")
    add.add_argument("--currency", required=True, help="e.g. THB")
    add.add_argument("--date-format", default="%d/%m/%Y")
    add.set_defaults(func=cmd_markets_add)

    actions, parser, ls = listing("channels", "list or add channels", cmd_channels_list)
    for target in (parser, ls):
        target.add_argument("--brand", help="only this brand's channels")
        target.add_argument("--all", action="store_true", help="include inactive channels")
    add = actions.add_parser("add", help="add a channel (a brand's account on a platform)")
    add.add_argument("--brand", required=True)
    add.add_argument("--platform", required=True, help="where it posts: mastodon, bluesky, instagram, ...")
    add.add_argument(
        "--handle", help="default: the account the token signs in as (mastodon, bluesky), else @BRAND"
    )
    add.add_argument("--slug", help="default: BRAND-PLATFORM")
    add.add_argument("--display-name")
    add.add_argument("--market", help="default: the brand's market")
    add.add_argument("--connector", help="mastodon, bluesky, webhook, manual or export")
    add.add_argument("--base-url", help="the platform server or webhook URL")
    add.add_argument("--token-env", help="NAME of the environment variable holding the token")
    add.set_defaults(func=cmd_channels_add)
    check = actions.add_parser("check", help="check a channel's connection now and record the result")
    check.add_argument("slug", nargs="?", help="the channel (see `channels list`)")
    check.add_argument("--all", action="store_true", help="every active channel with a connector")
    check.add_argument("--brand", help="with --all: only this brand's channels")
    check.add_argument("--json", action="store_true", help="print JSON for scripts")
    check.set_defaults(func=cmd_channels_check)

    actions, parser, ls = listing("users", "list, add users or change roles", cmd_users_list)
    add = actions.add_parser("add", help="add a user")
    add.add_argument("email")
    add.add_argument(
        "--role", required=True, help="viewer, editor, approver, community_manager, manager, admin"
    )
    add.add_argument("--brand", help="role on this brand only (default: on every brand)")
    add.add_argument("--name")
    add.set_defaults(func=cmd_users_add)
    setrole = actions.add_parser("set-role", help="change a user's role (none removes it)")
    setrole.add_argument("email")
    setrole.add_argument("--role", required=True)
    setrole.add_argument("--brand")
    setrole.set_defaults(func=cmd_users_set_role)

    aud = sub.add_parser("audit", help="read the audit log (newest first)")
    aud.add_argument("--limit", type=int, default=50)
    aud.add_argument("--actor")
    aud.add_argument("--object-type")
    aud.add_argument("--action")
    aud.add_argument("--json", action="store_true")
    aud.set_defaults(func=cmd_audit)

    from app.cli_bulk import add_import_export_commands

    add_import_export_commands(sub)
    from app.cli_ops import add_backup_commands

    add_backup_commands(sub)
    from app.sheets.cli import add_sheets_commands

    add_sheets_commands(sub)
    from app.cli_metrics import add_metrics_commands

    add_metrics_commands(sub)
    from app.cli_reports import add_report_commands

    add_report_commands(sub)
    return p


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 0
    try:
        args.func(args)
    except (CliError, ServiceError, ConfigError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except OperationalError as exc:
        url = mask_url(get_settings().database_url)
        print(f"error: the database at {url} did not answer ({type(exc.orig).__name__})", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except Exception as exc:
        if setting_value("debug"):
            raise
        print(
            f"error: unexpected {type(exc).__name__}: {exc} (SOCIALOPS_DEBUG=1 shows the traceback)",
            file=sys.stderr,
        )
        return 1
    return 0
