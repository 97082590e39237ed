"""The [sheets] settings as one value: the service account, the Sheets endpoint (GOOGLE_SHEETS_API_URL
wins) and the bounds on waiting for Google (request timeout, retries with backoff, an overall time
limit). Each is a row of the settings table (app/config/table.py)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from app.config import read_settings, setting

GOOGLE_SHEETS_API_URL = setting("sheets_api_url").default


@dataclass(frozen=True)
class SheetsSettings:
    api_url: str = GOOGLE_SHEETS_API_URL
    # The service account's JSON key as a mapping; None when the mirror is not set up.
    service_account: dict[str, Any] | None = field(default=None, repr=False)
    timeout_seconds: float = setting("sheets_timeout_seconds").default
    max_attempts: int = setting("sheets_max_attempts").default
    backoff_seconds: float = setting("sheets_backoff_seconds").default
    backoff_max_seconds: float = setting("sheets_backoff_max_seconds").default
    # One worksheet's sync gives up (and reports) after this long, retries included.
    deadline_seconds: float = setting("sheets_deadline_seconds").default

    @property
    def configured(self) -> bool:
        return bool(self.service_account)

    @property
    def client_email(self) -> str:
        return str((self.service_account or {}).get("client_email", ""))


def load_sheets_settings() -> SheetsSettings:
    """Read now: the environment wins over the secrets file, as for every other setting."""
    settings = read_settings()
    return SheetsSettings(
        api_url=settings.value("sheets_api_url"),
        service_account=settings.value("sheets_service_account"),
        timeout_seconds=settings.value("sheets_timeout_seconds"),
        max_attempts=settings.value("sheets_max_attempts"),
        backoff_seconds=settings.value("sheets_backoff_seconds"),
        backoff_max_seconds=settings.value("sheets_backoff_max_seconds"),
        deadline_seconds=settings.value("sheets_deadline_seconds"),
    )
