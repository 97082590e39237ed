"""Quarterly review: the report's sections as slides for a shared screen, one message each, large type,
Previous / Next buttons and a Present switch that hides the menu. Built from the same template and
data as the PDF."""

import streamlit as st

from app.db import read_session
from app.services.core import ServiceError, clock, parse_period
from app.services.reports import TEMPLATES, build_report
from app.ui.context import page_context
from app.ui.reports import (
    PRESENT_STYLE,
    brand_choice,
    last_quarter_label,
    section_block,
    template_title,
    title_slide,
)
from app.ui.widgets import plain

ctx = page_context()
present = st.session_state.get("review_present", False)
if present:
    st.markdown(PRESENT_STYLE, unsafe_allow_html=True)  # our fixed CSS only, never user text
else:
    st.title("Quarterly review")

with st.container(border=False):
    if not present:
        c1, c2, c3 = st.columns(3)
        with c1:
            brand = brand_choice(ctx, "review_brand")
        keys = list(TEMPLATES)
        template = c2.selectbox("Template", keys, index=keys.index("quarterly"),
                                format_func=template_title, key="review_template")  # fmt: skip
        period = c3.text_input("Period", value=last_quarter_label(clock.today()), key="review_period")
        # Widgets not drawn while presenting lose their state, so the choice is kept under our own key.
        st.session_state["review_choice"] = (brand, template, period)
    else:
        default = (
            ctx.brand.slug if ctx.brand else None,
            "quarterly",
            last_quarter_label(clock.today()),
        )
        brand, template, period = st.session_state.get("review_choice", default)

if brand is None:
    st.info("No brand to review.")
    st.stop()

wanted = (brand, template, period.strip().upper())
if st.session_state.get("review_key") != wanted:
    try:
        start, end = parse_period(period)
        with read_session() as session:
            report = build_report(session, ctx.actor, brand, template, start, end)
    except ServiceError as exc:
        st.error(plain(exc), icon=":material/error:")
        st.stop()
    st.session_state["review_key"], st.session_state["review_report"] = wanted, report
    st.session_state["review_slide"] = 0
report = st.session_state["review_report"]
count = len(report.sections) + 1  # the title slide, then one per section
slide = min(max(st.session_state.get("review_slide", 0), 0), count - 1)


def _go(step: int) -> None:
    st.session_state["review_slide"] = min(max(st.session_state.get("review_slide", 0) + step, 0), count - 1)


nav_prev, nav_pos, nav_next, nav_present = st.columns([1, 2, 1, 1])
nav_prev.button("Previous", key="review_prev", on_click=_go, args=(-1,), disabled=slide == 0,
                icon=":material/arrow_back:", width="stretch")  # fmt: skip
nav_pos.markdown(f"**Slide {slide + 1} of {count}**")
nav_next.button("Next", key="review_next", on_click=_go, args=(1,), disabled=slide == count - 1,
                icon=":material/arrow_forward:", width="stretch")  # fmt: skip
nav_present.toggle("Present", key="review_present", help="Hide the menu and enlarge the type")

with st.container(border=True):
    if slide == 0:
        title_slide(report)
    else:
        section_block(report.sections[slide - 1], slide=True, key="review")
