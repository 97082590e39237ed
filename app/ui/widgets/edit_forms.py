"""Edit forms that stand on the copy they were first filled from: picking the row to change, and its Save
and Delete buttons (Delete behind a tick box). A save after someone else's change then meets the
service's stale-copy refusal instead of silently standing on the newer row; after a save or a delete
(or their refusal) the form is filled again from the stored row."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, TypeVar

import streamlit as st
from sqlalchemy.orm import Session

from app.ui.widgets.actions import perform

T = TypeVar("T")


def loaded_copy(prefix: str, current: T) -> T:
    """The copy this person's form was filled from (fixed when first shown, until saved or refused)."""
    return st.session_state.setdefault(f"{prefix}__loaded", current)  # type: ignore[no-any-return]


def forget(prefix: str) -> None:
    """Fill the form again from the stored row on the next run."""
    st.session_state.pop(f"{prefix}__loaded", None)


def pick_loaded(
    label: str, items: Sequence[Any], describe: Callable[[Any], str], form: str
) -> tuple[str, Any]:
    """The row chosen for editing (a picker keyed `{form}_pick`), as the copy its form was first filled
    from, and that form's key, `{form}_{id}`."""
    by_id = {i.id: i for i in items}
    chosen = st.selectbox(
        label,
        list(by_id),
        format_func={i: describe(item) for i, item in by_id.items()}.get,
        key=f"{form}_pick",
    )
    prefix = f"{form}_{int(chosen)}"
    return prefix, loaded_copy(prefix, by_id[int(chosen)])


def save_or_delete(
    prefix: str,
    noun: str,
    save: Callable[[Session], T],
    saved: Callable[[T], str],
    delete: Callable[[Session], object],
    deleted: str,
    *,
    confirm: str | None = None,
) -> None:
    """The "Save {noun}" and "Delete {noun}" buttons at the foot of the edit form `prefix` (inside its
    st.form); deleting needs the tick box (`confirm`, by default "Yes, delete this {noun}") first."""
    left, right = st.columns(2)
    if left.form_submit_button(f"Save {noun}", icon=":material/save:"):
        perform(save, saved, on_success=lambda _r: forget(prefix), on_error=lambda _e: forget(prefix))
    sure = st.checkbox(confirm or f"Yes, delete this {noun}", key=f"{prefix}_sure")
    if right.form_submit_button(f"Delete {noun}", icon=":material/delete:"):
        if not sure:
            st.error(f"Tick “Yes, delete this {noun}” first; nothing was deleted.")
        else:
            perform(delete, deleted, on_success=lambda _r: forget(prefix), on_error=lambda _e: forget(prefix))
