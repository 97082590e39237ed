"""`python -m app`: the command line for power users and jobs. It calls the same services as the app
(same permission checks, same audit log; it acts as `cli:<os user>`, an admin). Listing commands print
one row per line with the slug first, or JSON with --json. Errors are one line on stderr, exit code 1
(2 for a mistyped command)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from sqlalchemy.exc import OperationalError

from app.cli.audit import add_audit_commands
from app.cli.bulk import add_import_export_commands
from app.cli.common import CliError, CliParser
from app.cli.db import add_db_commands
from app.cli.metrics import add_metrics_commands
from app.cli.ops import add_backup_commands
from app.cli.org import add_org_commands
from app.cli.reports import add_report_commands
from app.cli.sheets import add_sheets_commands
from app.cli.strategy import add_strategy_commands
from app.config import ConfigError, get_settings, mask_url, setting_value
from app.services.core import ServiceError

__all__ = ["build_parser", "main"]


def build_parser() -> argparse.ArgumentParser:
    """The whole command line; the groups register in the order `--help` lists them."""
    p = CliParser(
        prog="python -m app", description="SocialOps Hub command line. DATABASE_URL selects the store."
    )
    sub = p.add_subparsers(dest="command", metavar="COMMAND", parser_class=CliParser)
    add_db_commands(sub)
    add_org_commands(sub)
    add_strategy_commands(sub)
    add_audit_commands(sub)
    imports = add_import_export_commands(sub)
    add_backup_commands(sub)
    add_sheets_commands(sub)
    add_metrics_commands(sub, imports)
    add_report_commands(sub)
    return p


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; returns the exit code (errors are one line on stderr)."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 0
    try:
        args.func(args)
    except (CliError, ServiceError, ConfigError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except OperationalError as exc:
        url = mask_url(get_settings().database_url)
        print(f"error: the database at {url} did not answer ({type(exc.orig).__name__})", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except Exception as exc:
        if setting_value("debug"):
            raise
        print(
            f"error: unexpected {type(exc).__name__}: {exc} (SOCIALOPS_DEBUG=1 shows the traceback)",
            file=sys.stderr,
        )
        return 1
    return 0
