"""Assets: the selected brand(s)' image, video and document library with tags and usage rights, as a
thumbnail grid and a table; uploading and rights enforcement come later."""

from pathlib import Path

import streamlit as st

from app.db import read_session
from app.services import assets
from app.ui.components import coming_soon, page_header, table
from app.ui.context import page_context

GRID_COLUMNS = 4
GRID_MAX = 12

ctx = page_context()
page_header("Assets", ctx)

with read_session() as session:
    df = assets.list_assets(session, ctx.actor, ctx.brand_ids)

images = df[(df["kind"] == "image") & df["path"].notna()] if not df.empty else df
images = images[[Path(p).is_file() for p in images["path"]]] if not images.empty else images
if not images.empty:
    st.subheader("Latest images")
    cols = st.columns(GRID_COLUMNS)
    for i, row in enumerate(images.head(GRID_MAX).to_dict("records")):
        with cols[i % GRID_COLUMNS]:
            st.image(row["path"], width="stretch", alt=row["alt text"] or row["title"])
            # Titles and rights come from users and uploads: plain text, never markdown.
            rights = "rights expired" if row["expired"] else row["licence"] or "no licence recorded"
            st.text(f"{row['title']}\n{row['brand']} · {rights}")

st.subheader(f"Library: {len(df)} assets")
table(
    df.drop(columns=["path"]),
    name="assets",
    column_config={
        "rights expire": st.column_config.DatetimeColumn("rights expire", format="D MMM YYYY"),
        "expired": st.column_config.CheckboxColumn("rights expired"),
        "UGC permission": st.column_config.CheckboxColumn("UGC permission"),
    },
)

coming_soon(
    "the asset library",
    [
        "Upload with size and type limits per kind (images, video, documents, audio)",
        "Duplicate detection by content hash: the same file is stored once per brand",
        "Tags, search and filters by kind, tag, rights owner and licence",
        "Rights enforcement: an asset whose rights expired cannot be scheduled, and its posts are flagged",
        "UGC permission recorded with the creator's consent before a reposted photo can be used",
    ],
)
