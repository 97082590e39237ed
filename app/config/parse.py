"""How a setting's raw value (an environment string or a secrets.toml value) becomes its value: one
parser per kind (on/off, number, duration, path, list, URL...), each saying in words what is wrong.

A parser raises ValueError with the problem only; `parse_value` adds where the value came from and the
value itself (never for a secret), so every bad setting reads `WHERE = 'VALUE': PROBLEM`."""

from __future__ import annotations

import math
import os
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

from sqlalchemy.engine import make_url


class ConfigError(RuntimeError):
    """The configuration cannot be used; the message says which setting and why."""


@dataclass(frozen=True)
class Parser:
    kind: str  # how the settings table describes it: "on/off", "number > 0", "duration or off"...
    convert: Callable[[Any], Any]  # raises ValueError (or ConfigError, already worded) when it cannot


def parse_value(parser: Parser, raw: Any, where: str, *, secret: bool = False) -> Any:
    """`raw` converted, or a ConfigError naming `where` (an environment variable or `[section] key`) and
    the bad value; a secret's value is left out of the message."""
    try:
        return parser.convert(raw)
    except ConfigError:
        raise
    except (ValueError, TypeError) as exc:
        shown = "" if secret else f" = {raw!r}"
        raise ConfigError(f"{where}{shown}: {exc}") from None


def blank(raw: Any) -> bool:
    """Not set: absent, or an empty string (`SOCIALOPS_DEMO=` in a compose file means "not given")."""
    return raw is None or (isinstance(raw, str) and not raw.strip())


# --- the parsers ---------------------------------------------------------------------------------------

ON = frozenset({"1", "true", "yes", "y", "on"})
OFF = frozenset({"0", "false", "no", "n", "off"})


def _on_off(raw: Any) -> bool:
    if isinstance(raw, bool):
        return raw
    text = str(raw).strip().lower()
    if text in ON:
        return True
    if text in OFF:
        return False
    raise ValueError("give on or off (1/0, true/false, yes/no)")


BOOL = Parser("on/off", _on_off)
# Any value at all turns it on (SOCIALOPS_DEBUG=1 is what the CLI suggests; it never asked for more).
FLAG = Parser("flag: any value turns it on", lambda raw: True)
TEXT = Parser("text", lambda raw: str(raw).strip())
# Passwords are used exactly as given: a space may be part of one.
VERBATIM = Parser("text, kept as given", str)
PATH = Parser("path", lambda raw: Path(str(raw)))


def number(minimum: float, *, above: bool = False, whole: bool = False) -> Parser:
    """A number at least `minimum` (above it, with `above`); `whole`: an integer."""
    bound = f"{'>' if above else '≥'} {minimum:g}"

    def convert(raw: Any) -> float | int:
        if isinstance(raw, bool):
            raise ValueError("must be a number")
        try:
            value = float(raw)
        except (TypeError, ValueError):
            raise ValueError("must be a number") from None
        if not math.isfinite(value):
            raise ValueError("must be a number")
        if value < minimum or (above and value == minimum):
            raise ValueError(f"must be {'above' if above else 'at least'} {minimum:g}")
        if whole:
            if not value.is_integer():
                raise ValueError("must be a whole number")
            return int(value)
        return value

    return Parser(f"{'whole ' if whole else ''}number {bound}", convert)


def _port(raw: Any) -> int:
    value = number(1, whole=True).convert(raw)
    if value > 65535:
        raise ValueError("must be a port number (1 to 65535)")
    return int(value)


PORT = Parser("port number (1–65535)", _port)


def _email(raw: Any) -> str:
    text = str(raw).strip().lower()
    if "@" not in text:
        raise ValueError("must be an e-mail address")
    return text


EMAIL = Parser("e-mail address (lower-cased)", _email)


def _words(raw: Any) -> tuple[str, ...]:
    items = [w for w in re.split(r"[,\s]+", raw) if w] if isinstance(raw, str) else raw
    if not isinstance(items, list | tuple):
        raise ValueError('must be a list, e.g. ["jpg", "png"]')
    return tuple(dict.fromkeys(w for w in (str(i).strip().lower().lstrip(".") for i in items) if w))


# File name endings: a TOML list, or one string of words separated by commas or spaces.
EXTENSIONS = Parser("list of file endings", _words)


def _paths(raw: Any) -> tuple[str, ...]:
    items = raw.split(os.pathsep) if isinstance(raw, str) else raw
    if not isinstance(items, list | tuple):
        raise ValueError(f'must be a list of folders, e.g. ["/srv/reports"] (or separated by "{os.pathsep}")')
    return tuple(str(i) for i in items if str(i).strip())


PATHS = Parser(f"list of folders (a string separates them with {os.pathsep!r})", _paths)


def _http_url(raw: Any) -> str:
    url = str(raw).strip()
    if not url.startswith(("https://", "http://")):
        raise ValueError("must be an http(s) URL")
    return url.rstrip("/")


HTTP_URL = Parser("http(s) URL", _http_url)

_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
_DURATION = re.compile(r"^\s*(\d+)\s*([smhd])\s*$")
NEVER = ("off", "false", "no", "0", "never")


def _duration_or_off(raw: Any) -> timedelta | None:
    """ "30s", "5m", "1h", "1d" → a timedelta; "off" → None."""
    text = str(raw).strip().lower()
    if text in NEVER or raw is False:
        return None
    match = _DURATION.match(text)
    if not match or int(match.group(1)) == 0:
        raise ValueError('give a number with a unit (30s, 5m, 1h, 1d) or "off"')
    return timedelta(seconds=int(match.group(1)) * _UNITS[match.group(2)])


DURATION_OR_OFF = Parser('duration (30s, 5m, 1h, 1d) or "off"', _duration_or_off)


def _credential(raw: Any) -> str:
    if not isinstance(raw, str):
        raise ValueError('must be a string (NAME = "...")')
    return raw.strip()


CREDENTIAL = Parser("text (a token or secret, never shown)", _credential)


def table(what: str) -> Parser:
    """A TOML table taken whole (its keys are someone else's: st.login's, Google's); empty is unset."""

    def convert(raw: Any) -> dict[str, Any] | None:
        if not isinstance(raw, Mapping):
            raise ValueError(f"must be a table ({what})")
        return dict(raw) or None

    return Parser(f"table ({what})", convert)


def _points(raw: Any) -> tuple[str, ...]:
    return tuple(p.strip() for p in str(raw).split(",") if p.strip())


CRASH_POINTS = Parser("crash point names, comma-separated", _points)


# --- database URLs -------------------------------------------------------------------------------------


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


DATABASE_URL = Parser("database URL (sqlite or postgresql)", lambda raw: normalise_database_url(str(raw)))
