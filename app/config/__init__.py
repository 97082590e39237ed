"""Settings for the app, the CLI and the jobs: one table (app.config.table) of every setting, read
through app.config.read (environment first, then `.streamlit/secrets.toml`, then the default)."""

from __future__ import annotations

from app.config.parse import ConfigError, mask_url, normalise_database_url, parse_value
from app.config.read import (
    Found,
    Settings,
    SettingsReader,
    auth_settings,
    get_settings,
    load_secrets,
    read_settings,
    secrets_path,
    setting_value,
)
from app.config.table import DEFAULT_DB_FILE, REPO_ROOT, SETTINGS, Setting, setting

__all__ = [
    "DEFAULT_DB_FILE",
    "REPO_ROOT",
    "SETTINGS",
    "ConfigError",
    "Found",
    "Setting",
    "Settings",
    "SettingsReader",
    "auth_settings",
    "get_settings",
    "load_secrets",
    "mask_url",
    "normalise_database_url",
    "parse_value",
    "read_settings",
    "secrets_path",
    "setting",
    "setting_value",
]
