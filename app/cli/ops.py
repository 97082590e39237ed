"""`python -m app backup` and `python -m app restore`: the store to a file and back (SQLite online
backup; pg_dump/pg_restore custom format for PostgreSQL)."""

from __future__ import annotations

import argparse
from pathlib import Path

from app.cli.common import CliError, Commands, database_engine
from app.db import head_revision
from app.services.core import Actor
from app.services.ops import backup, restore


def cmd_backup(args: argparse.Namespace) -> None:
    info = backup(database_engine(), Actor.cli(), Path(args.output))
    print(
        f"backup of the {info.kind} store written to {info.path} ({info.size_bytes:,} bytes, "
        f"schema {info.revision}) in {info.seconds:.1f} s"
    )
    if info.snapshot_at is not None:
        print(
            f"it holds the store as it was at {info.snapshot_at:%d %b %Y %H:%M:%S} UTC: "
            "changes committed while it ran are not in it"
        )


def cmd_restore(args: argparse.Namespace) -> None:
    if not args.yes:
        raise CliError("this replaces everything in the store with the backup; add --yes to confirm")
    info = restore(database_engine(), Actor.cli(), Path(args.file))
    print(f"restored {info.path} into the {info.kind} store (schema {info.revision}) in {info.seconds:.1f} s")
    if info.revision != head_revision():
        print(
            f"the backup's schema is older than this code's ({head_revision()}): run `python -m app db upgrade`"
        )


def add_backup_commands(sub: Commands) -> None:
    """Register `backup` and `restore` on the main parser's sub-commands."""
    b = sub.add_parser("backup", help="write the whole store to a file (safe while the app runs)")
    b.add_argument("-o", "--output", required=True, help="the backup file to write")
    b.set_defaults(func=cmd_backup)
    r = sub.add_parser("restore", help="replace the store's content with a backup file")
    r.add_argument("file", help="a file written by `python -m app backup`")
    r.add_argument("--yes", action="store_true", help="confirm")
    r.set_defaults(func=cmd_restore)
