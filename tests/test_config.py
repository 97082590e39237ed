"""Settings come from the environment first, then .streamlit/secrets.toml, then the table's default; bad
ones fail clearly, naming the setting and the value (never a secret's)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from app.config import (
    ConfigError,
    auth_settings,
    get_settings,
    mask_url,
    normalise_database_url,
    read_settings,
    setting,
    setting_value,
)


def test_default_store_is_the_sqlite_file_in_the_data_folder(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("SOCIALOPS_DATA_DIR", str(tmp_path))
    settings = get_settings()
    assert settings.database_url == f"sqlite:///{tmp_path / 'socialops.db'}"
    assert settings.demo_on_first_start


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("postgres://u:p@db:5432/hub", "postgresql+psycopg://u:p@db:5432/hub"),
        ("postgresql://u@db/hub", "postgresql+psycopg://u@db/hub"),
        ("postgresql+psycopg://u@db/hub", "postgresql+psycopg://u@db/hub"),
        ("sqlite:////var/lib/hub.db", "sqlite:////var/lib/hub.db"),
    ],
)
def test_database_url_spellings(given: str, expected: str) -> None:
    assert normalise_database_url(given) == expected


def test_unsupported_database_is_refused() -> None:
    with pytest.raises(ConfigError, match="runs on sqlite or postgresql"):
        normalise_database_url("mysql://root@localhost/hub")


def test_passwords_never_appear_in_descriptions() -> None:
    assert "s3cret" not in mask_url("postgresql+psycopg://hub:s3cret@db/hub")


def test_environment_wins_over_the_secrets_file(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    secrets = tmp_path / "secrets.toml"
    secrets.write_text('[database]\nurl = "postgresql://file@db/hub"\n[app]\ndemo_on_first_start = false\n')
    monkeypatch.setenv("SOCIALOPS_SECRETS_FILE", str(secrets))
    assert get_settings().database_url == "postgresql+psycopg://file@db/hub"
    assert get_settings().demo_on_first_start is False
    monkeypatch.setenv("DATABASE_URL", "postgresql://env@db/hub")
    monkeypatch.setenv("SOCIALOPS_DEMO", "1")
    assert get_settings().database_url == "postgresql+psycopg://env@db/hub"
    assert get_settings().demo_on_first_start is True


def test_a_broken_secrets_file_is_one_clear_error(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    secrets = tmp_path / "secrets.toml"
    secrets.write_text("[database\nurl = 'x'\n")
    monkeypatch.setenv("SOCIALOPS_SECRETS_FILE", str(secrets))
    with pytest.raises(ConfigError, match=r"secrets\.toml is not valid TOML"):
        get_settings()


# --- the settings table, read through app.config ---------------------------------------------------------


def _secrets(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, text: str) -> None:
    path = tmp_path / "secrets.toml"
    path.write_text(text, encoding="utf-8")
    monkeypatch.setenv("SOCIALOPS_SECRETS_FILE", str(path))


def test_an_empty_environment_variable_counts_as_not_set(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    _secrets(monkeypatch, tmp_path, '[smtp]\nport = 2525\n[app]\ndemo_on_first_start = "off"\n')
    monkeypatch.setenv("SOCIALOPS_SMTP_PORT", "")
    monkeypatch.setenv("SOCIALOPS_DEMO", " ")
    monkeypatch.setenv("DATABASE_URL", "")
    assert setting_value("smtp_port") == 2525, "the file, not an error about ''"
    settings = get_settings()
    assert settings.demo_on_first_start is False
    assert settings.database_url.startswith("sqlite:///")


@pytest.mark.parametrize(
    ("name", "key", "value", "message"),
    [
        ("demo_on_first_start", None, "maybe", "SOCIALOPS_DEMO = 'maybe': give on or off"),
        ("smtp_port", None, "abc", "SOCIALOPS_SMTP_PORT = 'abc': must be a number"),
        ("smtp_port", None, "70000", "SOCIALOPS_SMTP_PORT = '70000': must be a port number"),
        ("asset_max_mb_image", None, "0", "SOCIALOPS_ASSET_MAX_MB_IMAGE = '0': must be above 0"),
        ("sheets_max_attempts", None, "2.5", "SOCIALOPS_SHEETS_MAX_ATTEMPTS = '2.5': must be a whole"),
        ("sheets_api_url", None, "ftp://x", "GOOGLE_SHEETS_API_URL = 'ftp://x': must be an http(s) URL"),
        ("job_every", "sync_inbox", "5", "SOCIALOPS_JOB_SYNC_INBOX = '5': give a number with a unit"),
    ],
)
def test_a_bad_value_names_the_setting_and_the_value(
    monkeypatch: pytest.MonkeyPatch, name: str, key: str | None, value: str, message: str
) -> None:
    env = setting(name).env_for(key)
    assert env is not None
    monkeypatch.setenv(env, value)
    with pytest.raises(ConfigError) as bad:
        read_settings().value(name, key)
    assert str(bad.value).startswith(message), str(bad.value)


def test_a_bad_value_in_the_file_names_its_section_and_key(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    _secrets(monkeypatch, tmp_path, '[sheets]\ntimeout_seconds = "soon"\n[assets]\nimage_types = 3\n')
    with pytest.raises(ConfigError, match=r"^\[sheets\] timeout_seconds = 'soon': must be a number"):
        setting_value("sheets_timeout_seconds")
    with pytest.raises(ConfigError, match=r"^\[assets\] image_types = 3: must be a list"):
        setting_value("asset_image_types")
    _secrets(monkeypatch, tmp_path, 'assets = "big"\n')
    with pytest.raises(ConfigError, match=r"\[assets\] in secrets.toml must be a table"):
        setting_value("asset_max_mb_image")


def test_a_secret_is_never_shown(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    _secrets(
        monkeypatch, tmp_path, '[connectors]\nLUMI = 123456789\n[sheets]\nservice_account = "pk-hunter2"\n'
    )
    for name, key in (("connector_credential", "LUMI"), ("sheets_service_account", None)):
        with pytest.raises(ConfigError) as bad:
            setting_value(name, key)
        assert "123456789" not in str(bad.value) and "hunter2" not in str(bad.value)
    monkeypatch.setenv("DATABASE_URL", "mysql://root:hunter2@db/hub")
    with pytest.raises(ConfigError) as bad:
        get_settings()
    assert "hunter2" not in str(bad.value)


def test_open_ended_settings_are_families(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    _secrets(monkeypatch, tmp_path, '[jobs]\nsync_inbox_late_after = "2h"\n[tokens]\nOld_Token = "t"\n')
    monkeypatch.setenv("SOCIALOPS_JOB_SYNC_INBOX", "10m")
    settings = read_settings()
    assert settings.value("job_every", "sync_inbox") == timedelta(minutes=10)
    assert settings.lookup("job_every", "publish_due") is None, "unset: the job's own cadence applies"
    found = settings.lookup("job_late_after", "sync_inbox")
    assert (
        found is not None
        and found.value == timedelta(hours=2)
        and found.where == "[jobs] sync_inbox_late_after"
    )
    # A credential's variable is used exactly as the channel spells it, in the environment and the file.
    credential = settings.lookup("connector_credential", "Old_Token")
    assert credential is not None and credential.source == "secrets.toml"
    assert settings.lookup("connector_credential", "OLD_TOKEN") is None
    with pytest.raises(TypeError, match="needs a key"):
        settings.value("job_every")


def test_environment_only_settings_never_open_the_secrets_file(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    # The crash points are read at every maybe_crash: a broken secrets file must not make them fail.
    _secrets(monkeypatch, tmp_path, "[broken\n")
    monkeypatch.setenv("SOCIALOPS_FAULT", "a.b, c.d")
    assert setting_value("fault") == ("a.b", "c.d")
    assert setting_value("debug") is False


def test_auth_is_read_from_the_secrets_streamlit_hands_over() -> None:
    assert auth_settings({}) is None
    assert auth_settings({"auth": {}}) is None, "an empty [auth] leaves sign-in off"
    assert auth_settings({"auth": {"client_id": "hub"}}) == {"client_id": "hub"}
    with pytest.raises(ConfigError, match=r"^\[auth\]: must be a table"):
        auth_settings({"auth": "on"})
