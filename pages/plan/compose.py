"""Compose: write a post once and adapt it per channel, with each platform's rules checked as you type,
a preview per channel, media with alt text, best times from the brand's history, governed UTM links;
then save, submit for approval and schedule (with what still blocks it, in words)."""

import streamlit as st

from app.db import read_session
from app.models.enums import AssetKind, PostStatus
from app.services.content import FROZEN_STATES, composer, post_detail, usable_assets, workflow
from app.services.core import Conflict
from app.ui.content import best_time_panel, composer_form, utm_panel
from app.ui.context import page_context
from app.ui.publishing import publish_panel
from app.ui.widgets import Labels, page_header, perform, plain, show_flash

NEW = 0
ctx = page_context()
page_header("Compose", ctx)
show_flash()

raw = str(st.query_params.get("post", ""))
post_id = int(raw) if raw.isdigit() else None
with read_session() as session:
    view = post_detail.load_post(session, ctx.actor, post_id) if post_id else None
brand_id = view.brand_id if view else (ctx.brand.id if ctx.brand else None)
if brand_id is None:
    st.info("Pick a brand in the sidebar to write a post for it.", icon=":material/storefront:")
    st.stop()
with read_session() as session:
    choices = post_detail.editor_choices(
        session,
        ctx.actor,
        brand_id,
        keep_pillar=view.draft.pillar_id if view else None,
        keep_campaign=view.draft.campaign_id if view else None,
        keep_brief=view.draft.brief_id if view else None,
    )
    assets = usable_assets(session, ctx.actor, brand_id)
    open_posts = post_detail.post_choices(session, ctx.actor, [brand_id])


def _open() -> None:
    chosen = st.session_state["compose_open"]
    if chosen == NEW:
        st.query_params.pop("post", None)
    else:
        st.query_params["post"] = str(chosen)


st.selectbox(
    "Post",
    [NEW, *[i for i, _ in open_posts]],
    index=([NEW, *[i for i, _ in open_posts]].index(post_id) if post_id in dict(open_posts) else 0),
    format_func=Labels({NEW: "+ New post", **dict(open_posts)}),
    key="compose_open",
    on_change=_open,
)
composer_form.load_into_widgets(view, choices, post_id)
if view:
    st.caption(f"{plain(choices.brand_name)} · {view.status.label} · version {view.version}")
read_only = view is not None and view.status in (*FROZEN_STATES, PostStatus.ARCHIVED)
if read_only:
    st.info(f"This post is {view.status.label.lower()}: it can no longer be edited.", icon=":material/lock:")

composer_form.post_fields(choices)
asset_labels = {a.id: f"{a.title or a.filename} ({a.kind.value})" for a in assets}
image_ids = {a.id for a in assets if a.kind == AssetKind.IMAGE}
# Only real thumbnails in the preview: a video or PDF has none (st.image cannot show the file itself).
thumbs = {a.id: str(a.thumbnail) for a in assets if a.thumbnail}
draft = composer_form.current_draft(choices, {i: asset_labels[i] for i in image_ids})

platforms = {c.slug: c.platform for c in choices.channels}
with read_session() as session:
    issues = composer.check_draft(session, brand_id, draft) if draft.variants else {}
if draft.variants:
    tabs = st.tabs(
        [composer_form.tab_label(platforms[v.channel], issues.get(v.channel, [])) for v in draft.variants]
    )
    for tab, variant in zip(tabs, draft.variants, strict=True):
        with tab:
            composer_form.variant_tab(
                variant.channel,
                platforms[variant.channel],
                choices,
                asset_labels,
                image_ids,
                issues.get(variant.channel, []),
                thumbs,
            )
else:
    st.caption("Pick one or more channels to write their versions of the post.")

best_time_panel(ctx.actor, choices)
utm_panel(ctx.actor, choices, post_id)

saved = view is not None and view.draft == draft
status = view.status if view else None
c1, c2, c3, c4 = st.columns(4)
if c1.button("Save", type="primary", icon=":material/save:", disabled=saved or read_only):
    if view is None:
        perform(
            lambda s: composer.create_post(s, ctx.actor, brand_id, draft),
            "Saved as a draft.",
            on_success=lambda result: st.query_params.update(post=str(result.post_id)),
        )
    else:
        perform(
            lambda s: composer.update_post(s, ctx.actor, view.id, draft, composer_form.loaded_version()),
            "Saved.",
            on_success=lambda result: composer_form.saved_as(result.version),
            on_error=lambda exc: (
                composer_form.show_conflict(ctx.actor, view.id, draft, choices)
                if isinstance(exc, Conflict)
                else None
            ),
        )
if status in (PostStatus.IDEA, PostStatus.DRAFT) and c2.button(
    "Submit for approval", icon=":material/send:", disabled=not saved, help=None if saved else "Save first"
):
    perform(lambda s: workflow.submit(s, ctx.actor, view.id), "Submitted for approval.")
if status in (PostStatus.APPROVED, PostStatus.FAILED) and c2.button(
    "Schedule", icon=":material/event_available:", disabled=not saved or bool(view.schedule_blockers)
):
    perform(lambda s: workflow.schedule(s, ctx.actor, view.id), "Scheduled.")
if status == PostStatus.SCHEDULED and c2.button("Unschedule", icon=":material/event_busy:"):
    perform(
        lambda s: workflow.move(s, ctx.actor, view.id, PostStatus.APPROVED),
        "Unscheduled: approved, not queued.",
    )
if status == PostStatus.IN_REVIEW and c3.button("Withdraw from review", icon=":material/undo:"):
    perform(lambda s: workflow.move(s, ctx.actor, view.id, PostStatus.DRAFT, "withdrawn"), "Back to draft.")
if status not in (None, PostStatus.ARCHIVED, PostStatus.PUBLISHING) and c4.button(
    "Archive", icon=":material/archive:"
):
    perform(lambda s: workflow.move(s, ctx.actor, view.id, PostStatus.ARCHIVED), "Archived.")

if view:
    publish_panel(ctx.actor, view.id, view.brand_id, view.status)
if view and view.schedule_blockers and status == PostStatus.APPROVED:
    st.warning("Not ready to schedule:\n" + "\n".join(f"- {plain(b)}" for b in view.schedule_blockers))
if view and view.history:
    with st.expander("History and comments", expanded=status == PostStatus.DRAFT):
        for h in reversed(view.history):
            st.text(f"{h.at:%d %b %Y %H:%M} UTC · {h.who}: {h.what}")
