"""`python -m app objectives|pillars|segments|campaigns|targets`: list and add a brand's strategy (objectives,
content pillars, audience segments, campaigns) and its KPI targets. Bad input is one line naming the
option and the field; nothing is written then."""

from __future__ import annotations

import argparse
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any, TypeVar

from sqlalchemy.orm import Session

from app.cli.common import CliError, Commands, print_rows, require_ready
from app.cli.org import listing
from app.db import read_session, write_session
from app.services.core import Actor, ValidationError
from app.services.measurement import targets
from app.services.org import get_channel
from app.services.strategy import campaigns, objectives, pillars, segments

T = TypeVar("T")


@contextmanager
def options(names: Mapping[str, str]) -> Iterator[None]:
    """Name the command-line option along with the field a service refused (`--to: end_date ...`)."""
    try:
        yield
    except ValidationError as exc:
        option = names.get(exc.field or "")
        if option is None:
            raise
        raise CliError(f"{option}: {exc}") from None


def _split(values: Sequence[str] | None) -> list[str]:
    """Values given as `--x a b`, `--x a --x b` or `--x a,b`."""
    return [part.strip() for v in values or () for part in v.split(",") if part.strip()]


def _show(rows: Sequence[Any], columns: Sequence[str], as_json: bool) -> None:
    """Every field as JSON for scripts; the chosen columns, slug or name first, for people."""
    if as_json:
        print_rows(rows, list(rows[0].__dataclass_fields__) if rows else [], True)
    else:
        print_rows([_plain_row(r, columns) for r in rows], columns, False)


def _list(args: argparse.Namespace, lister: Callable[..., Sequence[Any]], columns: Sequence[str]) -> None:
    """A `list` action: the rows of `--brand` (or every brand), archived ones too with `--all`."""
    require_ready()
    with read_session() as s:
        rows = lister(s, Actor.cli(), brand=args.brand, include_archived=args.all)
    _show(rows, [*columns, "archived"] if args.all else columns, args.json)


def _add(names: Mapping[str, str], create: Callable[[Session, Actor], T]) -> T:
    """An `add` action: the service's create in one write transaction, a refused field named by its
    option (`names`: field -> option)."""
    require_ready()
    with options(names), write_session() as s:
        return create(s, Actor.cli())


# Column headings for people, and the field each one shows.
HEADINGS = {
    "brand": "brand_slug",
    "objective": "objective_name",
    "metric": "metric_key",
    "kpi": "kpi_metric_key",
    "target": "target_value",
    "share": "target_share_pct",
    "from": "start_date",
    "to": "end_date",
}


def _plain_row(row: Any, columns: Sequence[str]) -> dict[str, Any]:
    out = {}
    for c in columns:
        value = getattr(row, HEADINGS.get(c, c))
        out[c] = ",".join(str(v) for v in value) if isinstance(value, tuple) else value
    return out


# --- objectives -------------------------------------------------------------------------------------


def cmd_objectives_list(args: argparse.Namespace) -> None:
    cols = ["name", "brand", "kind", "kpi", "target", "period_start", "period_end"]
    _list(args, objectives.list_objectives, cols)


def cmd_objectives_add(args: argparse.Namespace) -> None:
    names = {"brand": "--brand", "name": "--name", "kind": "--kind", "kpi_metric": "--metric"}
    names |= {"target_value": "--target", "period_start": "--from", "period_end": "--to"}
    o = _add(
        {**names, "description": "--description"},
        lambda s, actor: objectives.create_objective(
            s,
            actor,
            brand=args.brand,
            name=args.name,
            kind=args.kind,
            description=args.description or "",
            kpi_metric=args.metric,
            target_value=args.target,
            period_start=args.period_from,
            period_end=args.period_to,
        ),
    )
    measured = f", measured by {o.kpi_metric_key}" if o.kpi_metric_key else ""
    print(f"added objective {o.name!r} ({o.kind} for {o.brand_slug}{measured})")


# --- pillars ----------------------------------------------------------------------------------------


def cmd_pillars_list(args: argparse.Namespace) -> None:
    _list(args, pillars.list_pillars, ["name", "brand", "share", "color", "description"])


