"""Publishing controls shared by pages: the "pause all publishing" switches (workspace and per brand),
the banner while a brand is paused, and a post's "Publish now" button with how each channel went out."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from app.db import get_engine, read_session
from app.models.enums import PostStatus
from app.services.core import Actor, Perm
from app.services.publishing import pause as publishing_pause
from app.services.publishing import runs as publishing
from app.services.publishing import status as publishing_views
from app.ui.context import PageContext
from app.ui.widgets import finish, perform, plain


def pause_banner(ctx: PageContext) -> None:
    """A warning on every page while publishing is stopped for a brand in scope (the workspace-wide
    pause has its own banner in app.ui.banners)."""
    if not ctx.brand_ids:
        return
    with read_session() as session:
        state = publishing_pause.pause_state(session, ctx.actor, ctx.brand_ids)
    if state.workspace_paused:
        return
    stopped = [b for b in state.brands if b.publishing_stopped]
    if not stopped:
        return
    names = ", ".join(b.brand for b in stopped[:5]) + (
        f" and {len(stopped) - 5} more" if len(stopped) > 5 else ""
    )
    incidents = sorted({i for b in stopped for i in b.incidents})
    why = f" (open incident: {', '.join(incidents)})" if incidents else ""
    st.warning(f"Publishing is paused for {plain(names)}{plain(why)}.", icon=":material/pause_circle:")


def pause_switches(ctx: PageContext) -> None:
    """The switches, for someone allowed to pause publishing: the workspace first, then each brand."""
    actor = ctx.actor
    if not actor.can_anywhere(Perm.PUBLISHING_PAUSE):
        return
    with read_session() as session:
        state = publishing_pause.pause_state(session, actor, ctx.brand_ids)
    st.subheader("Pause publishing")
    st.caption(
        "The first move in a crisis: nothing is posted while paused (queued posts wait, none are lost). "
        "Every switch is recorded in the audit log."
    )
    reason = st.text_input("Reason (kept in the audit log)", key="pause_reason")
    if actor.can(Perm.PUBLISHING_PAUSE):
        paused = state.workspace_paused
        label = "Resume publishing for every brand" if paused else "Pause all publishing (every brand)"
        if st.button(
            label, type="secondary" if paused else "primary", icon=":material/pause_circle:", key="pause_ws"
        ):
            perform(
                lambda s: publishing_pause.set_workspace_pause(s, actor, not paused, reason),
                "Publishing resumed." if paused else "All publishing is paused.",
            )
    for b in state.brands:
        if not actor.can(Perm.PUBLISHING_PAUSE, b.brand_id):
            continue
        cols = st.columns([3, 2])
        note = f" · held by {', '.join(b.incidents)}" if b.incidents else ""
        cols[0].markdown(f"**{plain(b.brand)}**: {'paused' if b.paused else 'publishing'}{plain(note)}")
        if cols[1].button(
            f"Resume {b.brand}" if b.paused else f"Pause {b.brand}",
            key=f"pause_brand_{b.brand_id}",
            icon=":material/play_circle:" if b.paused else ":material/pause:",
        ):
            perform(
                lambda s, bid=b.brand_id, p=b.paused: publishing_pause.set_brand_pause(
                    s, actor, bid, not p, reason
                ),
                f"Publishing resumed for {b.brand}." if b.paused else f"Publishing paused for {b.brand}.",
            )


def _outcomes_frame(rows: list[publishing_views.VariantOutcome]) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                "channel": r.channel,
                "status": r.status,
                "published": r.published_at,
                "link": r.permalink or None,
                "attempts": r.attempts,
                "last error": r.last_error,
                "next try": r.next_attempt_at,
            }
            for r in rows
        ]
    )


def publish_panel(actor: Actor, post_id: int, brand_id: int, status: PostStatus) -> None:
    """Under a post in the composer: how each channel went out, and "Publish now" for a scheduled post.

    Publish now asks for the right to approve content (approvers, managers, admins), not just to edit:
    it releases the post before the time its approvers signed off on, which is their call to make."""
    if status not in (PostStatus.SCHEDULED, PostStatus.PUBLISHING, PostStatus.PUBLISHED, PostStatus.FAILED):
        return
    with read_session() as session:
        rows = publishing_views.variant_outcomes(session, actor, post_id)
    with st.expander("Publishing", expanded=status in (PostStatus.PUBLISHING, PostStatus.FAILED)):
        st.dataframe(
            _outcomes_frame(rows),
            hide_index=True,
            column_config={
                "link": st.column_config.LinkColumn("link"),
                "published": st.column_config.DatetimeColumn("published", format="D MMM, HH:mm"),
                "next try": st.column_config.DatetimeColumn("next try", format="D MMM, HH:mm"),
            },
        )
        if status == PostStatus.SCHEDULED and actor.can(Perm.CONTENT_APPROVE, brand_id):
            if st.button("Publish now", icon=":material/rocket_launch:", key="publish_now"):
                finish(
                    lambda: publishing.publish_now(get_engine(), actor, post_id),
                    lambda counts: f"Publish now: {counts.summary()}.",
                )
        elif status == PostStatus.SCHEDULED:
            st.caption("Publishing now needs the right to approve content on this brand.")
