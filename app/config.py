"""Settings for the app, the CLI and the jobs: environment first, then `.streamlit/secrets.toml`.

Secrets live only in the environment or in the secrets file; nothing here is ever written back
or printed (see `Settings.describe`, which masks passwords in the database URL).
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy.engine import make_url

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DB_FILE = "socialops.db"


class ConfigError(RuntimeError):
    """The configuration cannot be used; the message says which setting and why."""


def secrets_path() -> Path:
    return Path(os.environ.get("SOCIALOPS_SECRETS_FILE", REPO_ROOT / ".streamlit" / "secrets.toml"))


def load_secrets(path: Path | None = None) -> dict[str, Any]:
    """The parsed secrets file, or {} when there is none. A broken file is a ConfigError, not a traceback."""
    path = path or secrets_path()
    if not path.exists():
        return {}
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path} is not valid TOML: {exc}") from None


def normalise_database_url(url: str) -> str:
    """Accept the URL spellings people paste (postgres://, postgresql://) and pick the psycopg 3 driver."""
    url = url.strip()
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://") :]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://") :]
    try:
        parsed = make_url(url)
    except Exception:
        raise ConfigError(f"DATABASE_URL is not a database URL: {mask_url(url)!r}") from None
    if parsed.get_backend_name() not in ("sqlite", "postgresql"):
        raise ConfigError(
            f"DATABASE_URL uses {parsed.get_backend_name()!r}; SocialOps Hub runs on sqlite or postgresql"
        )
    return url


def mask_url(url: str) -> str:
    """The URL with any password replaced, safe for logs and pages."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:
        return "<unparseable URL>"


def _truthy(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    return str(value).strip().lower() in {"1", "true", "yes", "on"}


@dataclass(frozen=True)
class Settings:
    database_url: str
    data_dir: Path
    demo_on_first_start: bool = True
    local_admin_email: str = "admin@localhost"
    # The parsed secrets file, for the sections later features read (smtp, tokens, sheets).
    secrets: dict[str, Any] = field(default_factory=dict, repr=False)


def get_settings() -> Settings:
    """Read the settings now (cheap): environment variables win over the secrets file."""
    secrets = load_secrets()
    app_section = secrets.get("app", {}) if isinstance(secrets.get("app"), dict) else {}
    data_dir = Path(os.environ.get("SOCIALOPS_DATA_DIR") or app_section.get("data_dir") or REPO_ROOT / "data")

    raw_url = os.environ.get("DATABASE_URL") or (secrets.get("database") or {}).get("url")
    url = normalise_database_url(raw_url) if raw_url else f"sqlite:///{data_dir / DEFAULT_DB_FILE}"

    demo = os.environ.get("SOCIALOPS_DEMO", app_section.get("demo_on_first_start", True))
    return Settings(
        database_url=url,
        data_dir=data_dir,
        demo_on_first_start=_truthy(demo),
        local_admin_email=str(app_section.get("local_admin_email", "admin@localhost")).strip().lower(),
        secrets=secrets,
    )