def cmd_pillars_add(args: argparse.Namespace) -> None:
    names = {"brand": "--brand", "name": "--name", "description": "--description"}
    p = _add(
        {**names, "target_share_pct": "--share", "color": "--color"},
        lambda s, actor: pillars.create_pillar(
            s,
            actor,
            brand=args.brand,
            name=args.name,
            description=args.description or "",
            color=args.color,
            target_share_pct=args.share,
        ),
    )
    share = f", {p.target_share_pct}% of posts" if p.target_share_pct is not None else ""
    print(f"added pillar {p.name!r} ({p.brand_slug}{share})")


# --- segments ---------------------------------------------------------------------------------------


def cmd_segments_list(args: argparse.Namespace) -> None:
    _list(args, segments.list_segments, ["name", "brand", "markets", "platforms", "description"])


def cmd_segments_add(args: argparse.Namespace) -> None:
    names = {"brand": "--brand", "name": "--name", "description": "--description"}
    g = _add(
        {**names, "markets": "--market", "platforms": "--platform"},
        lambda s, actor: segments.create_segment(
            s,
            actor,
            brand=args.brand,
            name=args.name,
            description=args.description or "",
            markets=_split(args.market),
            platforms=_split(args.platform),
        ),
    )
    print(f"added segment {g.name!r} ({g.brand_slug})")


# --- campaigns --------------------------------------------------------------------------------------

CAMPAIGN_OPTIONS = {
    "brand": "--brand",
    "slug": "SLUG",
    "name": "--name",
    "start_date": "--from",
    "end_date": "--to",
    "objective": "--objective",
    "budget": "--budget",
    "currency": "--currency",
    "pillars": "--pillar",
    "markets": "--market",
    "channels": "--channel",
    "utm_campaign": "--utm",
    "description": "--description",
    "status": "--status",
}


def cmd_campaigns_list(args: argparse.Namespace) -> None:
    cols = [
        "slug",
        "brand",
        "name",
        "status",
        "from",
        "to",
        "objective",
        "budget",
        "currency",
        "utm_campaign",
    ]
    _list(args, campaigns.list_campaigns, cols)


def cmd_campaigns_add(args: argparse.Namespace) -> None:
    c = _add(
        CAMPAIGN_OPTIONS,
        lambda s, actor: campaigns.create_campaign(
            s,
            actor,
            brand=args.brand,
            slug=args.slug,
            name=args.name,
            start_date=args.date_from,
            end_date=args.date_to,
            objective=args.objective,
            pillars=[p.strip() for p in args.pillar or () if p.strip()],
            budget=args.budget,
            currency=args.currency,
            markets=_split(args.market),
            channels=_split(args.channel),
            utm_campaign=args.utm,
            description=args.description or "",
            status=args.status,
        ),
    )
    budget = f", budget {c.budget} {c.currency}" if c.budget is not None else ""
    print(
        f"added campaign {c.slug} ({c.name}, {c.start_date} to {c.end_date}{budget}, utm_campaign {c.utm_campaign})"
    )


# --- KPI targets ------------------------------------------------------------------------------------


def cmd_targets_list(args: argparse.Namespace) -> None:
    require_ready()
    with read_session() as s:
        rows = targets.list_targets(s, Actor.cli(), brand=args.brand)
    _show(rows, ["metric", "brand", "channel", "period", "target", "note"], args.json)


def cmd_targets_add(args: argparse.Namespace) -> None:
    require_ready()
    names = {"period": "--period", "period_start": "--period", "metric_key": "--metric"}
    names |= {"target_value": "--value", "channel_id": "--channel", "note": "--note"}
    with options(names), write_session() as s:
        kind, start = targets.parse_period_code(args.period)
        channel_id = get_channel(s, Actor.cli(), args.channel).id if args.channel else None
        t = targets.create_target(
            s,
            Actor.cli(),
            args.brand,
            metric_key=(args.metric or "").strip().lower(),
            period_kind=kind,
            period_start=start,
            target_value=args.value,
            channel_id=channel_id,
            note=args.note or "",
        )
        where = f" on {args.channel}" if args.channel else ""
        print(
            f"added target {t.metric_key} {targets.period_code(kind, start)} = {t.target_value.normalize():f}"
            f" for {args.brand}{where}"
        )


# --- registration -----------------------------------------------------------------------------------


