"""Credentials of connector accounts, resolved at run time from the NAME a channel stores: the environment
first, then the `[connectors]` table of `.streamlit/secrets.toml` (`[tokens]`, the older name, is read
too). Values are never logged or shown."""

from __future__ import annotations

import os
import re

from app.config import ConfigError, load_secrets, secrets_path
from app.connectors.base import PermanentError

SECRETS_TABLES = ("connectors", "tokens")
NAME_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,119}$")


class CredentialMissing(PermanentError):
    """The variable a channel names holds nothing; retrying will not help until someone sets it."""


def _from_secrets(name: str) -> str | None:
    secrets = load_secrets()
    for table_name in SECRETS_TABLES:
        table = secrets.get(table_name)
        stored = table.get(name) if isinstance(table, dict) else None
        if isinstance(stored, str) and stored.strip():
            return stored.strip()
    return None


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
    value = os.environ.get(name)
    if value and value.strip():
        return value.strip()
    try:
        stored = _from_secrets(name)
    except ConfigError as exc:
        raise CredentialMissing(f"credential {name} is not in the environment and {exc}") from None
    if stored:
        return stored
    raise CredentialMissing(
        f'credential {name} is not set: export {name}=... or add {name} = "..." under '
        f"[{SECRETS_TABLES[0]}] in {secrets_path()}"
    )


def credential_source(name: str) -> str | None:
    """Where credential `name` would come from ("environment", "secrets.toml") or None, for health pages."""
    if os.environ.get(name, "").strip():
        return "environment"
    try:
        return "secrets.toml" if _from_secrets(name) else None
    except ConfigError:
        return None
