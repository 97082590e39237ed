"""Tokens and signing secrets never reach an error message or a log line, whatever fails (logging at
DEBUG, so the HTTP libraries' own lines are included)."""

from __future__ import annotations

import logging

import pytest

from app.connectors.base import ConnectorError, Outgoing
from app.connectors.mastodon import MastodonConnector
from app.connectors.webhook import WebhookConnector


def _everything(conn, calls) -> str:
    said = []
    for call in calls:
        try:
            said.append(repr(call(conn)))
        except ConnectorError as exc:
            said += [str(exc), exc.platform_message or "", repr(exc.args)]
    return "\n".join(said)


CALLS = [
    lambda c: c.check_health(),
    lambda c: c.publish(Outgoing(text="hello", idempotency_key="leak-1")),
    lambda c: c.send_reply("1", "hi", "leak-2"),
]


def test_mastodon_never_says_its_token(mastodon_server, mastodon_account, caplog):
    caplog.set_level(logging.DEBUG)
    good = MastodonConnector(
        base_url=mastodon_server.base_url, credential=mastodon_account.access_token, handle="", settings={}
    )
    bad = MastodonConnector(
        base_url=mastodon_server.base_url, credential="sekrit-token-xyz", handle="", settings={}
    )
    mastodon_server.add_fault(status=500, path="/api/v1/statuses", methods=["POST"], body={"error": "boom"})
    said = _everything(good, CALLS) + _everything(bad, CALLS)
    assert "boom" in said and "401" in said  # the failures did happen and were described
    for secret in (mastodon_account.access_token, "sekrit-token-xyz"):
        assert secret not in said and secret not in caplog.text


@pytest.mark.parametrize("status", [401, 500])
def test_webhook_never_says_its_secret(webhook_receiver, caplog, status):
    caplog.set_level(logging.DEBUG)
    conn = WebhookConnector(
        base_url=webhook_receiver.url, credential=webhook_receiver.secret, handle="@x", settings={}
    )
    # A careless receiver that echoes what it got, secret included, is masked too.
    webhook_receiver.fail_next(status, count=3, body=f"echo: {webhook_receiver.secret}")
    said = _everything(conn, CALLS)
    assert str(status) in said
    assert webhook_receiver.secret not in said and webhook_receiver.secret not in caplog.text
