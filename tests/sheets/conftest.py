"""Fixtures of the Sheets tests: the local Sheets-compatible server (a ThreadingHTTPServer on a free port
of 127.0.0.1, stopped at teardown), a throw-away service account whose RSA key the server checks, the
settings and gspread client the production code builds from them, and worksheets connected on a copy
of the demo workspace."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from sqlalchemy import Engine

sys.path.insert(0, str(Path(__file__).parent))

import fake_sheets

from app.db import dispose_engine, write_session
from app.services.core import Actor
from app.sheets import bindings
from app.sheets.client import make_client
from app.sheets.settings import SheetsSettings
from app.sheets.sync import SyncResult, sync_bindings

KEY = "1AbCdEfGhIjKlMnOpQrStUvWxYz0123456789"
ADMIN = "admin@kopi.example"
MANAGER = "mei.lim@kopi.example"
EDITOR = "farah.aziz@kopi.example"
VIEWER = "jon.lee@kopi.example"
SA_EMAIL = "socialops@test-project.iam.gserviceaccount.com"
SYSTEM = Actor.system("test:sheets")


@pytest.fixture(scope="session")
def private_key_pem() -> str:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()


@pytest.fixture
def fake(private_key_pem: str) -> Iterator[fake_sheets.FakeSheets]:
    server, thread = fake_sheets.start()
    fake_sheets.register_key(server.state, SA_EMAIL, private_key_pem)
    server.state.create(KEY)
    try:
        yield server.state
    finally:
        fake_sheets.stop(server, thread)
    # Checked at the server after every test: the sync writes RAW only, so no text becomes a formula.
    writes = [
        c
        for c in server.state.api_calls()
        if c.value_input_option is not None or "values:batchUpdate" in c.path
    ]
    assert all(c.value_input_option == "RAW" for c in writes), [
        (c.path, c.value_input_option) for c in writes
    ]


def service_account(fake: fake_sheets.FakeSheets, private_key_pem: str) -> dict[str, Any]:
    """A service account key as Google issues it; its token_uri is the local server's."""
    return fake_sheets.service_account_info(fake.url, SA_EMAIL, private_key_pem)


@pytest.fixture
def settings(fake: fake_sheets.FakeSheets, private_key_pem: str) -> SheetsSettings:
    return SheetsSettings(
        api_url=fake.url,
        service_account=service_account(fake, private_key_pem),
        timeout_seconds=5,
        max_attempts=4,
        backoff_seconds=0.01,
        backoff_max_seconds=0.05,
        deadline_seconds=10,
    )


@pytest.fixture
def db(demo_db: Engine) -> Iterator[Engine]:
    yield demo_db
    # Release pooled connections early: a PostgreSQL run of many tests would otherwise run out.
    dispose_engine(demo_db.url.render_as_string(hide_password=False))


@pytest.fixture
def connect(db: Engine) -> Callable[..., int]:
    def _connect(schema: str, *, brand: str = "lumi", sync_as: str = EDITOR, **options: Any) -> int:
        with write_session(db) as s:
            return bindings.connect(
                s, SYSTEM, brand=brand, schema=schema, spreadsheet=KEY, sync_as=sync_as, **options
            ).id

    return _connect


@pytest.fixture
def sync(db: Engine, settings: SheetsSettings) -> Callable[..., SyncResult]:
    """Sync one worksheet now with a fresh client (as the job would), and return its result."""

    def _sync(binding_id: int, **client_options: Any) -> SyncResult:
        client = make_client(settings, **client_options)
        (result,) = sync_bindings(db, SYSTEM, [binding_id], client=client)
        return result

    return _sync
