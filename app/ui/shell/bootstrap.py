"""First start: migrate the store and seed the demo workspace, once per database per server, with a
progress bar the first visitor sees. A store that cannot be reached is one clear message."""

from __future__ import annotations

import logging
import threading
from typing import Any

import streamlit as st
from sqlalchemy.exc import OperationalError

from app.config import ConfigError, Settings, get_settings, mask_url
from app.db import get_engine
from app.demo import seed_first_start
from app.services.org import DbState, database_state, prepare_database
from app.ui.widgets import plain

log = logging.getLogger(__name__)


@st.cache_resource(show_spinner=False)
def _setup_guard(database_url: str) -> dict[str, Any]:
    # Shared by every session on this server: the database is prepared once, not per visitor.
    return {"lock": threading.Lock(), "ready": False}


def load_settings() -> Settings:
    try:
        return get_settings()
    except ConfigError as exc:
        st.error(f"SocialOps Hub cannot start: {plain(exc)}", icon=":material/error:")
        st.stop()
        raise  # unreachable; st.stop() raises


def ensure_database(settings: Settings) -> None:
    guard = _setup_guard(settings.database_url)
    if guard["ready"]:
        return
    with guard["lock"]:
        if guard["ready"]:
            return
        try:
            engine = get_engine(settings.database_url)
            if database_state(engine) != DbState.READY:
                _prepare_with_progress(engine, settings)
        except OperationalError as exc:
            log.exception("database unreachable")
            st.error(
                f"Cannot reach the database at {mask_url(settings.database_url)}. "
                f"Check DATABASE_URL and that the server is running. ({type(exc.orig).__name__})",
                icon=":material/database:",
            )
            st.stop()
        except RuntimeError as exc:
            st.error(f"SocialOps Hub cannot use this database: {plain(exc)}", icon=":material/database:")
            st.stop()
        guard["ready"] = True


def _prepare_with_progress(engine: Any, settings: Settings) -> None:
    label = "Setting up SocialOps Hub: creating the database and the demo workspace…"
    with st.status(label, expanded=True) as status:
        bar = st.progress(0.0, text="Starting")
        result = prepare_database(
            engine,
            seed_demo=seed_first_start if settings.demo_on_first_start else None,
            progress=lambda f, m: bar.progress(min(max(f, 0.0), 1.0), text=m),
        )
        done = "Demo workspace ready" if result.seeded_demo else "Database ready"
        status.update(label=done, state="complete", expanded=False)
