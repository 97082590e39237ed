"""The sidebar filters every page shares: brand switcher (with "All brands" for agency staff) and the
period. They live in the entrypoint, so their values hold across pages; the brand is also in the URL
(`?brand=slug`), so a link to a page opens on the same brand."""

from __future__ import annotations

from datetime import date, timedelta

import streamlit as st

from app.services.core import PRESETS, preset_range
from app.services.org import BrandInfo
from app.ui.widgets import Labels

ALL_BRANDS = "__all__"
BRAND_KEY = "brand"
PERIOD_KEY = "period"
CUSTOM_KEY = "period_custom"


def brand_switcher(brands: list[BrandInfo], allow_all: bool) -> BrandInfo | None:
    """The selected brand, or None for "All brands". The brand's slug is kept in the URL by hand:
    `bind="query-params"` would put the brand's display name there (it binds the formatted label)."""
    by_slug = {b.slug: b for b in brands}
    options = ([ALL_BRANDS] if allow_all or not brands else []) + list(by_slug)
    wanted = st.query_params.get(BRAND_KEY)
    if BRAND_KEY not in st.session_state and wanted in options:
        st.session_state[BRAND_KEY] = wanted  # a shared link opens on its brand
    elif BRAND_KEY in st.session_state and st.session_state[BRAND_KEY] not in options:
        del st.session_state[BRAND_KEY]  # a brand that is gone (deactivated, or a role lost)
    chosen = st.sidebar.selectbox(
        "Brand",
        options,
        # No count in the label: the browser holds a keyed box's choice by its label, so "All brands (0)"
        # stayed on screen after the first brand was added (the page caption carries the count).
        format_func=Labels({ALL_BRANDS: "All brands", **{b.slug: b.name for b in brands}}),
        key=BRAND_KEY,
        help="Every page shows this brand's data; agency staff can pick All brands.",
    )
    if chosen in by_slug:
        st.query_params[BRAND_KEY] = chosen
    else:
        st.query_params.pop(BRAND_KEY, None)
    return by_slug.get(chosen) if chosen else None


def restart_brand_choice(brands: list[BrandInfo], allow_all: bool) -> None:
    """Put the brand box on its first choice (All brands, or the first brand) before it is drawn: when
    the person changes (acting as someone), the browser would keep showing the previous person's
    choice, which may not be among the new options. Setting the value reaches the browser; removing
    the key does not."""
    options = ([ALL_BRANDS] if allow_all or not brands else []) + [b.slug for b in brands]
    if options:
        st.session_state[BRAND_KEY] = options[0]
    st.query_params.pop(BRAND_KEY, None)


def period_picker(today: date) -> tuple[date, date]:
    """Inclusive start and end dates for the chosen period."""
    preset = st.sidebar.selectbox("Period", PRESETS, index=PRESETS.index("Last 30 days"), key=PERIOD_KEY)
    if preset != "Custom":
        start, end = preset_range(preset, today)
        st.sidebar.caption(f"{start:%d %b %Y} – {end:%d %b %Y}")
        return start, end
    picked = st.sidebar.date_input(
        "Dates",
        value=(today - timedelta(days=29), today),
        max_value=today + timedelta(days=366),
        key=CUSTOM_KEY,
    )
    # While the user has clicked only the first day of a range, the widget returns one date.
    if isinstance(picked, tuple | list):
        if len(picked) == 2:
            return picked[0], picked[1]
        if len(picked) == 1:
            return picked[0], picked[0]
        return today - timedelta(days=29), today
    return picked, picked
