"""The Audience segments tab: who each brand speaks to (a name, a description, the markets and platforms
where they are), created, edited and archived through the strategy services."""

from __future__ import annotations

import streamlit as st

from app.db import read_session
from app.models.enums import Platform
from app.services.org import BrandInfo, markets
from app.services.strategy import SegmentInfo, segments
from app.ui.context import PageContext
from app.ui.strategy import common, formatting
from app.ui.widgets import Labels

PLATFORMS = Labels({p.value: p.label for p in Platform})


def segments_tab(ctx: PageContext) -> None:
    st.caption("The audiences each brand speaks to, and the markets and platforms where they are.")
    archived = common.show_archived("strategy_segments_archived")
    with read_session() as session:
        rows = segments.list_segments(
            session, ctx.actor, brand=ctx.brand.slug if ctx.brand else None, include_archived=archived
        )
        market_labels = Labels({m.code: m.name for m in markets.list_markets(session, ctx.actor)})
    common.strategy_table(
        ctx,
        formatting.segments_frame(rows, show_brand=ctx.brand is None, market_labels=market_labels),
        "strategy-segments",
        "audience segments",
    )
    common.create_and_edit(
        ctx,
        rows,
        lambda brands: _create_form(ctx, brands, market_labels),
        lambda mine: _edit_form(ctx, mine, market_labels),
    )


def _create_form(ctx: PageContext, brands: list[BrandInfo], market_labels: Labels) -> None:
    with st.expander("New audience segment", icon=":material/add:", expanded=False):
        brand = common.brand_for_new(brands, "seg_new_brand")
        with st.form("seg_new", clear_on_submit=True):
            name = st.text_input("Name", placeholder="Young professionals", key="seg_new_name")
            description = st.text_area("Description", key="seg_new_description")
            chosen_markets = st.multiselect(
                "Markets", list(market_labels), format_func=market_labels, key="seg_new_markets"
            )
            platforms = st.multiselect(
                "Platforms", list(PLATFORMS), format_func=PLATFORMS, key="seg_new_platforms"
            )
            if st.form_submit_button("Create segment", type="primary"):
                common.save(
                    lambda s: segments.create_segment(
                        s,
                        ctx.actor,
                        brand=brand.slug,
                        name=name,
                        description=description,
                        markets=tuple(chosen_markets),
                        platforms=tuple(platforms),
                    ),
                    f"Segment {name} created for {brand.name}.",
                )


def _edit_form(ctx: PageContext, rows: list[SegmentInfo], market_labels: Labels) -> None:
    with st.expander("Edit a segment", icon=":material/edit:", expanded=False):
        current: SegmentInfo = common.pick_row(rows, "Segment", "seg_edit_pick")
        with st.form(f"seg_edit_{current.id}_{current.version}"):
            name = st.text_input("Name", current.name)
            description = st.text_area("Description", current.description)
            market_options = list(dict.fromkeys([*market_labels, *current.markets]))
            chosen_markets = st.multiselect(
                "Markets", market_options, default=list(current.markets), format_func=market_labels
            )
            platforms = st.multiselect(
                "Platforms",
                list(PLATFORMS),
                default=[p for p in current.platforms if p in PLATFORMS],
                format_func=PLATFORMS,
            )
            if st.form_submit_button("Save segment"):
                common.save(
                    lambda s: segments.update_segment(
                        s,
                        ctx.actor,
                        current.id,
                        version=current.version,
                        name=name,
                        description=description,
                        markets=tuple(chosen_markets),
                        platforms=tuple(platforms),
                    ),
                    f"Segment {name} saved.",
                )
        common.archive_button(
            current,
            "segment",
            f"seg_archive_{current.id}",
            lambda s, flag: segments.archive_segment(s, ctx.actor, current.id, archived=flag),
        )
