"""`python -m app setup` (first-run setup: the order of the steps, the starter packs, loading one) and
`python -m app dictionary list` (the metrics dictionary, one metric a line or JSON objects)."""

from __future__ import annotations

import argparse
import json
import sys

from app.cli.common import CliError, CliParser, Commands, progress_printer, require_ready
from app.db import read_session, write_session
from app.services.core import Actor
from app.services.measurement import targets_table
from app.services.org import brands, channels, markets, users, workspace_info
from app.starters import Pack, get_pack, list_packs, load_pack, metric_sources

SETUP_STEPS = """first-run setup, in this order (each step has its own command; the Setup page in the app
shows the same steps to admins):
  1. workspace   python -m app db reset --yes          (an empty workspace; SOCIALOPS_DEMO=0 starts with one)
  2. markets     python -m app markets add CODE --name N --country CC --languages en --timezone TZ --currency CUR
  3. brands      python -m app brands add SLUG --name N --market CODE
  4. channels    python -m app channels add --brand B --platform P --handle H
  5. people      python -m app users add EMAIL --role ROLE [--brand B]
  6. starters    python -m app setup --starter agency --yes
                 (load again after adding brands: each new brand gets its approval flow preset)
steps 2, 3 and 5 in one go (markets, then brands, then people, then the pack; all or nothing):
  python -m app setup --market sg:Singapore:Asia/Singapore:SGD --brand kopi:Kopi Co:sg \\
      --person lee@agency.example:editor --starter agency --yes"""


def _fields(flag: str, value: str, names: tuple[str, ...], required: int) -> list[str]:
    """`CODE:NAME:TZ` → its parts; a missing part is one line naming the flag and what it holds."""
    parts = [p.strip() for p in value.split(":", len(names) - 1)]
    if len(parts) < required or not all(parts[:required]):
        optional = f" (optional: {':'.join(names[required:])})" if required < len(names) else ""
        raise CliError(f"{flag} {value!r}: give {':'.join(names[:required])}{optional}")
    return parts + [""] * (len(names) - len(parts))


def _add_organisation(args: argparse.Namespace) -> None:
    """The --market, --brand and --person flags, in that order, in one transaction (all or nothing)."""
    if not (args.market or args.brand or args.person):
        return
    require_ready()
    actor = Actor.cli()
    with write_session() as s:
        for value in args.market:
            code, name, tz, currency = _fields("--market", value, ("CODE", "NAME", "TZ", "CURRENCY"), 4)
            m = markets.create_market(
                s, actor, code=code, name=name, country_code=code[:2].upper(), languages="en",
                timezone=tz, currency=currency,
            )  # fmt: skip
            print(f"added market {m.code} ({m.name}, {m.timezone})")
        for value in args.brand:
            slug, name, market = _fields("--brand", value, ("SLUG", "NAME", "MARKET"), 3)
            b = brands.create_brand(s, actor, slug=slug, name=name, market=market)
            print(f"added brand {b.slug} ({b.name}, market {b.market})")
        for value in args.person:
            email, role, brand = _fields("--person", value, ("EMAIL", "ROLE", "BRAND"), 2)
            u = users.add_user(s, actor, email=email, role=role, brand=brand or None)
            print(f"added {u.email} as {role}" + (f" on {brand}" if brand else ""))


def _confirm(pack: Pack, yes: bool) -> None:
    """Without --yes: ask on a terminal, refuse (one line) otherwise, before anything is written."""
    if yes:
        return
    if not sys.stdin.isatty():
        raise CliError(f"nothing loaded: confirm with --yes to load {pack.name} v{pack.version}")
    answer = input(f"Load the starter pack {pack.name} v{pack.version} ({pack.title})? [y/N] ")
    if answer.strip().lower() not in ("y", "yes"):
        raise CliError("nothing loaded")


def cmd_setup(args: argparse.Namespace) -> None:
    if args.list_starters:
        for pack in list_packs():
            print(f"{pack.name}  v{pack.version}  {pack.title}")
        return
    pack = get_pack(args.starter) if args.starter else None
    if pack is not None:
        require_ready()
        _confirm(pack, args.yes)
    _add_organisation(args)
    if pack is not None:
        with write_session() as s:
            summary = load_pack(s, Actor.cli(), pack, progress=progress_printer())
        print(f"starter pack {pack.name} v{pack.version} loaded")
        for line in summary.lines():
            print(line)
    elif not (args.market or args.brand or args.person):
        _print_status()


