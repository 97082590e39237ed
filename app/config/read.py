"""Reading settings: the environment first, then `.streamlit/secrets.toml`, then the table's default.

A `SettingsReader` parses the secrets file at most once (and only when a setting is not in the
environment), so a page or a job reads a whole section from one snapshot. Secrets live only in the
environment or the secrets file; nothing here writes them back or puts a secret's value in a message.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from app.config.parse import ConfigError, blank, parse_value
from app.config.table import DEFAULT_DB_FILE, setting

Source = Literal["environment", "secrets.toml"]


def secrets_path() -> Path:
    # The secrets file's own location comes from the environment only (it cannot be in itself).
    return SettingsReader({}).value("secrets_file")


def load_secrets(path: Path | None = None) -> dict[str, Any]:
    """The parsed secrets file, or {} when there is none. A broken file is a ConfigError, not a traceback."""
    path = path or secrets_path()
    if not path.exists():
        return {}
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path} is not valid TOML: {exc}") from None


@dataclass(frozen=True)
class Found:
    value: Any
    where: str  # the environment variable or `[section] key` it came from, for messages
    source: Source


class SettingsReader:
    """Settings as configured now. `secrets`: the parsed secrets file to use (a test's, or Streamlit's own
    st.secrets for [auth]); by default the file is read when first needed."""

    def __init__(self, secrets: Mapping[str, Any] | None = None) -> None:
        self._secrets = secrets

    @property
    def secrets(self) -> Mapping[str, Any]:
        if self._secrets is None:
            self._secrets = load_secrets()
        return self._secrets

    def lookup(self, name: str, key: str | None = None) -> Found | None:
        """Where setting `name` (one of a family: `key` names the job or the credential) is set and its
        parsed value, or None when it is not set anywhere. A bad value is a ConfigError naming it."""
        spec = setting(name)
        env = spec.env_for(key)
        if env is not None:
            raw = os.environ.get(env)
            if not blank(raw):
                return Found(parse_value(spec.parser, raw, env, secret=spec.secret), env, "environment")
        for section, item in spec.secrets_for(key):
            raw = self._from_file(section, item)
            if not blank(raw):
                where = f"[{section}]" if item is None else f"[{section}] {item}"
                return Found(parse_value(spec.parser, raw, where, secret=spec.secret), where, "secrets.toml")
        return None

    def value(self, name: str, key: str | None = None) -> Any:
        """The setting's value: as configured, else the table's default."""
        found = self.lookup(name, key)
        return setting(name).default if found is None else found.value

    def _from_file(self, section: str, item: str | None) -> Any:
        node: Any = self.secrets
        parts = section.split(".")
        for depth, part in enumerate(parts):
            if depth and not isinstance(node, Mapping):
                raise ConfigError(f"[{'.'.join(parts[:depth])}] in secrets.toml must be a table")
            node = node.get(part)
            if node is None:
                return None
        if item is None:
            return node
        if not isinstance(node, Mapping):
            raise ConfigError(f"[{section}] in secrets.toml must be a table")
        return node.get(item)


def read_settings(secrets: Mapping[str, Any] | None = None) -> SettingsReader:
    return SettingsReader(secrets)


def setting_value(name: str, key: str | None = None) -> Any:
    """One setting now; to read several, take one `read_settings()` so the file is parsed once."""
    return SettingsReader().value(name, key)


def auth_settings(streamlit_secrets: Mapping[str, Any]) -> dict[str, Any] | None:
    """The [auth] table, or None when sign-in is off. It is read from Streamlit's own secrets, the ones
    st.login reads (SOCIALOPS_SECRETS_FILE does not move them), which the app passes in."""
    return SettingsReader(streamlit_secrets).value("auth")


@dataclass(frozen=True)
class Settings:
    """What the app, the CLI and the jobs need to start: the store, the data folder, the first user."""

    database_url: str
    data_dir: Path
    demo_on_first_start: bool = True
    local_admin_email: str = "admin@localhost"


def get_settings() -> Settings:
    """Read the settings now (cheap): environment variables win over the secrets file."""
    settings = SettingsReader()
    data_dir = settings.value("data_dir")
    url = settings.value("database_url") or f"sqlite:///{data_dir / DEFAULT_DB_FILE}"
    return Settings(
        database_url=url,
        data_dir=data_dir,
        demo_on_first_start=settings.value("demo_on_first_start"),
        local_admin_email=settings.value("local_admin_email"),
    )
