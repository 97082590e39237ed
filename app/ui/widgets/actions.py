"""Running a change from a page: one write transaction, a clear message on refusal, and on success a
rerun so every table on the page shows the new state (the message survives the rerun as a flash)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

import streamlit as st
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from app.db import write_session
from app.services.core import ServiceError
from app.ui.widgets.text import plain

T = TypeVar("T")
_FLASH = "_flash_message"


def perform(
    action: Callable[[Session], T],
    success: str | Callable[[T], str],
    *,
    rerun: bool = True,
    on_success: Callable[[T], object] | None = None,
    on_error: Callable[[ServiceError], object] | None = None,
) -> T | None:
    """Run `action` in one write transaction (a refusal rolls all of it back). `success` is the message,
    or makes it from the result; `on_success` runs with the result before the rerun (e.g. to put the
    new record's id in the URL)."""

    def in_session() -> T:
        with write_session() as session:
            return action(session)

    return finish(in_session, success, rerun=rerun, on_success=on_success, on_error=on_error)


def finish(
    action: Callable[[], T],
    success: str | Callable[[T], str],
    *,
    rerun: bool = True,
    on_success: Callable[[T], object] | None = None,
    on_error: Callable[[ServiceError], object] | None = None,
) -> T | None:
    """Run `action` (which manages its own transactions) and report the outcome; `on_error` may show
    more than the message (e.g. both versions after a conflict)."""
    try:
        result = action()
    except ServiceError as exc:
        st.error(plain(exc), icon=":material/error:")
        if on_error is not None:
            on_error(exc)
        return None
    except StaleDataError:
        st.error("Someone else changed this record meanwhile; nothing was overwritten. Reload and try again.")
        return None
    st.cache_data.clear()
    if on_success is not None:
        on_success(result)
    if callable(success):
        success = success(result)
    if rerun:
        st.session_state[_FLASH] = success
        st.rerun()
    st.success(plain(success), icon=":material/check_circle:")
    return result


def show_flash() -> None:
    """Show (once) the message of the change that caused this rerun. Its slot is there on every run,
    message or not: an element appearing above st.tabs would shift the tabs' place on the page, and
    Streamlit would then reopen them on the first tab, throwing the person off the tab they were on."""
    slot = st.empty()
    message = st.session_state.pop(_FLASH, None)
    if message:
        slot.success(plain(message), icon=":material/check_circle:")
