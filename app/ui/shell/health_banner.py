"""The red banner on every page for the people who can fix things (they manage connections): a broken
connection, an expired token, or a job that has not succeeded on time. Cached for a minute per person,
so it costs a dictionary lookup on most page runs."""

from __future__ import annotations

import logging

import streamlit as st

from app.db import get_engine, read_session
from app.services import ops
from app.services.core import Actor
from app.services.ops import Problem, timings
from app.ui.context import PageContext
from app.ui.widgets import plain

log = logging.getLogger("socialops.ui")
TTL_SECONDS = 60
SHOWN = 5  # connections listed by name; the rest are counted


@st.cache_data(ttl=TTL_SECONDS, show_spinner=False)
def _problems(db: str, who: tuple, _actor: Actor) -> list[Problem]:
    # Keyed on the store and the person's roles (small, hashable); the Actor itself rides along unhashed.
    with read_session() as session:
        return ops.problems_for_banner(session, _actor, timings())


def _key(actor: Actor) -> tuple:
    return (actor.email, actor.workspace_role, tuple(sorted(actor.brand_roles.items())))


def clear() -> None:
    """Forget the cached problems (after a "Check now" or anything else that changes health)."""
    _problems.clear()


def show_health_banner(ctx: PageContext) -> None:
    if not ops.banner_audience(ctx.actor):
        return
    try:
        problems = _problems(
            get_engine().url.render_as_string(hide_password=True), _key(ctx.actor), ctx.actor
        )
    except Exception:  # the banner reports problems; it must never become one
        log.exception("health banner: could not read connection and job health")
        return
    if not problems:
        return
    broken = [p for p in problems if p.kind == "connection"]
    late = [p for p in problems if p.kind == "job"]
    lines = [f"- **{plain(p.subject)}**: {plain(p.detail)}" for p in broken[:SHOWN]]
    if len(broken) > SHOWN:
        lines.append(f"- … and {len(broken) - SHOWN} more connection(s)")
    if late:  # one line: the jobs share a cause more often than not (the runner is down)
        lines.append("- Jobs: " + "; ".join(f"**{plain(p.subject)}** {plain(p.detail)}" for p in late))
    head = " and ".join(
        part
        for part in (
            f"{len(broken)} connection(s) need attention" if broken else "",
            f"{len(late)} job(s) need attention" if late else "",
        )
        if part
    )
    st.error(f"**{head}**: see Admin → Jobs & connections.\n\n" + "\n".join(lines), icon=":material/error:")
