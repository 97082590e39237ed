"""Running a page so that a failure reads as a message, not a traceback: permission and input errors
are shown as they are; anything unexpected is logged with a reference the user can quote."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import streamlit as st
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm.exc import StaleDataError

from app.services.core import PermissionDenied, ServiceError
from app.ui.widgets import plain

log = logging.getLogger("socialops.pages")

# Tests look for this text to prove no page failed behind a friendly message.
UNEXPECTED_ERROR_PREFIX = "Something went wrong on this page"


@contextmanager
def database_unavailable_stops_here() -> Iterator[None]:
    """Around the entrypoint's own reads: a database that stopped answering (a restart, a failover) is
    one calm message, and the next rerun reconnects (pool_pre_ping)."""
    try:
        yield
    except OperationalError:
        log.exception("database error in the entrypoint")
        st.error("The database did not answer. Try again in a moment.", icon=":material/database:")
        st.stop()


def run_page(page: st.Page) -> None:  # type: ignore[valid-type]
    try:
        page.run()
    except PermissionDenied as exc:
        st.warning(f"Not allowed: {plain(exc)}", icon=":material/lock:")
    except ServiceError as exc:
        st.error(plain(exc), icon=":material/error:")
    except StaleDataError:
        st.error(
            "Someone else saved this record while you were editing it; nothing was overwritten. "
            "Reload the page to see their version.",
            icon=":material/sync_problem:",
        )
    except OperationalError:
        log.exception("database error while rendering a page")
        st.error("The database did not answer. Try again in a moment.", icon=":material/database:")
    except Exception:
        ref = uuid.uuid4().hex[:8]
        log.exception("page failed (reference %s)", ref)
        st.error(
            f"{UNEXPECTED_ERROR_PREFIX} (reference {ref}). The details are in the server log; "
            "please pass the reference on to your admin.",
            icon=":material/error:",
        )
