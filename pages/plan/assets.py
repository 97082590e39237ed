"""Assets: upload files to a brand's library (checked, deduplicated, thumbnailed), find them by text,
tag, kind and rights status, and edit one asset's metadata, tags and rights, archive or delete it."""

from __future__ import annotations

import streamlit as st

from app.db import read_session
from app.services.content import media as assets
from app.services.core import Perm, clock
from app.ui.content import asset_grid, asset_preview, day_in, library_table, option_labels, show_outcomes
from app.ui.context import page_context
from app.ui.widgets import Labels, coming_soon, page_header, perform, plain, show_flash

RESULTS_KEY = "_asset_upload_results"
UPLOADER_ROUND = "_asset_uploader_round"
RIGHTS_LABELS = Labels(
    {"any": "Any rights", "valid": "Usable now", "expiring": "Expiring in 30 days", "expired": "Expired"}
)
KIND_OPTIONS = ["any", "image", "video", "document", "audio"]

ctx = page_context()
page_header("Assets", ctx)
show_flash()
limits = assets.upload_limits()
zones = {b.id: b.timezone for b in ctx.brands}
editable = [b for b in ([ctx.brand] if ctx.brand else ctx.brands) if ctx.actor.can(Perm.CONTENT_EDIT, b.id)]

# --- upload -------------------------------------------------------------------------------------
st.subheader("Upload")
done = st.session_state.pop(RESULTS_KEY, None)
if done:
    show_outcomes(done)
if not editable:
    st.caption("You cannot add assets to this brand.")
