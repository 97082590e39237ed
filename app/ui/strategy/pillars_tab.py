"""The Content pillars tab: the themes each brand posts about with the share of posts each should get,
the total of the active shares against 100%, and creating, editing and archiving pillars."""

from __future__ import annotations

import streamlit as st

from app.db import read_session
from app.services.org import BrandInfo
from app.services.strategy import PillarInfo, pillars
from app.ui.context import PageContext
from app.ui.strategy import common, formatting
from app.ui.widgets import plain

DEFAULT_COLOR = "#72B7B2"


def pillars_tab(ctx: PageContext) -> None:
    st.caption(
        "The themes each brand posts about and the share of its posts each should get. The shares of a "
        "brand's active pillars add up to at most 100%."
    )
    archived = common.show_archived("strategy_pillars_archived")
    with read_session() as session:
        rows = pillars.list_pillars(
            session, ctx.actor, brand=ctx.brand.slug if ctx.brand else None, include_archived=archived
        )
    share_totals(ctx, rows)
    common.strategy_table(
        ctx,
        formatting.pillars_frame(rows, show_brand=ctx.brand is None),
        "strategy-pillars",
        "content pillars",
    )
    common.create_and_edit(
        ctx,
        rows,
        lambda brands: _create_form(ctx, brands),
        lambda mine: _edit_form(ctx, mine),
    )


def share_totals(ctx: PageContext, rows: list[PillarInfo]) -> None:
    """Each brand's active target shares against 100%: what is planned and what is left to plan."""
    totals = formatting.share_total(rows)
    if ctx.brand is not None:
        totals.setdefault(ctx.brand.name, 0.0)
    for brand_name, total in totals.items():
        left = 100 - total
        who = f"{plain(brand_name)}: " if ctx.brand is None else ""
        rest = f" · {formatting.share(left)} not given to a pillar yet" if left > 0 else ""
        st.progress(
            min(max(total / 100, 0.0), 1.0),
            text=f"{who}Target shares of the active pillars: {formatting.share(total)} of 100%{rest}",
        )


def _create_form(ctx: PageContext, brands: list[BrandInfo]) -> None:
    with st.expander("New content pillar", icon=":material/add:", expanded=False):
        brand = common.brand_for_new(brands, "pil_new_brand")
        with st.form("pil_new", clear_on_submit=True):
            name = st.text_input("Name", placeholder="Skincare science", key="pil_new_name")
            a, b = st.columns([3, 1])
            share = a.number_input(
                "Target share (%)",
                min_value=0,
                max_value=100,
                value=None,
                step=5,
                help="The share of the brand's posts this pillar should get; leave empty for none.",
                key="pil_new_share",
            )
            color = b.color_picker("Colour", DEFAULT_COLOR, key="pil_new_color")
            description = st.text_area("Description", key="pil_new_description")
            if st.form_submit_button("Create pillar", type="primary"):
                common.save(
                    lambda s: pillars.create_pillar(
                        s,
                        ctx.actor,
                        brand=brand.slug,
                        name=name,
                        description=description,
                        color=color,
                        target_share_pct=share,
                    ),
                    f"Pillar {name} created for {brand.name}.",
                )


def _edit_form(ctx: PageContext, rows: list[PillarInfo]) -> None:
    with st.expander("Edit a pillar", icon=":material/edit:", expanded=False):
        current: PillarInfo = common.pick_row(rows, "Pillar", "pil_edit_pick")
        with st.form(f"pil_edit_{current.id}_{current.version}"):
            name = st.text_input("Name", current.name)
            a, b = st.columns([3, 1])
            share = a.number_input(
                "Target share (%)",
                min_value=0,
                max_value=100,
                value=current.target_share_pct,
                step=5,
            )
            color = b.color_picker("Colour", current.color or DEFAULT_COLOR)
            description = st.text_area("Description", current.description)
            if st.form_submit_button("Save pillar"):
                common.save(
                    lambda s: pillars.update_pillar(
                        s,
                        ctx.actor,
                        current.id,
                        version=current.version,
                        name=name,
                        description=description,
                        color=color,
                        target_share_pct=share,
                    ),
                    f"Pillar {name} saved.",
                )
        common.archive_button(
            current,
            "pillar",
            f"pil_archive_{current.id}",
            lambda s, flag: pillars.archive_pillar(s, ctx.actor, current.id, archived=flag),
        )
