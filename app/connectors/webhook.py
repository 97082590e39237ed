"""A generic outgoing webhook for Zapier, Make or n8n flows that post to platforms without an open API:
each post is a signed JSON POST to the channel's URL. Metrics and the inbox do not come back this way.

Request (POST to the channel's base URL, body UTF-8 JSON):

    Content-Type: application/json
    Idempotency-Key: <stable per variant; a retry repeats it>
    X-SocialOps-Event: publish | reply | ping
    X-SocialOps-Timestamp: <unix seconds when sent>
    X-SocialOps-Signature: sha256=<hex HMAC-SHA256(secret, "<timestamp>." + raw body)>

    {"event": "publish", "idempotency_key": "...", "sent_at": "2026-11-25T13:00:00+00:00",
     "channel": {"handle": "@brand", "platform": "instagram", "slug": "brand-instagram"},
     "post": {"text": "...", "link": "https://..." | null, "reply_to": "<platform id>" | null,
              "media": [{"filename": "a.jpg", "mime_type": "image/jpeg", "alt_text": "...",
                         "size": 1234, "sha256": "<hex>", "data_base64": "..."}]}}

A reply (`send_reply`) is event "reply" with post.reply_to set; `check_health` sends event "ping" with
no post. The secret is the channel's credential (its --token-env variable). A receiver should recompute
the signature over the raw body, compare in constant time, refuse timestamps more than 5 minutes off
(a replayed request), and drop a repeated Idempotency-Key (a retry after a timeout). It may answer JSON
`{"external_id": "...", "permalink": "https://..."}`; without an id the post is recorded as
`webhook:<idempotency key>`. 2xx is success; 408, 425, 429 and 5xx are retried (Retry-After honoured);
any other answer fails the post with the receiver's message.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from collections.abc import Sequence
from datetime import UTC, date, datetime
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import urlsplit

import requests

from app.connectors.base import (
    ChannelMetrics,
    Health,
    InboxPage,
    NotSupported,
    Outgoing,
    PermanentError,
    PostMetrics,
    Published,
    TransientError,
)
from app.models.enums import ConnectorKind

SIGNATURE_HEADER = "X-SocialOps-Signature"
TIMESTAMP_HEADER = "X-SocialOps-Timestamp"
EVENT_HEADER = "X-SocialOps-Event"
INLINE_MEDIA_MAX_BYTES = 8 * 1024 * 1024  # per file; flows pass files on, they do not fetch them
RETRYABLE = {408, 425, 429}


def sign(secret: str, timestamp: int, body: bytes) -> str:
    """The signature header value for `body` sent at `timestamp`."""
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"sha256={digest}"


def verify(secret: str, body: bytes, timestamp: str, signature: str, tolerance_s: int = 300) -> bool:
    """What a receiver written in Python would do (documentation as code; the tests' receiver has its own)."""
    try:
        ts = int(timestamp)
    except ValueError:
        return False
    # The wire's real time, not the product clock (app.services.core.clock sits above the connectors):
    # the timestamp is checked against the other machine's clock.
    return abs(time.time() - ts) <= tolerance_s and hmac.compare_digest(sign(secret, ts, body), signature)


class WebhookConnector:
    kind = ConnectorKind.WEBHOOK

    def __init__(self, *, base_url: str | None, credential: str | None, handle: str, settings: dict) -> None:
        if not base_url:
            raise PermanentError("a webhook channel needs a base URL: the flow's catch-hook URL")
        if not credential:
            raise PermanentError("a webhook channel needs a signing secret: set --token-env to its variable")
        self.url = base_url
        parts = urlsplit(base_url)
        # Hook URLs often carry a token in their path: messages name the host only.
        self.where = f"webhook {parts.scheme}://{parts.netloc}"
        self.handle = handle
        self.settings = settings
        self._secret = credential
        self._session = requests.Session()
        self._timeout = float(settings.get("timeout_s", 15))

    # -- sending ------------------------------------------------------------------------------------

    def _payload(self, event: str, key: str, post: dict[str, Any] | None) -> dict[str, Any]:
        payload: dict[str, Any] = {
            "event": event,
            "idempotency_key": key,
            "sent_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "channel": {
                "handle": self.handle,
                "platform": self.settings.get("platform"),
                "slug": self.settings.get("channel"),
            },
        }
        if post is not None:
            payload["post"] = post
        return payload

    def _send(self, event: str, key: str, post: dict[str, Any] | None = None) -> requests.Response:
        body = json.dumps(self._payload(event, key, post), ensure_ascii=False).encode("utf-8")
        ts = int(time.time())
        headers = {
            "Content-Type": "application/json",
            "User-Agent": "SocialOpsHub-Webhook/1",
            "Idempotency-Key": key,
            EVENT_HEADER: event,
            TIMESTAMP_HEADER: str(ts),
            SIGNATURE_HEADER: sign(self._secret, ts, body),
        }
        try:
            response = self._session.post(self.url, data=body, headers=headers, timeout=self._timeout)
        except requests.Timeout:
            raise TransientError(f"{self.where} {event}: no answer within {self._timeout:g} s") from None
        except requests.RequestException as exc:
            raise TransientError(f"{self.where} {event}: {type(exc).__name__}") from None
        if response.ok:
            return response
        message = self._message(response)
        text = f"{self.where} {event}: {response.status_code} {message}"
        if response.status_code in RETRYABLE or response.status_code >= 500:
            raise TransientError(
                text,
                platform_message=message,
                status=response.status_code,
                retry_after=_retry_after(response),
            )
        raise PermanentError(text, platform_message=message, status=response.status_code)

    def _message(self, response: requests.Response) -> str:
        try:
            answer = response.json()
        except ValueError:
            answer = None
        if isinstance(answer, dict):
            for key in ("error", "message", "detail"):
                if answer.get(key):
                    return str(answer[key])[:300]
        return (response.text or response.reason or "no message").strip()[:300].replace(self._secret, "***")

    def _post_fields(self, post: Outgoing) -> dict[str, Any]:
        media = []
        for m in post.media:
            data = m.path.read_bytes() if m.path.exists() else None
            if data is None:
                raise PermanentError(f"{self.where}: media file {m.path.name} is missing")
            if len(data) > INLINE_MEDIA_MAX_BYTES:
                raise PermanentError(
                    f"{self.where}: media file {m.path.name} is {len(data):,} bytes; "
                    f"a webhook carries at most {INLINE_MEDIA_MAX_BYTES:,} per file"
                )
            media.append(
                {
                    "filename": m.path.name,
                    "mime_type": m.mime_type,
                    "alt_text": m.alt_text,
                    "size": len(data),
                    "sha256": hashlib.sha256(data).hexdigest(),
                    "data_base64": base64.b64encode(data).decode("ascii"),
                }
            )
        return {"text": post.text, "link": post.link, "reply_to": post.reply_to, "media": media}

    def _published(self, response: requests.Response, key: str) -> Published:
        try:
            answer = response.json() if response.content else {}
        except ValueError:
            answer = {}
        answer = answer if isinstance(answer, dict) else {}
        external_id = answer.get("external_id") or answer.get("id")
        permalink = answer.get("permalink") or answer.get("url")
        return Published(
            external_id=str(external_id) if external_id else f"webhook:{key}",
            permalink=str(permalink) if permalink else None,
            published_at=datetime.now(UTC),
        )

    # -- the contract -------------------------------------------------------------------------------

    def publish(self, post: Outgoing) -> Published:
        response = self._send("publish", post.idempotency_key, self._post_fields(post))
        return self._published(response, post.idempotency_key)

    def find_published(
        self, idempotency_key: str, since: datetime, *, post: Outgoing | None = None
    ) -> Published | None:
        """A webhook cannot be asked what it did: None. A retry is safe because it repeats the same
        Idempotency-Key, and the receiver drops repeats (see the module docstring)."""
        return None

    def fetch_post_metrics(self, external_ids: Sequence[str]) -> list[PostMetrics]:
        raise NotSupported(f"{self.where}: a webhook sends posts only; import this platform's export files")

    def fetch_channel_metrics(self, since: date) -> list[ChannelMetrics]:
        raise NotSupported(f"{self.where}: a webhook sends posts only; import this platform's export files")

    def fetch_inbox(self, cursor: str | None) -> InboxPage:
        raise NotSupported(f"{self.where}: a webhook has no inbox")

    def send_reply(self, in_reply_to: str, text: str, idempotency_key: str) -> Published:
        fields = {"text": text, "link": None, "reply_to": in_reply_to, "media": []}
        return self._published(self._send("reply", idempotency_key, fields), idempotency_key)

    def check_health(self) -> Health:
        """A signed ping: ok when the receiver accepts it; raises like publish when it does not."""
        started = time.monotonic()
        response = self._send("ping", f"ping-{int(time.time())}")
        elapsed_ms = (time.monotonic() - started) * 1000
        return Health(
            ok=True,
            message=f"the receiver accepted a signed ping ({response.status_code}, {elapsed_ms:.0f} ms)",
            account=self.handle or None,
            details={"status": str(response.status_code), "elapsed_ms": f"{elapsed_ms:.0f}"},
        )


def _retry_after(response: requests.Response) -> float | None:
    value = response.headers.get("Retry-After")
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        try:
            return max(0.0, parsedate_to_datetime(value).timestamp() - time.time())
        except (TypeError, ValueError):
            return None