else:
    target = editable[0]
    if len(editable) > 1:
        slug = st.selectbox(
            "Brand to upload to",
            [b.slug for b in editable],
            format_func=Labels({b.slug: b.name for b in editable}),
            key="asset_upload_brand",
        )
        target = next(b for b in editable if b.slug == slug)
    st.caption("Accepted: " + "; ".join(limits.describe()) + ". The same file twice is stored once.")
    files = st.file_uploader(
        "Files",
        type=limits.extensions,
        accept_multiple_files=True,
        # A new key after each batch, so the uploader starts empty again.
        key=f"asset_upload_{st.session_state.get(UPLOADER_ROUND, 0)}",
        max_upload_size=max(1, -(-max(limits.max_bytes.values()) // (1024 * 1024))),
    )
    c1, c2, c3 = st.columns(3)
    up_tags = c1.text_input("Tags", placeholder="product shot, lifestyle", key="asset_upload_tags")
    up_owner = c2.text_input("Rights owner", key="asset_upload_owner")
    up_licence = c3.text_input("Licence", key="asset_upload_licence")
    up_ugc = c1.checkbox("Creator's permission recorded (UGC)", key="asset_upload_ugc")
    up_expires = c2.checkbox("Rights expire", key="asset_upload_expires")
    up_until = c3.date_input("on", key="asset_upload_until", disabled=not up_expires)
    if st.button(
        f"Add {len(files or [])} file(s) to {target.name}",
        type="primary",
        disabled=not files,
        key="asset_upload_go",
        icon=":material/upload:",
    ):
        with st.status(f"Adding {len(files)} file(s)…", expanded=True) as status:
            bar = st.progress(0.0)

            def progress(n: int, total: int, name: str) -> None:
                bar.progress(n / total if total else 1.0, text=plain(name) if name else "done")

            outcomes = assets.add_files(
                ctx.actor,
                target.slug,
                [(f.name, f.getvalue()) for f in files],
                on_progress=progress,
                tags=up_tags,
                rights_owner=up_owner,
                licence=up_licence,
                ugc_permission=up_ugc,
                rights_expire_at=up_until if up_expires else None,
            )
            status.update(label="Files processed", state="complete")
        st.cache_data.clear()
        st.session_state[RESULTS_KEY] = outcomes
        st.session_state[UPLOADER_ROUND] = st.session_state.get(UPLOADER_ROUND, 0) + 1
        st.rerun()

# --- library ------------------------------------------------------------------------------------
with read_session() as session:
    tag_choices = assets.asset_tag_names(session, ctx.actor)
f1, f2, f3, f4 = st.columns([3, 3, 2, 2])
text = f1.text_input("Search", placeholder="title, file name or alt text", key="asset_text")
tags = f2.multiselect("Tags", tag_choices, key="asset_tags")
kind = f3.selectbox("Kind", KIND_OPTIONS, format_func=Labels({"any": "Any kind"}), key="asset_kind")
rights = f4.selectbox("Rights", list(RIGHTS_LABELS), format_func=RIGHTS_LABELS, key="asset_rights")
archived = st.toggle("Show archived assets", key="asset_archived")
with read_session() as session:
    found = assets.search_assets(
        session,
        ctx.actor,
        ctx.brand_ids,
        text=text,
        tags=tags,
        kind=None if kind == "any" else kind,
        rights=rights,
        include_archived=archived,
    )

st.subheader(f"Library: {len(found)} assets")
st.caption(
    f"{sum(a.expiring for a in found)} with rights expiring within 30 days, "
    f"{sum(a.expired for a in found)} expired."
)
asset_grid(found, zones)
library_table(found)

# --- one asset ----------------------------------------------------------------------------------
if found:
    st.subheader("Edit an asset")
    by_id = {a.id: a for a in found}
    picked = st.selectbox("Asset", list(by_id), format_func=option_labels(found), key="asset_pick")
    a = by_id[picked]
    tz = zones.get(a.brand_id, "UTC")
    left, right = st.columns([1, 2])
    with left:
        asset_preview(a, tz)
    # Keyed by version: after a save the form starts from what was stored.
    with right, st.form(f"asset_edit_{a.id}_{a.version}"):
        title = st.text_input("Title", a.title)
        alt = st.text_area(
            "Alt text", a.alt_text, help="What the image shows, for people using screen readers."
        )
        tag_text = st.text_input(
            "Tags", ", ".join(a.tags), help="Comma-separated. Tag user-generated content 'ugc'."
        )
        owner = st.text_input("Rights owner", a.rights_owner)
        licence = st.text_input("Licence", a.licence)
        ugc = st.checkbox("Creator's permission recorded (UGC)", a.ugc_permission)
        has_end = st.checkbox("Rights expire", a.rights_expire_at is not None)
        end = st.date_input(
            "Rights expire on (not usable from that day)",
            day_in(a.rights_expire_at, tz) if a.rights_expire_at else clock.today(),
        )
        if st.form_submit_button("Save", type="primary"):
            perform(
                lambda s: assets.update_asset(
                    s,
                    ctx.actor,
                    a.id,
                    expected_version=a.version,
                    title=title,
                    alt_text=alt,
                    tags=tag_text,
                    rights_owner=owner,
                    licence=licence,
                    ugc_permission=ugc,
                    rights_expire_at=end if has_end else None,
                ),
                f"Saved '{title or a.filename}'.",
            )
    b1, b2, _ = st.columns([1, 1, 3])
    if a.archived:
        if b1.button("Restore", key="asset_restore", icon=":material/unarchive:"):
            perform(
                lambda s: assets.archive_asset(s, ctx.actor, a.id, archived=False), f"Restored '{a.label}'."
            )
    elif b1.button("Archive", key="asset_archive", icon=":material/archive:"):
        perform(lambda s: assets.archive_asset(s, ctx.actor, a.id), f"Archived '{a.label}'.")
    if b2.button(
        "Delete",
        key="asset_delete",
        icon=":material/delete:",
        disabled=a.used_by > 0,
        help="Posts use this asset: archive it instead." if a.used_by else "Delete the asset and its file.",
    ):
        perform(lambda s: assets.delete_asset(s, ctx.actor, a.id), f"Deleted '{a.label}'.")

coming_soon(
    "more for the asset library",
    [
        "Video duration and a poster frame for videos",
        "Which posts use an asset, with links to them",
        "A reminder before an asset's rights expire",
    ],
)
