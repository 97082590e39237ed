"""SocialOps Hub entrypoint: page config, first-start setup, sign-in gate, the per-role navigation and
the shared filters, then the chosen page. Run with `streamlit run streamlit_app.py`."""

from __future__ import annotations

import streamlit as st

from app.db import read_session
from app.services.core import clock
from app.services.org import list_brands, workspace_info
from app.ui.context import PageContext, set_page_context
from app.ui.publishing import pause_banner
from app.ui.shell import (
    act_as_picker,
    acting_actor,
    acting_banner,
    brand_switcher,
    build_navigation,
    current_actor,
    database_unavailable_stops_here,
    ensure_database,
    load_settings,
    needs_setup,
    notifications_sidebar,
    period_picker,
    person_changed,
    restart_brand_choice,
    run_page,
    show_banners,
    show_health_banner,
)
from app.ui.widgets import plain

st.set_page_config(page_title="SocialOps Hub", page_icon=":material/hub:", layout="wide")

settings = load_settings()
ensure_database(settings)
with database_unavailable_stops_here():
    real_actor, local_mode = current_actor(settings)
    # Local mode only: the admin may act as another person; every service then checks that person.
    actor = acting_actor(real_actor, local_mode)
    with read_session() as session:
        ws = workspace_info(session)
        brands = list_brands(session, actor)
assert ws is not None  # ensure_database made one

# st.navigation before the shared sidebar widgets: on the first run after a server start, widgets
# made before it get other ids than on every later run (Streamlit 1.67), so the first person's first
# click on them was lost (Sign out needed two clicks, a brand change snapped back). Query parameters
# (?brand=) read the same after it.
navigation = build_navigation(actor, setup_first=needs_setup(actor, is_demo=ws.is_demo, brands=ws.brands))
if person_changed(actor):  # acting as someone started or ended: their brands, from the first one
    restart_brand_choice(brands, allow_all=actor.sees_all_brands())
with st.sidebar:
    st.markdown(f"**{plain(ws.name)}**")
    brand = brand_switcher(brands, allow_all=actor.sees_all_brands())
    start, end = period_picker(clock.today())
    st.divider()
    role = actor.describe_role(brand.id if brand else None)
    st.caption(f":material/account_circle: {plain(actor.name or actor.email)} · {role}")
    act_as_picker(real_actor, local_mode)
    if not local_mode and st.button("Sign out", icon=":material/logout:", key="sign_out"):
        st.logout()

notifications_sidebar(actor)
ctx = PageContext(
    actor=actor,
    workspace_name=ws.name,
    brands=tuple(brands),
    brand=brand,
    start=start,
    end=end,
    local_mode=local_mode,
    is_demo=ws.is_demo,
)
set_page_context(ctx)
acting_banner(actor, real_actor, local_mode)  # while the local admin acts as someone else
show_banners(ctx, publishing_paused=ws.publishing_paused)
show_health_banner(ctx)  # admins: broken connections, late jobs
pause_banner(ctx)
run_page(navigation)
