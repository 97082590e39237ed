"""The local counterparts other tests lean on: the Mastodon server keeps state and injects faults, the
webhook receiver tells signed from tampered requests."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
import urllib.error
import urllib.request

import pytest


def _post(url: str, body: bytes, headers: dict[str, str]) -> tuple[int, dict]:
    req = urllib.request.Request(url, data=body, method="POST", headers=headers)
    try:
        with urllib.request.urlopen(req, timeout=5) as resp:
            return resp.status, json.loads(resp.read() or b"{}")
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read() or b"{}")


def _signed(secret: str, body: bytes, ts: int | None = None) -> dict[str, str]:
    ts = int(time.time()) if ts is None else ts
    sig = hmac.new(secret.encode(), f"{ts}.".encode() + body, hashlib.sha256).hexdigest()
    return {
        "Content-Type": "application/json",
        "X-SocialOps-Timestamp": str(ts),
        "X-SocialOps-Signature": f"sha256={sig}",
        "X-SocialOps-Event": "publish",
        "Idempotency-Key": "k1",
    }


def test_mastodon_server_keeps_posts_per_account_and_injects_faults(mastodon_server, mastodon_account):
    other = mastodon_server.create_account()
    posted = mastodon_server.post_as(mastodon_account, "hello from the fixture")
    assert [s["id"] for s in mastodon_server.statuses_of(mastodon_account)] == [posted["id"]]
    assert mastodon_server.statuses_of(other) == []

    mastodon_server.add_fault(status=503, path="/api/v1/statuses", methods=["POST"], count=1)
    with pytest.raises(urllib.error.HTTPError) as failed:
        mastodon_server.post_as(mastodon_account, "refused once")
    assert failed.value.code == 503
    mastodon_server.post_as(mastodon_account, "then accepted")
    assert len(mastodon_server.statuses_of(mastodon_account)) == 2
    assert mastodon_server.faults() == []


def test_webhook_receiver_accepts_signed_and_rejects_tampered_or_stale(webhook_receiver):
    body = json.dumps({"text": "hi"}).encode()
    headers = _signed(webhook_receiver.secret, body)
    assert _post(webhook_receiver.url, body, headers)[0] == 200
    # The same signature over a changed body, a stale timestamp, a wrong secret: all refused.
    assert _post(webhook_receiver.url, body.replace(b"hi", b"ho"), headers)[0] == 401
    old = int(time.time()) - 3600
    assert _post(webhook_receiver.url, body, _signed(webhook_receiver.secret, body, old))[0] == 401
    assert _post(webhook_receiver.url, body, _signed("not-the-secret", body))[0] == 401
    assert [r.verified for r in webhook_receiver.requests] == [True, False, False, False]
    assert list(webhook_receiver.posts) == ["k1"]


def test_webhook_receiver_answers_a_key_once_and_fails_on_request(webhook_receiver):
    body = b'{"text": "x"}'
    webhook_receiver.fail_next(429, headers={"Retry-After": "7"})
    status, _ = _post(webhook_receiver.url, body, _signed(webhook_receiver.secret, body))
    assert status == 429
    first = _post(webhook_receiver.url, body, _signed(webhook_receiver.secret, body))
    again = _post(webhook_receiver.url, body, _signed(webhook_receiver.secret, body))
    assert first == again and first[0] == 200 and first[1]["external_id"]
    assert len(webhook_receiver.posts) == 1 and len(webhook_receiver.requests) == 3
