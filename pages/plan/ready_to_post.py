"""Ready to post: variants of manual channels (no API access) whose time has come. Copy the text, download
the media, post it on the platform, then record the permalink here; or say why it could not be posted."""

import streamlit as st

from app.db import read_session
from app.services.publishing import manual as publishing_manual
from app.ui.context import page_context
from app.ui.widgets import page_header, perform, plain, show_flash

ctx = page_context()
page_header("Ready to post", ctx, "posts for channels without API access, waiting for a person")
show_flash()

with read_session() as session:
    items = publishing_manual.ready_to_post(session, ctx.actor, ctx.brand_ids)

if not items:
    st.success(
        "Nothing is waiting: every due post of a manual channel has been posted.", icon=":material/done_all:"
    )
    st.stop()

st.caption(f"{len(items)} waiting, oldest first.")
for item in items:
    when = f"{item.scheduled_at:%d %b %H:%M} UTC" if item.scheduled_at else "no time"
    with st.container(border=True):
        st.markdown(
            f"**{plain(item.title)}** · {plain(item.brand)} · {plain(item.platform)} {plain(item.handle)} · "
            f"due {when}"
        )
        if item.paused:
            st.warning(
                "Publishing is paused for this brand: do not post this now.", icon=":material/pause_circle:"
            )
        # st.code shows the text as typed (never as markdown or HTML) and has a copy button.
        st.code(item.text, language=None, wrap_lines=True)
        for i, m in enumerate(item.media):
            label = f"Download {m.filename}" + (f" (alt text: {m.alt_text})" if m.alt_text else "")
            if m.path is None:
                st.error(
                    f"{plain(m.filename)} is missing from the asset store.", icon=":material/broken_image:"
                )
                continue
            st.download_button(
                label,
                data=m.path.read_bytes,  # read on click (a video can be large), not on every rerun
                file_name=m.filename,
                mime=m.mime_type,
                key=f"dl_{item.variant_id}_{i}",
                icon=":material/download:",
            )
        done, failed = st.columns(2)
        with done.form(f"posted_{item.variant_id}", border=False):
            link = st.text_input(
                "Permalink of the post", placeholder="https://…", key=f"link_{item.variant_id}"
            )
            ext = st.text_input("Platform's post id (optional)", key=f"ext_{item.variant_id}")
            if st.form_submit_button("Posted: record it", type="primary", icon=":material/check:"):
                perform(
                    lambda s, v=item.variant_id, link=link, ext=ext: publishing_manual.record_manual_post(
                        s, ctx.actor, v, link, ext
                    ),
                    lambda title: f"Recorded {title!r} as published.",
                )
        with failed.form(f"failed_{item.variant_id}", border=False):
            reason = st.text_input("Could not post it because…", key=f"why_{item.variant_id}")
            if st.form_submit_button("Could not post", icon=":material/block:"):
                perform(
                    lambda s, v=item.variant_id, reason=reason: publishing_manual.could_not_post(
                        s, ctx.actor, v, reason
                    ),
                    lambda title: f"{title!r} marked failed.",
                )
