"""Credentials of connector accounts, resolved at run time from the NAME a channel stores, through the
settings table's open-ended `connector_credential`: the environment variable NAME first, then NAME in
the `[connectors]` table of `.streamlit/secrets.toml` (`[tokens]`, the older name, is read too). Values
are never logged or shown."""

from __future__ import annotations

import re

from app.config import ConfigError, Found, read_settings, secrets_path, setting
from app.connectors.base import PermanentError

CREDENTIAL = "connector_credential"
NAME_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,119}$")


class CredentialMissing(PermanentError):
    """The variable a channel names holds nothing; retrying will not help until someone sets it."""


def resolve_credential(name: str) -> str:
    """The value of credential `name`; CredentialMissing naming the variable (never a value) otherwise."""
    name = (name or "").strip()
    if not name:
        raise CredentialMissing("no credential variable is set for this channel (channels add --token-env)")
    if not NAME_RE.match(name):
        # Not echoed: what was typed where a variable name belongs may be the token itself.
        raise CredentialMissing(
            "the channel's credential setting is not a variable name (e.g. MASTODON_TOKEN)"
        )
    try:
        found = _lookup(name)
    except ConfigError as exc:
        raise CredentialMissing(f"credential {name} is not in the environment and {exc}") from None
    if found is not None and found.value:
        return str(found.value)
    section, _ = setting(CREDENTIAL).secrets_for(name)[0]
    raise CredentialMissing(
        f'credential {name} is not set: export {name}=... or add {name} = "..." under '
        f"[{section}] in {secrets_path()}"
    )


def credential_source(name: str) -> str | None:
    """Where credential `name` would come from ("environment", "secrets.toml") or None, for health pages."""
    try:
        found = _lookup(name)
    except ConfigError:
        return None
    return found.source if found is not None and found.value else None


def _lookup(name: str) -> Found | None:
    return read_settings().lookup(CREDENTIAL, name)
