"""The one table of settings: for each, its name, environment variable, secrets.toml key, default, a
line of help and its parser. Nothing else in the code names an environment variable or a secrets key
to read; README's Configuration table and `.streamlit/secrets.toml.example` are checked against this
one (tests/test_settings_docs.py), in the manner of Datasette's documented settings.

Open-ended settings are families, written with a placeholder: one cadence per job (`[jobs] <job>`,
`SOCIALOPS_JOB_<JOB>`), one credential per name a channel gives (`[connectors] <VAR>`, `<VAR>`), or a
table read whole whose keys belong to someone else (`[auth]` for st.login, the service account key)."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from app.config.parse import (
    BOOL,
    CRASH_POINTS,
    CREDENTIAL,
    DATABASE_URL,
    DURATION_OR_OFF,
    EMAIL,
    EXTENSIONS,
    FLAG,
    HTTP_URL,
    PATH,
    PATHS,
    PORT,
    TEXT,
    VERBATIM,
    Parser,
    number,
    table,
)

REPO_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_DB_FILE = "socialops.db"

# How the key of an open-ended setting fills its placeholder: a job's name as it is in [jobs] and
# upper-cased in the environment; a credential's variable exactly as the channel names it.
PLACEHOLDERS: dict[str, Callable[[str], str]] = {
    "<job>": lambda key: key,
    "<JOB>": str.upper,
    "<VAR>": lambda key: key,
}
_PLACEHOLDER = re.compile("|".join(re.escape(p) for p in PLACEHOLDERS))
_SECRETS_KEY = re.compile(r"^\[([A-Za-z0-9_.]+)\](?: (\S+))?$")


def split_secrets_key(text: str) -> tuple[str, str | None]:
    """`[smtp] host` → ("smtp", "host"); `[auth]` → ("auth", None), a table read whole."""
    match = _SECRETS_KEY.match(text)
    if not match:
        raise ValueError(f"not a secrets key: {text!r}")
    return match.group(1), match.group(2)


@dataclass(frozen=True)
class Setting:
    name: str
    help: str
    parser: Parser
    env: str | None = None
    secrets: str | None = None  # "[section] key", or "[section]" for a table read whole
    default: Any = None
    # README's Default cell, when the value alone would not say it (a default that depends on another
    # setting, or "none" meaning a feature is off).
    default_doc: str | None = None
    aliases: tuple[str, ...] = ()  # older secrets keys, read after `secrets`
    secret: bool = False  # its value never appears in a message
    internal: bool = False  # for the test suite only; documented so nobody wonders what it is

    @property
    def open_ended(self) -> bool:
        """A family (one per job, per credential) or a table read whole."""
        keys = [k for k in (self.env, self.secrets) if k]
        return any(_PLACEHOLDER.search(k) for k in keys) or (
            self.secrets is not None and split_secrets_key(self.secrets)[1] is None
        )

    def _fill(self, text: str, key: str | None) -> str:
        if _PLACEHOLDER.search(text) is None:
            if key is not None:
                raise TypeError(f"setting {self.name} takes no key")
            return text
        if key is None:
            raise TypeError(f"setting {self.name} needs a key for {text}")
        return _PLACEHOLDER.sub(lambda m: PLACEHOLDERS[m.group(0)](key), text)

    def env_for(self, key: str | None = None) -> str | None:
        return None if self.env is None else self._fill(self.env, key)

    def secrets_for(self, key: str | None = None) -> list[tuple[str, str | None]]:
        """Where in secrets.toml to look, in order: (section, key), key None for a whole table."""
        places = [split_secrets_key(p) for p in ([self.secrets, *self.aliases] if self.secrets else [])]
        return [(section, None if item is None else self._fill(item, key)) for section, item in places]

    def documented_default(self) -> str:
        """The default as README's table shows it."""
        if self.default_doc is not None:
            return self.default_doc
        value = self.default
        if isinstance(value, bool):
            return "on" if value else "off"
        if value is None or value == "" or value == ():
            return "none"
        if isinstance(value, tuple):
            return "`" + ", ".join(str(v) for v in value) + "`"
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        return f"`{value}`"


