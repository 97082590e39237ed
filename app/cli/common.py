"""What every command group of `python -m app` shares: the one-line error, the parser, the store and its
readiness check, row listings, progress lines and reading the file an `import` action names."""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
from collections.abc import Callable, Sequence
from datetime import date, datetime
from pathlib import Path
from typing import Any, NoReturn, Protocol

from sqlalchemy import Engine

from app.config import get_settings
from app.db import current_revision, get_engine, head_revision
from app.services.org import DbState, database_state


class CliError(Exception):
    """A problem the user can fix; printed as one line."""


class CliParser(argparse.ArgumentParser):
    """A mistyped command is one line on stderr and exit code 2, not the usage block."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"error: {message} (see `{self.prog} --help`)\n")


class Commands(Protocol):
    """The sub-commands of a parser (what `add_subparsers` returns), where a group adds its own."""

    def add_parser(self, name: str, **kwargs: Any) -> CliParser: ...


# --- output ---------------------------------------------------------------------------------------


def _scalar(value: Any) -> Any:
    """A cell of a pandas frame as a plain value: numpy numbers as Python ones, a missing value (NaN,
    NaT, None) as None, and a whole float as an int (a row number read through a column with gaps is
    58.0 in pandas; people and scripts want 58)."""
    if type(value).__name__ in ("NAType", "NaTType"):  # pandas' missing values
        return None
    if hasattr(value, "item") and not isinstance(value, str | bytes):
        value = value.item()
    try:
        if value != value:  # NaN and NaT are not equal to themselves
            return None
    except (TypeError, ValueError):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def _plain(value: Any) -> Any:
    value = _scalar(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, list):
        return ",".join(str(v) for v in value)
    if isinstance(value, dict):
        return ",".join(f"{k}:{v}" for k, v in value.items())
    if isinstance(value, bool):
        return "yes" if value else "no"
    return "" if value is None else value


def print_rows(rows: Sequence[Any], columns: Sequence[str], as_json: bool) -> None:
    """Dataclass rows: JSON objects, or aligned columns with the first column (the slug) first."""
    dicts = [dataclasses.asdict(r) if dataclasses.is_dataclass(r) else dict(r) for r in rows]
    if as_json:
        print(
            json.dumps(
                [{k: _scalar(d[k]) for k in columns} for d in dicts],
                default=str,
                ensure_ascii=False,
                indent=2,
            )
        )
        return
    cells = [[str(_plain(d[c])) for c in columns] for d in dicts]
    widths = [max([len(c), *(len(row[i]) for row in cells)]) for i, c in enumerate(columns)]
    print("  ".join(c.upper().ljust(w) for c, w in zip(columns, widths, strict=True)).rstrip())
    for row in cells:
        print("  ".join(v.ljust(w) for v, w in zip(row, widths, strict=True)).rstrip())


def print_json(report: Any) -> None:
    """A dataclass report as indented JSON, for scripts."""
    print(json.dumps(dataclasses.asdict(report), default=str, ensure_ascii=False, indent=2))


def progress_printer() -> Callable[[float, str], None]:
    """A progress callback that prints each new message once, on stderr so stdout stays parseable."""
    last = {"message": None}

    def report(fraction: float, message: str) -> None:
        if message != last["message"]:
            print(f"  {fraction:4.0%}  {message}", file=sys.stderr, flush=True)
            last["message"] = message

    return report


# --- the store ------------------------------------------------------------------------------------


def database_engine() -> Engine:
    """The engine of the store DATABASE_URL names."""
    return get_engine(get_settings().database_url)


def require_ready() -> None:
    """Refuse, with what to run, a store that is empty or at another schema revision than this code."""
    engine = database_engine()
    state = database_state(engine)
    if state == DbState.EMPTY:
        raise CliError(
            "the database is empty: run `python -m app db upgrade`, then `python -m app demo` or `db reset`"
        )
    if state == DbState.BEHIND:
        raise CliError(
            f"the database schema is at {current_revision(engine)}, this code needs {head_revision()}: "
            "run `python -m app db upgrade`"
        )
    if state == DbState.UNKNOWN_REVISION:
        raise CliError("the database was migrated by a newer SocialOps Hub; update the code")


# --- import files ---------------------------------------------------------------------------------


def read_import_file(args: argparse.Namespace) -> tuple[bytes, str]:
    """(content, file name) of the file an `import` action names, once the store is known to be ready."""
    require_ready()
    path = Path(args.file)
    if not path.is_file():
        raise CliError(f"no file {args.file!r}")
    return path.read_bytes(), path.name


def problem_line(p: Any) -> str:
    """One refused cell of an import: where it is, what it held and why."""
    return f"row {p.row}, {p.column} '{p.value}': {p.reason}"
