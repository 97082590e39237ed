"""Briefs: the standard content brief (audience, objective, key messages, technical specs, success
metrics, due date), the posts each brief has produced, and turning a brief into posts."""

import streamlit as st

from app.db import read_session
from app.models.enums import BriefStatus
from app.services.content import BriefFields, briefs, post_detail
from app.services.core import clock
from app.ui.context import page_context
from app.ui.widgets import Labels, page_header, perform, plain, show_flash, table

NEW = 0
ctx = page_context()
page_header("Briefs", ctx, "open briefs and those due in the period")
show_flash()

with read_session() as session:
    df = briefs.list_briefs(session, ctx.actor, ctx.brand_ids, ctx.start, ctx.end)
    open_briefs = briefs.brief_choices(session, ctx.actor, ctx.brand_ids)

if not df.empty:
    cols = st.columns(3)
    cols[0].metric("Briefs", len(df), border=True)
    cols[1].metric("Posts produced", int(df["posts"].sum()), border=True)
    cols[2].metric("Briefs without posts yet", int((df["posts"] == 0).sum()), border=True)
table(
    df,
    name="briefs",
    column_config={
        "due": st.column_config.DateColumn("due", format="D MMM YYYY"),
        "objective": st.column_config.TextColumn("objective", width="large"),
    },
)

st.subheader("Write or edit a brief")
chosen = st.selectbox(
    "Brief",
    [NEW, *[i for i, _ in open_briefs]],
    key="brief_pick",
    format_func=Labels({NEW: "+ New brief", **dict(open_briefs)}),
)
with read_session() as session:
    detail = briefs.get_brief(session, ctx.actor, chosen) if chosen else None
brand_id = detail.brand_id if detail else (ctx.brand.id if ctx.brand else None)
if brand_id is None:
    st.info("Pick a brand in the sidebar to write a new brief for it.", icon=":material/storefront:")
    st.stop()
with read_session() as session:
    f = detail.fields if detail else BriefFields(title="")
    choices = post_detail.editor_choices(
        session, ctx.actor, brand_id, keep_pillar=f.pillar_id, keep_campaign=f.campaign_id
    )

with st.form(f"brief_{chosen}_{detail.version if detail else 0}"):
    title = st.text_input("Title", f.title)
    c1, c2, c3 = st.columns(3)
    campaigns, pillars = {NEW: "—", **dict(choices.campaigns)}, {NEW: "—", **dict(choices.pillars)}
    campaign = c1.selectbox(
        "Campaign",
        list(campaigns),
        index=list(campaigns).index(f.campaign_id or NEW),
        format_func=Labels(campaigns),
    )
    pillar = c2.selectbox(
        "Content pillar",
        list(pillars),
        index=list(pillars).index(f.pillar_id or NEW),
        format_func=Labels(pillars),
    )
    due = c3.date_input("Due", f.due_date or clock.today())
    audience = st.text_area(
        "Audience", f.audience, help="Who it is for: segment, market, language, what they care about."
    )
    objective = st.text_area(
        "Objective", f.objective, help="What it should achieve, tied to the campaign objective."
    )
    messages = st.text_area(
        "Key messages", f.key_messages, help="Becomes the master copy of the posts it produces."
    )
    specs = st.text_area(
        "Technical specs", f.technical_specs, help="Formats, sizes, durations, channels, captions."
    )
    metrics = st.text_area(
        "Success metrics", f.success_metrics, help="How we will know it worked (from the KPI dictionary)."
    )
    statuses = [s.value for s in BriefStatus]
    status = st.selectbox("Status", statuses, index=statuses.index(f.status), format_func=str.capitalize)
    if st.form_submit_button("Save brief", type="primary"):
        fields = BriefFields(
            title,
            audience,
            objective,
            messages,
            specs,
            metrics,
            due,
            campaign or None,
            pillar or None,
            status,
        )
        if detail is None:
            perform(lambda s: briefs.create_brief(s, ctx.actor, brand_id, fields), f"Brief {title!r} saved.")
        else:
            perform(
                lambda s: briefs.update_brief(s, ctx.actor, detail.id, fields, detail.version), "Brief saved."
            )

if detail:
    st.subheader("Posts from this brief")
    for pid, ptitle, pstatus in detail.posts:
        st.page_link(
            "pages/plan/compose.py",
            label=f"{plain(ptitle)} · {pstatus}",
            query_params={"post": str(pid)},
            icon=":material/edit_note:",
        )
    with st.form(f"brief_posts_{detail.id}", clear_on_submit=True):
        titles = st.text_area(
            "New posts, one title per line", placeholder="Launch teaser\nLaunch day carousel"
        )
        if st.form_submit_button("Create the posts"):
            perform(
                lambda s: briefs.posts_from_brief(s, ctx.actor, detail.id, titles.splitlines()),
                "Posts created as ideas; write their channel versions in Compose.",
            )
