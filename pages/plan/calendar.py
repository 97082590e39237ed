"""Calendar: post variants on a month, week or list grid in market time (drag to reschedule with the
composer's checks, click to open), the same posts as a table, each channel's feed preview and its best
times to post."""

from zoneinfo import ZoneInfo

import streamlit as st
from streamlit_calendar import calendar as fullcalendar

from app.db import read_session
from app.services.content import SaveResult, composer
from app.services.content import grid as calendar_views
from app.services.core import ValidationError, clock
from app.ui.content import calendar_grid, calendar_panels
from app.ui.context import page_context
from app.ui.widgets import Labels, charts, page_header, perform, plain, show_flash, table

VIEW_LABELS = Labels({"month": "Month", "week": "Week", "list": "List"})
COLOUR_LABELS = Labels({"status": "Status", "channel": "Channel"})
NONCE, SEEN_MOVE, SEEN_CLICK, NOTE = "cal_nonce", "cal_seen_move", "cal_seen_click", "cal_note"

ctx = page_context()
page_header("Calendar", ctx)
show_flash()
if note := st.session_state.pop(NOTE, None):
    st.info(plain(note), icon=":material/info:")

with read_session() as session:
    zone = calendar_views.grid_timezone(session, ctx.actor, ctx.brand_ids)
    choices = calendar_views.filter_choices(session, ctx.actor, ctx.brand_ids)

cal_tab, feed_tab, best_tab = st.tabs(
    ["Calendar", "Feed preview", "Best times"], key="cal_tab", on_change="rerun"
)

if cal_tab.open:
    with cal_tab:
        c1, c2, c3, c4, c5, c6 = st.columns(6)
        channels = c1.multiselect("Channel", list(choices.channels), format_func=Labels(choices.channels))
        campaigns = c2.multiselect("Campaign", list(choices.campaigns), format_func=Labels(choices.campaigns))
        pillars = c3.multiselect("Pillar", list(choices.pillars), format_func=Labels(choices.pillars))
        statuses = c4.multiselect("Status", list(choices.statuses), format_func=Labels(choices.statuses))
        owners = c5.multiselect("Owner", list(choices.owners), format_func=Labels(choices.owners))
        colour_by = c6.radio("Colour by", list(COLOUR_LABELS), format_func=COLOUR_LABELS, horizontal=True)

        today = clock.today(zone)
        anchor = st.session_state.get("cal_anchor", today)
        view_col, prev_col, today_col, next_col, goto_col = st.columns(
            [3, 1, 1, 1, 2], vertical_alignment="bottom"
        )
        with view_col:
            view = st.segmented_control(
                "View",
                list(VIEW_LABELS),
                format_func=VIEW_LABELS,
                default="month",
                required=True,
                key="cal_view",
            )
        if prev_col.button("Previous", icon=":material/chevron_left:", width="stretch"):
            anchor = calendar_grid.shift(view, anchor, -1)
        if today_col.button("Today", width="stretch"):
            anchor = today
        if next_col.button("Next", icon=":material/chevron_right:", icon_position="right", width="stretch"):
            anchor = calendar_grid.shift(view, anchor, 1)
        # Keyed by the anchor, so the picker shows where the buttons went.
        anchor = goto_col.date_input("Go to", value=anchor, key=f"cal_goto_{anchor}")
        st.session_state["cal_anchor"] = anchor
        start, end = calendar_grid.view_range(view, anchor)

        # The component repeats its last payload on every run and lives under a key that changes after
        # each handled move, so a refused move snaps back (a fresh grid from the database).
        key = f"cal_grid_{view}_{anchor}_{st.session_state.setdefault(NONCE, 0)}"
        payload = st.session_state.get(key)
        try:
            move = calendar_grid.parse_move(payload, zone)
        except ValidationError as exc:
            st.error(plain(exc), icon=":material/error:")
            st.session_state[NONCE] += 1
            move = None
        if move is not None and st.session_state.get(SEEN_MOVE) != calendar_grid.signature(payload):
            st.session_state[SEEN_MOVE] = calendar_grid.signature(payload)
            st.session_state[NONCE] += 1
            when = f"{move.new_time.astimezone(ZoneInfo(zone)):%a %d %b %Y, %H:%M} ({zone})"

            def note_reapproval(result: SaveResult) -> None:
                if result.reapproval:
                    st.session_state[NOTE] = (
                        f"{result.title} moved past what its approval covered: it is back in review."
                    )

            perform(
                lambda s: composer.reschedule_variant(
                    s, ctx.actor, move.variant_id, move.new_time, move.expected_version
                ),
                f"Moved to {when}.",
                on_success=note_reapproval,
            )
        clicked = calendar_grid.parse_click(payload)
        if clicked is not None and st.session_state.get(SEEN_CLICK) != calendar_grid.signature(payload):
            st.session_state[SEEN_CLICK] = calendar_grid.signature(payload)
            st.session_state[calendar_panels.OPEN_POST] = clicked

        with read_session() as session:
            events = calendar_views.calendar_events(
                session,
                ctx.actor,
                ctx.brand_ids,
                start,
                end,
                tz=zone,
                channels=channels,
                campaigns=campaigns,
                pillars=pillars,
                statuses=statuses,
                owners=owners,
                color_by=colour_by,
            )
        shared = "the market time of " + ctx.brand.name if ctx.brand else "the brands' shared market time"
        if not ctx.brand and len({b.timezone for b in ctx.brands}) > 1:
            shared = "the workspace's time zone (the brands are in several; the table shows each one's)"
        st.caption(
            plain(
                f"{len(events)} post variants, {start:%d %b} – {end:%d %b %Y}. Times are in {zone}, {shared}."
            )
            + (" Drag a post to move it; click one to open it." if any(e.editable for e in events) else "")
        )
        if len(events) == calendar_views.DEFAULT_LIMIT:
            st.warning(f"Showing the first {len(events)} posts: filter by channel or status to see the rest.")

        fullcalendar(
            events=calendar_grid.grid_events(events, zone),
            options=calendar_grid.grid_options(view, anchor, zone, editable=any(e.editable for e in events)),
            callbacks=calendar_grid.CALLBACKS,
            key=key,
        )
        if st.session_state.get(calendar_panels.OPEN_POST):
            calendar_panels.post_panel(ctx, st.session_state[calendar_panels.OPEN_POST])

        # The accessible form of the same posts (screen readers, downloads); the List view shows it open.
        with st.expander(f"The {len(events)} posts as a table", expanded=view == "list"):
            per_day = calendar_views.events_per_day(events, zone)
            if not per_day.empty:
                st.altair_chart(
                    charts.stacked_bars_by_status(
                        per_day, "day", "variants", f"Post variants per day ({zone})"
                    )
                )
            table(calendar_views.events_table(events, zone), name="calendar")
        calendar_panels.export_buttons(ctx, start, end, statuses)
        calendar_panels.utm_form(ctx)

if feed_tab.open:
    with feed_tab:
        calendar_panels.feed_panel(ctx, choices.channels)

if best_tab.open:
    with best_tab:
        calendar_panels.best_time_panel(ctx, choices.channels)
