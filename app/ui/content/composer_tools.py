"""The composer's helpers beside the copy: best times to post for a channel (from the brand's own
history, with how they were computed) and the governed UTM link builder."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import streamlit as st

from app.db import read_session
from app.services.content import EditorChoices, best_time, utm
from app.services.core import Actor, clock
from app.ui.widgets import Labels, perform, plain

DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def next_occurrence(weekday: int, hour: int, tz: str, now: datetime | None = None) -> datetime:
    """The next local `weekday` (Monday 0) at `hour`:00 after now, in `tz`."""
    now = (now or clock.now()).astimezone(ZoneInfo(tz))
    days = (weekday - now.weekday()) % 7
    candidate = (now + timedelta(days=days)).replace(hour=hour, minute=0, second=0, microsecond=0)
    return candidate if candidate > now + timedelta(minutes=30) else candidate + timedelta(days=7)


def _use_slot(slug: str, when: datetime) -> None:
    st.session_state[f"c_date_{slug}"] = when.date()
    st.session_state[f"c_time_{slug}"] = when.time()


def _use_link() -> None:
    st.session_state["c_link"] = st.session_state["c_utm_last"]


def best_time_panel(actor: Actor, choices: EditorChoices) -> None:
    chosen = [c for c in choices.channels if c.slug in st.session_state.get("c_channels", [])]
    if not chosen:
        return
    with st.expander(":material/schedule: Best times to post"):
        slug = st.selectbox(
            "Channel",
            [c.slug for c in chosen],
            key="c_bt_channel",
            format_func=Labels({c.slug: c.label for c in chosen}),
        )
        channel = next(c for c in chosen if c.slug == slug)
        with read_session() as session:
            result = best_time.suggest_slots(session, actor, channel.id)
        st.caption(plain(result.explanation))
        cols = st.columns(max(len(result.slots), 1))
        for col, slot in zip(cols, result.slots, strict=False):
            when = next_occurrence(slot.weekday, slot.hour, choices.timezone)
            col.metric(
                f"{DAYS[slot.weekday]} {slot.hour:02d}:00",
                f"{slot.expected_rate:.2%}",
                help=f"{slot.posts} posts behind this slot",
                border=True,
            )
            col.button(
                f"Use {when:%a %d %b %H:%M}",
                key=f"c_bt_use_{slot.weekday}_{slot.hour}",
                on_click=_use_slot,
                args=(slug, when),
            )


def utm_panel(actor: Actor, choices: EditorChoices, post_id: int | None) -> None:
    with st.expander(":material/link: Tracked link (UTM)"):
        url = st.text_input("Landing page", value=st.session_state.get("c_link", ""), key="c_utm_url")
        c1, c2 = st.columns(2)
        platform = c1.selectbox("For", sorted({c.platform for c in choices.channels}), key="c_utm_platform")
        medium = c2.selectbox("Medium", ["social", "paid_social"], key="c_utm_medium")
        if st.button("Build tracked link", key="c_utm_build"):
            campaign = st.session_state.get("c_campaign") or None
            link = perform(
                lambda s: utm.build_link(
                    s,
                    actor,
                    brand_id=choices.brand_id,
                    url=url,
                    platform=platform,
                    campaign_id=campaign,
                    post_id=post_id,
                    medium=medium,
                ),
                "Tracked link saved.",
                rerun=False,
            )
            if link is not None:
                st.session_state["c_utm_last"] = link.full_url
        if st.session_state.get("c_utm_last"):
            st.code(st.session_state["c_utm_last"], language=None)
            st.button(
                "Use as the post's link",
                key="c_utm_use",
                on_click=_use_link,
            )