def _assets() -> list[Setting]:
    # Upload limits per kind of file. Audio is off by default: no platform takes it.
    limits = {"image": 20, "video": 500, "document": 50, "audio": 100}
    types = {
        "image": ("jpg", "jpeg", "png", "gif", "webp"),
        "video": ("mp4", "mov", "webm"),
        "document": ("pdf",),
        "audio": (),
    }
    return [
        *(
            Setting(
                f"asset_max_mb_{kind}",
                f"Largest {kind} upload, in MB",
                number(0, above=True),
                env=f"SOCIALOPS_ASSET_MAX_MB_{kind.upper()}",
                secrets=f"[assets] max_mb_{kind}",
                default=float(mb),
            )
            for kind, mb in limits.items()
        ),
        *(
            Setting(
                f"asset_{kind}_types",
                f"The {kind} file endings the library accepts (each checked by content)",
                EXTENSIONS,
                secrets=f"[assets] {kind}_types",
                default=exts,
            )
            for kind, exts in types.items()
        ),
        Setting(
            "asset_max_image_pixels",
            # 50 megapixels covers phone and DSLR photos; decoding one takes ~150 MB, a bomb far more.
            "Largest image in pixels (decompression-bomb guard)",
            number(0, above=True, whole=True),
            env="SOCIALOPS_ASSET_MAX_IMAGE_PIXELS",
            secrets="[assets] max_image_pixels",
            default=50_000_000,
        ),
        Setting(
            "asset_thumbnail_px",
            "Longest side of the library's thumbnails, in pixels",
            number(0, above=True, whole=True),
            env="SOCIALOPS_ASSET_THUMBNAIL_PX",
            secrets="[assets] thumbnail_px",
            default=320,
        ),
    ]


def _smtp() -> list[Setting]:
    def smtp(key: str, help: str, parser: Parser, default: Any, **kw: Any) -> Setting:
        return Setting(f"smtp_{key}", help, parser, f"SOCIALOPS_SMTP_{key.upper()}", f"[smtp] {key}",
                       default, **kw)  # fmt: skip

    return [
        smtp("host", "Mail server for scheduled reports", TEXT, "", default_doc="none: no mail"),
        smtp("port", "Mail server port", PORT, 587),
        smtp("starttls", "Encrypt the mail connection with STARTTLS", BOOL, True),
        smtp("username", "Mail login user", TEXT, "", default_doc="none: no login"),
        smtp("password", "Mail login password", VERBATIM, "", secret=True),
        smtp("from", "Sender of the mails", TEXT, "SocialOps Hub <reports@localhost>"),
    ]


def _sheets() -> list[Setting]:
    def bound(key: str, help: str, parser: Parser, default: float) -> Setting:
        return Setting(f"sheets_{key}", help, parser, f"SOCIALOPS_SHEETS_{key.upper()}", f"[sheets] {key}",
                       default)  # fmt: skip

    return [
        Setting(
            "sheets_api_url",
            "Google Sheets endpoint (another Sheets-compatible server in tests)",
            HTTP_URL,
            env="GOOGLE_SHEETS_API_URL",
            secrets="[sheets] api_url",
            default="https://sheets.googleapis.com",
        ),
        Setting(
            "sheets_service_account",
            "The Google service account's JSON key, as a table",
            table("the service account's JSON key"),
            secrets="[sheets.service_account]",
            default_doc="none: no mirror",
            secret=True,
        ),
        bound("timeout_seconds", "Seconds to wait for one Sheets request", number(0.1), 30.0),
        bound(
            "max_attempts", "Tries of one Sheets request (429 and 5xx are retried)", number(1, whole=True), 5
        ),
        bound("backoff_seconds", "First wait between Sheets retries, seconds", number(0), 1.0),
        bound("backoff_max_seconds", "Longest wait between Sheets retries, seconds", number(0), 16.0),
        # One worksheet's sync gives up (and reports) after this long, retries included.
        bound("deadline_seconds", "Seconds one worksheet's sync may take in all", number(0.1), 120.0),
        Setting(
            "sheets_schema_dir",
            "Folder of the worksheet declarations (*.yaml)",
            PATH,
            env="SOCIALOPS_SHEETS_SCHEMA_DIR",
            default=REPO_ROOT / "sheets_schema",
            default_doc="`sheets_schema/`",
        ),
    ]


