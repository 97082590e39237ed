"""`channels add` and `channels check` as an admin uses them, against the local Mastodon server and the
webhook receiver: the handle is learned from the token, the check's outcome lands on the connector
account (and in the audit log), and no token ever shows in the output or the database."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import Engine, select

from app.cli import main
from app.db import read_session
from app.models import AuditLog, Brand, Channel, ConnectorAccount
from app.models.enums import HealthStatus, Role
from app.services.core import Actor, PermissionDenied
from app.services.platforms import connections


@pytest.fixture
def cli(empty_db: Engine, use_db, capsys):  # type: ignore[no-untyped-def]
    use_db(empty_db)

    def run(*args: str) -> tuple[int, str, str]:
        code = main(list(args))
        out, err = capsys.readouterr()
        return code, out, err

    assert run("db", "reset", "--yes")[0] == 0
    market = ["--name", "Thailand", "--country", "TH", "--languages", "th,en", "--timezone", "Asia/Bangkok"]
    assert run("markets", "add", "th", *market, "--currency", "THB")[0] == 0
    assert run("brands", "add", "siam-tea", "--name", "Siam Tea", "--market", "th")[0] == 0
    return run


def _account(engine: Engine, slug: str) -> ConnectorAccount:
    with read_session(engine) as s:
        ch = s.scalars(select(Channel).where(Channel.slug == slug)).one()
        return s.scalars(select(ConnectorAccount).where(ConnectorAccount.channel_id == ch.id)).one()


def _everything_stored(engine: Engine) -> str:
    with read_session(engine) as s:
        rows = [
            *s.scalars(select(ConnectorAccount)),
            *s.scalars(select(AuditLog)),
            *s.scalars(select(Channel)),
        ]
        return " ".join(str(vars(r)) for r in rows)


def test_add_mastodon_learns_the_handle_and_check_records_health(
    cli, empty_db, mastodon_server, mastodon_account, monkeypatch
):
    monkeypatch.setenv("MASTODON_TOKEN_SIAMTEA", mastodon_account.access_token)
    code, out, err = cli(
        "channels", "add", "--brand", "siam-tea", "--platform", "mastodon",
        "--base-url", mastodon_server.base_url, "--token-env", "MASTODON_TOKEN_SIAMTEA",
    )  # fmt: skip
    assert code == 0, err
    assert f"@{mastodon_account.username}@127.0.0.1" in out and "learned from" in err
    assert "channels check siam-tea-mastodon" in err

    code, out, err = cli("channels", "check", "siam-tea-mastodon")
    assert code == 0, err
    assert out.startswith("siam-tea-mastodon  ok  signed in as") and "requests left until" in out
    acc = _account(empty_db, "siam-tea-mastodon")
    assert acc.status == HealthStatus.OK and acc.last_success_at is not None
    assert acc.rate_limit_remaining and acc.rate_limit_reset_at is not None and acc.last_error is None
    with read_session(empty_db) as s:
        logged = s.scalars(select(AuditLog).where(AuditLog.action == "connection.check")).all()
    assert [(a.object_label, a.after["status"]) for a in logged] == [("siam-tea-mastodon: ok", "ok")]
    assert mastodon_account.access_token not in out + err + _everything_stored(empty_db)


def test_a_refused_token_breaks_the_connection_with_the_servers_words(
    cli, empty_db, mastodon_server, mastodon_account, monkeypatch
):
    monkeypatch.setenv("MASTODON_TOKEN_SIAMTEA", mastodon_account.access_token)
    args = ["--base-url", mastodon_server.base_url, "--token-env", "MASTODON_TOKEN_SIAMTEA"]
    assert cli("channels", "add", "--brand", "siam-tea", "--platform", "mastodon", *args)[0] == 0
    monkeypatch.setenv("MASTODON_TOKEN_SIAMTEA", "revoked-token-abc123")
    code, out, err = cli("channels", "check", "siam-tea-mastodon", "--json")
    assert code == 1 and "1 of 1 connection(s) not ok: siam-tea-mastodon" in err
    [result] = json.loads(out)
    assert result["status"] == "broken" and "401" in result["message"]
    acc = _account(empty_db, "siam-tea-mastodon")
    assert acc.status == HealthStatus.BROKEN and "401" in acc.last_error and acc.last_error_at is not None
    assert "revoked-token-abc123" not in out + err + _everything_stored(empty_db)

    monkeypatch.delenv("MASTODON_TOKEN_SIAMTEA")
    code, out, err = cli("channels", "check", "siam-tea-mastodon")
    assert code == 1 and "broken" in out and "MASTODON_TOKEN_SIAMTEA is not set" in out


def test_a_server_error_degrades_and_recovery_is_recorded(
    cli, empty_db, mastodon_server, mastodon_account, monkeypatch
):
    monkeypatch.setenv("MASTODON_TOKEN_SIAMTEA", mastodon_account.access_token)
    args = ["--base-url", mastodon_server.base_url, "--token-env", "MASTODON_TOKEN_SIAMTEA", "--handle", "@x"]
    assert cli("channels", "add", "--brand", "siam-tea", "--platform", "mastodon", *args)[0] == 0
    mastodon_server.add_fault(status=503, path="/api/v1/accounts/verify_credentials")
    code, out, _ = cli("channels", "check", "siam-tea-mastodon")
    assert code == 1 and "degraded" in out and "503" in out
    code, out, _ = cli("channels", "check", "siam-tea-mastodon")
    # The server is back, but the token belongs to another account than the channel's handle.
    assert code == 1 and "broken" in out and "but this channel is @x" in out


def test_webhook_channel_defaults_its_handle_and_is_checked_with_a_signed_ping(
    cli, empty_db, webhook_receiver, monkeypatch
):
    monkeypatch.setenv("HOOK_SECRET_SIAMTEA", webhook_receiver.secret)
    code, out, err = cli(
        "channels", "add", "--brand", "siam-tea", "--platform", "instagram", "--connector", "webhook",
        "--base-url", webhook_receiver.url, "--token-env", "HOOK_SECRET_SIAMTEA",
    )  # fmt: skip
    assert code == 0 and "@siam-tea" in out and "defaulted" in err
    code, out, _ = cli("channels", "check", "--all", "--brand", "siam-tea")
    assert code == 0 and "siam-tea-instagram  ok" in out
    [ping] = webhook_receiver.events("ping")
    assert ping.verified
    webhook_receiver.fail_next(500)
    assert cli("channels", "check", "siam-tea-instagram")[0] == 1
    assert _account(empty_db, "siam-tea-instagram").status == HealthStatus.DEGRADED


def test_connector_names_are_not_platforms_and_check_needs_a_target(cli):
    code, _, err = cli("channels", "add", "--brand", "siam-tea", "--platform", "webhook")
    assert code == 1 and "--platform instagram --connector webhook" in err
    code, _, err = cli("channels", "check")
    assert code == 1 and "give a channel slug or --all" in err
    code, _, err = cli("channels", "check", "nope")
    assert code == 1 and "no channel 'nope'" in err


def test_only_connection_managers_may_check(cli, empty_db, webhook_receiver, monkeypatch):
    monkeypatch.setenv("HOOK_SECRET_SIAMTEA", webhook_receiver.secret)
    args = [
        "--base-url",
        webhook_receiver.url,
        "--token-env",
        "HOOK_SECRET_SIAMTEA",
        "--connector",
        "webhook",
    ]
    assert cli("channels", "add", "--brand", "siam-tea", "--platform", "x", *args)[0] == 0
    with read_session(empty_db) as s:
        brand_id = s.scalars(select(Brand.id)).one()
    manager = Actor(email="m@siam.tea", workspace_role=Role.MANAGER)
    with pytest.raises(PermissionDenied):
        connections.check_connection(manager, "siam-tea-x", engine=empty_db)
    assert connections.checkable_channels(manager, engine=empty_db) == []
    admin_of_brand = Actor(email="a@siam.tea", brand_roles={brand_id: Role.ADMIN})
    assert connections.check_connection(admin_of_brand, "siam-tea-x", engine=empty_db).ok
    assert webhook_receiver.requests[-1].verified


def test_a_bluesky_app_password_alone_cannot_name_the_account(cli, monkeypatch):
    monkeypatch.setenv("BSKY_PASSWORD_SIAMTEA", "abcd-efgh-ijkl-mnop")
    code, _, err = cli(
        "channels", "add", "--brand", "siam-tea", "--platform", "bluesky",
        "--base-url", "http://127.0.0.1:9", "--token-env", "BSKY_PASSWORD_SIAMTEA",
    )  # fmt: skip
    assert code == 1 and "pass --handle" in err and "HANDLE:APP-PASSWORD" in err
    assert "abcd-efgh" not in err
    assert cli("channels", "--json")[1].strip() == "[]"
