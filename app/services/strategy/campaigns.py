"""Campaigns: a brand's time-boxed pushes, each serving an objective through some pillars, on some
markets and channels, with a budget and the utm_campaign value its tracked links carry. Listing,
creating, editing and archiving them; managers and admins write (strategy edit), every change is
audited. The pillars a campaign works on sit in `campaign_pillars`."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import delete, insert, select
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import flag_modified

from app.models import Brand, Campaign, Channel, ContentPillar, Objective, campaign_pillars
from app.models.enums import CampaignStatus
from app.services.core import (
    Actor,
    NotFound,
    ValidationError,
    audit,
    check_version,
    conflict_on_stale,
    validation,
)
from app.services.org import channel_label, find_brand
from app.services.strategy import common
from app.services.strategy.refs import channel_ids, objective_id, pillar_ids

OBJECT_TYPE = "campaign"
EDITABLE = (
    "slug",
    "name",
    "description",
    "status",
    "start_date",
    "end_date",
    "objective",
    "pillars",
    "budget",
    "currency",
    "markets",
    "channels",
    "utm_campaign",
)
# The names of the columns (and of CampaignInfo's fields) are accepted for the references too.
ALIASES = {"objective_id": "objective", "pillar_ids": "pillars", "channel_ids": "channels"}
# content.utm's house rule for campaign values (content sits above strategy, so it is stated here too).
UTM_RE = re.compile(r"^[a-z0-9][a-z0-9_-]{0,119}$")


@dataclass(frozen=True)
class CampaignInfo:
    id: int
    brand_slug: str
    brand_name: str
    slug: str
    name: str
    description: str
    status: str
    status_label: str
    objective_id: int | None
    objective_name: str | None
    pillar_ids: tuple[int, ...]
    pillar_names: tuple[str, ...]
    start_date: date
    end_date: date
    budget: Decimal | None
    currency: str | None
    markets: tuple[str, ...]
    channel_ids: tuple[int, ...]
    channel_names: tuple[str, ...]
    utm_campaign: str | None
    archived: bool
    version: int


def _infos(session: Session, rows: Sequence[tuple[Campaign, Brand]]) -> list[CampaignInfo]:
    ids = [c.id for c, _b in rows]
    pillars: dict[int, list[tuple[int, str]]] = defaultdict(list)
    for cid, pid, pname in session.execute(
        select(campaign_pillars.c.campaign_id, ContentPillar.id, ContentPillar.name)
        .join(ContentPillar, ContentPillar.id == campaign_pillars.c.pillar_id)
        .where(campaign_pillars.c.campaign_id.in_(ids or [-1]))
        .order_by(ContentPillar.name, ContentPillar.id)
    ):
        pillars[cid].append((pid, pname))
    objective_ids = {c.objective_id for c, _b in rows if c.objective_id}
    objectives = dict(
        session.execute(
            select(Objective.id, Objective.name).where(Objective.id.in_(objective_ids or [-1]))
        ).all()
    )
    wanted = {i for c, _b in rows for i in c.channel_ids or ()}
    channels = {ch.id: ch for ch in session.scalars(select(Channel).where(Channel.id.in_(wanted or [-1])))}
    out = []
    for c, b in rows:
        kept = [i for i in c.channel_ids or () if i in channels]
        out.append(
            CampaignInfo(
                id=c.id,
                brand_slug=b.slug,
                brand_name=b.name,
                slug=c.slug,
                name=c.name,
                description=c.description or "",
                status=c.status.value,
                status_label=c.status.value.capitalize(),
                objective_id=c.objective_id,
                objective_name=objectives.get(c.objective_id) if c.objective_id else None,
                pillar_ids=tuple(p for p, _n in pillars[c.id]),
                pillar_names=tuple(n for _p, n in pillars[c.id]),
                start_date=c.start_date,
                end_date=c.end_date,
                budget=c.budget,
                currency=c.currency,
                markets=tuple(c.markets or ()),
                channel_ids=tuple(kept),
                channel_names=tuple(channel_label(channels[i]) for i in kept),
                utm_campaign=c.utm_campaign,
                archived=c.archived_at is not None,
                version=c.version,
            )
        )
    return out


def _read(session: Session, c: Campaign) -> CampaignInfo:
    return _infos(session, [(c, common.brand_of(session, c))])[0]


def list_campaigns(
    session: Session, actor: Actor, brand: Brand | str | int | None = None, include_archived: bool = False
) -> list[CampaignInfo]:
    """The campaigns of one brand or of every brand the actor sees, by brand, start and slug."""
    rows = common.list_rows(
        session, actor, Campaign, brand, include_archived, Campaign.start_date, Campaign.slug
    )
    return _infos(session, rows)


def get_campaign(session: Session, actor: Actor, brand: Brand | str | int, slug: str) -> CampaignInfo:
    common.require_view(actor)
    b = find_brand(session, actor, brand)
    row = session.scalars(
        select(Campaign).where(Campaign.brand_id == b.id, Campaign.slug == (slug or "").strip().lower())
    ).first()
    if row is None:
        raise NotFound(
            f"no campaign {slug!r} of {b.name} (see `python -m app campaigns list --brand {b.slug}`)"
        )
    return _read(session, row)


def utm_value(brand: Brand, value: str, field: str = "utm_campaign") -> str:
    """A utm_campaign value by the house rule and the brand's own campaign pattern, if it set one."""
    value = (value or "").strip()
    if not UTM_RE.match(value):
        raise ValidationError(
            f"{field} {value!r} must be lowercase letters, digits, '-' or '_' (up to 120, e.g. 'spring-sale')",
            field=field,
            value=value,
        )
    pattern = (brand.utm_conventions or {}).get("campaign_pattern")
    try:
        fits = not pattern or re.search(str(pattern), value) is not None
    except re.error:
        fits = True  # the brand's pattern is checked where it is set; a broken one governs nothing
    if not fits:
        raise ValidationError(
            f"{field} {value!r} breaks {brand.name}'s campaign pattern {pattern}", field=field, value=value
        )
    return value


