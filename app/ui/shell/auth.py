"""Who is using the app: with an `[auth]` section in secrets.toml, `st.login` (OIDC) gates the app and
the signed-in e-mail maps to a user and their roles; without one, the app runs as one local admin."""

from __future__ import annotations

from typing import Any

import streamlit as st

from app.config import ConfigError, Settings, auth_settings
from app.db import read_session, write_session
from app.models.enums import Role
from app.services.core import Actor
from app.services.org import ensure_local_admin, load_actor
from app.ui.widgets import plain


def auth_section() -> dict[str, Any] | None:
    """The [auth] setting, read from Streamlit's own secrets: the ones st.login reads."""
    try:
        return auth_settings(st.secrets)
    except ConfigError as exc:  # [auth] is there but not a table: say so instead of a traceback
        st.error(f"SocialOps Hub cannot start: {plain(exc)}", icon=":material/error:")
        st.stop()
        raise  # unreachable; st.stop() raises
    except Exception:  # no secrets file at all
        return None


def _providers(section: dict[str, Any]) -> list[str]:
    """Named providers ([auth.google], [auth.microsoft]...); empty when [auth] itself is the provider."""
    return [k for k, v in section.items() if isinstance(v, dict)]


def current_actor(settings: Settings) -> tuple[Actor, bool]:
    """(actor, local_mode). Stops the script with a sign-in or no-access screen when needed."""
    section = auth_section()
    if section is None:
        with read_session() as session:
            actor = load_actor(session, settings.local_admin_email)
        if actor is None or actor.workspace_role != Role.ADMIN:
            with write_session() as session:
                actor = ensure_local_admin(session, settings.local_admin_email)
        return actor, True

    if not st.user.get("is_logged_in"):
        _sign_in_screen(section)
        st.stop()
    email = str(st.user.get("email") or "").strip().lower()
    if st.user.get("email_verified") is False:
        # The provider says the address is not proven to be theirs: it must not pick up someone's role.
        _no_access_screen(email, reason="your identity provider has not verified that e-mail address")
        st.stop()
    with read_session() as session:
        actor = load_actor(session, email) if email else None
    if actor is None:
        _no_access_screen(email)
        st.stop()
    return actor, False


def _sign_in_screen(section: dict[str, Any]) -> None:
    st.title("SocialOps Hub")
    st.write(
        "Sign in with your work account to plan, approve, publish and measure your brands' social media."
    )
    providers = _providers(section)
    if not providers and st.button("Sign in", type="primary", icon=":material/login:"):
        st.login()
    for name in providers:
        if st.button(f"Sign in with {name.capitalize()}", key=f"login_{name}", icon=":material/login:"):
            st.login(name)


def _no_access_screen(email: str, reason: str = "") -> None:
    st.title("SocialOps Hub")
    who = plain(email) if email else "an account without an e-mail address"
    why = reason or (
        "that account has no access to this workspace. Ask an admin to add you in Settings → Users "
        "(or on the server: `python -m app users add EMAIL --role ROLE`)"
    )
    st.warning(f"You are signed in as {who}, but {why}.", icon=":material/lock:")
    if st.button("Sign out", icon=":material/logout:"):
        st.logout()
