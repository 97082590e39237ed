"""Act as anyone, in local mode only: the local admin picks a person of the workspace in the sidebar and
the app runs as them (their pages, their permissions in every service, their name in the audit log with
"acted by" the admin) until "Back to admin". The services refuse it once sign-in is configured."""

from __future__ import annotations

import logging

import streamlit as st

from app.db import read_session, write_session
from app.models.enums import Role
from app.services.core import Actor, NotFound, PermissionDenied
from app.services.org import UserInfo, act_as, people_to_act_as, record_acting
from app.ui.widgets import Labels, plain

log = logging.getLogger("socialops.ui")
ACTING_KEY = "act_as_user_id"  # the person acted as (their user id), held for the browser session
PICKER_KEY = "act_as_pick"
MYSELF = 0  # the picker's "Myself" (not None: a select box shows None as "Choose an option")
SEEN_KEY = "act_as_seen"  # whom the previous run ran as


def may_act_as(real_actor: Actor, local_mode: bool) -> bool:
    """Whether to offer the picker at all (the service checks again on every run)."""
    return local_mode and real_actor.kind == "user" and real_actor.workspace_role == Role.ADMIN


def acting_actor(real_actor: Actor, local_mode: bool) -> Actor:
    """The actor this run acts as: the chosen person, or `real_actor` when nobody is chosen (or the
    choice no longer holds: the person left, the store was reset, sign-in was configured)."""
    person_id = st.session_state.get(ACTING_KEY)
    if person_id is None:
        return real_actor
    try:
        with read_session() as session:
            return act_as(session, real_actor, int(person_id), local_mode=local_mode)
    except (NotFound, PermissionDenied) as exc:
        log.info("acting as %s ended: %s", person_id, exc)
        st.session_state.pop(ACTING_KEY, None)
        st.session_state.pop(PICKER_KEY, None)
        return real_actor


def person_changed(actor: Actor) -> bool:
    """True on the first run after the person the app runs as changed (acting started or ended)."""
    seen = st.session_state.get(SEEN_KEY)
    st.session_state[SEEN_KEY] = actor.email
    return seen is not None and seen != actor.email


def role_summary(actor: Actor) -> str:
    """Their workspace role, or their roles on brands for someone with memberships only (a client)."""
    if actor.workspace_role is not None:
        return actor.workspace_role.label.lower()
    roles = sorted({r.label.lower() for r in actor.brand_roles.values()})
    n = len(actor.brand_roles)
    return f"{' / '.join(roles) or 'no role'} on {n} brand{'s' if n != 1 else ''}"


def _person_role(person: UserInfo) -> str:
    if person.role:
        return Role(person.role).label.lower()
    roles = sorted({Role(r).label.lower() for r in person.brand_roles.values()})
    n = len(person.brand_roles)
    return f"{' / '.join(roles)} on {n} brand{'s' if n != 1 else ''}"


def _switch(real_actor: Actor, local_mode: bool, person_id: int | None) -> None:
    with write_session() as session:
        record_acting(session, real_actor, person_id, local_mode=local_mode)
    if person_id is None:
        st.session_state.pop(ACTING_KEY, None)
    else:
        st.session_state[ACTING_KEY] = person_id


def _picked(real_actor: Actor, local_mode: bool) -> None:
    _switch(real_actor, local_mode, st.session_state.get(PICKER_KEY) or None)


def _back(real_actor: Actor, local_mode: bool) -> None:
    st.session_state[PICKER_KEY] = MYSELF
    _switch(real_actor, local_mode, None)


def act_as_picker(real_actor: Actor, local_mode: bool) -> None:
    """The sidebar's "Act as" box for the local admin (nothing for anyone else, or with sign-in)."""
    if not may_act_as(real_actor, local_mode):
        return
    with read_session() as session:
        people = people_to_act_as(session, real_actor, local_mode=local_mode)
    if not people:
        return
    labels = Labels({p.id: f"{p.name} ({_person_role(p)})" for p in people})
    if st.session_state.get(ACTING_KEY) in labels:
        st.session_state.setdefault(PICKER_KEY, st.session_state[ACTING_KEY])
    st.selectbox(
        "Act as",
        [MYSELF, *labels],
        format_func=Labels({MYSELF: "Myself (local admin)", **labels}),
        key=PICKER_KEY,
        on_change=_picked,
        args=(real_actor, local_mode),
        help="Local trial only: use the app as this person (their pages and permissions) to try every "
        "flow, such as approving a post you wrote. The audit log records that you acted for them.",
    )


def acting_banner(actor: Actor, real_actor: Actor, local_mode: bool) -> bool:
    """The notice on every page while the admin acts as someone; True when it was shown."""
    if not actor.acted_by:
        return False
    with st.container(border=True):
        left, right = st.columns([4, 1], vertical_alignment="center")
        left.markdown(
            f":material/swap_horiz: **Acting as {plain(actor.name or actor.email)} ({role_summary(actor)})** "
            f"— back to admin ({plain(actor.acted_by)}) when you are done."
        )
        right.button(
            "Back to admin",
            key="act_as_back",
            icon=":material/undo:",
            on_click=_back,
            args=(real_actor, local_mode),
        )
    return True
