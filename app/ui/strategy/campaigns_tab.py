"""The Campaigns tab: each brand's campaigns with their objective, pillars, dates, budget, markets,
channels and UTM value; created, edited and archived through the strategy services."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import streamlit as st

from app.db import read_session
from app.models.enums import CampaignStatus, Platform
from app.services.core import clock
from app.services.org import BrandInfo, channels, markets
from app.services.strategy import CampaignInfo, campaigns, objectives, pillars
from app.ui.context import PageContext
from app.ui.strategy import common, formatting
from app.ui.widgets import Labels

STATUSES = Labels({s.value: s.value.capitalize() for s in CampaignStatus})
NO_OBJECTIVE = 0


@dataclass(frozen=True)
class Choices:
    """What a brand's campaign form offers: its active objectives, pillars and channels, and markets."""

    objectives: Labels
    pillars: Labels
    channels: Labels
    markets: Labels
    currency: str  # the brand market's, used when none is given


def campaigns_tab(ctx: PageContext) -> None:
    st.caption(
        "Campaigns group posts for a period, with the objective they serve, their pillars, budget, markets "
        "and channels. Their UTM value tags every tracked link of their posts."
    )
    archived = common.show_archived("strategy_campaigns_archived")
    with read_session() as session:
        rows = campaigns.list_campaigns(
            session, ctx.actor, brand=ctx.brand.slug if ctx.brand else None, include_archived=archived
        )
        every_market = markets.list_markets(session, ctx.actor)
    market_labels = Labels({m.code: m.name for m in every_market})
    currencies = {m.code: m.currency for m in every_market}
    common.strategy_table(
        ctx,
        formatting.campaigns_frame(rows, show_brand=ctx.brand is None, market_labels=market_labels),
        "strategy-campaigns",
        "campaigns",
    )
    common.create_and_edit(
        ctx,
        rows,
        lambda brands: _create_form(ctx, brands, market_labels, currencies),
        lambda mine: _edit_form(ctx, mine, market_labels, currencies),
    )


def choices_for(
    ctx: PageContext, brand_slug: str, market_labels: Labels, currencies: dict[str, str]
) -> Choices:
    with read_session() as session:
        objs = objectives.list_objectives(session, ctx.actor, brand=brand_slug)
        pils = pillars.list_pillars(session, ctx.actor, brand=brand_slug)
        chans = channels.list_channels(session, ctx.actor, brand=brand_slug)
    return Choices(
        objectives=Labels({NO_OBJECTIVE: "(no objective)", **{o.id: o.name for o in objs}}),
        pillars=Labels({p.id: p.name for p in pils}),
        channels=Labels(
            {c.id: f"{Platform(c.platform).label} · {c.display_name or c.handle}" for c in chans}
        ),
        markets=market_labels,
        currency=next((currencies.get(b.market, "") for b in ctx.brands if b.slug == brand_slug), ""),
    )


