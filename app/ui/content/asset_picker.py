"""The composer's media picker: thumbnails of the assets a page passes in and a multiselect of them,
in the order picked. It calls no service; the page passes `assets.usable_assets(...)`."""

from __future__ import annotations

from collections.abc import Sequence

import streamlit as st

from app.services.content import AssetInfo
from app.ui.widgets import Labels

KIND_ICONS = {
    "image": ":material/image:",
    "video": ":material/movie:",
    "document": ":material/description:",
    "audio": ":material/audio_file:",
}
STRIP_COLUMNS = 6


def option_labels(assets: Sequence[AssetInfo]) -> Labels:
    """Picklable labels (session state keeps a widget's format_func): '#12 Hero shot · image'."""
    return Labels({a.id: f"#{a.id} {a.label} · {a.kind.value}" for a in assets})


def thumbnail_strip(assets: Sequence[AssetInfo], columns: int = STRIP_COLUMNS) -> None:
    """Thumbnails with their id and title as plain text (titles are user text); an icon where a kind
    has no thumbnail (video, documents) or the file is missing."""
    for start in range(0, len(assets), columns):
        cols = st.columns(columns)
        for col, a in zip(cols, assets[start : start + columns], strict=False):
            with col:
                if a.thumbnail is not None:
                    st.image(str(a.thumbnail), width="stretch", alt=a.alt_text or a.label)
                else:
                    st.markdown(KIND_ICONS.get(a.kind.value, ":material/draft:"))
                st.text(f"#{a.id} {a.label}")


def pick_assets(assets: list[AssetInfo], key: str, default: Sequence[int] = ()) -> list[int]:
    """The ids picked, in the order picked. Ids in `default` that are no longer offered (archived,
    rights ended) are dropped, and the page says so, so the editor notices before saving."""
    by_id = {a.id: a for a in assets}
    kept = [i for i in default if i in by_id]
    dropped = len([i for i in default if i not in by_id])
    if dropped:
        st.warning(
            f"{dropped} attached asset(s) can no longer be used (archived, rights ended or UGC "
            "permission missing) and are left out.",
            icon=":material/hide_image:",
        )
    if not assets:
        st.caption("No usable assets for this brand yet: upload some on the Assets page.")
        return []
    with st.expander(f"Library ({len(assets)} usable)", expanded=False):
        thumbnail_strip(assets)
    picked: list[int] = st.multiselect(
        "Media",
        list(by_id),
        default=kept,
        format_func=option_labels(assets),
        key=key,
        help="In the order they appear on the post.",
    )
    chosen = [by_id[i] for i in picked if i in by_id]
    if chosen:
        thumbnail_strip(chosen)
    return [a.id for a in chosen]
