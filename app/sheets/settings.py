"""The [sheets] settings: the service account, the Sheets endpoint (GOOGLE_SHEETS_API_URL wins) and
the bounds on waiting for Google (request timeout, retries with backoff, an overall time limit)."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any

from app.config import ConfigError, get_settings

GOOGLE_SHEETS_API_URL = "https://sheets.googleapis.com"


@dataclass(frozen=True)
class SheetsSettings:
    api_url: str = GOOGLE_SHEETS_API_URL
    # The service account's JSON key as a mapping; None when the mirror is not set up.
    service_account: dict[str, Any] | None = field(default=None, repr=False)
    timeout_seconds: float = 30.0
    max_attempts: int = 5
    backoff_seconds: float = 1.0
    backoff_max_seconds: float = 16.0
    # One worksheet's sync gives up (and reports) after this long, retries included.
    deadline_seconds: float = 120.0

    @property
    def configured(self) -> bool:
        return bool(self.service_account)

    @property
    def client_email(self) -> str:
        return str((self.service_account or {}).get("client_email", ""))


def _number(section: dict[str, Any], key: str, default: float, minimum: float) -> float:
    raw = os.environ.get(f"SOCIALOPS_SHEETS_{key.upper()}", section.get(key, default))
    try:
        value = float(raw)
    except (TypeError, ValueError):
        raise ConfigError(f"[sheets] {key} must be a number, not {raw!r}") from None
    if value < minimum:
        raise ConfigError(f"[sheets] {key} must be at least {minimum}")
    return value


def load_sheets_settings() -> SheetsSettings:
    """Read now: the environment wins over the secrets file, as for every other setting."""
    section = get_settings().secrets.get("sheets") or {}
    if not isinstance(section, dict):
        raise ConfigError("[sheets] in the secrets file must be a table")
    account = section.get("service_account")
    if account is not None and not isinstance(account, dict):
        raise ConfigError("[sheets.service_account] must be a table (the service account's JSON key)")
    url = (os.environ.get("GOOGLE_SHEETS_API_URL") or section.get("api_url") or GOOGLE_SHEETS_API_URL).strip()
    if not url.startswith(("https://", "http://")):
        raise ConfigError(f"GOOGLE_SHEETS_API_URL must be an http(s) URL, not {url!r}")
    return SheetsSettings(
        api_url=url.rstrip("/"),
        service_account=dict(account) if account else None,
        timeout_seconds=_number(section, "timeout_seconds", 30.0, 0.1),
        max_attempts=int(_number(section, "max_attempts", 5, 1)),
        backoff_seconds=_number(section, "backoff_seconds", 1.0, 0.0),
        backoff_max_seconds=_number(section, "backoff_max_seconds", 16.0, 0.0),
        deadline_seconds=_number(section, "deadline_seconds", 120.0, 0.1),
    )