SETTINGS: tuple[Setting, ...] = (
    # --- store and app ----------------------------------------------------------------------------------
    Setting(
        "database_url",
        "The store: the embedded SQLite file, or PostgreSQL for a team",
        DATABASE_URL,
        env="DATABASE_URL",
        secrets="[database] url",
        # None: the SQLite file in the data folder (get_settings), so it follows SOCIALOPS_DATA_DIR.
        default_doc="`sqlite:///data/socialops.db`",
        secret=True,  # the URL may carry a password; errors show it masked
    ),
    Setting(
        "data_dir",
        "Data folder: the SQLite file, the asset library, report files",
        PATH,
        env="SOCIALOPS_DATA_DIR",
        secrets="[app] data_dir",
        default=REPO_ROOT / "data",
        default_doc="`data/`",
    ),
    Setting(
        "demo_on_first_start",
        "Fill an empty workspace with demo data on first start",
        BOOL,
        env="SOCIALOPS_DEMO",
        secrets="[app] demo_on_first_start",
        default=True,
    ),
    Setting(
        "local_admin_email",
        "Who you are when there is no [auth] section",
        EMAIL,
        secrets="[app] local_admin_email",
        default="admin@localhost",
    ),
    Setting(
        "secrets_file",
        "Where secrets.toml is (st.login still reads Streamlit's own .streamlit/secrets.toml)",
        PATH,
        env="SOCIALOPS_SECRETS_FILE",
        default=REPO_ROOT / ".streamlit" / "secrets.toml",
        default_doc="`.streamlit/secrets.toml`",
    ),
    Setting(
        "auth",
        "Sign-in with st.login (OIDC); st.login reads the section itself",
        table("st.login's settings, or one [auth.NAME] table per provider"),
        secrets="[auth]",
        default_doc="off: one local admin",
        secret=True,
    ),
    # --- features -----------------------------------------------------------------------------------------
    *_assets(),
    Setting(
        "job_every",
        "How often a job runs (python -m jobs.runner)",
        DURATION_OR_OFF,
        env="SOCIALOPS_JOB_<JOB>",
        secrets="[jobs] <job>",
        default_doc="the job's own (see [Jobs](#jobs))",
    ),
    Setting(
        "job_late_after",
        "When a job that has not succeeded counts as late",
        DURATION_OR_OFF,
        env="SOCIALOPS_JOB_<JOB>_LATE_AFTER",
        secrets="[jobs] <job>_late_after",
        default_doc="two cadences plus the job's grace",
    ),
    *_smtp(),
    Setting(
        "report_folders",
        "Folders scheduled reports may be saved in",
        PATHS,
        env="SOCIALOPS_REPORT_FOLDERS",
        secrets="[reports] folders",
        default=(),
        default_doc="`<data dir>/reports`",
    ),
    Setting(
        "connector_credential",
        "A channel's token or signing secret, under the name the channel gives",
        CREDENTIAL,
        env="<VAR>",
        secrets="[connectors] <VAR>",
        aliases=("[tokens] <VAR>",),  # the older name of the table
        default_doc="none: the channel cannot connect",
        secret=True,
    ),
    *_sheets(),
    # --- diagnostics ---------------------------------------------------------------------------------------
    Setting(
        "debug",
        "Show the traceback of an unexpected CLI error",
        FLAG,
        env="SOCIALOPS_DEBUG",
        default=False,
    ),
    Setting(
        "fault",
        "Crash points to die at (the crash tests; never in production)",
        CRASH_POINTS,
        env="SOCIALOPS_FAULT",
        default=(),
        default_doc="off",
        internal=True,
    ),
    Setting(
        "clock",
        "Stops the product's clock at this ISO 8601 instant (the date tests; never in production)",
        TEXT,
        env="SOCIALOPS_CLOCK",
        default="",
        default_doc="off: the system clock",
        internal=True,
    ),
)

_BY_NAME = {s.name: s for s in SETTINGS}


def setting(name: str) -> Setting:
    try:
        return _BY_NAME[name]
    except KeyError:
        raise KeyError(f"no setting named {name!r} in app/config/table.py") from None
