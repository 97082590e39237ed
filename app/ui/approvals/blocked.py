"""The Approvals page's "not yours to decide" list: each post waiting for approval that the viewer
cannot decide, with the reason in place of the decision, and in a local trial the way round the
no-self-approval rule (act as an approver)."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from app.services.approvals import Block, BlockKind
from app.ui.widgets import table

SELF_HINT_LOCAL = (
    "Approvals need another person, so nobody approves their own post. In this local trial you can act as "
    "an approver: pick one under **Act as** in the sidebar, decide, then go back to admin."
)


def blocked_list(blocks: list[Block], *, local_mode: bool) -> None:
    """Nothing when every waiting post is the viewer's to decide."""
    if not blocks:
        return
    # One line, not one row per post, for someone whose role approves nothing there (an editor).
    no_role = [b for b in blocks if b.kind == BlockKind.NO_PERMISSION]
    rest = [b for b in blocks if b.kind != BlockKind.NO_PERMISSION]
    if no_role:
        st.caption(
            f"{len(no_role)} post(s) wait on approvers: your role does not approve content on their brand."
        )
    if not rest:
        return
    st.markdown(f"**Not yours to decide: {len(rest)}**")
    df = pd.DataFrame(
        [(b.post, b.stage, b.reason) for b in rest], columns=["post", "stage", "why you cannot decide"]
    )
    table(df, name="not-yours-to-decide")
    if local_mode and any(b.kind == BlockKind.SELF for b in rest):
        st.info(SELF_HINT_LOCAL, icon=":material/swap_horiz:")
