"""`mastodon_server`: a real local Mastodon API (the `mastodon-mock` package) in its own process for the
whole test session, with helpers to make accounts and inject faults. Any test directory can use it.

The module is not called `mastodon.py` on purpose: test folders land on sys.path, and that name would
shadow the Mastodon.py client package.
"""

from __future__ import annotations

import itertools
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

STARTUP_TIMEOUT_S = 30.0
# Rate limiting is switched on only so that every answer carries the X-RateLimit-* headers a real server
# sends (the health check reads them); the limit is far above what any test or benchmark uses.
_CONFIG = """\
[database]
path = ":memory:"

[ratelimit]
enabled = true
limit = 100000000
window_seconds = 300
"""
_names = itertools.count(1)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass(frozen=True)
class MockAccount:
    id: str
    username: str
    access_token: str


class MastodonServer:
    """A running `mastodon_mock serve` process: `base_url`, accounts, faults, and a raw JSON helper."""

    def __init__(self, base_url: str, process: subprocess.Popen[bytes], log_path: Path) -> None:
        self.base_url = base_url
        self.process = process
        self.pid = process.pid
        self.log_path = log_path

    # -- raw HTTP (stdlib only, so the fixture does not depend on the code under test) --------------

    def request(
        self, method: str, path: str, body: Any = None, token: str | None = None, timeout: float = 10.0
    ) -> Any:
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(self.base_url + path, data=data, method=method)
        if data is not None:
            req.add_header("Content-Type", "application/json")
        if token:
            req.add_header("Authorization", f"Bearer {token}")
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            raw = resp.read()
        return json.loads(raw) if raw else None

    # -- accounts -----------------------------------------------------------------------------------

    def create_account(self, username: str | None = None, display_name: str = "") -> MockAccount:
        """A fresh local account and an access token for it (unique name unless one is given)."""
        username = username or f"acct{os.getpid()}x{next(_names)}"
        out = self.request(
            "POST", "/api/v1/_mock/dev_user", {"username": username, "display_name": display_name or username}
        )
        return MockAccount(id=str(out["id"]), username=out["username"], access_token=out["access_token"])

    def token_for(self, username: str) -> str:
        """A new access token for an existing account."""
        return str(self.request("POST", "/api/v1/_mock/login", {"username": username})["access_token"])

    def post_as(self, account: MockAccount, text: str, **params: Any) -> dict[str, Any]:
        """Post a status as someone else (a follower replying, mentioning, messaging)."""
        return self.request(
            "POST", "/api/v1/statuses", {"status": text, **params}, token=account.access_token
        )

    def statuses_of(self, account: MockAccount, limit: int = 40) -> list[dict[str, Any]]:
        """What the server holds for an account (newest first), read directly, not through our connector."""
        return self.request(
            "GET", f"/api/v1/accounts/{account.id}/statuses?limit={limit}", token=account.access_token
        )

    # -- faults -------------------------------------------------------------------------------------

    def add_fault(
        self,
        *,
        status: int = 500,
        path: str | None = None,
        methods: list[str] | None = None,
        count: int | None = 1,
        headers: dict[str, str] | None = None,
        body: Any = None,
        effect: str = "status",
        delay_ms: int = 0,
    ) -> dict[str, Any]:
        """Make the next `count` matching requests fail (`effect`: status, ratelimit, latency, malformed,
        timeout). Mock control paths are never affected. Clear with `clear_faults`."""
        eff: dict[str, Any] = {"type": effect, "status": status, "delay_ms": delay_ms}
        if headers:
            eff["headers"] = headers
        if body is not None:
            eff["body"] = body
        rule: dict[str, Any] = {"match": {"path": path, "methods": methods}, "effect": eff}
        if count is not None:
            rule["count"] = count
        return self.request("POST", "/api/v1/_mock/faults", rule)

    def faults(self) -> list[dict[str, Any]]:
        return self.request("GET", "/api/v1/_mock/faults")

    def clear_faults(self) -> None:
        self.request("DELETE", "/api/v1/_mock/faults")

    # -- lifecycle ----------------------------------------------------------------------------------

    def stop(self) -> None:
        if self.process.poll() is None:
            os.kill(self.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.kill(self.pid, signal.SIGKILL)
                self.process.wait(timeout=10)


def start_mastodon_server(workdir: Path, timeout: float = STARTUP_TIMEOUT_S) -> MastodonServer:
    """Start `mastodon_mock serve --in-memory` on a free 127.0.0.1 port and wait until it answers."""
    config = workdir / "mastodon_mock.toml"
    config.write_text(_CONFIG, encoding="utf-8")
    log_path = workdir / "mastodon_mock.log"
    port = free_port()
    cmd = [
        sys.executable,
        "-m",
        "mastodon_mock",
        "serve",
        "--in-memory",
        "--config",
        str(config),
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--log-level",
        "warning",
    ]
    with log_path.open("wb") as log:
        # cwd=workdir: the mock reads ./.mastodon_mock.toml or ./pyproject.toml when no --config is
        # given; running it elsewhere keeps the repository's pyproject out of its way either way.
        proc = subprocess.Popen(cmd, cwd=workdir, stdout=log, stderr=subprocess.STDOUT)
    server = MastodonServer(f"http://127.0.0.1:{port}", proc, log_path)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(
                f"mastodon_mock exited with {proc.returncode}: {log_path.read_text(errors='replace')[-2000:]}"
            )
        try:
            server.request("GET", "/api/v1/instance", timeout=1.0)
            return server
        except (urllib.error.URLError, ConnectionError, TimeoutError, OSError):
            time.sleep(0.2)
    server.stop()
    raise RuntimeError(f"mastodon_mock did not answer on {server.base_url} within {timeout:.0f} s")


@pytest.fixture(scope="session")
def mastodon_server() -> Iterator[MastodonServer]:
    """One local Mastodon server for the session; make your own accounts with `create_account()` and
    clear any faults you add (or use `mastodon_account`, which does)."""
    workdir = Path(tempfile.mkdtemp(prefix="soh-mastodon-"))
    server = start_mastodon_server(workdir)
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def mastodon_account(mastodon_server: MastodonServer) -> Iterator[MockAccount]:
    """A fresh account on the session's server; faults added during the test are cleared after it."""
    yield mastodon_server.create_account()
    mastodon_server.clear_faults()
