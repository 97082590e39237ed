"""What every page needs to know about the current run: who is acting, which brands and which dates.

The entrypoint resolves it once per run and stores it in session state (it is a small picklable
dataclass, so `enforceSerializableSessionState` is satisfied); pages read it with `page_context()`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import streamlit as st

from app.services.core import Actor, Perm
from app.services.org import BrandInfo

_KEY = "_page_context"


@dataclass(frozen=True)
class PageContext:
    actor: Actor
    workspace_name: str
    brands: tuple[BrandInfo, ...]  # every brand the actor may see
    brand: BrandInfo | None  # the selected brand; None means "All brands"
    start: date
    end: date  # inclusive
    local_mode: bool
    is_demo: bool

    @property
    def brand_ids(self) -> tuple[int, ...]:
        """The brands in scope: the selected one, or every visible brand."""
        return (self.brand.id,) if self.brand else tuple(b.id for b in self.brands)

    @property
    def scope_label(self) -> str:
        return self.brand.name if self.brand else f"All brands ({len(self.brands)})"

    def can(self, perm: Perm) -> bool:
        """On the selected brand, or (with All brands) on at least one brand."""
        return self.actor.can(perm, self.brand.id) if self.brand else self.actor.can_anywhere(perm)


def set_page_context(ctx: PageContext) -> None:
    st.session_state[_KEY] = ctx


def page_context() -> PageContext:
    ctx = st.session_state.get(_KEY)
    if ctx is None:  # a page file run on its own, outside the entrypoint
        st.error("Open SocialOps Hub through its entrypoint: `streamlit run streamlit_app.py`.")
        st.stop()
    return ctx
