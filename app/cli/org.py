"""`python -m app brands|markets|channels|users`: list and add the organisation (brands, markets,
channels and their connections, people and their roles)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable

from app.cli.common import CliError, CliParser, Commands, print_rows, require_ready
from app.db import read_session, write_session
from app.models.enums import ConnectorKind, Platform
from app.services.core import Actor
from app.services.org import brands, channels, markets, users
from app.services.platforms import connections


def cmd_brands_list(args: argparse.Namespace) -> None:
    require_ready()
    with read_session() as s:
        rows = brands.list_brands(s, Actor.cli(), include_inactive=args.all)
    print_rows(rows, ["slug", "name", "market", "industry", "regulated", "channels", "active"], args.json)


def cmd_brands_add(args: argparse.Namespace) -> None:
    require_ready()
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
    require_ready()
    with read_session() as s:
        rows = markets.list_markets(s, Actor.cli())
    print_rows(
        rows, ["code", "name", "country_code", "languages", "timezone", "currency", "brands"], args.json
    )


def cmd_markets_add(args: argparse.Namespace) -> None:
    require_ready()
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
    require_ready()
    with read_session() as s:
        rows = channels.list_channels(s, Actor.cli(), brand=args.brand, include_inactive=args.all)
    cols = ["slug", "brand", "platform", "handle", "connector", "health", "active"]
    if args.json:
        cols += ["base_url", "credential_env", "market", "last_error"]
    print_rows(rows, cols, args.json)


def cmd_channels_add(args: argparse.Namespace) -> None:
    require_ready()
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
    require_ready()
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
    require_ready()
    with read_session() as s:
        rows = users.list_users(s, Actor.cli())
    print_rows(rows, ["email", "name", "role", "brand_roles", "active"], args.json)


def cmd_users_add(args: argparse.Namespace) -> None:
    require_ready()
    with write_session() as s:
        u = users.add_user(
            s, Actor.cli(), email=args.email, role=args.role, brand=args.brand, name=args.name or ""
        )
    where = f"{args.role} on {args.brand}" if args.brand else f"{args.role} on every brand"
    print(f"user {u.email}: {where}")


def cmd_users_set_role(args: argparse.Namespace) -> None:
    require_ready()
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


def listing(
    sub: Commands, name: str, help_: str, func: Callable[[argparse.Namespace], None]
) -> tuple[Commands, CliParser, CliParser]:
    """`NAME` and `NAME list` both list; options may come before or after `list`."""
    parser = sub.add_parser(name, help=help_)
    parser.add_argument("--json", action="store_true", help="print JSON for scripts")
    parser.set_defaults(func=func)
    actions = parser.add_subparsers(dest=f"{name}_command", metavar="ACTION", parser_class=CliParser)
    # SUPPRESS: a sub-command's defaults would otherwise overwrite options given before it.
    ls = actions.add_parser("list", help=f"list {name} (the default)", argument_default=argparse.SUPPRESS)
    ls.add_argument("--json", action="store_true", help="print JSON for scripts")
    ls.set_defaults(func=func)
    return actions, parser, ls


def add_org_commands(sub: Commands) -> None:
    """Register `brands`, `markets`, `channels` and `users` on the main parser's sub-commands."""
    actions, parser, ls = listing(sub, "brands", "list or add brands", cmd_brands_list)
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

    actions, parser, ls = listing(sub, "markets", "list or add markets", cmd_markets_list)
    add = actions.add_parser("add", help="add a market")
    add.add_argument("code", help="e.g. th")
    add.add_argument("--name", required=True)
    add.add_argument("--country", required=True, help="ISO country code, e.g. TH")
    add.add_argument("--languages", required=True, help="comma-separated, e.g. th,en")
    add.add_argument("--timezone", required=True, help="e.g. Asia/Bangkok")
    add.add_argument("--currency", required=True, help="e.g. THB")
    add.add_argument("--date-format", default="%d/%m/%Y")
    add.set_defaults(func=cmd_markets_add)

    actions, parser, ls = listing(sub, "channels", "list or add channels", cmd_channels_list)
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

    actions, parser, ls = listing(sub, "users", "list, add users or change roles", cmd_users_list)
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
