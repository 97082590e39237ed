"""Settings come from the environment first, then .streamlit/secrets.toml; bad ones fail clearly."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.config import ConfigError, get_settings, mask_url, normalise_database_url


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