def _fields(prefix: str, choices: Choices, current: CampaignInfo | None) -> dict[str, Any]:
    """The campaign's fields as widgets (inside a form), filled in from `current` when editing."""
    today = clock.today()
    out: dict[str, Any] = {}
    a, b = st.columns(2)
    out["name"] = a.text_input("Name", current.name if current else "", key=f"{prefix}_name")
    if current is None:
        out["slug"] = b.text_input(
            "Slug",
            key=f"{prefix}_slug",
            placeholder="spring-launch",
            help="Lowercase letters, digits and hyphens; the UTM campaign value unless set below.",
        )
    else:
        b.text_input("Slug", current.slug, disabled=True, key=f"{prefix}_slug")
    c, d, e = st.columns(3)
    out["start_date"] = c.date_input(
        "Starts", current.start_date if current else today, key=f"{prefix}_start", format="DD/MM/YYYY"
    )
    out["end_date"] = d.date_input(
        "Ends",
        current.end_date if current else today + timedelta(days=30),
        key=f"{prefix}_end",
        format="DD/MM/YYYY",
    )
    statuses = list(STATUSES)
    out["status"] = e.selectbox(
        "Status",
        statuses,
        index=statuses.index(current.status) if current and current.status in statuses else 0,
        format_func=STATUSES,
        key=f"{prefix}_status",
    )
    obj_options = list(choices.objectives)
    if current and current.objective_id and current.objective_id not in obj_options:
        obj_options.append(current.objective_id)  # archived since: still shown on its campaign
        choices.objectives[current.objective_id] = current.objective_name or "(archived objective)"
    now_obj = current.objective_id if current and current.objective_id else NO_OBJECTIVE
    out["objective"] = st.selectbox(
        "Objective",
        obj_options,
        index=obj_options.index(now_obj),
        format_func=choices.objectives,
        key=f"{prefix}_objective",
    )
    out["pillars"] = _chosen(
        "Pillars",
        choices.pillars,
        current.pillar_ids if current else (),
        current.pillar_names if current else (),
        f"{prefix}_pillars",
    )
    f, g = st.columns([3, 1])
    out["budget"] = f.text_input(
        "Budget",
        formatting.number(current.budget).replace(formatting.NOTHING, "") if current else "",
        placeholder="12,000",
        key=f"{prefix}_budget",
    )
    out["currency"] = g.text_input(
        "Currency",
        (current.currency or "") if current else "",
        max_chars=3,
        placeholder=choices.currency or "SGD",
        help="Three letters; empty: the brand market's currency.",
        key=f"{prefix}_currency",
    )
    out["markets"] = st.multiselect(
        "Markets",
        list(dict.fromkeys([*choices.markets, *(current.markets if current else ())])),
        default=list(current.markets) if current else [],
        format_func=choices.markets,
        key=f"{prefix}_markets",
    )
    out["channels"] = _chosen(
        "Channels",
        choices.channels,
        current.channel_ids if current else (),
        current.channel_names if current else (),
        f"{prefix}_channels",
    )
    out["utm_campaign"] = st.text_input(
        "UTM campaign",
        (current.utm_campaign or "") if current else "",
        help="The utm_campaign value of the campaign's links; empty: the slug.",
        key=f"{prefix}_utm",
    )
    out["description"] = st.text_area(
        "Description", current.description if current else "", key=f"{prefix}_description"
    )
    return out


def _chosen(label: str, offered: Labels, ids: Sequence[int], names: Sequence[str], key: str) -> list[int]:
    """A multiselect of the brand's active items, the campaign's own (`ids`, named `names`; some may be
    archived since) chosen and offered too."""
    labels = Labels(offered)
    labels.update(dict(zip(ids, names, strict=False)))
    return st.multiselect(label, list(labels), default=list(ids), format_func=labels, key=key)


def _service_values(values: dict[str, Any]) -> dict[str, Any]:
    """The form's values as the services take them (empty texts are "not set")."""
    out = dict(values)
    out["objective"] = values["objective"] or None
    out["pillars"] = tuple(values["pillars"])
    out["markets"] = tuple(values["markets"])
    out["channels"] = tuple(values["channels"])
    out["budget"] = (values["budget"] or "").strip() or None
    out["currency"] = (values["currency"] or "").strip().upper() or None
    out["utm_campaign"] = (values["utm_campaign"] or "").strip() or None
    return out


def _create_form(
    ctx: PageContext, brands: list[BrandInfo], market_labels: Labels, currencies: dict[str, str]
) -> None:
    with st.expander("New campaign", icon=":material/add:", expanded=False):
        brand = common.brand_for_new(brands, "camp_new_brand")
        choices = choices_for(ctx, brand.slug, market_labels, currencies)
        with st.form(f"camp_new_{brand.slug}", clear_on_submit=True):
            values = _fields(f"camp_new_{brand.slug}", choices, None)
            if st.form_submit_button("Create campaign", type="primary"):
                common.save(
                    lambda s: campaigns.create_campaign(
                        s, ctx.actor, brand=brand.slug, **_service_values(values)
                    ),
                    f"Campaign {values['name']} created for {brand.name}.",
                )


def _edit_form(
    ctx: PageContext, rows: list[CampaignInfo], market_labels: Labels, currencies: dict[str, str]
) -> None:
    with st.expander("Edit a campaign", icon=":material/edit:", expanded=False):
        current: CampaignInfo = common.pick_row(rows, "Campaign", "camp_edit_pick")
        choices = choices_for(ctx, current.brand_slug, market_labels, currencies)
        prefix = f"camp_edit_{current.id}_{current.version}"
        with st.form(prefix):
            values = _fields(prefix, choices, current)
            if st.form_submit_button("Save campaign"):

                def update(s: Any) -> CampaignInfo:
                    changes = _service_values(values)
                    return campaigns.update_campaign(
                        s, ctx.actor, current.id, version=current.version, **changes
                    )

                common.save(update, f"Campaign {values['name']} saved.")
        common.archive_button(
            current,
            "campaign",
            f"camp_archive_{current.id}",
            lambda s, flag: campaigns.archive_campaign(s, ctx.actor, current.id, archived=flag),
        )
