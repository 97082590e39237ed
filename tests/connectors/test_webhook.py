"""The webhook connector against a local receiver that checks signatures the documented way."""

from __future__ import annotations

import base64
import hashlib
import json
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest

from app.connectors.base import MediaFile, NotSupported, Outgoing, PermanentError, TransientError
from app.connectors.webhook import WebhookConnector, sign, verify


def connect(receiver, secret: str | None = None, **settings) -> WebhookConnector:
    return WebhookConnector(
        base_url=receiver.url,
        credential=secret or receiver.secret,
        handle="@siamtea",
        settings={"platform": "instagram", "channel": "siam-tea-instagram", **settings},
    )


def test_publish_posts_signed_json_with_media_and_takes_the_receivers_ids(webhook_receiver, tmp_path: Path):
    photo = tmp_path / "tea.jpg"
    photo.write_bytes(b"\xff\xd8 not really a jpeg \xff\xd9")
    out = Outgoing(
        text="New season oolong 🍵",
        idempotency_key="variant-12",
        media=(MediaFile(photo, "image/jpeg", "Tea leaves in a bowl"),),
        link="https://example.org/oolong",
    )
    published = connect(webhook_receiver).publish(out)

    [req] = webhook_receiver.requests
    assert req.verified and req.method == "POST"
    assert req.headers["idempotency-key"] == "variant-12"
    assert req.headers["x-socialops-event"] == "publish"
    body = req.json()
    assert body["channel"] == {"handle": "@siamtea", "platform": "instagram", "slug": "siam-tea-instagram"}
    assert (
        body["post"]["text"] == "New season oolong 🍵"
        and body["post"]["link"] == "https://example.org/oolong"
    )
    [media] = body["post"]["media"]
    assert base64.b64decode(media["data_base64"]) == photo.read_bytes()
    assert media["sha256"] == hashlib.sha256(photo.read_bytes()).hexdigest()
    assert media["alt_text"] == "Tea leaves in a bowl" and media["mime_type"] == "image/jpeg"
    assert published.external_id == "hook-1" and published.permalink == f"{webhook_receiver.base_url}/posts/1"


def test_without_ids_in_the_answer_the_key_names_the_post(webhook_receiver):
    webhook_receiver.answer_ids = False
    published = connect(webhook_receiver).publish(Outgoing(text="hi", idempotency_key="v-99"))
    assert published.external_id == "webhook:v-99" and published.permalink is None


def test_a_retry_repeats_the_key_so_the_receiver_keeps_one_post(webhook_receiver):
    conn = connect(webhook_receiver)
    webhook_receiver.fail_next(503)
    out = Outgoing(text="once", idempotency_key="v-1")
    with pytest.raises(TransientError) as failed:
        conn.publish(out)
    assert failed.value.status == 503
    first, second = conn.publish(out), conn.publish(out)
    assert first == second or first.external_id == second.external_id
    assert len(webhook_receiver.posts) == 1 and len(webhook_receiver.requests) == 3
    assert conn.find_published("v-1", datetime.now(UTC), post=out) is None  # cannot be asked; see docstring


def test_a_wrong_secret_is_refused_by_the_receiver_and_is_permanent(webhook_receiver):
    with pytest.raises(PermanentError) as refused:
        connect(webhook_receiver, secret="the-wrong-secret").publish(Outgoing("hi", "k"))
    assert refused.value.status == 401 and "signature does not match" in refused.value.platform_message
    assert "the-wrong-secret" not in str(refused.value) and webhook_receiver.posts == {}


