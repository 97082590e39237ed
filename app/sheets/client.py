"""The Sheets API through gspread: a service account from the settings (`service_account_from_dict`), the
endpoint moved when GOOGLE_SHEETS_API_URL points elsewhere, every HTTP request counted, and 429/5xx
answers retried with bounded exponential backoff inside an overall time limit, then reported."""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, MutableMapping
from functools import partial
from typing import Any

import gspread
import requests
from google.auth import exceptions as auth_errors
from gspread.exceptions import APIError
from gspread.http_client import HTTPClient

from app.services.core import ServiceError
from app.sheets.settings import GOOGLE_SHEETS_API_URL, SheetsSettings, load_sheets_settings

# The sync reads and writes cells only: no Drive scope (spreadsheets are opened by key).
SCOPES = ["https://www.googleapis.com/auth/spreadsheets"]
RETRY_STATUSES = frozenset({500, 502, 503, 504})


class SheetsError(ServiceError):
    """The sync could not talk to Google Sheets; the message says what to do."""


class SheetsNotConfigured(SheetsError):
    pass


class SheetsUnavailable(SheetsError):
    """Google kept answering 429/5xx (or not at all) until the retries or the time limit ran out."""


def _idempotent(method: str, url: str) -> bool:
    """Whether sending the request twice does no harm: reads and value writes (same cells, same values)
    are; structural changes (adding a tab) and appends are not, so an answer lost to a 5xx or a
    timeout is not retried blindly (a 429 means Google did nothing, so that is always retried)."""
    if method.lower() in ("get", "put"):
        return True
    path = url.split("?", 1)[0]
    return "/values" in path and not path.endswith(":append")


class SheetsHTTPClient(HTTPClient):
    """gspread's HTTP client with the endpoint, the counting, the retries and the deadline."""

    def __init__(
        self,
        auth: Any,
        session: requests.Session | None = None,
        *,
        settings: SheetsSettings,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        super().__init__(auth, session)
        self.settings = settings
        self.set_timeout(settings.timeout_seconds)
        self._sleep, self._clock = sleep, clock
        self._deadline: float | None = None
        # Every HTTP request sent (retries included): (method, path).
        self.calls: list[tuple[str, str]] = []
        self.retries = 0

    def start_deadline(self, seconds: float | None = None) -> None:
        """From now on, give up once `seconds` (default: the settings' deadline) have passed."""
        self._deadline = self._clock() + (seconds if seconds is not None else self.settings.deadline_seconds)

    def _url(self, endpoint: str) -> str:
        base = self.settings.api_url
        if base != GOOGLE_SHEETS_API_URL and endpoint.startswith(GOOGLE_SHEETS_API_URL):
            return base + endpoint[len(GOOGLE_SHEETS_API_URL) :]
        return endpoint

    def _give_up(self, attempts: int, started: float, last: str) -> SheetsUnavailable:
        return SheetsUnavailable(
            f"Google Sheets did not answer usefully after {attempts} attempt(s) in "
            f"{self._clock() - started:.1f} s: {last}"
        )

    def request(
        self,
        method: str,
        endpoint: str,
        params: MutableMapping[str, Any] | None = None,
        data: bytes | None = None,
        json: Mapping[str, Any] | None = None,
        files: Any = None,
        headers: MutableMapping[str, str] | None = None,
    ) -> requests.Response:
        url = self._url(endpoint)
        safe = _idempotent(method, url)
        s = self.settings
        started = self._clock()
        attempt = 0
        while True:
            attempt += 1
            self.calls.append((method.upper(), url.split("://", 1)[-1].split("/", 1)[-1].split("?", 1)[0]))
            retry_after: float | None = None
            try:
                return super().request(
                    method, url, params=params, data=data, json=json, files=files, headers=headers
                )
            except APIError as exc:
                status = exc.response.status_code
                if not (status == 429 or (status in RETRY_STATUSES and safe)):
                    raise
                last = f"HTTP {status} {exc.error.get('status', '')}: {exc.error.get('message', '')}".strip()
                retry_after = _retry_after(exc.response)
            except (requests.ConnectionError, requests.Timeout, auth_errors.TransportError) as exc:
                if not safe:
                    raise SheetsUnavailable(
                        f"the connection to Google Sheets failed during a change ({type(exc).__name__}); "
                        "the next sync reads the sheet again"
                    ) from None
                last = f"{type(exc).__name__}: {exc}"[:300]
            except auth_errors.RefreshError as exc:
                raise SheetsNotConfigured(f"the service account was refused by Google: {exc}") from None
            if attempt >= s.max_attempts:
                raise self._give_up(attempt, started, last)
            wait = min(s.backoff_seconds * 2 ** (attempt - 1), s.backoff_max_seconds)
            if retry_after is not None:
                wait = min(max(wait, retry_after), s.backoff_max_seconds)
            if self._deadline is not None and self._clock() + wait > self._deadline:
                raise self._give_up(attempt, started, last + " (time limit reached)")
            self.retries += 1
            self._sleep(wait)


def _retry_after(response: requests.Response) -> float | None:
    try:
        return float(response.headers.get("Retry-After", ""))
    except ValueError:
        return None


def make_client(settings: SheetsSettings | None = None, **http_options: Any) -> gspread.Client:
    """A gspread client acting as the configured service account (the same path in tests and in
    production; only the endpoint differs)."""
    settings = settings or load_sheets_settings()
    if not settings.configured:
        raise SheetsNotConfigured(
            "Google Sheets is not set up: add the service account's key as [sheets.service_account] "
            "to .streamlit/secrets.toml"
        )
    try:
        return gspread.service_account_from_dict(
            settings.service_account or {},
            scopes=SCOPES,
            http_client=partial(SheetsHTTPClient, settings=settings, **http_options),  # type: ignore[arg-type]
        )
    except (ValueError, KeyError, TypeError) as exc:
        raise SheetsNotConfigured(
            f"[sheets.service_account] is not a usable service account key: {exc}"
        ) from None


def http_of(client: gspread.Client) -> SheetsHTTPClient:
    http = client.http_client
    assert isinstance(http, SheetsHTTPClient), "made by make_client"
    return http