def _taken(session: Session, brand: Brand, column: Any, value: str, row_id: int | None) -> str | None:
    """The slug of another campaign of the brand holding `value` in `column`, if any."""
    return session.scalar(
        select(Campaign.slug).where(
            Campaign.brand_id == brand.id, column == value, Campaign.id != (row_id or -1)
        )
    )


def _clean(
    session: Session, brand: Brand, values: dict[str, Any], row: Campaign | None
) -> tuple[dict[str, Any], list[int] | None]:
    """Column values from the given fields, and the pillar ids when pillars were given."""
    row_id = row.id if row is not None else None
    clean: dict[str, Any] = {}
    pillars: list[int] | None = None
    for key, value in values.items():
        if key == "slug":
            slug = validation.slug(value, "slug")
            if (other := _taken(session, brand, Campaign.slug, slug, row_id)) is not None:
                raise ValidationError(
                    f"slug {slug!r}: {brand.name} has a campaign {other!r} already", field="slug", value=slug
                )
            clean["slug"] = slug
        elif key == "name":
            clean["name"] = validation.required_text(value, "name")
        elif key == "description":
            clean["description"] = common.text(value, "description")
        elif key == "status":
            clean["status"] = validation.choice(CampaignStatus, value, "status")
        elif key in ("start_date", "end_date"):
            when = common.day(value, key)
            if when is None:
                raise ValidationError(f"{key} is required", field=key)
            clean[key] = when
        elif key == "objective":
            clean["objective_id"] = objective_id(session, brand, value, row.objective_id if row else None)
        elif key == "pillars":
            pillars = pillar_ids(session, brand, value, _pillars_of(session, row_id))
        elif key == "budget":
            clean["budget"] = common.amount(value, "budget", places=2, digits=14, minimum=Decimal(0))
        elif key == "currency":
            clean["currency"] = validation.code(value or brand.market.currency, 3, "currency")
        elif key == "markets":
            clean["markets"] = common.market_codes(session, value)
        elif key == "channels":
            clean["channel_ids"] = channel_ids(
                session, brand, value, list(row.channel_ids or ()) if row else []
            )
        elif key == "utm_campaign":
            utm = utm_value(brand, value) if value not in (None, "") else None
            if (
                utm is not None
                and (other := _taken(session, brand, Campaign.utm_campaign, utm, row_id)) is not None
            ):
                raise ValidationError(
                    f"utm_campaign {utm!r} is campaign {other!r}'s already: each campaign needs its own",
                    field="utm_campaign",
                    value=utm,
                )
            clean["utm_campaign"] = utm
    return clean, pillars