def _listing(sub: Commands, name: str, help_: str, func: Any, *, archived: bool = True) -> Commands:
    actions, parser, ls = listing(sub, name, help_, func)
    for target in (parser, ls):
        target.add_argument("--brand", help=f"only this brand's {name}")
        if archived:
            target.add_argument("--all", action="store_true", help=f"include archived {name}")
    return actions


def add_strategy_commands(sub: Commands) -> None:
    """Register `objectives`, `pillars`, `segments`, `campaigns` and `targets` on the main parser."""
    actions = _listing(sub, "objectives", "list or add a brand's objectives", cmd_objectives_list)
    add = actions.add_parser("add", help="add an objective (a business goal and the KPI that measures it)")
    add.add_argument("--brand", required=True)
    add.add_argument("--name", required=True, help="the business goal, e.g. 'Be known in Singapore'")
    add.add_argument("--kind", required=True, help="awareness, engagement, conversion or retention")
    add.add_argument("--metric", help="the KPI: a metric of the dictionary (`dictionary list`)")
    add.add_argument("--target", help="the KPI's target value")
    add.add_argument("--from", dest="period_from", metavar="YYYY-MM-DD")
    add.add_argument("--to", dest="period_to", metavar="YYYY-MM-DD")
    add.add_argument("--description")
    add.set_defaults(func=cmd_objectives_add)

    actions = _listing(sub, "pillars", "list or add a brand's content pillars", cmd_pillars_list)
    add = actions.add_parser("add", help="add a content pillar (a theme, with its share of posts)")
    add.add_argument("--brand", required=True)
    add.add_argument("--name", required=True)
    add.add_argument("--description")
    add.add_argument(
        "--share", metavar="PCT", help="target share of posts, 0-100 (all active pillars: <= 100)"
    )
    add.add_argument("--color", metavar="#RRGGBB")
    add.set_defaults(func=cmd_pillars_add)

    actions = _listing(sub, "segments", "list or add a brand's audience segments", cmd_segments_list)
    add = actions.add_parser("add", help="add an audience segment")
    add.add_argument("--brand", required=True)
    add.add_argument("--name", required=True)
    add.add_argument("--description")
    add.add_argument("--market", nargs="+", action="extend", metavar="CODE", help="market codes, e.g. sg my")
    add.add_argument("--platform", nargs="+", action="extend", metavar="P", help="e.g. instagram tiktok")
    add.set_defaults(func=cmd_segments_add)

    actions = _listing(sub, "campaigns", "list or add a brand's campaigns", cmd_campaigns_list)
    add = actions.add_parser("add", help="add a campaign")
    add.add_argument("slug", help="short identifier, e.g. spring-sale (also its utm_campaign by default)")
    add.add_argument("--brand", required=True)
    add.add_argument("--name", required=True)
    add.add_argument("--from", dest="date_from", required=True, metavar="YYYY-MM-DD")
    add.add_argument("--to", dest="date_to", required=True, metavar="YYYY-MM-DD")
    add.add_argument("--objective", help="an objective of the brand, by name")
    add.add_argument("--budget", metavar="AMOUNT")
    add.add_argument("--currency", help="default: the brand's market's currency")
    add.add_argument("--pillar", nargs="+", action="extend", metavar="P", help="content pillars, by name")
    add.add_argument("--market", nargs="+", action="extend", metavar="M", help="market codes")
    add.add_argument("--channel", nargs="+", action="extend", metavar="C", help="channel slugs")
    add.add_argument("--utm", metavar="VALUE", help="its utm_campaign value (default: the slug)")
    add.add_argument("--description")
    add.add_argument("--status", default="planned", help="planned, active, completed or cancelled")
    add.set_defaults(func=cmd_campaigns_add)

    actions = _listing(sub, "targets", "list or add KPI targets", cmd_targets_list, archived=False)
    add = actions.add_parser("add", help="add a KPI target for a brand (or one channel) and a period")
    add.add_argument("--brand", required=True)
    add.add_argument("--metric", required=True, metavar="SLUG", help="a metric of the dictionary")
    add.add_argument("--period", required=True, help="2027-Q1, 2027-03 (month), 2027-W05 (ISO week) or 2027")
    add.add_argument("--value", required=True)
    add.add_argument("--channel", metavar="C", help="a channel slug (default: the whole brand)")
    add.add_argument("--note")
    add.set_defaults(func=cmd_targets_add)
