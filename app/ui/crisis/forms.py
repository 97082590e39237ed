"""What the crisis forms share: an edit form stands on the copy it was first filled from, so a save
after someone else's change meets the service's stale-copy refusal instead of silently standing on
the newer row; after a save (or that refusal) the form is filled again from the stored row."""

from __future__ import annotations

from typing import TypeVar

import streamlit as st

T = TypeVar("T")


def loaded_copy(prefix: str, current: T) -> T:
    """The copy this person's form was filled from (fixed when first shown, until saved or refused)."""
    return st.session_state.setdefault(f"{prefix}__loaded", current)  # type: ignore[no-any-return]


def forget(prefix: str) -> None:
    """Fill the form again from the stored row on the next run."""
    st.session_state.pop(f"{prefix}__loaded", None)
