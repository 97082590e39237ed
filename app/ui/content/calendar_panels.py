"""The Calendar page's panels: a post opened from the grid, a channel's feed preview, its best times to
post (heatmap and how they were computed), and a brand's UTM conventions form for managers."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from functools import partial
from zoneinfo import ZoneInfo

import altair as alt
import pandas as pd
import streamlit as st

from app.db import read_session
from app.models.enums import Platform, PostStatus
from app.services.content import best_time, feed_preview, utm
from app.services.content import export as calendar_export
from app.services.content import post as calendar_post
from app.services.core import Actor, Perm, ServiceError
from app.ui.context import PageContext
from app.ui.widgets import Labels, perform, plain

OPEN_POST = "cal_open_post"


def post_panel(ctx: PageContext, post_id: int) -> None:
    """The post behind a clicked event: status, what it belongs to, every variant with its copy and time."""
    try:
        with read_session() as session:
            d = calendar_post.post_detail(session, ctx.actor, post_id)
    except ServiceError:  # deleted meanwhile, or out of sight after a brand switch
        st.session_state.pop(OPEN_POST, None)
        return
    zone = ZoneInfo(d.timezone)
    with st.container(border=True):
        head, close = st.columns([6, 1])
        head.subheader(plain(d.title))
        if close.button("Close", key="cal_close_post", icon=":material/close:"):
            st.session_state.pop(OPEN_POST, None)
            st.rerun()
        facts = [PostStatus(d.status).label, d.brand]
        facts += [f"campaign {d.campaign}"] if d.campaign else []
        facts += [f"pillar {d.pillar}"] if d.pillar else []
        facts += [f"owner {d.owner}"] if d.owner else []
        st.caption(plain(" · ".join(facts)) + f" · times in {plain(d.timezone)}")
        if ctx.actor.can(Perm.CONTENT_EDIT, d.brand_id):
            st.page_link(
                "pages/plan/compose.py",
                label="Open in the composer",
                icon=":material/edit_note:",
                query_params={"post": str(d.post_id)},
            )
        for v in d.variants:
            moment = v.published_at if v.status == PostStatus.PUBLISHED and v.published_at else v.scheduled_at
            when = f"{moment.astimezone(zone):%a %d %b %Y, %H:%M}" if moment else "no time yet"
            label = f"{Platform(v.platform).label} · {v.channel} · {PostStatus(v.status).label} · {when}"
            st.markdown(f"**{plain(label)}**")
            st.text(v.copy or "(no copy yet)")


def export_file(
    actor: Actor, brand_ids: tuple[int, ...], start: date, end: date, fmt: str, statuses: tuple[str, ...]
) -> bytes:
    """Built only when its download button is clicked (Streamlit calls it on its own thread)."""
    with read_session() as session:
        return calendar_export.export_calendar(
            session, actor, list(brand_ids), start, end, fmt, statuses or None
        )


def export_buttons(ctx: PageContext, start: date, end: date, statuses: Sequence[str]) -> None:
    """CSV, XLSX and ICS of the dates shown (and the status filter); files are made on click."""
    st.caption(
        f"Export {start:%d %b} – {end:%d %b %Y}"
        + (" (the chosen statuses)" if statuses else "")
        + ": one row or calendar event per post variant."
    )
    for col, fmt in zip(
        st.columns(len(calendar_export.EXPORT_FORMATS)), calendar_export.EXPORT_FORMATS, strict=True
    ):
        col.download_button(
            fmt.upper(),
            partial(export_file, ctx.actor, ctx.brand_ids, start, end, fmt, tuple(statuses)),
            file_name=f"socialops-calendar-{start:%Y%m%d}-{end:%Y%m%d}.{fmt}",
            mime=calendar_export.MIME_TYPES[fmt],
            icon=":material/download:",
            key=f"cal_export_{fmt}",
            help=calendar_export.EXPORT_FORMATS[fmt],
            width="stretch",
        )


def _pick_channel(channels: dict[int, str], key: str) -> int | None:
    if not channels:
        st.info("The brands in scope have no channels yet.")
        return None
    return st.selectbox("Channel", list(channels), format_func=Labels(channels), key=key)


def _feed_grid(items: Sequence[feed_preview.FeedItem]) -> None:
    for start in range(0, len(items), 3):
        for col, item in zip(st.columns(3), items[start : start + 3], strict=False):
            with col.container(border=True):
                if item.thumbnail is not None:
                    st.image(str(item.thumbnail), width="stretch")
                else:
                    st.caption(":material/image_not_supported: no picture attached")
                st.caption(f"{item.local_time:%a %d %b, %H:%M} · {PostStatus(item.status).label}")
                st.text(item.copy[:140] + ("…" if len(item.copy) > 140 else ""))


def _feed_timeline(items: Sequence[feed_preview.FeedItem]) -> None:
    for item in items:
        with st.container(border=True):
            text, picture = st.columns([4, 1])
            text.caption(f"{item.local_time:%a %d %b %Y, %H:%M} · {PostStatus(item.status).label}")
            text.text(item.copy or "(no copy yet)")
            if item.thumbnail is not None:
                picture.image(str(item.thumbnail), width="stretch")


def feed_panel(ctx: PageContext, channels: dict[int, str]) -> None:
    pick, count = st.columns([4, 1])
    with pick:
        channel_id = _pick_channel(channels, "feed_channel")
    if channel_id is None:
        return
    n = count.number_input("Posts", min_value=3, max_value=30, value=9, step=3, key="feed_n")
    with read_session() as session:
        items = feed_preview.feed_preview(session, ctx.actor, channel_id, int(n))
    if not items:
        st.info("Nothing approved or scheduled on this channel yet.")
        return
    zone = str(items[0].local_time.tzinfo)
    st.caption(
        f"The next {len(items)} approved or scheduled posts, shown as the feed will show them once they "
        f"are out: the latest first (market time, {plain(zone)})."
    )
    newest_first = list(reversed(items))
    if feed_preview.is_grid(items[0].platform):
        _feed_grid(newest_first)
    else:
        _feed_timeline(newest_first)


def heatmap(grid: pd.DataFrame, slots: Sequence[best_time.Slot]) -> alt.LayerChart:
    """Expected engagement rate per weekday and hour; the suggested slots are ringed."""
    y = alt.Y("day:O", sort=list(best_time.WEEKDAYS), title=None, axis=alt.Axis(labelOverlap=False))
    base = alt.Chart(grid).encode(x=alt.X("hour:O", title="hour (market time)"), y=y).properties(height=260)
    cells = base.mark_rect().encode(
        color=alt.Color(
            "expected_rate:Q",
            title="expected rate",
            scale=alt.Scale(scheme="blues"),
            legend=alt.Legend(format=".1%"),
        ),
        tooltip=[
            "day:O",
            "hour:O",
            alt.Tooltip("posts:Q", title="posts"),
            alt.Tooltip("observed_rate:Q", title="their average", format=".2%"),
            alt.Tooltip("expected_rate:Q", title="expected (smoothed)", format=".2%"),
        ],
    )
    best = pd.DataFrame([{"day": best_time.WEEKDAYS[s.weekday], "hour": s.hour} for s in slots])
    rings = (
        alt.Chart(best if not best.empty else pd.DataFrame(columns=["day", "hour"]))
        .mark_point(shape="circle", size=160, filled=False, color="#E45756", strokeWidth=2)
        .encode(x="hour:O", y=alt.Y("day:O", sort=list(best_time.WEEKDAYS)))
    )
    return alt.layer(cells, rings).properties(
        height=240, title="Expected engagement rate by weekday and hour"
    )


def best_time_panel(ctx: PageContext, channels: dict[int, str]) -> None:
    pick, span = st.columns([4, 1])
    with pick:
        channel_id = _pick_channel(channels, "best_channel")
    if channel_id is None:
        return
    weeks = span.number_input("Weeks back", min_value=4, max_value=52, value=16, step=4, key="best_weeks")
    with read_session() as session:
        bt = best_time.suggest_slots(session, ctx.actor, channel_id, weeks=int(weeks))
    st.caption(
        plain(
            f"Based on {bt.basis}: {bt.posts_used} measured posts"
            + (f" on {bt.channels_used} channels" if bt.pooled else "")
            + f". Times in {bt.timezone}."
        )
    )
    if bt.slots:
        for col, slot in zip(st.columns(len(bt.slots)), bt.slots, strict=True):
            col.metric(
                slot.label,
                f"{slot.expected_rate:.2%}",
                help=f"{slot.posts} posts went out in this hour; their plain average was "
                f"{slot.observed_rate:.2%}.",
                border=True,
            )
    else:
        st.info("No measured posts yet, so there is no suggestion.")
    st.altair_chart(heatmap(bt.grid, bt.slots), height=300)
    with st.expander("How this was computed", expanded=True):
        st.markdown(plain(bt.explanation))


def utm_form(ctx: PageContext) -> None:
    """A manager's form for the selected brand's governed UTM naming (the composer builds links with it)."""
    if ctx.brand is None or not ctx.actor.can(Perm.SOP_MANAGE, ctx.brand.id):
        return
    slug = ctx.brand.slug
    with read_session() as session:
        conv = utm.get_conventions(session, ctx.actor, slug)
    with st.expander(f"Brand settings: UTM conventions of {plain(ctx.brand.name)}"):
        with st.form(f"utm_conventions_{slug}"):
            left, right = st.columns(2)
            medium = left.text_input("utm_medium", conv.medium)
            default_campaign = right.text_input(
                "utm_campaign when a link has no campaign", conv.default_campaign
            )
            pattern = left.text_input(
                "Rule every utm_campaign must match (regular expression)", conv.campaign_pattern
            )
            content = right.text_input(
                "utm_content template", conv.content, help="Placeholders: {post_id}, {platform}, {campaign}."
            )
            sources = st.text_area(
                "utm_source per platform (one 'platform=value' a line; a platform not listed uses its name)",
                "\n".join(f"{k}={v}" for k, v in conv.source.items()),
            )
            if st.form_submit_button("Save UTM conventions"):
                perform(
                    lambda s: utm.set_conventions(
                        s,
                        ctx.actor,
                        slug,
                        {
                            "source": utm.sources_from_text(sources),
                            "medium": medium,
                            "campaign_pattern": pattern,
                            "content": content,
                            "default_campaign": default_campaign,
                        },
                    ),
                    f"UTM conventions of {ctx.brand.name} saved.",
                )