def _pillars_of(session: Session, campaign_id: int | None) -> list[int]:
    if campaign_id is None:
        return []
    return list(
        session.scalars(
            select(campaign_pillars.c.pillar_id)
            .where(campaign_pillars.c.campaign_id == campaign_id)
            .order_by(campaign_pillars.c.pillar_id)
        )
    )


def _pillar_names(session: Session, ids: Iterable[int]) -> list[str]:
    ids = list(ids)
    return list(
        session.scalars(
            select(ContentPillar.name).where(ContentPillar.id.in_(ids or [-1])).order_by(ContentPillar.name)
        )
    )


def _set_pillars(session: Session, campaign_id: int, ids: list[int]) -> None:
    session.execute(delete(campaign_pillars).where(campaign_pillars.c.campaign_id == campaign_id))
    if ids:
        session.execute(insert(campaign_pillars), [{"campaign_id": campaign_id, "pillar_id": p} for p in ids])


def create_campaign(
    session: Session,
    actor: Actor,
    *,
    brand: Brand | str | int,
    slug: str,
    name: str,
    start_date: date | str,
    end_date: date | str,
    objective: int | str | None = None,
    pillars: Iterable[int | str] | str = (),
    budget: Any = None,
    currency: str | None = None,
    markets: Iterable[str] | str = (),
    channels: Iterable[int | str] | str = (),
    utm_campaign: str | None = None,
    description: str = "",
    status: CampaignStatus | str = CampaignStatus.PLANNED,
) -> CampaignInfo:
    """A new campaign; currency defaults to the brand's market's, utm_campaign to the slug."""
    b = common.brand_for_write(session, actor, brand)
    values = {
        "slug": slug,
        "name": name,
        "description": description,
        "status": status,
        "start_date": start_date,
        "end_date": end_date,
        "objective": objective,
        "pillars": pillars,
        "budget": budget,
        "currency": currency,
        "markets": markets,
        "channels": channels,
    }
    clean, pillar_list = _clean(session, b, values, None)
    common.date_range(clean["start_date"], clean["end_date"], "end_date")
    utm, _ = _clean(session, b, {"utm_campaign": utm_campaign or clean["slug"]}, None)
    campaign = Campaign(brand_id=b.id, **clean, **utm)
    common.record_create(
        session,
        actor,
        campaign,
        object_type=OBJECT_TYPE,
        label=campaign.name,
        also={"pillars": _pillar_names(session, pillar_list or [])},
    )
    _set_pillars(session, campaign.id, pillar_list or [])
    return _read(session, campaign)


@conflict_on_stale
def update_campaign(
    session: Session, actor: Actor, campaign_id: int, *, version: int, **changes: Any
) -> CampaignInfo:
    """Change any of EDITABLE (references by id or name; pillars, markets and channels are replaced by
    the list given)."""
    campaign, brand = common.load_for_write(session, actor, Campaign, campaign_id, "campaign")
    check_version(campaign, version, f"campaign {campaign.name!r}")
    changes = {ALIASES.get(k, k): v for k, v in changes.items()}
    common.unknown_fields(changes, EDITABLE, "campaign")
    clean, new_pillars = _clean(session, brand, changes, campaign)
    common.date_range(
        clean.get("start_date", campaign.start_date), clean.get("end_date", campaign.end_date), "end_date"
    )
    also = None
    old_pillars = _pillars_of(session, campaign.id)
    if new_pillars is not None and sorted(new_pillars) != old_pillars:
        also = (
            {"pillars": _pillar_names(session, old_pillars)},
            {"pillars": _pillar_names(session, new_pillars)},
        )
        _set_pillars(session, campaign.id, new_pillars)
        flag_modified(campaign, "name")  # a change of pillars is a new version of the campaign too
    audit.update(
        session,
        actor,
        campaign,
        clean,
        object_type=OBJECT_TYPE,
        label=lambda c: c.name,
        brand_id=brand.id,
        also_changed=also,
    )
    return _read(session, campaign)


def archive_campaign(
    session: Session, actor: Actor, campaign_id: int, *, archived: bool = True
) -> CampaignInfo:
    """Archive (gone from the composer's and calendar's pickers; its posts keep it) or restore."""
    campaign, _brand = common.load_for_write(session, actor, Campaign, campaign_id, "campaign")
    common.set_archived(session, actor, campaign, archived, object_type=OBJECT_TYPE, label=campaign.name)
    return _read(session, campaign)
