"""How the Assets page shows the library: the thumbnail grid, the table, one asset's preview and the
outcome of an upload batch. User text (titles, tags, rights) is shown with st.text or in tables only."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pandas as pd
import streamlit as st

from app.services.content import AssetInfo, UploadOutcome, human_size
from app.ui.content.asset_picker import KIND_ICONS
from app.ui.widgets import table

GRID_COLUMNS = 4
GRID_MAX = 24
PREVIEW_VIDEO_MAX = 50 * 1024 * 1024  # larger videos are not pushed to the browser just to preview
OUTCOME_LABELS = {"added": "added", "duplicate": "already in the library", "refused": "refused"}


def day_in(moment: datetime, timezone: str) -> date:
    """The calendar day in the brand's time zone (the one an expiry date is entered in)."""
    return moment.astimezone(ZoneInfo(timezone)).date()


def rights_text(a: AssetInfo, timezone: str) -> str:
    """One line on whether the asset may be used, e.g. 'rights expired 3 Oct 2026 · archived'."""
    parts = []
    if a.rights_expire_at is not None:
        d = day_in(a.rights_expire_at, timezone)
        when = f"{d.day} {d:%b %Y}"
        parts.append(f"rights expired {when}" if a.expired else f"rights until {when}")
        if a.expiring:
            parts.append("expiring soon")
    else:
        parts.append(a.licence or "no licence recorded")
    if a.needs_ugc_permission:
        parts.append("UGC without permission")
    if a.archived:
        parts.append("archived")
    return " · ".join(parts)


def outcome_frame(outcomes: Sequence[UploadOutcome]) -> pd.DataFrame:
    return pd.DataFrame(
        [{"file": o.filename, "result": OUTCOME_LABELS[o.status], "detail": o.message} for o in outcomes],
        columns=["file", "result", "detail"],
    )


def outcome_summary(outcomes: Sequence[UploadOutcome]) -> str:
    counts = {s: sum(o.status == s for o in outcomes) for s in OUTCOME_LABELS}
    return (
        f"{counts['added']} added, {counts['duplicate']} already in the library, {counts['refused']} refused."
    )


def show_outcomes(outcomes: Sequence[UploadOutcome]) -> None:
    refused = any(o.status == "refused" for o in outcomes)
    (st.warning if refused else st.success)(outcome_summary(outcomes))
    st.dataframe(outcome_frame(outcomes), hide_index=True)


def library_frame(rows: Sequence[AssetInfo]) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                "id": a.id,
                "title": a.label,
                "brand": a.brand,
                "filename": a.filename,
                "kind": a.kind.value,
                "size": human_size(a.size_bytes),
                "pixels": f"{a.width} × {a.height}" if a.width and a.height else "",
                "alt text": a.alt_text,
                "tags": ", ".join(a.tags),
                "rights owner": a.rights_owner,
                "licence": a.licence,
                "UGC permission": a.ugc_permission,
                "rights expire": a.rights_expire_at,
                "expired": a.expired,
                "used by": a.used_by,
                "archived": a.archived,
            }
            for a in rows
        ]
    )


def _icon(a: AssetInfo) -> None:
    st.markdown(KIND_ICONS.get(a.kind.value, ":material/draft:"))


def asset_grid(found: Sequence[AssetInfo], zones: Mapping[int, str]) -> None:
    """The newest assets as cards: thumbnail (or an icon), then title, brand, kind, size and rights."""
    cols = st.columns(GRID_COLUMNS)
    for i, a in enumerate(found[:GRID_MAX]):
        with cols[i % GRID_COLUMNS]:
            if a.thumbnail is not None:
                st.image(str(a.thumbnail), width="stretch", alt=a.alt_text or a.label)
            else:
                _icon(a)
            st.text(f"#{a.id} {a.label}\n{a.brand} · {a.kind.value} · {human_size(a.size_bytes)}")
            st.text(rights_text(a, zones.get(a.brand_id, "UTC")))
    if len(found) > GRID_MAX:
        st.caption(f"The grid shows the newest {GRID_MAX}; narrow the filters, or see all in the table.")


def library_table(found: Sequence[AssetInfo]) -> None:
    table(
        library_frame(found),
        name="assets",
        column_config={
            "rights expire": st.column_config.DatetimeColumn("rights expire", format="D MMM YYYY"),
            "expired": st.column_config.CheckboxColumn("rights expired"),
            "UGC permission": st.column_config.CheckboxColumn("UGC permission"),
            "archived": st.column_config.CheckboxColumn("archived"),
        },
    )


def asset_preview(a: AssetInfo, timezone: str) -> None:
    """The file itself where that is cheap (images, small videos), then its facts."""
    present = a.path is not None and a.path.is_file()
    if a.kind.value == "image" and present:
        st.image(str(a.path), width="stretch", alt=a.alt_text or a.label)
    elif a.kind.value == "video" and present and a.size_bytes <= PREVIEW_VIDEO_MAX:
        st.video(str(a.path))
    else:
        _icon(a)
    facts = [a.filename, a.mime, human_size(a.size_bytes)]
    if a.width and a.height:
        facts.append(f"{a.width} × {a.height} px")
    if not present:
        facts.append("the file is missing from the data folder")
    facts.append(f"used by {a.used_by} post variant(s)")
    facts.append(rights_text(a, timezone))
    st.text("\n".join(facts))