def _print_status() -> None:
    print(SETUP_STEPS)
    require_ready()
    actor = Actor.cli()
    with read_session() as s:
        info = workspace_info(s)
        counts = {
            "markets": len(markets.list_markets(s, actor)),
            "brands": len(brands.list_brands(s, actor)),
            "channels": len(channels.list_channels(s, actor)),
            "people": len(users.list_users(s, actor, include_inactive=False)),
        }
    print()
    print(f"workspace: {info.name if info else 'none yet'}")
    for step, n in counts.items():
        print(f"{step}: {n}")
    print("starter packs (python -m app setup --list-starters):")
    for pack in list_packs():
        print(f"  {pack.name}  v{pack.version}  {pack.title}")


def _day(value: object) -> str | None:
    """A date cell of a frame as YYYY-MM-DD, or None when empty (None, NaN, NaT)."""
    if value is None or value != value:  # NaN and NaT are not equal to themselves
        return None
    return str(value)[:10]


def cmd_dictionary_list(args: argparse.Namespace) -> None:
    require_ready()
    actor = Actor.cli()
    with read_session() as s:
        metrics = targets_table.metric_dictionary(s, actor)
        fields = targets_table.source_mappings(s, actor)
    sources = metric_sources()
    by_metric: dict[str, list[dict[str, object]]] = {}
    for f in fields.itertuples(index=False):
        by_metric.setdefault(f[0], []).append(
            {
                "platform": f[1],
                "field": f[2],
                "valid_from": _day(f[3]),
                "valid_to": _day(f[4]),
                "deprecated": bool(f[5]),
                "note": f[6],
            }
        )
    rows = [
        {
            "slug": m["key"],
            "name": m["name"],
            "formula": m["formula"] or None,
            "unit": m["unit"],
            "relevance": m["objective"] or None,
            "indicator": m["leading/lagging"],
            "aggregation": m["aggregation"],
            "higher_is_better": bool(m["higher is better"]),
            "source": sources.get(m["key"], "formula over base metrics" if m["formula"] else ""),
            "description": m["description"],
            "platform_fields": by_metric.get(m["key"], []),
        }
        for m in metrics.to_dict("records")
    ]
    if args.json:  # as every listing's --json: one array, one object per metric
        print(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    for row in rows:
        formula = f"  = {row['formula']}" if row["formula"] else ""
        print(f"{row['slug']}  {row['name']}  ({row['unit']}, {row['relevance'] or '-'}){formula}")


def add_setup_commands(sub: Commands) -> None:
    """Register `setup` and `dictionary` on the main parser's sub-commands."""
    setup = sub.add_parser(
        "setup",
        help="first-run setup: the steps in order, and loading a starter pack",
        description=SETUP_STEPS,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    setup.add_argument(
        "--list-starters", action="store_true", help="list the starter packs (name, version, title)"
    )
    setup.add_argument(
        "--starter", metavar="NAME", help="load this starter pack (loading twice changes nothing)"
    )
    setup.add_argument(
        "--market", action="append", default=[], metavar="CODE:NAME:TZ:CURRENCY",
        help="add a market first (repeatable), e.g. sg:Singapore:Asia/Singapore:SGD",
    )  # fmt: skip
    setup.add_argument(
        "--brand", action="append", default=[], metavar="SLUG:NAME:MARKET",
        help="then add a brand (repeatable), e.g. kopi:Kopi Co:sg",
    )  # fmt: skip
    setup.add_argument(
        "--person", action="append", default=[], metavar="EMAIL:ROLE[:BRAND]",
        help="then add a person with a workspace role, or a role on one brand (repeatable)",
    )  # fmt: skip
    setup.add_argument("--yes", action="store_true", help="load without asking for confirmation")
    setup.set_defaults(func=cmd_setup)

    dic = sub.add_parser("dictionary", help="the metrics dictionary")
    acts = dic.add_subparsers(
        dest="dictionary_command", metavar="ACTION", required=True, parser_class=CliParser
    )
    ls = acts.add_parser("list", help="every metric: slug, name, unit, relevance and formula")
    ls.add_argument("--json", action="store_true", help="a JSON array, one object per metric")
    ls.set_defaults(func=cmd_dictionary_list)