def test_tampered_or_replayed_bodies_fail_the_signature_check(webhook_receiver):
    connect(webhook_receiver).publish(Outgoing("original text", "k1"))
    [req] = webhook_receiver.requests
    ts, sig = req.headers["x-socialops-timestamp"], req.headers["x-socialops-signature"]
    assert verify(webhook_receiver.secret, req.body, ts, sig)
    tampered = req.body.replace(b"original", b"changed!")
    assert not verify(webhook_receiver.secret, tampered, ts, sig)
    assert not verify("another-secret", req.body, ts, sig)
    # The timestamp is inside the signed material: moving it breaks the signature, keeping it goes stale.
    assert not verify(webhook_receiver.secret, req.body, str(int(ts) + 1), sig)
    old = int(time.time()) - 3600
    assert not verify(
        webhook_receiver.secret, req.body, str(old), sign(webhook_receiver.secret, old, req.body)
    )
    body = json.loads(req.body)
    assert body["idempotency_key"] == "k1" and body["event"] == "publish"


def test_rate_limits_and_server_errors_are_transient_with_retry_after(webhook_receiver):
    conn = connect(webhook_receiver)
    webhook_receiver.fail_next(429, headers={"Retry-After": "42"})
    with pytest.raises(TransientError) as limited:
        conn.publish(Outgoing("x", "k"))
    assert limited.value.status == 429 and limited.value.retry_after == 42
    webhook_receiver.fail_next(500, body={"error": "Zap step failed"})
    with pytest.raises(TransientError, match="Zap step failed"):
        conn.publish(Outgoing("x", "k"))
    webhook_receiver.fail_next(422, body={"message": "caption too long for Instagram"})
    with pytest.raises(PermanentError) as refused:
        conn.publish(Outgoing("x", "k"))
    assert refused.value.platform_message == "caption too long for Instagram"


def test_slow_and_unreachable_receivers_are_transient_and_messages_hide_the_hook_path(webhook_receiver):
    webhook_receiver.fail_next(200, delay_s=2.0)
    with pytest.raises(TransientError, match=r"no answer within 0\.5 s") as slow:
        connect(webhook_receiver, timeout_s=0.5).publish(Outgoing("x", "k"))
    assert "/hook" not in str(slow.value)
    from tests.servers.mastodon_server import free_port

    gone = WebhookConnector(
        base_url=f"http://127.0.0.1:{free_port()}/hooks/catch/123/SECRETPATH",
        credential="s3cret",
        handle="@x",
        settings={},
    )
    with pytest.raises(TransientError) as unreachable:
        gone.publish(Outgoing("x", "k"))
    assert "SECRETPATH" not in str(unreachable.value) and "s3cret" not in str(unreachable.value)


def test_reply_and_ping_are_signed_events_and_metrics_are_not_supported(webhook_receiver):
    conn = connect(webhook_receiver)
    health = conn.check_health()
    assert health.ok and "200" in health.message
    reply = conn.send_reply("17841400", "Thanks!", "r-1")
    assert reply.external_id == "hook-1"
    assert [r.headers["x-socialops-event"] for r in webhook_receiver.requests] == ["ping", "reply"]
    assert all(r.verified for r in webhook_receiver.requests)
    assert webhook_receiver.events("reply")[0].json()["post"]["reply_to"] == "17841400"
    for call in (
        lambda: conn.fetch_post_metrics(["1"]),
        lambda: conn.fetch_channel_metrics(datetime.now(UTC).date()),
        lambda: conn.fetch_inbox(None),
    ):
        with pytest.raises(NotSupported):
            call()
    webhook_receiver.fail_next(404, body={"error": "hook not found"})
    with pytest.raises(PermanentError, match="hook not found"):
        conn.check_health()


def test_oversized_or_missing_media_is_refused_before_sending(webhook_receiver, tmp_path: Path, monkeypatch):
    import app.connectors.webhook as webhook

    monkeypatch.setattr(webhook, "INLINE_MEDIA_MAX_BYTES", 10)
    big = tmp_path / "big.png"
    big.write_bytes(b"x" * 11)
    with pytest.raises(PermanentError, match=r"big\.png"):
        connect(webhook_receiver).publish(Outgoing("x", "k", media=(MediaFile(big, "image/png"),)))
    with pytest.raises(PermanentError, match="missing"):
        connect(webhook_receiver).publish(
            Outgoing("x", "k", media=(MediaFile(tmp_path / "no.png", "image/png"),))
        )
    assert webhook_receiver.requests == []
