"""Credentials come from the environment, then secrets.toml, and are named (never shown) when missing;
the registry builds the connector a channel's account asks for."""

from __future__ import annotations

import pytest

from app.connectors.base import NotSupported, PermanentError
from app.connectors.credentials import CredentialMissing, credential_source, resolve_credential
from app.connectors.mastodon import MastodonConnector
from app.connectors.registry import connector_for
from app.connectors.webhook import WebhookConnector
from app.models import Channel, ConnectorAccount
from app.models.enums import ConnectorKind, Platform


@pytest.fixture
def secrets_file(tmp_path, monkeypatch):
    path = tmp_path / "secrets.toml"
    monkeypatch.setenv("SOCIALOPS_SECRETS_FILE", str(path))
    return path


def test_environment_wins_over_secrets_file(secrets_file, monkeypatch):
    secrets_file.write_text('[connectors]\nLUMI_TOKEN = "from-file"\nONLY_FILE = "file-only"\n')
    monkeypatch.setenv("LUMI_TOKEN", "from-env")
    assert resolve_credential("LUMI_TOKEN") == "from-env"
    assert resolve_credential("ONLY_FILE") == "file-only"
    assert credential_source("LUMI_TOKEN") == "environment"
    assert credential_source("ONLY_FILE") == "secrets.toml"
    assert credential_source("NOWHERE") is None


def test_the_older_tokens_table_is_read_too(secrets_file):
    secrets_file.write_text('[tokens]\nOLD_STYLE = "old"\n[connectors]\nBOTH = "new"\n[tokens.x]\n')
    assert resolve_credential("OLD_STYLE") == "old" and resolve_credential("BOTH") == "new"


def test_something_that_is_not_a_variable_name_is_never_echoed(secrets_file):
    with pytest.raises(CredentialMissing) as refused:
        resolve_credential("glpat-xyz.123/abc")
    assert "glpat" not in str(refused.value)


def test_a_missing_credential_names_the_variable_and_where_to_put_it(secrets_file, monkeypatch):
    secrets_file.write_text('[connectors]\nOTHER = "hunter2-value"\nEMPTY = " "\n')
    monkeypatch.setenv("BLANK_TOKEN", "")
    for name in ("MISSING_TOKEN", "BLANK_TOKEN", "EMPTY"):
        with pytest.raises(CredentialMissing) as missing:
            resolve_credential(name)
        assert name in str(missing.value) and "[connectors]" in str(missing.value)
        assert "hunter2" not in str(missing.value)


def test_a_broken_secrets_file_is_a_clear_error(secrets_file):
    secrets_file.write_text("[connectors\nX = ")
    with pytest.raises(CredentialMissing, match="not valid TOML"):
        resolve_credential("X_TOKEN")


def _channel(kind: ConnectorKind, **acc) -> tuple[ConnectorAccount, Channel]:
    ch = Channel(platform=Platform.INSTAGRAM, handle="@lumi", slug="lumi-instagram")
    return ConnectorAccount(kind=kind, settings={}, **acc), ch


def test_registry_builds_each_kind_with_its_credential(secrets_file, monkeypatch):
    monkeypatch.setenv("HOOK_SECRET", "s")
    monkeypatch.setenv("MASTO_TOKEN", "t")
    hook = connector_for(
        *_channel(ConnectorKind.WEBHOOK, base_url="http://127.0.0.1:9/h", credential_env="HOOK_SECRET")
    )
    assert isinstance(hook, WebhookConnector) and hook.settings["platform"] == "instagram"
    assert hook.settings["channel"] == "lumi-instagram"
    masto = connector_for(
        *_channel(ConnectorKind.MASTODON, base_url="http://127.0.0.1:9", credential_env="MASTO_TOKEN")
    )
    assert isinstance(masto, MastodonConnector) and masto.handle == "@lumi"


def test_a_manual_channel_needs_no_credential(secrets_file):
    from app.connectors.manual import ManualConnector

    manual = connector_for(*_channel(ConnectorKind.MANUAL))
    assert isinstance(manual, ManualConnector) and manual.check_health().ok


def test_registry_refuses_export_channels_and_unset_credentials(secrets_file):
    with pytest.raises(NotSupported, match="export"):
        connector_for(*_channel(ConnectorKind.EXPORT))
    with pytest.raises(CredentialMissing, match="NOT_SET_TOKEN"):
        connector_for(*_channel(ConnectorKind.MASTODON, base_url="http://x", credential_env="NOT_SET_TOKEN"))
    with pytest.raises(PermanentError, match="access token"):
        connector_for(*_channel(ConnectorKind.MASTODON, base_url="http://x"))
