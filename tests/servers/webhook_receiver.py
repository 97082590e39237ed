"""`webhook_receiver`: a local HTTP endpoint that plays a Zapier/Make/n8n catch hook. It records every
request, checks the HMAC signature and timestamp the way a careful receiver would (written here from
the documented format, independently of the connector), answers each idempotency key once, and can be
told to fail the next requests (500, 429 with Retry-After, a slow answer).
"""

from __future__ import annotations

import hashlib
import hmac
import itertools
import json
import secrets
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

SIGNATURE_HEADER = "X-SocialOps-Signature"
TIMESTAMP_HEADER = "X-SocialOps-Timestamp"
EVENT_HEADER = "X-SocialOps-Event"
TOLERANCE_S = 300


def check_signature(secret: str, body: bytes, timestamp: str | None, signature: str | None) -> str | None:
    """None when the request is authentic and fresh, else why not."""
    if not timestamp or not signature:
        return "missing signature or timestamp header"
    try:
        ts = int(timestamp)
    except ValueError:
        return "timestamp is not a number"
    if abs(time.time() - ts) > TOLERANCE_S:
        return "timestamp too old or in the future"
    expected = hmac.new(secret.encode(), f"{ts}.".encode() + body, hashlib.sha256).hexdigest()
    if not hmac.compare_digest(f"sha256={expected}", signature):
        return "signature does not match"
    return None


@dataclass
class ReceivedRequest:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes
    rejected: str | None  # why the signature check failed, None when it passed

    @property
    def verified(self) -> bool:
        return self.rejected is None

    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class _Planned:
    status: int
    body: Any
    headers: dict[str, str]
    delay_s: float


@dataclass
class WebhookReceiver:
    """State shared with the handler threads; tests read `requests` and `posts`."""

    secret: str
    base_url: str = ""
    requests: list[ReceivedRequest] = field(default_factory=list)
    posts: dict[str, dict[str, Any]] = field(default_factory=dict)  # idempotency key -> first payload
    answer_ids: bool = True  # False: answer 200 {"ok": true} without external_id/permalink
    _planned: list[_Planned] = field(default_factory=list)
    _answers: dict[str, dict[str, Any]] = field(default_factory=dict)
    _ids: Iterator[int] = field(default_factory=lambda: itertools.count(1))
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def url(self) -> str:
        return self.base_url + "/hook"

    def fail_next(
        self,
        status: int = 500,
        count: int = 1,
        *,
        body: Any = None,
        headers: dict[str, str] | None = None,
        delay_s: float = 0.0,
    ) -> None:
        """Answer the next `count` requests with `status` (after `delay_s`), whatever they carry."""
        with self._lock:
            for _ in range(count):
                self._planned.append(
                    _Planned(
                        status,
                        body if body is not None else {"error": f"forced {status}"},
                        headers or {},
                        delay_s,
                    )
                )

    def events(self, name: str) -> list[ReceivedRequest]:
        return [r for r in self.requests if r.headers.get(EVENT_HEADER.lower()) == name]

    # -- called by the handler ----------------------------------------------------------------------

    def handle(
        self, method: str, path: str, headers: dict[str, str], body: bytes
    ) -> tuple[int, Any, dict[str, str], float]:
        rejected = check_signature(
            self.secret, body, headers.get(TIMESTAMP_HEADER.lower()), headers.get(SIGNATURE_HEADER.lower())
        )
        with self._lock:
            self.requests.append(ReceivedRequest(method, path, headers, body, rejected))
            if self._planned:
                p = self._planned.pop(0)
                return p.status, p.body, p.headers, p.delay_s
            if rejected:
                return 401, {"error": rejected}, {}, 0.0
            event = headers.get(EVENT_HEADER.lower(), "")
            if event == "ping":
                return 200, {"ok": True}, {}, 0.0
            key = headers.get("idempotency-key", "")
            if key and key in self._answers:  # a retry of a delivery we already took: same answer
                return 200, self._answers[key], {}, 0.0
            n = next(self._ids)
            self.posts[key or f"no-key-{n}"] = json.loads(body or b"null")
            answer = (
                {"external_id": f"hook-{n}", "permalink": f"{self.base_url}/posts/{n}"}
                if self.answer_ids
                else {"ok": True}
            )
            if key:
                self._answers[key] = answer
            return 200, answer, {}, 0.0


def _handler_for(receiver: WebhookReceiver) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def _serve(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""  # read exactly once, or the socket blocks
            headers = {k.lower(): v for k, v in self.headers.items()}
            status, payload, extra, delay = receiver.handle(self.command, self.path, headers, body)
            if delay:
                time.sleep(delay)
            raw = b"" if payload is None else json.dumps(payload).encode()
            try:
                self.send_response(status)
                for k, v in extra.items():
                    self.send_header(k, v)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(raw)))
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(raw)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up waiting (a timeout test): nothing to answer

        do_POST = do_PUT = do_GET = do_HEAD = _serve

        def log_message(self, format: str, *args: Any) -> None:  # keep test output clean
            pass

    return Handler


@pytest.fixture
def webhook_receiver() -> Iterator[WebhookReceiver]:
    """A fresh receiver on a free 127.0.0.1 port for one test; `secret` is what the connector must sign
    with (put it in the channel's credential variable), `url` is where to POST."""
    receiver = WebhookReceiver(secret="whsec-" + secrets.token_hex(16))
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(receiver))
    server.daemon_threads = True
    receiver.base_url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True)
    thread.start()
    try:
        yield receiver
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
